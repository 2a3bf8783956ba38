package metrics

import (
	"fmt"
	"math"

	"github.com/ganlab/ganlab/core/tensor"
)

// BinaryAccuracy is keras.metrics.BinaryAccuracy: the weighted share of
// elements where (y_pred > Threshold) equals y_true. A discriminator's
// accuracy on real (1) and fake (0) labels is the GAN use.
type BinaryAccuracy struct {
	accumulator
	// Threshold turns a prediction into a 0/1 label; Keras's default 0.5
	// suits probabilities, 0 suits logits.
	Threshold float64
}

// NewBinaryAccuracy returns a BinaryAccuracy named name ("binary_accuracy"
// when empty) with the given threshold.
func NewBinaryAccuracy(name string, threshold float64) *BinaryAccuracy {
	if name == "" {
		name = "binary_accuracy"
	}
	return &BinaryAccuracy{accumulator: accumulator{name: name}, Threshold: threshold}
}

// UpdateState accumulates (y_true, y_pred) or (y_true, y_pred,
// sample_weight). y_true holds 0/1 labels of y_pred's shape (a trailing
// axis of size 1 may differ, as in Keras).
func (m *BinaryAccuracy) UpdateState(args ...*tensor.Tensor) error {
	w, err := splitWeight(m.name, "(y_true, y_pred) or (y_true, y_pred, sample_weight)", 2, args)
	if err != nil {
		return err
	}
	yt, yp := squeezeOrExpand(arrayOf(args[0]), arrayOf(args[1]))
	if !tensor.SameShape(yt.shape, yp.shape) {
		return fmt.Errorf("metric %q: y_true %v and y_pred %v differ in shape", m.name, args[0].Shape(), args[1].Shape())
	}
	match := make([]float64, len(yp.data))
	for i, p := range yp.data {
		label := 0.0
		if p > m.Threshold {
			label = 1
		}
		if label == yt.data[i] {
			match[i] = 1
		}
	}
	return m.addMatches(match, yp.shape, w)
}

// Result returns the accuracy, or an error wrapping ErrNoData.
func (m *BinaryAccuracy) Result() (float64, error) { return m.mean() }

// SparseCategoricalAccuracy is keras.metrics.SparseCategoricalAccuracy: the
// weighted share of samples whose arg-max class in y_pred (n, classes)
// equals the integer label in y_true (n) or (n, 1). Ties go to the first
// class, as argmax does.
type SparseCategoricalAccuracy struct{ accumulator }

// NewSparseCategoricalAccuracy returns one named name
// ("sparse_categorical_accuracy" when empty).
func NewSparseCategoricalAccuracy(name string) *SparseCategoricalAccuracy {
	if name == "" {
		name = "sparse_categorical_accuracy"
	}
	return &SparseCategoricalAccuracy{accumulator{name: name}}
}

// UpdateState accumulates (y_true, y_pred) or (y_true, y_pred,
// sample_weight).
func (m *SparseCategoricalAccuracy) UpdateState(args ...*tensor.Tensor) error {
	w, err := splitWeight(m.name, "(y_true, y_pred) or (y_true, y_pred, sample_weight)", 2, args)
	if err != nil {
		return err
	}
	yt, yp := arrayOf(args[0]), arrayOf(args[1])
	if len(yt.shape) == len(yp.shape) && len(yt.shape) > 0 && yt.shape[len(yt.shape)-1] == 1 {
		yt.shape = yt.shape[:len(yt.shape)-1] // labels (n, 1) → (n)
	}
	r := len(yp.shape)
	if r < 1 || len(yt.shape) != r-1 || !tensor.SameShape(yt.shape, yp.shape[:r-1]) || yp.shape[r-1] == 0 {
		return fmt.Errorf("metric %q: y_true %v and y_pred %v: want labels (n) or (n, 1) for scores (n, classes)", m.name, args[0].Shape(), args[1].Shape())
	}
	classes := yp.shape[r-1]
	match := make([]float64, len(yt.data))
	for i, label := range yt.data {
		if label != math.Trunc(label) || label < 0 || label >= float64(classes) {
			return fmt.Errorf("metric %q: label %v at %d is not a class index in [0, %d)", m.name, label, i, classes)
		}
		if argmax(yp.data[i*classes:(i+1)*classes]) == int(label) {
			match[i] = 1
		}
	}
	return m.addMatches(match, yt.shape, w)
}

// Result returns the accuracy, or an error wrapping ErrNoData.
func (m *SparseCategoricalAccuracy) Result() (float64, error) { return m.mean() }

// addMatches feeds 0/1 matches of the given shape to the Mean reduction.
func (a *accumulator) addMatches(match []float64, shape []int, w *tensor.Tensor) error {
	s, err := samplewise(tensor.FromFloat64(match, shape...), w, reduceMean)
	if err != nil {
		return fmt.Errorf("metric %q: %w", a.name, err)
	}
	a.add(s)
	return nil
}

// argmax returns the index of the first largest element; NaN never wins.
func argmax(xs []float64) int {
	best := 0
	for i, x := range xs {
		if x > xs[best] || math.IsNaN(xs[best]) && !math.IsNaN(x) {
			best = i
		}
	}
	return best
}
