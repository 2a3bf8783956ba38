package nn

import (
	"fmt"
	"slices"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Model is a functional keras.Model: a graph of layer calls from Input
// tensors to outputs, recorded with Apply. It is a Layer (and a
// MultiLayer), so it nests inside other models; layers may be shared
// between calls and models. It builds on first use: Call, Run, Build,
// Weights or Summary.
type Model struct {
	Base
	inputs, outputs []*KerasTensor
	nodes           []*node // topological order, Input nodes excluded
	layers          []Layer // Input layers first, then in call order
}

// NewModel returns keras.Model(inputs, outputs, name); name "" gives
// "functional". It reports the first error recorded along the graph, and
// an output that depends on an Input not among inputs.
func NewModel(inputs, outputs []*KerasTensor, name string) (*Model, error) {
	m := &Model{Base: NewBase("Functional"), inputs: slices.Clone(inputs), outputs: slices.Clone(outputs)}
	if name != "" {
		m.SetName(name)
	}
	if len(inputs) == 0 || len(outputs) == 0 {
		return nil, m.errorf("want at least one input and one output, got %d and %d", len(inputs), len(outputs))
	}
	isInput := map[*KerasTensor]bool{}
	for i, t := range inputs {
		if t == nil || t.err != nil {
			return nil, m.errorf("input %d: %w", i, tensorErr(t))
		}
		if _, ok := t.node.layer.(*InputLayer); !ok {
			return nil, m.errorf("input %d is the output of %s, not of Input", i, t.node.layer.Name())
		}
		isInput[t] = true
		m.layers = append(m.layers, t.node.layer)
	}
	seen := map[*node]bool{}
	var visit func(t *KerasTensor) error
	visit = func(t *KerasTensor) error {
		if isInput[t] || seen[t.node] {
			return nil
		}
		if _, ok := t.node.layer.(*InputLayer); ok {
			return m.errorf("an output depends on input %q, which is not among the model's inputs", t.node.layer.Name())
		}
		seen[t.node] = true
		for _, in := range t.node.inputs {
			if err := visit(in); err != nil {
				return err
			}
		}
		m.nodes = append(m.nodes, t.node)
		if !slices.Contains(m.layers, t.node.layer) {
			m.layers = append(m.layers, t.node.layer)
		}
		return nil
	}
	for i, t := range outputs {
		if t == nil || t.err != nil {
			return nil, m.errorf("output %d: %w", i, tensorErr(t))
		}
		if err := visit(t); err != nil {
			return nil, err
		}
	}
	names := newNamer(&m.Base)
	for _, l := range m.layers {
		if err := names.adopt(l); err != nil {
			return nil, m.errorf("%w", err)
		}
	}
	return m, nil
}

func tensorErr(t *KerasTensor) error {
	if t == nil {
		return fmt.Errorf("nil tensor")
	}
	return t.err
}

// Inputs returns the model's symbolic inputs.
func (m *Model) Inputs() []*KerasTensor { return slices.Clone(m.inputs) }

// Outputs returns the model's symbolic outputs.
func (m *Model) Outputs() []*KerasTensor { return slices.Clone(m.outputs) }

// Layers returns the layers, Input layers first, each once.
func (m *Model) Layers() []Layer { return slices.Clone(m.layers) }

// ensureBuilt builds every layer call in order with the recorded shapes;
// each layer gets a Split of the model's stream in layer order.
func (m *Model) ensureBuilt() error {
	if m.err != nil || m.built {
		return m.err
	}
	for _, l := range m.layers {
		configureChild(&m.Base, l)
	}
	for _, t := range m.inputs {
		if err := t.node.layer.Build(t.shape); err != nil {
			return m.errorf("%w", err)
		}
	}
	for _, n := range m.nodes {
		shapes := make([][]int, len(n.inputs))
		for i, in := range n.inputs {
			shapes[i] = in.shape
		}
		if err := buildOf(n.layer, shapes); err != nil {
			return m.errorf("layer %q (%s): %w", n.layer.Name(), className(n.layer), err)
		}
	}
	m.built = true
	return nil
}

// inferShapes propagates input shapes through the graph.
func (m *Model) inferShapes(ins [][]int) ([][]int, error) {
	if m.err != nil {
		return nil, m.err
	}
	if len(ins) != len(m.inputs) {
		return nil, m.errorf("got %d inputs, the model takes %d", len(ins), len(m.inputs))
	}
	shapes := map[*KerasTensor][]int{}
	for i, t := range m.inputs {
		if !compatible(ins[i], t.shape) {
			return nil, m.errorf("input %d: shape %v, want %s", i, ins[i], formatShape(t.shape))
		}
		shapes[t] = ins[i]
	}
	for _, n := range m.nodes {
		in := make([][]int, len(n.inputs))
		for i, t := range n.inputs {
			in[i] = shapes[t]
		}
		out, err := outputShapeOf(n.layer, in)
		if err != nil {
			return nil, m.errorf("layer %q (%s): %w", n.layer.Name(), className(n.layer), err)
		}
		shapes[n.output] = out
	}
	outs := make([][]int, len(m.outputs))
	for i, t := range m.outputs {
		outs[i] = shapes[t]
	}
	return outs, nil
}

// OutputShapeMulti returns the shape of the single output for inputs of
// ins.
func (m *Model) OutputShapeMulti(ins [][]int) ([]int, error) {
	outs, err := m.inferShapes(ins)
	if err != nil {
		return nil, err
	}
	if len(outs) != 1 {
		return nil, m.errorf("the model has %d outputs; a layer call needs one", len(outs))
	}
	return outs[0], nil
}

// OutputShape returns the output shape of a single-input model.
func (m *Model) OutputShape(in []int) ([]int, error) { return m.OutputShapeMulti([][]int{in}) }

// BuildMulti checks ins against the inputs and builds the model.
func (m *Model) BuildMulti(ins [][]int) error {
	if _, err := m.inferShapes(ins); err != nil {
		return err
	}
	return m.ensureBuilt()
}

// Build builds a single-input model.
func (m *Model) Build(in []int) error { return m.BuildMulti([][]int{in}) }

// Run applies the model to one Var per input and returns one per output.
// The first run builds the model in the inputs' dtype unless SetDType was
// called.
func (m *Model) Run(xs []*autograd.Var, training bool) (_ []*autograd.Var, err error) {
	defer tensor.Recover(&err) // a custom layer that panics
	shapes := make([][]int, len(xs))
	for i, x := range xs {
		if x == nil {
			return nil, m.errorf("input %d is nil", i)
		}
		shapes[i] = x.Shape()
	}
	if !m.built && !m.dtypeSet && len(xs) > 0 {
		m.dtype = xs[0].DType()
	}
	if err := m.BuildMulti(shapes); err != nil {
		return nil, err
	}
	vals := map[*KerasTensor]*autograd.Var{}
	for i, t := range m.inputs {
		vals[t] = xs[i]
	}
	for _, n := range m.nodes {
		ins := make([]*autograd.Var, len(n.inputs))
		for i, t := range n.inputs {
			ins[i] = vals[t]
		}
		y, err := callOf(n.layer, ins, training)
		if err != nil {
			return nil, m.errorf("layer %q (%s): %w", n.layer.Name(), className(n.layer), err)
		}
		vals[n.output] = y
	}
	outs := make([]*autograd.Var, len(m.outputs))
	for i, t := range m.outputs {
		outs[i] = vals[t]
	}
	return outs, nil
}

// CallMulti applies a single-output model to several inputs.
func (m *Model) CallMulti(xs []*autograd.Var, training bool) (*autograd.Var, error) {
	outs, err := m.Run(xs, training)
	if err != nil {
		return nil, err
	}
	if len(outs) != 1 {
		return nil, m.errorf("the model has %d outputs: use Run", len(outs))
	}
	return outs[0], nil
}

// Call applies a single-input, single-output model.
func (m *Model) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return m.CallMulti([]*autograd.Var{x}, training)
}

// Predict runs a single-input, single-output model at inference on x.
func (m *Model) Predict(x *tensor.Tensor) (*tensor.Tensor, error) { return predict(m, x) }

// Weights returns every weight of every layer in layer order, each once.
func (m *Model) Weights() []*Weight {
	m.ensureBuilt()
	return collectWeights(m.layers)
}

// TrainableWeights returns the weights an optimizer updates.
func (m *Model) TrainableWeights() []*Weight { return filterWeights(m.Weights(), true) }

// NonTrainableWeights returns the other weights.
func (m *Model) NonTrainableWeights() []*Weight { return filterWeights(m.Weights(), false) }

// SetTrainable freezes or unfreezes the model and every layer in it.
func (m *Model) SetTrainable(on bool) { setTrainableAll(&m.Base, m.layers, on) }

// Config returns {"name", "layers": [...]}.
func (m *Model) Config() map[string]any {
	return withBase(&m.Base, map[string]any{"layers": layersConfig(m.layers)})
}

func (m *Model) String() string {
	return fmt.Sprintf("Model(%s, %d inputs, %d outputs, %d layers)", m.Name(), len(m.inputs), len(m.outputs), len(m.layers))
}

// Summary returns Keras's model.summary() table; graphs that are not a
// simple chain get Keras's "Connected to" column.
func (m *Model) Summary() string {
	if err := m.ensureBuilt(); err != nil {
		return err.Error()
	}
	calls := map[Layer][]*node{}
	var inputNodes []*node
	for _, t := range m.inputs {
		inputNodes = append(inputNodes, t.node)
	}
	chain := true
	for _, n := range append(inputNodes, m.nodes...) {
		calls[n.layer] = append(calls[n.layer], n)
		if len(n.inputs) > 1 || len(calls[n.layer]) > 1 {
			chain = false
		}
	}
	var rows []summaryRow
	var connected []string
	for _, l := range m.layers {
		for _, n := range calls[l] {
			rows = append(rows, layerRow(l, formatShape(n.output.shape)))
			connected = append(connected, connections(n, calls))
		}
	}
	if chain {
		connected = nil
	}
	return renderSummary(m.Name(), rows, connected, m.TrainableWeights(), m.NonTrainableWeights())
}

// connections lists a node's inputs as Keras does: layer[node][tensor].
func connections(n *node, calls map[Layer][]*node) string {
	if len(n.inputs) == 0 {
		return "-"
	}
	s := ""
	for i, t := range n.inputs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s[%d][0]", t.node.layer.Name(), slices.Index(calls[t.node.layer], t.node))
	}
	return s
}
