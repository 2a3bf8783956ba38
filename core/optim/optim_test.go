package optim

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/internal/refcase"
	"github.com/ganlab/ganlab/core/tensor"
)

// refTol is the relative tolerance of naive float64 references that follow
// the same formulas in a different order of operations.
const refTol = 1e-12

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func TestAdamKerasReference(t *testing.T) {
	c, err := refcase.Load("adam_keras")
	if err != nil {
		t.Fatal(err)
	}
	for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32} {
		t.Run(dt.String(), func(t *testing.T) {
			cfg := DefaultAdam()
			cfg.LearningRate = c.Float("learning_rate")
			cfg.Beta1, cfg.Beta2, cfg.Epsilon = c.Float("beta_1"), c.Float("beta_2"), c.Float("epsilon")
			opt, err := NewAdam(cfg)
			if err != nil {
				t.Fatal(err)
			}
			p := autograd.Param(c.Tensor("param_before").AsType(dt), "w")
			var steps []map[string]json.RawMessage
			if err := json.Unmarshal(c.Raw("steps"), &steps); err != nil {
				t.Fatal(err)
			}
			for i, s := range steps {
				g, err := refcase.TensorAt(s["grad"])
				if err != nil {
					t.Fatal(err)
				}
				want, err := refcase.TensorAt(s["param_after"])
				if err != nil {
					t.Fatal(err)
				}
				if err := opt.ApplyGradients([]*tensor.Tensor{g.AsType(dt)}, []*autograd.Var{p}); err != nil {
					t.Fatal(err)
				}
				got := p.Value.AsType(tensor.Float64)
				if dt == tensor.Float64 {
					if err := refcase.Compare("step", got, want); err != nil {
						t.Errorf("step %d: %v", i+1, err)
					}
					continue
				}
				for j := 0; j < got.Len(); j++ { // float32: a few ulps of the step size
					if !near(got.At(j), want.At(j), 1e-6) {
						t.Errorf("step %d element %d = %.9g, want %.9g", i+1, j, got.At(j), want.At(j))
					}
				}
			}
			if opt.Iterations() != int64(len(steps)) {
				t.Errorf("Iterations() = %d, want %d", opt.Iterations(), len(steps))
			}
		})
	}
}

// naive is a float64 reference optimizer written elementwise straight from
// the Keras formulas, with its own state.
type naive struct {
	step   func(t int, lr float64, p, g []float64, s [][]float64)
	nslots int
}

func naiveAdam(b1, b2, eps float64, ams bool) naive {
	return naive{nslots: 3, step: func(t int, lr float64, p, g []float64, s [][]float64) {
		m, v, vh := s[0], s[1], s[2]
		for i := range p {
			m[i] = m[i] + (g[i]-m[i])*(1-b1)
			v[i] = v[i] + (g[i]*g[i]-v[i])*(1-b2)
			alpha := lr * math.Sqrt(1-math.Pow(b2, float64(t))) / (1 - math.Pow(b1, float64(t)))
			den := v[i]
			if ams {
				vh[i] = math.Max(vh[i], v[i])
				den = vh[i]
			}
			p[i] = p[i] - alpha*m[i]/(math.Sqrt(den)+eps)
		}
	}}
}

func naiveSGD(mu float64, nesterov bool) naive {
	return naive{nslots: 1, step: func(t int, lr float64, p, g []float64, s [][]float64) {
		v := s[0]
		for i := range p {
			if mu == 0 {
				p[i] = p[i] - lr*g[i]
				continue
			}
			v[i] = mu*v[i] - lr*g[i]
			if nesterov {
				p[i] = p[i] + mu*v[i] - lr*g[i]
			} else {
				p[i] = p[i] + v[i]
			}
		}
	}}
}

func naiveRMSprop(rho, mu, eps float64, centered bool) naive {
	return naive{nslots: 3, step: func(t int, lr float64, p, g []float64, s [][]float64) {
		v, m, a := s[0], s[1], s[2]
		for i := range p {
			v[i] = rho*v[i] + (1-rho)*g[i]*g[i]
			den := v[i] + eps
			if centered {
				a[i] = rho*a[i] + (1-rho)*g[i]
				den = v[i] - a[i]*a[i] + eps
			}
			inc := lr * g[i] / math.Sqrt(den)
			if mu > 0 {
				m[i] = mu*m[i] + inc
				inc = m[i]
			}
			p[i] = p[i] - inc
		}
	}}
}

// TestAgainstNaive runs each optimizer for three steps on two parameters
// and compares with the naive loops.
func TestAgainstNaive(t *testing.T) {
	mk := func(o Optimizer, err error) Optimizer {
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	adam := func(lr, b1, b2, eps float64, ams bool) Optimizer {
		c := AdamConfig{Options: Options{LearningRate: lr}, Beta1: b1, Beta2: b2, Epsilon: eps, Amsgrad: ams}
		return mk(NewAdam(c))
	}
	sgd := func(lr, mu float64, nest bool) Optimizer {
		return mk(NewSGD(SGDConfig{Options: Options{LearningRate: lr}, Momentum: mu, Nesterov: nest}))
	}
	rms := func(lr, rho, mu, eps float64, centered bool) Optimizer {
		return mk(NewRMSprop(RMSpropConfig{Options: Options{LearningRate: lr}, Rho: rho, Momentum: mu, Epsilon: eps, Centered: centered}))
	}
	cases := []struct {
		name string
		opt  Optimizer
		ref  naive
		lr   float64
	}{
		{"adam", adam(0.01, 0.9, 0.999, 1e-7, false), naiveAdam(0.9, 0.999, 1e-7, false), 0.01},
		{"adam_amsgrad", adam(0.05, 0.5, 0.9, 1e-3, true), naiveAdam(0.5, 0.9, 1e-3, true), 0.05},
		{"sgd", sgd(0.1, 0, false), naiveSGD(0, false), 0.1},
		{"sgd_momentum", sgd(0.1, 0.9, false), naiveSGD(0.9, false), 0.1},
		{"sgd_nesterov", sgd(0.1, 0.8, true), naiveSGD(0.8, true), 0.1},
		{"rmsprop", rms(0.01, 0.9, 0, 1e-7, false), naiveRMSprop(0.9, 0, 1e-7, false), 0.01},
		{"rmsprop_momentum", rms(0.01, 0.8, 0.5, 1e-6, false), naiveRMSprop(0.8, 0.5, 1e-6, false), 0.01},
		{"rmsprop_centered", rms(0.01, 0.9, 0, 1e-7, true), naiveRMSprop(0.9, 0, 1e-7, true), 0.01},
		{"rmsprop_centered_momentum", rms(0.02, 0.7, 0.9, 1e-7, true), naiveRMSprop(0.7, 0.9, 1e-7, true), 0.02},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := tensor.NewRNG(3, 0)
			params := []*autograd.Var{
				autograd.Param(rng.Normal(tensor.Float64, 0, 1, 2, 3), "kernel"),
				autograd.Param(rng.Normal(tensor.Float64, 0, 1, 3), "bias"),
			}
			ref := make([][]float64, len(params))
			state := make([][][]float64, len(params))
			for i, p := range params {
				ref[i] = p.Value.Values()
				for range c.ref.nslots {
					state[i] = append(state[i], make([]float64, p.Value.Len()))
				}
			}
			for step := 1; step <= 3; step++ {
				grads := []*tensor.Tensor{rng.Normal(tensor.Float64, 0, 1, 2, 3), rng.Normal(tensor.Float64, 0, 1, 3)}
				if err := c.opt.ApplyGradients(grads, params); err != nil {
					t.Fatal(err)
				}
				for i := range params {
					c.ref.step(step, c.lr, ref[i], grads[i].Values(), state[i])
					for j, want := range ref[i] {
						if got := params[i].Value.At(j); !near(got, want, refTol) {
							t.Fatalf("step %d %s[%d] = %.15g, want %.15g", step, params[i].Name, j, got, want)
						}
					}
				}
			}
		})
	}
}

func TestClipping(t *testing.T) {
	cases := []struct {
		name  string
		opts  Options
		grads [][]float64
		want  [][]float64 // applied gradients (SGD, lr 1, from zero params)
	}{
		{"none", Options{}, [][]float64{{3, 4}, {12}}, [][]float64{{3, 4}, {12}}},
		{"clipnorm", Options{ClipNorm: 1}, [][]float64{{3, 4}, {0.5}}, [][]float64{{0.6, 0.8}, {0.5}}},
		{"clipnorm_within", Options{ClipNorm: 5}, [][]float64{{3, 4}, {-5}}, [][]float64{{3, 4}, {-5}}},
		{"clipvalue", Options{ClipValue: 0.5}, [][]float64{{3, -0.2}, {-7}}, [][]float64{{0.5, -0.2}, {-0.5}}},
		{"global", Options{GlobalClipNorm: 6.5}, [][]float64{{3, 4}, {12}}, [][]float64{{1.5, 2}, {6}}}, // norm 13
		{"global_within", Options{GlobalClipNorm: 13}, [][]float64{{3, 4}, {12}}, [][]float64{{3, 4}, {12}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.LearningRate = 1
			opt, err := NewSGD(SGDConfig{Options: c.opts})
			if err != nil {
				t.Fatal(err)
			}
			params := []*autograd.Var{
				autograd.Param(tensor.New(tensor.Float64, 2), "a"),
				autograd.Param(tensor.New(tensor.Float64, 1), "b"),
			}
			grads := []*tensor.Tensor{tensor.FromFloat64(append([]float64(nil), c.grads[0]...), 2), tensor.FromFloat64(append([]float64(nil), c.grads[1]...), 1)}
			if err := opt.ApplyGradients(grads, params); err != nil {
				t.Fatal(err)
			}
			for i, p := range params {
				for j, w := range c.want[i] {
					if got := -p.Value.At(j); !near(got, w, refTol) {
						t.Errorf("applied gradient %d[%d] = %v, want %v", i, j, got, w)
					}
					if grads[i].At(j) != c.grads[i][j] {
						t.Errorf("gradient %d[%d] was modified to %v", i, j, grads[i].At(j))
					}
				}
			}
		})
	}
}

func TestSchedulesClosedForm(t *testing.T) {
	cos := func(x float64) float64 { return math.Cos(math.Pi * x) }
	cases := []struct {
		name string
		s    Schedule
		step int64
		want float64
	}{
		{"exp_0", ExponentialDecay{Initial: 0.1, DecaySteps: 10, DecayRate: 0.5}, 0, 0.1},
		{"exp_5", ExponentialDecay{Initial: 0.1, DecaySteps: 10, DecayRate: 0.5}, 5, 0.1 * math.Sqrt(0.5)},
		{"exp_20", ExponentialDecay{Initial: 0.1, DecaySteps: 10, DecayRate: 0.5}, 20, 0.025},
		{"exp_stair_9", ExponentialDecay{Initial: 0.1, DecaySteps: 10, DecayRate: 0.5, Staircase: true}, 9, 0.1},
		{"exp_stair_10", ExponentialDecay{Initial: 0.1, DecaySteps: 10, DecayRate: 0.5, Staircase: true}, 10, 0.05},
		{"exp_stair_25", ExponentialDecay{Initial: 0.1, DecaySteps: 10, DecayRate: 0.5, Staircase: true}, 25, 0.025},
		{"pw_0", PiecewiseConstantDecay{Boundaries: []int64{10, 20}, Values: []float64{1, 0.5, 0.1}}, 0, 1},
		{"pw_at_b0", PiecewiseConstantDecay{Boundaries: []int64{10, 20}, Values: []float64{1, 0.5, 0.1}}, 10, 1},
		{"pw_after_b0", PiecewiseConstantDecay{Boundaries: []int64{10, 20}, Values: []float64{1, 0.5, 0.1}}, 11, 0.5},
		{"pw_at_b1", PiecewiseConstantDecay{Boundaries: []int64{10, 20}, Values: []float64{1, 0.5, 0.1}}, 20, 0.5},
		{"pw_after", PiecewiseConstantDecay{Boundaries: []int64{10, 20}, Values: []float64{1, 0.5, 0.1}}, 21, 0.1},
		{"cos_0", CosineDecay{Initial: 0.2, DecaySteps: 100}, 0, 0.2},
		{"cos_25", CosineDecay{Initial: 0.2, DecaySteps: 100}, 25, 0.2 * 0.5 * (1 + cos(0.25))},
		{"cos_end", CosineDecay{Initial: 0.2, DecaySteps: 100}, 100, 0},
		{"cos_alpha_past", CosineDecay{Initial: 0.2, DecaySteps: 100, Alpha: 0.1}, 500, 0.02},
		{"cos_alpha_50", CosineDecay{Initial: 0.2, DecaySteps: 100, Alpha: 0.1}, 50, 0.2 * (0.9*0.5 + 0.1)},
		{"cos_warm_0", CosineDecay{Initial: 0, DecaySteps: 100, WarmupTarget: 1, WarmupSteps: 10}, 0, 0},
		{"cos_warm_4", CosineDecay{Initial: 0.1, DecaySteps: 100, WarmupTarget: 1, WarmupSteps: 10}, 4, 0.1 + 0.9*0.4},
		{"cos_warm_10", CosineDecay{Initial: 0.1, DecaySteps: 100, WarmupTarget: 1, WarmupSteps: 10}, 10, 1},
		{"cos_warm_60", CosineDecay{Initial: 0.1, DecaySteps: 100, WarmupTarget: 1, WarmupSteps: 10}, 60, 0.5},
		{"cos_warm_past", CosineDecay{Initial: 0.1, DecaySteps: 100, Alpha: 0.3, WarmupTarget: 1, WarmupSteps: 10}, 1000, 0.3},
		{"lin_0", LinearDecay{Initial: 1, DecaySteps: 10, End: 0.2}, 0, 1},
		{"lin_5", LinearDecay{Initial: 1, DecaySteps: 10, End: 0.2}, 5, 0.6},
		{"lin_10", LinearDecay{Initial: 1, DecaySteps: 10, End: 0.2}, 10, 0.2},
		{"lin_past", LinearDecay{Initial: 1, DecaySteps: 10, End: 0.2}, 99, 0.2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if v, ok := c.s.(validator); ok {
				if err := v.Validate(); err != nil {
					t.Fatal(err)
				}
			}
			if got := c.s.At(c.step); !near(got, c.want, 1e-15) {
				t.Errorf("At(%d) = %.17g, want %.17g", c.step, got, c.want)
			}
		})
	}
}

// TestScheduleInOptimizer checks that update k uses the schedule's rate at
// k-1 iterations and that SetLearningRate replaces the schedule.
func TestScheduleInOptimizer(t *testing.T) {
	s := PiecewiseConstantDecay{Boundaries: []int64{1}, Values: []float64{1, 0.25}}
	opt, err := NewSGD(SGDConfig{Options: Options{Schedule: s}})
	if err != nil {
		t.Fatal(err)
	}
	p := autograd.Param(tensor.New(tensor.Float32, 1), "p")
	g := []*tensor.Tensor{tensor.FromFloat32([]float32{1}, 1)}
	want := []float64{-1, -2, -2.25, -2.5} // rates 1 (step 0), 1 (step 1), 0.25, 0.25
	for i, w := range want {
		if err := opt.ApplyGradients(g, []*autograd.Var{p}); err != nil {
			t.Fatal(err)
		}
		if got := p.Value.At(0); got != w {
			t.Errorf("after update %d p = %v, want %v", i+1, got, w)
		}
	}
	if got := opt.LearningRate(); got != 0.25 {
		t.Errorf("LearningRate() = %v, want 0.25", got)
	}
	if err := opt.SetLearningRate(2); err != nil {
		t.Fatal(err)
	}
	if err := opt.ApplyGradients(g, []*autograd.Var{p}); err != nil {
		t.Fatal(err)
	}
	if got := p.Value.At(0); got != -4.5 {
		t.Errorf("after SetLearningRate(2) p = %v, want -4.5", got)
	}
	st, _ := opt.State()
	if st.Scheduled || st.LearningRate != 2 || st.Iterations != 5 {
		t.Errorf("state %+v, want constant rate 2 after 5 iterations", st)
	}
	if err := opt.SetSchedule(LinearDecay{Initial: 1, DecaySteps: 10, End: 0}); err != nil {
		t.Fatal(err)
	}
	if got := opt.LearningRate(); got != 0.5 {
		t.Errorf("LinearDecay at iteration 5 = %v, want 0.5", got)
	}
}
