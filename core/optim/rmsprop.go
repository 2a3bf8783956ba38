package optim

import (
	"fmt"

	"github.com/ganlab/ganlab/core/tensor"
)

// RMSpropConfig configures RMSprop.
type RMSpropConfig struct {
	Options
	Rho      float64 // decay of the squared-gradient average, in [0, 1)
	Momentum float64 // in [0, 1); 0: none
	Epsilon  float64 // added under the square root (Keras)
	Centered bool    // divide by the gradient's variance estimate
}

// DefaultRMSprop returns Keras's defaults: learning rate 0.001, ρ 0.9, no
// momentum, ε 1e-7, not centered.
func DefaultRMSprop() RMSpropConfig {
	return RMSpropConfig{Options: Options{LearningRate: 0.001}, Rho: 0.9, Epsilon: 1e-7}
}

// RMSprop is Keras 3's RMSprop:
//
//	v = ρ·v + (1-ρ)·g²
//	a = ρ·a + (1-ρ)·g                 (centered only)
//	d = √(v + ε), or √(v - a² + ε) centered
//	inc = lr·g/d
//	p -= inc                          (momentum μ: m = μ·m + inc; p -= m)
//
// Its slots are "velocity", and "momentum" and "average_gradient" when used.
type RMSprop struct {
	*base
	cfg RMSpropConfig
}

var _ Optimizer = (*RMSprop)(nil)

// NewRMSprop validates cfg and returns an RMSprop optimizer.
func NewRMSprop(cfg RMSpropConfig) (*RMSprop, error) {
	if !(cfg.Rho >= 0 && cfg.Rho < 1) {
		return nil, fmt.Errorf("rmsprop: Rho = %v, want in [0, 1)", cfg.Rho)
	}
	if !(cfg.Momentum >= 0 && cfg.Momentum < 1) {
		return nil, fmt.Errorf("rmsprop: Momentum = %v, want in [0, 1)", cfg.Momentum)
	}
	if err := checkEpsilon("rmsprop", cfg.Epsilon); err != nil {
		return nil, err
	}
	b, err := newBase("rmsprop", cfg.Options, rmspropRule(cfg))
	if err != nil {
		return nil, err
	}
	return &RMSprop{base: b, cfg: cfg}, nil
}

// Config returns the configuration RMSprop was made with.
func (o *RMSprop) Config() RMSpropConfig { return o.cfg }

type rmspropRule RMSpropConfig

func (r rmspropRule) slotNames() []string {
	names := []string{"velocity"}
	if r.Momentum > 0 {
		names = append(names, "momentum")
	}
	if r.Centered {
		names = append(names, "average_gradient")
	}
	return names
}

func (r rmspropRule) update(s step, p, g *tensor.Tensor, slots []*tensor.Tensor) {
	mom, avg := -1, -1 // slot indices, -1 when absent
	if r.Momentum > 0 {
		mom = 1
	}
	if r.Centered {
		avg = len(slots) - 1
	}
	if p.DType() == tensor.Float32 {
		var m, a []float32
		if mom >= 0 {
			m = slots[mom].Float32s()
		}
		if avg >= 0 {
			a = slots[avg].Float32s()
		}
		rmspropKernel(p.Float32s(), g.Float32s(), slots[0].Float32s(), m, a, newPrep[float32](s),
			float32(s.lr), float32(r.Rho), float32(r.Momentum), float32(r.Epsilon))
		return
	}
	var m, a []float64
	if mom >= 0 {
		m = slots[mom].Float64s()
	}
	if avg >= 0 {
		a = slots[avg].Float64s()
	}
	rmspropKernel(p.Float64s(), g.Float64s(), slots[0].Float64s(), m, a, newPrep[float64](s), s.lr, r.Rho, r.Momentum, r.Epsilon)
}

func rmspropKernel[T tensor.Float](p, g, v, m, a []T, pr gradPrep[T], lr, rho, mu, eps T) {
	g, v = g[:len(p)], v[:len(p)]
	for i := range p {
		gi := pr.at(g[i])
		v[i] = rho*v[i] + (1-rho)*(gi*gi)
		den := v[i] + eps
		if a != nil {
			a[i] = rho*a[i] + (1-rho)*gi
			den = v[i] - a[i]*a[i] + eps
		}
		inc := lr * gi / sqrt(den)
		if m != nil {
			m[i] = mu*m[i] + inc
			inc = m[i]
		}
		p[i] -= inc
	}
}
