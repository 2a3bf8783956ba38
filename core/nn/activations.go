package nn

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
)

// activationFunc returns the function Keras names by an activation string;
// "" and "linear" are the identity.
func activationFunc(name string) (func(*autograd.Var) *autograd.Var, error) {
	switch name {
	case "", "linear":
		return func(x *autograd.Var) *autograd.Var { return x }, nil
	case "relu":
		return autograd.Relu, nil
	case "sigmoid":
		return autograd.Sigmoid, nil
	case "tanh":
		return autograd.Tanh, nil
	case "softplus":
		return autograd.Softplus, nil
	case "elu":
		return func(x *autograd.Var) *autograd.Var { return autograd.Elu(x, 1) }, nil
	case "leaky_relu": // keras.activations.leaky_relu: negative_slope 0.2
		return func(x *autograd.Var) *autograd.Var { return autograd.LeakyRelu(x, 0.2) }, nil
	case "softmax":
		return func(x *autograd.Var) *autograd.Var { return autograd.Softmax(x, -1) }, nil
	}
	return nil, fmt.Errorf("unknown activation %q (want linear, relu, sigmoid, tanh, softplus, elu, leaky_relu or softmax)", name)
}

// elementwise is the shape logic of weightless layers whose output has the
// input's shape.
type elementwise struct{ Base }

func (e *elementwise) shapeOf(in []int) ([]int, error) {
	if err := e.checkRank(in, 1, -1); err != nil {
		return nil, err
	}
	return append([]int(nil), in...), nil
}

// ActivationLayer applies a named activation: keras.layers.Activation.
type ActivationLayer struct {
	elementwise
	activation string
	fn         func(*autograd.Var) *autograd.Var
}

// NewActivation returns Activation(activation), e.g. NewActivation("tanh").
func NewActivation(activation string, opts ...Option) *ActivationLayer {
	l := &ActivationLayer{elementwise: elementwise{NewBase("Activation")}, activation: activation}
	parseArgs(&l.Base, &args{}, nil, opts)
	fn, err := activationFunc(activation)
	if err != nil {
		l.configErr("%v", err)
	}
	l.fn = fn
	return l
}

// Build checks the input shape; the layer has no weights.
func (l *ActivationLayer) Build(in []int) error { return l.build(l, in, func([]int) {}) }

// OutputShape returns the input shape.
func (l *ActivationLayer) OutputShape(in []int) ([]int, error) { return l.shapeOf(in) }

// Call applies the activation.
func (l *ActivationLayer) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var { return l.fn(x) })
}

// Config returns {"activation": ...}.
func (l *ActivationLayer) Config() map[string]any {
	return withBase(&l.Base, map[string]any{"activation": l.activation})
}

func (l *ActivationLayer) String() string { return fmt.Sprintf("Activation(%s)", l.activation) }

// ReLU is keras.layers.ReLU: max(x, 0), or negative_slope·x below 0.
type ReLU struct {
	elementwise
	slope float64
}

// NewReLU returns ReLU(); NegativeSlope makes it leaky.
func NewReLU(opts ...Option) *ReLU {
	l := &ReLU{elementwise: elementwise{NewBase("ReLU")}}
	a := &args{}
	parseArgs(&l.Base, a, []string{"negative_slope"}, opts)
	if a.negativeSlope < 0 {
		l.configErr("negative_slope %v must be >= 0", a.negativeSlope)
	}
	l.slope = a.negativeSlope
	return l
}

// Build checks the input shape; the layer has no weights.
func (l *ReLU) Build(in []int) error { return l.build(l, in, func([]int) {}) }

// OutputShape returns the input shape.
func (l *ReLU) OutputShape(in []int) ([]int, error) { return l.shapeOf(in) }

// Call applies the rectifier.
func (l *ReLU) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		if l.slope == 0 {
			return autograd.Relu(x)
		}
		return autograd.LeakyRelu(x, l.slope)
	})
}

// callInPlace is Call writing the output into x's storage where autograd
// allows it (autograd.LeakyReluInPlace); the caller must not read x again.
func (l *ReLU) callInPlace(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		if l.slope == 0 {
			return autograd.ReluInPlace(x)
		}
		return autograd.LeakyReluInPlace(x, l.slope)
	})
}

// Config returns {"negative_slope": ...}.
func (l *ReLU) Config() map[string]any {
	return withBase(&l.Base, map[string]any{"negative_slope": l.slope})
}

func (l *ReLU) String() string { return "ReLU()" }

// LeakyReLU is keras.layers.LeakyReLU: x above 0, negative_slope·x below.
type LeakyReLU struct {
	elementwise
	slope float64
}

// DefaultNegativeSlope is Keras 3's LeakyReLU default.
const DefaultNegativeSlope = 0.3

// NewLeakyReLU returns LeakyReLU(negative_slope); Keras's default slope is
// DefaultNegativeSlope, the GAN guide uses 0.2.
func NewLeakyReLU(negativeSlope float64, opts ...Option) *LeakyReLU {
	l := &LeakyReLU{elementwise: elementwise{NewBase("LeakyReLU")}, slope: negativeSlope}
	parseArgs(&l.Base, &args{}, nil, opts)
	if negativeSlope < 0 {
		l.configErr("negative_slope %v must be >= 0", negativeSlope)
	}
	return l
}

// Build checks the input shape; the layer has no weights.
func (l *LeakyReLU) Build(in []int) error { return l.build(l, in, func([]int) {}) }

// OutputShape returns the input shape.
func (l *LeakyReLU) OutputShape(in []int) ([]int, error) { return l.shapeOf(in) }

// Call applies the leaky rectifier.
func (l *LeakyReLU) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var { return autograd.LeakyRelu(x, l.slope) })
}

// callInPlace is Call writing the output into x's storage where autograd
// allows it; the caller must not read x again.
func (l *LeakyReLU) callInPlace(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var { return autograd.LeakyReluInPlace(x, l.slope) })
}

// Config returns {"negative_slope": ...}.
func (l *LeakyReLU) Config() map[string]any {
	return withBase(&l.Base, map[string]any{"negative_slope": l.slope})
}

func (l *LeakyReLU) String() string { return fmt.Sprintf("LeakyReLU(%g)", l.slope) }

// withBase adds the arguments every layer has to cfg.
func withBase(b *Base, cfg map[string]any) map[string]any {
	cfg["name"] = b.Name()
	cfg["trainable"] = b.trainable
	cfg["dtype"] = b.dtype.String()
	return cfg
}
