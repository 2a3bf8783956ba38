package autograd

import (
	"fmt"
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

// TestLeakyReluInPlace checks where the in-place rectifier reuses its
// input's storage (the output of an op whose rules never read it) and
// where it must not (a leaf, a reshape view), and that its gradients are
// exact to first and second order through a convolution whose output it
// overwrote.
func TestLeakyReluInPlace(t *testing.T) {
	rng := tensor.NewRNG(31, 0)
	p := mustConvParams(t, 4, 5, 3, 3, 2, "same")
	x, k, b := Leaf(randT(rng, 2, 4, 5, 2)), Leaf(randT(rng, 3, 3, 2, 3)), Leaf(randT(rng, 3))

	conv := Conv2DBias(x, k, b, p)
	before := conv.Value.Clone()
	y := LeakyReluInPlace(conv, 0.2)
	if !tensor.SameStorage(y.Value, conv.Value) {
		t.Error("conv output not reused")
	}
	want := tensor.LeakyRelu(before, 0.2)
	for i := range want.Len() {
		if y.Value.At(i) != want.At(i) {
			t.Fatalf("element %d = %v, want %v", i, y.Value.At(i), want.At(i))
		}
	}
	for name, in := range map[string]*Var{"leaf": Leaf(randT(rng, 2, 3)), "reshape": Reshape(MatMul(x, x, true, false), 1, -1)} {
		saved := in.Value.Clone()
		out := ReluInPlace(in)
		if tensor.SameStorage(out.Value, in.Value) {
			t.Errorf("%s: input overwritten", name)
		}
		for i := range saved.Len() {
			if in.Value.At(i) != saved.At(i) {
				t.Fatalf("%s: input changed at %d", name, i)
			}
		}
	}

	f := func(xs []*Var) *Var { return LeakyReluInPlace(Conv2DBias(xs[0], xs[1], xs[2], p), 0.2) }
	inputs := []*tensor.Tensor{randT(rng, 2, 4, 5, 2), randT(rng, 3, 3, 2, 3), randT(rng, 3)}
	if err := CheckGrad(func(xs []*Var) *Var { return sumW(f(xs)) }, inputs...); err != nil {
		t.Fatal("first order:", err)
	}
	sq := func(xs []*Var) *Var { return Square(ReluInPlace(Conv2DBias(xs[0], xs[1], xs[2], p))) }
	if err := CheckGrad(convGradNormSq(sq), inputs...); err != nil {
		t.Fatal("second order:", err)
	}
}

// TestDropoutInPlace checks that dropout overwrites a rectifier's output
// (which overwrote a conv's), and that the gradients of the chain stay
// exact to first and second order: the rectifier's rules read the sign of
// a value dropout has since rescaled or zeroed.
func TestDropoutInPlace(t *testing.T) {
	rng := tensor.NewRNG(32, 0)
	p := mustConvParams(t, 4, 5, 3, 3, 2, "same")
	x, k, b := Leaf(randT(rng, 2, 4, 5, 2)), Leaf(randT(rng, 3, 3, 2, 3)), Leaf(randT(rng, 3))
	conv := Conv2DBias(x, k, b, p)
	if y := DropoutInPlace(LeakyReluInPlace(conv, 0.2), 0.4, tensor.NewRNG(7, 0)); !tensor.SameStorage(y.Value, conv.Value) {
		t.Error("rectifier output not reused")
	}
	leaf := Leaf(randT(rng, 3, 4))
	if y := DropoutInPlace(leaf, 0.4, tensor.NewRNG(7, 0)); tensor.SameStorage(y.Value, leaf.Value) {
		t.Error("a leaf was overwritten")
	}

	chain := func(xs []*Var) *Var {
		return DropoutInPlace(LeakyReluInPlace(Conv2DBias(xs[0], xs[1], xs[2], p), 0.2), 0.4, tensor.NewRNG(7, 0))
	}
	inputs := []*tensor.Tensor{randT(rng, 2, 4, 5, 2), randT(rng, 3, 3, 2, 3), randT(rng, 3)}
	if err := CheckGrad(func(xs []*Var) *Var { return sumW(chain(xs)) }, inputs...); err != nil {
		t.Fatal("first order:", err)
	}
	if err := CheckGrad(convGradNormSq(func(xs []*Var) *Var { return Square(chain(xs)) }), inputs...); err != nil {
		t.Fatal("second order:", err)
	}
}

// TestLeakyGradThirdOrder differentiates a gradient penalty of a leaky
// conv net once more: the rectifier's fused gradient op must be
// differentiable through its own rule.
func TestLeakyGradThirdOrder(t *testing.T) {
	rng := tensor.NewRNG(33, 0)
	p := mustConvParams(t, 3, 3, 2, 2, 2, "same")
	inner := convGradNormSq(func(xs []*Var) *Var { return Square(LeakyRelu(Conv2D(xs[0], xs[1], p), 0.2)) })
	f := func(xs []*Var) *Var {
		g, err := Grad([]*Var{inner(xs)}, xs, nil, true)
		if err != nil {
			panic(err)
		}
		return Add(Sum(Square(g[0]), nil, false), Sum(Square(g[1]), nil, false))
	}
	if err := CheckGrad(f, randT(rng, 1, 3, 3, 1), randT(rng, 2, 2, 1, 2)); err != nil {
		t.Fatal(err)
	}
}

// TestConv2DBiasLeakyRelu checks the fused convolution and rectifier
// against Conv2DBias then LeakyReluInPlace, with and without bias (see
// checkFusedLikeTwoOps).
func TestConv2DBiasLeakyRelu(t *testing.T) {
	rng := tensor.NewRNG(35, 0)
	p := mustConvParams(t, 4, 5, 3, 3, 2, "same")
	inputs := []*tensor.Tensor{randT(rng, 2, 4, 5, 2), randT(rng, 3, 3, 2, 3), randT(rng, 3)}
	for _, slope := range []float64{0, 0.2} {
		for _, withBias := range []bool{true, false} {
			fused := func(xs []*Var) *Var {
				if withBias {
					return Conv2DBiasLeakyRelu(xs[0], xs[1], xs[2], p, slope)
				}
				return Conv2DBiasLeakyRelu(xs[0], xs[1], nil, p, slope)
			}
			twoOps := func(xs []*Var) *Var {
				if withBias {
					return LeakyReluInPlace(Conv2DBias(xs[0], xs[1], xs[2], p), slope)
				}
				return LeakyReluInPlace(Conv2D(xs[0], xs[1], p), slope)
			}
			checkFusedLikeTwoOps(t, fmt.Sprintf("slope %g bias %v", slope, withBias), fused, twoOps, inputs)
		}
	}
}

// checkFusedLikeTwoOps checks a fused op against the chain of ops it
// replaces: the same value and the same gradients, bit for bit, of a
// first-order loss and of a second-order one (a gradient penalty through
// it), and the fused op's own gradients of both by finite differences.
func checkFusedLikeTwoOps(t *testing.T, what string, fused, twoOps func([]*Var) *Var, inputs []*tensor.Tensor) {
	t.Helper()
	for name, wrap := range map[string]func(func([]*Var) *Var) func([]*Var) *Var{
		"first order": func(f func([]*Var) *Var) func([]*Var) *Var { return func(xs []*Var) *Var { return sumW(f(xs)) } },
		"second order": func(f func([]*Var) *Var) func([]*Var) *Var {
			return convGradNormSq(func(xs []*Var) *Var { return Square(f(xs)) })
		},
	} {
		leaves := func() []*Var {
			vs := make([]*Var, len(inputs))
			for i, in := range inputs {
				vs[i] = Leaf(in.Clone())
			}
			return vs
		}
		a, b := leaves(), leaves()
		la, lb := wrap(fused)(a), wrap(twoOps)(b)
		if la.Value.Item() != lb.Value.Item() {
			t.Fatalf("%s %s: %v fused, %v in two ops", what, name, la.Value.Item(), lb.Value.Item())
		}
		ga, err1 := Grad([]*Var{la}, a, nil, false)
		gb, err2 := Grad([]*Var{lb}, b, nil, false)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		for i := range ga {
			for j := range ga[i].Value.Len() {
				if ga[i].Value.At(j) != gb[i].Value.At(j) {
					t.Fatalf("%s %s: gradient %d[%d] %v fused, %v in two ops", what, name, i, j, ga[i].Value.At(j), gb[i].Value.At(j))
				}
			}
		}
		if err := CheckGrad(wrap(fused), inputs...); err != nil {
			t.Fatalf("%s %s: %v", what, name, err)
		}
	}
}
