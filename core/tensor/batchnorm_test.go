package tensor

import (
	"fmt"
	"math"
	"testing"
)

// TestBatchNormKernels checks the fused statistics, affine and gradient
// kernels against plain loops over the definition, on sizes that fit one
// summation block and sizes that are cut into several (parallel) blocks.
func TestBatchNormKernels(t *testing.T) {
	for _, tc := range []struct{ rows, c int }{{37, 5}, {9001, 3}, {4099, 7}, {1, 4}} {
		t.Run(fmt.Sprintf("%dx%d", tc.rows, tc.c), func(t *testing.T) { checkBatchNormKernels(t, tc.rows, tc.c) })
	}
}

func checkBatchNormKernels(t *testing.T, rows, c int) {
	rng := NewRNG(6, 0)
	x := rng.Normal(Float64, 2, 3, rows, c)
	g := rng.Normal(Float64, 0, 1, rows, c)
	gamma := make([]float64, c)
	for j := range gamma {
		gamma[j] = 0.5 + float64(j) - 2*float64(j%2)
	}
	near := func(a, b, tol float64) bool { return math.Abs(a-b) <= tol*(1+math.Abs(b)) }
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
		if !near(mean[j], m, 1e-12) || !near(variance[j], v, 1e-12) {
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
		if !near(dbeta[j], sg, 1e-10) || !near(dgamma[j], sgx, 1e-10) {
			t.Fatalf("channel %d: dβ %v dγ %v, want %v %v", j, dbeta[j], dgamma[j], sg, sgx)
		}
		for r := 0; r < rows; r++ {
			xh := (x.At(r*c+j) - mean[j]) * inv
			want := gamma[j] * inv * (g.At(r*c+j) - sg/float64(rows) - xh*sgx/float64(rows))
			if got := dx.At(r*c + j); !near(got, want, 1e-9) {
				t.Fatalf("dx[%d,%d] = %v, want %v", r, j, got, want)
			}
		}
	}
}
