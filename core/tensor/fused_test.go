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

// TestBatchNormKernels checks the fused statistics, affine and gradient
// kernels against plain loops over the definition.
func TestBatchNormKernels(t *testing.T) {
	rng := NewRNG(6, 0)
	rows, c := 37, 5
	x := rng.Normal(Float64, 2, 3, rows, c)
	g := rng.Normal(Float64, 0, 1, rows, c)
	gamma := []float64{0.5, 1, 1.5, -2, 3}
	mean, variance := BatchNormStats(x)
	for j := 0; j < c; j++ {
		var m, v float64
		for r := 0; r < rows; r++ {
			m += x.At(r*c + j)
		}
		m /= float64(rows)
		for r := 0; r < rows; r++ {
			v += (x.At(r*c+j) - m) * (x.At(r*c+j) - m)
		}
		v /= float64(rows)
		if math.Abs(mean[j]-m) > 1e-12 || math.Abs(variance[j]-v) > 1e-12 {
			t.Fatalf("channel %d: stats %v %v, want %v %v", j, mean[j], variance[j], m, v)
		}
	}
	eps := 1e-3
	dx, dgamma, dbeta := BatchNormGrad(g, x, mean, variance, gamma, eps)
	// Naive: dx_i = γ·invstd·(g_i − mean(g) − x̂_i·mean(g·x̂)).
	for j := 0; j < c; j++ {
		inv := 1 / math.Sqrt(variance[j]+eps)
		var sg, sgx float64
		for r := 0; r < rows; r++ {
			xh := (x.At(r*c+j) - mean[j]) * inv
			sg += g.At(r*c + j)
			sgx += g.At(r*c+j) * xh
		}
		if math.Abs(dbeta[j]-sg) > 1e-10 || math.Abs(dgamma[j]-sgx) > 1e-10 {
			t.Fatalf("channel %d: dβ %v dγ %v, want %v %v", j, dbeta[j], dgamma[j], sg, sgx)
		}
		for r := 0; r < rows; r++ {
			xh := (x.At(r*c+j) - mean[j]) * inv
			want := gamma[j] * inv * (g.At(r*c+j) - sg/float64(rows) - xh*sgx/float64(rows))
			if got := dx.At(r*c + j); math.Abs(got-want) > 1e-10 {
				t.Fatalf("dx[%d,%d] = %v, want %v", r, j, got, want)
			}
		}
	}
}
