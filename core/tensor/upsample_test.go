package tensor

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestBilinearHand checks the tf.image.resize convention (half-pixel
// centres, edges clamped) on [[1,2],[3,4]] upsampled ×2. Output column o
// samples input coordinate (o+0.5)/2-0.5 = -0.25, 0.25, 0.75, 1.25: the
// outer two clamp to the edge pixels, the inner two blend 3:1 and 1:3, so
// the first row is [1, 1.25, 1.75, 2], and rows blend the same way.
func TestBilinearHand(t *testing.T) {
	for _, dt := range []DType{Float32, Float64} {
		x := FromValues(dt, []float64{1, 2, 3, 4}, 1, 2, 2, 1)
		y := UpsampleBilinear(x, 2, 2)
		want := []float64{
			1, 1.25, 1.75, 2,
			1.5, 1.75, 2.25, 2.5,
			2.5, 2.75, 3.25, 3.5,
			3, 3.25, 3.75, 4,
		}
		if !SameShape(y.Shape(), []int{1, 4, 4, 1}) {
			t.Fatalf("shape %v", y.Shape())
		}
		for i, w := range want {
			if math.Abs(y.At(i)-w) > 1e-6 {
				t.Errorf("%v: y[%d] = %g, want %g", dt, i, y.At(i), w)
			}
		}
	}
}

// TestBilinearAffine uses that bilinear interpolation reproduces an affine
// function exactly wherever it does not clamp: with factor s, outputs
// [s/2, (in-1)s + s/2) see interior coordinates.
func TestBilinearAffine(t *testing.T) {
	const h, w, c, sh, sw = 4, 5, 2, 3, 2
	x := New(Float64, 1, h, w, c)
	f := func(y, x float64, ch int) float64 { return 0.5 + 2*y - 3*x + float64(ch) }
	for i := range h {
		for j := range w {
			for ch := range c {
				x.SetAt((i*w+j)*c+ch, f(float64(i), float64(j), ch))
			}
		}
	}
	y := UpsampleBilinear(x, sh, sw)
	for oy := sh / 2; oy < (h-1)*sh+sh/2; oy++ {
		for ox := sw / 2; ox < (w-1)*sw+sw/2; ox++ {
			for ch := range c {
				cy, cx := (float64(oy)+0.5)/sh-0.5, (float64(ox)+0.5)/sw-0.5
				got := y.At((oy*w*sw+ox)*c + ch)
				if want := f(cy, cx, ch); math.Abs(got-want) > 1e-12 {
					t.Errorf("y[%d,%d,%d] = %g, want %g", oy, ox, ch, got, want)
				}
			}
		}
	}
}

func TestUpsampleNearest(t *testing.T) {
	x := FromFloat64([]float64{1, 2, 3, 4, 5, 6}, 1, 2, 3, 1)
	y := MapGather(x, UpsampleNearestMap(x.Shape(), 2, 3))
	if !SameShape(y.Shape(), []int{1, 4, 9, 1}) {
		t.Fatalf("shape %v", y.Shape())
	}
	for oy := range 4 {
		for ox := range 9 {
			if got, want := y.At(oy*9+ox), x.At(oy/2*3+ox/3); got != want {
				t.Errorf("y[%d,%d] = %g, want %g", oy, ox, got, want)
			}
		}
	}
}

func TestUpsampleAdjoint(t *testing.T) {
	rng := NewRNG(4, 0)
	for _, f := range [][2]int{{1, 1}, {2, 2}, {3, 2}, {1, 4}} {
		x := rng.Normal(Float64, 0, 1, 2, 3, 4, 3)
		ops := map[string]struct{ fwd, adj func(*Tensor) *Tensor }{
			"bilinear": {
				func(t *Tensor) *Tensor { return UpsampleBilinear(t, f[0], f[1]) },
				func(g *Tensor) *Tensor { return UpsampleBilinearAdjoint(g, x.Shape(), f[0], f[1]) },
			},
			"nearest": {
				func(t *Tensor) *Tensor { return MapGather(t, UpsampleNearestMap(x.Shape(), f[0], f[1])) },
				func(g *Tensor) *Tensor { return MapScatter(g, UpsampleNearestMap(x.Shape(), f[0], f[1])) },
			},
		}
		for name, op := range ops {
			ux := op.fwd(x)
			y := rng.Normal(Float64, 0, 1, ux.Shape()...)
			lhs, rhs := dot(ux, y), dot(x, op.adj(y))
			if math.Abs(lhs-rhs) > 1e-12*(1+math.Abs(lhs)) {
				t.Errorf("%s %v: <up(x), y> = %.15g, <x, adjoint(y)> = %.15g", name, f, lhs, rhs)
			}
		}
	}
}

func TestUpsampleErrors(t *testing.T) {
	cases := []struct {
		op   string
		fn   func()
		want string
	}{
		{"upsample_bilinear", func() { UpsampleBilinear(New(Float32, 2, 2, 1), 2, 2) }, "[2 2 1]"},
		{"upsample_bilinear", func() { UpsampleBilinear(New(Float32, 1, 2, 2, 1), 0, 2) }, "factors (0, 2)"},
		{"upsample_nearest", func() { UpsampleNearestMap([]int{2, 2}, 2, 2) }, "[2 2]"},
		{"upsample_bilinear_adjoint", func() { UpsampleBilinearAdjoint(New(Float32, 1, 3, 4, 1), []int{1, 2, 2, 1}, 2, 2) }, "[1 3 4 1]"},
	}
	for _, c := range cases {
		err := Catch(c.fn)
		var te *Error
		if !errors.As(err, &te) || te.Op != c.op || !strings.Contains(te.Msg, c.want) {
			t.Errorf("error %v, want a *tensor.Error from %s mentioning %q", err, c.op, c.want)
		}
	}
}
