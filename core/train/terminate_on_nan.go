package train

import (
	"fmt"
	"math"
	"slices"
)

// TerminateOnNaN is Keras's TerminateOnNaN: it stops training after a step
// whose logs hold a NaN or infinite value. Keras watches "loss"; a GAN logs
// several losses, so every key is watched unless Keys names some.
type TerminateOnNaN struct {
	BaseCallback
	// Keys are the log keys watched; empty watches all.
	Keys []string
}

// OnTrainBatchEnd stops training on a non-finite value.
func (c *TerminateOnNaN) OnTrainBatchEnd(batch int, logs Logs) error {
	keys := c.Keys
	if len(keys) == 0 {
		for k := range logs {
			keys = append(keys, k)
		}
		slices.Sort(keys) // report the same key whatever the map order
	}
	for _, k := range keys {
		if v, ok := logs[k]; ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t := c.Trainer()
			t.StopTraining = true
			t.StopReason = fmt.Sprintf("TerminateOnNaN: epoch %d batch %d: invalid %s %v, terminating training", t.Epoch(), batch, k, v)
			return nil
		}
	}
	return nil
}
