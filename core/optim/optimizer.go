package optim

import (
	"fmt"
	"math"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Optimizer updates parameters from their gradients, Keras style.
type Optimizer interface {
	// ApplyGradients updates params[i] in place from grads[i] and counts
	// one iteration. On error no parameter or slot has changed.
	ApplyGradients(grads []*tensor.Tensor, params []*autograd.Var) error
	// Iterations returns the number of updates applied so far.
	Iterations() int64
	// LearningRate returns the rate the next update will use.
	LearningRate() float64
	// SetLearningRate replaces the rate (and any schedule) by a constant.
	SetLearningRate(lr float64) error
	// SetSchedule replaces the rate by a schedule, evaluated at the
	// iteration count.
	SetSchedule(s Schedule) error
	// State returns a copy of everything an exact resume needs.
	State() (State, error)
	// SetState restores a State from an optimizer of the same kind and
	// configuration.
	SetState(s State) error
	// Name is the prefix of the optimizer's slot names ("adam").
	Name() string
}

// Options are the settings every optimizer shares (Keras's base optimizer
// arguments). At most one of the three clipping options may be set.
type Options struct {
	// LearningRate is the constant rate used when Schedule is nil.
	LearningRate float64
	// Schedule, when set, gives the rate at each iteration instead.
	Schedule Schedule
	// ClipNorm rescales each gradient tensor whose L2 norm exceeds it.
	ClipNorm float64
	// ClipValue limits every gradient element to [-ClipValue, ClipValue].
	ClipValue float64
	// GlobalClipNorm rescales all gradients together when their joint L2
	// norm exceeds it.
	GlobalClipNorm float64
	// Name prefixes slot names in State; empty means the optimizer's own
	// ("adam", "sgd", "rmsprop").
	Name string
}

// rule is the per-parameter arithmetic of one optimizer.
type rule interface {
	// slotNames lists the per-parameter slots the rule needs.
	slotNames() []string
	// update applies one step to p from g, already validated, using slots
	// of p's shape and dtype.
	update(s step, p, g *tensor.Tensor, slots []*tensor.Tensor)
}

// step is what an update needs besides the tensors.
type step struct {
	t     int64   // 1-based iteration number (Keras's local_step)
	lr    float64 // learning rate for this iteration
	scale float64 // gradient scale from norm clipping; 1 when off
	clip  float64 // element clip value; 0 when off
}

// base implements Optimizer around a rule.
type base struct {
	name  string
	rule  rule
	sched Schedule // constant when a fixed rate is set
	fixed bool     // sched is a constant set by a rate, not a schedule
	opts  Options
	iter  int64

	built   bool
	keys    []string // per parameter: its name, made unique
	names   []string // per parameter: its Var name at the build
	shapes  [][]int
	dtypes  []tensor.DType
	slots   [][]*tensor.Tensor
	pending map[string]*tensor.Tensor // slots from SetState before the build
}

func newBase(kind string, opts Options, r rule) (*base, error) {
	b := &base{name: kind, rule: r, opts: opts}
	if opts.Name != "" {
		b.name = opts.Name
	}
	if err := b.checkOptions(); err != nil {
		return nil, err
	}
	if opts.Schedule != nil {
		if err := b.SetSchedule(opts.Schedule); err != nil {
			return nil, err
		}
	} else if err := b.SetLearningRate(opts.LearningRate); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *base) checkOptions() error {
	set := 0
	for _, c := range []struct {
		field string
		v     float64
	}{{"ClipNorm", b.opts.ClipNorm}, {"ClipValue", b.opts.ClipValue}, {"GlobalClipNorm", b.opts.GlobalClipNorm}} {
		if !(c.v >= 0) || math.IsInf(c.v, 0) {
			return fmt.Errorf("%s: %s = %v, want a finite value ≥ 0 (0: off)", b.name, c.field, c.v)
		}
		if c.v > 0 {
			set++
		}
	}
	if set > 1 {
		return fmt.Errorf("%s: only one of ClipNorm (%v), ClipValue (%v) and GlobalClipNorm (%v) can be set",
			b.name, b.opts.ClipNorm, b.opts.ClipValue, b.opts.GlobalClipNorm)
	}
	return nil
}

// Name returns the prefix of the optimizer's slot names.
func (b *base) Name() string { return b.name }

// Iterations returns the number of updates applied so far.
func (b *base) Iterations() int64 { return b.iter }

// LearningRate returns the rate the next update will use.
func (b *base) LearningRate() float64 { return b.sched.At(b.iter) }

// SetLearningRate replaces the rate, and any schedule, by the constant lr.
func (b *base) SetLearningRate(lr float64) error {
	if err := checkRate(b.name, "LearningRate", lr); err != nil {
		return err
	}
	b.sched, b.fixed = constant(lr), true
	return nil
}

// SetSchedule makes the rate follow s from the current iteration count.
func (b *base) SetSchedule(s Schedule) error {
	if s == nil {
		return fmt.Errorf("%s: nil Schedule", b.name)
	}
	if v, ok := s.(validator); ok {
		if err := v.Validate(); err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
	}
	b.sched, b.fixed = s, false
	return nil
}

// ApplyGradients updates params[i] in place from grads[i].
func (b *base) ApplyGradients(grads []*tensor.Tensor, params []*autograd.Var) (err error) {
	defer tensor.Recover(&err) // internal bugs become errors, not crashes
	if err := b.check(grads, params); err != nil {
		return err
	}
	lr := b.sched.At(b.iter)
	if !(lr >= 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("%s: schedule gave learning rate %v at iteration %d", b.name, lr, b.iter)
	}
	if !b.built {
		if err := b.build(params); err != nil {
			return err
		}
	}
	s := step{t: b.iter + 1, lr: lr, scale: 1, clip: b.opts.ClipValue}
	if c := b.opts.GlobalClipNorm; c > 0 {
		s.scale = clipScale(globalNorm(grads), c)
	}
	for i, p := range params {
		if c := b.opts.ClipNorm; c > 0 {
			s.scale = clipScale(norm(grads[i]), c)
		}
		b.rule.update(s, p.Value, grads[i], b.slots[i])
	}
	b.iter++
	return nil
}

// check validates every gradient against its parameter, and the parameters
// against those the slots were built for, before anything is updated.
func (b *base) check(grads []*tensor.Tensor, params []*autograd.Var) error {
	if len(grads) != len(params) {
		return fmt.Errorf("%s: %d gradients for %d parameters", b.name, len(grads), len(params))
	}
	if b.built && len(params) != len(b.keys) {
		return fmt.Errorf("%s: %d parameters, but the optimizer was built for %d; use one optimizer per set of parameters", b.name, len(params), len(b.keys))
	}
	for i, p := range params {
		if p == nil || p.Value == nil {
			return fmt.Errorf("%s: parameter %d is nil", b.name, i)
		}
		g := grads[i]
		if g == nil {
			return fmt.Errorf("%s: no gradient for parameter %d (%q)", b.name, i, p.Name)
		}
		if g.DType() != p.Value.DType() || !sameShape(g, p.Value) {
			return fmt.Errorf("%s: gradient %v %v for parameter %d (%q) of %v %v", b.name, g.DType(), g.Shape(), i, p.Name, p.Value.DType(), p.Value.Shape())
		}
		if !finite(g) {
			return fmt.Errorf("%s: gradient of parameter %d (%q) has NaN or Inf values", b.name, i, p.Name)
		}
		if b.built && (p.Value.DType() != b.dtypes[i] || !sameDims(p.Value, b.shapes[i]) || p.Name != b.names[i]) {
			return fmt.Errorf("%s: parameter %d is %q %v %v, but the optimizer was built for %q %v %v", b.name, i, p.Name, p.Value.DType(), p.Value.Shape(), b.names[i], b.dtypes[i], b.shapes[i])
		}
	}
	return nil
}

// build creates the slots, filled from a pending state if SetState came
// first, zeros otherwise.
func (b *base) build(params []*autograd.Var) error {
	keys := paramKeys(params)
	slots := make([][]*tensor.Tensor, len(params))
	used := 0
	for i, p := range params {
		for _, sn := range b.rule.slotNames() {
			t := tensor.ZerosLike(p.Value)
			if b.pending != nil {
				key := b.slotKey(sn, keys[i])
				src, ok := b.pending[key]
				if !ok {
					return fmt.Errorf("%s: restored state has no slot %q for parameter %d", b.name, key, i)
				}
				if src.DType() != t.DType() || !sameShape(src, t) {
					return fmt.Errorf("%s: restored slot %q is %v %v, parameter is %v %v", b.name, key, src.DType(), src.Shape(), t.DType(), t.Shape())
				}
				t.CopyFrom(src)
				used++
			}
			slots[i] = append(slots[i], t)
		}
	}
	if b.pending != nil && used != len(b.pending) {
		return fmt.Errorf("%s: restored state has %d slots, the parameters need %d", b.name, len(b.pending), used)
	}
	b.keys, b.slots, b.pending = keys, slots, nil
	b.shapes = make([][]int, len(params))
	b.dtypes = make([]tensor.DType, len(params))
	b.names = make([]string, len(params))
	for i, p := range params {
		b.shapes[i], b.dtypes[i], b.names[i] = p.Value.Shape(), p.Value.DType(), p.Name
	}
	b.built = true
	return nil
}

// slotKey names a slot in State: "<optimizer>/<slot>/<parameter key>".
func (b *base) slotKey(slot, param string) string { return b.name + "/" + slot + "/" + param }

// paramKeys returns each parameter's name, made unique: "#i" for an unnamed
// parameter i, "name#i" for a repeated name.
func paramKeys(params []*autograd.Var) []string {
	keys := make([]string, len(params))
	seen := map[string]bool{}
	for i, p := range params {
		switch {
		case p.Name == "":
			keys[i] = fmt.Sprintf("#%d", i)
		case seen[p.Name]:
			keys[i] = fmt.Sprintf("%s#%d", p.Name, i)
		default:
			keys[i] = p.Name
		}
		seen[p.Name] = true
	}
	return keys
}

// sameShape compares shapes without allocating.
func sameShape(a, b *tensor.Tensor) bool {
	if a.Rank() != b.Rank() {
		return false
	}
	for i := 0; i < a.Rank(); i++ {
		if a.Dim(i) != b.Dim(i) {
			return false
		}
	}
	return true
}

func sameDims(a *tensor.Tensor, shape []int) bool {
	if a.Rank() != len(shape) {
		return false
	}
	for i, d := range shape {
		if a.Dim(i) != d {
			return false
		}
	}
	return true
}
