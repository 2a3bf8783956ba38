package train

import (
	"context"
	"slices"
	"testing"

	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/tensor"
)

// TestFitWithLoader runs Fit over a real data.Loader (10 examples, batches
// of 4, the short last batch kept): every example is seen once per epoch,
// in the Loader's order, and the trainer reports each batch's size.
func TestFitWithLoader(t *testing.T) {
	n := 10
	pix := make([]float32, n)
	labels := make([]int, n)
	for i := range pix {
		pix[i] = float32(i)
		labels[i] = i % 2
	}
	ds := &data.Dataset{Name: "synthetic", Images: tensor.FromFloat32(pix, n, 1, 1, 1), Labels: labels, Classes: 2}
	loader, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: 4, Shuffle: true, Prefetch: 2}, tensor.NewRNG(1, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer loader.Close()
	var seen [][]int
	var sizes []int
	cb := &LambdaCallback{}
	cb.TrainBatchEnd = func(int, Logs) error { sizes = append(sizes, cb.Trainer().BatchSize()); return nil }
	step := func(_ context.Context, b *data.Batch) (Logs, error) {
		if len(seen) <= b.Pos.Epoch {
			seen = append(seen, nil)
		}
		for _, v := range b.Images.Float32s() {
			seen[b.Pos.Epoch] = append(seen[b.Pos.Epoch], int(v))
		}
		return Logs{"mean_pixel": tensor.Sum(b.Images, nil, false).Item() / float64(b.Images.Dim(0))}, nil
	}
	hist, err := Fit(context.Background(), FitConfig{Step: step, Source: loader, Epochs: 2, Callbacks: []Callback{cb}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sizes, []int{4, 4, 2, 4, 4, 2}) || len(hist.Epoch) != 2 {
		t.Fatalf("batch sizes %v epochs %v", sizes, hist.Epoch)
	}
	for e, got := range seen {
		if !slices.Equal(got, loader.Order(e)) {
			t.Errorf("epoch %d: examples %v, want the loader's order %v", e, got, loader.Order(e))
		}
	}
}
