-- The Keras guide's MNIST networks, sized for 28×28×1 images in [0, 1].
local keras = require("ganlab")
local layers = keras.layers

local M = {}

-- discriminator maps 28×28×channels images to one logit (no sigmoid: the
-- loss takes logits). dropout > 0 adds Dropout after each LeakyReLU.
function M.discriminator(opts)
  opts = opts or {}
  local channels = opts.channels or 1
  local d = keras.Sequential({
    keras.Input{shape = {28, 28, channels}},
    layers.Conv2D{64, {3, 3}, strides = {2, 2}, padding = "same"},
    layers.LeakyReLU{negative_slope = 0.2},
    layers.Conv2D{128, {3, 3}, strides = {2, 2}, padding = "same"},
    layers.LeakyReLU{negative_slope = 0.2},
    layers.GlobalMaxPooling2D{},
    layers.Dense{1},
  }, {name = opts.name or "discriminator"})
  return d
end

-- generator maps a latent vector to a 28×28×1 image through two ×2
-- transposed convolutions; the last layer's sigmoid puts pixels in [0, 1].
function M.generator(latent_dim, opts)
  opts = opts or {}
  local width = opts.width or 128
  return keras.Sequential({
    keras.Input{shape = {latent_dim}},
    layers.Dense{7 * 7 * width},
    layers.LeakyReLU{negative_slope = 0.2},
    layers.Reshape{{7, 7, width}},
    layers.Conv2DTranspose{128, {4, 4}, strides = {2, 2}, padding = "same"},
    layers.LeakyReLU{negative_slope = 0.2},
    layers.Conv2DTranspose{128, {4, 4}, strides = {2, 2}, padding = "same"},
    layers.LeakyReLU{negative_slope = 0.2},
    layers.Conv2D{1, {7, 7}, padding = "same", activation = opts.activation or "sigmoid"},
  }, {name = opts.name or "generator"})
end

-- critic is the WGAN-GP critic: the discriminator's convolutions without
-- batch normalisation, flattened into a linear score.
function M.critic(opts)
  opts = opts or {}
  return keras.Sequential({
    keras.Input{shape = {28, 28, 1}},
    layers.Conv2D{64, {4, 4}, strides = {2, 2}, padding = "same"},
    layers.LeakyReLU{negative_slope = 0.2},
    layers.Conv2D{128, {4, 4}, strides = {2, 2}, padding = "same"},
    layers.LeakyReLU{negative_slope = 0.2},
    layers.Flatten{},
    layers.Dense{1},
  }, {name = opts.name or "critic"})
end

return M
