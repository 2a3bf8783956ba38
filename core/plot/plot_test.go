package plot

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotutil"

	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/train"
)

// fitHistory trains nothing: a step returns decaying, noisy GAN-like
// losses, so the History is what a real Fit returns.
func fitHistory(t *testing.T, epochs, steps int) *train.History {
	t.Helper()
	i := 0
	step := func(context.Context, *data.Batch) (train.Logs, error) {
		i++
		x := float64(i)
		return train.Logs{"d_loss": 0.7 + 0.3*math.Exp(-x/40) + 0.05*math.Sin(x), "g_loss": 2 - math.Exp(-x/60) + 0.1*math.Cos(x/3)}, nil
	}
	h, err := train.Fit(context.Background(), train.FitConfig{Step: step, StepsPerEpoch: steps, Epochs: epochs, RecordSteps: true})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func decode(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// count returns the pixels inside img's inner part (a fraction margin cut
// off each side) that match.
func count(img image.Image, margin float64, match func(c color.Color) bool) int {
	b := img.Bounds()
	mx, my := int(margin*float64(b.Dx())), int(margin*float64(b.Dy()))
	n := 0
	for y := b.Min.Y + my; y < b.Max.Y-my; y++ {
		for x := b.Min.X + mx; x < b.Max.X-mx; x++ {
			if match(img.At(x, y)) {
				n++
			}
		}
	}
	return n
}

func sameRGB(want color.Color) func(color.Color) bool {
	wr, wg, wb, _ := want.RGBA()
	near := func(a, b uint32) bool { return a>>8 <= b>>8+8 && b>>8 <= a>>8+8 }
	return func(c color.Color) bool {
		r, g, b, _ := c.RGBA()
		return near(r, wr) && near(g, wg) && near(b, wb)
	}
}

func notWhite(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r>>8 < 250 || g>>8 < 250 || b>>8 < 250
}

func TestLossCurvesPNG(t *testing.T) {
	dir := t.TempDir()
	if d := os.Getenv("GANLAB_PLOT_DIR"); d != "" { // keep the pictures to look at
		dir = d
	}
	h := fitHistory(t, 20, 30)
	cases := []struct {
		name  string
		write func(path string) error
	}{
		{"epochs", func(p string) error { return LossCurves(p, h, nil, "DCGAN on MNIST") }},
		{"steps", func(p string) error { return StepCurves(p, h, []string{"d_loss", "g_loss"}, "per step") }},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name+".png")
		if err := c.write(path); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		img := decode(t, path)
		if b := img.Bounds(); b.Dx() != DefaultWidth || b.Dy() != DefaultHeight {
			t.Errorf("%s: size %v, want %d×%d", c.name, b.Size(), DefaultWidth, DefaultHeight)
		}
		if n := count(img, 0.2, notWhite); n < 500 {
			t.Errorf("%s: %d non-white pixels in the plot area; blank?", c.name, n)
		}
		// Each series shows in its own colour.
		for i := range 2 {
			if n := count(img, 0, sameRGB(plotutil.Color(i))); n < 100 {
				t.Errorf("%s: series %d colour %v covers %d pixels", c.name, i, plotutil.Color(i), n)
			}
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("directory holds %d entries, want the 2 PNGs and no temporary file", len(entries))
	}
}

// TestFigureGaps: NaN splits a series into runs; a series with one finite
// point still draws; a series with none among others is fine.
func TestFigureGaps(t *testing.T) {
	nan := math.NaN()
	ys := []float64{1, 2, nan, 3, 4, math.Inf(1), 5}
	runs := finiteRuns([]float64{1, 2, 3, 4, 5, 6, 7}, ys)
	if len(runs) != 3 || len(runs[0]) != 2 || len(runs[1]) != 2 || len(runs[2]) != 1 || runs[2][0].X != 7 {
		t.Errorf("runs %v", runs)
	}
	f := Figure{Series: map[string][]float64{"a": ys, "b": {nan, 2, nan, nan, nan, nan, nan}, "c": {nan, nan, nan, nan, nan, nan, nan}},
		Width: 300, Height: 200}
	img, err := f.Image()
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 300 || b.Dy() != 200 || count(img, 0, sameRGB(plotutil.Color(0))) == 0 {
		t.Errorf("size %v or series a missing", b.Size())
	}
}

func TestFigureErrors(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		f    Figure
		want string
	}{
		{Figure{}, "no series"},
		{Figure{Series: map[string][]float64{"a": {1}}, Keys: []string{"b"}}, `no series "b"; have [a]`},
		{Figure{Series: map[string][]float64{"a": {1, 2}}, X: []float64{1}}, "2 values for 1 x values"},
		{Figure{Series: map[string][]float64{"a": {nan}}}, "no finite value"},
		{Figure{Series: map[string][]float64{"a": {1}}, Width: 10, Height: 10}, "too small"},
	}
	for _, c := range cases {
		if _, err := c.f.Image(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
	if err := LossCurves(filepath.Join(t.TempDir(), "x.png"), &train.History{}, nil, ""); err == nil {
		t.Error("empty history accepted")
	}
	if err := StepCurves(filepath.Join(t.TempDir(), "x.png"), &train.History{Epoch: []int{0}}, nil, ""); err == nil || !strings.Contains(err.Error(), "RecordSteps") {
		t.Errorf("history without steps: %v", err)
	}
}
