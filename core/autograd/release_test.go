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
