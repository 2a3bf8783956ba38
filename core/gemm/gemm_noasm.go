//go:build !amd64 || noasm

package gemm

// The configurations used by Sgemm and Dgemm: without the assembly
// kernels they are the portable ones.
var (
	sgemmKernel = sgemmGenericKernel
	dgemmKernel = dgemmGenericKernel
)

// sgemmNarrowKernel, if not nil, replaces sgemmKernel for n ≤ 16; the
// portable kernel is already narrow.
var sgemmNarrowKernel *kernel[float32]

// asmKernels lists the assembly kernel configurations available for tests
// to compare against the portable kernels; there are none in this build.
func asmKernels() (map[string]*kernel[float32], map[string]*kernel[float64]) { return nil, nil }

// packRows is the assembly row copy of the amd64 build; here it declines,
// and packB copies in Go.
func packRows[T float](rows, width int, src []T, ld int, dst []T) bool { return false }
