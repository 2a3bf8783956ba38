// Package metrics holds Keras's stateful metrics as small Go types: Mean,
// Sum, BinaryAccuracy and SparseCategoricalAccuracy, the ones a GAN's
// train_step tracks (keras.metrics.Mean(name="d_loss") in the guide).
//
// A metric accumulates with UpdateState, reads with Result and starts over
// with ResetState; a training loop resets its metrics at each epoch's start,
// as Keras's model.reset_metrics does. The whole state is two float64s
// (a weighted total and the total weight), so State and SetState give an
// exact resume.
//
// Reductions follow Keras 3's reduce_to_samplewise_values: values are
// reduced to one number per sample (axis 0), optionally weighted by a
// sample_weight that is a scalar, a per-sample vector or a tensor
// broadcastable to the values; Mean divides the weighted total by the total
// weight.
//
// Unlike Keras, which reads 0 from a metric that has seen nothing, Result
// returns an error wrapping ErrNoData then: no metric silently reads zero.
package metrics
