package gemm

import (
	"math"
	"testing"
)

// TestUnpackedAMatchesPacked checks that kernels reading a non-transposed
// A in place give, element for element, the bits of the same kernel on
// packed panels, over the shared case table (edge tiles in m and n, several
// k slabs and A blocks, padded strides, beta = 0 over NaN).
func TestUnpackedAMatchesPacked(t *testing.T) {
	kernels, _ := allKernels()
	tested := 0
	for name, kn := range kernels {
		if kn.rows == nil {
			continue
		}
		tested++
		packedOnly := *kn
		packedOnly.rows = nil
		for _, tc := range gemmCases(testing.Short()) {
			if tc.transA {
				continue
			}
			a, lda, b, ldb, c, ldc := caseInputs[float32](tc)
			if !unpackedA(kn, false, lda) {
				continue
			}
			want := append([]float32(nil), c...)
			serial(&packedOnly, false, tc.transB, tc.m, tc.n, tc.k, float32(tc.alpha), a, lda, b, ldb, float32(tc.beta), want, ldc)
			serial(kn, false, tc.transB, tc.m, tc.n, tc.k, float32(tc.alpha), a, lda, b, ldb, float32(tc.beta), c, ldc)
			for i := range want {
				if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s %v: c[%d] = %v in place, %v packed", name, tc, i, c[i], want[i])
				}
			}
		}
	}
	if tested == 0 {
		t.Skip("no kernel on this CPU reads A in place")
	}
}

// TestUnpackedAAvoidsAliasedStrides checks the stride rule: rows a
// multiple of 1 KiB apart are packed, others read in place.
func TestUnpackedAAvoidsAliasedStrides(t *testing.T) {
	kn := kernel[float32]{rows: func(int, float32, []float32, int, []float32, float32, []float32, int) {}}
	for _, tc := range []struct {
		lda    int
		transA bool
		want   bool
	}{{1024, false, false}, {256, false, false}, {1040, false, true}, {128, false, true}, {100, false, true}, {100, true, false}} {
		if got := unpackedA(&kn, tc.transA, tc.lda); got != tc.want {
			t.Errorf("unpackedA(lda %d, transA %v) = %v, want %v", tc.lda, tc.transA, got, tc.want)
		}
	}
	if unpackedA(&sgemmGenericKernel, false, 100) {
		t.Error("unpackedA true for a kernel without an in-place entry")
	}
}
