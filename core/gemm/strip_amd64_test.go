//go:build !noasm

package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPairStripMatchesTiles checks the AVX-512 12×32 strip against the
// 6×32 kernel called tile by tile, bit for bit: odd and even tile counts,
// A packed and in place, B packed, in place and in place pages apart (the
// 6×32 fallback), alpha 1 (no scaling) and not, beta = 0 over NaN and
// beta ≠ 0.
func TestPairStripMatchesTiles(t *testing.T) {
	if sgemmKernel.name != "AVX-512 12×32" {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for _, tiles := range []int{1, 2, 3, 4, 7} {
		for _, kc := range []int{1, 5, 37} {
			for _, inPlace := range []bool{false, true} {
				for _, bks := range []int{32, 45, 1100} {
					for _, ab := range [][2]float32{{1.25, 0}, {1.25, 0.75}, {1, 0}, {1, 1}} {
						alpha, beta := ab[0], ab[1]
						const lda, ldc = 43, 40
						a := make([]float32, tiles*6*max(lda, kc)+6*kc)
						b := make([]float32, (kc-1)*bks+32)
						for i := range a {
							a[i] = rng.Float32() - 0.5
						}
						for i := range b {
							b[i] = rng.Float32() - 0.5
						}
						c := make([]float32, (6*tiles-1)*ldc+32)
						for i := range c {
							c[i] = rng.Float32() - 0.5
							if beta == 0 {
								c[i] = float32(math.NaN())
							}
						}
						want := append([]float32(nil), c...)
						ars, aks, aTile := 1, 6, 6*kc
						if inPlace {
							ars, aks, aTile = lda, 1, 6*lda
						}
						for i := range tiles {
							sgemmKernel6x32Strided(kc, alpha, a[i*aTile:], ars, aks, b, bks, beta, want[6*i*ldc:], ldc)
						}
						sgemmStrip12x32(tiles, kc, alpha, a, ars, aks, aTile, b, bks, beta, c, ldc)
						for i := range want {
							if math.Float32bits(c[i]) != math.Float32bits(want[i]) {
								t.Fatalf("tiles %d kc %d in place %v bks %d alpha %v beta %v: c[%d] = %v, tile by tile %v", tiles, kc, inPlace, bks, alpha, beta, i, c[i], want[i])
							}
						}
					}
				}
			}
		}
	}
}
