package plot

import (
	"errors"

	"github.com/ganlab/ganlab/core/train"
)

// LossCurves writes to path a PNG of h's per-epoch values of keys (all,
// sorted, when nil) against the epoch, numbered from 1 as the run
// directory's samples/epoch_0001.png are.
func LossCurves(path string, h *train.History, keys []string, title string) error {
	if h == nil || len(h.Epoch) == 0 {
		return errors.New("plot.LossCurves: the history has no epoch")
	}
	xs := make([]float64, len(h.Epoch))
	for i, e := range h.Epoch {
		xs[i] = float64(e + 1)
	}
	f := Figure{Title: title, XLabel: "epoch", YLabel: "value", X: xs, Series: h.History, Keys: keys}
	return f.WritePNG(path)
}

// StepCurves writes to path a PNG of h's per-step values of keys (all,
// sorted, when nil) against the global step; the History must come from a
// Fit with RecordSteps.
func StepCurves(path string, h *train.History, keys []string, title string) error {
	if h == nil || len(h.Step) == 0 {
		return errors.New("plot.StepCurves: the history has no steps; fit with RecordSteps")
	}
	xs := make([]float64, len(h.Step))
	for i, s := range h.Step {
		xs[i] = float64(s)
	}
	f := Figure{Title: title, XLabel: "step", YLabel: "value", X: xs, Series: h.Steps, Keys: keys}
	return f.WritePNG(path)
}
