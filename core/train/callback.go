package train

// Logs are the named scalars a hook receives: losses and metrics.
type Logs = map[string]float64

// Callback is Keras's callback: hooks the training loop calls at fixed
// points. Embed BaseCallback and override only the hooks needed. A hook
// that returns an error ends Fit with that error (as an exception raised
// in a Keras callback does).
type Callback interface {
	// SetTrainer gives the callback the Trainer running it, before
	// OnTrainBegin (Keras's set_model): it reads the run's parameters
	// and sets StopTraining through it.
	SetTrainer(t *Trainer)
	// OnTrainBegin is called once before the first epoch; logs is empty.
	OnTrainBegin(logs Logs) error
	// OnTrainEnd is called once after the last epoch, after an early stop
	// and after an interruption by the context; logs holds the last
	// completed epoch's logs (empty when none completed).
	OnTrainEnd(logs Logs) error
	// OnEpochBegin is called at the start of epoch (0-based); logs is
	// empty.
	OnEpochBegin(epoch int, logs Logs) error
	// OnEpochEnd is called at the end of epoch (0-based), also of an
	// epoch cut short by StopTraining; logs holds the epoch's logs: per
	// key, the mean over the epoch's steps (or the last step's value,
	// see EpochLogs), plus whatever earlier callbacks added.
	OnEpochEnd(epoch int, logs Logs) error
	// OnTrainBatchBegin is called before step batch (0-based, within the
	// epoch) fetches its batch; logs is empty.
	OnTrainBatchBegin(batch int, logs Logs) error
	// OnTrainBatchEnd is called after step batch; logs holds a copy of
	// what the train step returned.
	OnTrainBatchEnd(batch int, logs Logs) error
}

// BaseCallback is a Callback whose hooks do nothing; embed it (by value)
// in a callback and call Trainer to reach the trainer running it.
type BaseCallback struct {
	trainer *Trainer
}

// SetTrainer records the trainer running the callback.
func (b *BaseCallback) SetTrainer(t *Trainer) { b.trainer = t }

// Trainer returns the trainer running the callback, nil before Fit.
func (b *BaseCallback) Trainer() *Trainer { return b.trainer }

// OnTrainBegin does nothing.
func (b *BaseCallback) OnTrainBegin(Logs) error { return nil }

// OnTrainEnd does nothing.
func (b *BaseCallback) OnTrainEnd(Logs) error { return nil }

// OnEpochBegin does nothing.
func (b *BaseCallback) OnEpochBegin(int, Logs) error { return nil }

// OnEpochEnd does nothing.
func (b *BaseCallback) OnEpochEnd(int, Logs) error { return nil }

// OnTrainBatchBegin does nothing.
func (b *BaseCallback) OnTrainBatchBegin(int, Logs) error { return nil }

// OnTrainBatchEnd does nothing.
func (b *BaseCallback) OnTrainBatchEnd(int, Logs) error { return nil }

var _ Callback = (*BaseCallback)(nil)
