-- Conditional GAN on MNIST, after the Keras example "Conditional GAN": the
-- one-hot class is concatenated to the latent vector for the generator and
-- to the image as 10 extra channels for the discriminator. The sample grid
-- has one row per class.
--
--   ganlab run experiments/conditional_gan.lua --epochs 5
local keras = require("ganlab")
local ops = keras.ops
local mnist = require("gan.mnist")
local GANMonitor = require("gan.monitor")

local num_classes = 10
local latent_dim = 128
local image_size = 28
local epochs = keras.config.epochs or 20

-- Batches are {images, one-hot labels}.
local dataset = keras.data.mnist{split = "train", batch_size = 64, shuffle = true,
                                 value_range = {0, 1}, one_hot = num_classes, drop_remainder = true}

local generator_in_channels = latent_dim + num_classes
local discriminator_in_channels = 1 + num_classes

local discriminator = mnist.discriminator{channels = discriminator_in_channels}
local generator = mnist.generator(generator_in_channels, {width = generator_in_channels})

local ConditionalGAN = keras.Model:extend("ConditionalGAN")

function ConditionalGAN:init(discriminator, generator, latent_dim)
  self.discriminator = discriminator
  self.generator = generator
  self.latent_dim = latent_dim
  self.seed_generator = keras.random.SeedGenerator(1337)
  self.gen_loss_tracker = keras.metrics.Mean{name = "generator_loss"}
  self.disc_loss_tracker = keras.metrics.Mean{name = "discriminator_loss"}
end

function ConditionalGAN:compile(d_optimizer, g_optimizer, loss_fn)
  ConditionalGAN.super.compile(self)
  self.d_optimizer = d_optimizer
  self.g_optimizer = g_optimizer
  self.loss_fn = loss_fn
end

-- label_planes repeats one-hot labels (b, 10) over the image: (b, 28, 28, 10).
local function label_planes(one_hot_labels)
  local planes = ops.reshape(one_hot_labels, {-1, 1, 1, num_classes})
  planes = ops["repeat"](planes, image_size, 1) -- repeat is a Lua keyword
  return ops["repeat"](planes, image_size, 2)
end

function ConditionalGAN:train_step(data)
  local real_images, one_hot_labels = data[1], data[2]
  local image_one_hot_labels = label_planes(one_hot_labels)

  local batch_size = real_images.shape[1]
  local random_latent_vectors = keras.random.normal{shape = {batch_size, self.latent_dim},
                                                    seed = self.seed_generator}
  local random_vector_labels = ops.concatenate({random_latent_vectors, one_hot_labels}, 1)
  local generated_images = self.generator(random_vector_labels)

  local fake_image_and_labels = ops.concatenate({generated_images, image_one_hot_labels}, -1)
  local real_image_and_labels = ops.concatenate({real_images, image_one_hot_labels}, -1)
  local combined_images = ops.concatenate({fake_image_and_labels, real_image_and_labels}, 0)
  local labels = ops.concatenate({ops.ones{batch_size, 1}, ops.zeros{batch_size, 1}}, 0)

  local tape = keras.GradientTape()
  local predictions = self.discriminator(combined_images)
  local d_loss = self.loss_fn(labels, predictions)
  local grads = tape:gradient(d_loss, self.discriminator.trainable_weights)
  self.d_optimizer:apply_gradients(grads, self.discriminator.trainable_weights)

  random_latent_vectors = keras.random.normal{shape = {batch_size, self.latent_dim},
                                              seed = self.seed_generator}
  random_vector_labels = ops.concatenate({random_latent_vectors, one_hot_labels}, 1)
  local misleading_labels = ops.zeros{batch_size, 1}
  tape = keras.GradientTape()
  local fake_images = self.generator(random_vector_labels)
  local fake = ops.concatenate({fake_images, image_one_hot_labels}, -1)
  local g_loss = self.loss_fn(misleading_labels, self.discriminator(fake))
  grads = tape:gradient(g_loss, self.generator.trainable_weights)
  self.g_optimizer:apply_gradients(grads, self.generator.trainable_weights)

  self.gen_loss_tracker:update_state(g_loss)
  self.disc_loss_tracker:update_state(d_loss)
  return {g_loss = self.gen_loss_tracker:result(), d_loss = self.disc_loss_tracker:result()}
end

-- Sample grid: row r shows class r - 1 (digits 0..9), 10 columns of noise.
local cols = 10
local grid_labels = {}
for class = 0, num_classes - 1 do
  for _ = 1, cols do
    grid_labels[#grid_labels + 1] = class
  end
end
local grid_one_hot = keras.keep(ops.one_hot(ops.convert_to_tensor(grid_labels), num_classes))

local cond_gan = ConditionalGAN(discriminator, generator, latent_dim)
cond_gan:compile(keras.optimizers.Adam{learning_rate = 0.0003},
                 keras.optimizers.Adam{learning_rate = 0.0003},
                 keras.losses.BinaryCrossentropy{from_logits = true})
cond_gan:fit(dataset, {epochs = epochs, callbacks = {
  GANMonitor{num_img = num_classes * cols, latent_dim = latent_dim, cols = cols,
             inputs = function(z) return ops.concatenate({z, grid_one_hot}, 1) end},
}})
