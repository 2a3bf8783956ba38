package gemm

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPackedMatchesSgemm checks that a product with op(B) packed once
// gives, element for element, the same bits as Sgemm and Dgemm, and that
// the oracle agrees with both, across transposes, padded strides, several
// k slabs, several n blocks, edge tiles, beta = 0 over NaN, packing split
// over goroutines (150×4100×9) and packed storage reused uncleared from
// the previous case.
func TestPackedMatchesSgemm(t *testing.T) {
	cases := []gemmCase{
		{m: 1, n: 1, k: 1, alpha: 1},
		{m: 7, n: 33, k: 5, alpha: 1.5, beta: 0.5},
		{transA: true, m: 13, n: 17, k: 300, alpha: 1, padA: 3, padB: 2, padC: 1},
		{transB: true, m: 25, n: 65, k: 513, alpha: -0.5, beta: 1, padB: 5},
		{transA: true, transB: true, m: 6, n: 32, k: 256, alpha: 1, padC: 7},
		{m: 150, n: 4100, k: 9, alpha: 1, beta: 0.25},
		{m: 0, n: 4, k: 3, alpha: 1},
		{m: 3, n: 4, k: 0, alpha: 1, beta: 0.5},
		{m: 3, n: 4, k: 2, alpha: 0, beta: 2},
	}
	for _, tc := range cases {
		t.Run(tc.String(), func(t *testing.T) {
			checkPacked(t, tc, Sgemm, PackSgemmB, SgemmPacked)
			checkPacked(t, tc, Dgemm, PackDgemmB, DgemmPacked)
		})
	}
}

func checkPacked[T float](t *testing.T, tc gemmCase,
	full func(bool, bool, int, int, int, T, []T, int, []T, int, T, []T, int),
	pack func(bool, int, int, []T, int) *PackedB[T],
	packed func(bool, int, T, []T, int, *PackedB[T], T, []T, int)) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(tc.m), uint64(tc.n*1000+tc.k)))
	ar, ac := tc.m, tc.k
	if tc.transA {
		ar, ac = tc.k, tc.m
	}
	br, bc := tc.k, tc.n
	if tc.transB {
		br, bc = tc.n, tc.k
	}
	lda, ldb, ldc := max(ac, 1)+tc.padA, max(bc, 1)+tc.padB, max(tc.n, 1)+tc.padC
	fill := func(n int) []T {
		s := make([]T, n)
		for i := range s {
			s[i] = T(rng.Float64()*2 - 1)
		}
		return s
	}
	a, b := fill(max(ar*lda, 1)), fill(max(br*ldb, 1))
	c0 := fill(tc.m * ldc)
	if tc.beta == 0 {
		for i := range c0 {
			c0[i] = T(math.NaN())
		}
	}
	got := append([]T(nil), c0...)
	want := append([]T(nil), c0...)
	alpha, beta := T(tc.alpha), T(tc.beta)
	full(tc.transA, tc.transB, tc.m, tc.n, tc.k, alpha, a, lda, b, ldb, beta, want, ldc)
	pb := pack(tc.transB, tc.k, tc.n, b, ldb)
	if pb.K() != tc.k || pb.N() != tc.n {
		t.Fatalf("packed B is %d×%d, want %d×%d", pb.K(), pb.N(), tc.k, tc.n)
	}
	packed(tc.transA, tc.m, alpha, a, lda, pb, beta, got, ldc)
	// The next case packs into this storage uncleared: packing must
	// overwrite every element, padding included.
	defer pb.Release()
	ref, _ := refGemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, alpha, a, lda, b, ldb, beta, c0, ldc)
	for i := range got {
		row, col := i/ldc, i%ldc
		if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) && !(got[i] != got[i] && want[i] != want[i]) {
			t.Fatalf("c[%d][%d] = %v, Sgemm gives %v", row, col, got[i], want[i])
		}
		if col >= tc.n {
			continue // padding: both must have left it alone (checked above)
		}
		if r := ref[row*tc.n+col]; math.Abs(float64(got[i])-r) > 1e-4*(1+math.Abs(r))*float64(tc.k+1) {
			t.Fatalf("c[%d][%d] = %v, oracle %v", row, col, got[i], r)
		}
	}
}

// TestPackedBadArgsPanic checks that the packed entry points name what is
// wrong.
func TestPackedBadArgsPanic(t *testing.T) {
	pb := PackSgemmB(false, 3, 4, make([]float32, 12), 4)
	for _, tc := range []struct {
		name string
		fn   func()
	}{
		{"short b", func() { PackSgemmB(false, 3, 4, make([]float32, 11), 4) }},
		{"negative k", func() { PackSgemmB(false, -1, 4, nil, 4) }},
		{"short a", func() { SgemmPacked(false, 2, 1, make([]float32, 5), 3, pb, 0, make([]float32, 8), 4) }},
		{"short c", func() { SgemmPacked(false, 2, 1, make([]float32, 6), 3, pb, 0, make([]float32, 7), 4) }},
		{"negative m", func() { SgemmPacked(false, -2, 1, nil, 3, pb, 0, nil, 4) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil {
					t.Fatal("no panic")
				}
			}()
			tc.fn()
		})
	}
}
