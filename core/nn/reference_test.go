package nn

import (
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/internal/refcase"
	"github.com/ganlab/ganlab/core/tensor"
)

// setWeights copies reference tensors into a built layer's weights by short
// name.
func setWeights(t *testing.T, l Layer, vals map[string]*tensor.Tensor) {
	t.Helper()
	for _, w := range l.Weights() {
		if v, ok := vals[w.name]; ok {
			if !tensor.SameShape(v.Shape(), w.Shape()) {
				t.Fatalf("%s: reference %v, layer %v", w.Name(), v.Shape(), w.Shape())
			}
			w.Value().CopyFrom(v)
		}
	}
}

// checkRef runs y = l(x) on case c and compares y, dx and the gradients of
// L = sum(y·g) with respect to the named weights ("dk" ← kernel...).
func checkRef(t *testing.T, c *refcase.Case, l Layer, training bool, grads map[string]string) {
	t.Helper()
	x := autograd.Leaf(c.Tensor("x"))
	y, err := l.Call(x, training)
	if err != nil {
		t.Fatal(err)
	}
	if err := refcase.Compare(c.Name+" y", y.Value, c.Tensor("y")); err != nil {
		t.Error(err)
	}
	loss := autograd.Sum(autograd.Mul(y, autograd.Const(c.Tensor("g"))), nil, false)
	vars := []*autograd.Var{x}
	keys := []string{"dx"}
	for _, w := range l.Weights() {
		if key, ok := grads[w.name]; ok {
			vars = append(vars, w.Var)
			keys = append(keys, key)
		}
	}
	if len(keys) != len(grads)+1 {
		t.Fatalf("layer has weights %v, want gradients %v", l.Weights(), grads)
	}
	gs, err := autograd.Grad([]*autograd.Var{loss}, vars, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, key := range keys {
		if err := refcase.Compare(c.Name+" "+key, gs[i].Value, c.Tensor(key)); err != nil {
			t.Error(err)
		}
	}
}

func load(t *testing.T, name string) *refcase.Case {
	t.Helper()
	c, err := refcase.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDenseReference(t *testing.T) {
	c := load(t, "dense")
	l := NewDense(c.Tensor("k").Dim(1), DType(tensor.Float64))
	if err := l.Build(c.Tensor("x").Shape()); err != nil {
		t.Fatal(err)
	}
	setWeights(t, l, map[string]*tensor.Tensor{"kernel": c.Tensor("k"), "bias": c.Tensor("b")})
	checkRef(t, c, l, true, map[string]string{"kernel": "dk", "bias": "db"})
}

func TestConvReference(t *testing.T) {
	for _, name := range []string{"conv2d_same_k3s2_even", "conv2d_same_k3s2_odd", "conv2d_same_k4s2", "conv2d_valid_k3s1",
		"conv2d_transpose_same_k3s2", "conv2d_transpose_same_k4s2", "conv2d_transpose_valid_k3s2"} {
		t.Run(name, func(t *testing.T) {
			c := load(t, name)
			k := c.Tensor("k")
			opts := []Option{Strides(int(c.Float("strides"))), Padding(c.String("padding")), DType(tensor.Float64)}
			var l Layer
			if c.String("op") == "Conv2D" {
				l = NewConv2D(k.Dim(3), k.Dim(0), opts...)
			} else {
				l = NewConv2DTranspose(k.Dim(2), k.Dim(0), opts...)
			}
			if err := l.Build(c.Tensor("x").Shape()); err != nil {
				t.Fatal(err)
			}
			setWeights(t, l, map[string]*tensor.Tensor{"kernel": k, "bias": c.Tensor("b")})
			checkRef(t, c, l, true, map[string]string{"kernel": "dk", "bias": "db"})
		})
	}
}

func TestBatchNormalizationReference(t *testing.T) {
	t.Run("train", func(t *testing.T) {
		c := load(t, "batchnorm_train_nhwc")
		l := NewBatchNormalization(Momentum(c.Float("momentum")), Epsilon(c.Float("epsilon")), DType(tensor.Float64))
		if err := l.Build(c.Tensor("x").Shape()); err != nil {
			t.Fatal(err)
		}
		// Moving statistics start at Keras's initial 0 and 1.
		setWeights(t, l, map[string]*tensor.Tensor{"gamma": c.Tensor("gamma"), "beta": c.Tensor("beta")})
		checkRef(t, c, l, true, map[string]string{"gamma": "dgamma", "beta": "dbeta"})
		if err := refcase.Compare("moving_mean", l.movingMean.Value(), c.Tensor("moving_mean_after")); err != nil {
			t.Error(err)
		}
		if err := refcase.Compare("moving_variance", l.movingVariance.Value(), c.Tensor("moving_variance_after")); err != nil {
			t.Error(err)
		}
	})
	t.Run("infer", func(t *testing.T) {
		c := load(t, "batchnorm_infer_nhwc")
		l := NewBatchNormalization(Epsilon(c.Float("epsilon")), DType(tensor.Float64))
		if err := l.Build(c.Tensor("x").Shape()); err != nil {
			t.Fatal(err)
		}
		mm, mv := c.Tensor("moving_mean"), c.Tensor("moving_variance")
		setWeights(t, l, map[string]*tensor.Tensor{"gamma": c.Tensor("gamma"), "beta": c.Tensor("beta"), "moving_mean": mm, "moving_variance": mv})
		checkRef(t, c, l, false, map[string]string{"gamma": "dgamma", "beta": "dbeta"})
		if err := refcase.Compare("moving_mean unchanged", l.movingMean.Value(), mm); err != nil {
			t.Error(err)
		}
	})
}

func TestActivationReference(t *testing.T) {
	cases := []struct {
		name  string
		layer Layer
	}{
		{"relu", NewReLU()},
		{"relu", NewActivation("relu")},
		{"leaky_relu_0.2", NewLeakyReLU(0.2)},
		{"leaky_relu_0.2", NewReLU(NegativeSlope(0.2))},
		{"leaky_relu_0.2", NewActivation("leaky_relu")},
		{"sigmoid", NewActivation("sigmoid")},
		{"tanh", NewActivation("tanh")},
		{"softplus", NewActivation("softplus")},
		{"elu", NewActivation("elu")},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/"+tc.layer.String(), func(t *testing.T) {
			checkRef(t, load(t, tc.name), tc.layer, true, nil)
		})
	}
}

func TestGlobalPoolingReference(t *testing.T) {
	checkRef(t, load(t, "global_max_pool"), NewGlobalMaxPooling2D(), true, nil)
	checkRef(t, load(t, "global_avg_pool"), NewGlobalAveragePooling2D(), true, nil)
}

// TestWGANGPCriticReference builds the reference critic from layers
// (Conv2D → activation → Flatten → Dense(1)) and checks the gradient
// penalty and its gradient with respect to every critic weight: second
// order through the layers.
func TestWGANGPCriticReference(t *testing.T) {
	for name, act := range map[string]Layer{
		"wgan_gp_conv_critic_leaky_relu_0.2": NewLeakyReLU(0.2),
		"wgan_gp_conv_critic_tanh":           NewActivation("tanh"),
	} {
		t.Run(name, func(t *testing.T) {
			c := load(t, name)
			critic := NewSequential("critic", NewInputLayer([]int{8, 8, 1}),
				NewConv2D(4, 3, Strides(2), Padding("same")), act, NewFlatten(), NewDense(1))
			critic.SetDType(tensor.Float64)
			ws := critic.Weights()
			names := []string{"conv_kernel", "conv_bias", "dense_kernel", "dense_bias"}
			vars := make([]*autograd.Var, len(ws))
			for i, w := range ws {
				w.Value().CopyFrom(c.Tensor(names[i]))
				vars[i] = w.Var
			}
			alpha, real, fake := c.Tensor("alpha"), c.Tensor("real"), c.Tensor("fake")
			xhat := autograd.Leaf(tensor.Add(tensor.Mul(alpha, real), tensor.Mul(tensor.AddScalar(tensor.Neg(alpha), 1), fake)))
			d, err := critic.Call(xhat, true)
			if err != nil {
				t.Fatal(err)
			}
			g, err := autograd.Grad([]*autograd.Var{autograd.Sum(d, nil, false)}, []*autograd.Var{xhat}, nil, true)
			if err != nil {
				t.Fatal(err)
			}
			norms := autograd.Sqrt(autograd.Sum(autograd.Square(g[0]), []int{1, 2, 3}, false))
			if err := refcase.Compare("grad_norms", norms.Value, c.Tensor("grad_norms")); err != nil {
				t.Error(err)
			}
			gp := autograd.Mean(autograd.Square(autograd.AddScalar(norms, -1)), nil, false)
			if err := refcase.Compare("gp", gp.Value, tensor.Scalar(tensor.Float64, c.Float("gp"))); err != nil {
				t.Error(err)
			}
			grads, err := autograd.Grad([]*autograd.Var{gp}, vars, nil, false)
			if err != nil {
				t.Fatal(err)
			}
			for i, n := range names {
				if err := refcase.Compare("dgp_"+n, grads[i].Value, c.Tensor("dgp_"+n)); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
