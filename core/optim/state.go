package optim

import (
	"fmt"
	"math"
	"slices"

	"github.com/ganlab/ganlab/core/tensor"
)

// State is what an exact resume needs from an optimizer, in plain types a
// checkpoint writer can store (slots as safetensors tensors, the rest as
// scalars).
type State struct {
	// Iterations is the number of updates applied.
	Iterations int64
	// LearningRate is the constant rate, or, when Scheduled, the schedule's
	// rate at Iterations (for the record; the schedule itself is config).
	LearningRate float64
	// Scheduled says the rate comes from the optimizer's Schedule.
	Scheduled bool
	// Slots maps "<optimizer>/<slot>/<parameter name>" to a copy of each
	// slot, e.g. "adam/m/generator/dense/kernel".
	Slots map[string]*tensor.Tensor
}

// SlotNames returns the slot names in sorted order, for writers that want a
// deterministic file.
func (s State) SlotNames() []string {
	names := make([]string, 0, len(s.Slots))
	for k := range s.Slots {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// State returns a copy of the optimizer's state. Before the first update
// the slots are those given to SetState, if any.
func (b *base) State() (State, error) {
	s := State{Iterations: b.iter, LearningRate: b.sched.At(b.iter), Scheduled: !b.fixed, Slots: map[string]*tensor.Tensor{}}
	if !b.built {
		for k, t := range b.pending {
			s.Slots[k] = t.Clone()
		}
		return s, nil
	}
	for i, key := range b.keys {
		for j, sn := range b.rule.slotNames() {
			s.Slots[b.slotKey(sn, key)] = b.slots[i][j].Clone()
		}
	}
	return s, nil
}

// SetState restores s. The optimizer must have the configuration (and
// schedule, if s is Scheduled) of the one that saved it. Before the first
// update the slots are kept and checked against the parameters at that
// update; afterwards they are checked now. Nothing changes on error.
func (b *base) SetState(s State) error {
	if s.Iterations < 0 {
		return fmt.Errorf("%s: state has %d iterations", b.name, s.Iterations)
	}
	if s.Scheduled && b.fixed {
		return fmt.Errorf("%s: state was saved with a learning-rate schedule; give the optimizer that schedule", b.name)
	}
	if !s.Scheduled {
		if !(s.LearningRate >= 0) || math.IsInf(s.LearningRate, 0) {
			return fmt.Errorf("%s: state has learning rate %v", b.name, s.LearningRate)
		}
	}
	if b.built {
		if err := b.checkSlots(s.Slots); err != nil {
			return err
		}
		for i, key := range b.keys {
			for j, sn := range b.rule.slotNames() {
				b.slots[i][j].CopyFrom(s.Slots[b.slotKey(sn, key)])
			}
		}
	} else {
		pending := make(map[string]*tensor.Tensor, len(s.Slots))
		for k, t := range s.Slots {
			if t == nil {
				return fmt.Errorf("%s: state slot %q is nil", b.name, k)
			}
			pending[k] = t.Clone()
		}
		b.pending = pending
	}
	if !s.Scheduled {
		b.sched, b.fixed = constant(s.LearningRate), true
	}
	b.iter = s.Iterations
	return nil
}

// checkSlots verifies that slots holds exactly the built slots, with their
// shapes and dtypes.
func (b *base) checkSlots(slots map[string]*tensor.Tensor) error {
	n := 0
	for i, key := range b.keys {
		for j, sn := range b.rule.slotNames() {
			k := b.slotKey(sn, key)
			t, ok := slots[k]
			if !ok || t == nil {
				return fmt.Errorf("%s: state has no slot %q", b.name, k)
			}
			want := b.slots[i][j]
			if t.DType() != want.DType() || !sameShape(t, want) {
				return fmt.Errorf("%s: state slot %q is %v %v, want %v %v", b.name, k, t.DType(), t.Shape(), want.DType(), want.Shape())
			}
			n++
		}
	}
	if len(slots) != n {
		return fmt.Errorf("%s: state has %d slots, the parameters need %d", b.name, len(slots), n)
	}
	return nil
}
