package tensor

import (
	"fmt"
	"math"
	"testing"
)

// TestDropoutApplyMatchesMask checks that the maskless dropout gives the
// bits of a multiply by DropoutMask drawn from the same RNG state, for odd
// and even lengths, several rates, both dtypes and special values, and
// that about rate of the elements are dropped.
func TestDropoutApplyMatchesMask(t *testing.T) {
	for _, dt := range []DType{Float32, Float64} {
		for _, n := range []int{1, 2, 7, 1000, 200001} {
			for _, rate := range []float64{0, 0.3, 0.5, 0.9} {
				t.Run(fmt.Sprintf("%v/n%d/rate%g", dt, n, rate), func(t *testing.T) {
					x := NewRNG(uint64(n), 3).Normal(dt, 0, 1, n)
					if n > 3 {
						x.SetAt(0, math.Inf(1))
						x.SetAt(1, math.NaN())
						x.SetAt(2, math.Copysign(0, -1))
					}
					mask := DropoutMask(NewRNG(5, 1), dt, rate, n)
					want := Mul(x, mask)
					got := DropoutApply(x, DropoutSeed(NewRNG(5, 1)), rate)
					sameBits(t, "dropout", got, want)
					sameBits(t, "mask", DropoutMaskFromSeed(DropoutSeed(NewRNG(5, 1)), dt, rate, n), mask)
					sameBits(t, "in place", DropoutApplyInPlace(x.Clone(), DropoutSeed(NewRNG(5, 1)), rate), want)
					if n > 100000 {
						dropped := 0
						for i := range n {
							if mask.At(i) == 0 {
								dropped++
							}
						}
						if f := float64(dropped) / float64(n); math.Abs(f-rate) > 0.01 {
							t.Fatalf("dropped %.4f of the elements, want %.2f", f, rate)
						}
					}
				})
			}
		}
	}
}

func TestDropoutApplyBadRate(t *testing.T) {
	for _, rate := range []float64{-0.1, 1, 2} {
		err := Catch(func() { DropoutApply(New(Float32, 3), 1, rate) })
		if err == nil {
			t.Errorf("rate %g: no error", rate)
		}
	}
}
