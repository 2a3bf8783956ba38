package tensor

import "testing"

// dcganShape is a typical DCGAN activation (batch 64, 14x14, 64 channels):
// 802816 float32 elements, 3.2 MB, so every kernel pass is memory-bound.
var dcganShape = []int{64, 14, 14, 64}

func benchUnary(b *testing.B, f func(*Tensor) *Tensor) {
	x := NewRNG(1, 0).Normal(Float32, 0, 2, dcganShape...)
	b.SetBytes(int64(4 * x.Len()))
	for b.Loop() {
		f(x)
	}
}

func BenchmarkUnaryTanh(b *testing.B)    { benchUnary(b, Tanh) }
func BenchmarkUnarySigmoid(b *testing.B) { benchUnary(b, Sigmoid) }
func BenchmarkUnaryExp(b *testing.B)     { benchUnary(b, Exp) }
func BenchmarkUnaryLeakyMask(b *testing.B) {
	benchUnary(b, func(t *Tensor) *Tensor { return LeakyMask(t, 0.2) })
}
func BenchmarkUnaryScale(b *testing.B) {
	benchUnary(b, func(t *Tensor) *Tensor { return Scale(t, 0.5) })
}

func BenchmarkBinaryMulSame(b *testing.B) {
	rng := NewRNG(1, 0)
	x := rng.Normal(Float32, 0, 1, dcganShape...)
	y := rng.Normal(Float32, 0, 1, dcganShape...)
	b.SetBytes(int64(4 * x.Len()))
	for b.Loop() {
		Mul(x, y)
	}
}

func BenchmarkBinaryMulBias(b *testing.B) {
	rng := NewRNG(1, 0)
	x := rng.Normal(Float32, 0, 1, dcganShape...)
	y := rng.Normal(Float32, 0, 1, 64)
	b.SetBytes(int64(4 * x.Len()))
	for b.Loop() {
		Mul(x, y)
	}
}

func BenchmarkSumAll(b *testing.B) { benchSum(b, dcganShape, nil) }

func BenchmarkBernoulli(b *testing.B) {
	rng := NewRNG(1, 0)
	b.SetBytes(int64(4 * Numel(dcganShape)))
	for b.Loop() {
		rng.Bernoulli(Float32, 0.7, dcganShape...)
	}
}

func BenchmarkNormal(b *testing.B) {
	rng := NewRNG(1, 0)
	b.SetBytes(int64(4 * Numel(dcganShape)))
	for b.Loop() {
		rng.Normal(Float32, 0, 1, dcganShape...)
	}
}

func BenchmarkUniform(b *testing.B) {
	rng := NewRNG(1, 0)
	b.SetBytes(int64(4 * Numel(dcganShape)))
	for b.Loop() {
		rng.Uniform(Float32, -1, 1, dcganShape...)
	}
}
