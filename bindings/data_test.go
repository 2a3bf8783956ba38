package bindings

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

// keras.data's datasets are what model:fit trains on.
var _ Dataset = (*luaDataset)(nil)

// datasetGlobal returns the Lua global name as the Go dataset type.
func datasetGlobal(t *testing.T, rt *Runtime, name string) *luaDataset {
	t.Helper()
	ud, ok := rt.L.GetGlobal(name).(*lua.LUserData)
	if !ok {
		t.Fatalf("%s is %s, not a dataset", name, rt.L.GetGlobal(name).Type())
	}
	d, ok := ud.Value.(*luaDataset)
	if !ok {
		t.Fatalf("%s holds %T", name, ud.Value)
	}
	return d
}

// TestMNISTFromLua checks the first batch of MNIST's test split without
// shuffling against the first images of core/data's MNIST, loaded in Go:
// shape, values (the same value range mapping), labels.
func TestMNISTFromLua(t *testing.T) {
	ref, err := data.MNIST("test", data.WithScale(data.Unit))
	if err != nil {
		t.Skipf("MNIST not in the module cache: %v", err)
	}
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local keras = require('ganlab')
ds = keras.data.mnist{split='test', batch_size=32, shuffle=false, value_range={0, 1}, labels=true}
print(#ds, ds.steps_per_epoch, ds.batch_size, ds.num_examples, ds.num_classes, table.concat(ds.image_shape, ','), ds.name)
local b = ds:next()
print(#b, table.concat(b[1].shape, ','), table.concat(b[2].shape, ','), b[1].dtype, b[2].dtype)
first = b[1]
labels = b[2]`)
	want := "312\t312\t32\t10000\t10\t28,28,1\tmnist/test\n2\t32,28,28,1\t32\tfloat32\tfloat32"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	img, _ := rt.ToVar(rt.L.GetGlobal("first"))
	lbl, _ := rt.ToVar(rt.L.GetGlobal("labels"))
	per := 28 * 28
	if !slices.Equal(img.Value.Float32s(), ref.Images.Float32s()[:32*per]) {
		t.Error("first batch differs from the first 32 images of mnist/test")
	}
	for i := 0; i < 32; i++ {
		if lbl.Value.At(i) != float64(ref.Labels[i]) {
			t.Fatalf("label %d: got %v want %d", i, lbl.Value.At(i), ref.Labels[i])
		}
	}
}

// TestMNISTShuffleAndOneHot checks the value range of a [-1, 1] batch,
// that the shuffled order repeats for a seed and changes with it, and that
// one-hot rows mark the class of each image (found by looking the image up
// in the unshuffled dataset).
func TestMNISTShuffleAndOneHot(t *testing.T) {
	ref, err := data.MNIST("test")
	if err != nil {
		t.Skipf("MNIST not in the module cache: %v", err)
	}
	batch := func(seed string, opts string) []*tensor.Tensor {
		rt, out := newTestRuntime(t)
		runLua(t, rt, out, "ds = require('ganlab').data.mnist{split='test', batch_size=16"+seed+opts+"}")
		d := datasetGlobal(t, rt, "ds")
		b, err := d.Next()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b, c := batch(", seed=7", ", one_hot=10"), batch(", seed=7", ", one_hot=10"), batch(", seed=8", ", one_hot=10")
	def1, def2 := batch("", ""), batch("", "")
	if !slices.Equal(a[0].Float32s(), b[0].Float32s()) || !slices.Equal(a[1].Float32s(), b[1].Float32s()) {
		t.Error("the same seed gave different batches")
	}
	if slices.Equal(a[0].Float32s(), c[0].Float32s()) {
		t.Error("seeds 7 and 8 gave the same batch")
	}
	if len(def1) != 1 || !slices.Equal(def1[0].Float32s(), def2[0].Float32s()) {
		t.Error("without seed=, the run seed should fix the order")
	}
	if slices.Equal(def1[0].Float32s(), ref.Images.Float32s()[:16*784]) {
		t.Error("shuffle=true (the default) did not shuffle")
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range a[0].Float32s() {
		lo, hi = min(lo, float64(v)), max(hi, float64(v))
	}
	if lo != -1 || hi != 1 {
		t.Errorf("values in [%v, %v], want exactly [-1, 1]", lo, hi)
	}
	if !slices.Equal(a[1].Shape(), []int{16, 10}) {
		t.Fatalf("one-hot shape %v", a[1].Shape())
	}
	// Find each image in the dataset to learn its label.
	index := map[string]int{}
	all := ref.Images.Float32s()
	for i := 0; i < ref.Len(); i++ {
		index[key(all[i*784:(i+1)*784])] = i
	}
	imgs, oh := a[0].Float32s(), a[1].Float32s()
	for i := 0; i < 16; i++ {
		j, ok := index[key(imgs[i*784:(i+1)*784])]
		if !ok {
			t.Fatalf("image %d is not in mnist/test", i)
		}
		for c := 0; c < 10; c++ {
			want := float32(0)
			if c == ref.Labels[j] {
				want = 1
			}
			if oh[i*10+c] != want {
				t.Fatalf("image %d (example %d, label %d): one-hot row %v", i, j, ref.Labels[j], oh[i*10:i*10+10])
			}
		}
	}
}

func key(xs []float32) string {
	var sb strings.Builder
	for _, x := range xs {
		sb.WriteString(string(rune(int(x*127.5+128) + 1)))
	}
	return sb.String()
}

// TestIDXDirectory loads a tiny synthetic IDX directory: raw and gzip files,
// the short last batch without drop_remainder, and class-id labels.
func TestIDXDirectory(t *testing.T) {
	dir := t.TempDir()
	pix := make([]byte, 5*2*3)
	for i := range pix {
		pix[i] = byte(i * 8)
	}
	writeIDX(t, filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), []int{5, 2, 3}, pix, true)
	writeIDX(t, filepath.Join(dir, "t10k-labels-idx1-ubyte"), []int{5}, []byte{3, 1, 4, 1, 5}, false)
	rt, out := newTestRuntime(t)
	rt.L.SetGlobal("dir", lua.LString(dir))
	got := runLua(t, rt, out, `
local keras = require('ganlab')
local ds = keras.data.idx{dir=dir, split='test', batch_size=2, shuffle=false, drop_remainder=false, labels=true, value_range={0, 1}}
print(#ds, ds.num_classes, tostring(ds))
for i = 1, 3 do
  local b = ds:next()
  print(table.concat(b[1].shape, ','), table.concat(b[2]:values(), ','), b[1]:values()[1] * 255)
end`)
	want := "3\t6\tDataset(" + filepath.Base(dir) + "/test, 5 examples of 2 3 1 in [0, 1], batches of 2: {images, labels})\n" +
		"2,2,3,1\t3,1\t0\n2,2,3,1\t4,1\t96\n1,2,3,1\t5\t192"
	if !sameLines(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// sameLines compares printed lines field by field (numbers within 1e-4).
func sameLines(got, want string) bool {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if !sameFields(g[i], w[i], 1e-4) {
			return false
		}
	}
	return true
}

func writeIDX(t *testing.T, path string, dims []int, pix []byte, gz bool) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := data.EncodeIDX(f, dims, pix, gz); err != nil {
		t.Fatal(err)
	}
}

func TestDataErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"keras.data.mnist{split='validation'}", `data.mnist: argument split: "validation" is not one of train, test`},
		{"keras.data.mnist{value_range={0, 255}}", "data.mnist: argument value_range: expected {-1, 1} or {0, 1}"},
		{"keras.data.mnist{split='test', one_hot=5}", "data.mnist: argument one_hot: 5 classes, but mnist/test has labels up to 9"},
		{"keras.data.mnist{one_hot=10, labels=false}", "labels=false contradicts one_hot=10"},
		{"keras.data.mnist{batch_size=0}", "data.mnist: argument batch_size: must be positive"},
		{"keras.data.mnist{batchsize=3}", `data.mnist: unknown keyword "batchsize"`},
		{"keras.data.idx{split='test'}", "data.idx: argument dir: a directory holding"},
		{"keras.data.idx{dir='/nonexistent/ganlab'}", "data.idx: /nonexistent/ganlab: no train-images-idx3-ubyte.gz or train-images-idx3-ubyte"},
		{"keras.data.mnist{split='test', batch_size=20000}", "10000 examples make no batch of 20000"},
	} {
		rt, _ := newTestRuntime(t)
		e := runLuaErr(t, rt, "keras = require('ganlab')\n"+tc.src)
		if !strings.Contains(e.Msg, tc.want) || !strings.Contains(e.Msg, "test.lua:2:") {
			t.Errorf("%s:\n got %q\nwant %q", tc.src, e.Msg, tc.want)
		}
	}
}
