-- WGAN-GP on MNIST (Gulrajani et al. 2017), after the Keras example "WGAN-GP
-- overriding Model.train_step": a critic without batch normalisation, five
-- critic steps per generator step, gradient penalty weight 10 on images
-- interpolated with α ~ U[0, 1).
--
--   ganlab run experiments/wgan_gp.lua --epochs 5
local keras = require("ganlab")
local ops = keras.ops
local mnist = require("gan.mnist")
local penalty = require("gan.penalty")
local GANMonitor = require("gan.monitor")

local latent_dim = 128
local epochs = keras.config.epochs or 20

-- Pixels in [-1, 1]: the generator ends in tanh.
local dataset = keras.data.mnist{split = "train", batch_size = 64, shuffle = true,
                                 value_range = {-1, 1}, drop_remainder = true}

local critic = mnist.critic()
local generator = mnist.generator(latent_dim, {activation = "tanh"})

local WGAN = keras.Model:extend("WGAN")

function WGAN:init(critic, generator, latent_dim, opts)
  self.discriminator = critic
  self.generator = generator
  self.latent_dim = latent_dim
  self.d_steps = opts.discriminator_extra_steps or 5
  self.gp_weight = opts.gp_weight or 10.0
  self.seed_generator = keras.random.SeedGenerator(1337)
end

function WGAN:compile(d_optimizer, g_optimizer)
  WGAN.super.compile(self)
  self.d_optimizer = d_optimizer
  self.g_optimizer = g_optimizer
end

-- The critic's loss: mean score of fakes minus mean score of reals.
local function critic_loss(real_logits, fake_logits)
  return ops.mean(fake_logits) - ops.mean(real_logits)
end

local function generator_loss(fake_logits)
  return -ops.mean(fake_logits)
end

function WGAN:train_step(real_images)
  local batch_size = real_images.shape[1]
  local d_loss
  for _ = 1, self.d_steps do
    local z = keras.random.normal{shape = {batch_size, self.latent_dim}, seed = self.seed_generator}
    local tape = keras.GradientTape()
    local fake_images = self.generator(z, {training = true})
    local fake_logits = self.discriminator(fake_images, {training = true})
    local real_logits = self.discriminator(real_images, {training = true})
    local gp = penalty.gradient_penalty(self.discriminator, real_images, fake_images, self.seed_generator)
    d_loss = critic_loss(real_logits, fake_logits) + gp * self.gp_weight
    local grads = tape:gradient(d_loss, self.discriminator.trainable_weights)
    self.d_optimizer:apply_gradients(grads, self.discriminator.trainable_weights)
  end

  local z = keras.random.normal{shape = {batch_size, self.latent_dim}, seed = self.seed_generator}
  local tape = keras.GradientTape()
  local generated_images = self.generator(z, {training = true})
  local g_loss = generator_loss(self.discriminator(generated_images, {training = true}))
  local grads = tape:gradient(g_loss, self.generator.trainable_weights)
  self.g_optimizer:apply_gradients(grads, self.generator.trainable_weights)
  return {d_loss = d_loss, g_loss = g_loss}
end

local wgan = WGAN(critic, generator, latent_dim, {discriminator_extra_steps = 5, gp_weight = 10.0})
wgan:compile(keras.optimizers.Adam{learning_rate = 0.0001, beta_1 = 0.0, beta_2 = 0.9},
             keras.optimizers.Adam{learning_rate = 0.0001, beta_1 = 0.0, beta_2 = 0.9})
wgan:fit(dataset, {epochs = epochs,
                   callbacks = {GANMonitor{num_img = 64, latent_dim = latent_dim, value_range = {-1, 1}}}})
