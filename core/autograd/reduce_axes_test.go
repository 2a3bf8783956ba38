package autograd

import (
	"math"
	"slices"
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

// naiveFold applies fold to the values of x that share an output position
// when axes are reduced, visiting elements by explicit index arithmetic.
func naiveFold(x *tensor.Tensor, axes []int, fold func([]float64) float64) []float64 {
	shape := x.Shape()
	keep := tensor.ReducedShape(shape, axes, true)
	groups := make([][]float64, tensor.Numel(keep))
	idx := make([]int, len(shape))
	for flat := 0; flat < x.Len(); flat++ {
		rem := flat
		for ax := len(shape) - 1; ax >= 0; ax-- {
			idx[ax] = rem % shape[ax]
			rem /= shape[ax]
		}
		o := 0
		for ax, d := range keep {
			c := idx[ax]
			if slices.Contains(axes, ax) {
				c = 0
			}
			o = o*d + c
		}
		groups[o] = append(groups[o], x.At(flat))
	}
	out := make([]float64, len(groups))
	for i, g := range groups {
		out[i] = fold(g)
	}
	return out
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// TestDerivedReductionsEveryAxisCombination checks Mean, Variance (biased)
// and LogSumExp over every subset of axes against naive folds, including
// a row of -Inf for logsumexp.
func TestDerivedReductionsEveryAxisCombination(t *testing.T) {
	rng := tensor.NewRNG(21, 0)
	folds := []struct {
		name string
		op   func(x *Var, axes []int) *Var
		ref  func([]float64) float64
	}{
		{"mean", func(x *Var, a []int) *Var { return Mean(x, a, true) }, mean},
		{"variance", func(x *Var, a []int) *Var { return Variance(x, a, true) }, func(v []float64) float64 {
			m := mean(v)
			s := 0.0
			for _, x := range v {
				s += (x - m) * (x - m)
			}
			return s / float64(len(v))
		}},
		{"logsumexp", func(x *Var, a []int) *Var { return LogSumExp(x, a, true) }, func(v []float64) float64 {
			s := 0.0
			for _, x := range v {
				s += math.Exp(x)
			}
			return math.Log(s)
		}},
	}
	for _, shape := range [][]int{{4}, {2, 3}, {2, 3, 4}, {2, 3, 2, 3}} {
		x := rng.Normal(tensor.Float64, 0, 2, shape...)
		for mask := 1; mask < 1<<len(shape); mask++ {
			var axes []int
			for ax := range shape {
				if mask&(1<<ax) != 0 {
					axes = append(axes, ax)
				}
			}
			for _, f := range folds {
				got := f.op(Const(x), axes).Value
				want := naiveFold(x, axes, f.ref)
				for i, w := range want {
					if math.Abs(got.At(i)-w) > 1e-12*math.Max(1, math.Abs(w)) {
						t.Fatalf("%s %v axes %v: element %d = %v, want %v", f.name, shape, axes, i, got.At(i), w)
					}
				}
			}
		}
	}
	// Large values must not overflow, and an all -Inf row gives -Inf, not NaN.
	big := tensor.FromFloat64([]float64{1000, 1000, math.Inf(-1), math.Inf(-1)}, 2, 2)
	got := LogSumExp(Const(big), []int{1}, false).Value.Values()
	if math.Abs(got[0]-(1000+math.Ln2)) > 1e-9 || !math.IsInf(got[1], -1) {
		t.Errorf("logsumexp of [[1000 1000] [-Inf -Inf]] = %v", got)
	}
}
