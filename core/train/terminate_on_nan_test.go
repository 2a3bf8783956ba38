package train

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/data"
)

func TestTerminateOnNaN(t *testing.T) {
	cases := []struct {
		name   string
		cb     *TerminateOnNaN
		script []Logs
		steps  int // steps run
		reason string
	}{
		{"NaN in any key", &TerminateOnNaN{}, []Logs{{"d": 1, "g": 1}, {"d": 1, "g": math.NaN()}, {"d": 1, "g": 1}}, 2, "invalid g NaN"},
		{"Inf", &TerminateOnNaN{}, []Logs{{"d": math.Inf(-1)}, {"d": 1}}, 1, "epoch 0 batch 0: invalid d -Inf"},
		{"watched keys only", &TerminateOnNaN{Keys: []string{"d"}}, []Logs{{"d": 1, "g": math.NaN()}, {"d": 1}, {"d": 1}, {"d": 1}}, 4, ""},
		{"finite", &TerminateOnNaN{}, []Logs{{"d": 1}, {"d": 2}, {"d": 3}, {"d": 4}}, 4, ""},
	}
	for _, c := range cases {
		calls := 0
		step := scripted(t, c.script)
		counting := func(ctx context.Context, b *data.Batch) (Logs, error) { calls++; return step(ctx, b) }
		tr, err := NewTrainer(FitConfig{Step: counting, StepsPerEpoch: 2, Epochs: 2, Callbacks: []Callback{c.cb}})
		if err != nil {
			t.Fatal(err)
		}
		hist, err := tr.Fit(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if calls != c.steps || !strings.Contains(tr.StopReason, c.reason) || (c.reason == "") != (tr.StopReason == "") {
			t.Errorf("%s: %d steps, reason %q; want %d, %q", c.name, calls, tr.StopReason, c.steps, c.reason)
		}
		if c.reason != "" && len(hist.Epoch) != (c.steps+1)/2 {
			t.Errorf("%s: epochs %v", c.name, hist.Epoch)
		}
	}
}
