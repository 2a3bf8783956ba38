package imageio

import (
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

func TestGridGrey(t *testing.T) {
	// Three 2×2 grey tiles in [-1, 1], two columns: a 5×5 image whose
	// bottom-right cell is empty.
	vals := []float64{
		-1, 0, 1, 0.5, // tile 0
		2, -3, -0.5, 0.999, // tile 1: out-of-range values clip
		0.2, 0.2, 0.2, 0.2, // tile 2
	}
	img := Grid(tensor.FromValues(tensor.Float32, vals, 3, 2, 2, 1), [2]float64{-1, 1}, 2)
	if b := img.Bounds(); b != image.Rect(0, 0, 5, 5) {
		t.Fatalf("bounds %v, want 5×5", b)
	}
	cases := []struct {
		x, y int
		want uint8
	}{
		{0, 0, 0}, {1, 0, 128}, {0, 1, 255}, {1, 1, 191}, // tile 0: (v+1)*127.5 rounded
		{3, 0, 255}, {4, 0, 0}, {3, 1, 64}, {4, 1, 255}, // tile 1 at x 3..4
		{0, 3, 153}, {1, 4, 153}, // tile 2 at y 3..4
		{2, 0, 0}, {2, 4, 0}, {0, 2, 0}, {4, 2, 0}, // padding row and column
		{3, 3, 0}, {4, 4, 0}, // empty cell
	}
	g := img.(*image.Gray)
	for _, c := range cases {
		if got := g.GrayAt(c.x, c.y).Y; got != c.want {
			t.Errorf("pixel (%d,%d) = %d, want %d", c.x, c.y, got, c.want)
		}
	}
}

func TestGridRGBUnitRange(t *testing.T) {
	// Two 1×2 RGB tiles in [0, 1], float64, default columns (ceil √2 = 2).
	vals := []float64{
		1, 0, 0, 0, 1, 0, // tile 0: red, green
		0, 0, 1, 0.5, 0.5, 0.5, // tile 1: blue, grey
	}
	img := Grid(tensor.FromValues(tensor.Float64, vals, 2, 1, 2, 3), [2]float64{0, 1}, 0)
	if b := img.Bounds(); b != image.Rect(0, 0, 5, 1) {
		t.Fatalf("bounds %v, want 5×1", b)
	}
	want := []color.RGBA{{255, 0, 0, 255}, {0, 255, 0, 255}, {0, 0, 0, 255}, {0, 0, 255, 255}, {128, 128, 128, 255}}
	for x, w := range want {
		if got := img.(*image.RGBA).RGBAAt(x, 0); got != w {
			t.Errorf("pixel %d = %v, want %v", x, got, w)
		}
	}
}

func TestGridShapes(t *testing.T) {
	cases := []struct {
		n, cols, wantW, wantH int
	}{
		{16, 0, 4*29 - 1, 4*29 - 1},
		{10, 0, 4*29 - 1, 3*29 - 1},
		{10, 5, 5*29 - 1, 2*29 - 1},
		{3, 8, 3*29 - 1, 28}, // more columns than images
		{1, 1, 28, 28},
	}
	for _, c := range cases {
		img := Grid(tensor.New(tensor.Float32, c.n, 28, 28, 1), [2]float64{-1, 1}, c.cols)
		if b := img.Bounds(); b.Dx() != c.wantW || b.Dy() != c.wantH {
			t.Errorf("n=%d cols=%d: %dx%d, want %dx%d", c.n, c.cols, b.Dx(), b.Dy(), c.wantW, c.wantH)
		}
	}
}

func TestGridErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		t    *tensor.Tensor
		r    [2]float64
	}{
		{"rank 3", tensor.New(tensor.Float32, 2, 4, 4), [2]float64{0, 1}},
		{"4 channels", tensor.New(tensor.Float32, 2, 4, 4, 4), [2]float64{0, 1}},
		{"empty range", tensor.New(tensor.Float32, 2, 4, 4, 1), [2]float64{1, 1}},
	}
	for _, c := range cases {
		p := filepath.Join(dir, c.name+".png")
		err := WriteGrid(p, c.t, c.r, 0)
		var te *tensor.Error
		if !errors.As(err, &te) || te.Op != "imageio.Grid" {
			t.Errorf("%s: error %v, want a *tensor.Error from imageio.Grid", c.name, err)
		}
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: a file was written", c.name)
		}
	}
}

func TestWritePNG(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "samples", "epoch_0001.png")
	src := Grid(tensor.FromValues(tensor.Float32, []float64{-1, -0.5, 0.5, 1}, 1, 2, 2, 1), [2]float64{-1, 1}, 1)
	for range 2 { // the second write replaces the first
		if err := WritePNG(path, src); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []uint8{0, 64, 191, 255}
	for i, w := range want {
		r, _, _, _ := got.At(i%2, i/2).RGBA()
		if uint8(r>>8) != w {
			t.Errorf("pixel %d = %d, want %d", i, r>>8, w)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the PNG (no temp files)", len(entries))
	}
	if err := WritePNG(filepath.Join(path, "under-a-file.png"), src); err == nil {
		t.Error("writing below a regular file succeeded")
	}
}
