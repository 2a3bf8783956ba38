package tensor

import (
	"slices"
	"testing"
)

func unravelIdx(flat int, shape []int) []int {
	idx := make([]int, len(shape))
	for ax := len(shape) - 1; ax >= 0; ax-- {
		idx[ax] = flat % shape[ax]
		flat /= shape[ax]
	}
	return idx
}

func ravelIdx(idx, shape []int) int {
	flat := 0
	for i, d := range shape {
		flat = flat*d + idx[i]
	}
	return flat
}

func TestPermuteAgainstNaive(t *testing.T) {
	rng := NewRNG(5, 0)
	cases := []struct {
		shape, perm []int
	}{
		{[]int{2, 3}, []int{1, 0}},
		{[]int{2, 3, 4}, []int{2, 0, 1}},
		{[]int{2, 3, 4, 5}, []int{0, 3, 1, 2}},
		{[]int{2, 1, 4, 3}, []int{3, 2, 1, 0}},
		{[]int{3, 4, 5}, []int{0, 1, 2}},
	}
	for _, c := range cases {
		x := rng.Normal(Float64, 0, 1, c.shape...)
		got := Permute(x, c.perm...)
		for flat := 0; flat < got.Len(); flat++ {
			oi := unravelIdx(flat, got.Shape())
			ii := make([]int, len(oi))
			for i, p := range c.perm {
				ii[p] = oi[i]
			}
			if got.At(flat) != x.At(ravelIdx(ii, c.shape)) {
				t.Fatalf("permute %v %v: element %v wrong", c.shape, c.perm, oi)
			}
		}
	}
}

func TestPadReflectMatchesNumPy(t *testing.T) {
	// np.pad([1,2,3,4], (2,3), mode="reflect") = [3 2 1 2 3 4 3 2 1]
	x := FromFloat64([]float64{1, 2, 3, 4}, 4)
	got := Pad(x, []int{2}, []int{3}, PadReflect).Values()
	if want := []float64{3, 2, 1, 2, 3, 4, 3, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("reflect pad = %v, want %v", got, want)
	}
	got = Pad(x, []int{1}, []int{2}, PadZero).Values()
	if want := []float64{0, 1, 2, 3, 4, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("zero pad = %v, want %v", got, want)
	}
	// 2-D reflect: rows and columns mirror independently.
	m := FromFloat64([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	got = Pad(m, []int{1, 1}, []int{0, 1}, PadReflect).Values()
	want := []float64{
		5, 4, 5, 6, 5,
		2, 1, 2, 3, 2,
		5, 4, 5, 6, 5,
	}
	if !slices.Equal(got, want) {
		t.Errorf("2-D reflect pad = %v, want %v", got, want)
	}
	if err := Catch(func() { Pad(x, []int{4}, []int{0}, PadReflect) }); err == nil {
		t.Error("reflect pad wider than the axis accepted")
	}
}

func TestSliceAndConcat(t *testing.T) {
	x := FromFloat64([]float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 3, 4)
	got := Slice(x, []int{1, 1}, []int{3, 3}).Values()
	if want := []float64{5, 6, 9, 10}; !slices.Equal(got, want) {
		t.Errorf("slice = %v, want %v", got, want)
	}
	a := FromFloat64([]float64{1, 2, 3, 4}, 2, 2)
	b := FromFloat64([]float64{5, 6}, 2, 1)
	got = Concat(1, a, b).Values()
	if want := []float64{1, 2, 5, 3, 4, 6}; !slices.Equal(got, want) {
		t.Errorf("concat axis 1 = %v, want %v", got, want)
	}
	got = Concat(0, a, FromFloat64([]float64{7, 8}, 1, 2)).Values()
	if want := []float64{1, 2, 3, 4, 7, 8}; !slices.Equal(got, want) {
		t.Errorf("concat axis 0 = %v, want %v", got, want)
	}
	if err := Catch(func() { Concat(0, a, b) }); err == nil {
		t.Error("concat of mismatched shapes accepted")
	}
	if err := Catch(func() { Slice(x, []int{0, 2}, []int{3, 5}) }); err == nil {
		t.Error("slice past the end accepted")
	}
}

// TestMapScatterIsAdjoint checks <Gather(x), y> = <x, Scatter(y)> for the
// maps that slicing and padding use: the identity that makes MapScatter a
// correct gradient of MapGather.
func TestMapScatterIsAdjoint(t *testing.T) {
	rng := NewRNG(9, 0)
	shape := []int{2, 5, 4, 3}
	maps := []AxisMap{
		SliceMap(shape, []int{0, 1, 1, 0}, []int{2, 4, 4, 3}),
		PadMap(shape, []int{0, 2, 1, 0}, []int{0, 1, 3, 0}, PadZero),
		PadMap(shape, []int{0, 3, 2, 0}, []int{0, 2, 3, 1}, PadReflect),
	}
	for i, m := range maps {
		x := rng.Normal(Float64, 0, 1, shape...)
		y := rng.Normal(Float64, 0, 1, m.OutShape()...)
		lhs := Sum(Mul(MapGather(x, m), y), nil, false).Item()
		rhs := Sum(Mul(x, MapScatter(y, m)), nil, false).Item()
		if d := lhs - rhs; d > 1e-12 || d < -1e-12 {
			t.Errorf("map %d: <Ax,y> = %v, <x,A'y> = %v", i, lhs, rhs)
		}
	}
}

func TestReshape(t *testing.T) {
	x := New(Float32, 2, 3, 4)
	if got := x.Reshape(-1, 4).Shape(); !slices.Equal(got, []int{6, 4}) {
		t.Errorf("reshape(-1,4) = %v", got)
	}
	for _, bad := range [][]int{{5, -1}, {-1, -1}, {7}} {
		if err := Catch(func() { x.Reshape(bad...) }); err == nil {
			t.Errorf("reshape to %v accepted", bad)
		}
	}
}

func TestRNGIsSeeded(t *testing.T) {
	a := NewRNG(42, 1).Normal(Float32, 0, 1, 100).Values()
	b := NewRNG(42, 1).Normal(Float32, 0, 1, 100).Values()
	c := NewRNG(42, 2).Normal(Float32, 0, 1, 100).Values()
	if !slices.Equal(a, b) {
		t.Error("same seed and stream gave different numbers")
	}
	if slices.Equal(a, c) {
		t.Error("different streams gave the same numbers")
	}
	g := NewRNG(1, 0)
	g.Normal(Float64, 0, 1, 10)
	state, err := g.State()
	if err != nil {
		t.Fatal(err)
	}
	want := g.Uniform(Float64, 0, 1, 5).Values()
	h := NewRNG(99, 9)
	if err := h.SetState(state); err != nil {
		t.Fatal(err)
	}
	if got := h.Uniform(Float64, 0, 1, 5).Values(); !slices.Equal(got, want) {
		t.Errorf("restored stream gave %v, want %v", got, want)
	}
}

func TestRNGDistributions(t *testing.T) {
	g := NewRNG(3, 0)
	n := 200000
	stats := func(v []float64) (mean, variance, lo, hi float64) {
		lo, hi = v[0], v[0]
		for _, x := range v {
			mean += x
			lo, hi = min(lo, x), max(hi, x)
		}
		mean /= float64(len(v))
		for _, x := range v {
			variance += (x - mean) * (x - mean)
		}
		return mean, variance / float64(len(v)), lo, hi
	}
	m, v, _, _ := stats(g.Normal(Float64, 1, 2, n).Values())
	if absDiff(m-1) > 0.02 || absDiff(v-4) > 0.05 {
		t.Errorf("normal(1,2): mean %v var %v", m, v)
	}
	m, v, lo, hi := stats(g.Uniform(Float64, -1, 3, n).Values())
	if absDiff(m-1) > 0.02 || absDiff(v-16.0/12) > 0.02 || lo < -1 || hi >= 3 {
		t.Errorf("uniform(-1,3): mean %v var %v range [%v,%v]", m, v, lo, hi)
	}
	m, _, _, _ = stats(g.Bernoulli(Float64, 0.3, n).Values())
	if absDiff(m-0.3) > 0.01 {
		t.Errorf("bernoulli(0.3): mean %v", m)
	}
	// Truncated at 2σ: variance of a standard normal truncated to [-2,2] is 0.7737.
	m, v, lo, hi = stats(g.TruncatedNormal(Float64, 0, 1, n).Values())
	if absDiff(m) > 0.01 || absDiff(v-0.7737) > 0.01 || lo < -2 || hi > 2 {
		t.Errorf("truncated normal: mean %v var %v range [%v,%v]", m, v, lo, hi)
	}
}

func absDiff(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
