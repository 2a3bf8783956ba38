package train

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/optim"
)

func newSGD(t *testing.T, lr float64) *optim.SGD {
	t.Helper()
	o, err := optim.NewSGD(optim.SGDConfig{Options: optim.Options{LearningRate: lr}})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestLearningRateScheduler: the schedule halves each rate after epoch 0;
// steps see the epoch's rate and the epoch logs record it.
func TestLearningRateScheduler(t *testing.T) {
	g, d := newSGD(t, 0.1), newSGD(t, 0.4)
	halve := func(epoch int, lr float64) (float64, error) {
		if epoch == 0 {
			return lr, nil
		}
		return lr / 2, nil
	}
	var seen []float64
	step := func(context.Context, *data.Batch) (Logs, error) {
		seen = append(seen, g.LearningRate(), d.LearningRate())
		return Logs{}, nil
	}
	hist, err := Fit(context.Background(), FitConfig{Step: step, StepsPerEpoch: 1, Epochs: 3,
		Callbacks: []Callback{NewLearningRateScheduler(halve, g, d)}})
	if err != nil {
		t.Fatal(err)
	}
	if !sameFloats(seen, []float64{0.1, 0.4, 0.05, 0.2, 0.025, 0.1}) {
		t.Errorf("rates seen by steps %v", seen)
	}
	if !sameFloats(hist.History["learning_rate_0"], []float64{0.1, 0.05, 0.025}) || !sameFloats(hist.History["learning_rate_1"], []float64{0.4, 0.2, 0.1}) {
		t.Errorf("history %v", hist.History)
	}
	// One optimizer logs "learning_rate"; Keys rename.
	s := NewLearningRateScheduler(halve, newSGD(t, 1))
	hist, err = Fit(context.Background(), FitConfig{Step: step, StepsPerEpoch: 1, Epochs: 2, Callbacks: []Callback{s}})
	if err != nil || !sameFloats(hist.History["learning_rate"], []float64{1, 0.5}) {
		t.Errorf("single optimizer: %v %v", hist.History, err)
	}
}

func TestLearningRateSchedulerErrors(t *testing.T) {
	ok := func(context.Context, *data.Batch) (Logs, error) { return nil, nil }
	cases := []struct {
		s    *LearningRateScheduler
		want string
	}{
		{NewLearningRateScheduler(func(int, float64) (float64, error) { return -1, nil }, newSGD(t, 1)), "learning rate -1 at epoch 0"},
		{NewLearningRateScheduler(func(int, float64) (float64, error) { return math.NaN(), nil }, newSGD(t, 1)), "learning rate NaN"},
		{NewLearningRateScheduler(func(int, float64) (float64, error) { return 0, errors.New("lua: bad") }, newSGD(t, 1)), "lua: bad"},
		{NewLearningRateScheduler(nil, newSGD(t, 1)), "nil Schedule"},
		{NewLearningRateScheduler(func(_ int, lr float64) (float64, error) { return lr, nil }), "no optimizers"},
		{&LearningRateScheduler{Schedule: func(_ int, lr float64) (float64, error) { return lr, nil }, Optimizers: []optim.Optimizer{newSGD(t, 1)}, Keys: []string{"a", "b"}}, "2 keys for 1 optimizers"},
	}
	for _, c := range cases {
		_, err := Fit(context.Background(), FitConfig{Step: ok, StepsPerEpoch: 1, Epochs: 1, Callbacks: []Callback{c.s}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
