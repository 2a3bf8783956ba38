// Package gan holds GAN training steps written in Go over core's layers,
// losses and optimizers, and the architectures of the reference workloads
// that ganlab's speed is measured on (shared/bench/torch_gan_step.py).
//
// A step mirrors the Keras guide's overridden train_step: draw noise,
// update the discriminator on fake and real images, then update the
// generator through a frozen discriminator. Lua experiments (bindings/)
// write their own train_step; these Go steps serve Go users, the tests and
// `ganlab bench`.
package gan
