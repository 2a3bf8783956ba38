package data

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pixel is the byte the synthetic datasets hold at image i, offset j; image 0
// starts with 0 and 255 so every set spans the full byte range.
func pixel(i, j int) byte {
	switch {
	case i == 0 && j == 0:
		return 0
	case i == 0 && j == 1:
		return 255
	}
	return byte((i*7 + j*13) % 256)
}

// writeIDXDir writes split's image and label files of n rows×cols images to
// dir, gzip-compressed or raw, with label i%3 for image i.
func writeIDXDir(t testing.TB, dir, split string, n, rows, cols int, gz bool) {
	t.Helper()
	imgName, lblName, _ := idxNames(split)
	pix := make([]byte, n*rows*cols)
	for i := 0; i < n; i++ {
		for j := 0; j < rows*cols; j++ {
			pix[i*rows*cols+j] = pixel(i, j)
		}
	}
	lbl := make([]byte, n)
	for i := range lbl {
		lbl[i] = byte(i % 3)
	}
	files := map[string][]byte{
		imgName: idxBytes(MagicImages, []uint32{uint32(n), uint32(rows), uint32(cols)}, pix),
		lblName: idxBytes(MagicLabels, []uint32{uint32(n)}, lbl),
	}
	for name, b := range files {
		if gz {
			name, b = name+".gz", gzipBytes(t, b)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadIDXScales(t *testing.T) {
	cases := []struct {
		gz     bool
		split  string
		opts   []Option
		lo, hi float64
	}{
		{false, "train", nil, -1, 1},
		{true, "test", nil, -1, 1},
		{true, "train", []Option{WithScale(Unit)}, 0, 1},
		{false, "test", []Option{WithScale(Signed)}, -1, 1},
	}
	for _, c := range cases {
		dir := t.TempDir()
		const n, rows, cols = 5, 3, 4
		writeIDXDir(t, dir, c.split, n, rows, cols, c.gz)
		ds, err := LoadIDX(dir, c.split, c.opts...)
		if err != nil {
			t.Fatalf("gz=%v %s: %v", c.gz, c.split, err)
		}
		if got := ds.Images.Shape(); !equalInts(got, []int{n, rows, cols, 1}) {
			t.Fatalf("shape %v, want [5 3 4 1]", got)
		}
		if ds.Len() != n || ds.Classes != 3 || !equalInts(ds.Histogram(), []int{2, 2, 1}) {
			t.Errorf("len %d classes %d histogram %v", ds.Len(), ds.Classes, ds.Histogram())
		}
		if !strings.HasSuffix(ds.Name, "/"+c.split) {
			t.Errorf("name %q", ds.Name)
		}
		px := ds.Images.Float32s()
		for k, v := range px {
			i, j := k/(rows*cols), k%(rows*cols)
			want := c.lo + (c.hi-c.lo)*float64(pixel(i, j))/255
			if math.Abs(float64(v)-want) > 1e-6 {
				t.Fatalf("pixel %d of image %d = %v, want %v", j, i, v, want)
			}
		}
		if px[0] != float32(c.lo) || px[1] != float32(c.hi) {
			t.Errorf("bytes 0 and 255 map to %v, %v; want exactly %v, %v", px[0], px[1], c.lo, c.hi)
		}
	}
}

func TestLoadIDXErrors(t *testing.T) {
	dir := t.TempDir()
	writeIDXDir(t, dir, "train", 4, 2, 2, true)
	if _, err := LoadIDX(dir, "validation"); err == nil || !strings.Contains(err.Error(), `"train" or "test"`) {
		t.Errorf("bad split: %v", err)
	}
	if _, err := LoadIDX(dir, "test"); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "t10k-images-idx3-ubyte") {
		t.Errorf("missing split: %v", err)
	}
	// Labels of another length than the images.
	other := t.TempDir()
	writeIDXDir(t, other, "train", 3, 2, 2, true)
	lbl, _ := os.ReadFile(filepath.Join(other, "train-labels-idx1-ubyte.gz"))
	os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte.gz"), lbl, 0o644)
	if _, err := LoadIDX(dir, "train"); err == nil || !strings.Contains(err.Error(), "4 images but train-labels-idx1-ubyte.gz has 3 labels") {
		t.Errorf("count mismatch: %v", err)
	}
}

func TestLoadByName(t *testing.T) {
	dir := t.TempDir()
	writeIDXDir(t, dir, "test", 2, 2, 2, false)
	ds, err := Load(dir, "test")
	if err != nil || ds.Len() != 2 {
		t.Fatalf("Load(dir): %v %v", ds, err)
	}
}
