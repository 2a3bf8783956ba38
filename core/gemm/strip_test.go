package gemm

import (
	"math"
	"testing"
)

// TestStripMatchesTiles checks that a kernel's strip entry (a column of
// tiles in one call) gives the bits of calling its tile kernel once per
// tile, over the shared case table: edge tiles, several k slabs and
// blocks, operands packed and read in place, beta = 0 over NaN.
func TestStripMatchesTiles(t *testing.T) {
	kernels, _ := allKernels()
	tested := 0
	for name, kn := range kernels {
		if kn.strip == nil {
			continue
		}
		perTile := *kn
		perTile.strip = nil
		for _, tc := range gemmCases(testing.Short()) {
			a, lda, b, ldb, c, ldc := caseInputs[float32](tc)
			tested++
			want := append([]float32(nil), c...)
			serial(&perTile, tc.transA, tc.transB, tc.m, tc.n, tc.k, float32(tc.alpha), a, lda, b, ldb, float32(tc.beta), want, ldc)
			serial(kn, tc.transA, tc.transB, tc.m, tc.n, tc.k, float32(tc.alpha), a, lda, b, ldb, float32(tc.beta), c, ldc)
			for i := range want {
				if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s %v: c[%d] = %v by strips, %v tile by tile", name, tc, i, c[i], want[i])
				}
			}
		}
	}
	if tested == 0 {
		t.Skip("no kernel on this CPU has a strip entry")
	}
}
