package tensor

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

type poolCase struct {
	n, h, w, c, ph, pw int
	p                  Conv2DParams
}

func (c poolCase) String() string {
	return fmt.Sprintf("n%d_%dx%dx%d_pool%dx%d_s%dx%d_p%d.%d.%d.%d", c.n, c.h, c.w, c.c, c.ph, c.pw,
		c.p.StrideH, c.p.StrideW, c.p.PadTop, c.p.PadBottom, c.p.PadLeft, c.p.PadRight)
}

func (c poolCase) run(dt DType, rng *RNG) (x *Tensor, mx *Tensor, idx []int, avg *Tensor) {
	x = rng.Normal(dt, 0, 1, c.n, c.h, c.w, c.c)
	mx, idx = MaxPool2D(x, c.ph, c.pw, c.p.StrideH, c.p.StrideW, c.p)
	avg = AvgPool2D(x, c.ph, c.pw, c.p.StrideH, c.p.StrideW, c.p)
	return
}

func poolCases() []poolCase {
	return []poolCase{
		{1, 4, 4, 1, 2, 2, Conv2DParams{2, 2, 0, 0, 0, 0}},
		{5, 7, 5, 3, 3, 3, Conv2DParams{2, 2, 1, 1, 1, 1}},
		{1, 5, 6, 2, 2, 3, Conv2DParams{1, 3, 0, 1, 2, 0}},
		{5, 3, 3, 2, 3, 2, Conv2DParams{3, 1, 2, 0, 1, 1}},
		{2, 9, 8, 4, 5, 4, Conv2DParams{3, 2, 2, 2, 0, 3}},
		{1, 1, 1, 3, 1, 1, Conv2DParams{1, 1, 0, 0, 0, 0}},
	}
}

// naivePool loops over each window, skipping padded cells, and returns the
// max, its flat input index (first on ties) and the mean of real cells.
func naivePool(c poolCase, x []float64) (mx []float64, idx []int, avg []float64) {
	oh, ow := Conv2DOutSize(c.h, c.w, c.ph, c.pw, c.p)
	for b := 0; b < c.n; b++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				for ch := 0; ch < c.c; ch++ {
					best, bi, sum, cnt := math.Inf(-1), -1, 0.0, 0
					for ky := 0; ky < c.ph; ky++ {
						for kx := 0; kx < c.pw; kx++ {
							iy, ix := oy*c.p.StrideH-c.p.PadTop+ky, ox*c.p.StrideW-c.p.PadLeft+kx
							if iy < 0 || iy >= c.h || ix < 0 || ix >= c.w {
								continue
							}
							i := ((b*c.h+iy)*c.w+ix)*c.c + ch
							if x[i] > best || bi < 0 {
								best, bi = x[i], i
							}
							sum += x[i]
							cnt++
						}
					}
					mx, idx, avg = append(mx, best), append(idx, bi), append(avg, sum/float64(cnt))
				}
			}
		}
	}
	return mx, idx, avg
}

func TestPoolAgainstNaive(t *testing.T) {
	for _, dt := range []DType{Float32, Float64} {
		for ci, c := range poolCases() {
			rng := NewRNG(uint64(ci), 5)
			x, mx, idx, avg := c.run(dt, rng)
			wm, wi, wa := naivePool(c, x.Values())
			if len(wm) != mx.Len() || len(wa) != avg.Len() {
				t.Fatalf("%v %v: %d/%d outputs, want %d", dt, c, mx.Len(), avg.Len(), len(wm))
			}
			for i := range wm {
				if mx.At(i) != wm[i] || idx[i] != wi[i] {
					t.Errorf("%v %v: max[%d] = %g at %d, want %g at %d", dt, c, i, mx.At(i), idx[i], wm[i], wi[i])
				}
				if math.Abs(avg.At(i)-wa[i]) > 1e-6*(1+math.Abs(wa[i])) {
					t.Errorf("%v %v: avg[%d] = %g, want %g", dt, c, i, avg.At(i), wa[i])
				}
			}
		}
	}
}

// TestPoolSameHand checks Keras's "same" pools on a hand-computed case: the
// border windows only average (and only compare) the real pixels.
func TestPoolSameHand(t *testing.T) {
	x := FromFloat64([]float64{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 3, 3, 1)
	p, _ := ConvParams(3, 3, 2, 2, 2, 2, "same") // pads 0 before, 1 after
	avg := AvgPool2D(x, 2, 2, 2, 2, p)
	mx, idx := MaxPool2D(Neg(x), 2, 2, 2, 2, p) // all negative: a zero pad would win
	for i, w := range []float64{3, 4.5, 7.5, 9} {
		if avg.At(i) != w {
			t.Errorf("avg[%d] = %g, want %g", i, avg.At(i), w)
		}
	}
	for i, w := range []float64{-1, -3, -7, -9} {
		if mx.At(i) != w || idx[i] != int(-w)-1 {
			t.Errorf("max[%d] = %g at %d, want %g at %d", i, mx.At(i), idx[i], w, int(-w)-1)
		}
	}
}

func TestAvgPoolAdjoint(t *testing.T) {
	for ci, c := range poolCases() {
		rng := NewRNG(uint64(ci), 6)
		x, _, _, avg := c.run(Float64, rng)
		y := rng.Normal(Float64, 0, 1, avg.Shape()...)
		lhs := dot(avg, y)
		rhs := dot(x, AvgPool2DAdjoint(y, x.Shape(), c.ph, c.pw, c.p.StrideH, c.p.StrideW, c.p))
		if math.Abs(lhs-rhs) > 1e-12*(1+math.Abs(lhs)) {
			t.Errorf("%v: <avg(x), y> = %.15g, <x, adjoint(y)> = %.15g", c, lhs, rhs)
		}
	}
}

func TestPoolErrors(t *testing.T) {
	x := New(Float32, 1, 4, 4, 2)
	var p Conv2DParams
	cases := []struct {
		name, op string
		fn       func()
		want     string
	}{
		{"rank3", "max_pool2d", func() { MaxPool2D(New(Float32, 4, 4, 2), 2, 2, 2, 2, p) }, "[4 4 2]"},
		{"stride0", "avg_pool2d", func() { AvgPool2D(x, 2, 2, 0, 2, p) }, "strides (0, 2)"},
		{"too_big", "max_pool2d", func() { MaxPool2D(x, 5, 2, 1, 1, p) }, "larger than the padded input"},
		{"all_pad", "avg_pool2d", func() { AvgPool2D(x, 2, 2, 1, 1, Conv2DParams{PadTop: 2}) }, "entirely in the padding"},
		{"adjoint_shape", "avg_pool2d_adjoint", func() { AvgPool2DAdjoint(New(Float32, 1, 3, 3, 2), []int{1, 4, 4, 2}, 2, 2, 2, 2, p) }, "[1 3 3 2]"},
	}
	for _, c := range cases {
		err := Catch(c.fn)
		var te *Error
		if !errors.As(err, &te) || te.Op != c.op || !strings.Contains(te.Msg, c.want) {
			t.Errorf("%s: error %v, want a *tensor.Error from %s mentioning %q", c.name, err, c.op, c.want)
		}
	}
}
