package optim

import (
	"math"

	"github.com/ganlab/ganlab/core/tensor"
)

// clipScale is Keras's norm clipping factor c / max(n, c): 1 when the norm
// n is within c, c/n above it.
func clipScale(n, c float64) float64 {
	if n <= c {
		return 1
	}
	return c / n
}

// norm returns the L2 norm of t, accumulated in float64.
func norm(t *tensor.Tensor) float64 { return math.Sqrt(sumSq(t)) }

// globalNorm returns the joint L2 norm of all gradients.
func globalNorm(grads []*tensor.Tensor) float64 {
	s := 0.0
	for _, g := range grads {
		s += sumSq(g)
	}
	return math.Sqrt(s)
}

func sumSq(t *tensor.Tensor) float64 {
	s := 0.0
	if t.DType() == tensor.Float32 {
		for _, v := range t.Float32s() {
			s += float64(v) * float64(v)
		}
		return s
	}
	for _, v := range t.Float64s() {
		s += v * v
	}
	return s
}

// gradPrep applies clipping to one gradient element inside an update loop,
// so that no clipped copy of the gradient is ever allocated.
type gradPrep[T tensor.Float] struct {
	scale, clip     T
	doScale, doClip bool
}

func newPrep[T tensor.Float](s step) gradPrep[T] {
	return gradPrep[T]{scale: T(s.scale), clip: T(s.clip), doScale: s.scale != 1, doClip: s.clip > 0}
}

// at returns the clipped gradient element.
func (p gradPrep[T]) at(g T) T {
	if p.doScale {
		g *= p.scale
	}
	if p.doClip {
		g = min(max(g, -p.clip), p.clip)
	}
	return g
}

// sqrt is √x in T's precision.
func sqrt[T tensor.Float](x T) T { return T(math.Sqrt(float64(x))) }

// finite reports whether t has no NaN or Inf. x-x is 0 for finite x and NaN
// otherwise, so summing it into independent accumulators checks four
// elements per step without a branch (about 3x faster than a compare per
// element).
func finite(t *tensor.Tensor) bool {
	if t.DType() == tensor.Float32 {
		return finiteKernel(t.Float32s())
	}
	return finiteKernel(t.Float64s())
}

func finiteKernel[T tensor.Float](xs []T) bool {
	var a0, a1, a2, a3 T
	i := 0
	for ; i+4 <= len(xs); i += 4 {
		x := xs[i : i+4 : i+4]
		a0 += x[0] - x[0]
		a1 += x[1] - x[1]
		a2 += x[2] - x[2]
		a3 += x[3] - x[3]
	}
	for ; i < len(xs); i++ {
		a0 += xs[i] - xs[i]
	}
	return a0+a1+a2+a3 == 0
}
