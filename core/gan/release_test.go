package gan

import (
	"math"
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

// TestReleasedGraphsTrainBitwiseLikeKeptOnes runs the DCGAN step and the
// WGAN-GP iteration twice from the same seeds, once recycling every step's
// tensors (the default) and once leaving them to the garbage collector
// (KeepGraph), and requires the same losses and weights, bit for bit: a
// recycled buffer that something still read would show up here. The
// batches are large enough for the activations to be pooled.
func TestReleasedGraphsTrainBitwiseLikeKeptOnes(t *testing.T) {
	real := tensor.NewRNG(3, 0).Uniform(tensor.Float32, -1, 1, 16, 28, 28, 1)
	t.Run("dcgan", func(t *testing.T) {
		run := func(keep bool) ([]StepResult, [][]float64) {
			s := newMNISTDCGAN(t, 11)
			s.KeepGraph = keep
			var res []StepResult
			for range 3 {
				r, err := s.Step(real)
				if err != nil {
					t.Fatal(err)
				}
				res = append(res, r)
			}
			return res, append(snapshot(s.G.TrainableWeights()), snapshot(s.D.TrainableWeights())...)
		}
		r1, w1 := run(false)
		r2, w2 := run(true)
		for i := range r1 {
			if r1[i] != r2[i] {
				t.Errorf("step %d: losses %+v released, %+v kept", i, r1[i], r2[i])
			}
		}
		sameWeights(t, w1, w2)
	})
	t.Run("wgan-gp", func(t *testing.T) {
		run := func(keep bool) ([2]float64, [][]float64) {
			g, d := MNISTGenerator(100), MNISTDiscriminator(0)
			g.SetSeed(1)
			d.SetSeed(2)
			s := &WGANGP{G: g, D: d, OptG: adam(t, 2e-4, 0.5, 0.9), OptD: adam(t, 2e-4, 0.5, 0.9),
				Latent: 100, NCritic: 2, GPWeight: 10, RNG: tensor.NewRNG(1, 1), DType: tensor.Float32, KeepGraph: keep}
			var dl, gl float64
			for range 2 {
				var err error
				if dl, gl, err = s.Iteration(func() (*tensor.Tensor, error) { return real, nil }); err != nil {
					t.Fatal(err)
				}
			}
			return [2]float64{dl, gl}, append(snapshot(g.TrainableWeights()), snapshot(d.TrainableWeights())...)
		}
		l1, w1 := run(false)
		l2, w2 := run(true)
		if l1 != l2 {
			t.Errorf("losses %v released, %v kept", l1, l2)
		}
		sameWeights(t, w1, w2)
	})
}

func sameWeights(t *testing.T, a, b [][]float64) {
	t.Helper()
	for i := range a {
		for j := range a[i] {
			if math.Float64bits(a[i][j]) != math.Float64bits(b[i][j]) {
				t.Fatalf("weight %d element %d: %v released, %v kept", i, j, a[i][j], b[i][j])
			}
		}
	}
}
