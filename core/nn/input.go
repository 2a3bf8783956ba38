package nn

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ganlab/ganlab/core/autograd"
)

// KerasTensor is a symbolic tensor of the functional API: a shape (batch
// axis -1, Keras's None) and the layer call that produces it. Calling a
// layer on KerasTensors (Apply) records the call and infers its output
// shape at once; the first error sticks to every tensor computed from it
// and NewModel reports it.
type KerasTensor struct {
	shape []int
	node  *node
	err   error
}

// node is one recorded layer call.
type node struct {
	layer  Layer
	inputs []*KerasTensor
	output *KerasTensor
}

// Shape returns the tensor's shape, -1 for the batch axis.
func (t *KerasTensor) Shape() []int { return slices.Clone(t.shape) }

// Err returns the error of the call that made t, or of one before it.
func (t *KerasTensor) Err() error { return t.err }

func (t *KerasTensor) String() string {
	if t.err != nil {
		return fmt.Sprintf("KerasTensor(error: %v)", t.err)
	}
	return fmt.Sprintf("KerasTensor(shape=%s, layer=%s)", formatShape(t.shape), t.node.layer.Name())
}

// Input returns a symbolic input of shape (batch, shape...), as
// keras.Input(shape=shape).
func Input(shape ...int) *KerasTensor { return NewInputLayer(shape).Output() }

// Apply calls layer on symbolic inputs (one, or several for a MultiLayer
// such as Concatenate or a multi-input model) and returns the symbolic
// output. Weights are created when the model is built (NewModel's first
// use), from the model's seed, so the same seed gives the same weights.
func Apply(layer Layer, xs ...*KerasTensor) *KerasTensor {
	if layer == nil {
		return &KerasTensor{err: fmt.Errorf("apply: nil layer")}
	}
	shapes := make([][]int, len(xs))
	for i, x := range xs {
		if x == nil {
			return &KerasTensor{err: fmt.Errorf("apply %s: input %d is nil", layer.Name(), i)}
		}
		if x.err != nil {
			return &KerasTensor{err: x.err}
		}
		shapes[i] = x.shape
	}
	out, err := outputShapeOf(layer, shapes)
	if err != nil {
		return &KerasTensor{err: err}
	}
	t := &KerasTensor{shape: out}
	t.node = &node{layer: layer, inputs: slices.Clone(xs), output: t}
	return t
}

// outputShapeOf infers a layer's output for one or several inputs.
func outputShapeOf(l Layer, shapes [][]int) ([]int, error) {
	if b := baseOf(l); b != nil && b.err != nil {
		return nil, b.err
	}
	switch len(shapes) {
	case 0:
		return nil, fmt.Errorf("%s: no inputs", l.Name())
	case 1:
		return l.OutputShape(shapes[0])
	}
	ml, ok := l.(MultiLayer)
	if !ok {
		return nil, fmt.Errorf("%s: takes one input, got %d", l.Name(), len(shapes))
	}
	return ml.OutputShapeMulti(shapes)
}

// buildOf builds a layer for one or several inputs.
func buildOf(l Layer, shapes [][]int) error {
	if len(shapes) == 1 {
		return l.Build(shapes[0])
	}
	ml, ok := l.(MultiLayer)
	if !ok {
		return fmt.Errorf("%s: takes one input, got %d", l.Name(), len(shapes))
	}
	return ml.BuildMulti(shapes)
}

// callOf calls a layer on one or several inputs.
func callOf(l Layer, xs []*autograd.Var, training bool) (*autograd.Var, error) {
	if len(xs) == 1 {
		return l.Call(xs[0], training)
	}
	ml, ok := l.(MultiLayer)
	if !ok {
		return nil, fmt.Errorf("%s: takes one input, got %d", l.Name(), len(xs))
	}
	return ml.CallMulti(xs, training)
}

// InputLayer is keras.layers.InputLayer: the entry point of a model, of a
// fixed per-sample shape.
type InputLayer struct {
	Base
	shape []int // with -1 batch
}

// NewInputLayer returns an input of per-sample shape (batch axis not
// included); option Name.
func NewInputLayer(shape []int, opts ...Option) *InputLayer {
	l := &InputLayer{Base: NewBase("InputLayer"), shape: append([]int{-1}, shape...)}
	parseArgs(&l.Base, &args{}, nil, opts)
	for _, d := range shape {
		if d <= 0 {
			l.configErr("shape %v: dimensions must be positive", shape)
		}
	}
	return l
}

// Output returns the symbolic tensor the input feeds.
func (l *InputLayer) Output() *KerasTensor {
	if l.err != nil {
		return &KerasTensor{err: l.err}
	}
	t := &KerasTensor{shape: slices.Clone(l.shape)}
	t.node = &node{layer: l, output: t}
	return t
}

// OutputShape checks in against the declared shape and returns it.
func (l *InputLayer) OutputShape(in []int) ([]int, error) {
	if l.err != nil {
		return nil, l.err
	}
	if !compatible(in, l.shape) {
		return nil, l.errorf("input shape %v, want %s", in, formatShape(l.shape))
	}
	return slices.Clone(in), nil
}

// Build checks the shape.
func (l *InputLayer) Build(in []int) error { return l.build(l, in, func([]int) {}) }

// Call returns x after checking its shape.
func (l *InputLayer) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var { return x })
}

// Config returns {"batch_shape": ...}.
func (l *InputLayer) Config() map[string]any {
	return withBase(&l.Base, map[string]any{"batch_shape": l.shape})
}

func (l *InputLayer) String() string { return fmt.Sprintf("InputLayer(%s)", formatShape(l.shape)) }

// compatible reports whether shape matches want, where -1 in either matches
// anything.
func compatible(shape, want []int) bool {
	if len(shape) != len(want) {
		return false
	}
	for i := range shape {
		if shape[i] != want[i] && shape[i] != -1 && want[i] != -1 {
			return false
		}
	}
	return true
}

// formatShape prints a shape as Keras does: (None, 64, 64, 3).
func formatShape(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		if d < 0 {
			parts[i] = "None"
		} else {
			parts[i] = fmt.Sprint(d)
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
