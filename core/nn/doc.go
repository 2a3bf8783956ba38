// Package nn provides Keras layers and models on top of core/autograd:
// Torch7 nn's simplicity with Keras's names, arguments and semantics, so a
// reader of the Keras GAN guide can port a model line by line.
//
// A Layer has a name, builds its weights for an input shape (the batch axis
// included, -1 when unknown) on its first Call, and maps a *autograd.Var to
// another. Constructors take Keras's positional arguments and Options for
// its keyword arguments:
//
//	nn.NewConv2DTranspose(128, 4, nn.Strides(2), nn.Padding("same"), nn.UseBias(false))
//	nn.NewBatchNormalization(nn.Scale(false))
//
// A bad argument does not panic: the constructor records the error, and
// Build, Call, Sequential.Add and Apply report it naming the layer.
// Tensor errors inside Call come back as errors naming the layer and the
// input shape; no layer panics out of Call.
//
// Models: Sequential stacks layers; the functional API records layer calls
// on symbolic tensors (Input, Apply) and NewModel turns them into a Model.
// Both are Layers, so models nest and layers can be shared. Differences
// from Keras: weights are created when a model is first used (Call, Build,
// Weights, Summary), not when a layer is applied to a symbolic tensor, so
// that the model's seed (SetSeed) decides them.
//
// Invariants:
//   - Randomness is explicit: each layer draws its initial weights and
//     dropout masks from its own *tensor.RNG; a model hands each layer, in
//     order, a Split of its stream, so one seed fixes every number. A
//     layer built on its own, outside any model and without Seed, uses
//     seed 0.
//   - Weights are float32 unless SetDType (or DType) says float64; a layer
//     built by a Call takes the input's dtype.
//   - Weight names are paths, "generator/dense/kernel": the first model
//     that owns a layer names it (dense, dense_1, ... as Keras) and
//     prefixes it. Nested models keep their own prefix.
//   - Freezing (SetTrainable(false)) stops a layer's weights from
//     requiring gradients and removes them from TrainableWeights.
//   - Call mutates only BatchNormalization's moving statistics and
//     SpectralNormalization's vector_u, and only with training=true;
//     gradients accumulate in Weight.Var.Grad, zeroed by the trainer.
package nn
