package losses_test

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/losses"
	"github.com/ganlab/ganlab/core/tensor"
)

// The DCGAN discriminator loss on logits, as in the Keras GAN guide.
func ExampleBinaryCrossentropy() {
	bce, err := losses.NewBinaryCrossentropy(true, 0)
	if err != nil {
		panic(err)
	}
	labels := autograd.Const(tensor.FromFloat64([]float64{1, 0}, 2, 1))
	logits := autograd.Const(tensor.FromFloat64([]float64{0, 0}, 2, 1))
	loss, _ := bce.Call(labels, logits)
	fmt.Printf("%.6f\n", loss.Value.Item()) // log 2
	// Output: 0.693147
}

// A WGAN-GP critic loss: Wasserstein term plus 10 times the gradient
// penalty of a linear critic D(x) = x·w, whose input-gradient w has norm 2.
func ExampleGradientPenalty() {
	w := autograd.Param(tensor.FromFloat64([]float64{0, 2, 0}, 3, 1), "w")
	critic := func(x *autograd.Var) (*autograd.Var, error) { return autograd.MatMul(x, w, false, false), nil }
	rng := tensor.NewRNG(0, 0)
	real := autograd.Const(rng.Normal(tensor.Float64, 0, 1, 4, 3))
	fake := autograd.Const(rng.Normal(tensor.Float64, 0, 1, 4, 3))
	gp, _ := losses.GradientPenalty(critic, real, fake, rng, false)
	dReal, _ := critic(real)
	dFake, _ := critic(fake)
	wd, _ := losses.WassersteinD(dReal, dFake)
	loss := autograd.Add(wd, autograd.Scale(gp, 10))
	fmt.Printf("gp = %.6f, loss - wasserstein = %.6f\n", gp.Value.Item(), loss.Value.Item()-wd.Value.Item())
	// Output: gp = 1.000000, loss - wasserstein = 10.000000
}
