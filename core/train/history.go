package train

import (
	"math"
	"slices"
)

// History is Keras's History callback, which Fit always attaches last and
// returns: History[key] holds one value per epoch in Epoch. Keys that are
// absent in some epoch read NaN there, so every series lines up with Epoch.
type History struct {
	BaseCallback
	// Epoch lists the completed epochs (0-based), in order.
	Epoch []int
	// History maps each log key to its per-epoch values.
	History map[string][]float64
	// Step lists global step numbers (epoch × steps per epoch + step),
	// one per recorded step, when FitConfig.RecordSteps is set.
	Step []int
	// Steps maps each log key to its per-step values, aligned with Step
	// (NaN where a step did not log the key).
	Steps map[string][]float64

	recordSteps bool
}

func newHistory(recordSteps bool) *History {
	h := &History{History: map[string][]float64{}, recordSteps: recordSteps}
	if recordSteps {
		h.Steps = map[string][]float64{}
	}
	return h
}

// OnEpochEnd appends the epoch and its logs.
func (h *History) OnEpochEnd(epoch int, logs Logs) error {
	h.Epoch = append(h.Epoch, epoch)
	appendAligned(h.History, len(h.Epoch), logs)
	return nil
}

// OnTrainBatchEnd appends the step's logs when steps are recorded.
func (h *History) OnTrainBatchEnd(batch int, logs Logs) error {
	if !h.recordSteps {
		return nil
	}
	t := h.Trainer()
	h.Step = append(h.Step, t.Epoch()*t.StepsPerEpoch()+batch)
	appendAligned(h.Steps, len(h.Step), logs)
	return nil
}

// Keys returns the logged keys, sorted.
func (h *History) Keys() []string {
	keys := make([]string, 0, len(h.History))
	for k := range h.History {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendAligned appends logs to series so that every series ends with n
// values: a new key is padded with NaN for the entries before it, a missing
// key gets NaN.
func appendAligned(series map[string][]float64, n int, logs Logs) {
	for k, v := range logs {
		s := series[k]
		for len(s) < n-1 {
			s = append(s, math.NaN())
		}
		series[k] = append(s, v)
	}
	for k, s := range series {
		if len(s) < n {
			series[k] = append(s, math.NaN())
		}
	}
}
