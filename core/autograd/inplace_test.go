package autograd

import (
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
// against Conv2DBias then LeakyReluInPlace: the same values and the same
// gradients, bit for bit, to first and second order, with and without
// bias; and its own gradients by finite differences to second order.
func TestConv2DBiasLeakyRelu(t *testing.T) {
	rng := tensor.NewRNG(35, 0)
	p := mustConvParams(t, 4, 5, 3, 3, 2, "same")
	inputs := []*tensor.Tensor{randT(rng, 2, 4, 5, 2), randT(rng, 3, 3, 2, 3), randT(rng, 3)}
	for _, slope := range []float64{0, 0.2} {
		for _, withBias := range []bool{true, false} {
			bias := func(xs []*Var) *Var {
				if withBias {
					return xs[2]
				}
				return nil
			}
			fused := func(xs []*Var) *Var { return Conv2DBiasLeakyRelu(xs[0], xs[1], bias(xs), p, slope) }
			twoOps := func(xs []*Var) *Var {
				if withBias {
					return LeakyReluInPlace(Conv2DBias(xs[0], xs[1], xs[2], p), slope)
				}
				return LeakyReluInPlace(Conv2D(xs[0], xs[1], p), slope)
			}
			for name, f := range map[string]func(func([]*Var) *Var) func([]*Var) *Var{
				"value": func(g func([]*Var) *Var) func([]*Var) *Var { return func(xs []*Var) *Var { return sumW(g(xs)) } },
				"second order": func(g func([]*Var) *Var) func([]*Var) *Var {
					return convGradNormSq(func(xs []*Var) *Var { return Square(g(xs)) })
				},
			} {
				leaves := func() []*Var {
					return []*Var{Leaf(inputs[0].Clone()), Leaf(inputs[1].Clone()), Leaf(inputs[2].Clone())}
				}
				a, b := leaves(), leaves()
				la, lb := f(fused)(a), f(twoOps)(b)
				if la.Value.Item() != lb.Value.Item() {
					t.Fatalf("slope %g bias %v %s: %v fused, %v in two ops", slope, withBias, name, la.Value.Item(), lb.Value.Item())
				}
				ga, err1 := Grad([]*Var{la}, a, nil, false)
				gb, err2 := Grad([]*Var{lb}, b, nil, false)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				for i := range ga {
					for j := range ga[i].Value.Len() {
						if ga[i].Value.At(j) != gb[i].Value.At(j) {
							t.Fatalf("slope %g bias %v %s: gradient %d[%d] %v fused, %v in two ops", slope, withBias, name, i, j, ga[i].Value.At(j), gb[i].Value.At(j))
						}
					}
				}
				if err := CheckGrad(f(fused), inputs...); err != nil {
					t.Fatalf("slope %g bias %v %s: %v", slope, withBias, name, err)
				}
			}
		}
	}
}
