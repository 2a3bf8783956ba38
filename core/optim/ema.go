package optim

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// EMA keeps an exponential moving average of parameters, as GANs (ProGAN,
// StyleGAN) use for the generator they sample from: after each update
//
//	avg = decay·avg + (1-decay)·param
//
// starting from the parameters' values when the EMA is made.
type EMA struct {
	decay   float64
	params  []*autograd.Var
	keys    []string
	avg     []*tensor.Tensor
	updates int64
}

// EMAState is what an exact resume needs from an EMA: the number of
// updates and each average as "ema/<parameter name>".
type EMAState struct {
	Updates  int64
	Averages map[string]*tensor.Tensor
}

// NewEMA returns the moving average of params with the given decay in
// [0, 1), initialised to copies of their current values.
func NewEMA(params []*autograd.Var, decay float64) (*EMA, error) {
	if !(decay >= 0 && decay < 1) {
		return nil, fmt.Errorf("ema: decay = %v, want in [0, 1)", decay)
	}
	e := &EMA{decay: decay, params: append([]*autograd.Var(nil), params...), keys: paramKeys(params)}
	for i, p := range params {
		if p == nil || p.Value == nil {
			return nil, fmt.Errorf("ema: parameter %d is nil", i)
		}
		e.avg = append(e.avg, p.Value.Clone())
	}
	return e, nil
}

// Decay returns the decay rate.
func (e *EMA) Decay() float64 { return e.decay }

// Updates returns the number of Update calls.
func (e *EMA) Updates() int64 { return e.updates }

// Averages returns the averaged tensors (shared, not copied), in the order
// of the parameters.
func (e *EMA) Averages() []*tensor.Tensor { return e.avg }

// Update moves every average towards its parameter's current value.
func (e *EMA) Update() error {
	if err := e.checkVars("Update", e.params); err != nil {
		return err
	}
	for i, p := range e.params {
		if a := e.avg[i]; a.DType() == tensor.Float32 {
			emaKernel(a.Float32s(), p.Value.Float32s(), float32(e.decay))
		} else {
			emaKernel(a.Float64s(), p.Value.Float64s(), e.decay)
		}
	}
	e.updates++
	return nil
}

func emaKernel[T tensor.Float](avg, p []T, d T) {
	p = p[:len(avg)]
	for i := range avg {
		avg[i] = d*avg[i] + (1-d)*p[i]
	}
}

// CopyTo copies the averages into dst's values, in place: dst is typically
// a second generator used for sampling.
func (e *EMA) CopyTo(dst []*autograd.Var) error {
	if err := e.checkVars("CopyTo", dst); err != nil {
		return err
	}
	for i, d := range dst {
		d.Value.CopyFrom(e.avg[i])
	}
	return nil
}

// Swap exchanges the averages and the parameters' values in place, so
// that the model itself samples with averaged weights; a second Swap
// restores it. Tensors are not replaced, only their contents.
func (e *EMA) Swap() error {
	if err := e.checkVars("Swap", e.params); err != nil {
		return err
	}
	for i, p := range e.params {
		if a := e.avg[i]; a.DType() == tensor.Float32 {
			swapKernel(a.Float32s(), p.Value.Float32s())
		} else {
			swapKernel(a.Float64s(), p.Value.Float64s())
		}
	}
	return nil
}

func swapKernel[T tensor.Float](a, b []T) {
	b = b[:len(a)]
	for i := range a {
		a[i], b[i] = b[i], a[i]
	}
}

// checkVars verifies that vs match the averages in count, shape and dtype.
func (e *EMA) checkVars(op string, vs []*autograd.Var) error {
	if len(vs) != len(e.avg) {
		return fmt.Errorf("ema.%s: %d parameters, the EMA has %d", op, len(vs), len(e.avg))
	}
	for i, v := range vs {
		if v == nil || v.Value == nil {
			return fmt.Errorf("ema.%s: parameter %d is nil", op, i)
		}
		if a := e.avg[i]; v.Value.DType() != a.DType() || !sameShape(v.Value, a) {
			return fmt.Errorf("ema.%s: parameter %d (%q) is %v %v, the average is %v %v", op, i, v.Name, v.Value.DType(), v.Value.Shape(), a.DType(), a.Shape())
		}
	}
	return nil
}

// State returns a copy of the EMA's state.
func (e *EMA) State() EMAState {
	s := EMAState{Updates: e.updates, Averages: make(map[string]*tensor.Tensor, len(e.avg))}
	for i, k := range e.keys {
		s.Averages["ema/"+k] = e.avg[i].Clone()
	}
	return s
}

// SetState restores s, saved from an EMA of the same parameters. Nothing
// changes on error.
func (e *EMA) SetState(s EMAState) error {
	if s.Updates < 0 {
		return fmt.Errorf("ema: state has %d updates", s.Updates)
	}
	if len(s.Averages) != len(e.keys) {
		return fmt.Errorf("ema: state has %d averages, the EMA has %d", len(s.Averages), len(e.keys))
	}
	for i, k := range e.keys {
		t, ok := s.Averages["ema/"+k]
		if !ok || t == nil {
			return fmt.Errorf("ema: state has no average %q", "ema/"+k)
		}
		if a := e.avg[i]; t.DType() != a.DType() || !sameShape(t, a) {
			return fmt.Errorf("ema: state average %q is %v %v, want %v %v", "ema/"+k, t.DType(), t.Shape(), a.DType(), a.Shape())
		}
	}
	for i, k := range e.keys {
		e.avg[i].CopyFrom(s.Averages["ema/"+k])
	}
	e.updates = s.Updates
	return nil
}
