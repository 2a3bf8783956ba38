package autograd

import (
	"math"
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

// TestRecyclingKeepsGradientsExact runs first-order passes, which recycle
// the gradients they made, on tensors large enough to be pooled, through
// fan-out (gradients summed in place), pass-through rules (add returns
// the upstream gradient itself) and a reshape (a view of a gradient), and
// checks them against the same gradients from recording passes, which
// recycle nothing and use the differentiable rules. Gradients returned by
// an earlier pass must survive later passes that reuse pooled storage.
func TestRecyclingKeepsGradientsExact(t *testing.T) {
	rng := tensor.NewRNG(21, 0)
	x := Leaf(rng.Normal(tensor.Float64, 0, 1, 64, 512))
	w := Leaf(rng.Normal(tensor.Float64, 0, 0.05, 512, 512))
	b := Leaf(rng.Normal(tensor.Float64, 0, 1, 512))
	loss := func() *Var {
		h := LeakyRelu(Add(MatMul(x, w, false, false), b), 0.2) // 64×512 = 32K elements
		u := Add(h, x)                                          // fan-out of x, pass-through of h's gradient
		v := Mul(Tanh(u), Sigmoid(h))                           // fan-out of h
		r := Reshape(Add(v, u), 128, 256)                       // gradient view
		// The backward pass reaches s before c and c before q: p's first
		// gradient is add's upstream gradient, shared with q, and c's
		// contribution to p must not be summed into that shared storage.
		p, q := Tanh(h), Sigmoid(u)
		early := Sum(Scale(q, 0.5), nil, false)
		c := Sum(Exp(Scale(p, 0.1)), nil, false)
		s := Sum(Square(Add(p, q)), nil, false)
		return Add(Add(Add(early, c), s), Sum(Square(r), nil, false))
	}
	inputs := []*Var{x, w, b}
	want, err := Grad([]*Var{loss()}, inputs, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	first, err := Grad([]*Var{loss()}, inputs, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	firstCopy := make([]*tensor.Tensor, len(first))
	for i, g := range first {
		firstCopy[i] = g.Value.Clone()
	}
	for round := range 3 {
		got, err := Grad([]*Var{loss()}, inputs, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := range inputs {
			compare(t, round, i, got[i].Value, want[i].Value, 1e-12)
			compare(t, round, i, first[i].Value, firstCopy[i], 0) // untouched by later passes
		}
	}
}

func compare(t *testing.T, round, input int, got, want *tensor.Tensor, tol float64) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Fatalf("round %d input %d: %d elements, want %d", round, input, got.Len(), want.Len())
	}
	for j := range want.Len() {
		g, w := got.At(j), want.At(j)
		if math.Abs(g-w) > tol*(1+math.Abs(w)) || math.IsNaN(g) {
			t.Fatalf("round %d input %d element %d: %v, want %v", round, input, j, g, w)
		}
	}
}

// TestRectifierMaskNeverOverwritesTheCallersGradient passes the caller's
// own upstream gradient into a first-order pass whose first rule is a
// rectifier, which applies its mask in place to gradients the pass made:
// the caller's tensor must come back unchanged, and a gradient the pass
// made (the sum of a fan-out) must give the same result as the recording
// pass.
func TestRectifierMaskNeverOverwritesTheCallersGradient(t *testing.T) {
	rng := tensor.NewRNG(23, 0)
	x := Leaf(rng.Normal(tensor.Float64, 0, 1, 64, 512))
	h := LeakyReluInPlace(Add(x, x), 0.2)
	seed := rng.Normal(tensor.Float64, 0, 1, 64, 512)
	saved := seed.Clone()
	gs, err := Grad([]*Var{h}, []*Var{x}, []*Var{Const(seed)}, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range saved.Len() {
		if seed.At(i) != saved.At(i) {
			t.Fatalf("the caller's upstream gradient changed at %d: %v, was %v", i, seed.At(i), saved.At(i))
		}
	}
	want := tensor.LeakyReluGrad(saved, h.Value, 0.2)
	for i := range want.Len() {
		if got := gs[0].Value.At(i); got != 2*want.At(i) {
			t.Fatalf("gradient %d = %v, want %v", i, got, 2*want.At(i))
		}
	}

	y := LeakyRelu(Mul(x, x), 0.2)
	loss := Add(Sum(Mul(y, y), nil, false), Sum(Tanh(y), nil, false)) // y's gradient is a sum the pass owns
	first, err1 := Grad([]*Var{loss}, []*Var{x}, nil, false)
	recorded, err2 := Grad([]*Var{loss}, []*Var{x}, nil, true)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	for i := range first[0].Value.Len() {
		if a, b := first[0].Value.At(i), recorded[0].Value.At(i); math.Abs(a-b) > 1e-12*(1+math.Abs(b)) {
			t.Fatalf("fan-out gradient %d: %v first-order, %v recorded", i, a, b)
		}
	}
}
