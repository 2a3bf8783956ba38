package optim

import (
	"math"
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

// TestAdamSIMDMatchesGoLoop checks the vector Adam update against the Go
// loop bit for bit (NaN against NaN) on lengths around the vector width,
// with specials (zeros of both signs, infinities, NaN, tiny and huge
// values) among the gradients and moments.
func TestAdamSIMDMatchesGoLoop(t *testing.T) {
	rng := tensor.NewRNG(11, 0)
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), 1e-30, 1e30, -1e-38, 3}
	for _, n := range []int{0, 1, 7, 8, 9, 31, 64, 1001} {
		mk := func() []float32 { return rng.Normal(tensor.Float32, 0, 1, max(n, 1)).Float32s()[:n] }
		p, g, m, v := mk(), mk(), mk(), mk()
		for i := range v {
			v[i] *= v[i]
			if i%5 == 0 {
				g[i] = specials[(i/5)%len(specials)]
			}
			if i%7 == 3 {
				m[i] = specials[(i/7)%len(specials)]
			}
		}
		clone := func(x []float32) []float32 { return append([]float32(nil), x...) }
		p2, m2, v2 := clone(p), clone(m), clone(v)
		if !adamSIMD(p, g, m, v, 1e-3, 0.5, 0.9, 1e-7) {
			t.Skip("no vector kernel on this CPU/build")
		}
		adamLoop(p2, g, m2, v2, nil, gradPrep[float32]{}, 1e-3, 0.5, 0.9, 1e-7)
		same := func(a, b float32) bool {
			return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
		}
		for i := range p {
			if !same(p[i], p2[i]) || !same(m[i], m2[i]) || !same(v[i], v2[i]) {
				t.Fatalf("n=%d element %d: p %v/%v m %v/%v v %v/%v (vector/Go)", n, i, p[i], p2[i], m[i], m2[i], v[i], v2[i])
			}
		}
	}
}
