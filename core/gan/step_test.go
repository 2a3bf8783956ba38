package gan

import (
	"math"
	"testing"

	"github.com/ganlab/ganlab/core/nn"
	"github.com/ganlab/ganlab/core/optim"
	"github.com/ganlab/ganlab/core/tensor"
)

func adam(tb testing.TB, lr, beta1, beta2 float64) optim.Optimizer {
	cfg := optim.DefaultAdam()
	cfg.LearningRate, cfg.Beta1, cfg.Beta2 = lr, beta1, beta2
	opt, err := optim.NewAdam(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return opt
}

// newMNISTDCGAN builds the mnist-dcgan workload of shared/bench: batch 64,
// latent 100, Adam(2e-4, 0.5), label noise 0.05.
func newMNISTDCGAN(tb testing.TB, seed uint64) *DCGAN {
	g := MNISTGenerator(100)
	d := MNISTDiscriminator(0.3)
	g.SetSeed(seed)
	d.SetSeed(seed + 1)
	return &DCGAN{G: g, D: d, OptG: adam(tb, 2e-4, 0.5, 0.999), OptD: adam(tb, 2e-4, 0.5, 0.999),
		Latent: 100, LabelNoise: 0.05, RNG: tensor.NewRNG(seed, 1), DType: tensor.Float32}
}

func snapshot(ws []*nn.Weight) [][]float64 {
	out := make([][]float64, len(ws))
	for i, w := range ws {
		out[i] = w.Value().Values()
	}
	return out
}

func changed(before [][]float64, ws []*nn.Weight) int {
	n := 0
	for i, w := range ws {
		v := w.Value().Values()
		for j := range v {
			if v[j] != before[i][j] {
				n++
				break
			}
		}
	}
	return n
}

func TestDCGANStepTrainsBothNetworksDeterministically(t *testing.T) {
	real := tensor.NewRNG(3, 0).Uniform(tensor.Float32, -1, 1, 16, 28, 28, 1)
	run := func() []StepResult {
		s := newMNISTDCGAN(t, 11)
		gBefore := snapshot(s.G.TrainableWeights())
		dBefore := snapshot(s.D.TrainableWeights())
		var res []StepResult
		for i := 0; i < 3; i++ {
			r, err := s.Step(real)
			if err != nil {
				t.Fatal(err)
			}
			if math.IsNaN(r.DLoss) || math.IsNaN(r.GLoss) {
				t.Fatalf("step %d: NaN loss %+v", i, r)
			}
			res = append(res, r)
		}
		if n := changed(gBefore, s.G.TrainableWeights()); n != len(gBefore) {
			t.Errorf("%d of %d generator weights changed", n, len(gBefore))
		}
		if n := changed(dBefore, s.D.TrainableWeights()); n != len(dBefore) {
			t.Errorf("%d of %d discriminator weights changed", n, len(dBefore))
		}
		return res
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("step %d: same seed gave %+v then %+v", i, a[i], b[i])
		}
	}
	// At initialisation D is near chance: BCE ≈ log 2 ± a margin.
	if a[0].DLoss < 0.3 || a[0].DLoss > 1.5 {
		t.Errorf("first discriminator loss %v is far from log 2", a[0].DLoss)
	}
}

func TestDCGANStepErrors(t *testing.T) {
	s := newMNISTDCGAN(t, 1)
	if _, err := s.Step(tensor.New(tensor.Float32, 0, 28, 28, 1)); err == nil {
		t.Error("empty batch accepted")
	}
	if _, err := s.Step(tensor.New(tensor.Float32, 4, 32, 32, 1)); err == nil {
		t.Error("32×32 images accepted by a 28×28 discriminator")
	}
}

func TestWGANGPStepRuns(t *testing.T) {
	g := MNISTGenerator(100)
	d := MNISTDiscriminator(0)
	g.SetSeed(1)
	d.SetSeed(2)
	s := &WGANGP{G: g, D: d, OptG: adam(t, 2e-4, 0.5, 0.9), OptD: adam(t, 2e-4, 0.5, 0.9),
		Latent: 100, NCritic: 2, GPWeight: 10, RNG: tensor.NewRNG(1, 1), DType: tensor.Float32}
	real := tensor.NewRNG(3, 0).Uniform(tensor.Float32, -1, 1, 8, 28, 28, 1)
	dBefore := snapshot(d.TrainableWeights())
	dl, gl, err := s.Iteration(func() (*tensor.Tensor, error) { return real, nil })
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(dl) || math.IsNaN(gl) {
		t.Fatalf("NaN losses %v %v", dl, gl)
	}
	// Every critic weight moves but the output bias: a constant shift of the
	// critic cancels in mean(D(fake)) − mean(D(real)) and the penalty, so
	// its gradient is exactly 0.
	ws := d.TrainableWeights()
	last := len(ws) - 1
	if n := changed(dBefore[:last], ws[:last]); n != last {
		t.Errorf("%d of %d critic weights changed", n, last)
	}
	if changed(dBefore[last:], ws[last:]) != 0 {
		t.Errorf("critic output bias %s changed, but its gradient is 0", ws[last].Name())
	}
}

// BenchmarkMNISTDCGANStep is the mnist-dcgan workload of shared/bench
// (11.35 GFLOP per step by its conventions).
func BenchmarkMNISTDCGANStep(b *testing.B) {
	s := newMNISTDCGAN(b, 1)
	real := tensor.NewRNG(3, 0).Uniform(tensor.Float32, -1, 1, 64, 28, 28, 1)
	if _, err := s.Step(real); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Step(real); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(11.349*float64(b.N)/b.Elapsed().Seconds(), "GFLOP/s")
}

// BenchmarkWGANGPIteration is the wgan-gp workload of shared/bench: 5 critic
// steps with the gradient penalty and one generator step, batch 64 (60.9
// GFLOP per iteration by its conventions).
func BenchmarkWGANGPIteration(b *testing.B) {
	g := MNISTGenerator(100)
	d := MNISTDiscriminator(0)
	g.SetSeed(1)
	d.SetSeed(2)
	s := &WGANGP{G: g, D: d, OptG: adam(b, 2e-4, 0.5, 0.9), OptD: adam(b, 2e-4, 0.5, 0.9),
		Latent: 100, NCritic: 5, GPWeight: 10, RNG: tensor.NewRNG(1, 1), DType: tensor.Float32}
	real := tensor.NewRNG(3, 0).Uniform(tensor.Float32, -1, 1, 64, 28, 28, 1)
	next := func() (*tensor.Tensor, error) { return real, nil }
	if _, _, err := s.Iteration(next); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := s.Iteration(next); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(60.9*float64(b.N)/b.Elapsed().Seconds(), "GFLOP/s")
}
