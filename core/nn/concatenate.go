package nn

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Concatenate is keras.layers.Concatenate: joins its inputs along axis
// (default -1); every other axis must agree. It is a MultiLayer: Call with
// one input is an error.
type Concatenate struct {
	Base
	axis int
}

// NewConcatenate returns Concatenate(); option Axis.
func NewConcatenate(opts ...Option) *Concatenate {
	l := &Concatenate{Base: NewBase("Concatenate")}
	a := &args{axis: []int{-1}}
	parseArgs(&l.Base, a, []string{"axis"}, opts)
	if len(a.axis) != 1 {
		l.configErr("axis %v: want a single axis", a.axis)
	} else {
		l.axis = a.axis[0]
	}
	return l
}

// OutputShapeMulti returns the joined shape.
func (l *Concatenate) OutputShapeMulti(ins [][]int) ([]int, error) {
	if l.err != nil {
		return nil, l.err
	}
	if len(ins) < 2 {
		return nil, l.errorf("inputs %v: want at least two inputs", ins)
	}
	r := len(ins[0])
	ax := l.axis
	if ax < 0 {
		ax += r
	}
	if ax < 1 || ax >= r {
		return nil, l.errorf("inputs %v: axis %d out of range", ins, l.axis)
	}
	out := append([]int(nil), ins[0]...)
	out[ax] = 0
	for _, s := range ins {
		if len(s) != r {
			return nil, l.errorf("inputs %v: ranks differ", ins)
		}
		for i := range s {
			if i != ax && i != 0 && s[i] != ins[0][i] {
				return nil, l.errorf("inputs %v: shapes differ off axis %d", ins, l.axis)
			}
		}
		out[ax] += s[ax]
	}
	return out, nil
}

// BuildMulti checks the shapes; the layer has no weights.
func (l *Concatenate) BuildMulti(ins [][]int) error {
	if _, err := l.OutputShapeMulti(ins); err != nil {
		return err
	}
	l.built = true
	return nil
}

// CallMulti joins xs.
func (l *Concatenate) CallMulti(xs []*autograd.Var, training bool) (y *autograd.Var, err error) {
	shapes := make([][]int, len(xs))
	for i, x := range xs {
		if x == nil {
			return nil, l.errorf("input %d is nil", i)
		}
		shapes[i] = x.Shape()
	}
	if err := l.BuildMulti(shapes); err != nil {
		return nil, err
	}
	if err := tensor.Catch(func() { y = autograd.Concat(l.axis, xs...) }); err != nil {
		return nil, l.errorf("inputs %v: %w", shapes, err)
	}
	return y, nil
}

// OutputShape fails: Concatenate needs several inputs.
func (l *Concatenate) OutputShape(in []int) ([]int, error) {
	return nil, l.errorf("input %v: Concatenate takes a list of inputs", in)
}

// Build fails: Concatenate needs several inputs.
func (l *Concatenate) Build(in []int) error { _, err := l.OutputShape(in); return err }

// Call fails: Concatenate needs several inputs.
func (l *Concatenate) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return nil, l.errorf("Concatenate takes a list of inputs: use CallMulti")
}

// Config returns {"axis": ...}.
func (l *Concatenate) Config() map[string]any {
	return withBase(&l.Base, map[string]any{"axis": l.axis})
}

func (l *Concatenate) String() string { return fmt.Sprintf("Concatenate(axis %d)", l.axis) }
