package tensor

import (
	"math"
	"testing"
)

// TestBroadcastToMatchesLoop checks BroadcastTo against a naive loop over
// output indices, for stretched inner, outer and middle axes, a new
// leading axis, float32 and float64, sizes past the parallel grain.
func TestBroadcastToMatchesLoop(t *testing.T) {
	cases := []struct{ in, out []int }{
		{[]int{3, 1}, []int{2, 3, 4}},
		{[]int{1, 4}, []int{3, 4}},
		{[]int{2, 1, 5}, []int{2, 7, 5}},
		{[]int{64, 1}, []int{64, 784}},
		{[]int{5}, []int{300, 257, 5}},
		{[]int{1}, []int{9}},
	}
	rng := NewRNG(3, 0)
	for _, dt := range []DType{Float32, Float64} {
		for _, c := range cases {
			x := rng.Normal(dt, 0, 1, c.in...)
			got := BroadcastTo(x, c.out...)
			if !SameShape(got.Shape(), c.out) {
				t.Fatalf("%v → %v: shape %v", c.in, c.out, got.Shape())
			}
			xs, os := strides(c.in), strides(c.out)
			off := len(c.out) - len(c.in)
			for i := range got.Len() {
				src := 0
				for ax := range c.in {
					if c.in[ax] > 1 {
						src += (i / os[ax+off] % c.out[ax+off]) * xs[ax]
					}
				}
				if got.At(i) != x.At(src) {
					t.Fatalf("%v %v → %v: element %d = %v, want %v", dt, c.in, c.out, i, got.At(i), x.At(src))
				}
			}
		}
	}
}

// TestInterpolate checks Interpolate bitwise against the same arithmetic
// op by op (Add(Mul(w, a), Mul(1−w, b))), for per-sample and full-shape
// weights, and its shape errors.
func TestInterpolate(t *testing.T) {
	rng := NewRNG(5, 0)
	for _, dt := range []DType{Float32, Float64} {
		for _, c := range []struct{ w, x []int }{
			{[]int{64, 1, 1, 1}, []int{64, 28, 28, 1}},
			{[]int{3, 1}, []int{3, 5}},
			{[]int{4, 6}, []int{4, 6}},
			{[]int{1}, []int{7, 2}},
		} {
			w := rng.Uniform(dt, 0, 1, c.w...)
			a, b := rng.Normal(dt, 0, 1, c.x...), rng.Normal(dt, 0, 1, c.x...)
			want := Add(Mul(w, a), Mul(AddScalar(Neg(w), 1), b))
			got := Interpolate(w, a, b)
			for i := range want.Len() {
				if math.Float64bits(got.At(i)) != math.Float64bits(want.At(i)) {
					t.Fatalf("%v w %v x %v: element %d = %v, op by op %v", dt, c.w, c.x, i, got.At(i), want.At(i))
				}
			}
		}
	}
	a, b := New(Float32, 2, 3), New(Float32, 2, 3)
	for _, bad := range []func(){
		func() { Interpolate(New(Float32, 3, 1), a, b) },
		func() { Interpolate(New(Float32, 2, 1), a, New(Float32, 3, 2)) },
		func() { Interpolate(New(Float64, 2, 1), a, b) },
	} {
		if err := Catch(bad); err == nil {
			t.Error("bad operands accepted")
		}
	}
}
