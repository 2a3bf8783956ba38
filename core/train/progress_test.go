package train

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ganlab/ganlab/core/data"
)

// fakeClock advances by one second per train step.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func (c *fakeClock) step(losses func(i int) Logs) StepFunc {
	i := 0
	return func(context.Context, *data.Batch) (Logs, error) {
		c.t = c.t.Add(time.Second)
		i++
		return losses(i), nil
	}
}

// TestProgressLines: 25 steps of 4 images, one second each: a line every
// 3 steps (~10 %) with images/s and ETA, then the epoch's line.
func TestProgressLines(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	var buf bytes.Buffer
	p := &ProgressLogger{W: &buf, Mode: ProgressLines, Now: clock.now}
	losses := func(i int) Logs { return Logs{"g_loss": float64(i), "d_loss": 0.0001} }
	_, err := Fit(context.Background(), FitConfig{Step: clock.step(losses), Source: &fakeSource{steps: 25, batch: 4}, Epochs: 2,
		Callbacks: []Callback{p}})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2*9 {
		t.Fatalf("%d lines, want 18 (8 step lines and one epoch line per epoch):\n%s", len(lines), buf.String())
	}
	want := map[int]string{
		0:  "epoch 1/2 step 3/25 (12%) 4.0 img/s ETA 22s d_loss 1.0000e-04 g_loss 3.0000",
		7:  "epoch 1/2 step 24/25 (96%) 4.0 img/s ETA 1s d_loss 1.0000e-04 g_loss 24.0000",
		8:  "epoch 1/2 done: 25 steps in 25s 4.0 img/s d_loss 1.0000e-04 g_loss 13.0000",
		9:  "epoch 2/2 step 3/25 (12%) 4.0 img/s ETA 22s d_loss 1.0000e-04 g_loss 28.0000",
		17: "epoch 2/2 done: 25 steps in 25s 4.0 img/s d_loss 1.0000e-04 g_loss 38.0000",
	}
	for i, w := range want {
		if lines[i] != w {
			t.Errorf("line %d:\n got %q\nwant %q", i, lines[i], w)
		}
	}
}

// TestProgressLineHook: lines go to Line instead of W, with the fields set;
// Keys picks and orders the keys shown; an unknown batch size shows no rate.
func TestProgressLineHook(t *testing.T) {
	clock := &fakeClock{t: time.Unix(0, 0)}
	var got []ProgressLine
	var buf bytes.Buffer
	p := &ProgressLogger{W: &buf, Mode: ProgressLines, Now: clock.now, Keys: []string{"g", "d"},
		Line: func(l ProgressLine) { got = append(got, l) }}
	losses := func(i int) Logs { return Logs{"d": 1, "g": 2, "other": 3} }
	if _, err := Fit(context.Background(), FitConfig{Step: clock.step(losses), StepsPerEpoch: 4, Epochs: 1, Callbacks: []Callback{p}}); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 || len(got) != 4 {
		t.Fatalf("W got %q, Line got %d lines, want 0 bytes and 4 lines", buf.String(), len(got))
	}
	first := got[0]
	if first.Epoch != 1 || first.Epochs != 1 || first.Step != 1 || first.Steps != 4 || first.Images != 0 ||
		first.ImagesPerSec != 0 || first.ETA != 3*time.Second || first.Elapsed != time.Second || first.EpochEnd {
		t.Errorf("first line %+v", first)
	}
	if s := first.String(); s != "epoch 1/1 step 1/4 (25%) ETA 3s g 2.0000 d 1.0000" {
		t.Errorf("first line %q", s)
	}
	if !got[3].EpochEnd || got[3].Step != 4 {
		t.Errorf("last line %+v", got[3])
	}
}

// TestProgressBars smoke-tests bar mode: it draws to W, shows the epoch and
// leaves no bar open.
func TestProgressBars(t *testing.T) {
	var buf bytes.Buffer
	p := &ProgressLogger{W: &buf, Mode: ProgressBars}
	step := func(context.Context, *data.Batch) (Logs, error) { return Logs{"d_loss": 0.5}, nil }
	if _, err := Fit(context.Background(), FitConfig{Step: step, Source: &fakeSource{steps: 5, batch: 2}, Epochs: 2, Callbacks: []Callback{p}}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "epoch 2/2") || !strings.Contains(out, "5 / 5") || !strings.Contains(out, "d_loss 0.5000") || p.bar != nil {
		t.Errorf("bar output %q (bar left open: %v)", out, p.bar != nil)
	}
}

func TestProgressAutoOnBuffer(t *testing.T) {
	p := &ProgressLogger{W: &bytes.Buffer{}}
	if err := p.OnTrainBegin(Logs{}); err != nil || p.bars {
		t.Errorf("auto mode on a buffer: bars %v, err %v; want lines", p.bars, err)
	}
	if err := (&ProgressLogger{Mode: 9}).OnTrainBegin(Logs{}); err == nil {
		t.Error("unknown mode accepted")
	}
}
