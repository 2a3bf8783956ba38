// Package tensor holds ganlab's n-dimensional arrays and the CPU kernels that
// compute on them. It knows nothing of gradients: package autograd records
// the operations on top of it.
//
// A Tensor is a dense, contiguous, row-major array of float32 (training) or
// float64 (gradient checks) with a shape. Functions return new tensors and
// never mutate their arguments; methods whose name ends in "To" or that are
// documented as "in place" write into their receiver or a dst argument.
// Reshape is the one view: it shares the data of its input.
//
// Binary elementwise functions broadcast like NumPy: shapes are aligned on
// their last axis and an axis of length 1 stretches to match the other.
// Reductions take any set of axes.
//
// Shape errors are programmer errors here, as in gonum: the functions panic
// with an *Error that names the op and the shapes. Public APIs above this
// package (layers, losses, optimizers, the Lua bindings) turn those panics
// into returned errors with Recover, so no panic escapes them.
//
// The kernels are plain Go loops over slices plus the packed SGEMM of package
// gemm. A device backend (CUDA through gorgonia.org/cu) would add a storage
// kind next to the two host slices and dispatch in the same functions; layers
// and autograd only see *Tensor and never touch the slices.
package tensor
