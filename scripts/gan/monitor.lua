-- GANMonitor: after every epoch, draws a grid of the generator's images from
-- one fixed batch of latent vectors (so epochs compare like for like) and
-- writes it to the run's samples/epoch_NNNN.png.
local keras = require("ganlab")

local GANMonitor = keras.callbacks.Callback:extend("GANMonitor")

function GANMonitor:init(opts)
  self.num_img = opts.num_img or 64
  self.latent_dim = assert(opts.latent_dim, "GANMonitor needs latent_dim")
  self.value_range = opts.value_range or {0, 1}
  -- inputs(n) may build the generator's input from the noise (conditional GANs).
  self.inputs = opts.inputs
  self.cols = opts.cols
  self.noise = keras.random.normal{shape = {self.num_img, self.latent_dim},
                                   seed = keras.random.SeedGenerator(opts.seed or 42)}
end

function GANMonitor:on_epoch_end(epoch, logs)
  local z = self.noise
  if self.inputs then
    z = self.inputs(z)
  end
  local images = self.model.generator(z, {training = false})
  keras.utils.save_image_grid(images, string.format("epoch_%04d.png", epoch + 1),
                              {value_range = self.value_range, cols = self.cols})
end

return GANMonitor
