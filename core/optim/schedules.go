package optim

import (
	"fmt"
	"math"
)

// Schedule is a learning-rate schedule: the rate to use at an optimizer
// iteration (Keras's LearningRateSchedule).
type Schedule interface {
	At(step int64) float64
}

// validator is implemented by schedules that can check their settings; the
// optimizers call it when they are given the schedule.
type validator interface{ Validate() error }

var (
	_ validator = ExponentialDecay{}
	_ validator = PiecewiseConstantDecay{}
	_ validator = CosineDecay{}
	_ validator = LinearDecay{}
)

// ExponentialDecay is Initial·DecayRate^(step/DecaySteps), with the
// exponent floored when Staircase is set.
type ExponentialDecay struct {
	Initial    float64
	DecaySteps int64
	DecayRate  float64
	Staircase  bool
}

// At returns the rate at step.
func (s ExponentialDecay) At(step int64) float64 {
	p := float64(step) / float64(s.DecaySteps)
	if s.Staircase {
		p = math.Floor(p)
	}
	return s.Initial * math.Pow(s.DecayRate, p)
}

// Validate checks the settings.
func (s ExponentialDecay) Validate() error {
	const name = "ExponentialDecay"
	if err := checkRate(name, "Initial", s.Initial); err != nil {
		return err
	}
	if err := checkSteps(name, "DecaySteps", s.DecaySteps); err != nil {
		return err
	}
	if !(s.DecayRate > 0) || math.IsInf(s.DecayRate, 0) {
		return fmt.Errorf("%s: DecayRate = %v, want > 0", name, s.DecayRate)
	}
	return nil
}

// PiecewiseConstantDecay is Values[0] for step ≤ Boundaries[0], Values[i]
// for Boundaries[i-1] < step ≤ Boundaries[i], and the last value after the
// last boundary, as in Keras.
type PiecewiseConstantDecay struct {
	Boundaries []int64
	Values     []float64 // one more than Boundaries
}

// At returns the rate at step.
func (s PiecewiseConstantDecay) At(step int64) float64 {
	for i, b := range s.Boundaries {
		if step <= b {
			return s.Values[i]
		}
	}
	return s.Values[len(s.Values)-1]
}

// Validate checks the settings.
func (s PiecewiseConstantDecay) Validate() error {
	const name = "PiecewiseConstantDecay"
	if len(s.Values) != len(s.Boundaries)+1 {
		return fmt.Errorf("%s: %d Values for %d Boundaries, want one more value than boundaries", name, len(s.Values), len(s.Boundaries))
	}
	for i := 1; i < len(s.Boundaries); i++ {
		if s.Boundaries[i] <= s.Boundaries[i-1] {
			return fmt.Errorf("%s: Boundaries %v are not increasing", name, s.Boundaries)
		}
	}
	for i, v := range s.Values {
		if err := checkRate(name, fmt.Sprintf("Values[%d]", i), v); err != nil {
			return err
		}
	}
	return nil
}

// CosineDecay is Keras 3's CosineDecay (Loshchilov & Hutter, SGDR) with an
// optional linear warmup. Without warmup the rate at step is
//
//	Initial·((1-Alpha)·0.5·(1+cos(π·min(step, DecaySteps)/DecaySteps)) + Alpha)
//
// With WarmupTarget > 0 (Keras's warmup_target not None) the rate first
// rises linearly from Initial to WarmupTarget over WarmupSteps, then decays
// as above from WarmupTarget over the next DecaySteps.
type CosineDecay struct {
	Initial      float64
	DecaySteps   int64
	Alpha        float64 // final rate as a fraction of the starting one
	WarmupTarget float64 // 0: no warmup
	WarmupSteps  int64
}

// At returns the rate at step.
func (s CosineDecay) At(step int64) float64 {
	decay := float64(s.DecaySteps)
	x := float64(step)
	if s.WarmupTarget <= 0 {
		return s.decayed(min(x, decay), s.Initial)
	}
	warm := float64(s.WarmupSteps)
	x = min(x, decay+warm)
	if x < warm {
		return (s.WarmupTarget-s.Initial)*(x/warm) + s.Initial
	}
	return s.decayed(x-warm, s.WarmupTarget)
}

func (s CosineDecay) decayed(x, from float64) float64 {
	c := 0.5 * (1 + math.Cos(math.Pi*x/float64(s.DecaySteps)))
	return from * ((1-s.Alpha)*c + s.Alpha)
}

// Validate checks the settings.
func (s CosineDecay) Validate() error {
	const name = "CosineDecay"
	if err := checkRate(name, "Initial", s.Initial); err != nil {
		return err
	}
	if err := checkSteps(name, "DecaySteps", s.DecaySteps); err != nil {
		return err
	}
	if !(s.Alpha >= 0 && s.Alpha <= 1) {
		return fmt.Errorf("%s: Alpha = %v, want in [0, 1]", name, s.Alpha)
	}
	if err := checkRate(name, "WarmupTarget", s.WarmupTarget); err != nil {
		return err
	}
	if s.WarmupSteps < 0 {
		return fmt.Errorf("%s: WarmupSteps = %d, want ≥ 0", name, s.WarmupSteps)
	}
	if s.WarmupSteps > 0 && s.WarmupTarget == 0 {
		return fmt.Errorf("%s: WarmupSteps = %d without a WarmupTarget", name, s.WarmupSteps)
	}
	return nil
}

// LinearDecay is Keras's PolynomialDecay with power 1 (and no cycling): the
// rate falls linearly from Initial to End over DecaySteps and stays at End.
type LinearDecay struct {
	Initial    float64
	DecaySteps int64
	End        float64
}

// At returns the rate at step.
func (s LinearDecay) At(step int64) float64 {
	x := min(float64(step), float64(s.DecaySteps))
	return (s.Initial-s.End)*(1-x/float64(s.DecaySteps)) + s.End
}

// Validate checks the settings.
func (s LinearDecay) Validate() error {
	const name = "LinearDecay"
	if err := checkRate(name, "Initial", s.Initial); err != nil {
		return err
	}
	if err := checkRate(name, "End", s.End); err != nil {
		return err
	}
	return checkSteps(name, "DecaySteps", s.DecaySteps)
}

// constant is the schedule of a fixed learning rate.
type constant float64

func (c constant) At(int64) float64 { return float64(c) }

func checkRate(owner, field string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 0) {
		return fmt.Errorf("%s: %s = %v, want a finite rate ≥ 0", owner, field, v)
	}
	return nil
}

func checkSteps(owner, field string, v int64) error {
	if v <= 0 {
		return fmt.Errorf("%s: %s = %d, want > 0", owner, field, v)
	}
	return nil
}
