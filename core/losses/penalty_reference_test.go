package losses

import (
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/internal/refcase"
	"github.com/ganlab/ganlab/core/tensor"
)

// TestWGANGPReference runs this package's penalties on the reference cases'
// conv critic (Conv2D(4, k3, s2, same) + bias → activation → Flatten →
// Dense(1)) and compares values and every critic-weight gradient (second
// order) with the independent reference, at 1e-6: this also shows that
// NormTiny does not measurably move the norms.
func TestWGANGPReference(t *testing.T) {
	acts := map[string]func(*autograd.Var) *autograd.Var{
		"wgan_gp_conv_critic_leaky_relu_0.2": func(x *autograd.Var) *autograd.Var { return autograd.LeakyRelu(x, 0.2) },
		"wgan_gp_conv_critic_tanh":           autograd.Tanh,
	}
	names := []string{"conv_kernel", "conv_bias", "dense_kernel", "dense_bias"}
	for name, act := range acts {
		t.Run(name, func(t *testing.T) {
			c, err := refcase.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			real, fake, alpha := c.Tensor("real"), c.Tensor("fake"), c.Tensor("alpha")
			rs, ks := real.Shape(), c.Tensor("conv_kernel").Shape()
			p, err := tensor.ConvParams(rs[1], rs[2], ks[0], ks[1], 2, 2, "same")
			if err != nil {
				t.Fatal(err)
			}
			w := make([]*autograd.Var, len(names))
			for i, n := range names {
				w[i] = autograd.Param(c.Tensor(n), n)
			}
			critic := func(x *autograd.Var) (*autograd.Var, error) {
				h := act(autograd.Add(autograd.Conv2D(x, w[0], p), w[1]))
				return autograd.Add(autograd.MatMul(autograd.Reshape(h, x.Value.Dim(0), -1), w[2], false, false), w[3]), nil
			}
			check := func(prefix string, v *autograd.Var) {
				t.Helper()
				g, err := autograd.Grad([]*autograd.Var{v}, w, nil, false)
				if err != nil {
					t.Fatal(err)
				}
				for i, n := range names {
					if err := refcase.Compare(prefix+n, g[i].Value, c.Tensor(prefix+n)); err != nil {
						t.Error(err)
					}
				}
			}
			scalar := func(key string) *tensor.Tensor { return tensor.Scalar(tensor.Float64, c.Float(key)) }

			xhat := tensor.Add(tensor.Mul(alpha, real), tensor.Mul(tensor.AddScalar(tensor.Neg(alpha), 1), fake))
			norms, err := GradientNorms(critic, autograd.Const(xhat))
			if err != nil {
				t.Fatal(err)
			}
			if err := refcase.Compare("grad_norms", norms.Value, c.Tensor("grad_norms")); err != nil {
				t.Error(err)
			}
			gp, err := GradientPenaltyAt(critic, autograd.Const(xhat))
			if err != nil {
				t.Fatal(err)
			}
			if err := refcase.Compare("gp", gp.Value, scalar("gp")); err != nil {
				t.Error(err)
			}
			check("dgp_", gp)

			dReal, _ := critic(autograd.Const(real))
			dFake, _ := critic(autograd.Const(fake))
			wd, err := WassersteinD(dReal, dFake)
			if err != nil {
				t.Fatal(err)
			}
			loss := autograd.Add(wd, autograd.Scale(gp, c.Float("loss_weight_gp")))
			if err := refcase.Compare("critic_loss", loss.Value, scalar("critic_loss")); err != nil {
				t.Error(err)
			}
			check("dloss_", loss)

			r1, err := R1Penalty(critic, autograd.Const(real))
			if err != nil {
				t.Fatal(err)
			}
			if err := refcase.Compare("r1_value", r1.Value, scalar("r1_value")); err != nil {
				t.Error(err)
			}
			check("dr1_", r1)
		})
	}
}
