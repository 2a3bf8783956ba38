package bindings

import (
	"fmt"
	"weak"

	"github.com/ganlab/ganlab/core/autograd"
)

// tensorUD is what a tensor userdata holds. v is nil once the scope that
// made the tensor has ended: the userdata may live on in a Lua table, but
// the tensor's memory (and the graph that made it) is free to be collected.
type tensorUD struct {
	v        *autograd.Var
	scoped   bool // registered in an open scope
	kept     bool // keras.keep: survives its scope
	released bool
}

// releasedMsg is the error of any use of a released tensor.
const releasedMsg = "tensor released at the end of the train step that made it; keep it with keras.keep(t)"

// arena tracks the tensors made while scopes are open. gopher-lua never
// calls __gc, so without it every temporary of every train step would stay
// reachable from whatever Lua value still points at it; with it, the end of
// a step drops them all at once, deterministically.
type arena struct {
	live      []*tensorUD // tensors of the open scopes, oldest first
	marks     []int       // where each open scope starts in live
	untracked int         // tensors made outside scopes, permanent or kept
	// outside points at those tensors without keeping them alive: a graph
	// release must leave their storage alone while the script still
	// holds them, but a tensor the script has dropped must stay
	// collectable (gopher-lua never calls __gc, so the arena cannot hear
	// of it otherwise).
	outside []weak.Pointer[tensorUD]
	// keepGraphs leaves a released scope's graph to the garbage collector
	// instead of recycling its storage (Options.KeepGraphs).
	keepGraphs bool
}

// untrack records t as living outside the scopes.
func (a *arena) untrack(t *tensorUD) {
	a.untracked++
	a.outside = append(a.outside, weak.Make(t))
}

func (a *arena) add(t *tensorUD, permanent bool) {
	if permanent || len(a.marks) == 0 {
		a.untrack(t)
		return
	}
	t.scoped = true
	a.live = append(a.live, t)
}

// BeginScope opens a scope: every non-permanent tensor made until the
// matching EndScope is released then. Scopes nest; it returns the depth to
// pass to EndScope.
func (rt *Runtime) BeginScope() int {
	rt.arena.marks = append(rt.arena.marks, len(rt.arena.live))
	return len(rt.arena.marks)
}

// EndScope releases the tensors of the innermost scope, which must be the one
// BeginScope returned depth for, except those kept with keras.keep.
func (rt *Runtime) EndScope(depth int) {
	a := &rt.arena
	if depth != len(a.marks) || depth == 0 {
		panic(fmt.Sprintf("bindings: EndScope(%d) with %d scopes open", depth, len(a.marks)))
	}
	start := a.marks[depth-1]
	var released []*autograd.Var
	for _, t := range a.live[start:] {
		t.scoped = false
		if t.kept {
			a.untrack(t)
			continue
		}
		released = append(released, t.v)
		t.v = nil
		t.released = true
	}
	clear(a.live[start:])
	a.live = a.live[:start]
	a.marks = a.marks[:depth-1]
	if !a.keepGraphs {
		a.recycle(released)
	}
}

// recycle hands the storage of a scope's released tensors, and of every
// value of the graph that made them, to the tensor pools for the next
// step (autograd.ReleaseGraphKeeping), like the Go train steps of
// core/gan do: without it every step's activations are fresh allocations.
// Whatever the script still holds is left alone, with all that made it:
// the tensors of the run and of the scopes still open, kept tensors, and
// weights (leaves, which a graph release never touches).
func (a *arena) recycle(released []*autograd.Var) {
	if len(released) == 0 {
		return
	}
	keep := make([]*autograd.Var, 0, len(a.outside)+len(a.live))
	alive := a.outside[:0]
	for _, w := range a.outside {
		if t := w.Value(); t != nil {
			keep = append(keep, t.v)
			alive = append(alive, w)
		}
	}
	clear(a.outside[len(alive):])
	a.outside = alive
	for _, t := range a.live {
		keep = append(keep, t.v)
	}
	autograd.ReleaseGraphKeeping(released, keep)
}

// Scope runs fn inside a scope: the model and callback bindings wrap each
// train_step and each callback hook in one. The scope ends even if fn
// panics.
func (rt *Runtime) Scope(fn func() error) error {
	depth := rt.BeginScope()
	defer rt.EndScope(depth)
	return fn()
}

// LiveTensors returns the number of tensors not released: those of open
// scopes plus every tensor made outside a scope or kept (they live for the
// run). Tests use it to check that steps leave nothing behind.
func (rt *Runtime) LiveTensors() int { return rt.arena.untracked + len(rt.arena.live) }

// keep makes t outlive its scope. A kept tensor is cut from the graph that
// made it (a leaf stays itself) so that keeping a value does not keep the
// step's whole graph alive.
func (rt *Runtime) keep(t *tensorUD) {
	if !t.scoped || t.kept {
		return
	}
	t.kept = true
	if t.v.Op() != "leaf" {
		t.v = t.v.Detach()
	}
}
