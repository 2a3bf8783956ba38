package gemm

import (
	"math"
	"testing"
)

// TestUnpackedMatchesPacked checks that kernels reading a non-transposed A
// or B in place give, element for element, the bits of the same kernel on
// packed panels, over the shared case table (edge tiles in m and n, several
// k slabs and blocks, padded strides, beta = 0 over NaN, all four
// transpose combinations, of which the transposed operands stay packed).
func TestUnpackedMatchesPacked(t *testing.T) {
	kernels, _ := allKernels()
	tested := 0
	for name, kn := range kernels {
		if kn.strided == nil {
			continue
		}
		packedOnly := *kn
		packedOnly.strided = nil
		for _, tc := range gemmCases(testing.Short()) {
			a, lda, b, ldb, c, ldc := caseInputs[float32](tc)
			if !unpacked(kn, tc.transA, lda) && !unpacked(kn, tc.transB, ldb) {
				continue
			}
			tested++
			want := append([]float32(nil), c...)
			serial(&packedOnly, tc.transA, tc.transB, tc.m, tc.n, tc.k, float32(tc.alpha), a, lda, b, ldb, float32(tc.beta), want, ldc)
			serial(kn, tc.transA, tc.transB, tc.m, tc.n, tc.k, float32(tc.alpha), a, lda, b, ldb, float32(tc.beta), c, ldc)
			for i := range want {
				if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s %v: c[%d] = %v in place, %v packed", name, tc, i, c[i], want[i])
				}
			}
		}
	}
	if tested == 0 {
		t.Skip("no kernel on this CPU reads its operands in place")
	}
}

// TestUnpackedAvoidsAliasedStrides checks the stride rule: rows a
// multiple of 1 KiB apart are packed, others read in place, transposed
// operands always packed.
func TestUnpackedAvoidsAliasedStrides(t *testing.T) {
	kn := kernel[float32]{strided: func(int, float32, []float32, int, int, []float32, int, float32, []float32, int) {}}
	for _, tc := range []struct {
		ld    int
		trans bool
		want  bool
	}{{1024, false, false}, {256, false, false}, {1040, false, true}, {128, false, true}, {100, false, true}, {100, true, false}} {
		if got := unpacked(&kn, tc.trans, tc.ld); got != tc.want {
			t.Errorf("unpacked(ld %d, trans %v) = %v, want %v", tc.ld, tc.trans, got, tc.want)
		}
	}
	if unpacked(&sgemmGenericKernel, false, 100) {
		t.Error("unpacked true for a kernel without a strided entry")
	}
}
