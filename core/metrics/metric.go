package metrics

import (
	"errors"
	"fmt"
	"math"

	"github.com/ganlab/ganlab/core/tensor"
)

// ErrNoData is wrapped by Result when a metric has accumulated no weight:
// nothing seen since the last reset, or only zero sample weights.
var ErrNoData = errors.New("metric has seen no data")

// Metric is a stateful Keras metric.
type Metric interface {
	// Name is the metric's log key ("d_loss", "accuracy").
	Name() string
	// UpdateState accumulates a batch. Mean and Sum take (values) or
	// (values, sample_weight); the accuracies take (y_true, y_pred) or
	// (y_true, y_pred, sample_weight). On error the state is unchanged.
	UpdateState(args ...*tensor.Tensor) error
	// Result returns the metric's value, or an error wrapping ErrNoData
	// when no weight has been accumulated.
	Result() (float64, error)
	// ResetState forgets everything accumulated.
	ResetState()
	// State returns the accumulated state, for checkpoints.
	State() State
	// SetState restores a State taken from a metric of the same kind.
	SetState(s State) error
}

// State is everything a metric accumulates: a weighted total and the total
// weight (the number of samples when unweighted).
type State struct {
	Total float64
	Count float64
}

// accumulator is the state every metric here shares.
type accumulator struct {
	name  string
	total float64
	count float64
}

// Name returns the metric's name.
func (a *accumulator) Name() string { return a.name }

// ResetState zeroes the total and the count.
func (a *accumulator) ResetState() { a.total, a.count = 0, 0 }

// State returns the total and the count.
func (a *accumulator) State() State { return State{Total: a.total, Count: a.count} }

// SetState restores the total and the count; a count that is negative,
// NaN or infinite cannot come from UpdateState and is refused.
func (a *accumulator) SetState(s State) error {
	if !(s.Count >= 0) || math.IsInf(s.Count, 0) {
		return fmt.Errorf("metric %q: SetState count %v, want a finite value ≥ 0", a.name, s.Count)
	}
	a.total, a.count = s.Total, s.Count
	return nil
}

// mean returns total/count, or an error when count is 0.
func (a *accumulator) mean() (float64, error) {
	if a.count == 0 {
		return 0, fmt.Errorf("metric %q: %w", a.name, ErrNoData)
	}
	return a.total / a.count, nil
}

// add accumulates per-sample values and weights as Keras's Mean does.
func (a *accumulator) add(s samples) {
	for _, v := range s.values {
		a.total += v
	}
	a.count += s.weight
}

// splitWeight returns the optional sample weight that follows n required
// arguments, checking the argument count.
func splitWeight(name, usage string, n int, args []*tensor.Tensor) (*tensor.Tensor, error) {
	if len(args) < n || len(args) > n+1 {
		return nil, fmt.Errorf("metric %q: UpdateState got %d tensors, want %s", name, len(args), usage)
	}
	for i, t := range args {
		if t == nil {
			return nil, fmt.Errorf("metric %q: UpdateState argument %d is nil", name, i+1)
		}
	}
	if len(args) == n+1 {
		return args[n], nil
	}
	return nil, nil
}
