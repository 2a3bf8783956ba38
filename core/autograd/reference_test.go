package autograd

import (
	"testing"

	"github.com/ganlab/ganlab/core/internal/refcase"
	"github.com/ganlab/ganlab/core/tensor"
)

// TestConvReference checks Conv2D and Conv2DTranspose (plus a broadcast
// bias) against the Keras-semantics reference cases: value and the
// gradients of L = sum(y*g) in x, kernel and bias.
func TestConvReference(t *testing.T) {
	for _, name := range []string{
		"conv2d_same_k3s2_even", "conv2d_same_k3s2_odd", "conv2d_same_k4s2", "conv2d_valid_k3s1",
		"conv2d_transpose_same_k3s2", "conv2d_transpose_same_k4s2", "conv2d_transpose_valid_k3s2",
	} {
		t.Run(name, func(t *testing.T) {
			c, err := refcase.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			x, k, b := Leaf(c.Tensor("x")), Leaf(c.Tensor("k")), Leaf(c.Tensor("b"))
			xs, ks := x.Shape(), k.Shape()
			s := int(c.Float("strides"))
			var y *Var
			switch op := c.String("op"); op {
			case "Conv2D":
				p, err := tensor.ConvParams(xs[1], xs[2], ks[0], ks[1], s, s, c.String("padding"))
				if err != nil {
					t.Fatal(err)
				}
				y = Conv2D(x, k, p)
			case "Conv2DTranspose":
				p, oh, ow, err := tensor.ConvTransposeParams(xs[1], xs[2], ks[0], ks[1], s, s, c.String("padding"))
				if err != nil {
					t.Fatal(err)
				}
				y = Conv2DTranspose(x, k, p, oh, ow)
			default:
				t.Fatalf("unknown op %q", op)
			}
			y = Add(y, b)
			loss := Sum(Mul(y, Const(c.Tensor("g"))), nil, false)
			grads, err := Grad([]*Var{loss}, []*Var{x, k, b}, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			compareAll(t, c, map[string]*Var{"y": y, "dx": grads[0], "dk": grads[1], "db": grads[2]})
		})
	}
}

// TestGlobalPoolReference checks the global pools, built as Mean/Max over
// the spatial axes, against the reference.
func TestGlobalPoolReference(t *testing.T) {
	for name, pool := range map[string]func(*Var) *Var{
		"global_avg_pool": func(x *Var) *Var { return Mean(x, []int{1, 2}, false) },
		"global_max_pool": func(x *Var) *Var { return Max(x, []int{1, 2}, false) },
	} {
		t.Run(name, func(t *testing.T) {
			c, err := refcase.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			x := Leaf(c.Tensor("x"))
			y := pool(x)
			grads, err := Grad([]*Var{Sum(Mul(y, Const(c.Tensor("g"))), nil, false)}, []*Var{x}, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			compareAll(t, c, map[string]*Var{"y": y, "dx": grads[0]})
		})
	}
}

func compareAll(t *testing.T, c *refcase.Case, got map[string]*Var) {
	t.Helper()
	for key, v := range got {
		if err := refcase.Compare(c.Name+" "+key, v.Value, c.Tensor(key)); err != nil {
			t.Error(err)
		}
	}
}

func scalarT(v float64) *tensor.Tensor { return tensor.Scalar(tensor.Float64, v) }

// convCritic is the reference cases' critic: Conv2D(4, k3, s2, same) + bias
// → activation → Flatten (NHWC order) → Dense(1).
type convCritic struct {
	ck, cb, dk, db *Var
	act            func(*Var) *Var
	p              tensor.Conv2DParams
}

func (c *convCritic) params() []*Var { return []*Var{c.ck, c.cb, c.dk, c.db} }

func (c *convCritic) apply(x *Var) *Var {
	h := c.act(Add(Conv2D(x, c.ck, c.p), c.cb))
	return Add(MatMul(Reshape(h, x.Shape()[0], -1), c.dk, false, false), c.db)
}

// inputGrad returns ∂ sum(D(x))/∂x, recorded so it can be differentiated.
func (c *convCritic) inputGrad(t *testing.T, x *Var) *Var {
	g, err := Grad([]*Var{Sum(c.apply(x), nil, false)}, []*Var{x}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	return g[0]
}

// TestWGANGPReference checks the gradient penalty, the full critic loss and
// the R1 penalty of a conv critic, and their gradients in every critic
// weight (second order through the convolution), against the reference.
func TestWGANGPReference(t *testing.T) {
	acts := map[string]func(*Var) *Var{
		"wgan_gp_conv_critic_leaky_relu_0.2": func(x *Var) *Var { return LeakyRelu(x, 0.2) },
		"wgan_gp_conv_critic_tanh":           Tanh,
	}
	for name, act := range acts {
		t.Run(name, func(t *testing.T) {
			c, err := refcase.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			real, fake, alpha := c.Tensor("real"), c.Tensor("fake"), c.Tensor("alpha")
			rs := real.Shape()
			ks := c.Tensor("conv_kernel").Shape()
			p, err := tensor.ConvParams(rs[1], rs[2], ks[0], ks[1], 2, 2, "same")
			if err != nil {
				t.Fatal(err)
			}
			D := &convCritic{
				ck: Param(c.Tensor("conv_kernel"), "conv_kernel"), cb: Param(c.Tensor("conv_bias"), "conv_bias"),
				dk: Param(c.Tensor("dense_kernel"), "dense_kernel"), db: Param(c.Tensor("dense_bias"), "dense_bias"),
				act: act, p: p,
			}
			names := []string{"conv_kernel", "conv_bias", "dense_kernel", "dense_bias"}
			check := func(prefix string, v *Var) {
				g, err := Grad([]*Var{v}, D.params(), nil, false)
				if err != nil {
					t.Fatal(err)
				}
				for i, n := range names {
					if err := refcase.Compare(prefix+n, g[i].Value, c.Tensor(prefix+n)); err != nil {
						t.Error(err)
					}
				}
			}

			a := tensor.Mul(alpha, real)
			a.AddInPlace(tensor.Mul(tensor.AddScalar(tensor.Neg(alpha), 1), fake))
			xhat := Leaf(a)
			gx := D.inputGrad(t, xhat)
			norms := Sqrt(Sum(Square(gx), []int{1, 2, 3}, false))
			gp := Mean(Square(AddScalar(norms, -1)), nil, false)
			if err := refcase.Compare("grad_norms", norms.Value, c.Tensor("grad_norms")); err != nil {
				t.Error(err)
			}
			if err := refcase.Compare("gp", gp.Value, scalarT(c.Float("gp"))); err != nil {
				t.Error(err)
			}
			check("dgp_", gp)

			wass := Sub(Mean(D.apply(Const(fake)), nil, false), Mean(D.apply(Const(real)), nil, false))
			loss := Add(wass, Scale(gp, c.Float("loss_weight_gp")))
			if err := refcase.Compare("critic_loss", loss.Value, scalarT(c.Float("critic_loss"))); err != nil {
				t.Error(err)
			}
			check("dloss_", loss)

			gr := D.inputGrad(t, Leaf(real))
			r1 := Mean(Sum(Square(gr), []int{1, 2, 3}, false), nil, false)
			if err := refcase.Compare("r1_value", r1.Value, scalarT(c.Float("r1_value"))); err != nil {
				t.Error(err)
			}
			check("dr1_", r1)
		})
	}
}
