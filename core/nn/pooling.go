package nn

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Pooling2D is keras.layers.MaxPooling2D or AveragePooling2D over NHWC
// images: pool_size (default 2), strides (default pool_size), padding
// "valid" or "same". Average pooling counts only real pixels, as Keras.
type Pooling2D struct {
	Base
	max      bool
	poolSize []int
	strides  []int
	padding  string
}

// NewMaxPooling2D returns MaxPooling2D(); options: PoolSize, Strides,
// Padding.
func NewMaxPooling2D(opts ...Option) *Pooling2D { return newPooling2D("MaxPooling2D", true, opts) }

// NewAveragePooling2D returns AveragePooling2D(); options as
// NewMaxPooling2D.
func NewAveragePooling2D(opts ...Option) *Pooling2D {
	return newPooling2D("AveragePooling2D", false, opts)
}

func newPooling2D(class string, isMax bool, opts []Option) *Pooling2D {
	l := &Pooling2D{Base: NewBase(class), max: isMax}
	a := &args{poolSize: []int{2}, padding: "valid"}
	parseArgs(&l.Base, a, []string{"pool_size", "strides", "padding"}, opts)
	var err error
	if l.poolSize, err = pair(a.poolSize); err != nil || l.poolSize[0] < 1 || l.poolSize[1] < 1 {
		l.configErr("pool_size %v: want one or two positive values", a.poolSize)
	}
	l.strides = l.poolSize
	if a.strides != nil {
		if l.strides, err = pair(a.strides); err != nil || l.strides[0] < 1 || l.strides[1] < 1 {
			l.configErr("strides %v: want one or two positive values", a.strides)
		}
	}
	l.padding = a.padding
	if a.padding != "same" && a.padding != "valid" {
		l.configErr("padding %q: want \"same\" or \"valid\"", a.padding)
	}
	return l
}

func (l *Pooling2D) params(in []int) (tensor.Conv2DParams, int, int, error) {
	if err := l.checkRank(in, 4, 4); err != nil {
		return tensor.Conv2DParams{}, 0, 0, err
	}
	p, err := tensor.ConvParams(in[1], in[2], l.poolSize[0], l.poolSize[1], l.strides[0], l.strides[1], l.padding)
	if err != nil {
		return p, 0, 0, l.errorf("input shape %v: %w", in, err)
	}
	oh, ow := tensor.Conv2DOutSize(in[1], in[2], l.poolSize[0], l.poolSize[1], p)
	if oh < 1 || ow < 1 {
		return p, 0, 0, l.errorf("input shape %v: pool %v does not fit with padding %q", in, l.poolSize, l.padding)
	}
	return p, oh, ow, nil
}

// OutputShape returns (n, oh, ow, c).
func (l *Pooling2D) OutputShape(in []int) ([]int, error) {
	_, oh, ow, err := l.params(in)
	if err != nil {
		return nil, err
	}
	return []int{in[0], oh, ow, in[3]}, nil
}

// Build checks the input shape; the layer has no weights.
func (l *Pooling2D) Build(in []int) error { return l.build(l, in, func([]int) {}) }

// Call pools x.
func (l *Pooling2D) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		p, _, _, err := l.params(x.Shape())
		if err != nil {
			panic(&tensor.Error{Op: "pooling2d", Msg: err.Error()})
		}
		if l.max {
			return autograd.MaxPool2D(x, l.poolSize[0], l.poolSize[1], l.strides[0], l.strides[1], p)
		}
		return autograd.AvgPool2D(x, l.poolSize[0], l.poolSize[1], l.strides[0], l.strides[1], p)
	})
}

// Config returns Keras's pooling arguments.
func (l *Pooling2D) Config() map[string]any {
	return withBase(&l.Base, map[string]any{"pool_size": l.poolSize, "strides": l.strides, "padding": l.padding})
}

func (l *Pooling2D) String() string {
	return fmt.Sprintf("%s(%dx%d, strides %dx%d, %s)", l.class, l.poolSize[0], l.poolSize[1], l.strides[0], l.strides[1], l.padding)
}

// GlobalPooling2D is keras.layers.GlobalMaxPooling2D or
// GlobalAveragePooling2D: (n, h, w, c) → (n, c).
type GlobalPooling2D struct {
	Base
	max bool
}

// NewGlobalMaxPooling2D returns GlobalMaxPooling2D(); the gradient goes to
// the first maximum.
func NewGlobalMaxPooling2D(opts ...Option) *GlobalPooling2D {
	l := &GlobalPooling2D{Base: NewBase("GlobalMaxPooling2D"), max: true}
	parseArgs(&l.Base, &args{}, nil, opts)
	return l
}

// NewGlobalAveragePooling2D returns GlobalAveragePooling2D().
func NewGlobalAveragePooling2D(opts ...Option) *GlobalPooling2D {
	l := &GlobalPooling2D{Base: NewBase("GlobalAveragePooling2D")}
	parseArgs(&l.Base, &args{}, nil, opts)
	return l
}

// OutputShape returns (n, c).
func (l *GlobalPooling2D) OutputShape(in []int) ([]int, error) {
	if err := l.checkRank(in, 4, 4); err != nil {
		return nil, err
	}
	return []int{in[0], in[3]}, nil
}

// Build checks the input shape; the layer has no weights.
func (l *GlobalPooling2D) Build(in []int) error { return l.build(l, in, func([]int) {}) }

// Call reduces over the spatial axes.
func (l *GlobalPooling2D) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		if l.max {
			return autograd.Max(x, []int{1, 2}, false)
		}
		return autograd.Mean(x, []int{1, 2}, false)
	})
}

// Config returns the base arguments.
func (l *GlobalPooling2D) Config() map[string]any { return withBase(&l.Base, map[string]any{}) }

func (l *GlobalPooling2D) String() string { return l.class + "()" }
