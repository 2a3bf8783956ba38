package data

import (
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ganlab/ganlab/core/tensor"
)

// syntheticDataset loads an n-image 2×3 dataset written to a temp dir.
func syntheticDataset(t testing.TB, n int) *Dataset {
	t.Helper()
	dir := t.TempDir()
	writeIDXDir(t, dir, "train", n, 2, 3, true)
	ds, err := LoadIDX(dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// drain returns the Indices of the next k batches.
func drain(t testing.TB, l *Loader, k int) [][]int {
	t.Helper()
	var out [][]int
	for range k {
		b, err := l.Next()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b.Indices)
	}
	return out
}

func TestLoaderBatchCounts(t *testing.T) {
	cases := []struct {
		n, batch int
		drop     bool
		sizes    []int
	}{
		{10, 4, true, []int{4, 4}},
		{10, 4, false, []int{4, 4, 2}},
		{8, 4, true, []int{4, 4}},
		{8, 4, false, []int{4, 4}},
		{3, 4, false, []int{3}},
		{5, 1, true, []int{1, 1, 1, 1, 1}},
	}
	for _, c := range cases {
		ds := syntheticDataset(t, c.n)
		for _, prefetch := range []int{0, 2} {
			l, err := NewLoader(ds, LoaderConfig{BatchSize: c.batch, DropRemainder: c.drop, Prefetch: prefetch}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if l.StepsPerEpoch() != len(c.sizes) {
				t.Errorf("n=%d b=%d drop=%v: %d steps, want %d", c.n, c.batch, c.drop, l.StepsPerEpoch(), len(c.sizes))
			}
			// Two epochs: sizes repeat and positions roll over.
			for e := range 2 {
				for i, want := range c.sizes {
					b, err := l.Next()
					if err != nil {
						t.Fatal(err)
					}
					if got := b.Images.Dim(0); got != want || b.Labels.Dim(0) != want {
						t.Errorf("n=%d b=%d drop=%v: batch %d has %d examples, want %d", c.n, c.batch, c.drop, i, got, want)
					}
					if b.Pos != (Position{e, i}) {
						t.Errorf("batch pos %+v, want {%d %d}", b.Pos, e, i)
					}
				}
			}
			l.Close()
		}
	}
	ds := syntheticDataset(t, 3)
	if _, err := NewLoader(ds, LoaderConfig{BatchSize: 4, DropRemainder: true}, nil); err == nil ||
		!strings.Contains(err.Error(), "3 examples make no batch of 4") {
		t.Errorf("no full batch: %v", err)
	}
	if _, err := NewLoader(ds, LoaderConfig{BatchSize: 0}, nil); err == nil {
		t.Error("batch size 0 accepted")
	}
	if _, err := NewLoader(ds, LoaderConfig{BatchSize: 1, Shuffle: true}, nil); err == nil {
		t.Error("shuffle without RNG accepted")
	}
}

func TestLoaderBatchContents(t *testing.T) {
	ds := syntheticDataset(t, 7)
	l, err := NewLoader(ds, LoaderConfig{BatchSize: 3, Shuffle: true, Prefetch: 1}, tensor.NewRNG(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	per := 2 * 3
	src := ds.Images.Float32s()
	for range 6 {
		b, _ := l.Next()
		if got := b.Images.Shape(); got[1] != 2 || got[2] != 3 || got[3] != 1 {
			t.Fatalf("batch shape %v", got)
		}
		img := b.Images.Float32s()
		for i, j := range b.Indices {
			if !slices.Equal(img[i*per:(i+1)*per], src[j*per:(j+1)*per]) {
				t.Errorf("batch row %d differs from example %d", i, j)
			}
			if b.Classes[i] != j%3 || b.Labels.At(i) != float64(j%3) {
				t.Errorf("example %d: label %d / %v, want %d", j, b.Classes[i], b.Labels.At(i), j%3)
			}
		}
	}
}

func TestLoaderShuffleDeterminism(t *testing.T) {
	ds := syntheticDataset(t, 50)
	run := func(seed uint64, prefetch int) [][]int {
		l, err := NewLoader(ds, LoaderConfig{BatchSize: 10, Shuffle: true, Prefetch: prefetch}, tensor.NewRNG(seed, 0))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return drain(t, l, 15) // three epochs
	}
	a, b, c := run(42, 0), run(42, 3), run(43, 0)
	if !slices.EqualFunc(a, b, slices.Equal) {
		t.Error("same seed gave different orders (sync vs prefetch)")
	}
	if slices.EqualFunc(a, c, slices.Equal) {
		t.Error("seeds 42 and 43 gave the same order")
	}
	var epochs [3][]int
	for i, idx := range a {
		epochs[i/5] = append(epochs[i/5], idx...)
	}
	for e, order := range epochs {
		sorted := slices.Sorted(slices.Values(order))
		for i, v := range sorted {
			if v != i {
				t.Fatalf("epoch %d is not a permutation of 0..49: %v", e, order)
			}
		}
	}
	if slices.Equal(epochs[0], epochs[1]) {
		t.Error("epochs 0 and 1 have the same order")
	}
	if slices.Equal(epochs[0], sortedRange(50)) {
		t.Error("shuffled epoch is in dataset order")
	}
	l, _ := NewLoader(ds, LoaderConfig{BatchSize: 50}, nil)
	if got := drain(t, l, 1)[0]; !slices.Equal(got, sortedRange(50)) {
		t.Errorf("unshuffled order %v", got)
	}
}

func TestLoaderResume(t *testing.T) {
	ds := syntheticDataset(t, 23)
	cfg := LoaderConfig{BatchSize: 5, Shuffle: true, DropRemainder: true, Prefetch: 2}
	full, _ := NewLoader(ds, cfg, tensor.NewRNG(7, 1))
	defer full.Close()
	want := drain(t, full, 13)

	first, _ := NewLoader(ds, cfg, tensor.NewRNG(7, 1))
	got := drain(t, first, 6)
	pos := first.Position()
	if pos != (Position{Epoch: 1, Batch: 2}) {
		t.Fatalf("position after 6 batches of 4 per epoch: %+v", pos)
	}
	first.Close()
	if _, err := first.Next(); !errors.Is(err, ErrClosed) {
		t.Errorf("Next after Close: %v", err)
	}

	cfg.Start = pos
	resumed, err := NewLoader(ds, cfg, tensor.NewRNG(7, 1))
	if err != nil {
		t.Fatal(err)
	}
	defer resumed.Close()
	got = append(got, drain(t, resumed, 7)...)
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("resumed sequence differs:\n got %v\nwant %v", got, want)
	}
	// Seek back within a live loader.
	if err := resumed.Seek(Position{Epoch: 0, Batch: 1}); err != nil {
		t.Fatal(err)
	}
	if b := drain(t, resumed, 1)[0]; !slices.Equal(b, want[1]) {
		t.Errorf("after Seek: %v, want %v", b, want[1])
	}
	if err := resumed.Seek(Position{Epoch: 0, Batch: 4}); err == nil {
		t.Error("Seek past the last batch accepted")
	}
}

func TestLoaderCloseStopsGoroutine(t *testing.T) {
	ds := syntheticDataset(t, 20)
	before := runtime.NumGoroutine()
	l, _ := NewLoader(ds, LoaderConfig{BatchSize: 2, Prefetch: 4}, nil)
	drain(t, l, 3)
	l.Close()
	l.Close()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before", n, before)
	}
}

func sortedRange(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
