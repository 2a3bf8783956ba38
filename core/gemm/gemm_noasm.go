//go:build !amd64 || noasm

package gemm

// sgemmKernel is the float32 configuration used by Sgemm: without the
// assembly kernel it is the portable one.
var sgemmKernel = sgemmGenericKernel

// asmKernels lists the assembly kernel configurations available for tests
// to compare against the portable kernel; there are none in this build.
func asmKernels() map[string]*kernel[float32] { return nil }
