package nn

import (
	"math"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// TestSequentialInPlaceMatchesLayerByLayer checks that a Sequential whose
// rectifiers overwrite the previous layer's output, or run inside the
// convolution before them, gives the bits of the same layers called one
// by one (no storage reused): outputs and the gradients of every weight.
func TestSequentialInPlaceMatchesLayerByLayer(t *testing.T) {
	net := func() *Sequential { // two identical nets: same seed, same weights and dropout masks
		s := NewSequential("net", NewInputLayer([]int{8, 8, 3}),
			NewConv2D(4, 3, Padding("same")), NewLeakyReLU(0.2), NewDropout(0.3),
			NewConv2D(6, 3, Strides(2), Padding("same")), NewBatchNormalization(), NewReLU(),
			NewFlatten(), NewDense(5), NewReLU(), NewDense(1))
		s.SetSeed(5)
		return s
	}
	x := autograd.Const(tensor.NewRNG(2, 0).Normal(tensor.Float32, 0, 1, 4, 8, 8, 3))
	run := func(s *Sequential, call func() (*autograd.Var, error)) (*tensor.Tensor, []*tensor.Tensor) {
		y, err := call()
		if err != nil {
			t.Fatal(err)
		}
		var ws []*autograd.Var
		for _, w := range s.TrainableWeights() {
			ws = append(ws, w.Var)
		}
		gs, err := autograd.Grad([]*autograd.Var{autograd.Sum(autograd.Square(y), nil, false)}, ws, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		out := []*tensor.Tensor{}
		for _, g := range gs {
			out = append(out, g.Value)
		}
		return y.Value, out
	}
	s1, s2 := net(), net()
	y1, g1 := run(s1, func() (*autograd.Var, error) { return s1.Call(x, true) })
	y2, g2 := run(s2, func() (*autograd.Var, error) {
		if err := s2.Build(x.Shape()); err != nil {
			return nil, err
		}
		h := x
		for _, l := range s2.layers {
			var err error
			if h, err = l.Call(h, true); err != nil {
				return nil, err
			}
		}
		return h, nil
	})
	same := func(what string, a, b *tensor.Tensor) {
		for i := range a.Len() {
			if math.Float64bits(a.At(i)) != math.Float64bits(b.At(i)) {
				t.Fatalf("%s element %d: %v in place, %v layer by layer", what, i, a.At(i), b.At(i))
			}
		}
	}
	same("output", y1, y2)
	for i := range g1 {
		same(s1.TrainableWeights()[i].Name(), g1[i], g2[i])
	}
	if _, ok := s1.fusableRectifier(0); !ok {
		t.Error("Conv2D then LeakyReLU: rectifier not fused")
	}
}

// TestFusableRectifier checks which layer pairs Sequential fuses: a
// Conv2D without activation or a BatchNormalization, and a ReLU or
// LeakyReLU after it.
func TestFusableRectifier(t *testing.T) {
	s := NewSequential("s", NewConv2D(2, 3), NewReLU(NegativeSlope(0.1)), NewConv2D(2, 3, Activation("relu")), NewLeakyReLU(0.2),
		NewConv2D(2, 3), NewDropout(0.5), NewLeakyReLU(0.2), NewDense(3), NewReLU(), NewBatchNormalization(), NewReLU(NegativeSlope(0.1)), NewConv2D(2, 1))
	for i, want := range []bool{true, false, false, false, false, false, false, false, false, true, false, false} {
		slope, got := s.fusableRectifier(i)
		if got != want {
			t.Errorf("layer %d (%v): fused %v, want %v", i, s.layers[i], got, want)
		}
		if got && slope != 0.1 {
			t.Errorf("layer %d: slope %v, want 0.1", i, slope)
		}
	}
}

// TestSequentialNeverOverwritesItsInput feeds a Sequential whose first
// layers pass their input through an input the caller made with a conv,
// which autograd would allow to be overwritten: the Sequential must not.
func TestSequentialNeverOverwritesItsInput(t *testing.T) {
	rng := tensor.NewRNG(3, 0)
	x := autograd.Conv2D(autograd.Const(rng.Normal(tensor.Float32, 0, 1, 2, 4, 4, 2)),
		autograd.Const(rng.Normal(tensor.Float32, 0, 1, 3, 3, 2, 2)), tensor.Conv2DParams{StrideH: 1, StrideW: 1, PadTop: 1, PadBottom: 1, PadLeft: 1, PadRight: 1})
	saved := x.Value.Clone()
	s := NewSequential("pass", NewInputLayer([]int{4, 4, 2}), NewDropout(0.5), NewReLU(), NewLeakyReLU(0.1))
	if _, err := s.Call(x, false); err != nil { // inference: Dropout returns x itself
		t.Fatal(err)
	}
	for i := range saved.Len() {
		if x.Value.At(i) != saved.At(i) {
			t.Fatalf("the caller's input changed at %d", i)
		}
	}
}
