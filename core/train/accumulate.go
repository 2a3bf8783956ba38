package train

// logAccumulator folds an epoch's step logs into its epoch logs.
type logAccumulator struct {
	mode  EpochLogs
	sum   map[string]float64
	count map[string]int
	last  Logs
	steps int
}

func newLogAccumulator(mode EpochLogs) *logAccumulator {
	return &logAccumulator{mode: mode, sum: map[string]float64{}, count: map[string]int{}, last: Logs{}}
}

// add records one step's logs.
func (a *logAccumulator) add(logs Logs) {
	a.steps++
	for k, v := range logs {
		a.sum[k] += v
		a.count[k]++
		a.last[k] = v
	}
}

// result returns per key the mean over the steps that logged it (NaN and
// Inf propagate, so a diverged epoch reads as such), or the last value in
// EpochLast mode; nil when no step was added.
func (a *logAccumulator) result() Logs {
	if a.steps == 0 {
		return nil
	}
	out := Logs{}
	for k, s := range a.sum {
		if a.mode == EpochLast {
			out[k] = a.last[k]
		} else {
			out[k] = s / float64(a.count[k])
		}
	}
	return out
}
