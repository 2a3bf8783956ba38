package nn

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// Dropout is keras.layers.Dropout: in training each element is zeroed with
// probability rate and the rest scaled by 1/(1-rate); at inference it is the
// identity. Masks come from the layer's RNG, whose state (RNG().State())
// a checkpoint saves so a resumed run draws the same masks.
type Dropout struct {
	elementwise
	rate float64
}

// NewDropout returns Dropout(rate), 0 <= rate < 1; Seed fixes its stream.
func NewDropout(rate float64, opts ...Option) *Dropout {
	l := &Dropout{elementwise: elementwise{NewBase("Dropout")}, rate: rate}
	parseArgs(&l.Base, &args{}, nil, opts)
	if rate < 0 || rate >= 1 {
		l.configErr("rate %v must be in [0, 1)", rate)
	}
	return l
}

// Build checks the input shape and makes sure the layer has a stream.
func (l *Dropout) Build(in []int) error {
	return l.build(l, in, func([]int) {
		if l.rng == nil {
			l.rng = tensor.NewRNG(0, 0) // a layer built outside any model
		}
	})
}

// OutputShape returns the input shape.
func (l *Dropout) OutputShape(in []int) ([]int, error) { return l.shapeOf(in) }

// Call drops elements in training.
func (l *Dropout) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		if !training {
			return x
		}
		return autograd.Dropout(x, l.rate, l.rng)
	})
}

// callInPlace is Call writing the output into x's storage where autograd
// allows it (autograd.DropoutInPlace); the caller must not read x again.
func (l *Dropout) callInPlace(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		if !training {
			return x
		}
		return autograd.DropoutInPlace(x, l.rate, l.rng)
	})
}

// Config returns {"rate": ...}.
func (l *Dropout) Config() map[string]any { return withBase(&l.Base, map[string]any{"rate": l.rate}) }

func (l *Dropout) String() string { return fmt.Sprintf("Dropout(%g)", l.rate) }
