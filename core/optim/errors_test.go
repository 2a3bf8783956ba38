package optim

import (
	"math"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

func TestConfigErrors(t *testing.T) {
	adam := func(fn func(c *AdamConfig)) func() error {
		return func() error { c := DefaultAdam(); fn(&c); _, err := NewAdam(c); return err }
	}
	sgd := func(fn func(c *SGDConfig)) func() error {
		return func() error { c := DefaultSGD(); fn(&c); _, err := NewSGD(c); return err }
	}
	rms := func(fn func(c *RMSpropConfig)) func() error {
		return func() error { c := DefaultRMSprop(); fn(&c); _, err := NewRMSprop(c); return err }
	}
	cases := []struct {
		name string
		make func() error
		want []string
	}{
		{"adam_lr", adam(func(c *AdamConfig) { c.LearningRate = -1 }), []string{"adam", "LearningRate"}},
		{"adam_lr_nan", adam(func(c *AdamConfig) { c.LearningRate = math.NaN() }), []string{"adam", "LearningRate"}},
		{"adam_beta1", adam(func(c *AdamConfig) { c.Beta1 = 1 }), []string{"adam", "Beta1"}},
		{"adam_beta2", adam(func(c *AdamConfig) { c.Beta2 = -0.1 }), []string{"adam", "Beta2"}},
		{"adam_eps", adam(func(c *AdamConfig) { c.Epsilon = 0 }), []string{"adam", "Epsilon"}},
		{"adam_two_clips", adam(func(c *AdamConfig) { c.ClipNorm, c.ClipValue = 1, 1 }), []string{"adam", "ClipNorm", "ClipValue"}},
		{"adam_neg_clip", adam(func(c *AdamConfig) { c.GlobalClipNorm = -1 }), []string{"adam", "GlobalClipNorm"}},
		{"adam_bad_schedule", adam(func(c *AdamConfig) { c.Schedule = ExponentialDecay{Initial: 1, DecayRate: 0.5} }), []string{"adam", "ExponentialDecay", "DecaySteps"}},
		{"sgd_momentum", sgd(func(c *SGDConfig) { c.Momentum = 1.5 }), []string{"sgd", "Momentum"}},
		{"sgd_lr", sgd(func(c *SGDConfig) { c.LearningRate = math.Inf(1) }), []string{"sgd", "LearningRate"}},
		{"rms_rho", rms(func(c *RMSpropConfig) { c.Rho = 1 }), []string{"rmsprop", "Rho"}},
		{"rms_momentum", rms(func(c *RMSpropConfig) { c.Momentum = -0.5 }), []string{"rmsprop", "Momentum"}},
		{"rms_eps", rms(func(c *RMSpropConfig) { c.Epsilon = -1e-7 }), []string{"rmsprop", "Epsilon"}},
		{"pw_lengths", adam(func(c *AdamConfig) {
			c.Schedule = PiecewiseConstantDecay{Boundaries: []int64{1, 2}, Values: []float64{1, 2}}
		}), []string{"PiecewiseConstantDecay", "Values"}},
		{"pw_order", adam(func(c *AdamConfig) {
			c.Schedule = PiecewiseConstantDecay{Boundaries: []int64{2, 2}, Values: []float64{1, 2, 3}}
		}), []string{"PiecewiseConstantDecay", "increasing"}},
		{"cos_alpha", adam(func(c *AdamConfig) { c.Schedule = CosineDecay{Initial: 1, DecaySteps: 5, Alpha: 2} }), []string{"CosineDecay", "Alpha"}},
		{"cos_warmup", adam(func(c *AdamConfig) { c.Schedule = CosineDecay{Initial: 1, DecaySteps: 5, WarmupSteps: 3} }), []string{"CosineDecay", "WarmupTarget"}},
		{"linear_end", adam(func(c *AdamConfig) { c.Schedule = LinearDecay{Initial: 1, DecaySteps: 5, End: -1} }), []string{"LinearDecay", "End"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.make()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	opt, _ := NewSGD(DefaultSGD())
	if err := opt.SetLearningRate(-2); err == nil || opt.LearningRate() != 0.01 {
		t.Errorf("SetLearningRate(-2) = %v, rate now %v; want an error and 0.01 kept", err, opt.LearningRate())
	}
	if err := opt.SetSchedule(nil); err == nil {
		t.Error("SetSchedule(nil) gave no error")
	}
}

// TestApplyErrorsChangeNothing: every bad call names the parameter and
// leaves parameters, slots and the iteration count as they were, even when
// the bad gradient comes after good ones.
func TestApplyErrorsChangeNothing(t *testing.T) {
	f := newFixture(31)
	opt, _ := NewAdam(DefaultAdam())
	if err := opt.ApplyGradients(f.grads(), f.params); err != nil {
		t.Fatal(err)
	}
	nan := f.grads()
	nan[1].SetAt(1, math.NaN())
	inf := f.grads()
	inf[1].SetAt(0, math.Inf(-1))
	renamed := f.clone()
	renamed[1].Name = "other"
	reshaped := f.clone()
	reshaped[1] = autograd.Param(tensor.New(tensor.Float32, 1, 2), "dense/bias")
	cases := []struct {
		name   string
		grads  []*tensor.Tensor
		params []*autograd.Var
		want   []string
	}{
		{"count", f.grads()[:1], f.params, []string{"1 gradients for 2 parameters"}},
		{"shape", []*tensor.Tensor{f.grads()[0], tensor.New(tensor.Float32, 3)}, f.params, []string{"dense/bias", "[3]", "[2]"}},
		{"dtype", []*tensor.Tensor{f.grads()[0], tensor.New(tensor.Float64, 2)}, f.params, []string{"dense/bias", "float64"}},
		{"nil_grad", []*tensor.Tensor{f.grads()[0], nil}, f.params, []string{"dense/bias", "no gradient"}},
		{"nil_param", f.grads(), []*autograd.Var{f.params[0], nil}, []string{"parameter 1 is nil"}},
		{"nan", nan, f.params, []string{"dense/bias", "NaN"}},
		{"inf", inf, f.params, []string{"dense/bias", "Inf"}},
		{"renamed", f.grads(), renamed, []string{"other", "dense/bias", "built"}},
		{"reshaped", []*tensor.Tensor{f.grads()[0], tensor.New(tensor.Float32, 1, 2)}, reshaped, []string{"[1 2]", "built"}},
		{"fewer", f.grads()[:1], f.params[:1], []string{"built for 2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before, _ := opt.State()
			values := make([][]float64, len(f.params))
			for i, p := range f.params {
				values[i] = p.Value.Values()
			}
			err := opt.ApplyGradients(c.grads, c.params)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range append(c.want, "adam") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			for i, p := range f.params {
				for j, v := range values[i] {
					if p.Value.At(j) != v {
						t.Fatalf("%s[%d] changed from %v to %v", p.Name, j, v, p.Value.At(j))
					}
				}
			}
			after, _ := opt.State()
			if after.Iterations != before.Iterations {
				t.Errorf("iterations %d → %d", before.Iterations, after.Iterations)
			}
			for k, s := range before.Slots {
				for j := 0; j < s.Len(); j++ {
					if after.Slots[k].At(j) != s.At(j) {
						t.Fatalf("slot %s[%d] changed", k, j)
					}
				}
			}
		})
	}
}

// TestApplyAllocatesNothing: after the first call builds the slots, an
// update (with norm clipping) allocates nothing.
func TestApplyAllocatesNothing(t *testing.T) {
	f := newFixture(32)
	for _, clip := range []Options{{LearningRate: 1e-3, ClipNorm: 1}, {LearningRate: 1e-3, GlobalClipNorm: 1}} {
		c := DefaultAdam()
		c.Options = clip
		opt, _ := NewAdam(c)
		g := f.grads()
		if err := opt.ApplyGradients(g, f.params); err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(20, func() {
			if err := opt.ApplyGradients(g, f.params); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%+v: %v allocations per update, want 0", clip, allocs)
		}
	}
}

func BenchmarkAdamFloat32(b *testing.B) {
	benchOptimizer(b, func() Optimizer { o, _ := NewAdam(DefaultAdam()); return o })
}

func BenchmarkRMSpropFloat32(b *testing.B) {
	benchOptimizer(b, func() Optimizer { o, _ := NewRMSprop(DefaultRMSprop()); return o })
}

// benchOptimizer updates 1M float32 parameters split over four tensors.
func benchOptimizer(b *testing.B, mk func() Optimizer) {
	rng := tensor.NewRNG(1, 0)
	var params []*autograd.Var
	var grads []*tensor.Tensor
	for _, n := range []int{1 << 19, 1 << 18, 1<<18 - 64, 64} {
		params = append(params, autograd.Param(rng.Normal(tensor.Float32, 0, 1, n), ""))
		grads = append(grads, rng.Normal(tensor.Float32, 0, 1, n))
	}
	opt := mk()
	if err := opt.ApplyGradients(grads, params); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := opt.ApplyGradients(grads, params); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFiniteFindsEverySpecial checks the gradient check on lengths below,
// at and past the unrolled step and the parallel split, with a NaN or an
// infinity at the start, the middle, the end and in the unrolled tail.
func TestFiniteFindsEverySpecial(t *testing.T) {
	for _, dt := range []tensor.DType{tensor.Float32, tensor.Float64} {
		for _, n := range []int{1, 7, 8, 9, 2*finiteGrain + 13} {
			x := tensor.NewRNG(5, 0).Normal(dt, 0, 1, n)
			if !finite(x) {
				t.Fatalf("%v n %d: finite values reported as not finite", dt, n)
			}
			for _, at := range []int{0, n / 2, n - 1, n - n%8} {
				if at >= n {
					continue
				}
				for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
					old := x.At(at)
					x.SetAt(at, v)
					if finite(x) {
						t.Errorf("%v n %d: %v at %d not found", dt, n, v, at)
					}
					x.SetAt(at, old)
				}
			}
		}
	}
}
