package autograd

import (
	"fmt"

	"github.com/ganlab/ganlab/core/tensor"
)

// topo returns the recorded Vars reachable from outputs, inputs before the
// Vars computed from them.
func topo(outputs []*Var) []*Var {
	var order []*Var
	seen := map[*Var]bool{}
	type frame struct {
		v    *Var
		next int
	}
	for _, root := range outputs {
		if root == nil || seen[root] || !root.requiresGrad {
			continue
		}
		seen[root] = true
		stack := []frame{{v: root}}
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.v.node != nil && top.next < len(top.v.node.inputs) {
				in := top.v.node.inputs[top.next]
				top.next++
				if !seen[in] && in.requiresGrad {
					seen[in] = true
					stack = append(stack, frame{v: in})
				}
				continue
			}
			order = append(order, top.v)
			stack = stack[:len(stack)-1]
		}
	}
	return order
}

// propagate walks the record backwards from outputs, seeded with seeds, and
// returns the gradients of the Vars for which keep is true; it does not walk
// past a Var for which stop is true. Intermediate gradients are dropped as
// soon as they have been passed on. Without createGraph every gradient is
// cut from the record (cheaper, and the forward graph is not kept alive by
// it), ops with a tensor-level rule use it, and the storage of the
// gradients those rules make goes back to the tensor package's pools once
// passed on (see gradTable).
func propagate(outputs, seeds []*Var, createGraph bool, keep, stop func(*Var) bool) map[*Var]*Var {
	grads := newGradTable(!createGraph)
	for i, o := range outputs {
		grads.add(o, seeds[i])
	}
	kept := map[*Var]*Var{}
	order := topo(outputs)
	leads := leadsToKept(order, keep)
	for i := len(order) - 1; i >= 0; i-- {
		v := order[i]
		g := grads.take(v)
		if g == nil {
			continue
		}
		if !leads[v] {
			grads.done(g)
			continue
		}
		if !createGraph {
			g = g.Detach()
		}
		if keep(v) {
			kept[v] = g
			grads.pin(g)
		}
		if v.node == nil || (stop != nil && stop(v)) {
			grads.done(g)
			continue
		}
		need := make([]bool, len(v.node.inputs))
		for j, in := range v.node.inputs {
			need[j] = in.requiresGrad && leads[in]
		}
		if !createGraph && v.node.fast != nil {
			var ts []*tensor.Tensor
			if v.node.fastInPlace != nil && need[0] && grads.sole(g) {
				ts = []*tensor.Tensor{v.node.fastInPlace(g.Value)}
			} else {
				ts = v.node.fast(g.Value, need)
			}
			for j, in := range v.node.inputs {
				if in.requiresGrad && ts[j] != nil {
					grads.own(ts[j], g.Value)
					grads.add(in, Const(ts[j]))
				}
			}
			grads.done(g)
			continue
		}
		var ins []*Var
		if v.node.backwardNeed != nil {
			ins = v.node.backwardNeed(g, need)
		} else {
			ins = v.node.backward(g)
		}
		for j, in := range v.node.inputs {
			if in.requiresGrad && ins[j] != nil {
				grads.add(in, ins[j])
			}
		}
		grads.done(g)
	}
	return kept
}

// gradTable holds the gradients a backward pass has computed but not yet
// passed on. In a first-order pass it also counts, through a
// tensor.Scratch, who holds each gradient's storage: gradients made by
// tensor-level rules belong to the pass, and once the last holder has
// passed its gradient on, the storage is recycled for the next tensors of
// that size. Only tensor-level rules' results are owned, because they are
// new tensors or the upstream gradient itself (fastRule's contract); a
// differentiable rule may return any tensor, a forward value included.
type gradTable struct {
	grads   map[*Var]*Var
	scratch *tensor.Scratch // nil: no recycling (a pass that records its gradients)
}

func newGradTable(recycle bool) *gradTable {
	t := &gradTable{grads: map[*Var]*Var{}}
	if recycle {
		t.scratch = tensor.NewScratch()
	}
	return t
}

// take removes and returns v's gradient (nil if none reached v).
func (t *gradTable) take(v *Var) *Var {
	g := t.grads[v]
	delete(t.grads, v)
	return g
}

// own marks a tensor-level rule's result as the pass's, unless it is the
// upstream gradient itself (or a view of it), which keeps its status.
func (t *gradTable) own(result, upstream *tensor.Tensor) {
	if t.scratch != nil && !tensor.SameStorage(result, upstream) {
		t.scratch.Own(result)
	}
}

// sole reports whether the pass made g's storage and g is its only holder,
// so that a rule may overwrite it.
func (t *gradTable) sole(g *Var) bool {
	return t.scratch != nil && t.scratch.Sole(g.Value)
}

// pin keeps g's storage out of recycling: it is returned to the caller.
func (t *gradTable) pin(g *Var) {
	if t.scratch != nil {
		t.scratch.Pin(g.Value)
	}
}

// done releases the pass's hold on a gradient it has passed on.
func (t *gradTable) done(g *Var) {
	if t.scratch != nil {
		t.scratch.Drop(g.Value)
	}
}

// add accumulates g into v's gradient. Two gradients of one Var are summed
// into the first in place when the pass owns it and nothing else holds it,
// else into a new tensor.
func (t *gradTable) add(v, g *Var) {
	if !tensor.SameShape(v.Value.Shape(), g.Value.Shape()) {
		panic(&tensor.Error{Op: "backward", Msg: fmt.Sprintf("gradient of shape %v for %s of shape %v", g.Shape(), v.Op(), v.Shape())})
	}
	prev := t.grads[v]
	if prev == nil {
		t.grads[v] = g
		if t.scratch != nil {
			t.scratch.Hold(g.Value)
		}
		return
	}
	if t.scratch == nil {
		t.grads[v] = Add(prev, g)
		return
	}
	if t.scratch.Sole(prev.Value) && !tensor.SameStorage(prev.Value, g.Value) {
		prev.Value.AddInPlace(g.Value)
		t.scratch.Hold(g.Value)
		t.scratch.Drop(g.Value)
		return
	}
	sum := Add(prev, g)
	t.scratch.Own(sum.Value)
	t.scratch.Hold(sum.Value)
	t.grads[v] = sum
	t.scratch.Drop(prev.Value)
}

// leadsToKept marks the Vars of order (inputs first) from which a kept Var
// can be reached through inputs. Only their rules need to run: the
// gradient of D's loss for D's weights must not pay for a backward pass
// through the generator that made D's input.
func leadsToKept(order []*Var, keep func(*Var) bool) map[*Var]bool {
	leads := make(map[*Var]bool, len(order))
	for _, v := range order {
		if keep(v) {
			leads[v] = true
			continue
		}
		if v.node == nil {
			continue
		}
		for _, in := range v.node.inputs {
			if leads[in] {
				leads[v] = true
				break
			}
		}
	}
	return leads
}

func seedsFor(op string, outputs, gradOutputs []*Var) []*Var {
	seeds := make([]*Var, len(outputs))
	for i, o := range outputs {
		if gradOutputs != nil && gradOutputs[i] != nil {
			seeds[i] = gradOutputs[i]
			continue
		}
		if o.Value.Len() != 1 {
			panic(&tensor.Error{Op: op, Msg: fmt.Sprintf("output %d has shape %v: pass its upstream gradient or reduce it to a scalar first", i, o.Shape())})
		}
		seeds[i] = Const(tensor.Full(o.DType(), 1, o.Shape()...))
	}
	return seeds
}

// Backward computes the gradient of the scalar loss with respect to every
// leaf that requires a gradient and adds it into the leaf's Grad.
func (loss *Var) Backward() error {
	return tensor.Catch(func() {
		isLeaf := func(v *Var) bool { return v.node == nil }
		grads := propagate([]*Var{loss}, seedsFor("backward", []*Var{loss}, nil), false, isLeaf, nil)
		for v, g := range grads {
			if v.Grad == nil {
				v.Grad = g.Value.Clone()
			} else {
				v.Grad.AddInPlace(g.Value)
			}
		}
	})
}

// Grad returns the gradients of the sum of outputs (each weighted by its
// gradOutputs entry, ones for scalars when gradOutputs is nil) with respect
// to inputs. An input the outputs do not depend on gets a zero gradient.
// With createGraph the gradients are themselves recorded and can be
// differentiated again.
func Grad(outputs, inputs, gradOutputs []*Var, createGraph bool) (res []*Var, err error) {
	defer tensor.Recover(&err)
	if gradOutputs != nil && len(gradOutputs) != len(outputs) {
		return nil, fmt.Errorf("grad: %d gradOutputs for %d outputs", len(gradOutputs), len(outputs))
	}
	wanted := map[*Var]bool{}
	for _, in := range inputs {
		wanted[in] = true
	}
	keep := func(v *Var) bool { return wanted[v] }
	grads := propagate(outputs, seedsFor("grad", outputs, gradOutputs), createGraph, keep, nil)
	res = make([]*Var, len(inputs))
	for i, in := range inputs {
		if g := grads[in]; g != nil {
			res[i] = g
		} else {
			res[i] = Const(tensor.ZerosLike(in.Value))
		}
	}
	return res, nil
}

// viaComposite returns a differentiable backward rule for a fused op: it
// rebuilds the op from primitive ops (composite) at the op's inputs and
// differentiates that with createGraph, so every order of gradient is exact
// while first-order passes use the fused op's fast rule.
func viaComposite(composite func(xs []*Var) *Var, inputs []*Var) func(g *Var) []*Var {
	return func(g *Var) []*Var {
		y := composite(inputs)
		isInput := map[*Var]bool{}
		for _, in := range inputs {
			isInput[in] = true
		}
		in := func(v *Var) bool { return isInput[v] }
		grads := propagate([]*Var{y}, []*Var{g}, true, in, in)
		out := make([]*Var, len(inputs))
		for i, x := range inputs {
			out[i] = grads[x]
		}
		return out
	}
}
