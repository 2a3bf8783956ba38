package nn

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Padding2D is keras.layers.ZeroPadding2D, or the ReflectionPadding2D the
// Keras CycleGAN example defines (mirror without repeating the edge, as
// tf.pad "REFLECT"), over NHWC images.
type Padding2D struct {
	Base
	mode tensor.PadMode
	pad  [4]int // top, bottom, left, right
}

// NewZeroPadding2D returns ZeroPadding2D(padding): one value pads every
// side, two are (rows, cols) on both sides, four are (top, bottom, left,
// right), Keras's ((t, b), (l, r)).
func NewZeroPadding2D(padding []int, opts ...Option) *Padding2D {
	return newPadding2D("ZeroPadding2D", tensor.PadZero, padding, opts)
}

// NewReflectionPadding2D returns ReflectionPadding2D(padding), padding as
// NewZeroPadding2D.
func NewReflectionPadding2D(padding []int, opts ...Option) *Padding2D {
	return newPadding2D("ReflectionPadding2D", tensor.PadReflect, padding, opts)
}

func newPadding2D(class string, mode tensor.PadMode, padding []int, opts []Option) *Padding2D {
	l := &Padding2D{Base: NewBase(class), mode: mode}
	parseArgs(&l.Base, &args{}, nil, opts)
	switch len(padding) {
	case 1:
		l.pad = [4]int{padding[0], padding[0], padding[0], padding[0]}
	case 2:
		l.pad = [4]int{padding[0], padding[0], padding[1], padding[1]}
	case 4:
		l.pad = [4]int{padding[0], padding[1], padding[2], padding[3]}
	default:
		l.configErr("padding %v: want 1, 2 or 4 values", padding)
	}
	for _, p := range l.pad {
		if p < 0 {
			l.configErr("padding %v: widths must be >= 0", padding)
		}
	}
	return l
}

// OutputShape returns (n, h+top+bottom, w+left+right, c).
func (l *Padding2D) OutputShape(in []int) ([]int, error) {
	if err := l.checkRank(in, 4, 4); err != nil {
		return nil, err
	}
	p := l.pad
	if l.mode == tensor.PadReflect && (max(p[0], p[1]) >= in[1] || max(p[2], p[3]) >= in[2]) {
		return nil, l.errorf("input shape %v: reflection padding %v needs each width below the side it mirrors", in, p)
	}
	return []int{in[0], in[1] + p[0] + p[1], in[2] + p[2] + p[3], in[3]}, nil
}

// Build checks the input shape; the layer has no weights.
func (l *Padding2D) Build(in []int) error { return l.build(l, in, func([]int) {}) }

// Call pads x.
func (l *Padding2D) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		p := l.pad
		return autograd.Pad(x, []int{0, p[0], p[2], 0}, []int{0, p[1], p[3], 0}, l.mode)
	})
}

// Config returns {"padding": ((top, bottom), (left, right))}.
func (l *Padding2D) Config() map[string]any {
	p := l.pad
	return withBase(&l.Base, map[string]any{"padding": [][]int{{p[0], p[1]}, {p[2], p[3]}}})
}

func (l *Padding2D) String() string { return fmt.Sprintf("%s(%v)", l.class, l.pad) }
