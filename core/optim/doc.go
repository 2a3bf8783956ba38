// Package optim holds Keras's optimizers (Adam, SGD, RMSprop), their
// learning-rate schedules and an exponential moving average of weights.
//
// An Optimizer updates parameters in place from gradients:
//
//	grads, _ := autograd.Grad([]*autograd.Var{loss}, params, nil, false)
//	err := opt.ApplyGradients(values(grads), params)
//
// The shared core (base) owns everything but the arithmetic: validation,
// gradient clipping, the iteration count, the learning rate or schedule, and
// the slots (moments). Each optimizer supplies only its per-parameter update,
// a loop over the raw float32 or float64 slices that allocates nothing.
//
// Invariants:
//   - Slots are created lazily at the first ApplyGradients, one set per
//     parameter position; later calls must pass parameters of the same
//     names, shapes and dtypes in the same order (one optimizer per network,
//     as in Keras).
//   - ApplyGradients checks every gradient (count, shape, dtype, NaN/Inf)
//     before it touches any parameter: on error nothing has changed.
//   - The learning rate of an update is the schedule's value at the
//     iteration count before the update (Keras: schedule(iterations)); the
//     bias corrections of Adam use the 1-based step count.
//   - State exports the iteration count, the learning rate and every slot as
//     a named tensor ("adam/m/<param>"), copied; SetState on a fresh
//     optimizer with the same configuration resumes bit for bit.
//   - ApplyGradients never modifies the gradients it is given.
package optim
