package tensor

import (
	"math"
	"slices"
	"testing"
)

// naiveBroadcast computes a op b by mapping every output index back to each
// input with explicit modular arithmetic.
func naiveBroadcast(a, b *Tensor, f func(x, y float64) float64) (*Tensor, bool) {
	shape, ok := BroadcastShapes(a.Shape(), b.Shape())
	if !ok {
		return nil, false
	}
	out := New(Float64, shape...)
	read := func(t *Tensor, idx []int) float64 {
		s := t.Shape()
		off := len(shape) - len(s)
		flat := 0
		for i, d := range s {
			c := idx[off+i]
			if d == 1 {
				c = 0
			}
			flat = flat*d + c
		}
		return t.At(flat)
	}
	idx := make([]int, len(shape))
	for flat := 0; flat < out.Len(); flat++ {
		rem := flat
		for ax := len(shape) - 1; ax >= 0; ax-- {
			idx[ax] = rem % shape[ax]
			rem /= shape[ax]
		}
		out.SetAt(flat, f(read(a, idx), read(b, idx)))
	}
	return out, true
}

func TestBinaryBroadcastAgainstNaive(t *testing.T) {
	rng := NewRNG(3, 0)
	pairs := [][2][]int{
		{{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{2, 3}, {2, 1}}, {{1, 3}, {2, 1}},
		{{4, 1, 3}, {5, 1}}, {{2, 3, 4, 5}, {3, 1, 5}}, {{}, {2, 2}}, {{3, 1, 1}, {1, 2, 2}},
		{{64, 7, 7, 128}, {128}}, {{1}, {7}},
	}
	ops := []struct {
		name string
		fn   func(a, b *Tensor) *Tensor
		ref  func(x, y float64) float64
	}{
		{"add", Add, func(x, y float64) float64 { return x + y }},
		{"sub", Sub, func(x, y float64) float64 { return x - y }},
		{"mul", Mul, func(x, y float64) float64 { return x * y }},
		{"div", Div, func(x, y float64) float64 { return x / y }},
		{"maximum", Maximum, math.Max},
		{"minimum", Minimum, math.Min},
	}
	for _, p := range pairs {
		a := rng.Normal(Float64, 0, 1, p[0]...)
		b := rng.Uniform(Float64, 0.5, 2, p[1]...)
		for _, op := range ops {
			for _, swap := range []bool{false, true} {
				x, y := a, b
				if swap {
					x, y = b, a
				}
				want, _ := naiveBroadcast(x, y, op.ref)
				got := op.fn(x, y)
				if !slices.Equal(got.Shape(), want.Shape()) {
					t.Fatalf("%s %v %v: shape %v, want %v", op.name, x.Shape(), y.Shape(), got.Shape(), want.Shape())
				}
				for i := 0; i < want.Len(); i++ {
					if got.At(i) != want.At(i) {
						t.Fatalf("%s %v %v: element %d = %v, want %v", op.name, x.Shape(), y.Shape(), i, got.At(i), want.At(i))
					}
				}
			}
		}
	}
}

func TestBroadcastErrors(t *testing.T) {
	err := Catch(func() { Add(New(Float32, 2, 3), New(Float32, 4)) })
	if err == nil || err.Error() != "add: shapes [2 3] and [4] do not broadcast" {
		t.Errorf("error = %v", err)
	}
	if err := Catch(func() { Mul(New(Float32, 2), New(Float64, 2)) }); err == nil {
		t.Error("dtype mismatch accepted")
	}
}

func TestUnaryClosedForms(t *testing.T) {
	x := FromFloat64([]float64{-800, -2, -0.5, 0, 0.5, 2, 800}, 7)
	cases := []struct {
		name string
		got  *Tensor
		ref  func(float64) float64
	}{
		{"sigmoid", Sigmoid(x), func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
		{"softplus", Softplus(x), func(v float64) float64 {
			if v > 30 {
				return v
			}
			return math.Log(1 + math.Exp(v))
		}},
		{"tanh", Tanh(x), math.Tanh},
		{"relu", Relu(x), func(v float64) float64 { return math.Max(v, 0) }},
		{"elu", Elu(x, 1), func(v float64) float64 {
			if v > 0 {
				return v
			}
			return math.Exp(v) - 1
		}},
		{"leaky_mask", LeakyMask(x, 0.2), func(v float64) float64 {
			if v > 0 {
				return 1
			}
			return 0.2
		}},
	}
	for _, c := range cases {
		for i := 0; i < x.Len(); i++ {
			want := c.ref(x.At(i))
			if got := c.got.At(i); math.IsNaN(got) || math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("%s(%v) = %v, want %v", c.name, x.At(i), got, want)
			}
		}
	}
}

func BenchmarkAddBias(b *testing.B) {
	rng := NewRNG(1, 0)
	x := rng.Normal(Float32, 0, 1, 64, 14, 14, 64)
	bias := rng.Normal(Float32, 0, 1, 64)
	b.SetBytes(int64(4 * x.Len()))
	for b.Loop() {
		Add(x, bias)
	}
}
