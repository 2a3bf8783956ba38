package tensor

import (
	"math"
	"math/rand/v2"
)

// RNG is a seeded random stream. Every random draw in ganlab (initializers,
// noise, dropout, shuffling) comes from an RNG so that the same seed gives the
// same numbers. Its state can be saved and restored for exact resume.
type RNG struct {
	src *rand.PCG
	r   *rand.Rand
}

// NewRNG returns the stream for (seed, stream); different stream numbers give
// independent sequences from one seed.
func NewRNG(seed, stream uint64) *RNG {
	src := rand.NewPCG(seed, stream^0x9e3779b97f4a7c15)
	return &RNG{src: src, r: rand.New(src)}
}

// Split returns a new independent stream derived from this one's next draw.
func (g *RNG) Split() *RNG { return NewRNG(g.r.Uint64(), g.r.Uint64()) }

// Uint64 returns a uniformly distributed 64-bit value.
func (g *RNG) Uint64() uint64 { return g.r.Uint64() }

// IntN returns a uniform int in [0, n).
func (g *RNG) IntN(n int) int { return g.r.IntN(n) }

// Float64 returns a uniform value in [0, 1).
func (g *RNG) Float64() float64 { return g.r.Float64() }

// NormFloat64 returns a standard normal value.
func (g *RNG) NormFloat64() float64 { return g.r.NormFloat64() }

// Perm returns a random permutation of [0, n).
func (g *RNG) Perm(n int) []int { return g.r.Perm(n) }

// State returns the stream's state for a checkpoint.
func (g *RNG) State() ([]byte, error) { return g.src.MarshalBinary() }

// SetState restores a state returned by State.
func (g *RNG) SetState(b []byte) error { return g.src.UnmarshalBinary(b) }

// The fills below write straight into the backing slice, one draw after
// another in flat order: the same seed and shape give the same tensor.
// Bernoulli's sequence changed when it began drawing 32-bit halves (two
// values per Uint64); Normal, TruncatedNormal and Uniform still draw what
// they drew before.

// Normal returns a tensor of normal draws with the given mean and stddev.
func (g *RNG) Normal(dtype DType, mean, std float64, shape ...int) *Tensor {
	t := New(dtype, shape...)
	if dtype == Float32 {
		for i := range t.f32 {
			t.f32[i] = float32(mean + std*g.r.NormFloat64())
		}
		return t
	}
	for i := range t.f64 {
		t.f64[i] = mean + std*g.r.NormFloat64()
	}
	return t
}

// TruncatedNormal draws normals, redrawing any beyond two stddevs, as Keras's
// TruncatedNormal initializer does.
func (g *RNG) TruncatedNormal(dtype DType, mean, std float64, shape ...int) *Tensor {
	t := New(dtype, shape...)
	for i := range t.Len() {
		z := g.r.NormFloat64()
		for math.Abs(z) > 2 {
			z = g.r.NormFloat64()
		}
		if dtype == Float32 {
			t.f32[i] = float32(mean + std*z)
		} else {
			t.f64[i] = mean + std*z
		}
	}
	return t
}

// Uniform returns a tensor of uniform draws in [lo, hi).
func (g *RNG) Uniform(dtype DType, lo, hi float64, shape ...int) *Tensor {
	t := New(dtype, shape...)
	w := hi - lo
	// unit is rand.Rand.Float64 on the raw stream, without its interface call.
	unit := func() float64 { return float64(g.src.Uint64()<<11>>11) * 0x1p-53 }
	if dtype == Float32 {
		for i := range t.f32 {
			t.f32[i] = float32(lo + w*unit())
		}
		return t
	}
	for i := range t.f64 {
		t.f64[i] = lo + w*unit()
	}
	return t
}

// Bernoulli returns a tensor of 1 with probability p and 0 otherwise.
func (g *RNG) Bernoulli(dtype DType, p float64, shape ...int) *Tensor {
	t := New(dtype, shape...)
	// Each 32-bit half of a raw draw is one trial, 1 when below p·2³²; p is
	// thus rounded down to a multiple of 2⁻³² (exact for 0 and 1).
	var thresh uint64
	switch {
	case p >= 1:
		thresh = 1 << 32
	case p > 0:
		thresh = uint64(p * (1 << 32))
	}
	if dtype == Float32 {
		bernoulliFill(g, t.f32, thresh)
	} else {
		bernoulliFill(g, t.f64, thresh)
	}
	return t
}

func bernoulliFill[T Float](g *RNG, dst []T, thresh uint64) {
	i := 0
	for ; i+2 <= len(dst); i += 2 {
		u := g.src.Uint64()
		dst[i] = oneIf[T](u&0xffffffff < thresh)
		dst[i+1] = oneIf[T](u>>32 < thresh)
	}
	if i < len(dst) {
		dst[i] = oneIf[T](g.src.Uint64()&0xffffffff < thresh)
	}
}
