package nn

import (
	"fmt"
	"math"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Embedding is keras.layers.Embedding: integer ids (held in a float tensor,
// any shape (n, ...)) → rows of the (input_dim, output_dim) embeddings
// matrix, shape (n, ..., output_dim). Ids carry no gradient.
type Embedding struct {
	Base
	inputDim, outputDim int
	init                Initializer
	embeddings          *Weight
}

// NewEmbedding returns Embedding(input_dim, output_dim); option
// EmbeddingsInitializer (default uniform(-0.05, 0.05), as Keras).
func NewEmbedding(inputDim, outputDim int, opts ...Option) *Embedding {
	l := &Embedding{Base: NewBase("Embedding"), inputDim: inputDim, outputDim: outputDim}
	a := &args{embeddingsInit: RandomUniform(-0.05, 0.05)}
	parseArgs(&l.Base, a, []string{"embeddings_initializer"}, opts)
	l.init = a.embeddingsInit
	if inputDim <= 0 || outputDim <= 0 {
		l.configErr("input_dim %d and output_dim %d must be positive", inputDim, outputDim)
	}
	return l
}

// OutputShape appends output_dim.
func (l *Embedding) OutputShape(in []int) ([]int, error) {
	if err := l.checkRank(in, 1, -1); err != nil {
		return nil, err
	}
	return append(append([]int(nil), in...), l.outputDim), nil
}

// Build creates embeddings (input_dim, output_dim).
func (l *Embedding) Build(in []int) error {
	return l.build(l, in, func([]int) {
		l.embeddings = l.AddWeight("embeddings", []int{l.inputDim, l.outputDim}, l.init, true)
	})
}

// Call looks the ids up; an id that is not an integer in [0, input_dim) is
// an error naming it.
func (l *Embedding) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	if x != nil {
		for i := 0; i < x.Value.Len(); i++ {
			v := x.Value.At(i)
			if v != math.Trunc(v) || v < 0 || v >= float64(l.inputDim) {
				return nil, l.errorf("input %v: id %v at flat index %d is not an integer in [0, input_dim=%d)", x.Shape(), v, i, l.inputDim)
			}
		}
	}
	return l.run(l, x, func() *autograd.Var { return l.apply(x, l.embeddings.Var) })
}

func (l *Embedding) kernelWeight() *Weight { return l.embeddings }

func (l *Embedding) apply(x, k *autograd.Var) *autograd.Var {
	n := x.Value.Len()
	idx := make([]int, 0, n*l.outputDim)
	for i := 0; i < n; i++ {
		row := int(x.Value.At(i)) * l.outputDim
		for j := 0; j < l.outputDim; j++ {
			idx = append(idx, row+j)
		}
	}
	out := append(x.Shape(), l.outputDim)
	if k.DType() != x.DType() {
		panic(&tensor.Error{Op: "embedding", Msg: "ids and embeddings differ in dtype"})
	}
	return autograd.Gather(k, idx, out...)
}

// Config returns Keras's Embedding arguments.
func (l *Embedding) Config() map[string]any {
	return withBase(&l.Base, map[string]any{"input_dim": l.inputDim, "output_dim": l.outputDim, "embeddings_initializer": l.init.Config()})
}

func (l *Embedding) String() string {
	return fmt.Sprintf("Embedding(%d -> %d)", l.inputDim, l.outputDim)
}
