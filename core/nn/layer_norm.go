package nn

import (
	"fmt"
	"slices"

	"github.com/ganlab/ganlab/core/autograd"
)

// LayerNormalization is keras.layers.LayerNormalization: each sample is
// normalised over axis (default the last) with its own mean and biased
// variance, then scaled by gamma and shifted by beta of those axes' shape.
type LayerNormalization struct {
	Base
	axis                []int
	epsilon             float64
	center, scale       bool
	gammaInit, betaInit Initializer
	gamma, beta         *Weight
	dims                []int // the normalised axes' lengths once built
}

// NewLayerNormalization returns LayerNormalization(); options: Axis (one
// or more), Epsilon (1e-3), Center, Scale, GammaInitializer,
// BetaInitializer.
func NewLayerNormalization(opts ...Option) *LayerNormalization {
	l := &LayerNormalization{Base: NewBase("LayerNormalization")}
	a := &args{axis: []int{-1}, epsilon: 1e-3, center: true, scale: true, gammaInit: Ones(), betaInit: Zeros()}
	parseArgs(&l.Base, a, []string{"axis", "epsilon", "center", "scale", "gamma_initializer", "beta_initializer"}, opts)
	l.axis, l.epsilon, l.center, l.scale, l.gammaInit, l.betaInit = a.axis, a.epsilon, a.center, a.scale, a.gammaInit, a.betaInit
	if len(a.axis) == 0 {
		l.configErr("axis: want at least one axis")
	}
	if a.epsilon <= 0 {
		l.configErr("epsilon %v must be positive", a.epsilon)
	}
	return l
}

// axes returns the normalised axes in [1, rank), sorted, and their lengths.
func (l *LayerNormalization) axes(in []int) (axes, dims []int, err error) {
	for _, a := range l.axis {
		ax, err := normAxisOf(&l.Base, in, a, 0)
		if err != nil {
			return nil, nil, err
		}
		if !slices.Contains(axes, ax) {
			axes = append(axes, ax)
		}
	}
	slices.Sort(axes)
	for _, ax := range axes {
		dims = append(dims, in[ax])
	}
	if l.dims != nil && !slices.Equal(dims, l.dims) {
		return nil, nil, l.errorf("input shape %v: normalised axes have %v entries, but the layer was built for %v", in, dims, l.dims)
	}
	return axes, dims, nil
}

// OutputShape returns the input shape.
func (l *LayerNormalization) OutputShape(in []int) ([]int, error) {
	if _, _, err := l.axes(in); err != nil {
		return nil, err
	}
	return slices.Clone(in), nil
}

// Build creates gamma and beta of the normalised axes' shape.
func (l *LayerNormalization) Build(in []int) error {
	return l.build(l, in, func(in []int) {
		_, dims, _ := l.axes(in)
		if l.scale {
			l.gamma = l.AddWeight("gamma", dims, l.gammaInit, true)
		}
		if l.center {
			l.beta = l.AddWeight("beta", dims, l.betaInit, true)
		}
		l.dims = dims
	})
}

// Call normalises each sample.
func (l *LayerNormalization) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		in := x.Shape()
		axes, _, _ := l.axes(in)
		bshape := make([]int, len(in))
		for i := range bshape {
			bshape[i] = 1
			if slices.Contains(axes, i) {
				bshape[i] = in[i]
			}
		}
		mean := autograd.Mean(x, axes, true)
		variance := autograd.Variance(x, axes, true)
		return affine(normalize(x, mean, variance, l.epsilon), l.gamma, l.beta, bshape)
	})
}

// Config returns Keras's LayerNormalization arguments.
func (l *LayerNormalization) Config() map[string]any {
	return withBase(&l.Base, map[string]any{
		"axis": l.axis, "epsilon": l.epsilon, "center": l.center, "scale": l.scale,
		"gamma_initializer": l.gammaInit.Config(), "beta_initializer": l.betaInit.Config(),
	})
}

func (l *LayerNormalization) String() string {
	return fmt.Sprintf("LayerNormalization(axis %v, epsilon %g)", l.axis, l.epsilon)
}
