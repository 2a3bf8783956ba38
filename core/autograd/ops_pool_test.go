package autograd

import (
	"errors"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

type poolGradCase struct {
	name string
	f    func(*Var) *Var
	x    *tensor.Tensor
}

func poolGradCases(t *testing.T, rng *tensor.RNG) []poolGradCase {
	same := mustConvParams(t, 5, 4, 3, 2, 2, "same")
	asym := tensor.Conv2DParams{PadTop: 1, PadBottom: 0, PadLeft: 0, PadRight: 2}
	return []poolGradCase{
		{"max_valid_2x2", func(x *Var) *Var { return MaxPool2D(x, 2, 2, 2, 2, tensor.Conv2DParams{}) }, randT(rng, 2, 4, 4, 2)},
		{"max_same_3x2", func(x *Var) *Var { return MaxPool2D(x, 3, 2, 2, 2, same) }, randT(rng, 1, 5, 4, 3)},
		{"avg_valid_2x2", func(x *Var) *Var { return AvgPool2D(x, 2, 2, 2, 2, tensor.Conv2DParams{}) }, randT(rng, 2, 4, 5, 2)},
		{"avg_same_3x2", func(x *Var) *Var { return AvgPool2D(x, 3, 2, 2, 2, same) }, randT(rng, 1, 5, 4, 3)},
		{"avg_asym_overlap", func(x *Var) *Var { return AvgPool2D(x, 2, 3, 1, 2, asym) }, randT(rng, 1, 3, 4, 2)},
		{"nearest_2x3", func(x *Var) *Var { return UpSampling2D(x, 2, 3, "nearest") }, randT(rng, 2, 2, 3, 2)},
		{"bilinear_2x2", func(x *Var) *Var { return UpSampling2D(x, 2, 2, "bilinear") }, randT(rng, 1, 3, 2, 2)},
		{"bilinear_3x1", func(x *Var) *Var { return UpSampling2D(x, 3, 1, "bilinear") }, randT(rng, 2, 2, 3, 1)},
	}
}

func TestPoolFirstOrder(t *testing.T) {
	rng := tensor.NewRNG(21, 0)
	for _, c := range poolGradCases(t, rng) {
		t.Run(c.name, func(t *testing.T) {
			if err := CheckGrad(func(xs []*Var) *Var { return sumW(c.f(xs[0])) }, c.x); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestPoolSecondOrder composes each pool with a nonlinearity so that the
// squared gradient norm depends on x (a linear op alone has a constant
// gradient, which would test nothing).
func TestPoolSecondOrder(t *testing.T) {
	rng := tensor.NewRNG(22, 0)
	same := mustConvParams(t, 5, 4, 3, 2, 2, "same")
	cases := []poolGradCase{
		{"avg_same_tanh", func(x *Var) *Var { return Tanh(AvgPool2D(x, 3, 2, 2, 2, same)) }, randT(rng, 1, 5, 4, 2)},
		{"tanh_avg_valid", func(x *Var) *Var { return AvgPool2D(Tanh(x), 2, 2, 1, 2, tensor.Conv2DParams{}) }, randT(rng, 2, 3, 4, 1)},
		{"max_of_square", func(x *Var) *Var { return MaxPool2D(Square(x), 3, 2, 2, 2, same) }, randT(rng, 1, 5, 4, 2)},
		{"bilinear_tanh", func(x *Var) *Var { return Tanh(UpSampling2D(x, 2, 3, "bilinear")) }, randT(rng, 1, 3, 2, 2)},
		{"nearest_tanh", func(x *Var) *Var { return Tanh(UpSampling2D(x, 2, 2, "nearest")) }, randT(rng, 1, 2, 2, 2)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := CheckGrad(gradNormSq(c.f), c.x); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestUpSamplingBadInterpolation(t *testing.T) {
	x := Leaf(tensor.New(tensor.Float32, 1, 2, 2, 1))
	err := tensor.Catch(func() { UpSampling2D(x, 2, 2, "bicubic") })
	var te *tensor.Error
	if !errors.As(err, &te) || te.Op != "upsampling2d" || !strings.Contains(te.Msg, `"bicubic"`) {
		t.Errorf("error %v, want a *tensor.Error from upsampling2d naming \"bicubic\"", err)
	}
}
