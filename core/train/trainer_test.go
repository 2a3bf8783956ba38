package train

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/metrics"
	"github.com/ganlab/ganlab/core/tensor"
)

func TestHookOrderAndEpochMeans(t *testing.T) {
	rec := &recorder{}
	script := []Logs{{"d": 1, "g": 10}, {"d": 2, "g": 20}, {"d": 3, "g": 30}, {"d": 5, "g": 50}}
	hist, err := Fit(context.Background(), FitConfig{
		Step: scripted(t, script), Source: &fakeSource{steps: 2, batch: 4}, Epochs: 2, Callbacks: []Callback{rec},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"train_begin {}",
		"epoch_begin 0 {}",
		"batch_begin 0 {}", "batch_end 0 {d=1 g=10}",
		"batch_begin 1 {}", "batch_end 1 {d=2 g=20}",
		"epoch_end 0 {d=1.5 g=15}",
		"epoch_begin 1 {}",
		"batch_begin 0 {}", "batch_end 0 {d=3 g=30}",
		"batch_begin 1 {}", "batch_end 1 {d=5 g=50}",
		"epoch_end 1 {d=4 g=40}",
		"train_end {d=4 g=40}",
	}
	if !slices.Equal(rec.events, want) {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(rec.events, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Equal(hist.Epoch, []int{0, 1}) || !sameFloats(hist.History["d"], []float64{1.5, 4}) || !sameFloats(hist.History["g"], []float64{15, 40}) {
		t.Errorf("history %v %v", hist.Epoch, hist.History)
	}
	if !slices.Equal(hist.Keys(), []string{"d", "g"}) {
		t.Errorf("keys %v", hist.Keys())
	}
}

func TestInitialEpochAndStepsPerEpoch(t *testing.T) {
	rec := &recorder{}
	src := &fakeSource{steps: 100, batch: 1}
	script := []Logs{{"l": 1}, {"l": 2}, {"l": 3}, {"l": 4}}
	hist, err := Fit(context.Background(), FitConfig{
		Step: scripted(t, script), Source: src, Epochs: 4, InitialEpoch: 2, StepsPerEpoch: 2, Callbacks: []Callback{rec},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(hist.Epoch, []int{2, 3}) || src.served != 4 || !sameFloats(hist.History["l"], []float64{1.5, 3.5}) {
		t.Errorf("epochs %v served %d history %v", hist.Epoch, src.served, hist.History)
	}
}

// TestKeysPerStep: a key logged by some steps only (a WGAN's penalty) is
// averaged over those steps; one absent from an epoch reads NaN there.
func TestKeysPerStep(t *testing.T) {
	nan := math.NaN()
	script := []Logs{{"d": 1}, {"d": 3}, {"d": 2}, {"d": 1, "gp": 4}, {"d": 1}, {"d": 1, "gp": 8}}
	hist, err := Fit(context.Background(), FitConfig{Step: scripted(t, script), StepsPerEpoch: 3, Epochs: 2, RecordSteps: true})
	if err != nil {
		t.Fatal(err)
	}
	if !sameFloats(hist.History["d"], []float64{2, 1}) || !sameFloats(hist.History["gp"], []float64{nan, 6}) {
		t.Errorf("history %v", hist.History)
	}
	if !slices.Equal(hist.Step, []int{0, 1, 2, 3, 4, 5}) || !sameFloats(hist.Steps["gp"], []float64{nan, nan, nan, 4, nan, 8}) ||
		!sameFloats(hist.Steps["d"], []float64{1, 3, 2, 1, 1, 1}) {
		t.Errorf("steps %v %v", hist.Step, hist.Steps)
	}
}

// TestEpochLastWithMetrics: a step that returns tracker results (the
// guide's train_step) gets the last value per epoch, and the trackers are
// reset at each epoch's start.
func TestEpochLastWithMetrics(t *testing.T) {
	tracker := metrics.NewMean("d_loss")
	losses := []float64{1, 3, 10, 20, 60}
	i := 0
	step := func(context.Context, *data.Batch) (Logs, error) {
		if err := tracker.UpdateScalar(losses[i], 1); err != nil {
			return nil, err
		}
		i++
		r, err := tracker.Result()
		return Logs{"d_loss": r}, err
	}
	rec := &recorder{}
	hist, err := Fit(context.Background(), FitConfig{Step: step, StepsPerEpoch: 2, Epochs: 2, EpochLogs: EpochLast,
		Metrics: []metrics.Metric{tracker}, Callbacks: []Callback{rec}})
	if err != nil {
		t.Fatal(err)
	}
	// Epoch 0: running means 1, 2; epoch 1 (reset): 10, 15.
	if !sameFloats(hist.History["d_loss"], []float64{2, 15}) {
		t.Errorf("history %v, want [2 15]", hist.History["d_loss"])
	}
	if !slices.Contains(rec.events, "batch_end 1 {d_loss=15}") {
		t.Errorf("events %v", rec.events)
	}
}

// TestStopTrainingFromCallback: a callback setting StopTraining at a batch
// end ends the epoch there; the epoch still ends with its steps' means.
func TestStopTrainingFromCallback(t *testing.T) {
	rec := &recorder{}
	stopper := &LambdaCallback{}
	stopper.TrainBatchEnd = func(batch int, _ Logs) error {
		if tr := stopper.Trainer(); tr.Epoch() == 1 && batch == 0 {
			tr.StopTraining = true
			tr.StopReason = "test"
		}
		return nil
	}
	script := []Logs{{"l": 1}, {"l": 2}, {"l": 3}, {"l": 4}, {"l": 5}, {"l": 6}}
	tr, err := NewTrainer(FitConfig{Step: scripted(t, script), StepsPerEpoch: 3, Epochs: 5, Callbacks: []Callback{stopper, rec}})
	if err != nil {
		t.Fatal(err)
	}
	hist, err := tr.Fit(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := len(rec.events)
	if got := rec.events[n-3:]; !slices.Equal(got, []string{"batch_end 0 {l=4}", "epoch_end 1 {l=4}", "train_end {l=4}"}) {
		t.Errorf("last events %v", got)
	}
	if !tr.StopTraining || tr.StopReason != "test" || !slices.Equal(hist.Epoch, []int{0, 1}) {
		t.Errorf("stop %v %q epochs %v", tr.StopTraining, tr.StopReason, hist.Epoch)
	}
	// A new Fit clears the flag and runs every epoch.
	tr.cfg.Step = scripted(t, make([]Logs, 15))
	tr.cfg.Callbacks = nil
	if hist, err := tr.Fit(context.Background()); err != nil || tr.StopTraining || len(hist.Epoch) != 5 {
		t.Errorf("second Fit: err %v, stop %v, epochs %v", err, tr.StopTraining, hist.Epoch)
	}
}

func TestStopAtEpochEnd(t *testing.T) {
	stopper := &LambdaCallback{}
	stopper.EpochEnd = func(epoch int, _ Logs) error {
		stopper.Trainer().StopTraining = epoch == 1
		return nil
	}
	script := make([]Logs, 6)
	hist, err := Fit(context.Background(), FitConfig{Step: scripted(t, script), StepsPerEpoch: 2, Epochs: 10, Callbacks: []Callback{stopper}})
	if err != nil || !slices.Equal(hist.Epoch, []int{0, 1}) {
		t.Errorf("epochs %v, err %v; want [0 1]", hist.Epoch, err)
	}
}

// TestCancelMidEpoch: a context cancelled during step 1 of epoch 1 stops
// training after that step, with the position and context.Canceled.
func TestCancelMidEpoch(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	step := func(context.Context, *data.Batch) (Logs, error) {
		calls++
		if calls == 6 { // epoch 1, step 1
			cancel()
		}
		return Logs{"l": float64(calls)}, nil
	}
	rec := &recorder{}
	hist, err := Fit(ctx, FitConfig{Step: step, StepsPerEpoch: 4, Epochs: 3, Callbacks: []Callback{rec}})
	var ie *InterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) || ie.Epoch != 1 || ie.Step != 2 {
		t.Fatalf("error %v, want an InterruptedError at epoch 1 step 2 wrapping context.Canceled", err)
	}
	if calls != 6 || !slices.Equal(hist.Epoch, []int{0}) {
		t.Errorf("calls %d epochs %v", calls, hist.Epoch)
	}
	if got := rec.events[len(rec.events)-1]; got != "train_end {l=2.5}" {
		t.Errorf("last event %q, want train_end with epoch 0's logs", got)
	}
	if !strings.Contains(err.Error(), "epoch 1 after 2 steps") {
		t.Errorf("message %q", err)
	}
}

// TestCancelSeenByStep: a step that fails because the context was cancelled
// (a Lua step stopped by its state's context) is an interruption at that
// step, not a step failure.
func TestCancelSeenByStep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	step := func(ctx context.Context, _ *data.Batch) (Logs, error) {
		if calls++; calls == 3 {
			cancel()
			return nil, errors.New("lua: interrupted")
		}
		return Logs{}, nil
	}
	_, err := Fit(ctx, FitConfig{Step: step, StepsPerEpoch: 2, Epochs: 3})
	var ie *InterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) || ie.Epoch != 1 || ie.Step != 0 || !strings.Contains(err.Error(), "lua: interrupted") {
		t.Fatalf("error %v, want interruption at epoch 1 step 0", err)
	}
}

func TestErrorsNamePosition(t *testing.T) {
	failStep := func(context.Context, *data.Batch) (Logs, error) { return nil, errors.New("boom") }
	panicStep := func(context.Context, *data.Batch) (Logs, error) {
		tensor.Add(tensor.New(tensor.Float32, 2), tensor.New(tensor.Float32, 3))
		return nil, nil
	}
	okStep := func(context.Context, *data.Batch) (Logs, error) { return Logs{"l": 1}, nil }
	badCallback := &LambdaCallback{EpochEnd: func(int, Logs) error { return errors.New("callback failed") }}
	cases := []struct {
		name string
		cfg  FitConfig
		want []string
	}{
		{"step error", FitConfig{Step: failStep, StepsPerEpoch: 2, Epochs: 1}, []string{"epoch 0 step 0", "train step", "boom"}},
		{"tensor panic", FitConfig{Step: panicStep, StepsPerEpoch: 2, Epochs: 1}, []string{"epoch 0 step 0", "do not broadcast"}},
		{"callback error", FitConfig{Step: okStep, StepsPerEpoch: 1, Epochs: 1, Callbacks: []Callback{&BaseCallback{}, badCallback}},
			[]string{"epoch 0", "OnEpochEnd of callback 1 (*train.LambdaCallback)", "callback failed"}},
		{"source error", FitConfig{Step: okStep, Source: errSource{}, Epochs: 1}, []string{"epoch 0 step 0", "next batch", "disk"}},
	}
	for _, c := range cases {
		rec := &recorder{}
		c.cfg.Callbacks = append(c.cfg.Callbacks, rec)
		_, err := Fit(context.Background(), c.cfg)
		for _, w := range c.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want it to contain %q", c.name, err, w)
			}
		}
		if slices.ContainsFunc(rec.events, func(e string) bool { return strings.HasPrefix(e, "train_end") }) {
			t.Errorf("%s: OnTrainEnd ran after an error", c.name)
		}
	}
}

type errSource struct{}

func (errSource) Next() (*data.Batch, error) { return nil, errors.New("disk on fire") }
func (errSource) StepsPerEpoch() int         { return 3 }

// TestSourceRunsOut: Keras stops when the input runs out; the partial
// epoch ends with the means of its steps.
func TestSourceRunsOut(t *testing.T) {
	script := []Logs{{"l": 1}, {"l": 2}, {"l": 3}}
	tr, err := NewTrainer(FitConfig{Step: scripted(t, script), Source: &fakeSource{steps: 2, batch: 1, limit: 3}, Epochs: 5})
	if err != nil {
		t.Fatal(err)
	}
	hist, err := tr.Fit(context.Background())
	if err != nil || !slices.Equal(hist.Epoch, []int{0, 1}) || !sameFloats(hist.History["l"], []float64{1.5, 3}) {
		t.Fatalf("err %v epochs %v history %v", err, hist.Epoch, hist.History)
	}
	if !strings.Contains(tr.StopReason, "ran out of data in epoch 1 at step 1") {
		t.Errorf("reason %q", tr.StopReason)
	}
}

func TestBatchSize(t *testing.T) {
	var sizes []int
	cb := &LambdaCallback{}
	cb.TrainBatchEnd = func(int, Logs) error { sizes = append(sizes, cb.Trainer().BatchSize()); return nil }
	ok := func(context.Context, *data.Batch) (Logs, error) { return nil, nil }
	if _, err := Fit(context.Background(), FitConfig{Step: ok, Source: &fakeSource{steps: 2, batch: 7}, Epochs: 1, Callbacks: []Callback{cb}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Fit(context.Background(), FitConfig{Step: ok, StepsPerEpoch: 1, Epochs: 1, Callbacks: []Callback{cb}}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sizes, []int{7, 7, 0}) {
		t.Errorf("batch sizes %v, want [7 7 0]", sizes)
	}
}

func TestNewTrainerErrors(t *testing.T) {
	ok := func(context.Context, *data.Batch) (Logs, error) { return nil, nil }
	cases := []struct {
		cfg  FitConfig
		want string
	}{
		{FitConfig{StepsPerEpoch: 1, Epochs: 1}, "Step is nil"},
		{FitConfig{Step: ok, Epochs: 1}, "0 steps per epoch"},
		{FitConfig{Step: ok, StepsPerEpoch: 1, Epochs: 1, InitialEpoch: 2}, "initial epoch 2"},
		{FitConfig{Step: ok, StepsPerEpoch: 1, Epochs: 1, EpochLogs: 7}, "EpochLogs"},
		{FitConfig{Step: ok, StepsPerEpoch: 1, Epochs: 1, Callbacks: []Callback{nil}}, "callback 0 is nil"},
	}
	for _, c := range cases {
		if _, err := NewTrainer(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}
