package nn

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Sequential is keras.Sequential: a stack of single-input layers. It builds
// on its first Call, on Build, or at once when it starts with an
// InputLayer and its weights are asked for. Between layers it saves
// memory passes: a rectifier after a Conv2D runs inside it, rectifiers and
// dropout overwrite the previous layer's output, and without gradients an
// intermediate output's storage is recycled as soon as the next layer has
// consumed it. The caller's input is never overwritten, and the results
// are bitwise those of calling the layers one by one.
type Sequential struct {
	Base
	layers []Layer
	input  *InputLayer
	namer  *namer
	shapes [][]int // each layer's output shape once built, batch -1
}

// NewSequential returns Sequential(layers, name); name "" gives
// "sequential".
func NewSequential(name string, layers ...Layer) *Sequential {
	s := &Sequential{Base: NewBase("Sequential")}
	if name != "" {
		s.SetName(name)
	}
	s.namer = newNamer(&s.Base)
	for _, l := range layers {
		s.Add(l)
	}
	return s
}

// Add appends a layer and returns s for chaining, like Torch's
// Sequential:add; a bad layer makes every later Build or Call fail with
// an error naming it (see Err).
func (s *Sequential) Add(l Layer) *Sequential {
	i := len(s.layers)
	switch {
	case l == nil:
		s.configErr("layer %d is nil", i)
	case s.built:
		s.configErr("cannot add %v after the model was built", l)
	default:
		if in, ok := l.(*InputLayer); ok {
			if i > 0 || s.input != nil {
				s.configErr("an InputLayer must come first")
			}
			s.input = in
			return s
		}
		if b := baseOf(l); b != nil && b.err != nil {
			s.configErr("layer %d (%s): %w", i, className(l), b.err)
			return s
		}
		if err := s.namer.adopt(l); err != nil {
			s.configErr("layer %d (%s): %w", i, className(l), err)
			return s
		}
		s.layers = append(s.layers, l)
	}
	return s
}

// Layers returns the layers (the InputLayer excluded, as Keras).
func (s *Sequential) Layers() []Layer { return append([]Layer(nil), s.layers...) }

// OutputShape runs the shape inference of every layer.
func (s *Sequential) OutputShape(in []int) ([]int, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.input != nil {
		if _, err := s.input.OutputShape(in); err != nil {
			return nil, s.errorf("%w", err)
		}
	}
	shape := in
	for i, l := range s.layers {
		out, err := l.OutputShape(shape)
		if err != nil {
			return nil, s.childErr(i, l, err)
		}
		shape = out
	}
	return shape, nil
}

// Build builds every layer in order, each with a Split of the model's
// stream.
func (s *Sequential) Build(in []int) error {
	if s.err != nil {
		return s.err
	}
	if s.built {
		_, err := s.OutputShape(in)
		return err
	}
	if _, err := s.OutputShape(in); err != nil {
		return err
	}
	shape := batchless(in)
	for i, l := range s.layers {
		configureChild(&s.Base, l)
		if err := l.Build(shape); err != nil {
			return s.childErr(i, l, err)
		}
		out, err := l.OutputShape(shape)
		if err != nil {
			return s.childErr(i, l, err)
		}
		s.shapes = append(s.shapes, out)
		shape = out
	}
	s.built = true
	return nil
}

// ensureBuilt builds a model that starts with an InputLayer.
func (s *Sequential) ensureBuilt() error {
	if s.built || s.input == nil {
		return s.err
	}
	return s.Build(s.input.shape)
}

// Call runs the layers in order; on the first call it builds them in x's
// dtype unless SetDType was called.
func (s *Sequential) Call(x *autograd.Var, training bool) (_ *autograd.Var, err error) {
	defer tensor.Recover(&err) // a custom layer that panics
	if x == nil {
		return nil, s.errorf("nil input")
	}
	if !s.built {
		if !s.dtypeSet {
			s.dtype = x.DType()
		}
		if err := s.Build(x.Shape()); err != nil {
			return nil, err
		}
	} else if _, err := s.OutputShape(x.Shape()); err != nil {
		return nil, err
	}
	fresh := false // x is a Var the previous layer made, not the caller's
	for i := 0; i < len(s.layers); i++ {
		l := s.layers[i]
		var y *autograd.Var
		if slope, ok := s.fusableRectifier(i); ok {
			// The rectifier after this layer is applied to each chunk of
			// its output as it is computed; the rectifier layer is only
			// built, as its own call would have.
			if y, err = l.(rectifierFuser).callRectified(x, training, slope); err != nil {
				return nil, s.childErr(i, l, err)
			}
			i++
			if err := s.layers[i].Build(y.Shape()); err != nil {
				return nil, s.childErr(i, s.layers[i], err)
			}
		} else {
			if ip, ok := l.(inPlacer); ok && fresh {
				// Only this layer reads the previous layer's output. A
				// layer that passed its input through (InputLayer,
				// Dropout at inference) made nothing fresh, so the
				// caller's input is never overwritten.
				y, err = ip.callInPlace(x, training)
			} else {
				y, err = l.Call(x, training)
			}
			if err != nil {
				return nil, s.childErr(i, l, err)
			}
		}
		if y != x {
			if fresh && !x.RequiresGrad() && !y.RequiresGrad() && !tensor.SameStorage(x.Value, y.Value) {
				// Nothing recorded x (no node reads it) and only this
				// layer saw it: a forward pass without gradients (a
				// generator under NoGrad) hands its storage on at once.
				autograd.ReleaseGraph(x)
			}
			fresh = true // a layer that passes its input through keeps x's status
		}
		x = y
	}
	return x, nil
}

// rectifierFuser is a layer that can apply a rectifier to its output chunk
// by chunk while computing it (Conv2D): a following ReLU or LeakyReLU then
// costs no pass of its own over the activation.
type rectifierFuser interface {
	// fusesRectifier reports whether the layer can do so now (it has no
	// activation of its own).
	fusesRectifier() bool
	// callRectified is Call followed by the rectifier with slope ≥ 0 in
	// place (autograd.Conv2DBiasLeakyRelu).
	callRectified(x *autograd.Var, training bool, slope float64) (*autograd.Var, error)
}

// fusableRectifier reports whether layer i can run fused with a rectifier
// layer after it, and that rectifier's slope.
func (s *Sequential) fusableRectifier(i int) (float64, bool) {
	f, ok := s.layers[i].(rectifierFuser)
	if !ok || i+1 >= len(s.layers) || !f.fusesRectifier() {
		return 0, false
	}
	switch r := s.layers[i+1].(type) {
	case *ReLU:
		return r.slope, r.err == nil
	case *LeakyReLU:
		return r.slope, r.err == nil
	}
	return 0, false
}

// inPlacer is a layer that can write its output into its input's storage
// when its caller guarantees that nothing else reads the input, as a
// Sequential does for the output of one layer that only the next layer
// consumes. It saves an activation-sized tensor per layer, which matters
// for memory at large batches. Whether the storage is really reused is
// autograd's decision (autograd.LeakyReluInPlace).
type inPlacer interface {
	callInPlace(x *autograd.Var, training bool) (*autograd.Var, error)
}

// Predict runs the model at inference (training=false) on x.
func (s *Sequential) Predict(x *tensor.Tensor) (*tensor.Tensor, error) { return predict(s, x) }

// Weights returns every weight of every layer, in layer order.
func (s *Sequential) Weights() []*Weight {
	s.ensureBuilt()
	return collectWeights(s.layers)
}

// TrainableWeights returns the weights an optimizer updates.
func (s *Sequential) TrainableWeights() []*Weight { return filterWeights(s.Weights(), true) }

// NonTrainableWeights returns the other weights.
func (s *Sequential) NonTrainableWeights() []*Weight { return filterWeights(s.Weights(), false) }

// SetTrainable freezes or unfreezes the model and every layer in it.
func (s *Sequential) SetTrainable(on bool) { setTrainableAll(&s.Base, s.layers, on) }

// Config returns {"name", "layers": [{"class_name", "config"}...]}.
func (s *Sequential) Config() map[string]any {
	return withBase(&s.Base, map[string]any{"layers": layersConfig(s.layers)})
}

func (s *Sequential) String() string {
	return fmt.Sprintf("Sequential(%s, %d layers)", s.Name(), len(s.layers))
}

// Summary returns Keras's model.summary() table.
func (s *Sequential) Summary() string {
	if err := s.ensureBuilt(); err != nil {
		return err.Error()
	}
	rows := make([]summaryRow, len(s.layers))
	for i, l := range s.layers {
		shape := "?"
		if s.built {
			shape = formatShape(s.shapes[i])
		}
		rows[i] = layerRow(l, shape)
	}
	return renderSummary(s.Name(), rows, nil, s.TrainableWeights(), s.NonTrainableWeights())
}
