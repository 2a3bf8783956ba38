package autograd

import (
	"fmt"

	"github.com/ganlab/ganlab/core/tensor"
)

// Var is a tensor in the autograd record.
type Var struct {
	// Value is the tensor computed by the forward pass.
	Value *tensor.Tensor
	// Grad holds the gradient accumulated by Backward (leaves only).
	Grad *tensor.Tensor
	// Name labels parameters in errors, summaries and checkpoints.
	Name string

	requiresGrad bool
	node         *node  // nil for leaves and constants
	made         string // the op that computed Value ("" for leaves and constants), recorded or not
}

// node is what an op records: its name, its inputs and how to map the
// gradient of its output to gradients of its inputs.
type node struct {
	op       string
	inputs   []*Var
	backward func(g *Var) []*Var
	// backwardNeed, when set, is backward restricted to the inputs whose
	// need entry is true (nil for the others). Ops whose input gradients
	// cost a convolution each use it, so that the differentiable pass of a
	// gradient penalty does not pay for weight gradients nobody asked for.
	backwardNeed needRule
	// fast, when set, computes the same input gradients on plain tensors,
	// only for the inputs whose need entry is true. First-order passes
	// (createGraph false) use it: no record is built and fused kernels can
	// do in one pass what the differentiable rule does in several.
	fast fastRule
	// fastInPlace, when set, is fast for an op with one input that may
	// overwrite the upstream gradient and return it: first-order passes use
	// it when they own that gradient and nothing else holds it.
	fastInPlace func(g *tensor.Tensor) *tensor.Tensor
	// reads lists forward values the rules read but do not differentiate
	// (a rectifier's output, for its gradient's mask). Gradients never flow
	// to them; ReleaseGraph walks them like inputs, since a gradient
	// penalty's graph reaches the critic's forward values only this way.
	reads []*Var
}

// Const wraps t as a Var that requires no gradient.
func Const(t *tensor.Tensor) *Var { return &Var{Value: t} }

// Param wraps t as a named leaf that requires a gradient.
func Param(t *tensor.Tensor, name string) *Var {
	return &Var{Value: t, Name: name, requiresGrad: true}
}

// Leaf wraps t as an unnamed leaf that requires a gradient, e.g. the
// interpolated images whose input-gradient a gradient penalty needs.
func Leaf(t *tensor.Tensor) *Var { return &Var{Value: t, requiresGrad: true} }

// RequiresGrad reports whether gradients flow to v.
func (v *Var) RequiresGrad() bool { return v.requiresGrad }

// SetRequiresGrad switches gradient tracking of a leaf on or off.
func (v *Var) SetRequiresGrad(on bool) {
	if v.node != nil {
		panic(&tensor.Error{Op: "set_requires_grad", Msg: "only leaves can change requires_grad; use StopGradient on " + v.Op()})
	}
	v.requiresGrad = on
}

// Op returns the name of the op that made v ("leaf" for leaves).
func (v *Var) Op() string {
	if v.node == nil {
		return "leaf"
	}
	return v.node.op
}

// Shape returns the shape of v's value.
func (v *Var) Shape() []int { return v.Value.Shape() }

// DType returns the element type of v's value.
func (v *Var) DType() tensor.DType { return v.Value.DType() }

// Detach returns a constant sharing v's value.
func (v *Var) Detach() *Var { return Const(v.Value) }

// ZeroGrad drops the accumulated gradient.
func (v *Var) ZeroGrad() { v.Grad = nil }

func (v *Var) String() string {
	name := v.Name
	if name == "" {
		name = v.Op()
	}
	return fmt.Sprintf("Var(%s %v)", name, v.Value)
}

// record makes the output Var of an op. It keeps the node only when an input
// requires a gradient, so constant computations cost nothing extra.
func record(op string, value *tensor.Tensor, backward func(g *Var) []*Var, inputs ...*Var) *Var {
	out := &Var{Value: value, made: op}
	for _, in := range inputs {
		if in.requiresGrad {
			out.requiresGrad = true
			out.node = &node{op: op, inputs: inputs, backward: backward}
			break
		}
	}
	return out
}

// fastRule maps the upstream gradient to the gradients of the inputs i with
// need[i] true (nil for the others), on plain tensors.
type fastRule func(g *tensor.Tensor, need []bool) []*tensor.Tensor

// recordFast is record with a tensor-level gradient rule for first-order
// passes; backward stays the differentiable rule that higher orders use.
func recordFast(op string, value *tensor.Tensor, backward func(g *Var) []*Var, fast fastRule, inputs ...*Var) *Var {
	out := record(op, value, backward, inputs...)
	if out.node != nil {
		out.node.fast = fast
	}
	return out
}

// needRule is a differentiable rule that computes only the gradients of
// the inputs i with need[i] true, nil for the others.
type needRule func(g *Var, need []bool) []*Var

// recordNeed is recordFast with a differentiable rule that honours need.
func recordNeed(op string, value *tensor.Tensor, backward needRule, fast fastRule, inputs ...*Var) *Var {
	out := recordFast(op, value, func(g *Var) []*Var {
		need := make([]bool, len(inputs))
		for i, in := range inputs {
			need[i] = in.requiresGrad
		}
		return backward(g, need)
	}, fast, inputs...)
	if out.node != nil {
		out.node.backwardNeed = backward
	}
	return out
}

// NoGrad runs fn with gradient tracking turned off on params and restores
// each flag afterwards, even if fn panics.
func NoGrad(params []*Var, fn func()) {
	saved := make([]bool, len(params))
	for i, p := range params {
		saved[i] = p.requiresGrad
		p.requiresGrad = false
	}
	defer func() {
		for i, p := range params {
			p.requiresGrad = saved[i]
		}
	}()
	fn()
}
