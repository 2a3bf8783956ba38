//go:build !noasm

package tensor

import (
	"fmt"
	"testing"
)

// TestFilterTransposedMatchesPacked checks the filter gradient from the
// transposed im2col matrix bit for bit against the packed transposed
// product it replaces (useAVX512 off), on geometries with padding on every
// side, chunks of one to all images and pixel counts off the 16-column
// blocks, and im2colT alone against im2col, element for element.
func TestFilterTransposedMatchesPacked(t *testing.T) {
	if !useAVX512 {
		t.Skip("no AVX-512 on this CPU")
	}
	cases := []convCase{
		{8, 14, 14, 16, 4, 4, 32, Conv2DParams{2, 2, 1, 2, 1, 2}},
		{6, 9, 11, 32, 3, 3, 16, Conv2DParams{1, 2, 1, 1, 2, 0}},
		{4, 7, 7, 64, 4, 4, 128, Conv2DParams{2, 2, 1, 1, 1, 1}},
	}
	for ci, c := range cases {
		rng := NewRNG(uint64(ci), 21)
		x := rng.Normal(Float32, 0, 1, c.xShape()...)
		geo := newConvGeom("test", c.xShape(), c.kShape(), c.p)
		g := rng.Normal(Float32, 0, 1, geo.outShape()...)
		for _, imgs := range []int{1, 3, c.n} {
			name := fmt.Sprintf("%v chunk %d", c, imgs)
			geo.budget = imgs * geo.outPix() * geo.kdim() * 4
			if !splitsFilter(geo) || !transposedCols[float32](geo) {
				t.Fatalf("%s: not the transposed split path", name)
			}
			got, want := New(Float32, c.kShape()...), New(Float32, c.kShape()...)
			convBackFilterSplit(geo, x.f32, g.f32, got.f32)
			useAVX512 = false
			convBackFilterSplit(geo, x.f32, g.f32, want.f32)
			useAVX512 = true
			sameBits(t, name, got, want)

			// im2colT is im2col transposed, zeros past the last pixel.
			r0 := geo.oh / 2 // a range that cuts images
			r1 := min(r0+imgs*geo.oh-1, geo.n*geo.oh)
			pixels := (r1 - r0) * geo.ow
			cols := make([]float32, pixels*colsLD[float32](geo))
			im2colRows(geo, x.f32, r0, r1, cols)
			ld := colsTLD(pixels)
			colsT := make([]float32, geo.kdim()*ld)
			for i := range colsT {
				colsT[i] = -1
			}
			im2colT(geo, x.f32, r0, r1, colsT, ld, make([]float32, geo.cin))
			for k := range geo.kdim() {
				for p := range (pixels + 15) / 16 * 16 {
					want := float32(0)
					if p < pixels {
						want = cols[p*colsLD[float32](geo)+k]
					}
					if colsT[k*ld+p] != want {
						t.Fatalf("%s: im2colT[%d][%d] = %v, im2col %v", name, k, p, colsT[k*ld+p], want)
					}
				}
			}
		}
	}
}
