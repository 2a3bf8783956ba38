package nn

import (
	"fmt"
	"slices"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Layer is a Keras layer: a named function of one input with weights.
// Shapes include the batch axis, which may be -1 (Keras's None) until data
// arrives. A layer builds itself (creates its weights) on its first Call
// when Build was not called first.
type Layer interface {
	// Name returns the layer's name, unique within the model that owns it.
	Name() string
	// Build creates the weights for inputs of inputShape; building an
	// already built layer only checks that inputShape is compatible.
	Build(inputShape []int) error
	// Call applies the layer; training selects Dropout masks and
	// BatchNormalization's batch statistics. A layer must not keep x
	// after it returns, other than through the autograd record: inside a
	// Sequential, x is the previous layer's output, whose storage is
	// reused (overwritten in place, or recycled when nothing records a
	// gradient through it) once this layer is done with it.
	Call(x *autograd.Var, training bool) (*autograd.Var, error)
	// OutputShape infers the output shape for inputShape without computing.
	OutputShape(inputShape []int) ([]int, error)
	// Weights returns every weight in creation order, trainable or not.
	Weights() []*Weight
	// Trainable reports whether the layer's weights are trained.
	Trainable() bool
	// SetTrainable freezes (false) or unfreezes the layer and, for models
	// and wrappers, every layer inside it, as Keras's layer.trainable.
	SetTrainable(on bool)
	// Config returns the constructor arguments under Keras's names.
	Config() map[string]any
	// String describes the layer in one line, e.g. "Dense(64 -> 128)".
	String() string
}

// MultiLayer is a layer of several inputs (Concatenate, multi-input models).
type MultiLayer interface {
	Layer
	// BuildMulti builds the layer for inputs of the given shapes.
	BuildMulti(inputShapes [][]int) error
	// CallMulti applies the layer to several inputs.
	CallMulti(xs []*autograd.Var, training bool) (*autograd.Var, error)
	// OutputShapeMulti infers the output shape for inputs of inputShapes.
	OutputShapeMulti(inputShapes [][]int) ([]int, error)
}

// Weight is a layer variable: an autograd leaf plus the Keras attributes a
// trainer and a checkpoint need.
type Weight struct {
	// Var holds the value; trainable weights of trainable layers require
	// gradients, the others do not.
	Var *autograd.Var

	name      string // short name, e.g. "kernel"
	trainable bool   // the variable's own flag: false for moving statistics
	owner     *Base
}

// Name returns the weight's path, e.g. "generator/dense/kernel": the owning
// model, the layer and the variable, stable across runs for checkpoints.
func (w *Weight) Name() string { return w.owner.Path() + "/" + w.name }

// Trainable reports whether an optimizer should update the weight: the
// variable is trainable (moving statistics are not) and its layer is not
// frozen.
func (w *Weight) Trainable() bool { return w.trainable && w.owner.trainable }

// Value returns the weight's tensor.
func (w *Weight) Value() *tensor.Tensor { return w.Var.Value }

// Shape returns the weight's shape.
func (w *Weight) Shape() []int { return w.Var.Value.Shape() }

func (w *Weight) String() string { return fmt.Sprintf("Weight(%s %v)", w.Name(), w.Shape()) }

// Base holds what every layer shares: name, weights, trainability, dtype,
// random stream and build state. Layers embed it; a Go user writing a
// custom layer embeds it too (NewBase) and calls AddWeight in Build.
type Base struct {
	class     string // Keras class name, "Dense"
	name      string
	fixed     bool  // name chosen by the user or assigned by a model
	parent    *Base // the model or wrapper whose path prefixes ours
	trainable bool
	built     bool
	dtype     tensor.DType
	dtypeSet  bool
	rng       *tensor.RNG
	weights   []*Weight
	err       error // configuration error, reported by Build and Call
}

// NewBase returns the Base of a layer of the given Keras class name, with
// the Keras default name (the class name in snake case).
func NewBase(class string) Base {
	return Base{class: class, trainable: true, dtype: tensor.Float32}
}

// Name returns the layer's name; before a model names it, the snake-case
// class name.
func (b *Base) Name() string {
	if b.name == "" {
		return snakeCase(b.class)
	}
	return b.name
}

// SetName fixes the layer's name.
func (b *Base) SetName(name string) {
	b.name = name
	b.fixed = name != ""
}

// ClassName returns the Keras class name, e.g. "Conv2DTranspose".
func (b *Base) ClassName() string { return b.class }

// Path returns the layer's name prefixed by the model or wrapper owning it.
func (b *Base) Path() string {
	if b.parent == nil {
		return b.Name()
	}
	return b.parent.Path() + "/" + b.Name()
}

// Trainable reports whether the layer is trained.
func (b *Base) Trainable() bool { return b.trainable }

// SetTrainable freezes or unfreezes the layer's weights; a frozen weight no
// longer requires a gradient.
func (b *Base) SetTrainable(on bool) {
	b.trainable = on
	for _, w := range b.weights {
		w.Var.SetRequiresGrad(w.Trainable())
	}
}

// Weights returns the layer's own weights in creation order.
func (b *Base) Weights() []*Weight { return slices.Clone(b.weights) }

// Built reports whether the weights exist.
func (b *Base) Built() bool { return b.built }

// DType returns the element type of the weights.
func (b *Base) DType() tensor.DType { return b.dtype }

// SetDType sets the element type of the weights; it must come before Build.
func (b *Base) SetDType(d tensor.DType) {
	b.dtype = d
	b.dtypeSet = true
}

// RNG returns the layer's random stream (initializers, dropout masks); nil
// until set or built.
func (b *Base) RNG() *tensor.RNG { return b.rng }

// SetRNG gives the layer its random stream; models give each layer a Split
// of theirs in order, so one seed fixes every weight and mask.
func (b *Base) SetRNG(r *tensor.RNG) { b.rng = r }

// Err returns the configuration error found by the constructor, if any.
func (b *Base) Err() error { return b.err }

// AddWeight creates a weight of shape drawn from init; custom layers call it
// from Build.
func (b *Base) AddWeight(name string, shape []int, init Initializer, trainable bool) *Weight {
	if b.rng == nil {
		b.rng = tensor.NewRNG(0, 0) // a layer built outside any model
	}
	v := autograd.Param(init.Init(b.rng, b.dtype, shape), name)
	w := &Weight{Var: v, name: name, trainable: trainable, owner: b}
	v.SetRequiresGrad(w.Trainable())
	b.weights = append(b.weights, w)
	return w
}

func (b *Base) layerBase() *Base { return b }

// errorf returns an error prefixed with the layer's kind and name, like
// `conv2d "conv2d_1": ...`.
func (b *Base) errorf(format string, args ...any) error {
	return fmt.Errorf("%s %q: %w", snakeCase(b.class), b.Name(), fmt.Errorf(format, args...))
}

// configErr records a constructor error (the first one wins).
func (b *Base) configErr(format string, args ...any) {
	if b.err == nil {
		b.err = b.errorf(format, args...)
	}
}

// based is implemented by every layer embedding Base.
type based interface{ layerBase() *Base }

func baseOf(l Layer) *Base {
	if b, ok := l.(based); ok {
		return b.layerBase()
	}
	return nil
}

// build runs the shared part of Build: configuration and shape checks, then
// create (once) and marks the layer built.
func (b *Base) build(l Layer, in []int, create func(in []int)) error {
	if b.err != nil {
		return b.err
	}
	if _, err := l.OutputShape(in); err != nil {
		return err
	}
	if b.built {
		return nil
	}
	if err := tensor.Catch(func() { create(in) }); err != nil {
		return b.errorf("build for input %v: %w", in, err)
	}
	b.built = true
	return nil
}

// run is the shared part of Call: it builds the layer for x on first use
// (in x's dtype unless one was set), checks x, and runs fn, turning tensor
// panics into errors naming the layer and the input shape.
func (b *Base) run(l Layer, x *autograd.Var, fn func() *autograd.Var) (y *autograd.Var, err error) {
	if x == nil {
		return nil, b.errorf("nil input")
	}
	if err := b.prepare(l, x); err != nil {
		return nil, err
	}
	if err := tensor.Catch(func() { y = fn() }); err != nil {
		return nil, b.errorf("input %v: %w", x.Shape(), err)
	}
	return y, nil
}

func (b *Base) prepare(l Layer, x *autograd.Var) error {
	if b.err != nil {
		return b.err
	}
	shape := x.Shape()
	if slices.Contains(shape, 0) {
		return b.errorf("input %v: empty input", shape)
	}
	if !b.built && !b.dtypeSet {
		b.dtype = x.DType()
	}
	if err := l.Build(shape); err != nil {
		return err
	}
	if len(b.weights) > 0 && x.DType() != b.dtype {
		return b.errorf("input %v is %v but the weights are %v", shape, x.DType(), b.dtype)
	}
	return nil
}

// checkRank returns an error unless shape has rank in [lo, hi] (hi < 0: no
// upper bound) and known non-batch dimensions.
func (b *Base) checkRank(shape []int, lo, hi int) error {
	if len(shape) < lo || (hi >= 0 && len(shape) > hi) {
		want := fmt.Sprintf("rank %d", lo)
		if hi != lo {
			want = fmt.Sprintf("rank >= %d", lo)
			if hi >= 0 {
				want = fmt.Sprintf("rank %d to %d", lo, hi)
			}
		}
		return b.errorf("input shape %v: want %s (batch axis included)", shape, want)
	}
	for i, d := range shape {
		if i > 0 && d <= 0 {
			return b.errorf("input shape %v: axis %d must be known and positive", shape, i)
		}
	}
	return nil
}
