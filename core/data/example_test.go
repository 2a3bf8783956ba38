package data_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/tensor"
)

// Example loads a small IDX directory and reads one epoch of shuffled
// batches, as a training loop does.
func Example() {
	dir, _ := os.MkdirTemp("", "idx")
	defer os.RemoveAll(dir)
	// Ten 2×2 images with labels 0..4, written as MNIST's files are named.
	var img, lbl bytes.Buffer
	data.EncodeIDX(&img, []int{10, 2, 2}, make([]byte, 40), true)
	data.EncodeIDX(&lbl, []int{10}, []byte{0, 1, 2, 3, 4, 0, 1, 2, 3, 4}, false)
	os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte.gz"), img.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), lbl.Bytes(), 0o644)

	ds, err := data.LoadIDX(dir, "train", data.WithScale(data.Unit))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds.Images.Shape(), ds.Classes, ds.Histogram())

	l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: 4, Shuffle: true, DropRemainder: true, Prefetch: 2},
		tensor.NewRNG(42, 0))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()
	for range l.StepsPerEpoch() {
		b, _ := l.Next()
		fmt.Println(b.Pos, b.Images.Shape(), b.Labels.Shape())
	}
	fmt.Println("next:", l.Position())
	// Output:
	// [10 2 2 1] 5 [2 2 2 2 2]
	// {0 0} [4 2 2 1] [4]
	// {0 1} [4 2 2 1] [4]
	// next: {1 0}
}
