package train

import (
	"fmt"
	"math"

	"github.com/ganlab/ganlab/core/optim"
)

// LearningRateScheduler is Keras's LearningRateScheduler: at each epoch's
// start it sets each optimizer's rate to Schedule(epoch, current rate), and
// at its end logs the rate. SetLearningRate replaces an optimizer's own
// schedule by a constant, as assigning Keras's optimizer.learning_rate does.
type LearningRateScheduler struct {
	BaseCallback
	// Schedule maps the epoch (0-based) and an optimizer's current rate
	// to its new rate.
	Schedule func(epoch int, lr float64) (float64, error)
	// Optimizers are the optimizers scheduled (a GAN's G and D).
	Optimizers []optim.Optimizer
	// Keys are the epoch log keys of the rates, one per optimizer; empty
	// means "learning_rate" for one optimizer, "learning_rate_<i>" for
	// several.
	Keys []string
}

// NewLearningRateScheduler returns a scheduler of opts.
func NewLearningRateScheduler(schedule func(epoch int, lr float64) (float64, error), opts ...optim.Optimizer) *LearningRateScheduler {
	return &LearningRateScheduler{Schedule: schedule, Optimizers: opts}
}

// OnTrainBegin checks the configuration.
func (s *LearningRateScheduler) OnTrainBegin(Logs) error {
	switch {
	case s.Schedule == nil:
		return fmt.Errorf("LearningRateScheduler: nil Schedule")
	case len(s.Optimizers) == 0:
		return fmt.Errorf("LearningRateScheduler: no optimizers")
	case len(s.Keys) != 0 && len(s.Keys) != len(s.Optimizers):
		return fmt.Errorf("LearningRateScheduler: %d keys for %d optimizers", len(s.Keys), len(s.Optimizers))
	}
	for i, o := range s.Optimizers {
		if o == nil {
			return fmt.Errorf("LearningRateScheduler: optimizer %d is nil", i)
		}
	}
	return nil
}

// OnEpochBegin sets each optimizer's rate for the epoch.
func (s *LearningRateScheduler) OnEpochBegin(epoch int, _ Logs) error {
	for i, o := range s.Optimizers {
		lr, err := s.Schedule(epoch, o.LearningRate())
		if err != nil {
			return fmt.Errorf("LearningRateScheduler: schedule at epoch %d: %w", epoch, err)
		}
		if !(lr >= 0) || math.IsInf(lr, 0) {
			return fmt.Errorf("LearningRateScheduler: schedule gave learning rate %v at epoch %d for optimizer %d, want a finite value ≥ 0", lr, epoch, i)
		}
		if err := o.SetLearningRate(lr); err != nil {
			return fmt.Errorf("LearningRateScheduler: optimizer %d: %w", i, err)
		}
	}
	return nil
}

// OnEpochEnd adds the rates to the epoch's logs.
func (s *LearningRateScheduler) OnEpochEnd(_ int, logs Logs) error {
	for i, o := range s.Optimizers {
		logs[s.key(i)] = o.LearningRate()
	}
	return nil
}

func (s *LearningRateScheduler) key(i int) string {
	switch {
	case len(s.Keys) > 0:
		return s.Keys[i]
	case len(s.Optimizers) == 1:
		return "learning_rate"
	}
	return fmt.Sprintf("learning_rate_%d", i)
}
