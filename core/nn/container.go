package nn

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Container is a model: a layer made of layers (Sequential, Model).
type Container interface {
	Layer
	// Layers returns the direct sublayers in order.
	Layers() []Layer
	// TrainableWeights returns the weights an optimizer updates.
	TrainableWeights() []*Weight
	// NonTrainableWeights returns the others (moving statistics, frozen
	// layers).
	NonTrainableWeights() []*Weight
	// Summary returns Keras's model.summary() table.
	Summary() string
}

func isModel(l Layer) bool { _, ok := l.(Container); return ok }

// collectWeights returns the weights of layers in order, each once (a
// shared layer appears once).
func collectWeights(layers []Layer) []*Weight {
	var out []*Weight
	seen := map[*Weight]bool{}
	for _, l := range layers {
		for _, w := range l.Weights() {
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}

func filterWeights(ws []*Weight, trainable bool) []*Weight {
	var out []*Weight
	for _, w := range ws {
		if w.Trainable() == trainable {
			out = append(out, w)
		}
	}
	return out
}

// configureChild hands a child layer, before it is built, a Split of the
// model's stream and the model's dtype. The split is drawn for every child,
// seeded or not, so each layer's stream depends only on its position.
func configureChild(m *Base, child Layer) {
	if m.rng == nil {
		m.rng = tensor.NewRNG(0, 0)
	}
	r := m.rng.Split()
	b := baseOf(child)
	if b == nil || b.built {
		return
	}
	if b.rng == nil {
		b.rng = r
	}
	if !b.dtypeSet {
		b.SetDType(m.dtype)
	}
}

// SetSeed seeds the model's stream, from which each layer gets its own
// (weights, dropout masks); call it before the model is built. A model
// without a seed uses seed 0.
func (b *Base) SetSeed(seed uint64) { b.rng = tensor.NewRNG(seed, 0) }

// childErr wraps a sublayer's error with its index and type, as Torch's
// Container does.
func (b *Base) childErr(i int, l Layer, err error) error {
	return b.errorf("layer %d (%s): %w", i, className(l), err)
}

func className(l Layer) string {
	if b := baseOf(l); b != nil {
		return b.class
	}
	return fmt.Sprintf("%T", l)
}

// setTrainableAll freezes or unfreezes a model and every layer in it, as
// Keras's model.trainable.
func setTrainableAll(b *Base, layers []Layer, on bool) {
	b.SetTrainable(on)
	for _, l := range layers {
		l.SetTrainable(on)
	}
}

// predict runs a layer at inference on a constant input.
func predict(l Layer, x *tensor.Tensor) (*tensor.Tensor, error) {
	y, err := l.Call(autograd.Const(x), false)
	if err != nil {
		return nil, err
	}
	return y.Value, nil
}

// layersConfig returns [{"class_name", "config"}...] for a model's config.
func layersConfig(layers []Layer) []map[string]any {
	out := make([]map[string]any, len(layers))
	for i, l := range layers {
		out[i] = map[string]any{"class_name": className(l), "config": l.Config()}
	}
	return out
}

// batchless returns shape with the batch axis unknown (-1).
func batchless(shape []int) []int {
	out := append([]int(nil), shape...)
	if len(out) > 0 {
		out[0] = -1
	}
	return out
}

// RandomStreams returns the streams that layers inside l draw from while
// they run (Dropout masks), keyed by layer path ("discriminator/dropout_1"),
// so a checkpoint can save each State and a resumed run SetState them and
// draw the same masks. A model is built first, so every stream exists.
func RandomStreams(l Layer) map[string]*tensor.RNG {
	out := map[string]*tensor.RNG{}
	var walk func(l Layer)
	walk = func(l Layer) {
		switch v := l.(type) {
		case *Sequential:
			v.ensureBuilt()
			for _, c := range v.layers {
				walk(c)
			}
		case *Model:
			v.ensureBuilt()
			for _, c := range v.layers {
				walk(c)
			}
		case *SpectralNormalization:
			if v.layer != nil {
				walk(v.layer)
			}
		case *Dropout:
			if v.rng == nil {
				v.rng = tensor.NewRNG(0, 0)
			}
			out[v.Path()] = v.rng
		}
	}
	walk(l)
	return out
}
