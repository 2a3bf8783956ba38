package metrics

import (
	"fmt"
	"math"

	"github.com/ganlab/ganlab/core/tensor"
)

// Mean is keras.metrics.Mean: the weighted mean of every value seen since
// the last reset. The GAN guide's loss trackers are Means.
type Mean struct{ accumulator }

// NewMean returns a Mean named name ("mean" when empty).
func NewMean(name string) *Mean {
	if name == "" {
		name = "mean"
	}
	return &Mean{accumulator{name: name}}
}

// UpdateState accumulates values, optionally weighted:
// UpdateState(values) or UpdateState(values, sampleWeight). Each sample
// (index along axis 0) counts once, its value the mean over its other axes;
// a scalar counts as one sample.
func (m *Mean) UpdateState(args ...*tensor.Tensor) error {
	w, err := splitWeight(m.name, "(values) or (values, sample_weight)", 1, args)
	if err != nil {
		return err
	}
	s, err := samplewise(args[0], w, reduceMean)
	if err != nil {
		return fmt.Errorf("metric %q: %w", m.name, err)
	}
	m.add(s)
	return nil
}

// UpdateScalar accumulates one value v with weight w, the fast path for a
// loss a train step has already read out.
func (m *Mean) UpdateScalar(v, w float64) error {
	if math.IsNaN(w) || math.IsInf(w, 0) {
		return fmt.Errorf("metric %q: sample weight %v, want a finite value", m.name, w)
	}
	m.total += v * w
	m.count += w
	return nil
}

// Result returns total/count, or an error wrapping ErrNoData.
func (m *Mean) Result() (float64, error) { return m.mean() }

// Sum is keras.metrics.Sum: the weighted sum of every value seen since the
// last reset. It counts the weight it has seen too, so that a Sum over no
// data reads as an error rather than 0.
type Sum struct{ accumulator }

// NewSum returns a Sum named name ("sum" when empty).
func NewSum(name string) *Sum {
	if name == "" {
		name = "sum"
	}
	return &Sum{accumulator{name: name}}
}

// UpdateState adds values, optionally weighted: UpdateState(values) or
// UpdateState(values, sampleWeight).
func (m *Sum) UpdateState(args ...*tensor.Tensor) error {
	w, err := splitWeight(m.name, "(values) or (values, sample_weight)", 1, args)
	if err != nil {
		return err
	}
	s, err := samplewise(args[0], w, reduceSum)
	if err != nil {
		return fmt.Errorf("metric %q: %w", m.name, err)
	}
	m.add(s)
	return nil
}

// Result returns the total, or an error wrapping ErrNoData when no data
// (or only zero weights) has been seen.
func (m *Sum) Result() (float64, error) {
	if m.count == 0 {
		return 0, fmt.Errorf("metric %q: %w", m.name, ErrNoData)
	}
	return m.total, nil
}

// Compile-time checks that the types implement Metric.
var (
	_ Metric = (*Mean)(nil)
	_ Metric = (*Sum)(nil)
	_ Metric = (*BinaryAccuracy)(nil)
	_ Metric = (*SparseCategoricalAccuracy)(nil)
)
