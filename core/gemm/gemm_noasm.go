//go:build !amd64 || noasm

package gemm

// The configurations used by Sgemm and Dgemm: without the assembly
// kernels they are the portable ones.
var (
	sgemmKernel = sgemmGenericKernel
	dgemmKernel = dgemmGenericKernel
)

// asmKernels lists the assembly kernel configurations available for tests
// to compare against the portable kernels; there are none in this build.
func asmKernels() (map[string]*kernel[float32], map[string]*kernel[float64]) { return nil, nil }
