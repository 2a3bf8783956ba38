package nn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

func smallGen(seed uint64, units int) *Sequential {
	g := NewSequential("generator", NewInputLayer([]int{3}), NewDense(units), NewBatchNormalization(), NewDense(2))
	g.SetSeed(seed)
	return g
}

func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "g.safetensors")
	a := smallGen(1, 4)
	// Move the moving statistics so non-trainable weights are checked too.
	if _, err := a.Call(autograd.Const(tensor.NewRNG(2, 0).Normal(tensor.Float32, 0, 1, 5, 3)), true); err != nil {
		t.Fatal(err)
	}
	if err := SaveWeights(path, a); err != nil {
		t.Fatal(err)
	}
	b := smallGen(9, 4)
	if err := LoadWeights(path, b); err != nil {
		t.Fatal(err)
	}
	wa, wb := a.Weights(), b.Weights()
	for i := range wa {
		if wa[i].Name() != wb[i].Name() {
			t.Fatalf("weight %d: %s vs %s", i, wa[i].Name(), wb[i].Name())
		}
		for j := 0; j < wa[i].Value().Len(); j++ {
			if wa[i].Value().At(j) != wb[i].Value().At(j) {
				t.Fatalf("%s[%d] = %v after load, saved %v", wb[i].Name(), j, wb[i].Value().At(j), wa[i].Value().At(j))
			}
		}
	}
	// A float64 model loads float32 weights.
	c := smallGen(9, 4)
	c.SetDType(tensor.Float64)
	if err := LoadWeights(path, c); err != nil {
		t.Fatal(err)
	}
	if got, want := c.Weights()[0].Value().At(5), a.Weights()[0].Value().At(5); got != want {
		t.Errorf("float64 load %v, want %v", got, want)
	}
}

func TestLoadMismatchChangesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "g.safetensors")
	if err := SaveWeights(path, smallGen(1, 4)); err != nil {
		t.Fatal(err)
	}
	other := smallGen(5, 6) // Dense(6): three shapes differ
	before := other.Weights()[0].Value().Clone()
	err := LoadWeights(path, other)
	if err == nil {
		t.Fatal("mismatched load gave no error")
	}
	for _, want := range []string{path, "generator/dense/kernel: shape [3 4] in the file, [3 6] in the model", "generator/batch_normalization/gamma", "generator/dense_1/kernel", "nothing loaded"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if other.Weights()[0].Value().At(0) != before.At(0) {
		t.Error("a failed load changed a weight")
	}
	renamed := NewSequential("gen", NewInputLayer([]int{3}), NewDense(4), NewBatchNormalization(), NewDense(2))
	err = LoadWeights(path, renamed)
	if err == nil || !strings.Contains(err.Error(), "missing gen/dense/kernel") || !strings.Contains(err.Error(), "unexpected generator/dense/kernel") {
		t.Errorf("renamed model: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad"), []byte("nope"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := LoadWeights(filepath.Join(dir, "bad"), renamed); err == nil {
		t.Error("corrupt file loaded")
	}
}
