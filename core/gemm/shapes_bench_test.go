package gemm

import (
	"fmt"
	"testing"
)

// ganShapes are the GEMM calls of one mnist-dcgan training step (batch 64),
// heaviest first, plus the dcgan64 convolution shapes that must not regress.
var ganShapes = []struct {
	transA, transB bool
	m, n, k        int
}{
	{false, true, 980, 1024, 128},  // conv backprop-input: dcols = g·kᵀ
	{false, false, 980, 128, 1024}, // conv forward: im2col·k
	{true, false, 1024, 128, 980},  // conv filter grad: colsᵀ·g
	{false, false, 64, 6272, 100},  // dense
	{false, true, 196, 1024, 128},
	{true, false, 16, 64, 25088}, // thin filter grad, huge k
	{false, true, 12544, 16, 64},
	{false, true, 392, 1024, 128},
	{true, false, 100, 6272, 64},
	{false, false, 196, 128, 1024},
	{false, false, 25088, 64, 16}, // first conv, K = 16
	{false, false, 392, 128, 1024},
	{true, false, 1024, 128, 392},
	{false, false, 12544, 64, 16},
	{true, false, 16, 64, 12544},
	{true, false, 1024, 128, 196},
	{false, true, 128, 6272, 1},  // rank-1 update
	{false, false, 128, 1, 6272}, // GEMV
	{true, false, 6272, 1, 128},  // GEMV
	{false, false, 64, 1, 6272},  // GEMV
	{false, true, 64, 6272, 1},   // rank-1 update
}

// BenchmarkSgemmShapes runs every GAN shape with beta = 0 (as the forward
// passes do) and reports GFLOP/s.
func BenchmarkSgemmShapes(b *testing.B) {
	tr := func(t bool) string {
		if t {
			return "T"
		}
		return "N"
	}
	for _, s := range ganShapes {
		name := fmt.Sprintf("%s%s_%dx%dx%d", tr(s.transA), tr(s.transB), s.m, s.n, s.k)
		b.Run(name, func(b *testing.B) { benchSgemm(b, s.transA, s.transB, s.m, s.n, s.k) })
	}
}
