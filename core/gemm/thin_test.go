package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// thinCases returns shapes that take each fast path of thin.go, for all
// four (transA, transB) combinations, with leading dimensions larger than
// minimal (so a "vector" operand has a stride) and every alpha/beta pair
// of the brief: beta ∈ {0 (C is NaN), 1, 0.5}, alpha ∈ {0, 1, 1.5}.
func thinCases() []gemmCase {
	// GEMV shapes large enough to use several goroutines.
	gemvRows := thinParallelWork/1000 + 37
	sizes := [][3]int{
		// n == 1 (matrix-vector): rows around the groups of four, k around
		// the 16/8-wide vector steps and their scalar tails.
		{1, 1, 1}, {3, 1, 7}, {4, 1, 16}, {7, 1, 33}, {13, 1, 1000}, {67, 1, 25}, {300, 1, 5},
		{2050, 1, 9}, {gemvRows, 1, 1000},
		// m == 1 (vector-matrix).
		{1, 3, 7}, {1, 4, 16}, {1, 7, 33}, {1, 13, 1000}, {1, 67, 25}, {1, 300, 5}, {1, 5000, 3},
		{1, gemvRows, 1000},
		// k == 1 (rank-1 update).
		{2, 2, 1}, {5, 37, 1}, {130, 70, 1}, {thinParallelWork/4099 + 9, 4099, 1},
		// Small m×n, k below and above the split-k threshold.
		{2, 3, 7}, {16, 64, 7}, {7, 5, 1000}, {2, 3, 2*splitKDepth - 1}, {2, 3, 2 * splitKDepth},
		{16, 64, 4099}, {17, 33, 30001}, {2, 3, 30001}, {128, 128, 2 * splitKDepth},
	}
	ab := [][2]float64{{1.5, 0}, {1.5, 1}, {1.5, 0.5}, {1, 0}, {1, 0.5}, {0, 0}, {0, 0.5}}
	var cases []gemmCase
	for si, s := range sizes {
		for tr := range 4 {
			for i, x := range ab {
				big := s[0]*s[1]*s[2] > 1<<20
				if big && (i+tr+si)%4 != 0 {
					continue // the large shapes run a quarter of the table
				}
				pad := 1 + (i+tr)%3
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

// sameBits reports the first index where x and y differ bitwise, or -1.
func sameBits[T float](x, y []T) int {
	for i := range x {
		if math.Float64bits(float64(x[i])) != math.Float64bits(float64(y[i])) && !(x[i] != x[i] && y[i] != y[i]) {
			return i
		}
	}
	return -1
}

// TestThinPaths checks every fast path against the float64 oracle with
// GOMAXPROCS 1 and 2, and that the result is bitwise the same on every
// call and for every thread count.
func TestThinPaths(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range thinCases() {
		t.Run(tc.String(), func(t *testing.T) {
			checkThin(t, tc, eps32, Sgemm)
			checkThin(t, tc, eps64, Dgemm)
		})
	}
}

func checkThin[T float](t *testing.T, tc gemmCase, eps float64, gemmFn func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	t.Helper()
	a, lda, b, ldb, c0, ldc := caseInputs[T](tc)
	want, absSum := refGemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, b, ldb, T(tc.beta), c0, ldc)
	var first []T
	for _, p := range []int{1, 2, 2, 3} {
		runtime.GOMAXPROCS(p)
		c := append([]T(nil), c0...)
		gemmFn(tc.transA, tc.transB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, b, ldb, T(tc.beta), c, ldc)
		if first == nil {
			checkResult(t, tc, eps, c, ldc, want, absSum)
			first = c
			continue
		}
		if i := sameBits(first, c); i >= 0 {
			t.Fatalf("%v: GOMAXPROCS=%d: c[%d] = %v, the first call gave %v", tc, p, i, c[i], first[i])
		}
	}
}

// TestThinKernels runs the fast paths through every kernel configuration
// (their vector routines: the portable loops, and the assembly ones where
// the CPU has them) against the oracle.
func TestThinKernels(t *testing.T) {
	k32, k64 := allKernels()
	var cases []gemmCase
	for _, tc := range thinCases() {
		if tc.m*tc.n*tc.k <= 1<<20 { // the large ones run in TestThinPaths
			cases = append(cases, tc)
		}
	}
	for name, kn := range k32 {
		t.Run("float32_"+name, func(t *testing.T) {
			for _, tc := range cases {
				checkCase(t, tc, eps32, withKernel(kn))
			}
		})
	}
	for name, kn := range k64 {
		t.Run("float64_"+name, func(t *testing.T) {
			for _, tc := range cases {
				checkCase(t, tc, eps64, withKernel(kn))
			}
		})
	}
}

// TestVecOps checks each kernel's vector routines against plain loops for
// lengths covering their unrolled steps and scalar tails, and the
// properties the thin paths rely on: dot4 gives each row's dot exactly,
// axpy4 is exactly four axpbys with beta = 1, and axpby with beta = 0
// ignores y.
func TestVecOps(t *testing.T) {
	k32, k64 := allKernels()
	for name, kn := range k32 {
		checkVecOps(t, "float32_"+name, kn, eps32)
	}
	for name, kn := range k64 {
		checkVecOps(t, "float64_"+name, kn, eps64)
	}
}

func checkVecOps[T float](t *testing.T, name string, kn *kernel[T], eps float64) {
	rng := rand.New(rand.NewPCG(3, 4))
	rnd := func(n int) []T {
		s := make([]T, n)
		for i := range s {
			s[i] = T(rng.Float64()*2 - 1)
		}
		return s
	}
	for n := range 72 {
		const ld = 75
		m := rnd(3*ld + n)
		x := rnd(n)
		// dot and dot4 against a float64 sum.
		d := [4]T{}
		d[0], d[1], d[2], d[3] = dot4(kn, n, m, ld, x)
		for r := range 4 {
			var want, abs float64
			for p := range n {
				want += float64(m[r*ld+p]) * float64(x[p])
				abs += math.Abs(float64(m[r*ld+p]) * float64(x[p]))
			}
			one := dot(kn, m[r*ld:r*ld+n], x)
			for _, got := range []T{one, d[r]} {
				if diff := math.Abs(float64(got) - want); diff > 2*eps*float64(n+1)*abs {
					t.Fatalf("%s n=%d: dot of row %d = %v, want %v", name, n, r, got, want)
				}
			}
			if math.Float64bits(float64(one)) != math.Float64bits(float64(d[r])) {
				t.Fatalf("%s n=%d: dot4 row %d = %v, dot = %v", name, n, r, d[r], one)
			}
		}
		// axpy4 against four axpbys with beta = 1.
		y := rnd(n + 1)
		y4 := append([]T(nil), y...)
		s := rnd(4)
		axpy4(kn, n, m, ld, s[0], s[1], s[2], s[3], y4)
		for r := range 4 {
			axpby(kn, n, s[r], m[r*ld:r*ld+n], 1, y)
		}
		if i := sameBits(y, y4); i >= 0 {
			t.Fatalf("%s n=%d: axpy4 y[%d] = %v, four axpbys give %v", name, n, i, y4[i], y[i])
		}
		if y[n] != y4[n] {
			t.Fatalf("%s n=%d: axpy4 wrote past n", name, n)
		}
		// axpby for beta = 0 (y holds NaN), 1 and 0.5.
		for _, beta := range []T{0, 1, 0.5} {
			y := rnd(n + 1)
			if beta == 0 {
				for i := range y {
					y[i] = T(math.NaN())
				}
			}
			y0 := append([]T(nil), y...)
			axpby(kn, n, 1.5, x, beta, y)
			for i := range n {
				want := 1.5 * float64(x[i])
				if beta != 0 {
					want += float64(beta) * float64(y0[i])
				}
				if diff := math.Abs(float64(y[i]) - want); !(diff <= 4*eps*(math.Abs(want)+2)) {
					t.Fatalf("%s n=%d beta=%v: y[%d] = %v, want %v", name, n, beta, i, y[i], want)
				}
			}
			if sameBits(y[n:], y0[n:]) >= 0 {
				t.Fatalf("%s n=%d: axpby wrote past n", name, n)
			}
		}
	}
}

// TestPackRows checks the assembly row copy used to pack full panels of a
// non-transposed B against the plain copy, for both element sizes.
func TestPackRows(t *testing.T) {
	for _, width := range []int{8, 16, 24, 32, 40} {
		const rows, ld = 5, 45
		src := make([]float32, (rows-1)*ld+width)
		for i := range src {
			src[i] = float32(i)
		}
		got := make([]float32, rows*width+1)
		if !packRows(rows, width, src, ld, got[:rows*width]) {
			t.Skip("no assembly row copy in this build")
		}
		for r := range rows {
			for j := range width {
				if got[r*width+j] != src[r*ld+j] {
					t.Fatalf("width %d: dst[%d][%d] = %v, want %v", width, r, j, got[r*width+j], src[r*ld+j])
				}
			}
		}
		if got[rows*width] != 0 {
			t.Fatalf("width %d: wrote past the panel", width)
		}
		src64 := make([]float64, (rows-1)*ld+width)
		for i := range src64 {
			src64[i] = float64(i)
		}
		got64 := make([]float64, rows*width)
		packRows(rows, width, src64, ld, got64)
		for r := range rows {
			for j := range width {
				if got64[r*width+j] != src64[r*ld+j] {
					t.Fatalf("float64 width %d: dst[%d][%d] = %v", width, r, j, got64[r*width+j])
				}
			}
		}
	}
	if packRows(3, 12, make([]float32, 40), 12, make([]float32, 36)) {
		t.Fatal("packRows accepted a 48-byte row")
	}
}

// raceEnabled is set by race_test.go in -race builds.
var raceEnabled bool

// TestThinAllocs checks that the single-goroutine thin paths do not
// allocate in steady state (their buffers come from the pool).
func TestThinAllocs(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts are noisy under -short and -race")
	}
	for _, s := range [][5]int{{0, 0, 40, 1, 40}, {1, 1, 40, 1, 40}, {0, 0, 1, 40, 40}, {1, 1, 40, 40, 1}, {1, 0, 8, 8, 4096}} {
		tA, tB, m, n, k := s[0] == 1, s[1] == 1, s[2], s[3], s[4]
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		lda, ldb := k, n
		if tA {
			lda = m
		}
		if tB {
			ldb = k
		}
		f := func() { Sgemm(tA, tB, m, n, k, 1.5, a, lda, b, ldb, 0.5, c, n) }
		f()
		if got := testing.AllocsPerRun(20, f); got > 0.5 {
			t.Errorf("%v: %v allocations per call", s, got)
		}
	}
}

// BenchmarkThin runs the fast-path shapes of BenchmarkSgemmShapes with
// Dgemm as well, to show both element types take the paths.
func BenchmarkThin(b *testing.B) {
	for _, s := range [][5]int{{0, 0, 128, 1, 6272}, {1, 0, 6272, 1, 128}, {0, 1, 128, 6272, 1}, {1, 0, 16, 64, 25088}} {
		b.Run(fmt.Sprintf("Dgemm_%dx%dx%d", s[2], s[3], s[4]), func(b *testing.B) {
			tA, tB, m, n, k := s[0] == 1, s[1] == 1, s[2], s[3], s[4]
			x, y, z := make([]float64, m*k), make([]float64, k*n), make([]float64, m*n)
			lda, ldb := k, n
			if tA {
				lda = m
			}
			if tB {
				ldb = k
			}
			for b.Loop() {
				Dgemm(tA, tB, m, n, k, 1, x, lda, y, ldb, 0, z, n)
			}
		})
	}
}

// TestPackATPanels checks packAT, including its partial last panel, against
// the packed layout's definition for both register-tile heights.
func TestPackATPanels(t *testing.T) {
	for _, kn := range []*kernel[float32]{&sgemmGenericKernel, &sgemmKernel} {
		for _, mc := range []int{1, 4, 5, 6, 13, 16} {
			const kc, lda, ic, pc = 7, 40, 3, 2
			mr := kn.mr
			a := make([]float32, (pc+kc)*lda)
			for i := range a {
				a[i] = float32(i + 1)
			}
			panels := (mc + mr - 1) / mr
			ap := make([]float32, panels*mr*kc)
			for i := range ap {
				ap[i] = -1 // must all be overwritten, padding with zeros
			}
			packAT(kn, mc, kc, a, lda, ic, pc, ap)
			for p := range panels {
				for kk := range kc {
					for i := range mr {
						want := float32(0)
						if row := p*mr + i; row < mc {
							want = a[(pc+kk)*lda+ic+row] // op(A)[ic+row][pc+kk]
						}
						if got := ap[p*mr*kc+kk*mr+i]; got != want {
							t.Fatalf("mr=%d mc=%d: panel %d k %d row %d = %v, want %v", mr, mc, p, kk, i, got, want)
						}
					}
				}
			}
		}
	}
}

// TestPackedThin checks that SgemmPacked and DgemmPacked still give
// Sgemm's and Dgemm's bits on the shapes Sgemm sends to a thin path
// without regard to m (n == 1, k == 1) and on the narrow-kernel shapes
// (n ≤ 16), with general alpha and beta.
func TestPackedThin(t *testing.T) {
	var cases []gemmCase
	for tr := range 4 {
		for _, s := range [][3]int{{7, 1, 5}, {13, 1, 300}, {300, 1, 33}, {9, 5, 1}, {70, 300, 1}, {50, 16, 40}, {13, 7, 300}} {
			for _, ab := range [][2]float64{{1, 0}, {1.5, 0.3}, {-0.7, 1}} {
				cases = append(cases, gemmCase{transA: tr&1 != 0, transB: tr&2 != 0, m: s[0], n: s[1], k: s[2],
					alpha: ab[0], beta: ab[1], padA: tr, padB: 2, padC: 1})
			}
		}
	}
	for _, tc := range cases {
		t.Run(tc.String(), func(t *testing.T) {
			checkPacked(t, tc, Sgemm, PackSgemmB, SgemmPacked)
			checkPacked(t, tc, Dgemm, PackDgemmB, DgemmPacked)
		})
	}
}

// TestThinRowsIndependentOfM checks that a row of C comes out the same
// whether it is computed in a product of all m rows or of a block of them
// (as a convolution split over its batch computes it), for the paths whose
// choice does not depend on m: GEMV with n == 1, rank-1 with k == 1.
func TestThinRowsIndependentOfM(t *testing.T) {
	for _, tc := range []gemmCase{
		{m: 301, n: 1, k: 77, alpha: 1.5, beta: 0.3, padA: 1, padB: 2, padC: 3},
		{transA: true, m: 301, n: 1, k: 77, alpha: 1, beta: 0, padA: 1, padB: 2},
		{transB: true, m: 4500, n: 1, k: 1000, alpha: 1, beta: 0}, // threaded
		{m: 301, n: 37, k: 1, alpha: -2, beta: 0.5, padC: 1},
		{transA: true, transB: true, m: 301, n: 37, k: 1, alpha: 1, beta: 1},
	} {
		checkRowBlocks[float32](t, tc, Sgemm)
		checkRowBlocks[float64](t, tc, Dgemm)
	}
}

func checkRowBlocks[T float](t *testing.T, tc gemmCase, gemmFn func(transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	t.Helper()
	a, lda, b, ldb, c0, ldc := caseInputs[T](tc)
	whole := append([]T(nil), c0...)
	gemmFn(tc.transA, tc.transB, tc.m, tc.n, tc.k, T(tc.alpha), a, lda, b, ldb, T(tc.beta), whole, ldc)
	blocks := append([]T(nil), c0...)
	for _, r := range [][2]int{{0, 2}, {2, 7}, {7, 103}, {103, tc.m}} { // m == 1 is another path
		var as []T
		if tc.transA {
			as = a[r[0]:] // columns r0.. of the stored k×m matrix
		} else {
			as = a[r[0]*lda:]
		}
		gemmFn(tc.transA, tc.transB, r[1]-r[0], tc.n, tc.k, T(tc.alpha), as, lda, b, ldb, T(tc.beta), blocks[r[0]*ldc:], ldc)
	}
	if i := sameBits(whole, blocks); i >= 0 {
		t.Fatalf("%v: c[%d] = %v in row blocks, %v in one product", tc, i, blocks[i], whole[i])
	}
}
