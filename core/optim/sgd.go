package optim

import (
	"fmt"

	"github.com/ganlab/ganlab/core/tensor"
)

// SGDConfig configures SGD.
type SGDConfig struct {
	Options
	Momentum float64 // in [0, 1]; 0: plain gradient descent
	Nesterov bool
}

// DefaultSGD returns Keras's defaults: learning rate 0.01, no momentum.
func DefaultSGD() SGDConfig { return SGDConfig{Options: Options{LearningRate: 0.01}} }

// SGD is Keras 3's SGD. Without momentum p -= lr·g. With momentum μ it keeps
// a velocity slot "momentum":
//
//	v = μ·v - lr·g
//	p += v                 (Nesterov: p += μ·v - lr·g)
type SGD struct {
	*base
	cfg SGDConfig
}

var _ Optimizer = (*SGD)(nil)

// NewSGD validates cfg and returns an SGD optimizer.
func NewSGD(cfg SGDConfig) (*SGD, error) {
	if !(cfg.Momentum >= 0 && cfg.Momentum <= 1) {
		return nil, fmt.Errorf("sgd: Momentum = %v, want in [0, 1]", cfg.Momentum)
	}
	b, err := newBase("sgd", cfg.Options, sgdRule(cfg))
	if err != nil {
		return nil, err
	}
	return &SGD{base: b, cfg: cfg}, nil
}

// Config returns the configuration SGD was made with.
func (o *SGD) Config() SGDConfig { return o.cfg }

type sgdRule SGDConfig

func (r sgdRule) slotNames() []string {
	if r.Momentum != 0 {
		return []string{"momentum"}
	}
	return nil
}

func (r sgdRule) update(s step, p, g *tensor.Tensor, slots []*tensor.Tensor) {
	if p.DType() == tensor.Float32 {
		var v []float32
		if r.Momentum != 0 {
			v = slots[0].Float32s()
		}
		sgdKernel(p.Float32s(), g.Float32s(), v, newPrep[float32](s), float32(s.lr), float32(r.Momentum), r.Nesterov)
		return
	}
	var v []float64
	if r.Momentum != 0 {
		v = slots[0].Float64s()
	}
	sgdKernel(p.Float64s(), g.Float64s(), v, newPrep[float64](s), s.lr, r.Momentum, r.Nesterov)
}

func sgdKernel[T tensor.Float](p, g, v []T, pr gradPrep[T], lr, mu T, nesterov bool) {
	g = g[:len(p)]
	switch {
	case v == nil:
		for i := range p {
			p[i] -= pr.at(g[i]) * lr
		}
	case nesterov:
		for i := range p {
			gi := pr.at(g[i])
			v[i] = v[i]*mu - gi*lr
			p[i] += v[i]*mu - gi*lr
		}
	default:
		for i := range p {
			v[i] = v[i]*mu - pr.at(g[i])*lr
			p[i] += v[i]
		}
	}
}
