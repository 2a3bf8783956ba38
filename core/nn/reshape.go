package nn

import (
	"fmt"
	"slices"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Reshape is keras.layers.Reshape: the non-batch axes take target_shape,
// where one entry may be -1.
type Reshape struct {
	Base
	target []int
}

// NewReshape returns Reshape(target_shape), target without the batch axis.
func NewReshape(target []int, opts ...Option) *Reshape {
	l := &Reshape{Base: NewBase("Reshape"), target: slices.Clone(target)}
	parseArgs(&l.Base, &args{}, nil, opts)
	unknown := 0
	for _, d := range target {
		if d == -1 {
			unknown++
		} else if d <= 0 {
			l.configErr("target_shape %v: dimensions must be positive or -1", target)
		}
	}
	if unknown > 1 || len(target) == 0 {
		l.configErr("target_shape %v: want at least one axis and at most one -1", target)
	}
	return l
}

// OutputShape returns (batch, target...) with -1 resolved.
func (l *Reshape) OutputShape(in []int) ([]int, error) {
	if err := l.checkRank(in, 1, -1); err != nil {
		return nil, err
	}
	n := tensor.Numel(in[1:])
	known := 1
	for _, d := range l.target {
		if d != -1 {
			known *= d
		}
	}
	out := append([]int{in[0]}, l.target...)
	if i := slices.Index(l.target, -1); i >= 0 {
		if n%known != 0 {
			return nil, l.errorf("input shape %v: %d values per sample do not fit target_shape %v", in, n, l.target)
		}
		out[i+1] = n / known
	} else if known != n {
		return nil, l.errorf("input shape %v: %d values per sample, target_shape %v holds %d", in, n, l.target, known)
	}
	return out, nil
}

// Build checks the input shape; the layer has no weights.
func (l *Reshape) Build(in []int) error { return l.build(l, in, func([]int) {}) }

// Call reshapes x.
func (l *Reshape) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		out, err := l.OutputShape(x.Shape())
		if err != nil {
			panic(&tensor.Error{Op: "reshape", Msg: err.Error()})
		}
		return autograd.Reshape(x, out...)
	})
}

// Config returns {"target_shape": ...}.
func (l *Reshape) Config() map[string]any {
	return withBase(&l.Base, map[string]any{"target_shape": l.target})
}

func (l *Reshape) String() string { return fmt.Sprintf("Reshape(%v)", l.target) }

// Flatten is keras.layers.Flatten: (batch, ...) → (batch, product), in
// row-major (NHWC) order.
type Flatten struct{ Base }

// NewFlatten returns Flatten().
func NewFlatten(opts ...Option) *Flatten {
	l := &Flatten{NewBase("Flatten")}
	parseArgs(&l.Base, &args{}, nil, opts)
	return l
}

// OutputShape returns (batch, product of the other axes).
func (l *Flatten) OutputShape(in []int) ([]int, error) {
	if err := l.checkRank(in, 1, -1); err != nil {
		return nil, err
	}
	return []int{in[0], tensor.Numel(in[1:])}, nil
}

// Build checks the input shape; the layer has no weights.
func (l *Flatten) Build(in []int) error { return l.build(l, in, func([]int) {}) }

// Call flattens x.
func (l *Flatten) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var { return autograd.Reshape(x, x.Shape()[0], -1) })
}

// Config returns the base arguments.
func (l *Flatten) Config() map[string]any { return withBase(&l.Base, map[string]any{}) }

func (l *Flatten) String() string { return "Flatten()" }
