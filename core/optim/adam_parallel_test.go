package optim

import (
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

// TestAdamKernelParallelMatchesSerial checks that cutting a large update
// across goroutines changes no bit of the parameters or the moments, with
// and without amsgrad and clipping, on a length that is not a multiple of
// the grain.
func TestAdamKernelParallelMatchesSerial(t *testing.T) {
	n := 2*adamGrain + 12345
	rng := tensor.NewRNG(7, 0)
	for _, ams := range []bool{false, true} {
		for _, pr := range []gradPrep[float32]{{}, {scale: 0.5, doScale: true, clip: 0.1, doClip: true}} {
			mk := func() []float32 { return rng.Normal(tensor.Float32, 0, 1, n).Float32s() }
			p, g, m, v := mk(), mk(), mk(), mk()
			for i := range v {
				v[i] *= v[i]
			}
			var vh []float32
			if ams {
				vh = append([]float32(nil), v...)
			}
			clone := func(x []float32) []float32 { return append([]float32(nil), x...) }
			p2, m2, v2, vh2 := clone(p), clone(m), clone(v), clone(vh)
			if !ams {
				vh2 = nil
			}
			adamKernel(p, g, m, v, vh, pr, 1e-3, 0.9, 0.999, 1e-7)
			adamRange(p2, g, m2, v2, vh2, pr, 1e-3, 0.9, 0.999, 1e-7)
			for i := range p {
				if p[i] != p2[i] || m[i] != m2[i] || v[i] != v2[i] || (ams && vh[i] != vh2[i]) {
					t.Fatalf("amsgrad %v prep %+v: element %d differs: p %v vs %v", ams, pr, i, p[i], p2[i])
				}
			}
		}
	}
}
