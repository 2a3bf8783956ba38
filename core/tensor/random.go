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

// Normal returns a tensor of normal draws with the given mean and stddev.
func (g *RNG) Normal(dtype DType, mean, std float64, shape ...int) *Tensor {
	t := New(dtype, shape...)
	for i := 0; i < t.Len(); i++ {
		t.SetAt(i, mean+std*g.r.NormFloat64())
	}
	return t
}

// TruncatedNormal draws normals, redrawing any beyond two stddevs, as Keras's
// TruncatedNormal initializer does.
func (g *RNG) TruncatedNormal(dtype DType, mean, std float64, shape ...int) *Tensor {
	t := New(dtype, shape...)
	for i := 0; i < t.Len(); i++ {
		z := g.r.NormFloat64()
		for math.Abs(z) > 2 {
			z = g.r.NormFloat64()
		}
		t.SetAt(i, mean+std*z)
	}
	return t
}

// Uniform returns a tensor of uniform draws in [lo, hi).
func (g *RNG) Uniform(dtype DType, lo, hi float64, shape ...int) *Tensor {
	t := New(dtype, shape...)
	for i := 0; i < t.Len(); i++ {
		t.SetAt(i, lo+(hi-lo)*g.r.Float64())
	}
	return t
}

// Bernoulli returns a tensor of 1 with probability p and 0 otherwise.
func (g *RNG) Bernoulli(dtype DType, p float64, shape ...int) *Tensor {
	t := New(dtype, shape...)
	for i := 0; i < t.Len(); i++ {
		if g.r.Float64() < p {
			t.SetAt(i, 1)
		}
	}
	return t
}
