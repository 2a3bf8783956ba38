package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"

	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/metrics"
	"github.com/ganlab/ganlab/core/tensor"
)

// StepFunc is one train step (Keras's train_step): it trains on batch and
// returns the losses and metrics to log. ctx is Fit's context; a long step
// may watch it.
type StepFunc func(ctx context.Context, batch *data.Batch) (Logs, error)

// Source supplies batches; a *data.Loader is one. Next returning an error
// wrapping io.EOF ends training after the current epoch, as Keras does when
// its input runs out.
type Source interface {
	Next() (*data.Batch, error)
	StepsPerEpoch() int
}

// A Loader is a Source as it is.
var _ Source = (*data.Loader)(nil)

// EpochLogs picks what an epoch's logs hold per key.
type EpochLogs int

const (
	// EpochMean averages each key over the epoch's steps that returned it;
	// right for a step that returns its own batch's losses.
	EpochMean EpochLogs = iota
	// EpochLast keeps the last step's value; right for a step that returns
	// metric results (running means since the epoch began, as the Keras
	// GAN guide's train_step returns its trackers' results), which a mean
	// would average a second time.
	EpochLast
)

// FitConfig is what Fit needs (Keras's fit arguments).
type FitConfig struct {
	// Step is the train step; required.
	Step StepFunc
	// Source supplies the batches; nil passes a nil batch to Step (a step
	// that draws its own data), and then StepsPerEpoch is required.
	Source Source
	// Epochs is the index of the epoch training ends before (Keras: "the
	// model is not trained for a number of iterations given by epochs, but
	// merely until the epoch of index epochs is reached").
	Epochs int
	// InitialEpoch is the epoch to start from, for resuming.
	InitialEpoch int
	// StepsPerEpoch is the number of steps per epoch; 0 takes the
	// Source's.
	StepsPerEpoch int
	// Callbacks run in order at each hook; a History is appended.
	Callbacks []Callback
	// Metrics are reset at the start of every epoch, before OnEpochBegin
	// (Keras's model.reset_metrics), so the step's trackers measure one
	// epoch.
	Metrics []metrics.Metric
	// EpochLogs picks means or last values for OnEpochEnd.
	EpochLogs EpochLogs
	// RecordSteps keeps every step's logs in the History as well.
	RecordSteps bool
}

// InterruptedError is Fit's error when its context was cancelled: training
// stopped after Step steps of epoch Epoch (0-based), which is where a resume
// starts. Err is the context's error, so errors.Is(err, context.Canceled)
// holds.
type InterruptedError struct {
	Epoch int
	Step  int
	Err   error
}

// Error says where training stopped and why.
func (e *InterruptedError) Error() string {
	return fmt.Sprintf("train: interrupted in epoch %d after %d steps: %v", e.Epoch, e.Step, e.Err)
}

// Unwrap returns the context's error.
func (e *InterruptedError) Unwrap() error { return e.Err }

// Trainer runs a FitConfig. Callbacks reach it through BaseCallback.Trainer.
type Trainer struct {
	// StopTraining, set by a callback, ends training after the current
	// step (Keras's model.stop_training).
	StopTraining bool
	// StopReason is an optional line saying why StopTraining was set.
	StopReason string

	cfg       FitConfig
	steps     int
	epoch     int
	step      int
	batchSize int
}

// NewTrainer checks cfg and returns a Trainer for it.
func NewTrainer(cfg FitConfig) (*Trainer, error) {
	steps := cfg.StepsPerEpoch
	if steps == 0 && cfg.Source != nil {
		steps = cfg.Source.StepsPerEpoch()
	}
	switch {
	case cfg.Step == nil:
		return nil, errors.New("train: FitConfig.Step is nil")
	case steps <= 0:
		return nil, fmt.Errorf("train: %d steps per epoch (StepsPerEpoch %d), want > 0", steps, cfg.StepsPerEpoch)
	case cfg.InitialEpoch < 0 || cfg.Epochs < cfg.InitialEpoch:
		return nil, fmt.Errorf("train: epochs %d from initial epoch %d, want 0 ≤ initial ≤ epochs", cfg.Epochs, cfg.InitialEpoch)
	case cfg.EpochLogs != EpochMean && cfg.EpochLogs != EpochLast:
		return nil, fmt.Errorf("train: unknown EpochLogs %d", cfg.EpochLogs)
	}
	for i, cb := range cfg.Callbacks {
		if cb == nil {
			return nil, fmt.Errorf("train: callback %d is nil", i)
		}
	}
	return &Trainer{cfg: cfg, steps: steps}, nil
}

// Fit runs the configuration: NewTrainer(cfg) then Trainer.Fit(ctx).
func Fit(ctx context.Context, cfg FitConfig) (*History, error) {
	t, err := NewTrainer(cfg)
	if err != nil {
		return nil, err
	}
	return t.Fit(ctx)
}

// Epochs returns the index of the epoch training ends before.
func (t *Trainer) Epochs() int { return t.cfg.Epochs }

// InitialEpoch returns the epoch training started from.
func (t *Trainer) InitialEpoch() int { return t.cfg.InitialEpoch }

// StepsPerEpoch returns the number of steps in a full epoch.
func (t *Trainer) StepsPerEpoch() int { return t.steps }

// Epoch returns the current epoch (0-based).
func (t *Trainer) Epoch() int { return t.epoch }

// Step returns the current step within the epoch (0-based).
func (t *Trainer) Step() int { return t.step }

// BatchSize returns the number of examples in the current batch (axis 0
// of its images), 0 when unknown.
func (t *Trainer) BatchSize() int { return t.batchSize }

// Fit trains and returns the History, which holds the epochs completed
// even when Fit fails. A step or callback error ends Fit at once (no
// OnTrainEnd), wrapped with the epoch, step and hook; cancelling ctx ends
// it after the current step with an *InterruptedError, after OnTrainEnd.
func (t *Trainer) Fit(ctx context.Context) (*History, error) {
	t.StopTraining, t.StopReason = false, ""
	hist := newHistory(t.cfg.RecordSteps)
	cbs := append(append([]Callback(nil), t.cfg.Callbacks...), hist)
	for _, cb := range cbs {
		cb.SetTrainer(t)
	}
	if err := each(cbs, "OnTrainBegin", func(cb Callback) error { return cb.OnTrainBegin(Logs{}) }); err != nil {
		return hist, err
	}
	last := Logs{}
	for epoch := t.cfg.InitialEpoch; epoch < t.cfg.Epochs; epoch++ {
		logs, err := t.epochRun(ctx, cbs, epoch)
		if ie := (*InterruptedError)(nil); errors.As(err, &ie) {
			endErr := each(cbs, "OnTrainEnd", func(cb Callback) error { return cb.OnTrainEnd(last) })
			return hist, errors.Join(err, endErr)
		}
		if err != nil {
			return hist, err
		}
		if logs == nil { // the source ran out before the epoch's first step
			break
		}
		if err := each(cbs, "OnEpochEnd", func(cb Callback) error { return cb.OnEpochEnd(epoch, logs) }); err != nil {
			return hist, fmt.Errorf("train: epoch %d: %w", epoch, err)
		}
		last = logs
		if t.StopTraining {
			break
		}
	}
	return hist, each(cbs, "OnTrainEnd", func(cb Callback) error { return cb.OnTrainEnd(last) })
}

// epochRun runs one epoch's steps and returns its logs, nil when no step
// ran.
func (t *Trainer) epochRun(ctx context.Context, cbs []Callback, epoch int) (Logs, error) {
	t.epoch, t.step = epoch, 0
	for _, m := range t.cfg.Metrics {
		m.ResetState()
	}
	if err := each(cbs, "OnEpochBegin", func(cb Callback) error { return cb.OnEpochBegin(epoch, Logs{}) }); err != nil {
		return nil, fmt.Errorf("train: epoch %d: %w", epoch, err)
	}
	acc := newLogAccumulator(t.cfg.EpochLogs)
	for step := 0; step < t.steps; step++ {
		t.step = step
		if err := ctx.Err(); err != nil {
			return nil, &InterruptedError{Epoch: epoch, Step: step, Err: err}
		}
		logs, eof, err := t.runStep(ctx, cbs, epoch, step)
		if eof {
			t.StopTraining = true
			t.StopReason = fmt.Sprintf("the input ran out of data in epoch %d at step %d", epoch, step)
			break
		}
		if err != nil {
			if ctx.Err() != nil { // the step saw the cancellation
				return nil, &InterruptedError{Epoch: epoch, Step: step, Err: errors.Join(ctx.Err(), err)}
			}
			return nil, err
		}
		acc.add(logs)
		if err := each(cbs, "OnTrainBatchEnd", func(cb Callback) error { return cb.OnTrainBatchEnd(step, maps.Clone(logs)) }); err != nil {
			return nil, fmt.Errorf("train: epoch %d step %d: %w", epoch, step, err)
		}
		if t.StopTraining {
			break
		}
	}
	return acc.result(), nil
}

// runStep fetches a batch and runs the train step on it; eof reports that
// the source ran out instead. A panic with a tensor error inside the step
// becomes its error.
func (t *Trainer) runStep(ctx context.Context, cbs []Callback, epoch, step int) (logs Logs, eof bool, err error) {
	if err := each(cbs, "OnTrainBatchBegin", func(cb Callback) error { return cb.OnTrainBatchBegin(step, Logs{}) }); err != nil {
		return nil, false, fmt.Errorf("train: epoch %d step %d: %w", epoch, step, err)
	}
	var batch *data.Batch
	t.batchSize = 0
	if t.cfg.Source != nil {
		if batch, err = t.cfg.Source.Next(); errors.Is(err, io.EOF) {
			return nil, true, nil
		} else if err != nil {
			return nil, false, fmt.Errorf("train: epoch %d step %d: next batch: %w", epoch, step, err)
		}
		if batch != nil && batch.Images != nil && batch.Images.Rank() > 0 {
			t.batchSize = batch.Images.Dim(0)
		}
	}
	var stepErr error
	if err = tensor.Catch(func() { logs, stepErr = t.cfg.Step(ctx, batch) }); err == nil {
		err = stepErr
	}
	if err != nil {
		return nil, false, fmt.Errorf("train: epoch %d step %d: train step: %w", epoch, step, err)
	}
	if logs == nil {
		logs = Logs{}
	}
	return logs, false, nil
}

// each calls hook on every callback in order, stopping at the first error,
// which it names by hook, index and type.
func each(cbs []Callback, hook string, call func(Callback) error) error {
	for i, cb := range cbs {
		if err := call(cb); err != nil {
			return fmt.Errorf("%s of callback %d (%T): %w", hook, i, cb, err)
		}
	}
	return nil
}
