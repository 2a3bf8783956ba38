package autograd

import (
	"errors"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

// convGradNormSq is gradNormSq over every input: Σᵢ ‖∂ sumW(f(xs))/∂xsᵢ‖²,
// so checking its gradient checks all second-order terms, including the
// mixed ones between image and kernel.
func convGradNormSq(f func(xs []*Var) *Var) func(xs []*Var) *Var {
	return func(xs []*Var) *Var {
		g, err := Grad([]*Var{sumW(f(xs))}, xs, nil, true)
		if err != nil {
			panic(err)
		}
		total := Sum(Square(g[0]), nil, false)
		for _, gi := range g[1:] {
			total = Add(total, Sum(Square(gi), nil, false))
		}
		return total
	}
}

func mustConvParams(t *testing.T, h, w, kh, kw, s int, padding string) tensor.Conv2DParams {
	t.Helper()
	p, err := tensor.ConvParams(h, w, kh, kw, s, s, padding)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type convGradCase struct {
	name   string
	f      func(xs []*Var) *Var
	inputs []*tensor.Tensor
}

func convGradCases(t *testing.T, rng *tensor.RNG, act func(*Var) *Var) []convGradCase {
	asym := tensor.Conv2DParams{StrideH: 2, StrideW: 1, PadTop: 0, PadBottom: 2, PadLeft: 1, PadRight: 0}
	pt, oh, ow, err := tensor.ConvTransposeParams(3, 2, 3, 3, 2, 2, "same")
	if err != nil {
		t.Fatal(err)
	}
	pv, vh, vw, err := tensor.ConvTransposeParams(2, 3, 3, 2, 2, 2, "valid")
	if err != nil {
		t.Fatal(err)
	}
	conv := func(p tensor.Conv2DParams) func(xs []*Var) *Var {
		return func(xs []*Var) *Var { return act(Conv2D(xs[0], xs[1], p)) }
	}
	return []convGradCase{
		{"conv_same_k3s2", conv(mustConvParams(t, 4, 5, 3, 3, 2, "same")), []*tensor.Tensor{randT(rng, 2, 4, 5, 2), randT(rng, 3, 3, 2, 3)}},
		{"conv_valid_k2s1", conv(mustConvParams(t, 3, 3, 2, 2, 1, "valid")), []*tensor.Tensor{randT(rng, 1, 3, 3, 2), randT(rng, 2, 2, 2, 2)}},
		{"conv_asym_pad", conv(asym), []*tensor.Tensor{randT(rng, 1, 4, 3, 1), randT(rng, 3, 2, 1, 2)}},
		{"conv_pointwise", conv(tensor.Conv2DParams{StrideH: 1, StrideW: 1}), []*tensor.Tensor{randT(rng, 2, 2, 3, 3), randT(rng, 1, 1, 3, 2)}},
		{"conv_transpose_same_k3s2", func(xs []*Var) *Var { return act(Conv2DTranspose(xs[0], xs[1], pt, oh, ow)) },
			[]*tensor.Tensor{randT(rng, 1, 3, 2, 2), randT(rng, 3, 3, 2, 2)}},
		{"conv_transpose_valid_k3x2s2", func(xs []*Var) *Var { return act(Conv2DTranspose(xs[0], xs[1], pv, vh, vw)) },
			[]*tensor.Tensor{randT(rng, 2, 2, 3, 1), randT(rng, 3, 2, 3, 1)}},
		{"conv_bias_same_k3s2", func(xs []*Var) *Var {
			return act(Conv2DBias(xs[0], xs[1], xs[2], mustConvParams(t, 4, 5, 3, 3, 2, "same")))
		},
			[]*tensor.Tensor{randT(rng, 2, 4, 5, 2), randT(rng, 3, 3, 2, 3), randT(rng, 3)}},
		{"conv_bias_pointwise", func(xs []*Var) *Var {
			return act(Conv2DBias(xs[0], xs[1], xs[2], tensor.Conv2DParams{StrideH: 1, StrideW: 1}))
		},
			[]*tensor.Tensor{randT(rng, 2, 2, 3, 3), randT(rng, 1, 1, 3, 2), randT(rng, 2)}},
		{"conv_transpose_bias_same_k3s2", func(xs []*Var) *Var { return act(Conv2DTransposeBias(xs[0], xs[1], xs[2], pt, oh, ow)) },
			[]*tensor.Tensor{randT(rng, 1, 3, 2, 2), randT(rng, 3, 3, 2, 2), randT(rng, 2)}},
		{"conv_transpose_bias_valid_k3x2s2", func(xs []*Var) *Var { return act(Conv2DTransposeBias(xs[0], xs[1], xs[2], pv, vh, vw)) },
			[]*tensor.Tensor{randT(rng, 2, 2, 3, 1), randT(rng, 3, 2, 3, 1), randT(rng, 3)}},
		// Few output channels from many input channels: the narrow path.
		{"conv_narrow_same_k3s1", conv(mustConvParams(t, 4, 5, 3, 3, 1, "same")), []*tensor.Tensor{randT(rng, 2, 4, 5, 8), randT(rng, 3, 3, 8, 1)}},
		{"conv_narrow_bias_same_k3s2", func(xs []*Var) *Var {
			return act(Conv2DBias(xs[0], xs[1], xs[2], mustConvParams(t, 4, 5, 3, 3, 2, "same")))
		},
			[]*tensor.Tensor{randT(rng, 1, 4, 5, 16), randT(rng, 3, 3, 16, 2), randT(rng, 2)}},
		{"conv_transpose_narrow_same_k3s2", func(xs []*Var) *Var { return act(Conv2DTranspose(xs[0], xs[1], pt, oh, ow)) },
			[]*tensor.Tensor{randT(rng, 1, 3, 2, 1), randT(rng, 3, 3, 8, 1)}},
	}
}

func TestConvFirstOrder(t *testing.T) {
	rng := tensor.NewRNG(11, 0)
	for _, c := range convGradCases(t, rng, func(v *Var) *Var { return v }) {
		t.Run(c.name, func(t *testing.T) {
			if err := CheckGrad(func(xs []*Var) *Var { return sumW(c.f(xs)) }, c.inputs...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestConvSecondOrder differentiates the squared gradient norm of
// conv→tanh in both image and kernel: the backward ops' own backwards.
func TestConvSecondOrder(t *testing.T) {
	rng := tensor.NewRNG(12, 0)
	for _, c := range convGradCases(t, rng, Tanh) {
		t.Run(c.name, func(t *testing.T) {
			if err := CheckGrad(convGradNormSq(c.f), c.inputs...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestConvThirdOrder goes one level further on a tiny case: the closed set
// of conv ops keeps every order differentiable.
func TestConvThirdOrder(t *testing.T) {
	rng := tensor.NewRNG(13, 0)
	p := mustConvParams(t, 3, 3, 2, 2, 2, "same")
	inner := convGradNormSq(func(xs []*Var) *Var { return Tanh(Conv2D(xs[0], xs[1], p)) })
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

func TestConvOpErrors(t *testing.T) {
	x := Leaf(tensor.New(tensor.Float64, 1, 4, 4, 2))
	k := Leaf(tensor.New(tensor.Float64, 3, 3, 2, 2))
	p := tensor.Conv2DParams{StrideH: 1, StrideW: 1}
	for name, fn := range map[string]func(){
		"conv2d":           func() { Conv2D(Reshape(x, 4, 4, 2), k, p) },
		"conv2d_transpose": func() { Conv2DTranspose(x, Reshape(k, 9, 2, 2), p, 6, 6) },
	} {
		err := tensor.Catch(fn)
		var te *tensor.Error
		if !errors.As(err, &te) || !strings.HasPrefix(te.Op, name) {
			t.Errorf("%s: error %v, want a *tensor.Error from %s", name, err, name)
		}
	}
}
