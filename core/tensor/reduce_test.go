package tensor

import (
	"math"
	"slices"
	"testing"
)

// naiveReduce folds x over axes with a plain loop over every element, as an
// independent reference for the strided kernels.
func naiveReduce(x *Tensor, axes []int, op redOp) []float64 {
	shape := x.Shape()
	keep := ReducedShape(shape, axes, true)
	out := make([]float64, Numel(keep))
	for i := range out {
		switch op {
		case redMax:
			out[i] = math.Inf(-1)
		case redMin:
			out[i] = math.Inf(1)
		}
	}
	kst := strides(keep)
	idx := make([]int, len(shape))
	for flat := 0; flat < x.Len(); flat++ {
		rem := flat
		for ax := len(shape) - 1; ax >= 0; ax-- {
			idx[ax] = rem % shape[ax]
			rem /= shape[ax]
		}
		o := 0
		for ax := range shape {
			if !slices.Contains(axes, ax) {
				o += idx[ax] * kst[ax]
			}
		}
		v := x.At(flat)
		switch op {
		case redSum:
			out[o] += v
		case redMax:
			out[o] = math.Max(out[o], v)
		case redMin:
			out[o] = math.Min(out[o], v)
		}
	}
	return out
}

// axisSubsets returns every subset of [0, rank).
func axisSubsets(rank int) [][]int {
	var subsets [][]int
	for mask := 0; mask < 1<<rank; mask++ {
		var s []int
		for ax := 0; ax < rank; ax++ {
			if mask&(1<<ax) != 0 {
				s = append(s, ax)
			}
		}
		subsets = append(subsets, s)
	}
	return subsets
}

// TestReductionsEveryAxisCombination checks sum, mean, max and min over every
// subset of axes of rank 1–5 tensors (including axes (2,3) of a 4-D tensor,
// which gorgonia's tensor.Sum gets wrong) against naiveReduce.
func TestReductionsEveryAxisCombination(t *testing.T) {
	rng := NewRNG(7, 0)
	shapes := [][]int{{5}, {3, 4}, {2, 3, 4}, {2, 3, 4, 5}, {2, 1, 3, 2, 3}}
	for _, dt := range []DType{Float32, Float64} {
		for _, shape := range shapes {
			x := rng.Normal(dt, 0, 1, shape...)
			for _, axes := range axisSubsets(len(shape)) {
				if len(axes) == 0 {
					continue // nil means "all axes"; covered by the full subset
				}
				for _, op := range []redOp{redSum, redMax, redMin} {
					var got *Tensor
					var idx []int
					switch op {
					case redSum:
						got = Sum(x, axes, true)
					case redMax:
						got, idx = MaxIndex(x, axes, true)
					case redMin:
						got, idx = MinIndex(x, axes, true)
					}
					want := naiveReduce(x, axes, op)
					tol := 1e-12
					if dt == Float32 {
						tol = 1e-5
					}
					for i, w := range want {
						if math.Abs(got.At(i)-w) > tol*math.Max(1, math.Abs(w)) {
							t.Fatalf("%v %v op %d axes %v: element %d = %v, want %v", dt, shape, op, axes, i, got.At(i), w)
						}
						if idx != nil && x.At(idx[i]) != got.At(i) {
							t.Fatalf("%v axes %v: index %d points at %v, not the extremum %v", shape, axes, idx[i], x.At(idx[i]), got.At(i))
						}
					}
				}
			}
		}
	}
}

func TestReduceShapes(t *testing.T) {
	x := New(Float32, 2, 3, 4)
	cases := []struct {
		axes []int
		keep bool
		want []int
	}{
		{nil, false, []int{}},
		{nil, true, []int{1, 1, 1}},
		{[]int{-1}, false, []int{2, 3}},
		{[]int{0, 2}, true, []int{1, 3, 1}},
		{[]int{2, 0}, false, []int{3}},
	}
	for _, c := range cases {
		if got := Sum(x, c.axes, c.keep).Shape(); !slices.Equal(got, c.want) {
			t.Errorf("Sum(axes %v, keep %v) shape %v, want %v", c.axes, c.keep, got, c.want)
		}
	}
	if err := Catch(func() { Sum(x, []int{3}, false) }); err == nil {
		t.Error("axis 3 of a rank-3 tensor accepted")
	}
	if err := Catch(func() { Sum(x, []int{1, -2}, false) }); err == nil {
		t.Error("repeated axis accepted")
	}
	if err := Catch(func() { MaxIndex(New(Float32, 0, 3), []int{0}, false) }); err == nil {
		t.Error("max over an empty axis accepted")
	}
}

func TestSumToAndBroadcastTo(t *testing.T) {
	x := FromFloat64([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	if got := SumTo(x, 3).Values(); !slices.Equal(got, []float64{5, 7, 9}) {
		t.Errorf("SumTo(3) = %v", got)
	}
	if got := SumTo(x, 2, 1).Values(); !slices.Equal(got, []float64{6, 15}) {
		t.Errorf("SumTo(2,1) = %v", got)
	}
	b := BroadcastTo(FromFloat64([]float64{1, 2}, 2, 1), 2, 3)
	if got := b.Values(); !slices.Equal(got, []float64{1, 1, 1, 2, 2, 2}) {
		t.Errorf("BroadcastTo = %v", got)
	}
}

func BenchmarkSumNHW(b *testing.B) { benchSum(b, []int{64, 14, 14, 64}, []int{0, 1, 2}) }
func BenchmarkSumHW(b *testing.B)  { benchSum(b, []int{64, 14, 14, 64}, []int{1, 2}) }

func benchSum(b *testing.B, shape, axes []int) {
	x := NewRNG(1, 0).Normal(Float32, 0, 1, shape...)
	b.SetBytes(int64(4 * x.Len()))
	for b.Loop() {
		Sum(x, axes, false)
	}
}
