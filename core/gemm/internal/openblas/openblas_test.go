//go:build openblas && cgo

package openblas

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ganlab/ganlab/core/gemm"
)

func TestAgreesWithGemm(t *testing.T) {
	for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
		const m, n, k = 67, 45, 300
		rng := rand.New(rand.NewPCG(1, 1))
		a, b := make([]float32, m*k), make([]float32, k*n)
		for i := range a {
			a[i] = rng.Float32()*2 - 1
		}
		for i := range b {
			b[i] = rng.Float32()*2 - 1
		}
		lda, ldb := k, n
		if tr[0] {
			lda = m
		}
		if tr[1] {
			ldb = k
		}
		c1, c2 := make([]float32, m*n), make([]float32, m*n)
		gemm.Sgemm(tr[0], tr[1], m, n, k, 1, a, lda, b, ldb, 0, c1, n)
		SgemmOpenBLAS(tr[0], tr[1], m, n, k, 1, a, lda, b, ldb, 0, c2, n)
		for i := range c1 {
			if math.Abs(float64(c1[i]-c2[i])) > 1e-3 {
				t.Fatalf("trans %v: c[%d] = %v (gemm) vs %v (OpenBLAS)", tr, i, c1[i], c2[i])
			}
		}
	}
}

func bench(b *testing.B, transA, transB bool, m, n, k int) {
	rng := rand.New(rand.NewPCG(42, 42))
	x, y, z := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range x {
		x[i] = rng.Float32()
	}
	for i := range y {
		y[i] = rng.Float32()
	}
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	for b.Loop() {
		SgemmOpenBLAS(transA, transB, m, n, k, 1, x, lda, y, ldb, 0, z, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// Same shapes as package gemm's benchmarks.
func BenchmarkOpenBLAS1024NN(b *testing.B)          { bench(b, false, false, 1024, 1024, 1024) }
func BenchmarkOpenBLASConv1(b *testing.B)           { bench(b, false, false, 12544, 64, 16) }
func BenchmarkOpenBLASConv2(b *testing.B)           { bench(b, false, false, 3136, 128, 1024) }
func BenchmarkOpenBLASConv2DataGrad(b *testing.B)   { bench(b, false, true, 3136, 1024, 128) }
func BenchmarkOpenBLASConv2WeightGrad(b *testing.B) { bench(b, true, false, 1024, 128, 3136) }
func BenchmarkOpenBLAS64Conv1(b *testing.B)         { bench(b, false, false, 131072, 128, 27) }
func BenchmarkOpenBLAS64Conv2(b *testing.B)         { bench(b, false, false, 32768, 256, 1152) }
func BenchmarkOpenBLAS64Conv4(b *testing.B)         { bench(b, false, false, 2048, 1024, 4608) }
