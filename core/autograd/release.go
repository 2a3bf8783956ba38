package autograd

import "github.com/ganlab/ganlab/core/tensor"

// ReleaseGraph recycles the storage of every value that the ops recorded
// on the way to outputs computed (outputs included), for a caller that is
// done with all of them: a train step after its update, say, the way
// PyTorch frees a graph after backward. The next step's tensors of the
// same sizes then reuse that storage while it is warm, instead of each
// being a fresh allocation the runtime must clear, and the heap stays near
// the live data.
//
// Leaves and constants are never touched, nor any storage they share (a
// reshaped weight, a detached value): only values ops made. The caller
// must not use any Var of the graph afterwards, nor any tensor it took
// from one; their storage is gone (and reads of it fail loudly). Values
// that ops made without recording (under NoGrad) are released where the
// graph reaches them as inputs.
func ReleaseGraph(outputs ...*Var) { ReleaseGraphKeeping(outputs, nil) }

// ReleaseGraphKeeping is ReleaseGraph for a caller that still holds some
// Vars: the values of keep, and all the graph behind them, are left alone,
// as is any storage they share with the values released (a value detached
// from the graph, say). The Lua runner releases each train step's graph
// this way, keeping the tensors the script kept and those of the run.
func ReleaseGraphKeeping(outputs, keep []*Var) { release(outputs, keep, nil) }

// ReleaseGraphAndGrads is ReleaseGraph for a train step that is done with
// grads too, the gradients a first-order Grad returned for the graph,
// once the optimizer has applied them: their storage goes back with the
// graph's, unless a leaf or a constant shares it. Storage two of them
// share (or one shares with a value of the graph) is recycled once.
func ReleaseGraphAndGrads(outputs []*Var, grads []*tensor.Tensor) { release(outputs, nil, grads) }

// release is the walk behind the Release functions: it pins what keep
// reaches and every leaf or constant on the way, owns the values ops made
// and the extra tensors, then drops each once.
func release(outputs, keep []*Var, extra []*tensor.Tensor) {
	sc := tensor.NewScratch()
	var made []*Var
	seen := map[*Var]bool{}
	for _, v := range keep {
		if v != nil && !seen[v] {
			seen[v] = true
			sc.Pin(v.Value)
		}
	}
	stack := append([]*Var(nil), outputs...)
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if v == nil || seen[v] {
			continue
		}
		seen[v] = true
		if v.made == "" {
			sc.Pin(v.Value)
		} else {
			sc.Own(v.Value)
			sc.Hold(v.Value)
			made = append(made, v)
		}
		if v.node != nil {
			stack = append(stack, v.node.inputs...)
			stack = append(stack, v.node.reads...)
		}
	}
	for _, t := range extra {
		if t != nil {
			sc.Own(t)
			sc.Hold(t)
		}
	}
	// Every Pin is in before the first Drop: storage a leaf shares with an
	// op's value (a Reshape of a weight) is never recycled.
	for _, v := range made {
		sc.Drop(v.Value)
	}
	for _, t := range extra {
		if t != nil {
			sc.Drop(t)
		}
	}
}
