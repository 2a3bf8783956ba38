// Package autograd records operations on tensors as they run and computes
// gradients by walking the record backwards (define-by-run, like micrograd
// and PyTorch).
//
// A *Var wraps a tensor. An op whose inputs include a Var that requires a
// gradient returns a Var that remembers its inputs and a backward closure;
// otherwise it returns a plain constant and records nothing. Each op's
// backward closure sits right under its forward and is written with the
// package's own differentiable ops, so the gradient of a gradient is just
// another graph: Grad(..., createGraph=true) returns gradients that can be
// differentiated again, which WGAN-GP and R1 penalties need.
//
// Who owns what:
//   - Backward accumulates into the Grad tensor of every leaf that requires
//     a gradient (parameters); nothing zeroes it but ZeroGrad, so gradients
//     accumulate across calls on purpose.
//   - Grad returns gradients and touches no Grad field.
//   - No op mutates its inputs.
//
// There is no global "no-grad" switch (ganlab keeps no global mutable
// state): a Var made with Const, or cut with StopGradient, records nothing
// downstream, and NoGrad turns off a set of parameters for the duration of a
// function, as freezing D during the generator's step needs.
//
// Shape errors panic with *tensor.Error, naming the op; callers at public
// boundaries convert them with tensor.Recover.
package autograd
