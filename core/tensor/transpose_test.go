package tensor

import (
	"math"
	"testing"
	"unsafe"
)

// TestTranspose16 checks the vector transpose against the definition,
// dst[j·ld + i] = srcs[i][j], for one to four blocks of 16 columns, rows
// that repeat (the padding rows of im2colT share one zero row), and a
// destination poisoned around the written columns.
func TestTranspose16(t *testing.T) {
	rng := NewRNG(12, 0)
	for _, blocks := range []int{1, 2, 4} {
		const ld = 37
		rows := make([][]float32, 16)
		var srcs [16]unsafe.Pointer
		for i := range rows {
			rows[i] = rng.Normal(Float32, 0, 1, 16*blocks).Float32s()
			if i == 5 || i == 11 {
				rows[i] = rows[3] // shared rows
			}
			srcs[i] = unsafe.Pointer(&rows[i][0])
		}
		dst := make([]float32, 16*blocks*ld)
		for i := range dst {
			dst[i] = float32(math.NaN())
		}
		if !transpose16(&srcs, blocks, dst, ld) {
			t.Skip("no AVX-512 on this CPU")
		}
		for j := range 16 * blocks {
			for i := range ld {
				got := dst[j*ld+i]
				if i >= 16 {
					if !math.IsNaN(float64(got)) {
						t.Fatalf("blocks %d: dst[%d][%d] written past the block", blocks, j, i)
					}
					continue
				}
				if got != rows[i][j] {
					t.Fatalf("blocks %d: dst[%d][%d] = %v, want %v", blocks, j, i, got, rows[i][j])
				}
			}
		}
	}
}
