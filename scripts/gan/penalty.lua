-- Gradient penalties written with the tape, as the Keras WGAN-GP example
-- does; ganlab's losses module has the same maths in Go.
local keras = require("ganlab")
local ops = keras.ops

local M = {}

-- gradient_penalty returns mean((‖∇D(x̂)‖₂ − 1)²) on x̂ = real + α·(fake − real),
-- α ~ U[0, 1) per image (Gulrajani et al. 2017).
function M.gradient_penalty(critic, real, fake, seed)
  local batch_size = real.shape[1]
  local alpha = keras.random.uniform{shape = {batch_size, 1, 1, 1}, seed = seed}
  local interpolated = real + alpha * (fake - real)
  local tape = keras.GradientTape()
  tape:watch(interpolated)
  local pred = critic(interpolated, {training = true})
  local grads = tape:gradient(pred, interpolated, {create_graph = true})
  local norm = ops.sqrt(ops.sum(ops.square(grads), {1, 2, 3}) + 1e-12)
  return ops.mean(ops.square(norm - 1))
end

return M
