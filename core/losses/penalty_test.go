package losses

import (
	"math"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// denseCritic is D(x) = tanh(flat(x)·W1)·w2 + b: small enough to derive its
// input-gradient by hand, with every second-order term of tanh.
type denseCritic struct {
	w1, w2, b *autograd.Var // (d, h), (h, 1), (1)
}

func newDenseCritic(rng *tensor.RNG, d, h int, scale float64) *denseCritic {
	w1 := rng.Normal(tensor.Float64, 0, scale, d, h)
	return &denseCritic{
		w1: autograd.Param(w1, "w1"),
		w2: autograd.Param(rng.Normal(tensor.Float64, 0, 1, h, 1), "w2"),
		b:  autograd.Param(rng.Normal(tensor.Float64, 0, 1, 1), "b"),
	}
}

func (c *denseCritic) call(x *autograd.Var) (*autograd.Var, error) {
	flat := autograd.Reshape(x, x.Value.Dim(0), -1)
	hid := autograd.Tanh(autograd.MatMul(flat, c.w1, false, false))
	return autograd.Add(autograd.MatMul(hid, c.w2, false, false), c.b), nil
}

func (c *denseCritic) params() []*autograd.Var { return []*autograd.Var{c.w1, c.w2, c.b} }

// inputGradNaive returns ∂D(x_i)/∂x_i[k] = Σ_j W1[k,j]·(1 - tanh²(x_i·W1)_j)·w2[j]
// for every sample i, as plain loops.
func (c *denseCritic) inputGradNaive(x *tensor.Tensor) [][]float64 {
	n := x.Dim(0)
	d, h := c.w1.Value.Dim(0), c.w1.Value.Dim(1)
	w1, w2 := c.w1.Value.Values(), c.w2.Value.Values()
	xs := x.Values()
	out := make([][]float64, n)
	for i := range n {
		slope := make([]float64, h)
		for j := range h {
			z := 0.0
			for k := range d {
				z += xs[i*d+k] * w1[k*h+j]
			}
			t := math.Tanh(z)
			slope[j] = (1 - t*t) * w2[j]
		}
		out[i] = make([]float64, d)
		for k := range d {
			for j := range h {
				out[i][k] += w1[k*h+j] * slope[j]
			}
		}
	}
	return out
}

// naivePenalties returns the two-sided, one-sided and R1 penalties at x
// from the hand-derived gradient, and the per-sample norms.
func (c *denseCritic) naivePenalties(x *tensor.Tensor) (two, one, r1 float64, norms []float64) {
	g := c.inputGradNaive(x)
	for _, gi := range g {
		s := 0.0
		for _, v := range gi {
			s += v * v
		}
		n := math.Sqrt(s)
		norms = append(norms, n)
		two += (n - 1) * (n - 1)
		one += math.Pow(math.Max(n-1, 0), 2)
		r1 += s
	}
	k := float64(len(g))
	return two / k, one / k, r1 / k, norms
}

func TestGradientPenaltyDenseCritic(t *testing.T) {
	rng := tensor.NewRNG(11, 0)
	c := newDenseCritic(rng, 4, 5, 1)
	x := rng.Normal(tensor.Float64, 0, 1, 3, 2, 2, 1)
	two, one, r1, norms := c.naivePenalties(x)
	t.Logf("norms %v", norms)

	gp, err := GradientPenaltyAt(c.call, autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	if !near(gp.Value.Item(), two, 1e-12) {
		t.Errorf("GradientPenaltyAt = %.15g, want %.15g", gp.Value.Item(), two)
	}
	ns, err := GradientNorms(c.call, autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range norms {
		if !near(ns.Value.At(i), n, 1e-12) {
			t.Errorf("norm[%d] = %.15g, want %.15g", i, ns.Value.At(i), n)
		}
	}
	got, err := R1Penalty(c.call, autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	if !near(got.Value.Item(), r1, 1e-12) {
		t.Errorf("R1Penalty = %.15g, want %.15g", got.Value.Item(), r1)
	}

	// GradientPenalty draws alpha (n,1,1,1) from rng: replay the same stream.
	real := rng.Normal(tensor.Float64, 0, 1, 3, 2, 2, 1)
	fake := rng.Normal(tensor.Float64, 0, 1, 3, 2, 2, 1)
	alpha := tensor.NewRNG(5, 9).Uniform(tensor.Float64, 0, 1, 3, 1, 1, 1)
	xhat := tensor.New(tensor.Float64, 3, 2, 2, 1)
	for i := 0; i < xhat.Len(); i++ {
		a := alpha.At(i / 4)
		xhat.SetAt(i, a*real.At(i)+(1-a)*fake.At(i))
	}
	two, one, _, _ = c.naivePenalties(xhat)
	for _, oneSided := range []bool{false, true} {
		want := two
		if oneSided {
			want = one
		}
		gp, err := GradientPenalty(c.call, autograd.Const(real), autograd.Const(fake), tensor.NewRNG(5, 9), oneSided)
		if err != nil {
			t.Fatal(err)
		}
		if !near(gp.Value.Item(), want, 1e-12) {
			t.Errorf("GradientPenalty(oneSided=%v) = %.15g, want %.15g", oneSided, gp.Value.Item(), want)
		}
	}
}

// TestPenaltySecondOrder checks the penalties' gradients with respect to
// the critic's weights (second derivatives of the critic) against finite
// differences.
func TestPenaltySecondOrder(t *testing.T) {
	rng := tensor.NewRNG(12, 0)
	x := rng.Normal(tensor.Float64, 0, 1, 3, 2, 2)
	c := newDenseCritic(rng, 4, 3, 0.3)
	_, _, _, norms := c.naivePenalties(x)
	above, below := 0, 0
	for _, n := range norms {
		if n > 1 {
			above++
		} else {
			below++
		}
	}
	if above == 0 || below == 0 {
		t.Fatalf("norms %v: want some on each side of 1 to exercise the one-sided penalty", norms)
	}
	pen := map[string]func(Critic, *autograd.Var) (*autograd.Var, error){
		"two_sided": GradientPenaltyAt,
		"one_sided": func(cr Critic, xh *autograd.Var) (*autograd.Var, error) {
			ns, err := GradientNorms(cr, xh)
			if err != nil {
				return nil, err
			}
			return penaltyFromNorms(ns, true), nil
		},
		"r1": R1Penalty,
	}
	for name, p := range pen {
		t.Run(name, func(t *testing.T) {
			f := func(ws []*autograd.Var) *autograd.Var {
				cr := &denseCritic{ws[0], ws[1], ws[2]}
				return must(p(cr.call, autograd.Const(x)))
			}
			err := autograd.CheckGrad(f, c.w1.Value.Clone(), c.w2.Value.Clone(), c.b.Value.Clone())
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestPenaltyZeroGradient: a critic whose input-gradient vanishes must give
// the finite penalty (0-1)² = 1 and zero, not NaN, weight gradients.
func TestPenaltyZeroGradient(t *testing.T) {
	x := autograd.Const(tensor.NewRNG(13, 0).Normal(tensor.Float64, 0, 1, 2, 3))
	zeroW := &denseCritic{
		w1: autograd.Param(tensor.New(tensor.Float64, 3, 4), "w1"), // ∂D/∂x = W1·(...) = 0
		w2: autograd.Param(tensor.Full(tensor.Float64, 1, 4, 1), "w2"),
		b:  autograd.Param(tensor.Full(tensor.Float64, 0.5, 1), "b"),
	}
	b := autograd.Param(tensor.Full(tensor.Float64, 0.5, 1, 1), "b")
	constant := func(x *autograd.Var) (*autograd.Var, error) { // ignores x
		return autograd.BroadcastTo(b, x.Value.Dim(0), 1), nil
	}
	cases := []struct {
		name   string
		critic Critic
		params []*autograd.Var
	}{
		{"zero_weights", zeroW.call, zeroW.params()},
		{"constant", constant, []*autograd.Var{b}},
	}
	for _, c := range cases {
		for _, dt := range []tensor.DType{tensor.Float64, tensor.Float32} {
			t.Run(c.name+"_"+dt.String(), func(t *testing.T) {
				params := make([]*autograd.Var, len(c.params))
				critic := c.critic
				if dt == tensor.Float32 {
					saved := make([]*tensor.Tensor, len(c.params))
					for i, p := range c.params {
						saved[i] = p.Value
						p.Value = p.Value.AsType(tensor.Float32)
					}
					defer func() {
						for i, p := range c.params {
							p.Value = saved[i]
						}
					}()
				}
				copy(params, c.params)
				gp, err := GradientPenaltyAt(critic, autograd.Const(x.Value.AsType(dt)))
				if err != nil {
					t.Fatal(err)
				}
				if v := gp.Value.Item(); !near(v, 1, 1e-5) {
					t.Errorf("penalty = %v, want 1", v)
				}
				gs, err := autograd.Grad([]*autograd.Var{gp}, params, nil, false)
				if err != nil {
					t.Fatal(err)
				}
				for i, g := range gs {
					for j := 0; j < g.Value.Len(); j++ {
						if v := g.Value.At(j); v != 0 {
							t.Errorf("d penalty / d %s[%d] = %v, want 0", params[i].Name, j, v)
						}
					}
				}
			})
		}
	}
}

// TestOneSidedBelowOne: with every norm below 1 the one-sided penalty and
// its weight gradients are 0 while the two-sided one is not.
func TestOneSidedBelowOne(t *testing.T) {
	rng := tensor.NewRNG(14, 0)
	c := newDenseCritic(rng, 4, 3, 0.05)
	real := autograd.Const(rng.Normal(tensor.Float64, 0, 1, 3, 4))
	fake := autograd.Const(rng.Normal(tensor.Float64, 0, 1, 3, 4))
	two, err := GradientPenalty(c.call, real, fake, tensor.NewRNG(1, 1), false)
	if err != nil {
		t.Fatal(err)
	}
	one, err := GradientPenalty(c.call, real, fake, tensor.NewRNG(1, 1), true)
	if err != nil {
		t.Fatal(err)
	}
	if one.Value.Item() != 0 {
		t.Errorf("one-sided penalty = %v, want 0", one.Value.Item())
	}
	if two.Value.Item() < 0.5 {
		t.Errorf("two-sided penalty = %v, want ≈ (1-small norm)² ≥ 0.5", two.Value.Item())
	}
	gs, err := autograd.Grad([]*autograd.Var{one}, c.params(), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range gs {
		for j := 0; j < g.Value.Len(); j++ {
			if g.Value.At(j) != 0 {
				t.Errorf("one-sided gradient %d[%d] = %v, want 0", i, j, g.Value.At(j))
			}
		}
	}
}

func TestPenaltyErrors(t *testing.T) {
	rng := tensor.NewRNG(15, 0)
	c := newDenseCritic(rng, 4, 3, 1)
	a := autograd.Const(tensor.New(tensor.Float64, 2, 4))
	b := autograd.Const(tensor.New(tensor.Float64, 3, 4))
	failing := func(*autograd.Var) (*autograd.Var, error) { return nil, errTest }
	panicking := func(x *autograd.Var) (*autograd.Var, error) {
		return autograd.MatMul(x, autograd.Const(tensor.New(tensor.Float64, 5, 1)), false, false), nil
	}
	cases := []struct {
		name string
		call func() (*autograd.Var, error)
		want []string
	}{
		{"shapes", func() (*autograd.Var, error) { return GradientPenalty(c.call, a, b, rng, false) }, []string{"GradientPenalty", "[2 4]", "[3 4]"}},
		{"nil_rng", func() (*autograd.Var, error) { return GradientPenalty(c.call, a, a, nil, false) }, []string{"rng"}},
		{"critic_error", func() (*autograd.Var, error) { return GradientPenalty(failing, a, a, rng, false) }, []string{"critic", errTest.Error()}},
		{"critic_panic", func() (*autograd.Var, error) { return GradientPenaltyAt(panicking, a) }, []string{"matmul"}},
		{"nil_critic", func() (*autograd.Var, error) { return R1Penalty(nil, a) }, []string{"R1Penalty", "nil critic"}},
		{"scalar", func() (*autograd.Var, error) {
			return R1Penalty(c.call, autograd.Const(tensor.Scalar(tensor.Float64, 1)))
		}, []string{"scalar"}},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			out, err := cs.call()
			if err == nil {
				t.Fatalf("no error, got %v", out)
			}
			for _, w := range cs.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

type testError struct{}

func (testError) Error() string { return "critic exploded" }

var errTest = testError{}
