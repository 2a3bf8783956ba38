package nn

import (
	"fmt"
	"slices"

	"github.com/ganlab/ganlab/core/autograd"
)

// GroupNormalization is keras.layers.GroupNormalization over the channel
// axis (the last: axis=-1 is the only one supported): channels are split
// into groups and each sample is normalised per group over the spatial axes
// and the group's channels. groups = channels gives instance normalisation,
// groups = 1 layer normalisation over all non-batch axes.
type GroupNormalization struct {
	Base
	groups              int
	axis                int
	epsilon             float64
	center, scale       bool
	gammaInit, betaInit Initializer
	gamma, beta         *Weight
	channels            int
}

// NewGroupNormalization returns GroupNormalization(groups); options: Axis
// (-1 only), Epsilon (1e-3), Center, Scale, GammaInitializer,
// BetaInitializer.
func NewGroupNormalization(groups int, opts ...Option) *GroupNormalization {
	l := &GroupNormalization{Base: NewBase("GroupNormalization"), groups: groups}
	a := &args{axis: []int{-1}, epsilon: 1e-3, center: true, scale: true, gammaInit: Ones(), betaInit: Zeros()}
	parseArgs(&l.Base, a, []string{"axis", "epsilon", "center", "scale", "gamma_initializer", "beta_initializer"}, opts)
	l.epsilon, l.center, l.scale, l.gammaInit, l.betaInit = a.epsilon, a.center, a.scale, a.gammaInit, a.betaInit
	if len(a.axis) != 1 || a.axis[0] != -1 {
		l.configErr("axis %v: only the last axis (-1) is supported", a.axis)
	}
	l.axis = -1
	if groups < 1 {
		l.configErr("groups must be positive, got %d", groups)
	}
	if a.epsilon <= 0 {
		l.configErr("epsilon %v must be positive", a.epsilon)
	}
	return l
}

// OutputShape returns the input shape.
func (l *GroupNormalization) OutputShape(in []int) ([]int, error) {
	ax, err := normAxisOf(&l.Base, in, -1, l.channels)
	if err != nil {
		return nil, err
	}
	if in[ax]%l.groups != 0 {
		return nil, l.errorf("input shape %v: %d channels do not split into %d groups", in, in[ax], l.groups)
	}
	return slices.Clone(in), nil
}

// Build creates gamma and beta of the channel count.
func (l *GroupNormalization) Build(in []int) error {
	return l.build(l, in, func(in []int) {
		c := in[len(in)-1]
		if l.scale {
			l.gamma = l.AddWeight("gamma", []int{c}, l.gammaInit, true)
		}
		if l.center {
			l.beta = l.AddWeight("beta", []int{c}, l.betaInit, true)
		}
		l.channels = c
	})
}

// Call normalises each (sample, group) over its spatial positions and
// channels.
func (l *GroupNormalization) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		in := x.Shape()
		r := len(in)
		c := in[r-1]
		gs := append(slices.Clone(in[:r-1]), l.groups, c/l.groups) // (n, ..., G, C/G)
		xg := autograd.Reshape(x, gs...)
		var axes []int
		for i := 1; i < len(gs); i++ {
			if i != r-1 { // every axis but batch and group
				axes = append(axes, i)
			}
		}
		mean := autograd.Mean(xg, axes, true)
		variance := autograd.Variance(xg, axes, true)
		y := autograd.Reshape(normalize(xg, mean, variance, l.epsilon), in...)
		bshape := make([]int, r)
		for i := range bshape {
			bshape[i] = 1
		}
		bshape[r-1] = c
		return affine(y, l.gamma, l.beta, bshape)
	})
}

// Config returns Keras's GroupNormalization arguments.
func (l *GroupNormalization) Config() map[string]any {
	return withBase(&l.Base, map[string]any{
		"groups": l.groups, "axis": l.axis, "epsilon": l.epsilon, "center": l.center, "scale": l.scale,
		"gamma_initializer": l.gammaInit.Config(), "beta_initializer": l.betaInit.Config(),
	})
}

func (l *GroupNormalization) String() string {
	return fmt.Sprintf("GroupNormalization(%d groups, epsilon %g)", l.groups, l.epsilon)
}
