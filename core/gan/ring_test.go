package gan

import (
	"fmt"
	"math"
	"testing"

	"github.com/ganlab/ganlab/core/nn"
	"github.com/ganlab/ganlab/core/optim"
	"github.com/ganlab/ganlab/core/tensor"
)

// ringModes returns the 8 centres of the ring mixture, radius 2.
func ringModes() [][2]float64 {
	modes := make([][2]float64, 8)
	for i := range modes {
		a := 2 * math.Pi * float64(i) / 8
		modes[i] = [2]float64{2 * math.Cos(a), 2 * math.Sin(a)}
	}
	return modes
}

// ringBatch draws n points from the mixture of 8 Gaussians (σ 0.02).
func ringBatch(rng *tensor.RNG, n int) *tensor.Tensor {
	modes := ringModes()
	t := tensor.New(tensor.Float32, n, 2)
	for i := 0; i < n; i++ {
		m := modes[rng.IntN(8)]
		t.SetAt(2*i, m[0]+0.02*rng.NormFloat64())
		t.SetAt(2*i+1, m[1]+0.02*rng.NormFloat64())
	}
	return t
}

// modeCoverage assigns each sample to the nearest mode if it lies within
// 0.2 (10σ) of it and returns the count per mode and the share of samples
// that landed near some mode.
func modeCoverage(samples *tensor.Tensor) (counts [8]int, quality float64) {
	modes := ringModes()
	n := samples.Dim(0)
	good := 0
	for i := 0; i < n; i++ {
		x, y := samples.At(2*i), samples.At(2*i+1)
		for k, m := range modes {
			if math.Hypot(x-m[0], y-m[1]) < 0.2 {
				counts[k]++
				good++
				break
			}
		}
	}
	return counts, float64(good) / float64(n)
}

func mlp(name string, out int, hidden int, act func() nn.Layer, in int, seed uint64) *nn.Sequential {
	m := nn.NewSequential(name,
		nn.NewInputLayer([]int{in}),
		nn.NewDense(hidden), act(),
		nn.NewDense(hidden), act(),
		nn.NewDense(hidden), act(),
		nn.NewDense(out),
	)
	m.SetSeed(seed)
	return m
}

// TestRingOfGaussiansReachesAllModes trains a small WGAN-GP on the 2-D
// mixture of 8 Gaussians on a ring, the classic mode-collapse test, and
// checks that the generator puts samples near every mode.
func TestRingOfGaussiansReachesAllModes(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a GAN for a few seconds")
	}
	relu := func() nn.Layer { return nn.NewReLU() }
	g := mlp("generator", 2, 64, relu, 2, 1)
	d := mlp("critic", 1, 64, relu, 2, 2)
	newAdam := func() optim.Optimizer {
		cfg := optim.DefaultAdam()
		cfg.LearningRate, cfg.Beta1, cfg.Beta2 = 1e-3, 0.5, 0.9
		opt, err := optim.NewAdam(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return opt
	}
	rng := tensor.NewRNG(7, 0)
	data := tensor.NewRNG(8, 0)
	s := &WGANGP{G: g, D: d, OptG: newAdam(), OptD: newAdam(), Latent: 2, NCritic: 5, GPWeight: 0.1, RNG: rng, DType: tensor.Float32}
	next := func() (*tensor.Tensor, error) { return ringBatch(data, 128), nil }
	for it := 0; it < 600; it++ {
		if _, _, err := s.Iteration(next); err != nil {
			t.Fatal(err)
		}
	}
	samples, err := g.Predict(rng.Normal(tensor.Float32, 0, 1, 2000, 2))
	if err != nil {
		t.Fatal(err)
	}
	counts, quality := modeCoverage(samples)
	t.Logf("samples per mode %v, %.0f%% within 0.2 of a mode", counts, 100*quality)
	for k, c := range counts {
		if c < 2000/8/4 {
			t.Errorf("mode %d got %d of 2000 samples: %s", k, c, fmt.Sprint(counts))
		}
	}
	if quality < 0.5 {
		t.Errorf("only %.0f%% of samples near a mode", 100*quality)
	}
}
