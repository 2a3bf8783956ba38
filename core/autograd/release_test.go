package autograd

import (
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

// TestReleaseGraph checks what ReleaseGraph recycles: the values ops made
// (their storage is gone afterwards), never a leaf, a constant, or an
// op's value that shares a leaf's storage (a reshaped weight).
func TestReleaseGraph(t *testing.T) {
	rng := tensor.NewRNG(41, 0)
	w := Param(randT(rng, 128, 256), "w")
	c := Const(randT(rng, 256, 128))
	wView := Reshape(w, 256, 128) // shares w's storage
	h := Relu(Add(wView, c))      // an op's value: recycled
	loss := Sum(Square(h), nil, false)
	wSaved, cSaved := w.Value.Clone(), c.Value.Clone()

	ReleaseGraph(loss)

	if h.Value.Float64s() != nil || loss.Value.Float64s() != nil {
		t.Error("values the ops made were not released")
	}
	for name, p := range map[string][2]*tensor.Tensor{"weight": {w.Value, wSaved}, "constant": {c.Value, cSaved}, "weight view": {wView.Value, wSaved}} {
		got, want := p[0], p[1]
		if got.Float64s() == nil {
			t.Fatalf("%s released", name)
		}
		for i := range want.Len() {
			if got.At(i) != want.At(i) {
				t.Fatalf("%s changed at %d", name, i)
			}
		}
	}
	ReleaseGraph(loss, nil) // releasing again, or nothing, is harmless
}

// TestReleaseGraphAndGrads checks that the gradients a step applied go
// back with its graph: each storage once, even where two gradients share
// it, and never a leaf's, even when passed as a gradient.
func TestReleaseGraphAndGrads(t *testing.T) {
	rng := tensor.NewRNG(43, 0)
	w1 := Param(randT(rng, 128, 256), "w1")
	w2 := Param(randT(rng, 128, 256), "w2")
	c := Const(randT(rng, 128, 256))
	loss := Sum(Mul(Add(w1, w2), c), nil, false) // w1 and w2 get one gradient storage
	grads, err := Grad([]*Var{loss}, []*Var{w1, w2}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	g1, g2 := grads[0].Value, grads[1].Value
	if !tensor.SameStorage(g1, g2) {
		t.Fatal("the two gradients do not share storage: the shared case is not exercised")
	}
	wSaved := w1.Value.Clone()

	ReleaseGraphAndGrads([]*Var{loss}, []*tensor.Tensor{g1, g2, w1.Value})

	if g1.Float64s() != nil || g2.Float64s() != nil {
		t.Error("gradients were not released")
	}
	if w1.Value.Float64s() == nil {
		t.Fatal("a leaf passed as a gradient was released")
	}
	for i := range wSaved.Len() {
		if w1.Value.At(i) != wSaved.At(i) {
			t.Fatalf("leaf changed at %d", i)
		}
	}
	// Storage recycled twice would come back for two tensors at once.
	a, b := tensor.New(tensor.Float64, 128, 256), tensor.New(tensor.Float64, 128, 256)
	if tensor.SameStorage(a, b) {
		t.Error("one storage handed out twice: a shared gradient was recycled twice")
	}
}
