package nn

import (
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// gradCase checks one layer in float64 against finite differences with
// respect to its inputs and its trainable weights; with second set it also
// checks the gradient of Σ‖∂L/∂x‖² with respect to all of them, the
// structure of a gradient penalty.
type gradCase struct {
	name     string
	layer    func() Layer
	shapes   [][]int
	training bool
	second   bool
	prep     func(l Layer) // after Build, e.g. a non-zero gamma
	reset    func(l Layer) // before every evaluation, e.g. the dropout stream
}

func (c gradCase) run(t *testing.T) {
	l := c.layer()
	baseOf(l).SetDType(tensor.Float64)
	if err := buildOf(l, c.shapes); err != nil {
		t.Fatal(err)
	}
	if c.prep != nil {
		c.prep(l)
	}
	var ws []*Weight
	for _, w := range l.Weights() {
		if w.Trainable() {
			ws = append(ws, w)
		}
	}
	nx := len(c.shapes)
	var inputs []*tensor.Tensor
	for i, s := range c.shapes {
		inputs = append(inputs, randn(uint64(10+i), s...))
	}
	for _, w := range ws {
		inputs = append(inputs, w.Value())
	}
	call := func(xs []*autograd.Var) *autograd.Var {
		for i, w := range ws {
			w.Var = xs[nx+i]
		}
		if c.reset != nil {
			c.reset(l)
		}
		y, err := callOf(l, xs[:nx], c.training)
		if err != nil {
			panic(err)
		}
		return sumW(y)
	}
	if err := autograd.CheckGrad(call, inputs...); err != nil {
		t.Errorf("first order: %v", err)
	}
	if !c.second {
		return
	}
	penalty := func(xs []*autograd.Var) *autograd.Var {
		g, err := autograd.Grad([]*autograd.Var{call(xs)}, xs[:nx], nil, true)
		if err != nil {
			panic(err)
		}
		s := autograd.Sum(autograd.Square(g[0]), nil, false)
		for _, gi := range g[1:] {
			s = autograd.Add(s, autograd.Sum(autograd.Square(gi), nil, false))
		}
		return s
	}
	if err := autograd.CheckGrad(penalty, inputs...); err != nil {
		t.Errorf("second order: %v", err)
	}
}

func one(s ...int) [][]int { return [][]int{s} }

func TestLayerGradients(t *testing.T) {
	reseed := func(l Layer) { baseOf(l).SetRNG(tensor.NewRNG(5, 0)) }
	// In training the power iteration runs on the perturbed W too, while
	// autograd holds u and v constant (Keras's stop_gradient). The two agree
	// when u has converged, since σ = vᵀWu is stationary in u and v at the
	// singular vectors: converge u first, then iterate enough each call.
	var savedU *tensor.Tensor
	saveU := func(l Layer) {
		sn := l.(*SpectralNormalization)
		for range 10 {
			sn.normalized(true)
		}
		savedU = sn.u.Value().Clone()
	}
	resetU := func(l Layer) { l.(*SpectralNormalization).u.Value().CopyFrom(savedU) }
	cases := []gradCase{
		{name: "dense", layer: func() Layer { return NewDense(3) }, shapes: one(2, 4), second: true},
		{name: "dense_tanh_rank3", layer: func() Layer { return NewDense(2, Activation("tanh")) }, shapes: one(2, 3, 4), second: true},
		{name: "conv2d_same_s2", layer: func() Layer { return NewConv2D(3, 3, Strides(2), Padding("same"), Activation("tanh")) }, shapes: one(2, 4, 4, 2), second: true},
		{name: "conv2d_valid", layer: func() Layer { return NewConv2D(2, 2, UseBias(false)) }, shapes: one(1, 3, 3, 2), second: true},
		{name: "conv2d_transpose_same", layer: func() Layer { return NewConv2DTranspose(2, 3, Strides(2), Padding("same")) }, shapes: one(1, 3, 3, 2), second: true},
		{name: "conv2d_transpose_valid", layer: func() Layer { return NewConv2DTranspose(2, 3, Strides(2), Activation("sigmoid")) }, shapes: one(1, 2, 2, 2), second: true},
		{name: "batchnorm_train", layer: func() Layer { return NewBatchNormalization() }, shapes: one(4, 2, 2, 3), training: true, second: true},
		{name: "batchnorm_train_axis1", layer: func() Layer { return NewBatchNormalization(Axis(1), Center(false)) }, shapes: one(3, 2, 4), training: true, second: true},
		{name: "batchnorm_infer", layer: func() Layer { return NewBatchNormalization() }, shapes: one(3, 2, 2, 3), prep: func(l Layer) {
			bn := l.(*BatchNormalization)
			bn.movingMean.Value().CopyFrom(randn(3, 3))
			bn.movingVariance.Value().CopyFrom(tensor.FromFloat64([]float64{0.5, 1.5, 2}, 3))
		}},
		{name: "layernorm", layer: func() Layer { return NewLayerNormalization() }, shapes: one(3, 4), second: true},
		{name: "layernorm_2axes", layer: func() Layer { return NewLayerNormalization(Axis(-1, -2)) }, shapes: one(2, 3, 2), second: true},
		{name: "groupnorm", layer: func() Layer { return NewGroupNormalization(2) }, shapes: one(2, 2, 2, 4), second: true},
		{name: "instancenorm", layer: func() Layer { return NewGroupNormalization(3, Scale(false)) }, shapes: one(2, 2, 3, 3), second: true},
		{name: "dropout", layer: func() Layer { return NewDropout(0.4) }, shapes: one(3, 5), training: true, second: true, reset: reseed},
		{name: "relu", layer: func() Layer { return NewReLU() }, shapes: one(2, 6), second: true},
		{name: "leaky_relu", layer: func() Layer { return NewLeakyReLU(0.2) }, shapes: one(2, 6), second: true},
		{name: "sigmoid", layer: func() Layer { return NewActivation("sigmoid") }, shapes: one(2, 6), second: true},
		{name: "tanh", layer: func() Layer { return NewActivation("tanh") }, shapes: one(2, 6), second: true},
		{name: "softplus", layer: func() Layer { return NewActivation("softplus") }, shapes: one(2, 6), second: true},
		{name: "elu", layer: func() Layer { return NewActivation("elu") }, shapes: one(2, 6), second: true},
		{name: "softmax", layer: func() Layer { return NewActivation("softmax") }, shapes: one(2, 6), second: true},
		{name: "linear", layer: func() Layer { return NewActivation("linear") }, shapes: one(2, 6), second: true},
		{name: "flatten", layer: func() Layer { return NewFlatten() }, shapes: one(2, 2, 3), second: true},
		{name: "reshape", layer: func() Layer { return NewReshape([]int{3, -1}) }, shapes: one(2, 6), second: true},
		{name: "concatenate", layer: func() Layer { return NewConcatenate() }, shapes: [][]int{{2, 2, 3}, {2, 2, 1}}, second: true},
		{name: "concatenate_axis1", layer: func() Layer { return NewConcatenate(Axis(1)) }, shapes: [][]int{{2, 1, 3}, {2, 2, 3}}, second: true},
		{name: "max_pool_same", layer: func() Layer { return NewMaxPooling2D(Padding("same")) }, shapes: one(1, 3, 3, 2), second: true},
		{name: "avg_pool", layer: func() Layer { return NewAveragePooling2D(PoolSize(2), Strides(1)) }, shapes: one(1, 3, 3, 2), second: true},
		{name: "avg_pool_same", layer: func() Layer { return NewAveragePooling2D(Padding("same")) }, shapes: one(1, 3, 3, 2), second: true},
		{name: "global_max", layer: func() Layer { return NewGlobalMaxPooling2D() }, shapes: one(2, 2, 3, 2), second: true},
		{name: "global_avg", layer: func() Layer { return NewGlobalAveragePooling2D() }, shapes: one(2, 2, 3, 2), second: true},
		{name: "upsampling_nearest", layer: func() Layer { return NewUpSampling2D() }, shapes: one(1, 2, 2, 2), second: true},
		{name: "upsampling_bilinear", layer: func() Layer { return NewUpSampling2D(Interpolation("bilinear")) }, shapes: one(1, 2, 3, 1), second: true},
		{name: "zero_padding", layer: func() Layer { return NewZeroPadding2D([]int{1, 0, 2, 1}) }, shapes: one(1, 2, 2, 2), second: true},
		{name: "reflection_padding", layer: func() Layer { return NewReflectionPadding2D([]int{1}) }, shapes: one(1, 3, 3, 2), second: true},
		{name: "spectral_dense", layer: func() Layer { return NewSpectralNormalization(NewDense(3), PowerIterations(50)) }, shapes: one(2, 4),
			training: true, second: true, prep: saveU, reset: resetU},
		{name: "spectral_conv2d", layer: func() Layer { return NewSpectralNormalization(NewConv2D(3, 2, Strides(2)), PowerIterations(50)) }, shapes: one(1, 4, 4, 2),
			training: true, second: true, prep: saveU, reset: resetU},
		{name: "spectral_conv2d_infer", layer: func() Layer { return NewSpectralNormalization(NewConv2D(2, 2)) }, shapes: one(1, 3, 3, 2), second: true},
		{name: "self_attention", layer: func() Layer { return NewSelfAttention() }, shapes: one(2, 2, 2, 8), second: true, prep: func(l Layer) {
			l.(*SelfAttention).gamma.Value().Fill(0.7)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

func TestEmbeddingGradient(t *testing.T) {
	l := NewEmbedding(5, 3, DType(tensor.Float64))
	ids := autograd.Const(tensor.FromFloat64([]float64{0, 4, 4, 2}, 2, 2))
	if err := l.Build(ids.Shape()); err != nil {
		t.Fatal(err)
	}
	w := l.embeddings
	err := autograd.CheckGrad(func(xs []*autograd.Var) *autograd.Var {
		w.Var = xs[0]
		return sumW(mustCall(l, ids, true))
	}, w.Value())
	if err != nil {
		t.Fatal(err)
	}
	// Output rows are the embedding rows of the ids.
	y := mustCall(l, ids, false)
	if !tensor.SameShape(y.Shape(), []int{2, 2, 3}) {
		t.Fatalf("shape %v", y.Shape())
	}
	for i, id := range []int{0, 4, 4, 2} {
		for j := 0; j < 3; j++ {
			if got, want := y.Value.At(3*i+j), w.Value().At(3*id+j); got != want {
				t.Errorf("row %d col %d = %v, want %v", i, j, got, want)
			}
		}
	}
}
