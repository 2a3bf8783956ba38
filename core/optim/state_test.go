package optim

import (
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// fixture is a float32 problem: two parameters and a stream of gradients.
type fixture struct {
	params []*autograd.Var
	rng    *tensor.RNG
}

func newFixture(seed uint64) *fixture {
	rng := tensor.NewRNG(seed, 0)
	return &fixture{
		params: []*autograd.Var{
			autograd.Param(rng.Normal(tensor.Float32, 0, 1, 3, 2), "dense/kernel"),
			autograd.Param(rng.Normal(tensor.Float32, 0, 1, 2), "dense/bias"),
		},
		rng: rng,
	}
}

func (f *fixture) grads() []*tensor.Tensor {
	return []*tensor.Tensor{f.rng.Normal(tensor.Float32, 0, 1, 3, 2), f.rng.Normal(tensor.Float32, 0, 1, 2)}
}

func (f *fixture) clone() []*autograd.Var {
	out := make([]*autograd.Var, len(f.params))
	for i, p := range f.params {
		out[i] = autograd.Param(p.Value.Clone(), p.Name)
	}
	return out
}

func bitwiseEqual(t *testing.T, what string, a, b []*autograd.Var) {
	t.Helper()
	for i := range a {
		x, y := a[i].Value.Float32s(), b[i].Value.Float32s()
		for j := range x {
			if x[j] != y[j] {
				t.Fatalf("%s: %s[%d] = %v, uninterrupted %v", what, a[i].Name, j, y[j], x[j])
			}
		}
	}
}

// TestResumeExact: export the state after three updates, import it into a
// fresh optimizer (before and after that one has built its slots) and
// check that the following updates match an uninterrupted run bit for bit.
func TestResumeExact(t *testing.T) {
	sched := CosineDecay{Initial: 0.01, DecaySteps: 10, WarmupTarget: 0.05, WarmupSteps: 2}
	makers := map[string]func() (Optimizer, error){
		"adam_amsgrad_schedule": func() (Optimizer, error) {
			c := DefaultAdam()
			c.Amsgrad, c.Schedule, c.ClipNorm = true, sched, 1
			return NewAdam(c)
		},
		"sgd_nesterov": func() (Optimizer, error) {
			c := DefaultSGD()
			c.Momentum, c.Nesterov, c.GlobalClipNorm = 0.9, true, 2
			return NewSGD(c)
		},
		"rmsprop_centered_momentum": func() (Optimizer, error) {
			c := DefaultRMSprop()
			c.Centered, c.Momentum, c.ClipValue = true, 0.5, 1
			return NewRMSprop(c)
		},
	}
	for name, mk := range makers {
		for _, warm := range []bool{false, true} {
			mode := "fresh"
			if warm {
				mode = "built"
			}
			t.Run(name+"/"+mode, func(t *testing.T) {
				f := newFixture(21)
				a, err := mk()
				if err != nil {
					t.Fatal(err)
				}
				for range 3 {
					if err := a.ApplyGradients(f.grads(), f.params); err != nil {
						t.Fatal(err)
					}
				}
				st, err := a.State()
				if err != nil {
					t.Fatal(err)
				}
				resumed := f.clone()
				b, err := mk()
				if err != nil {
					t.Fatal(err)
				}
				if warm { // b has built its slots on other values before the import
					scratch := f.clone()
					zero := []*tensor.Tensor{tensor.New(tensor.Float32, 3, 2), tensor.New(tensor.Float32, 2)}
					if err := b.ApplyGradients(zero, scratch); err != nil {
						t.Fatal(err)
					}
				}
				if err := b.SetState(st); err != nil {
					t.Fatal(err)
				}
				st.Slots[st.SlotNames()[0]].Fill(123) // the import must have copied
				if b.Iterations() != 3 || b.LearningRate() != a.LearningRate() {
					t.Fatalf("resumed at iteration %d rate %v, want 3 and %v", b.Iterations(), b.LearningRate(), a.LearningRate())
				}
				for k := range 3 {
					g := f.grads()
					if err := a.ApplyGradients(g, f.params); err != nil {
						t.Fatal(err)
					}
					if err := b.ApplyGradients(g, resumed); err != nil {
						t.Fatal(err)
					}
					bitwiseEqual(t, "update "+string(rune('4'+k)), f.params, resumed)
				}
			})
		}
	}
}

func TestStateNames(t *testing.T) {
	c := DefaultAdam()
	c.Amsgrad = true
	opt, _ := NewAdam(c)
	params := []*autograd.Var{
		autograd.Param(tensor.New(tensor.Float32, 2), "g/w"),
		autograd.Param(tensor.New(tensor.Float32, 2), ""),
		autograd.Param(tensor.New(tensor.Float32, 2), "g/w"),
	}
	grads := []*tensor.Tensor{tensor.New(tensor.Float32, 2), tensor.New(tensor.Float32, 2), tensor.New(tensor.Float32, 2)}
	if err := opt.ApplyGradients(grads, params); err != nil {
		t.Fatal(err)
	}
	st, _ := opt.State()
	want := []string{"adam/m/#1", "adam/m/g/w", "adam/m/g/w#2", "adam/v/#1", "adam/v/g/w", "adam/v/g/w#2", "adam/vhat/#1", "adam/vhat/g/w", "adam/vhat/g/w#2"}
	if got := st.SlotNames(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("slot names %v, want %v", got, want)
	}
	sgd, _ := NewSGD(SGDConfig{Options: Options{LearningRate: 0.1, Name: "g_opt"}, Momentum: 0.5})
	if err := sgd.ApplyGradients(grads[:1], params[:1]); err != nil {
		t.Fatal(err)
	}
	st, _ = sgd.State()
	if got := st.SlotNames(); len(got) != 1 || got[0] != "g_opt/momentum/g/w" {
		t.Errorf("named SGD slots %v, want [g_opt/momentum/g/w]", got)
	}
}

func TestSetStateErrors(t *testing.T) {
	f := newFixture(22)
	src, _ := NewAdam(DefaultAdam())
	if err := src.ApplyGradients(f.grads(), f.params); err != nil {
		t.Fatal(err)
	}
	good, _ := src.State()
	edit := func(fn func(s *State)) State {
		s, _ := src.State()
		fn(&s)
		return s
	}
	cases := []struct {
		name string
		st   State
		want string
	}{
		{"missing", edit(func(s *State) { delete(s.Slots, "adam/m/dense/bias") }), `"adam/m/dense/bias"`},
		{"extra", edit(func(s *State) { s.Slots["adam/m/other"] = tensor.New(tensor.Float32, 1) }), "5 slots"},
		{"shape", edit(func(s *State) { s.Slots["adam/v/dense/bias"] = tensor.New(tensor.Float32, 3) }), "[3]"},
		{"dtype", edit(func(s *State) { s.Slots["adam/v/dense/bias"] = tensor.New(tensor.Float64, 2) }), "float64"},
		{"iterations", edit(func(s *State) { s.Iterations = -1 }), "-1 iterations"},
		{"rate", edit(func(s *State) { s.LearningRate = -1 }), "learning rate -1"},
		{"scheduled", edit(func(s *State) { s.Scheduled = true }), "schedule"},
	}
	for _, c := range cases {
		for _, built := range []bool{false, true} {
			t.Run(c.name, func(t *testing.T) {
				dst, _ := NewAdam(DefaultAdam())
				params := f.clone()
				if built {
					if err := dst.SetState(good); err != nil {
						t.Fatal(err)
					}
					if err := dst.ApplyGradients(f.grads(), params); err != nil {
						t.Fatal(err)
					}
				}
				before, _ := dst.State()
				err := dst.SetState(c.st)
				if err == nil && !built {
					// unbuilt: slots are checked against the parameters at the first update
					err = dst.ApplyGradients(f.grads(), params)
				}
				if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "adam") {
					t.Fatalf("error %v, want one naming adam and %s", err, c.want)
				}
				after, _ := dst.State()
				if built && (after.Iterations != before.Iterations || after.Slots["adam/m/dense/kernel"].At(0) != before.Slots["adam/m/dense/kernel"].At(0)) {
					t.Error("failed SetState changed the state")
				}
			})
		}
	}
}
