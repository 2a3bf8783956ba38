package tensor

import (
	"fmt"
	"math"
	"testing"
)

// The vector kernels must give the Go loops' bits exactly: every test here
// runs a kernel and its Go loop on the same inputs and compares with
// math.Float32bits (Float64bits for the float64 sums), NaN payloads and
// signed zeros included. Inputs are sub-slices at offsets 0..3 so that
// nothing is aligned, and the destinations sit between guard values that
// must survive, which catches a write past n. vec_guard_linux_test.go
// checks that no read goes past n either.

// vecLengths covers the empty run, the scalar tail alone, one 8-wide block
// and its neighbours, one 32-wide block and its neighbours, and long runs
// with every kind of remainder.
var vecLengths = []int{0, 1, 7, 8, 9, 31, 32, 33, 100, 1000, 4097}

// vecSpecials are the values whose handling differs between careless
// implementations: signed zeros, infinities, NaNs with either sign and a
// payload, a subnormal and the largest finite value.
var vecSpecials = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1,
	float32(math.Inf(1)), float32(math.Inf(-1)),
	math.Float32frombits(0x7fc00000), math.Float32frombits(0xffc00000), math.Float32frombits(0x7fc00123),
	math.Float32frombits(1), math.MaxFloat32,
}

// vecGuard fills the destination outside the run; it is a signalling NaN,
// which no arithmetic produces and no input holds.
var vecGuard = math.Float32frombits(0x7fa5a5a5)

// vecData returns n normal values with about a third replaced by specials.
func vecData(rng *RNG, n int) []float32 {
	v := rng.Normal(Float32, 0, 3, n).f32
	for i := range v {
		if rng.IntN(3) == 0 {
			v[i] = vecSpecials[rng.IntN(len(vecSpecials))]
		}
	}
	return v
}

// vecInputs returns k inputs of n values each, at offset off in their
// buffers.
func vecInputs(rng *RNG, k, n, off int) [][]float32 {
	in := make([][]float32, k)
	for i := range in {
		in[i] = vecData(rng, off+n+3)[off : off+n]
	}
	return in
}

// guarded returns a buffer holding init (or guard values) at offset off,
// with guard values on both sides, and the run itself.
func guarded(init []float32, n, off int) (buf, run []float32) {
	buf = make([]float32, off+n+9)
	for i := range buf {
		buf[i] = vecGuard
	}
	run = buf[off : off+n]
	copy(run, init)
	return buf, run
}

// firstDiff reports the first index where got and want differ bitwise.
func firstDiff(got, want []float32) (int, bool) {
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			return i, false
		}
	}
	return 0, true
}

func firstDiff64(got, want []float64) (int, bool) {
	for i := range want {
		if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
			return i, false
		}
	}
	return 0, true
}

// vec1DCase is a kernel of one destination and len(in) inputs of the same
// length. inPlace starts the destination from a copy of the first input.
type vec1DCase struct {
	name    string
	inputs  int
	inPlace bool
	ref     func(dst []float32, in [][]float32)
	simd    func(dst []float32, in [][]float32) bool
}

// binCase wraps a binRow Go loop and binSIMD for one stride pattern.
// A broadcast side is passed as its single element (the inputs have spare
// capacity, so this works for n = 0 as well).
func binCase(name string, op binOp, ref func(dst, x []float32, sx int, y []float32, sy int), sx, sy int) vec1DCase {
	args := func(in [][]float32) ([]float32, []float32) {
		x, y := in[0], in[1]
		if sx == 0 {
			x = x[:1]
		}
		if sy == 0 {
			y = y[:1]
		}
		return x, y
	}
	return vec1DCase{
		name:   fmt.Sprintf("%s/%d%d", name, sx, sy),
		inputs: 2,
		ref: func(d []float32, in [][]float32) {
			x, y := args(in)
			ref(d, x, sx, y, sy)
		},
		simd: func(d []float32, in [][]float32) bool {
			x, y := args(in)
			return binSIMD(op, d, x, sx, y, sy)
		},
	}
}

func vec1DCases() []vec1DCase {
	rows := []struct {
		name string
		op   binOp
		ref  func(dst, x []float32, sx int, y []float32, sy int)
	}{
		{"add", opAdd, addRow[float32]},
		{"sub", opSub, subRow[float32]},
		{"mul", opMul, mulRow[float32]},
		{"div", opDiv, divRow[float32]},
		{"max", opMax, maxRow[float32]},
		{"min", opMin, minRow[float32]},
		{"greater", opGreater, greaterRow[float32]},
	}
	var cases []vec1DCase
	for _, r := range rows {
		for _, s := range [][2]int{{1, 1}, {1, 0}, {0, 1}} {
			cases = append(cases, binCase(r.name, r.op, r.ref, s[0], s[1]))
		}
	}
	cases = append(cases,
		vec1DCase{name: "add_into", inputs: 2, inPlace: true,
			ref:  func(d []float32, in [][]float32) { addRow(d, d, 1, in[1], 1) },
			simd: func(d []float32, in [][]float32) bool { return binSIMD(opAdd, d, d, 1, in[1], 1) }},
		vec1DCase{name: "scale_in_place", inputs: 2, inPlace: true,
			ref:  func(d []float32, in [][]float32) { mulRow(d, d, 1, in[1][:1], 0) },
			simd: func(d []float32, in [][]float32) bool { return binSIMD(opMul, d, d, 1, in[1][:1], 0) }},
	)
	for _, slope := range []float32{0.2, 0, -1.5, 1, float32(math.Inf(1))} {
		cases = append(cases,
			vec1DCase{name: fmt.Sprintf("leaky_grad/%g", slope), inputs: 2,
				ref:  func(d []float32, in [][]float32) { leakyRange(d, in[0], in[1], slope) },
				simd: func(d []float32, in [][]float32) bool { return leakySIMD(d, in[0], in[1], slope) }},
			vec1DCase{name: fmt.Sprintf("leaky/%g", slope), inputs: 1,
				ref:  func(d []float32, in [][]float32) { leakyRange(d, in[0], in[0], slope) },
				simd: func(d []float32, in [][]float32) bool { return leakySIMD(d, in[0], in[0], slope) }})
	}
	return cases
}

func TestVecKernelsMatchGoLoops(t *testing.T) {
	rng := NewRNG(21, 0)
	for _, c := range vec1DCases() {
		for _, n := range vecLengths {
			for off := range 4 {
				in := vecInputs(rng, c.inputs, n, off)
				var init []float32
				if c.inPlace {
					init = in[0]
				}
				wantBuf, want := guarded(init, n, off)
				gotBuf, got := guarded(init, n, off)
				c.ref(want, in)
				if !c.simd(got, in) {
					t.Skipf("%s: no vector kernel on this CPU/build", c.name)
				}
				if i, ok := firstDiff(gotBuf, wantBuf); !ok {
					t.Fatalf("%s n=%d off=%d: element %d = %#08x, want %#08x (inputs %v)",
						c.name, n, off, i-off, math.Float32bits(gotBuf[i]), math.Float32bits(wantBuf[i]), inputsAt(in, i-off))
				}
			}
		}
	}
}

// inputsAt lists the inputs at i, as bits, for a failure message.
func inputsAt(in [][]float32, i int) []string {
	var s []string
	for _, v := range in {
		if i >= 0 && i < len(v) {
			s = append(s, fmt.Sprintf("%#08x", math.Float32bits(v[i])))
		}
	}
	return s
}

// rowShapes are (rows, channels) pairs for the per-channel kernels: every
// vecLength as a channel count, and few channels over many rows.
func rowShapes() [][2]int {
	var s [][2]int
	for _, n := range vecLengths[1:] {
		s = append(s, [2]int{1, n}, [2]int{3, n})
	}
	for _, c := range []int{1, 2, 3, 4, 5, 8, 13, 64} {
		s = append(s, [2]int{0, c}, [2]int{37, c})
	}
	return s
}

func TestVecRowKernelsMatchGoLoops(t *testing.T) {
	rng := NewRNG(22, 0)
	for _, rc := range rowShapes() {
		rows, c := rc[0], rc[1]
		for off := range 4 {
			n := rows * c
			x := vecInputs(rng, 2, n, off)
			vecs := vecInputs(rng, 4, c, off) // a, b or scale, gm, mu, xm
			wantBuf, want := guarded(nil, n, off)
			gotBuf, got := guarded(nil, n, off)
			affineRows(want, x[0], vecs[0], vecs[1])
			if !affineSIMD(got, x[0], vecs[0], vecs[1]) {
				t.Skip("no vector kernel on this CPU/build")
			}
			if i, ok := firstDiff(gotBuf, wantBuf); !ok {
				t.Fatalf("affine %dx%d off=%d: element %d = %#08x, want %#08x", rows, c, off, i-off,
					math.Float32bits(gotBuf[i]), math.Float32bits(wantBuf[i]))
			}
			bnGradRows(want, x[0], x[1], vecs[0], vecs[1], vecs[2], vecs[3])
			bnGradSIMD(got, x[0], x[1], vecs[0], vecs[1], vecs[2], vecs[3])
			if i, ok := firstDiff(gotBuf, wantBuf); !ok {
				t.Fatalf("bn_grad %dx%d off=%d: element %d = %#08x, want %#08x", rows, c, off, i-off,
					math.Float32bits(gotBuf[i]), math.Float32bits(wantBuf[i]))
			}
			for _, r := range []*rectifier{nil, {slope: 0}, {slope: 0.2}} {
				// In place, as the convolutions call it.
				wantBuf, want = guarded(x[0], n, off)
				gotBuf, got = guarded(x[0], n, off)
				for i := range want { // addBias's Go loop
					want[i] += vecs[1][i%c]
				}
				if r != nil {
					leakyRange(want, want, want, float32(r.slope))
				}
				biasLeakySIMD(got, vecs[1], slopeOf(r), r != nil)
				if i, ok := firstDiff(gotBuf, wantBuf); !ok {
					t.Fatalf("bias+leaky %v %dx%d off=%d: element %d = %#08x, want %#08x", r, rows, c, off, i-off,
						math.Float32bits(gotBuf[i]), math.Float32bits(wantBuf[i]))
				}
			}
			// Column sums into a dst that already holds values (specials
			// included), rows read c or (where x is long enough) c+3 apart.
			for _, sx := range []int{c, c + 3} {
				if rows > 0 && (rows-1)*sx+c > len(x[1]) {
					continue
				}
				wantBuf, want = guarded(vecs[2], c, off)
				gotBuf, got = guarded(vecs[2], c, off)
				colSumsLoop(want, x[1], sx, rows)
				colSumsSIMD(got, x[1], sx, rows)
				if i, ok := firstDiff(gotBuf, wantBuf); !ok {
					t.Fatalf("col sums %dx%d sx=%d off=%d: element %d = %#08x, want %#08x", rows, c, sx, off, i-off,
						math.Float32bits(gotBuf[i]), math.Float32bits(wantBuf[i]))
				}
			}
			checkSumKernels(t, rng, rows, c, x[0], x[1])
		}
	}
}

// slopeOf is r's slope as the vector kernel takes it (0 for none).
func slopeOf(r *rectifier) float32 {
	if r == nil {
		return 0
	}
	return float32(r.slope)
}

// checkSumKernels compares the float64 channel sums, starting from
// accumulators that already hold specials (as a later block's fold does).
func checkSumKernels(t *testing.T, rng *RNG, rows, c int, g, x []float32) {
	t.Helper()
	acc64 := func() []float64 {
		v := make([]float64, c)
		for i, f := range vecData(rng, c) {
			v[i] = float64(f)
		}
		return v
	}
	mean, init, init2 := acc64(), acc64(), acc64()
	run := func(name string, ref func(a, b []float64), simd func(a, b []float64) bool) {
		want, want2 := append([]float64(nil), init...), append([]float64(nil), init2...)
		got, got2 := append([]float64(nil), init...), append([]float64(nil), init2...)
		ref(want, want2)
		simd(got, got2)
		for k, pair := range [][2][]float64{{got, want}, {got2, want2}} {
			if i, ok := firstDiff64(pair[0], pair[1]); !ok {
				t.Fatalf("%s %dx%d: acc %d[%d] = %#016x, want %#016x", name, rows, c, k, i,
					math.Float64bits(pair[0][i]), math.Float64bits(pair[1][i]))
			}
		}
	}
	run("bn_sums", func(a, b []float64) { bnSumRows(a, b, mean, g, x) },
		func(a, b []float64) bool { return bnSumsSIMD(a, b, mean, g, x) })
}

func TestVecMaskMatchesGoLoop(t *testing.T) {
	rng := NewRNG(24, 0)
	for _, rate := range []float64{0, 0.3, 0.5, 0.999, 1e-12} {
		for _, n := range vecLengths {
			for p0 := range 4 {
				seed := uint64(n)*7919 + uint64(p0)
				keep := float32(1 / (1 - rate))
				thresh := uint64(rate * (1 << 32))
				pairs := (n + 1) / 2
				wantBuf, want := guarded(nil, n, p0)
				gotBuf, got := guarded(nil, n, p0)
				maskRange(want, seed, p0, p0, p0+pairs, thresh, keep)
				done := maskSIMD(got, seed, p0, thresh, keep)
				if n >= 8 && done == 0 {
					t.Skip("no vector kernel on this CPU/build")
				}
				maskRange(got, seed, p0, p0+done/2, p0+pairs, thresh, keep)
				if i, ok := firstDiff(gotBuf, wantBuf); !ok {
					t.Fatalf("mask rate=%g n=%d p0=%d: element %d = %v, want %v", rate, n, p0, i-p0, gotBuf[i], wantBuf[i])
				}
				x := vecInputs(rng, 1, n, p0)[0]
				dropoutRange(want, x, seed, p0, p0, p0+pairs, thresh, keep)
				done = dropoutSIMD(got, x, seed, p0, thresh, keep)
				dropoutRange(got, x, seed, p0, p0+done/2, p0+pairs, thresh, keep)
				if i, ok := firstDiff(gotBuf, wantBuf); !ok {
					t.Fatalf("dropout rate=%g n=%d p0=%d: element %d = %#08x, want %#08x (x %#08x)", rate, n, p0, i-p0,
						math.Float32bits(gotBuf[i]), math.Float32bits(wantBuf[i]), math.Float32bits(x[i-p0]))
				}
			}
		}
	}
}

// TestVecDispatch checks the generic entry points: float64 and short runs
// stay on the Go loops, and a whole DropoutMask and DropoutApply are the Go
// loops' results.
func TestVecDispatch(t *testing.T) {
	d64 := make([]float64, 64)
	if vecBinRow(opAdd, d64, d64, 1, d64, 1) || vecLeaky(d64, d64, d64, 0.2) || vecMask(d64, 1, 0, 1, 1) != 0 {
		t.Fatal("float64 went to a float32 kernel")
	}
	short := make([]float32, vecMinLen-1)
	if vecBinRow(opAdd, short, short, 1, short, 1) || vecAddTo(short, short) {
		t.Fatal("a run shorter than vecMinLen went to a vector kernel")
	}
	for _, n := range []int{1, 9, 100001, 1 << 17} {
		m := DropoutMask(NewRNG(5, 0), Float32, 0.3, n)
		want := make([]float32, n)
		seed := NewRNG(5, 0).Uint64()
		rate := 0.3
		maskRange(want, seed, 0, 0, (n+1)/2, uint64(rate*(1<<32)), float32(1/(1-rate)))
		if i, ok := firstDiff(m.f32, want); !ok {
			t.Fatalf("DropoutMask n=%d: element %d = %v, want %v", n, i, m.f32[i], want[i])
		}
		x := NewRNG(6, 0).Normal(Float32, 0, 1, n)
		y := DropoutApply(x, seed, rate)
		dropoutRange(want, x.f32, seed, 0, 0, (n+1)/2, uint64(rate*(1<<32)), float32(1/(1-rate)))
		if i, ok := firstDiff(y.f32, want); !ok {
			t.Fatalf("DropoutApply n=%d: element %d = %v, want %v", n, i, y.f32[i], want[i])
		}
	}
}

// Benchmarks: each kernel's Go loop against its vector kernel on one core,
// over a 64K-element run (L2-resident) and a 64×14×14×128 activation
// (1.6M elements, memory-bound). Per-channel kernels use 64 channels.

var vecBenchSizes = []struct {
	name string
	n    int
}{{"64K", 1 << 16}, {"1.6M", 64 * 14 * 14 * 128}}

// benchVec runs the Go and the vector form of a kernel; setup returns both
// over fresh inputs of n elements and the bytes one call moves.
func benchVec(b *testing.B, setup func(n int) (goLoop, simd func(), bytes int)) {
	for _, s := range vecBenchSizes {
		goLoop, simd, bytes := setup(s.n)
		for _, impl := range []struct {
			name string
			fn   func()
		}{{"go", goLoop}, {"simd", simd}} {
			b.Run(impl.name+"/"+s.name, func(b *testing.B) {
				b.SetBytes(int64(bytes))
				for b.Loop() {
					impl.fn()
				}
			})
		}
	}
}

func benchInputs(n, k int) [][]float32 {
	rng := NewRNG(1, 0)
	in := make([][]float32, k)
	for i := range in {
		in[i] = rng.Normal(Float32, 0, 1, n).f32
	}
	return in
}

func BenchmarkVecAdd(b *testing.B) {
	benchVec(b, func(n int) (func(), func(), int) {
		in := benchInputs(n, 3)
		return func() { addRow(in[0], in[1], 1, in[2], 1) },
			func() { binSIMD(opAdd, in[0], in[1], 1, in[2], 1) }, 12 * n
	})
}

func BenchmarkVecMulScalar(b *testing.B) {
	benchVec(b, func(n int) (func(), func(), int) {
		in := benchInputs(n, 3)
		return func() { mulRow(in[0], in[1], 1, in[2], 0) },
			func() { binSIMD(opMul, in[0], in[1], 1, in[2], 0) }, 8 * n
	})
}

func BenchmarkVecMax(b *testing.B) {
	benchVec(b, func(n int) (func(), func(), int) {
		in := benchInputs(n, 3)
		return func() { maxRow(in[0], in[1], 1, in[2], 1) },
			func() { binSIMD(opMax, in[0], in[1], 1, in[2], 1) }, 12 * n
	})
}

func BenchmarkVecAddTo(b *testing.B) {
	benchVec(b, func(n int) (func(), func(), int) {
		in := benchInputs(n, 2)
		goLoop := func() {
			d, s := in[0], in[1][:len(in[0])]
			for i, v := range s {
				d[i] += v
			}
		}
		return goLoop, func() { addTo(in[0], in[1]) }, 12 * n
	})
}

func BenchmarkVecLeaky(b *testing.B) {
	benchVec(b, func(n int) (func(), func(), int) {
		in := benchInputs(n, 3)
		return func() { leakyRange(in[0], in[1], in[2], 0.2) },
			func() { leakySIMD(in[0], in[1], in[2], 0.2) }, 12 * n
	})
}

func BenchmarkVecAffine(b *testing.B) {
	benchVec(b, func(n int) (func(), func(), int) {
		in, ab := benchInputs(n, 2), benchInputs(64, 2)
		return func() { affineRows(in[0], in[1], ab[0], ab[1]) },
			func() { affineSIMD(in[0], in[1], ab[0], ab[1]) }, 8 * n
	})
}

func BenchmarkVecBNGrad(b *testing.B) {
	benchVec(b, func(n int) (func(), func(), int) {
		in, v := benchInputs(n, 3), benchInputs(64, 4)
		return func() { bnGradRows(in[0], in[1], in[2], v[0], v[1], v[2], v[3]) },
			func() { bnGradSIMD(in[0], in[1], in[2], v[0], v[1], v[2], v[3]) }, 12 * n
	})
}

func BenchmarkVecBNSums(b *testing.B) {
	benchVec(b, func(n int) (func(), func(), int) {
		in, sg, sgx, mean := benchInputs(n, 2), make([]float64, 64), make([]float64, 64), make([]float64, 64)
		return func() { bnSumRows(sg, sgx, mean, in[0], in[1]) },
			func() { bnSumsSIMD(sg, sgx, mean, in[0], in[1]) }, 8 * n
	})
}

func BenchmarkVecMask(b *testing.B) {
	benchVec(b, func(n int) (func(), func(), int) {
		rate := 0.3
		d, thresh := make([]float32, n), uint64(rate*(1<<32))
		return func() { maskRange(d, 7, 0, 0, n/2, thresh, 1/0.7) },
			func() { maskSIMD(d, 7, 0, thresh, 1/0.7) }, 4 * n
	})
}

func BenchmarkVecDropout(b *testing.B) {
	benchVec(b, func(n int) (func(), func(), int) {
		rate := 0.3
		in, thresh := benchInputs(n, 2), uint64(rate*(1<<32))
		return func() { dropoutRange(in[0], in[1], 7, 0, 0, n/2, thresh, 1/0.7) },
			func() { dropoutSIMD(in[0], in[1], 7, 0, thresh, 1/0.7) }, 8 * n
	})
}
