package tensor

import (
	"math"
	"testing"
)

// TestFusedKernelsMatchChains checks each fused kernel against the chain of
// elementwise ops it replaces.
func TestFusedKernelsMatchChains(t *testing.T) {
	rng := NewRNG(4, 0)
	for _, dt := range []DType{Float32, Float64} {
		x := rng.Normal(dt, 0, 1, 3, 5, 7)
		x.SetAt(0, 0) // the gradient at 0 takes the slope, as TensorFlow
		g := rng.Normal(dt, 0, 1, 3, 5, 7)
		y := Sigmoid(x)
		th := Tanh(x)
		one := Full(dt, 1)
		cases := []struct {
			name      string
			got, want *Tensor
		}{
			{"leaky_relu", LeakyRelu(x, 0.2), Mul(x, LeakyMask(x, 0.2))},
			{"relu", LeakyRelu(x, 0), Relu(x)},
			{"leaky_relu_grad", LeakyReluGrad(g, x, 0.2), Mul(g, LeakyMask(x, 0.2))},
			{"sigmoid_grad", SigmoidGrad(g, y), Mul(g, Mul(y, Sub(one, y)))},
			{"tanh_grad", TanhGrad(g, th), Mul(g, Sub(one, Square(th)))},
		}
		for _, c := range cases {
			for i := 0; i < c.want.Len(); i++ {
				if d := math.Abs(c.got.At(i) - c.want.At(i)); d > 1e-6*math.Max(1, math.Abs(c.want.At(i))) {
					t.Fatalf("%v %s: element %d = %v, want %v", dt, c.name, i, c.got.At(i), c.want.At(i))
				}
			}
		}
	}
}

func TestDropoutMask(t *testing.T) {
	m := DropoutMask(NewRNG(1, 0), Float32, 0.3, 100001)
	kept := 0
	for i := 0; i < m.Len(); i++ {
		switch v := m.At(i); {
		case v == 0:
		case math.Abs(v-1/0.7) < 1e-6:
			kept++
		default:
			t.Fatalf("mask value %v is neither 0 nor 1/(1-rate)", v)
		}
	}
	if frac := float64(kept) / float64(m.Len()); math.Abs(frac-0.7) > 0.01 {
		t.Errorf("kept %.3f of the elements, want 0.7", frac)
	}
	a := DropoutMask(NewRNG(5, 0), Float64, 0.5, 64).Values()
	b := DropoutMask(NewRNG(5, 0), Float64, 0.5, 64).Values()
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("same seed gave different masks")
		}
	}
}
