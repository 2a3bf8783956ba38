package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// refGemm is the oracle: a naive triple loop in float64. It also returns,
// per element of C, the sum of absolute values of the terms, which scales
// the rounding-error tolerance.
func refGemm[T float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) (want, absSum []float64) {
	want = make([]float64, m*n)
	absSum = make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, as float64
			for p := range k {
				var av, bv T
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				t := float64(alpha) * float64(av) * float64(bv)
				s += t
				as += math.Abs(t)
			}
			if beta != 0 {
				cv := float64(beta) * float64(c[i*ldc+j])
				s += cv
				as += math.Abs(cv)
			}
			want[i*n+j] = s
			absSum[i*n+j] = as
		}
	}
	return want, absSum
}

type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float64
	padA, padB     int // extra leading-dimension slack
	padC           int
}

func (tc gemmCase) String() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s%s_%dx%dx%d_a%g_b%g_pad%d.%d.%d", t(tc.transA), t(tc.transB), tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.padA, tc.padB, tc.padC)
}

// gemmCases returns the table shared by all correctness tests: every
// (transA, transB) combination over sizes that straddle the register tile
// (MR 4/6, NR 4/16), the k slab (256) and the A block (128/144), with
// several alpha/beta pairs and padded leading dimensions.
func gemmCases(short bool) []gemmCase {
	sizes := [][3]int{
		{1, 1, 1}, {7, 13, 5}, {17, 33, 129}, {63, 65, 257},
		{6, 16, 1}, {5, 15, 3}, {12, 32, 256}, {13, 17, 255},
		{145, 47, 513}, {289, 31, 20}, {3, 300, 40},
		{0, 5, 5}, {5, 0, 5}, {4, 9, 0}, {0, 0, 0},
	}
	if !short {
		sizes = append(sizes, [3]int{100, 130, 600}, [3]int{300, 70, 31})
	}
	ab := [][2]float64{{1, 0}, {1, 1}, {-0.75, 0.5}, {2, 0}, {0, 0.5}}
	var cases []gemmCase
	for _, s := range sizes {
		for tr := range 4 {
			for i, x := range ab {
				pad := (i + tr) % 3 // vary padding across the table
				cases = append(cases, gemmCase{
					transA: tr&1 != 0, transB: tr&2 != 0,
					m: s[0], n: s[1], k: s[2],
					alpha: x[0], beta: x[1],
					padA: pad, padB: 2 * pad, padC: 3 * pad,
				})
			}
		}
	}
	return cases
}

const sentinel = -12345.0 // marks C padding that must not be touched

// caseInputs builds the operands of tc from a seed fixed by its shape:
// A and B uniform in [-1, 1), C's padding columns set to sentinel and its
// m×n part random, or NaN when beta == 0 (it must be overwritten unread).
func caseInputs[T float](tc gemmCase) (a []T, lda int, b []T, ldb int, c []T, ldc int) {
	rng := rand.New(rand.NewPCG(uint64(tc.m*1000003+tc.n*1009+tc.k), 7))
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc = max(1, ac)+tc.padA, max(1, bc)+tc.padB, max(1, tc.n)+tc.padC
	a = make([]T, ar*lda)
	b = make([]T, br*ldb)
	c = make([]T, tc.m*ldc)
	for i := range a {
		a[i] = T(rng.Float64()*2 - 1)
	}
	for i := range b {
		b[i] = T(rng.Float64()*2 - 1)
	}
	for i := range c {
		switch {
		case i%ldc >= tc.n:
			c[i] = sentinel
		case tc.beta == 0:
			c[i] = T(math.NaN()) // must be overwritten, never read
		default:
			c[i] = T(rng.Float64()*2 - 1)
		}
	}
	return a, lda, b, ldb, c, ldc
}

// checkCase runs one case through gemmFn and compares against refGemm.
// eps is the unit roundoff of T.
func checkCase[T float](t *testing.T, tc gemmCase, eps float64, gemmFn func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	t.Helper()
	a, lda, b, ldb, c, ldc := caseInputs[T](tc)
	want, absSum := refGemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, b, ldb, T(tc.beta), c, ldc)
	gemmFn(tc.transA, tc.transB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, b, ldb, T(tc.beta), c, ldc)
	checkResult(t, tc, eps, c, ldc, want, absSum)
}

// checkResult compares C computed for tc with the oracle's want (absSum
// scales the tolerance) and checks that C's ldc padding is untouched.
func checkResult[T float](t *testing.T, tc gemmCase, eps float64, c []T, ldc int, want, absSum []float64) {
	t.Helper()
	// Worst-case rounding bound for a k-term dot product plus the alpha
	// and beta terms, with a factor 2 margin.
	tolScale := 2 * eps * float64(tc.k+4)
	bad := 0
	for i := range tc.m {
		for j := range ldc {
			got := float64(c[i*ldc+j])
			if j >= tc.n {
				if got != sentinel {
					t.Fatalf("%v: C[%d,%d] (ldc padding) modified: %v", tc, i, j, got)
				}
				continue
			}
			w := want[i*tc.n+j]
			if d := math.Abs(got - w); !(d <= tolScale*absSum[i*tc.n+j]) {
				if bad++; bad <= 5 {
					t.Errorf("%v: C[%d,%d] = %v, want %v (|diff| %.3g > tol %.3g)", tc, i, j, got, w, d, tolScale*absSum[i*tc.n+j])
				}
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%v: %d mismatches", tc, bad)
	}
}

const (
	eps32 = 0x1p-24
	eps64 = 0x1p-53
)

func TestSgemm(t *testing.T) {
	for _, tc := range gemmCases(testing.Short()) {
		checkCase(t, tc, eps32, Sgemm)
	}
}

func TestDgemm(t *testing.T) {
	for _, tc := range gemmCases(testing.Short()) {
		checkCase(t, tc, eps64, Dgemm)
	}
}

// allKernels returns the portable kernel and every assembly kernel this CPU
// supports, by name.
func allKernels() (map[string]*kernel[float32], map[string]*kernel[float64]) {
	k32 := map[string]*kernel[float32]{"generic_4x4": &sgemmGenericKernel}
	k64 := map[string]*kernel[float64]{"generic_4x4": &dgemmGenericKernel}
	a32, a64 := asmKernels()
	for name, kn := range a32 {
		k32[name] = kn
	}
	for name, kn := range a64 {
		k64[name] = kn
	}
	return k32, k64
}

// withKernel returns a gemm entry point that runs the driver with kn.
func withKernel[T float](kn *kernel[T]) func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	return func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
		checkArgs("test", transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
		gemm(kn, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
	}
}

// TestKernelsAgree runs the whole driver with each kernel (the portable
// ones and every assembly one this CPU supports) against the oracle.
func TestKernelsAgree(t *testing.T) {
	k32, k64 := allKernels()
	for name, kn := range k32 {
		t.Run("float32_"+name, func(t *testing.T) {
			for _, tc := range gemmCases(true) {
				checkCase(t, tc, eps32, withKernel(kn))
			}
		})
	}
	for name, kn := range k64 {
		t.Run("float64_"+name, func(t *testing.T) {
			for _, tc := range gemmCases(true) {
				checkCase(t, tc, eps64, withKernel(kn))
			}
		})
	}
}

// refKernel is a straightforward mr×nr micro-kernel on the packed layout,
// accumulating in float64: the oracle for TestMicroKernels.
func refKernel[T float](mr, nr, kc int, alpha T, a, b []T, beta T, c []T, ldc int) {
	for i := range mr {
		for j := range nr {
			var s float64
			for p := range kc {
				s += float64(a[p*mr+i]) * float64(b[p*nr+j])
			}
			if beta == 0 {
				c[i*ldc+j] = T(float64(alpha) * s)
			} else {
				c[i*ldc+j] = T(float64(alpha)*s + float64(beta)*float64(c[i*ldc+j]))
			}
		}
	}
}

// TestMicroKernels checks every micro-kernel directly against refKernel on
// random packed panels, covering the unrolled loop and its remainder, and
// checks that nothing outside the mr×nr tile is touched.
func TestMicroKernels(t *testing.T) {
	k32, k64 := allKernels()
	for name, kn := range k32 {
		checkMicroKernel(t, "float32_"+name, kn, eps32)
	}
	for name, kn := range k64 {
		checkMicroKernel(t, "float64_"+name, kn, eps64)
	}
}

func checkMicroKernel[T float](t *testing.T, name string, kn *kernel[T], eps float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kc := range []int{1, 2, 3, 4, 5, 7, 8, 17, 256} {
		for _, beta := range []T{0, 1, 0.5} {
			mr, nr, ldc := kn.mr, kn.nr, kn.nr+3
			a := make([]T, mr*kc)
			b := make([]T, nr*kc)
			for i := range a {
				a[i] = T(rng.Float64()*2 - 1)
			}
			for i := range b {
				b[i] = T(rng.Float64()*2 - 1)
			}
			c0 := make([]T, mr*ldc)
			for i := range c0 {
				c0[i] = T(rng.Float64()*2 - 1)
				if beta == 0 && i%ldc < nr {
					c0[i] = T(math.NaN())
				}
			}
			got := append([]T(nil), c0...)
			want := append([]T(nil), c0...)
			kn.fn(kc, 1.5, a, b, beta, got, ldc)
			refKernel(mr, nr, kc, 1.5, a, b, beta, want, ldc)
			tol := 4 * eps * float64(kc+4) * (1.5*float64(kc) + 1)
			for i := range got {
				if i%ldc >= nr {
					if got[i] != want[i] {
						t.Fatalf("%s kc=%d beta=%v: c[%d] outside the tile modified", name, kc, beta, i)
					}
					continue
				}
				if d := math.Abs(float64(got[i] - want[i])); !(d <= tol) {
					t.Fatalf("%s kc=%d beta=%v: c[%d] = %v, want %v", name, kc, beta, i, got[i], want[i])
				}
			}
		}
	}
}

// TestPackA6 checks the optional fast 6-row packing routines against the
// portable code, for lengths covering their unrolled loops and remainders.
func TestPackA6(t *testing.T) {
	kn := &sgemmKernel
	if kn.packA6 == nil || kn.packAT6 == nil {
		t.Skip("no fast packing in this build")
	}
	// Transposed A: compare packAT with and without the fast routine.
	slow := *kn
	slow.packAT6 = nil
	for _, mc := range []int{6, 13, 144} {
		for _, kc := range []int{1, 5, 256} {
			const lda, ic, pc = 200, 7, 3
			a := make([]float32, (pc+kc)*lda)
			for i := range a {
				a[i] = float32(i)
			}
			n := (mc + 5) / 6 * 6 * kc
			got, want := make([]float32, n), make([]float32, n)
			packAT(kn, mc, kc, a, lda, ic, pc, got)
			packAT(&slow, mc, kc, a, lda, ic, pc, want)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("packAT mc=%d kc=%d: dst[%d] = %v, want %v", mc, kc, i, got[i], want[i])
				}
			}
		}
	}
	for _, kc := range []int{1, 3, 4, 5, 8, 13, 256} {
		const lda = 300
		src := make([]float32, 5*lda+kc)
		for i := range src {
			src[i] = float32(i)
		}
		got, want := make([]float32, 6*kc), make([]float32, 6*kc)
		kn.packA6(kc, src, lda, got)
		packA6Go(kc, src, lda, want)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("kc=%d: dst[%d] = %v, want %v", kc, i, got[i], want[i])
			}
		}
	}
}

// TestConcurrent runs Sgemm from several goroutines at once (meaningful
// under -race): the driver shares nothing mutable but the buffer pool.
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			tc := gemmCase{transA: g&1 != 0, transB: g&2 != 0, m: 70 + g, n: 90, k: 300, alpha: 1, beta: 0.5}
			checkCase(t, tc, eps32, Sgemm)
		})
	}
	wg.Wait()
}

// TestThreadCounts exercises the 2-D thread grid with thread counts this
// machine may not have (the results must not depend on GOMAXPROCS).
func TestThreadCounts(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, p := range []int{1, 3, 4, 7, 16} {
		runtime.GOMAXPROCS(p)
		for _, tc := range []gemmCase{
			{m: 200, n: 190, k: 70, alpha: 1, beta: 0.5},
			{transA: true, m: 13, n: 400, k: 90, alpha: 1, beta: 0},
			{transB: true, m: 500, n: 20, k: 60, alpha: -1, beta: 1, padC: 3},
			{transA: true, transB: true, m: 97, n: 97, k: 33, alpha: 2, beta: 0},
		} {
			checkCase(t, tc, eps32, Sgemm)
			checkCase(t, tc, eps64, Dgemm)
		}
	}
}

func TestThreadGrid(t *testing.T) {
	for _, nt := range []int{1, 2, 3, 4, 6, 8, 16, 64} {
		for _, mn := range [][2]int{{1, 1}, {6, 16}, {1024, 1024}, {131072, 128}, {7, 5000}, {30, 40}} {
			pm, pn := threadGrid(nt, mn[0], mn[1], 6, 16)
			if pm < 1 || pn < 1 || pm*pn > nt {
				t.Errorf("threadGrid(%d, %d, %d) = %d×%d", nt, mn[0], mn[1], pm, pn)
			}
		}
	}
	if pm, pn := threadGrid(2, 1024, 512, 6, 16); pm != 2 || pn != 1 {
		t.Errorf("threadGrid(2, 1024, 512) = %d×%d, want 2×1", pm, pn)
	}
	if pm, pn := threadGrid(4, 1024, 1024, 6, 16); pm != 2 || pn != 2 {
		t.Errorf("threadGrid(4, 1024, 1024) = %d×%d, want 2×2", pm, pn)
	}
}

func TestBadArgsPanic(t *testing.T) {
	a := make([]float32, 6) // 2×3
	b := make([]float32, 12)
	c := make([]float32, 8)
	tests := []struct {
		name string
		f    func()
		want string
	}{
		{"negative m", func() { Sgemm(false, false, -1, 4, 3, 1, a, 3, b, 4, 0, c, 4) }, "m = -1"},
		{"negative k", func() { Sgemm(false, false, 2, 4, -3, 1, a, 3, b, 4, 0, c, 4) }, "k = -3"},
		{"small lda", func() { Sgemm(false, false, 2, 4, 3, 1, a, 2, b, 4, 0, c, 4) }, "lda"},
		{"small lda trans", func() { Sgemm(true, false, 2, 4, 3, 1, a, 1, b, 4, 0, c, 4) }, "lda"},
		{"short a", func() { Sgemm(false, false, 2, 4, 3, 1, a[:5], 3, b, 4, 0, c, 4) }, "len(a)"},
		{"small ldb", func() { Sgemm(false, false, 2, 4, 3, 1, a, 3, b, 3, 0, c, 4) }, "ldb"},
		{"short b", func() { Sgemm(false, true, 2, 4, 3, 1, a, 3, b[:11], 3, 0, c, 4) }, "len(b)"},
		{"small ldc", func() { Sgemm(false, false, 2, 4, 3, 1, a, 3, b, 4, 0, c, 3) }, "ldc"},
		{"short c", func() { Sgemm(false, false, 2, 4, 3, 1, a, 3, b, 4, 0, c[:7], 4) }, "len(c)"},
		{"dgemm short c", func() {
			Dgemm(false, false, 2, 2, 1, 1, make([]float64, 2), 1, make([]float64, 2), 2, 0, make([]float64, 3), 2)
		}, "len(c)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if r == nil || !strings.Contains(msg, tt.want) {
					t.Fatalf("panic = %v, want message containing %q", r, tt.want)
				}
			}()
			tt.f()
		})
	}
}

// TestZeroSizesNoPanic checks empty products with nil slices are accepted.
func TestZeroSizesNoPanic(t *testing.T) {
	Sgemm(false, false, 0, 0, 0, 1, nil, 1, nil, 1, 0, nil, 1)
	Sgemm(true, true, 0, 3, 0, 1, nil, 1, nil, 1, 0, nil, 3)
	c := []float32{1, 2, 3, 4}
	Sgemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 3, c, 2)
	if c[0] != 3 || c[3] != 12 {
		t.Fatalf("k=0: C = %v, want beta*C", c)
	}
}

func TestSteadyStateAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("allocation counts are noisy under -short")
	}
	const m, n, k = 40, 40, 40 // single-threaded path
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
	if got := testing.AllocsPerRun(50, func() { Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n) }); got > 0.5 {
		t.Errorf("Sgemm allocates %v times per call in steady state", got)
	}
}

// ---- Benchmarks --------------------------------------------------------

func benchSgemm(b *testing.B, transA, transB bool, m, n, k int) {
	rng := rand.New(rand.NewPCG(42, 42))
	x := make([]float32, m*k)
	y := make([]float32, k*n)
	z := make([]float32, m*n)
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
	b.ResetTimer()
	for b.Loop() {
		Sgemm(transA, transB, m, n, k, 1, x, lda, y, ldb, 0, z, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func benchDgemm(b *testing.B, m, n, k int) {
	x, y, z := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n)
	for i := range x {
		x[i] = float64(i%7) - 3
	}
	for i := range y {
		y[i] = float64(i%5) - 2
	}
	for b.Loop() {
		Dgemm(false, false, m, n, k, 1, x, k, y, n, 0, z, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkSgemm1024NN(b *testing.B) { benchSgemm(b, false, false, 1024, 1024, 1024) }
func BenchmarkSgemm1024TN(b *testing.B) { benchSgemm(b, true, false, 1024, 1024, 1024) }
func BenchmarkSgemm1024NT(b *testing.B) { benchSgemm(b, false, true, 1024, 1024, 1024) }
func BenchmarkSgemm256NN(b *testing.B)  { benchSgemm(b, false, false, 256, 256, 256) }

// DCGAN (28×28, batch 64) im2col shapes: M=batch*oh*ow, N=cout, K=kh*kw*cin.
func BenchmarkSgemmConv1(b *testing.B)         { benchSgemm(b, false, false, 12544, 64, 16) }
func BenchmarkSgemmConv2(b *testing.B)         { benchSgemm(b, false, false, 3136, 128, 1024) }
func BenchmarkSgemmConv2DataGrad(b *testing.B) { benchSgemm(b, false, true, 3136, 1024, 128) }
func BenchmarkSgemmConv2WeightGrad(b *testing.B) {
	benchSgemm(b, true, false, 1024, 128, 3136)
}

// DCGAN (64×64, batch 128) shapes.
func BenchmarkSgemm64Conv1(b *testing.B) { benchSgemm(b, false, false, 131072, 128, 27) }
func BenchmarkSgemm64Conv2(b *testing.B) { benchSgemm(b, false, false, 32768, 256, 1152) }
func BenchmarkSgemm64Conv4(b *testing.B) { benchSgemm(b, false, false, 2048, 1024, 4608) }

func BenchmarkDgemm256(b *testing.B) { benchDgemm(b, 256, 256, 256) }

// microCalls is the number of kernel calls per benchmark iteration, so that
// even -benchtime 3x measures something (one call takes well under 1µs).
const microCalls = 10000

// BenchmarkMicroKernel measures the bare micro-kernel on L1-resident
// panels (kc = 256): the ceiling the blocked driver can approach.
func BenchmarkMicroKernel(b *testing.B) {
	kernels, _ := allKernels()
	for name, kn := range kernels {
		b.Run(name, func(b *testing.B) {
			const kc = 256
			x, y, z := make([]float32, kn.mr*kc), make([]float32, kn.nr*kc), make([]float32, kn.mr*kn.nr)
			for b.Loop() {
				for range microCalls {
					kn.fn(kc, 1, x, y, 1, z, kn.nr)
				}
			}
			b.ReportMetric(2*float64(kn.mr*kn.nr*kc*microCalls)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkMicroKernelParallel runs the kernel on every P at once: it shows
// how much aggregate FMA throughput the machine's cores really deliver.
func BenchmarkMicroKernelParallel(b *testing.B) {
	kn := &sgemmKernel
	const kc = 256
	b.RunParallel(func(pb *testing.PB) {
		x, y, z := make([]float32, kn.mr*kc), make([]float32, kn.nr*kc), make([]float32, kn.mr*kn.nr)
		for pb.Next() {
			for range microCalls {
				kn.fn(kc, 1, x, y, 1, z, kn.nr)
			}
		}
	})
	b.ReportMetric(2*float64(kn.mr*kn.nr*kc*microCalls)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
