package tensor

import (
	"math"
	"testing"
)

// TestIm2colCol2imMatchDefinition checks im2col element by element against
// its definition and col2im bit for bit against adds done in the order of
// the output pixels, on every convolution case plus the DCGAN critic's
// layers (one-channel 4×4 windows, and 64 channels).
func TestIm2colCol2imMatchDefinition(t *testing.T) {
	cases := append(convCases(),
		convCase{3, 28, 28, 1, 4, 4, 64, Conv2DParams{2, 2, 1, 1, 1, 1}},
		convCase{2, 14, 14, 64, 4, 4, 128, Conv2DParams{2, 2, 1, 1, 1, 1}},
		convCase{2, 10, 11, 1, 4, 2, 3, Conv2DParams{1, 2, 2, 1, 0, 3}},
	)
	for ci, c := range cases {
		g := newConvGeom("im2col test", c.xShape(), c.kShape(), c.p)
		ld, P := colsLD[float32](g), g.outPix()
		rng := NewRNG(uint64(ci), 3)
		x := rng.Normal(Float32, 0, 1, c.xShape()...).f32
		cols := make([]float32, c.n*P*ld)
		for i := range cols {
			cols[i] = float32(math.NaN()) // every entry must be written
		}
		im2col(g, x, 0, c.n, cols)
		up := rng.Normal(Float32, 0, 1, c.n*P*ld).f32
		dx := make([]float32, len(x))
		col2im(g, up, 0, c.n, dx)
		want := make([]float32, len(x))
		r := 0
		for b := range c.n {
			for oy := range g.oh {
				for ox := range g.ow {
					for ky := range g.kh {
						for kx := range g.kw {
							iy, ix := oy*c.p.StrideH-c.p.PadTop+ky, ox*c.p.StrideW-c.p.PadLeft+kx
							inside := iy >= 0 && iy < c.h && ix >= 0 && ix < c.w
							for ch := range c.cin {
								j := r*ld + (ky*c.kw+kx)*c.cin + ch
								var v float32
								if inside {
									xi := ((b*c.h+iy)*c.w+ix)*c.cin + ch
									v = x[xi]
									want[xi] += up[j]
								}
								if got := cols[j]; math.Float32bits(got) != math.Float32bits(v) {
									t.Fatalf("case %d %+v: im2col row %d entry %d = %v, want %v", ci, c, r, j-r*ld, got, v)
								}
							}
						}
					}
					r++
				}
			}
		}
		for i := range want {
			if math.Float32bits(dx[i]) != math.Float32bits(want[i]) {
				t.Fatalf("case %d %+v: col2im element %d = %v, want %v (bitwise)", ci, c, i, dx[i], want[i])
			}
		}
	}
}
