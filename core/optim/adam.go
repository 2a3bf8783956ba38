package optim

import (
	"fmt"
	"math"

	"github.com/ganlab/ganlab/core/tensor"
)

// AdamConfig configures Adam.
type AdamConfig struct {
	Options
	Beta1   float64 // decay of the first moment, in [0, 1)
	Beta2   float64 // decay of the second moment, in [0, 1)
	Epsilon float64 // added to √v, outside the bias correction (Keras)
	Amsgrad bool    // divide by the running max of v
}

// DefaultAdam returns Keras's defaults: learning rate 0.001, β1 0.9,
// β2 0.999, ε 1e-7.
func DefaultAdam() AdamConfig {
	return AdamConfig{Options: Options{LearningRate: 0.001}, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-7}
}

// Adam is Keras 3's Adam. At step t (from 1), for each parameter p with
// gradient g:
//
//	alpha = lr·√(1-β2^t)/(1-β1^t)
//	m += (g-m)·(1-β1)
//	v += (g²-v)·(1-β2)
//	p -= alpha·m/(√v + ε)        (amsgrad: vhat = max(vhat, v) replaces v)
//
// Its slots are "m", "v" and, with Amsgrad, "vhat".
type Adam struct {
	*base
	cfg AdamConfig
}

var _ Optimizer = (*Adam)(nil)

// NewAdam validates cfg and returns an Adam optimizer.
func NewAdam(cfg AdamConfig) (*Adam, error) {
	for _, c := range []struct {
		field string
		v     float64
	}{{"Beta1", cfg.Beta1}, {"Beta2", cfg.Beta2}} {
		if !(c.v >= 0 && c.v < 1) {
			return nil, fmt.Errorf("adam: %s = %v, want in [0, 1)", c.field, c.v)
		}
	}
	if err := checkEpsilon("adam", cfg.Epsilon); err != nil {
		return nil, err
	}
	b, err := newBase("adam", cfg.Options, adamRule(cfg))
	if err != nil {
		return nil, err
	}
	return &Adam{base: b, cfg: cfg}, nil
}

// Config returns the configuration Adam was made with.
func (a *Adam) Config() AdamConfig { return a.cfg }

type adamRule AdamConfig

func (r adamRule) slotNames() []string {
	if r.Amsgrad {
		return []string{"m", "v", "vhat"}
	}
	return []string{"m", "v"}
}

func (r adamRule) update(s step, p, g *tensor.Tensor, slots []*tensor.Tensor) {
	t := float64(s.t)
	alpha := s.lr * math.Sqrt(1-math.Pow(r.Beta2, t)) / (1 - math.Pow(r.Beta1, t))
	if p.DType() == tensor.Float32 {
		var vhat []float32
		if r.Amsgrad {
			vhat = slots[2].Float32s()
		}
		adamKernel(p.Float32s(), g.Float32s(), slots[0].Float32s(), slots[1].Float32s(), vhat,
			newPrep[float32](s), float32(alpha), float32(r.Beta1), float32(r.Beta2), float32(r.Epsilon))
		return
	}
	var vhat []float64
	if r.Amsgrad {
		vhat = slots[2].Float64s()
	}
	adamKernel(p.Float64s(), g.Float64s(), slots[0].Float64s(), slots[1].Float64s(), vhat,
		newPrep[float64](s), alpha, r.Beta1, r.Beta2, r.Epsilon)
}

// adamGrain is the parameter count below which an update stays on the
// calling goroutine.
const adamGrain = 1 << 15

// adamKernel applies one Adam update elementwise; every element is
// independent, so large tensors are cut across the cores with results
// identical to a serial loop.
func adamKernel[T tensor.Float](p, g, m, v, vhat []T, pr gradPrep[T], alpha, b1, b2, eps T) {
	if len(p) < 2*adamGrain { // no closure, so small updates allocate nothing
		adamRange(p, g, m, v, vhat, pr, alpha, b1, b2, eps)
		return
	}
	tensor.ParallelFor(len(p), adamGrain, func(lo, hi int) {
		var vh []T
		if vhat != nil {
			vh = vhat[lo:hi]
		}
		adamRange(p[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], vh, pr, alpha, b1, b2, eps)
	})
}

func adamRange[T tensor.Float](p, g, m, v, vhat []T, pr gradPrep[T], alpha, b1, b2, eps T) {
	if vhat == nil && !pr.doScale && !pr.doClip {
		if p32, ok := any(p).([]float32); ok &&
			adamSIMD(p32, any(g).([]float32), any(m).([]float32), any(v).([]float32),
				float32(alpha), float32(b1), float32(b2), float32(eps)) {
			return
		}
	}
	adamLoop(p, g, m, v, vhat, pr, alpha, b1, b2, eps)
}

// adamLoop is adamRange in Go, the reference for the vector kernel. The
// conversions round each product before its sum, so no build fuses them
// into a multiply-add (as GOAMD64=v3 may).
func adamLoop[T tensor.Float](p, g, m, v, vhat []T, pr gradPrep[T], alpha, b1, b2, eps T) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i := range p {
		gi := pr.at(g[i])
		sq := T(gi * gi)
		m[i] += T((gi - m[i]) * (1 - b1))
		v[i] += T((sq - v[i]) * (1 - b2))
		den := v[i]
		if vhat != nil {
			vhat[i] = max(vhat[i], v[i])
			den = vhat[i]
		}
		p[i] -= T(m[i]*alpha) / (sqrt(den) + eps)
	}
}

func checkEpsilon(owner string, eps float64) error {
	if !(eps > 0) || math.IsInf(eps, 0) {
		return fmt.Errorf("%s: Epsilon = %v, want > 0", owner, eps)
	}
	return nil
}
