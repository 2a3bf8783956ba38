// Package losses holds the losses of the Keras GAN guide, built from
// autograd ops so that they have first and second derivatives (a critic
// loss that contains a gradient penalty is differentiated twice).
//
// Each Keras loss is a small struct (BinaryCrossentropy, Hinge,
// MeanSquaredError, ...) with a constructor that validates its
// configuration and a Call(yTrue, yPred) that returns the mean scalar loss:
// Keras's default "sum_over_batch_size" reduction, i.e. the per-sample
// losses averaged over every sample. Calling a zero-value or hand-filled
// struct validates the configuration too.
//
// The GAN-specific pieces take the critic's outputs directly: HingeD and
// HingeG (the hinge GAN loss), WassersteinD and WassersteinG, the gradient
// penalties GradientPenalty (WGAN-GP) and R1Penalty, and FeatureMatching.
//
// Nothing here mutates its inputs. Errors (mismatched shapes, bad labels,
// a bad configuration) are returned, never panicked: every public function
// converts tensor panics with tensor.Recover.
package losses
