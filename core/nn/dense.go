package nn

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
)

// Dense is keras.layers.Dense: y = activation(x·kernel + bias) on the last
// axis, kernel (in, units).
type Dense struct {
	Base
	units        int
	activation   string
	act          func(*autograd.Var) *autograd.Var
	useBias      bool
	kernelInit   Initializer
	biasInit     Initializer
	kernel, bias *Weight
}

// NewDense returns Dense(units); options: Activation, UseBias,
// KernelInitializer, BiasInitializer.
func NewDense(units int, opts ...Option) *Dense {
	l := &Dense{Base: NewBase("Dense"), units: units}
	a := &args{useBias: true, kernelInit: GlorotUniform(), biasInit: Zeros()}
	parseArgs(&l.Base, a, []string{"activation", "use_bias", "kernel_initializer", "bias_initializer"}, opts)
	l.activation, l.useBias, l.kernelInit, l.biasInit = a.activation, a.useBias, a.kernelInit, a.biasInit
	if units <= 0 {
		l.configErr("units must be positive, got %d", units)
	}
	act, err := activationFunc(a.activation)
	if err != nil {
		l.configErr("%v", err)
	}
	l.act = act
	return l
}

// OutputShape replaces the last axis by units.
func (l *Dense) OutputShape(in []int) ([]int, error) {
	if err := l.checkRank(in, 2, -1); err != nil {
		return nil, err
	}
	if l.kernel != nil && in[len(in)-1] != l.kernel.Shape()[0] {
		return nil, l.errorf("input shape %v: last axis %d, but the layer was built for %d", in, in[len(in)-1], l.kernel.Shape()[0])
	}
	out := append([]int(nil), in...)
	out[len(out)-1] = l.units
	return out, nil
}

// Build creates kernel (in, units) and bias (units).
func (l *Dense) Build(in []int) error {
	return l.build(l, in, func(in []int) {
		l.kernel = l.AddWeight("kernel", []int{in[len(in)-1], l.units}, l.kernelInit, true)
		if l.useBias {
			l.bias = l.AddWeight("bias", []int{l.units}, l.biasInit, true)
		}
	})
}

// Call computes activation(x·kernel + bias).
func (l *Dense) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var { return l.apply(x, l.kernel.Var) })
}

func (l *Dense) kernelWeight() *Weight { return l.kernel }

// apply runs the layer with kernel k (SpectralNormalization passes W/σ).
func (l *Dense) apply(x, k *autograd.Var) *autograd.Var {
	in := x.Shape()
	y := x
	if len(in) != 2 {
		y = autograd.Reshape(x, -1, in[len(in)-1])
	}
	y = autograd.MatMul(y, k, false, false)
	if l.bias != nil {
		y = autograd.Add(y, l.bias.Var)
	}
	if len(in) != 2 {
		out := append([]int(nil), in...)
		out[len(out)-1] = l.units
		y = autograd.Reshape(y, out...)
	}
	return l.act(y)
}

// Config returns Keras's Dense arguments.
func (l *Dense) Config() map[string]any {
	return withBase(&l.Base, map[string]any{
		"units": l.units, "activation": orLinear(l.activation), "use_bias": l.useBias,
		"kernel_initializer": l.kernelInit.Config(), "bias_initializer": l.biasInit.Config(),
	})
}

func (l *Dense) String() string {
	if l.kernel == nil {
		return fmt.Sprintf("Dense(? -> %d)", l.units)
	}
	return fmt.Sprintf("Dense(%d -> %d)", l.kernel.Shape()[0], l.units)
}

func orLinear(activation string) string {
	if activation == "" {
		return "linear"
	}
	return activation
}
