package tensor

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
)

// Shapes around the parallel threshold (parGrain = 65536 elements), odd
// sizes and the broadcast patterns the row kernels special-case.
var kernelPairs = [][2][]int{
	{{257, 255}, {257, 255}},       // 65535: serial, same shape
	{{256, 257}, {256, 257}},       // 65792: parallel rows
	{{65537}, {65537}},             // one long row, split
	{{65537}, {1}},                 // scalar on the right
	{{1}, {70001}},                 // scalar on the left
	{{3, 70001}, {3, 1}},           // per-row constant
	{{3, 70001}, {70001}},          // same row, every row
	{{64, 14, 14, 64}, {64}},       // bias
	{{2, 300, 300}, {2, 1, 300}},   // middle axis stretched
	{{5, 1, 13107}, {1, 7, 13107}}, // both stretched
	{{13, 7}, {7, 13, 1}},          // small, generic strides
}

// randomWithSpecials returns normal draws with a sprinkling of exact ties,
// zeros of both signs, infinities and NaNs.
func randomWithSpecials(rng *RNG, dt DType, shape ...int) *Tensor {
	t := rng.Normal(dt, 0, 3, shape...)
	specials := []float64{0, math.Copysign(0, -1), 1, math.Inf(1), math.Inf(-1), math.NaN()}
	for i := 0; i < t.Len(); i += 97 {
		t.SetAt(i, specials[(i/97)%len(specials)])
	}
	return t
}

// sameValue reports bit-level agreement, treating all NaNs as equal.
func sameValue(a, b float64) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return a == b && math.Signbit(a) == math.Signbit(b)
}

func TestBinaryKernelsAgainstNaive(t *testing.T) {
	rng := NewRNG(7, 0)
	ops := []struct {
		name string
		fn   func(a, b *Tensor) *Tensor
		ref  func(x, y float64) float64
	}{
		{"add", Add, func(x, y float64) float64 { return x + y }},
		{"sub", Sub, func(x, y float64) float64 { return x - y }},
		{"mul", Mul, func(x, y float64) float64 { return x * y }},
		{"div", Div, func(x, y float64) float64 { return x / y }},
		{"maximum", Maximum, func(x, y float64) float64 {
			if x >= y || math.IsNaN(y) {
				return x
			}
			return y
		}},
		{"minimum", Minimum, func(x, y float64) float64 {
			if x <= y || math.IsNaN(y) {
				return x
			}
			return y
		}},
		{"greater", Greater, func(x, y float64) float64 {
			if x > y {
				return 1
			}
			return 0
		}},
		{"pow", Pow, math.Pow},
	}
	for _, dt := range []DType{Float32, Float64} {
		for _, p := range kernelPairs {
			a := randomWithSpecials(rng, dt, p[0]...)
			b := randomWithSpecials(rng, dt, p[1]...)
			shape, ia, ib := naiveIndexMaps(p[0], p[1])
			av, bv := a.Values(), b.Values()
			for _, op := range ops {
				for _, swap := range []bool{false, true} {
					x, y, ix, iy, xv, yv := a, b, ia, ib, av, bv
					if swap {
						x, y, ix, iy, xv, yv = b, a, ib, ia, bv, av
					}
					got := op.fn(x, y)
					if !slices.Equal(got.Shape(), shape) {
						t.Fatalf("%v %s %v %v: shape %v, want %v", dt, op.name, x.Shape(), y.Shape(), got.Shape(), shape)
					}
					for i := range ix {
						// For float32, the float64 result rounded once is what a
						// float32 op gives: 53 ≥ 2·24+2 bits make the double
						// rounding of + - * / exact, and Pow rounds its float64.
						want := op.ref(xv[ix[i]], yv[iy[i]])
						if dt == Float32 {
							want = float64(float32(want))
						}
						if !sameValue(got.At(i), want) {
							t.Fatalf("%v %s %v %v: element %d = %v, want %v", dt, op.name, x.Shape(), y.Shape(), i, got.At(i), want)
						}
					}
				}
			}
		}
	}
}

// naiveIndexMaps returns the broadcast shape of a and b and, for every
// output element, the flat index it reads in each, by explicit modular
// arithmetic on the multi-index.
func naiveIndexMaps(a, b []int) (shape, ia, ib []int) {
	shape, _ = BroadcastShapes(a, b)
	n := Numel(shape)
	ia, ib = make([]int, n), make([]int, n)
	idx := make([]int, len(shape))
	flatIn := func(s []int) int {
		off, f := len(shape)-len(s), 0
		for i, d := range s {
			c := idx[off+i]
			if d == 1 {
				c = 0
			}
			f = f*d + c
		}
		return f
	}
	for flat := range n {
		rem := flat
		for ax := len(shape) - 1; ax >= 0; ax-- {
			idx[ax] = rem % shape[ax]
			rem /= shape[ax]
		}
		ia[flat], ib[flat] = flatIn(a), flatIn(b)
	}
	return shape, ia, ib
}

func TestWhereAndClipAgainstNaive(t *testing.T) {
	rng := NewRNG(16, 0)
	triples := [][3][]int{
		{{256, 257}, {256, 257}, {256, 257}},
		{{64, 14, 14, 64}, {64}, {}},
		{{3, 1}, {3, 70001}, {70001}},
		{{5, 1, 7}, {1, 4, 7}, {5, 4, 1}},
	}
	for _, dt := range []DType{Float32, Float64} {
		for _, tr := range triples {
			c := Greater(rng.Normal(dt, 0, 1, tr[0]...), Scalar(dt, 0))
			a := randomWithSpecials(rng, dt, tr[1]...)
			b := randomWithSpecials(rng, dt, tr[2]...)
			got := Where(c, a, b)
			ab, _ := BroadcastShapes(tr[1], tr[2])
			shape, _ := BroadcastShapes(tr[0], ab)
			_, _, ic := naiveIndexMaps(shape, tr[0])
			_, _, ia := naiveIndexMaps(shape, tr[1])
			_, _, ib := naiveIndexMaps(shape, tr[2])
			for i := range ic {
				want := b.At(ib[i])
				if c.At(ic[i]) != 0 {
					want = a.At(ia[i])
				}
				if !sameValue(got.At(i), want) {
					t.Fatalf("%v where %v: element %d = %v, want %v", dt, tr, i, got.At(i), want)
				}
			}
		}
		x := randomWithSpecials(rng, dt, 70001)
		got := Clip(x, -0.3, 1.7)
		for i := range x.Len() {
			want := math.Min(math.Max(x.At(i), -0.3), 1.7)
			if dt == Float32 {
				want = float64(float32(want))
			}
			if !sameValue(got.At(i), want) {
				t.Fatalf("%v clip(%v) = %v, want %v", dt, x.At(i), got.At(i), want)
			}
		}
	}
}

func TestAddInPlaceAgainstNaive(t *testing.T) {
	rng := NewRNG(8, 0)
	for _, dt := range []DType{Float32, Float64} {
		for _, p := range kernelPairs {
			shape, _ := BroadcastShapes(p[0], p[1])
			if !SameShape(shape, p[0]) {
				continue
			}
			a := rng.Normal(dt, 0, 1, p[0]...)
			b := rng.Normal(dt, 0, 1, p[1]...)
			want, _ := naiveBroadcast(a, b, func(x, y float64) float64 { return x + y })
			a.AddInPlace(b)
			want = want.AsType(dt)
			for i := 0; i < want.Len(); i++ {
				if a.At(i) != want.At(i) {
					t.Fatalf("%v %v += %v: element %d = %v, want %v", dt, p[0], p[1], i, a.At(i), want.At(i))
				}
			}
		}
	}
}

func TestUnaryKernelsAgainstMath(t *testing.T) {
	rng := NewRNG(9, 0)
	step := func(v float64) float64 {
		if v > 0 {
			return 1
		}
		return 0
	}
	ops := []struct {
		name   string
		fn     func(*Tensor) *Tensor
		ref    func(float64) float64
		approx bool // float32 may differ from the rounded reference by 1 ulp
	}{
		{"neg", Neg, func(v float64) float64 { return -v }, false},
		{"abs", Abs, math.Abs, false},
		{"square", Square, func(v float64) float64 { return v * v }, false},
		{"sqrt", Sqrt, math.Sqrt, false},
		{"scale", func(t *Tensor) *Tensor { return Scale(t, 0.25) }, func(v float64) float64 { return 0.25 * v }, false},
		{"add_scalar", func(t *Tensor) *Tensor { return AddScalar(t, 0.5) }, func(v float64) float64 { return v + 0.5 }, false},
		{"relu", Relu, func(v float64) float64 {
			if v > 0 {
				return v
			}
			return 0 // +0 for -0 and NaN too
		}, false},
		{"sign", Sign, func(v float64) float64 { return step(v) - step(-v) }, false},
		{"step", StepPositive, step, false},
		{"leaky_mask", func(t *Tensor) *Tensor { return LeakyMask(t, 0.2) }, func(v float64) float64 { return 0.2 + 0.8*step(v) }, false},
		{"pow", func(t *Tensor) *Tensor { return PowScalar(t, 1.5) }, func(v float64) float64 { return math.Pow(v, 1.5) }, false},
		{"exp", Exp, math.Exp, true},
		{"log", Log, math.Log, true},
		{"tanh", Tanh, math.Tanh, true},
		{"sigmoid", Sigmoid, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }, true},
		{"softplus", Softplus, func(v float64) float64 { return math.Max(v, 0) + math.Log1p(math.Exp(-math.Abs(v))) }, true},
		{"elu", func(t *Tensor) *Tensor { return Elu(t, 1.5) }, func(v float64) float64 {
			if v > 0 {
				return v
			}
			return 1.5 * math.Expm1(v)
		}, true},
	}
	for _, dt := range []DType{Float32, Float64} {
		for _, n := range []int{1, 65535, 65536, 65537, 200003} {
			x := randomWithSpecials(rng, dt, n)
			for _, op := range ops {
				got := op.fn(x)
				for i := range n {
					v := x.At(i)
					want, g := op.ref(v), got.At(i)
					ok := sameValue(g, want)
					switch {
					case dt == Float32:
						w32 := float64(float32(want))
						ok = sameValue(g, w32) || (op.approx && math.Abs(g-want) <= ulp32(want))
					case op.approx && !ok:
						ok = math.Abs(g-want) <= 1e-15*math.Abs(want) // closed forms vs math's
					}
					if !ok {
						t.Fatalf("%v %s(%v) = %v, want %v (n=%d, i=%d)", dt, op.name, v, g, want, n, i)
					}
				}
			}
		}
	}
}

// naiveSum sums t over axes in float64 by mapping every input index to its
// output index; it also returns the sum of |x| per output for tolerances.
func naiveSum(t *Tensor, axes []int) (sum, abs []float64) {
	shape := t.Shape()
	keep := ReducedShape(shape, axes, true)
	sum = make([]float64, Numel(keep))
	abs = make([]float64, len(sum))
	idx := make([]int, len(shape))
	for flat := range t.Len() {
		rem := flat
		for ax := len(shape) - 1; ax >= 0; ax-- {
			idx[ax] = rem % shape[ax]
			rem /= shape[ax]
		}
		o := 0
		for ax, d := range keep {
			c := idx[ax]
			if d == 1 {
				c = 0
			}
			o = o*d + c
		}
		sum[o] += t.At(flat)
		abs[o] += math.Abs(t.At(flat))
	}
	return sum, abs
}

var reduceCases = []struct {
	shape []int
	axes  []int
}{
	{[]int{64, 14, 14, 64}, []int{0, 1, 2}}, // batch-norm / bias gradient
	{[]int{64, 14, 14, 64}, []int{1, 2}},
	{[]int{64, 14, 14, 64}, []int{0, 2}},
	{[]int{64, 14, 14, 64}, []int{3}},
	{[]int{64, 14, 14, 64}, nil},
	{[]int{3, 70001}, []int{0}},
	{[]int{3, 70001}, []int{1}},
	{[]int{70001}, nil},
	{[]int{65535}, nil},
	{[]int{2, 300, 300}, []int{0}},
	{[]int{2, 300, 300}, []int{0, 2}},
	{[]int{2, 300, 300}, []int{1}},
	{[]int{40000, 3}, []int{0}},
	{[]int{7, 5}, []int{0}},
}

func TestSumKernelsAgainstNaive(t *testing.T) {
	rng := NewRNG(10, 0)
	for _, dt := range []DType{Float32, Float64} {
		// float32 sums carry float32 rounding: per element about 2⁻²⁴ of the
		// running total, bounded here by len·eps·Σ|x| with generous slack.
		eps := 1e-15
		if dt == Float32 {
			eps = 1e-7
		}
		for _, c := range reduceCases {
			x := rng.Normal(dt, 0, 1, c.shape...)
			got := Sum(x, c.axes, true)
			want, abs := naiveSum(x, NormAxes("sum", c.axes, len(c.shape)))
			if !slices.Equal(got.Shape(), ReducedShape(c.shape, NormAxes("sum", c.axes, len(c.shape)), true)) {
				t.Fatalf("%v sum %v over %v: shape %v", dt, c.shape, c.axes, got.Shape())
			}
			n := float64(x.Len() / len(want))
			for i := range want {
				if d := math.Abs(got.At(i) - want[i]); d > eps*math.Sqrt(n)*abs[i]+1e-300 {
					t.Fatalf("%v sum %v over %v: element %d = %v, want %v (|diff| %g)", dt, c.shape, c.axes, i, got.At(i), want[i], d)
				}
			}
		}
	}
}

func TestMaxMinIndexAgainstNaive(t *testing.T) {
	rng := NewRNG(11, 0)
	for _, dt := range []DType{Float32, Float64} {
		for _, c := range reduceCases {
			// Rounded values give ties: the first index must win.
			x := Scale(rng.Normal(Float64, 0, 1, c.shape...), 8)
			for i := range x.Len() {
				x.SetAt(i, math.Round(x.At(i)))
			}
			x = x.AsType(dt)
			ax := NormAxes("max", c.axes, len(c.shape))
			for _, isMax := range []bool{true, false} {
				var got *Tensor
				var idx []int
				if isMax {
					got, idx = MaxIndex(x, c.axes, true)
				} else {
					got, idx = MinIndex(x, c.axes, true)
				}
				want, wantIdx := naiveArgExt(x, ax, isMax)
				for i := range want {
					if got.At(i) != want[i] || idx[i] != wantIdx[i] {
						t.Fatalf("%v max=%v %v over %v: element %d = %v at %d, want %v at %d",
							dt, isMax, c.shape, c.axes, i, got.At(i), idx[i], want[i], wantIdx[i])
					}
				}
			}
		}
	}
}

// naiveArgExt finds the first max (or min) over axes by scanning the input
// in flat order.
func naiveArgExt(t *Tensor, axes []int, isMax bool) ([]float64, []int) {
	shape := t.Shape()
	keep := ReducedShape(shape, axes, true)
	val := make([]float64, Numel(keep))
	at := make([]int, len(val))
	for i := range at {
		at[i] = -1
	}
	idx := make([]int, len(shape))
	for flat := range t.Len() {
		rem := flat
		for ax := len(shape) - 1; ax >= 0; ax-- {
			idx[ax] = rem % shape[ax]
			rem /= shape[ax]
		}
		o := 0
		for ax, d := range keep {
			c := idx[ax]
			if d == 1 {
				c = 0
			}
			o = o*d + c
		}
		v := t.At(flat)
		if at[o] < 0 || (isMax && v > val[o]) || (!isMax && v < val[o]) {
			val[o], at[o] = v, flat
		}
	}
	return val, at
}

// TestSumDeterministic checks that sums are bit-identical from run to run
// and whatever GOMAXPROCS is: blocks are fixed by size, not by workers.
func TestSumDeterministic(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := NewRNG(12, 0)
	for _, dt := range []DType{Float32, Float64} {
		for _, c := range reduceCases {
			x := rng.Normal(dt, 0, 1, c.shape...)
			var first []float64
			for _, procs := range []int{1, 2, 3, 8, 2} {
				runtime.GOMAXPROCS(procs)
				got := Sum(x, c.axes, false).Values()
				if first == nil {
					first = got
					continue
				}
				for i := range got {
					if math.Float64bits(got[i]) != math.Float64bits(first[i]) {
						t.Fatalf("%v sum %v over %v with %d procs: element %d = %v, first run %v",
							dt, c.shape, c.axes, procs, i, got[i], first[i])
					}
				}
			}
		}
	}
}

func TestGatherScatterLarge(t *testing.T) {
	rng := NewRNG(13, 0)
	for _, dt := range []DType{Float32, Float64} {
		x := rng.Normal(dt, 0, 1, 300, 401)
		idx := make([]int, 200003)
		for i := range idx {
			idx[i] = rng.IntN(x.Len())
		}
		g := Gather(x, idx, len(idx))
		for i, j := range idx {
			if g.At(i) != x.At(j) {
				t.Fatalf("%v gather element %d = %v, want x[%d] = %v", dt, i, g.At(i), j, x.At(j))
			}
		}
		s := ScatterAdd(g, idx, 300, 401)
		want := make([]float64, x.Len())
		for i, j := range idx {
			want[j] += g.At(i)
		}
		for j := range want {
			if d := math.Abs(s.At(j) - want[j]); d > 1e-5*math.Abs(want[j]) {
				t.Fatalf("%v scatter element %d = %v, want %v", dt, j, s.At(j), want[j])
			}
		}
	}
}

func TestBernoulliMean(t *testing.T) {
	const n = 200001
	for _, dt := range []DType{Float32, Float64} {
		for _, p := range []float64{0, 1e-3, 0.3, 0.5, 0.7, 1, -0.5, 2} {
			x := NewRNG(14, 1).Bernoulli(dt, p, n)
			ones := 0.0
			for i := range n {
				v := x.At(i)
				if v != 0 && v != 1 {
					t.Fatalf("%v p=%v: element %d = %v", dt, p, i, v)
				}
				ones += v
			}
			q := min(max(p, 0), 1)
			// Four standard deviations of the binomial count.
			if tol := 4*math.Sqrt(n*q*(1-q)) + 1e-9; math.Abs(ones-n*q) > tol {
				t.Errorf("%v p=%v: %v ones in %d, want %v ± %.0f", dt, p, ones, n, n*q, tol)
			}
			y := NewRNG(14, 1).Bernoulli(dt, p, n)
			if !slices.Equal(x.Values(), y.Values()) {
				t.Errorf("%v p=%v: same seed gave different draws", dt, p)
			}
		}
	}
}

// TestRandomFillsFollowStream pins Normal, TruncatedNormal and Uniform to
// the scalar draws of the same stream, so their sequences stay what they
// were before the fills wrote straight into the slice.
func TestRandomFillsFollowStream(t *testing.T) {
	for _, dt := range []DType{Float32, Float64} {
		for _, kind := range []string{"normal", "truncated", "uniform"} {
			a, b := NewRNG(15, 2), NewRNG(15, 2)
			var got *Tensor
			switch kind {
			case "normal":
				got = a.Normal(dt, 1, 2, 1001)
			case "truncated":
				got = a.TruncatedNormal(dt, 1, 2, 1001)
			default:
				got = a.Uniform(dt, -3, 5, 1001)
			}
			for i := range got.Len() {
				var want float64
				switch kind {
				case "normal":
					want = 1 + 2*b.NormFloat64()
				case "truncated":
					z := b.NormFloat64()
					for math.Abs(z) > 2 {
						z = b.NormFloat64()
					}
					want = 1 + 2*z
				default:
					want = -3 + 8*b.Float64()
				}
				if dt == Float32 {
					want = float64(float32(want))
				}
				if got.At(i) != want {
					t.Fatalf("%v %s element %d = %v, want %v", dt, kind, i, got.At(i), want)
				}
			}
			if a.Uint64() != b.Uint64() {
				t.Errorf("%v %s: streams out of step after the fill", dt, kind)
			}
		}
	}
}

func TestParallelForCoversRange(t *testing.T) {
	for _, c := range []struct{ n, grain int }{{0, 1}, {1, 1}, {10, 3}, {1000, 7}, {65537, parGrain}, {1 << 20, parGrain}} {
		hits := make([]int, c.n)
		parallelFor(c.n, c.grain, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				hits[i]++
			}
		})
		for i, h := range hits {
			if h != 1 {
				t.Fatalf("n=%d grain=%d: index %d visited %d times", c.n, c.grain, i, h)
			}
		}
	}
	err := Catch(func() {
		parallelFor(1<<20, 1, func(lo, hi int) {
			if lo == 0 {
				panic(errorf("test", "boom %s", fmt.Sprint(lo)))
			}
		})
	})
	if err == nil || err.Error() != "test: boom 0" {
		t.Errorf("panic in a worker: error %v", err)
	}
}

// dcganShape is a typical DCGAN activation (batch 64, 14x14, 64 channels):
// 802816 float32 elements, 3.2 MB, so every kernel pass is memory-bound.
var dcganShape = []int{64, 14, 14, 64}

func benchUnary(b *testing.B, f func(*Tensor) *Tensor) {
	x := NewRNG(1, 0).Normal(Float32, 0, 2, dcganShape...)
	b.SetBytes(int64(4 * x.Len()))
	for b.Loop() {
		f(x)
	}
}

func BenchmarkUnaryTanh(b *testing.B)    { benchUnary(b, Tanh) }
func BenchmarkUnarySigmoid(b *testing.B) { benchUnary(b, Sigmoid) }
func BenchmarkUnaryExp(b *testing.B)     { benchUnary(b, Exp) }
func BenchmarkUnaryLeakyMask(b *testing.B) {
	benchUnary(b, func(t *Tensor) *Tensor { return LeakyMask(t, 0.2) })
}
func BenchmarkUnaryScale(b *testing.B) {
	benchUnary(b, func(t *Tensor) *Tensor { return Scale(t, 0.5) })
}

func BenchmarkBinaryMulSame(b *testing.B) {
	rng := NewRNG(1, 0)
	x := rng.Normal(Float32, 0, 1, dcganShape...)
	y := rng.Normal(Float32, 0, 1, dcganShape...)
	b.SetBytes(int64(4 * x.Len()))
	for b.Loop() {
		Mul(x, y)
	}
}

func BenchmarkBinaryMulBias(b *testing.B) {
	rng := NewRNG(1, 0)
	x := rng.Normal(Float32, 0, 1, dcganShape...)
	y := rng.Normal(Float32, 0, 1, 64)
	b.SetBytes(int64(4 * x.Len()))
	for b.Loop() {
		Mul(x, y)
	}
}

func BenchmarkSumAll(b *testing.B) { benchSum(b, dcganShape, nil) }

func BenchmarkBernoulli(b *testing.B) {
	rng := NewRNG(1, 0)
	b.SetBytes(int64(4 * Numel(dcganShape)))
	for b.Loop() {
		rng.Bernoulli(Float32, 0.7, dcganShape...)
	}
}

func BenchmarkNormal(b *testing.B) {
	rng := NewRNG(1, 0)
	b.SetBytes(int64(4 * Numel(dcganShape)))
	for b.Loop() {
		rng.Normal(Float32, 0, 1, dcganShape...)
	}
}

func BenchmarkUniform(b *testing.B) {
	rng := NewRNG(1, 0)
	b.SetBytes(int64(4 * Numel(dcganShape)))
	for b.Loop() {
		rng.Uniform(Float32, -1, 1, dcganShape...)
	}
}
