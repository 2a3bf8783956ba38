package train

import (
	"context"
	"math"
	"strings"
	"testing"
)

// drive calls the callback's hooks as Fit would for one value of key per
// epoch, stopping when the trainer's flag is set; it returns the number of
// epochs run.
func drive(t *testing.T, e *EarlyStopping, key string, values []float64) int {
	t.Helper()
	tr := &Trainer{}
	e.SetTrainer(tr)
	if err := e.OnTrainBegin(Logs{}); err != nil {
		t.Fatal(err)
	}
	for epoch, v := range values {
		if err := e.OnEpochEnd(epoch, Logs{key: v}); err != nil {
			t.Fatal(err)
		}
		if tr.StopTraining {
			return epoch + 1
		}
	}
	return len(values)
}

func mustEarlyStopping(t *testing.T, cfg EarlyStoppingConfig) *EarlyStopping {
	t.Helper()
	e, err := NewEarlyStopping(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestEarlyStoppingPatience is Keras's test_early_stopping_patience: the
// stopped epoch is max(patience, 1) + 2.
func TestEarlyStoppingPatience(t *testing.T) {
	losses := []float64{10.0, 9.0, 8.0, 9.0, 8.9, 8.8, 8.7, 8.6, 8.5}
	for _, patience := range []int{0, 1, 2, 3} {
		e := mustEarlyStopping(t, EarlyStoppingConfig{Monitor: "loss", Patience: patience})
		drive(t, e, "loss", losses)
		if want := max(patience, 1) + 2; e.StoppedEpoch != want {
			t.Errorf("patience %d: stopped at epoch %d, want %d", patience, e.StoppedEpoch, want)
		}
	}
}

func TestEarlyStoppingCases(t *testing.T) {
	cases := []struct {
		name   string
		cfg    EarlyStoppingConfig
		values []float64
		epochs int // epochs run
		best   float64
	}{
		// Keras's baseline case: nothing beats 0.5, so the wait never
		// restarts and training stops after patience epochs.
		{"baseline never beaten", EarlyStoppingConfig{Monitor: "val_loss", Patience: 5, Baseline: new(0.5)},
			[]float64{0.9, 0.8, 0.7, 0.71, 0.72, 0.73}, 5, 0.7},
		{"baseline beaten", EarlyStoppingConfig{Monitor: "val_loss", Patience: 2, Baseline: new(0.85)},
			[]float64{0.9, 0.8, 0.7, 0.71, 0.72, 0.73}, 5, 0.7},
		{"min_delta too large", EarlyStoppingConfig{Monitor: "loss", Patience: 1, MinDelta: 0.1},
			[]float64{1.0, 0.95, 0.93, 0.92}, 2, 1.0},
		{"min_delta small", EarlyStoppingConfig{Monitor: "loss", Patience: 1, MinDelta: -0.01}, // sign ignored
			[]float64{1.0, 0.95, 0.93, 0.925, 0.5}, 4, 0.93}, // 0.925 is within min_delta of 0.93
		{"max mode", EarlyStoppingConfig{Monitor: "acc", Patience: 2, Mode: "max"},
			[]float64{0.5, 0.6, 0.55, 0.58, 0.9}, 4, 0.6},
		{"min mode on the same values", EarlyStoppingConfig{Monitor: "acc", Patience: 2, Mode: "min"},
			[]float64{0.5, 0.6, 0.55, 0.58, 0.9}, 3, 0.5},
		{"start_from_epoch", EarlyStoppingConfig{Monitor: "loss", Patience: 0, StartFromEpoch: 3},
			[]float64{1, 2, 3, 4, 5, 6}, 5, 4},
		{"NaN never improves", EarlyStoppingConfig{Monitor: "d_loss", Patience: 1},
			[]float64{1, math.NaN(), 0.5}, 2, 1},
		{"improving never stops", EarlyStoppingConfig{Monitor: "g_loss"},
			[]float64{5, 4, 3, 2, 1}, 5, 1},
	}
	for _, c := range cases {
		e := mustEarlyStopping(t, c.cfg)
		if got := drive(t, e, c.cfg.Monitor, c.values); got != c.epochs || e.Best != c.best {
			t.Errorf("%s: ran %d epochs, best %v; want %d, %v", c.name, got, e.Best, c.epochs, c.best)
		}
	}
}

// TestEarlyStoppingAutoMode follows Keras's test_early_stopping cases.
func TestEarlyStoppingAutoMode(t *testing.T) {
	cases := []struct {
		monitor  string
		minimise bool
	}{
		{"loss", true}, {"val_loss", true}, {"d_loss", true}, {"val_mse", true}, {"hinge", true}, {"fid", true},
		{"acc", false}, {"val_accuracy", false}, {"f1_score", false}, {"d_accuracy", false}, {"binary_accuracy", false},
	}
	for _, c := range cases {
		e := mustEarlyStopping(t, EarlyStoppingConfig{Monitor: c.monitor})
		if e.Minimises() != c.minimise {
			t.Errorf("%s: minimises %v, want %v", c.monitor, e.Minimises(), c.minimise)
		}
	}
	_, err := NewEarlyStopping(EarlyStoppingConfig{Monitor: "unknown"})
	if err == nil || !strings.Contains(err.Error(), `mode "max"`) {
		t.Errorf("unknown monitor: error %v, want advice to pass a mode", err)
	}
}

func TestEarlyStoppingErrors(t *testing.T) {
	for _, c := range []struct {
		cfg  EarlyStoppingConfig
		want string
	}{
		{EarlyStoppingConfig{}, "Monitor is empty"},
		{EarlyStoppingConfig{Monitor: "loss", Mode: "maximum"}, `mode "maximum"`},
		{EarlyStoppingConfig{Monitor: "loss", Patience: -1}, "patience -1"},
		{EarlyStoppingConfig{Monitor: "loss", MinDelta: math.Inf(1)}, "min_delta"},
		{EarlyStoppingConfig{Monitor: "loss", RestoreBestWeights: true}, "not supported yet"},
	} {
		if _, err := NewEarlyStopping(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.cfg, err, c.want)
		}
	}
	e := mustEarlyStopping(t, EarlyStoppingConfig{Monitor: "val_loss"})
	e.SetTrainer(&Trainer{})
	_ = e.OnTrainBegin(Logs{})
	err := e.OnEpochEnd(0, Logs{"g_loss": 1, "d_loss": 2})
	if err == nil || !strings.Contains(err.Error(), `"val_loss" is not in the epoch logs; available: d_loss, g_loss`) {
		t.Errorf("missing monitor: %v", err)
	}
}

// TestEarlyStoppingInFit runs the callback under Fit twice: it stops the
// run, and the second run starts afresh (Keras's reuse test).
func TestEarlyStoppingInFit(t *testing.T) {
	e := mustEarlyStopping(t, EarlyStoppingConfig{Monitor: "g_loss", Patience: 2})
	for run := range 2 {
		epochLoss := []float64{3, 2, 2.5, 2.1, 1, 1}
		var script []Logs
		for _, l := range epochLoss {
			script = append(script, Logs{"g_loss": l}, Logs{"g_loss": l})
		}
		tr, err := NewTrainer(FitConfig{Step: scripted(t, script), StepsPerEpoch: 2, Epochs: 6, Callbacks: []Callback{e}})
		if err != nil {
			t.Fatal(err)
		}
		hist, err := tr.Fit(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(hist.Epoch) != 4 || e.StoppedEpoch != 3 || !strings.Contains(tr.StopReason, "g_loss did not improve on 2 for 2 epochs") {
			t.Errorf("run %d: epochs %v stopped %d reason %q", run, hist.Epoch, e.StoppedEpoch, tr.StopReason)
		}
	}
}
