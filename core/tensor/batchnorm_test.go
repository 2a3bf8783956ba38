package tensor

import (
	"fmt"
	"math"
	"runtime"
	"testing"
)

// near reports whether got is within tol of want, relative to 1 + |want|.
func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol*(1+math.Abs(want)) }

// TestBatchNormKernels checks the fused statistics, affine and gradient
// kernels against plain loops over the definition, on sizes that fit one
// summation block and sizes that are cut into several (parallel) blocks,
// in both dtypes.
func TestBatchNormKernels(t *testing.T) {
	for _, tc := range []struct {
		dtype   DType
		rows, c int
	}{
		{Float64, 37, 5}, {Float64, 9001, 3}, {Float64, 4099, 7}, {Float64, 1, 4},
		{Float32, 37, 5}, {Float32, 1000, 3}, {Float32, 64, 6272}, {Float32, 12544, 64}, {Float32, 3, 1},
	} {
		t.Run(fmt.Sprintf("%v/%dx%d", tc.dtype, tc.rows, tc.c), func(t *testing.T) {
			checkBatchNormKernels(t, tc.dtype, tc.rows, tc.c)
		})
	}
}

func checkBatchNormKernels(t *testing.T, dtype DType, rows, c int) {
	rng := NewRNG(6, 0)
	x := rng.Normal(dtype, 2, 3, rows, c)
	g := rng.Normal(dtype, 0, 1, rows, c)
	xv, gv := x.Values(), g.Values()
	gamma := make([]float64, c)
	for j := range gamma {
		gamma[j] = 0.5 + float64(j) - 2*float64(j%2)
	}
	mean, variance := BatchNormStats(x)
	wantMean, wantVar := refStats(xv, rows, c)
	for j := range c {
		if !near(mean[j], wantMean[j], 1e-12) || !near(variance[j], wantVar[j], 1e-12) {
			t.Fatalf("channel %d: stats %v %v, want %v %v", j, mean[j], variance[j], wantMean[j], wantVar[j])
		}
	}
	eps := 1e-3
	dxTol := 1e-9 // dx is computed in the data's precision
	if dtype == Float32 {
		dxTol = 1e-4
	}
	dx, dgamma, dbeta := BatchNormGrad(g, x, mean, variance, gamma, eps)
	dxv := dx.Values()
	// Naive: dx_i = γ·invstd·(g_i − mean(g) − x̂_i·mean(g·x̂)).
	for j := range c {
		inv := 1 / math.Sqrt(variance[j]+eps)
		var sg, sgx, sabs float64
		for r := range rows {
			xh := (xv[r*c+j] - mean[j]) * inv
			sg += gv[r*c+j]
			sgx += gv[r*c+j] * xh
			sabs += math.Abs(gv[r*c+j]) * (1 + math.Abs(xh))
		}
		// The sums cancel; their rounding error scales with Σ|terms|.
		if tol := 1e-13 * sabs; math.Abs(dbeta[j]-sg) > tol || math.Abs(dgamma[j]-sgx) > tol {
			t.Fatalf("channel %d: dβ %v dγ %v, want %v %v", j, dbeta[j], dgamma[j], sg, sgx)
		}
		for r := range rows {
			xh := (xv[r*c+j] - mean[j]) * inv
			want := gamma[j] * inv * (gv[r*c+j] - sg/float64(rows) - xh*sgx/float64(rows))
			if got := dxv[r*c+j]; !near(got, want, dxTol) {
				t.Fatalf("dx[%d,%d] = %v, want %v", r, j, got, want)
			}
		}
	}
}

// refStats is the naive two-pass reference in float64: the mean, then the
// mean squared deviation from it, row after row.
func refStats(x []float64, rows, c int) (mean, variance []float64) {
	mean, variance = make([]float64, c), make([]float64, c)
	for r := range rows {
		for j := range c {
			mean[j] += x[r*c+j]
		}
	}
	for j := range c {
		mean[j] /= float64(rows)
	}
	for r := range rows {
		for j := range c {
			d := x[r*c+j] - mean[j]
			variance[j] += d * d
		}
	}
	for j := range c {
		variance[j] /= float64(rows)
	}
	return mean, variance
}

// TestBatchNormStatsAccuracy compares the blocked statistics with the
// naive two-pass reference on odd and real shapes, on ordinary data and
// on data whose mean dwarfs its spread (mean 1e4, std 1e-2: in float32
// the spread is a few ulps, and a one-pass Σx²−nμ² would lose every
// digit).
func TestBatchNormStatsAccuracy(t *testing.T) {
	type tc struct {
		dtype       DType
		rows, c     int
		mean, std   float64
		meanTol, vt float64
	}
	var cases []tc
	for _, rows := range []int{1, 3, 1000, 12544} {
		for _, c := range []int{1, 3, 64, 6272} {
			if rows*c <= 1<<23 {
				cases = append(cases, tc{Float32, rows, c, 2, 3, 1e-12, 1e-12})
			}
		}
	}
	for _, s := range [][2]int{{12544, 64}, {64, 6272}, {1000, 3}, {3, 1}, {20000, 1}} {
		cases = append(cases, tc{Float32, s[0], s[1], 1e4, 1e-2, 1e-12, 1e-6},
			tc{Float64, s[0], s[1], 1e4, 1e-2, 1e-12, 1e-6}, tc{Float64, s[0], s[1], -1, 5, 1e-12, 1e-12})
	}
	for i, tc := range cases {
		x := NewRNG(uint64(7+i), 0).Normal(tc.dtype, tc.mean, tc.std, tc.rows, tc.c)
		mean, variance := BatchNormStats(x)
		wantMean, wantVar := refStats(x.Values(), tc.rows, tc.c)
		for j := range tc.c {
			// Relative to the variance itself: near's 1+|want| would hide
			// a variance of 1e-4 wholly lost.
			dv := math.Abs(variance[j] - wantVar[j])
			if !near(mean[j], wantMean[j], tc.meanTol) || dv > tc.vt*wantVar[j] && dv > 1e-300 {
				t.Fatalf("case %d %v %dx%d mean %g std %g, channel %d: got %v %v, want %v %v",
					i, tc.dtype, tc.rows, tc.c, tc.mean, tc.std, j, mean[j], variance[j], wantMean[j], wantVar[j])
			}
		}
	}
}

// TestBatchNormDeterministic checks that the statistics and gradients are
// the same bits whatever GOMAXPROCS is: block boundaries and merge order
// come from the shape only.
func TestBatchNormDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, s := range [][2]int{{12544, 64}, {64, 6272}, {1000, 3}, {3000, 200}, {5, 7}} {
		for _, dtype := range []DType{Float32, Float64} {
			rng := NewRNG(9, 0)
			x := rng.Normal(dtype, 1, 2, s[0], s[1])
			g := rng.Normal(dtype, 0, 1, s[0], s[1])
			var want []uint64
			for _, procs := range []int{1, 2, 3} {
				runtime.GOMAXPROCS(procs)
				mean, variance := BatchNormStats(x)
				dx, dgamma, dbeta := BatchNormGrad(g, x, mean, variance, nil, 1e-3)
				got := bitsOf(mean, variance, dgamma, dbeta, dx.Values())
				if want == nil {
					want = got
					continue
				}
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%v %dx%d GOMAXPROCS %d: value %d is %#016x, with 1 it was %#016x",
							dtype, s[0], s[1], procs, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestBatchNormOutputsOverwriteReusedStorage fills the pools with NaN
// buffers of the outputs' length and checks that BatchNormApply and
// BatchNormGrad, which take their outputs uncleared (newOutput), still
// give the bits they give on fresh storage.
func TestBatchNormOutputsOverwriteReusedStorage(t *testing.T) {
	rng := NewRNG(10, 0)
	for _, s := range [][2]int{{64, 6272}, {12544, 64}, {700, 37}} {
		x := rng.Normal(Float32, 1, 2, s[0], s[1])
		g := rng.Normal(Float32, 0, 1, s[0], s[1])
		mean, variance := BatchNormStats(x)
		a, b := make([]float64, s[1]), make([]float64, s[1])
		for j := range a {
			a[j], b[j] = 1+float64(j%5), float64(j%3)
		}
		grad := func() *Tensor { dx, _, _ := BatchNormGrad(g, x, mean, variance, a, 1e-3); return dx }
		for _, op := range []struct {
			name string
			fn   func() *Tensor
		}{{"apply", func() *Tensor { return BatchNormApply(x, a, b) }}, {"grad", grad}} {
			want := op.fn()
			for range 4 {
				recycle(Full(Float32, math.NaN(), s[0], s[1]))
			}
			sameBits(t, fmt.Sprintf("%s %dx%d", op.name, s[0], s[1]), op.fn(), want)
		}
	}
}

// bitsOf concatenates the bit patterns of vs.
func bitsOf(vs ...[]float64) []uint64 {
	var out []uint64
	for _, v := range vs {
		for _, f := range v {
			out = append(out, math.Float64bits(f))
		}
	}
	return out
}

// TestBNColumnKernelsMatchGoLoops checks the float32 vector column kernels
// against their Go loops bit for bit, specials included, over widths that
// exercise every strip size and tail, with row padding holding NaNs (a
// kernel that read them would change its sums) and the accumulators
// followed by guard values (a kernel that wrote past w would change them).
func TestBNColumnKernelsMatchGoLoops(t *testing.T) {
	rng := NewRNG(25, 0)
	nan := math.Float32frombits(0x7fc0dead)
	for _, w := range []int{1, 3, 4, 5, 15, 16, 17, 20, 33, 128} {
		for _, rows := range []int{1, 2, 7} {
			for pad := range 3 {
				stride := w + pad
				x := vecData(rng, rows*stride)
				for r := range rows {
					for j := w; j < stride; j++ {
						x[r*stride+j] = nan
					}
				}
				x = x[:(rows-1)*stride+w]
				mean := make([]float64, w)
				for j, v := range vecData(rng, w) {
					mean[j] = float64(v)
				}
				name := fmt.Sprintf("w%d/rows%d/stride%d", w, rows, stride)
				checkColKernel(t, rng, name+"/sum", w,
					func(a []float64) bool { return colSumSIMD(a, x, rows, stride) },
					func(a []float64) { colSumLoop(a, x, rows, stride) })
				checkColKernel(t, rng, name+"/sqdev", w,
					func(a []float64) bool { return colSqDevSIMD(a, mean, x, rows, stride) },
					func(a []float64) { colSqDevLoop(a, mean, x, rows, stride) })
			}
		}
	}
}

// checkColKernel runs simd and ref on accumulators of w channels that
// start from the same values (specials too, as a NaN input leaves them)
// and compares the bits, the guard values after the run included.
func checkColKernel(t *testing.T, rng *RNG, name string, w int, simd func(acc []float64) bool, ref func(acc []float64)) {
	t.Helper()
	init := make([]float64, w+3)
	for j, v := range vecData(rng, w+3) {
		init[j] = float64(v)
	}
	got, want := append([]float64(nil), init...), append([]float64(nil), init...)
	if !simd(got[:w]) {
		t.Skip("no vector kernel on this CPU/build")
	}
	ref(want[:w])
	if i, ok := firstDiff64(got, want); !ok {
		t.Fatalf("%s: acc[%d] = %#016x, want %#016x", name, i, math.Float64bits(got[i]), math.Float64bits(want[i]))
	}
}

// The batch-norm shapes of the MNIST DCGAN generator, after the Dense
// layer (64 × 6272) and after the first transposed convolution (NHWC
// 64×14×14×64: 12544 × 64), and the largest of the dcgan64 workload's
// (NHWC 128×32×32×128).
var bnBenchShapes = []struct{ rows, c int }{{64, 6272}, {12544, 64}, {131072, 128}}

func BenchmarkBatchNormStats(b *testing.B) {
	for _, s := range bnBenchShapes {
		b.Run(fmt.Sprintf("%dx%d", s.rows, s.c), func(b *testing.B) { benchBatchNorm(b, s.rows, s.c, false) })
	}
}

func BenchmarkBatchNormGrad(b *testing.B) {
	for _, s := range bnBenchShapes {
		b.Run(fmt.Sprintf("%dx%d", s.rows, s.c), func(b *testing.B) { benchBatchNorm(b, s.rows, s.c, true) })
	}
}

// benchBatchNorm times BatchNormStats, or BatchNormGrad with grad set, on
// float32 rows × c data.
func benchBatchNorm(b *testing.B, rows, c int, grad bool) {
	rng := NewRNG(1, 0)
	x := rng.Normal(Float32, 0, 1, rows, c)
	g := rng.Normal(Float32, 0, 1, rows, c)
	mean, variance := BatchNormStats(x)
	b.SetBytes(int64(4 * rows * c))
	for b.Loop() {
		if grad {
			BatchNormGrad(g, x, mean, variance, nil, 1e-3)
		} else {
			BatchNormStats(x)
		}
	}
}

// TestBatchNormApplyLeakyReluMatchesTwoOps checks the fused rectifier
// against BatchNormApply then LeakyRelu, bit for bit, with row blocks that
// do not divide the parts (3 and 700 channels), in both dtypes.
func TestBatchNormApplyLeakyReluMatchesTwoOps(t *testing.T) {
	for _, dt := range []DType{Float32, Float64} {
		for _, c := range []int{3, 700} {
			rng := NewRNG(11, 3)
			x := rng.Normal(dt, 0, 1, 997, c)
			a, b := rng.Normal(Float64, 1, 0.5, c).Values(), rng.Normal(Float64, 0, 1, c).Values()
			for _, slope := range []float64{0, 0.2} {
				got := BatchNormApplyLeakyRelu(x, a, b, slope)
				want := LeakyRelu(BatchNormApply(x, a, b), slope)
				for i := range want.Len() {
					if math.Float64bits(got.At(i)) != math.Float64bits(want.At(i)) {
						t.Fatalf("%v c %d slope %g: element %d = %v, want %v", dt, c, slope, i, got.At(i), want.At(i))
					}
				}
			}
		}
	}
	if err := Catch(func() { BatchNormApplyLeakyRelu(New(Float32, 2, 2), []float64{1, 1}, []float64{0, 0}, -1) }); err == nil {
		t.Error("negative slope accepted")
	}
}
