-- DCGAN on MNIST with an overridden train_step, ported from the Keras guide
-- "GAN overriding Model.train_step".
--
--   ganlab run experiments/dcgan.lua --epochs 5
local keras = require("ganlab")
local ops = keras.ops
local mnist = require("gan.mnist")
local GANMonitor = require("gan.monitor")

local latent_dim = 128
local epochs = keras.config.epochs or 30

-- Pixels in [0, 1]: the generator ends in a sigmoid.
local dataset = keras.data.mnist{split = "train", batch_size = 64, shuffle = true,
                                 value_range = {0, 1}, drop_remainder = true}

local discriminator = mnist.discriminator()
local generator = mnist.generator(latent_dim)
discriminator:summary()
generator:summary()

local GAN = keras.Model:extend("GAN")

function GAN:init(discriminator, generator, latent_dim)
  self.discriminator = discriminator
  self.generator = generator
  self.latent_dim = latent_dim
  self.seed_generator = keras.random.SeedGenerator(1337)
end

function GAN:compile(d_optimizer, g_optimizer, loss_fn)
  GAN.super.compile(self)
  self.d_optimizer = d_optimizer
  self.g_optimizer = g_optimizer
  self.loss_fn = loss_fn
  self.d_loss_metric = keras.metrics.Mean{name = "d_loss"}
  self.g_loss_metric = keras.metrics.Mean{name = "g_loss"}
end

function GAN:train_step(real_images)
  -- Decode random points of the latent space to fake images.
  local batch_size = real_images.shape[1]
  local random_latent_vectors = keras.random.normal{shape = {batch_size, self.latent_dim},
                                                    seed = self.seed_generator}
  local generated_images = self.generator(random_latent_vectors)

  -- Fakes are labelled 1, reals 0, plus a little noise on the labels.
  local combined_images = ops.concatenate({generated_images, real_images}, 0)
  local labels = ops.concatenate({ops.ones{batch_size, 1}, ops.zeros{batch_size, 1}}, 0)
  labels = labels + 0.05 * keras.random.uniform{shape = labels.shape, seed = self.seed_generator}

  -- Train the discriminator.
  local tape = keras.GradientTape()
  local predictions = self.discriminator(combined_images)
  local d_loss = self.loss_fn(labels, predictions)
  local grads = tape:gradient(d_loss, self.discriminator.trainable_weights)
  self.d_optimizer:apply_gradients(grads, self.discriminator.trainable_weights)

  -- Train the generator through the discriminator, whose weights stay put:
  -- only the generator's weights are updated.
  random_latent_vectors = keras.random.normal{shape = {batch_size, self.latent_dim},
                                              seed = self.seed_generator}
  local misleading_labels = ops.zeros{batch_size, 1}
  tape = keras.GradientTape()
  predictions = self.discriminator(self.generator(random_latent_vectors))
  local g_loss = self.loss_fn(misleading_labels, predictions)
  grads = tape:gradient(g_loss, self.generator.trainable_weights)
  self.g_optimizer:apply_gradients(grads, self.generator.trainable_weights)

  self.d_loss_metric:update_state(d_loss)
  self.g_loss_metric:update_state(g_loss)
  return {d_loss = self.d_loss_metric:result(), g_loss = self.g_loss_metric:result()}
end

local gan = GAN(discriminator, generator, latent_dim)
gan:compile(keras.optimizers.Adam{learning_rate = 0.0002, beta_1 = 0.5},
            keras.optimizers.Adam{learning_rate = 0.0002, beta_1 = 0.5},
            keras.losses.BinaryCrossentropy{from_logits = true})
gan:fit(dataset, {epochs = epochs, callbacks = {GANMonitor{num_img = 64, latent_dim = latent_dim}}})
