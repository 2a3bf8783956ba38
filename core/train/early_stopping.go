package train

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// EarlyStoppingConfig holds EarlyStopping's arguments, Keras's names and
// defaults (Monitor has no default: there is no validation set to make
// "val_loss" one).
type EarlyStoppingConfig struct {
	// Monitor is the epoch log key watched ("g_loss").
	Monitor string
	// MinDelta is the smallest change that counts as an improvement; its
	// sign is ignored.
	MinDelta float64
	// Patience is the number of epochs without improvement after which
	// training stops.
	Patience int
	// Mode is "min", "max" or "auto" (""): auto minimises losses
	// ("loss", "d_loss", "val_mse", "fid", ...) and maximises accuracies
	// and scores, and is an error for a name it cannot place.
	Mode string
	// Baseline, when set, is a value the monitored quantity must beat:
	// the wait restarts only on an epoch that improves on both the best
	// value and the baseline.
	Baseline *float64
	// StartFromEpoch is the number of warm-up epochs not monitored.
	StartFromEpoch int
	// RestoreBestWeights is not supported yet: the callback has no access
	// to model weights; NewEarlyStopping refuses it rather than ignore it.
	RestoreBestWeights bool
}

// EarlyStopping is Keras's EarlyStopping: it stops training when the
// monitored quantity has not improved for Patience epochs.
type EarlyStopping struct {
	BaseCallback
	cfg      EarlyStoppingConfig
	minimise bool
	delta    float64 // signed: improvement means cur - delta beats best

	// Wait is the number of epochs since the last improvement.
	Wait int
	// Best is the best value seen; ±Inf before the first.
	Best float64
	// BestEpoch is the epoch of Best.
	BestEpoch int
	// StoppedEpoch is the epoch at which training was stopped, 0 if not.
	StoppedEpoch int
}

// minimised and maximised are the metric names "auto" mode knows, after
// the "val_" prefix is removed; the direction Keras reads from a metric
// object is read here from its name.
var (
	minimisedNames = []string{"loss", "mse", "mae", "mape", "msle", "hinge", "squared_hinge", "crossentropy",
		"mean_squared_error", "mean_absolute_error", "binary_crossentropy", "categorical_crossentropy",
		"sparse_categorical_crossentropy", "kl_divergence", "fid", "kid"}
	maximisedNames = []string{"acc", "accuracy", "binary_accuracy", "categorical_accuracy",
		"sparse_categorical_accuracy", "top_k_categorical_accuracy", "f1_score", "auc", "precision", "recall",
		"is", "inception_score"}
)

// NewEarlyStopping checks cfg and returns the callback.
func NewEarlyStopping(cfg EarlyStoppingConfig) (*EarlyStopping, error) {
	e := &EarlyStopping{cfg: cfg, delta: math.Abs(cfg.MinDelta)}
	switch {
	case cfg.Monitor == "":
		return nil, errors.New("EarlyStopping: Monitor is empty; name the epoch log key to watch, e.g. \"g_loss\"")
	case cfg.Patience < 0 || cfg.StartFromEpoch < 0:
		return nil, fmt.Errorf("EarlyStopping: patience %d, start_from_epoch %d, want ≥ 0", cfg.Patience, cfg.StartFromEpoch)
	case math.IsNaN(cfg.MinDelta) || math.IsInf(cfg.MinDelta, 0):
		return nil, fmt.Errorf("EarlyStopping: min_delta %v, want a finite value", cfg.MinDelta)
	case cfg.RestoreBestWeights:
		return nil, errors.New("EarlyStopping: restore_best_weights is not supported yet; save checkpoints and load the best one instead")
	}
	switch cfg.Mode {
	case "min":
		e.minimise = true
	case "max":
	case "", "auto":
		name := strings.TrimPrefix(cfg.Monitor, "val_")
		switch {
		case slices.Contains(minimisedNames, name) || strings.HasSuffix(name, "_loss"):
			e.minimise = true
		case slices.Contains(maximisedNames, name) || strings.HasSuffix(name, "_accuracy") || strings.HasSuffix(name, "_acc"):
		default:
			return nil, fmt.Errorf("EarlyStopping: monitor=%q, but its direction cannot be inferred; pass mode \"max\" to stop on the highest value or mode \"min\" to stop on the lowest", cfg.Monitor)
		}
	default:
		return nil, fmt.Errorf("EarlyStopping: mode %q, want \"min\", \"max\" or \"auto\"", cfg.Mode)
	}
	if e.minimise {
		e.delta = -e.delta
	}
	return e, nil
}

// Minimises reports whether the callback wants the monitored value low.
func (e *EarlyStopping) Minimises() bool { return e.minimise }

// OnTrainBegin resets the state, so that an instance can be reused.
func (e *EarlyStopping) OnTrainBegin(Logs) error {
	e.Wait, e.StoppedEpoch, e.BestEpoch = 0, 0, 0
	e.Best = math.Inf(1)
	if !e.minimise {
		e.Best = math.Inf(-1)
	}
	return nil
}

// OnEpochEnd counts the epochs without improvement and stops training once
// they reach Patience. A monitor key absent from logs is an error listing
// the keys that are there.
func (e *EarlyStopping) OnEpochEnd(epoch int, logs Logs) error {
	cur, ok := logs[e.cfg.Monitor]
	if !ok {
		keys := make([]string, 0, len(logs))
		for k := range logs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return fmt.Errorf("EarlyStopping: monitor %q is not in the epoch logs; available: %s", e.cfg.Monitor, strings.Join(keys, ", "))
	}
	if epoch < e.cfg.StartFromEpoch {
		return nil
	}
	e.Wait++
	if e.improves(cur, e.Best) {
		e.Best, e.BestEpoch = cur, epoch
		if e.cfg.Baseline == nil || e.improves(cur, *e.cfg.Baseline) {
			e.Wait = 0
		}
		return nil
	}
	if e.Wait >= e.cfg.Patience && epoch > 0 {
		e.StoppedEpoch = epoch
		t := e.Trainer()
		t.StopTraining = true
		t.StopReason = fmt.Sprintf("EarlyStopping: %s did not improve on %v for %d epochs", e.cfg.Monitor, e.Best, e.Wait)
	}
	return nil
}

// improves reports whether cur, less the signed min delta, beats ref.
func (e *EarlyStopping) improves(cur, ref float64) bool {
	if e.minimise {
		return cur-e.delta < ref
	}
	return cur-e.delta > ref
}
