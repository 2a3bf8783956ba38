package train

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/tensor"
)

// fakeSource serves batches of batch images (1×1×1), steps per epoch,
// and io.EOF after limit batches when limit > 0.
type fakeSource struct {
	steps, batch, limit int
	served              int
}

func (s *fakeSource) Next() (*data.Batch, error) {
	if s.limit > 0 && s.served >= s.limit {
		return nil, fmt.Errorf("fake source: %w", io.EOF)
	}
	s.served++
	return &data.Batch{Images: tensor.New(tensor.Float32, s.batch, 1, 1, 1)}, nil
}

func (s *fakeSource) StepsPerEpoch() int { return s.steps }

// recorder logs every hook call as a line.
type recorder struct {
	BaseCallback
	events []string
}

func (r *recorder) add(format string, args ...any) {
	r.events = append(r.events, fmt.Sprintf(format, args...))
}

func (r *recorder) OnTrainBegin(l Logs) error { r.add("train_begin %s", fmtLogs(l)); return nil }
func (r *recorder) OnTrainEnd(l Logs) error   { r.add("train_end %s", fmtLogs(l)); return nil }
func (r *recorder) OnEpochBegin(e int, l Logs) error {
	r.add("epoch_begin %d %s", e, fmtLogs(l))
	return nil
}
func (r *recorder) OnEpochEnd(e int, l Logs) error {
	r.add("epoch_end %d %s", e, fmtLogs(l))
	return nil
}
func (r *recorder) OnTrainBatchBegin(b int, l Logs) error {
	r.add("batch_begin %d %s", b, fmtLogs(l))
	return nil
}
func (r *recorder) OnTrainBatchEnd(b int, l Logs) error {
	r.add("batch_end %d %s", b, fmtLogs(l))
	return nil
}

// fmtLogs prints logs sorted by key: {a=1 b=2}.
func fmtLogs(l Logs) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%g", k, l[k])
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// scripted returns a step that returns script[i] on its i-th call.
func scripted(t *testing.T, script []Logs) StepFunc {
	i := 0
	return func(_ context.Context, _ *data.Batch) (Logs, error) {
		if i >= len(script) {
			t.Fatalf("step called %d times, script has %d", i+1, len(script))
		}
		i++
		return script[i-1], nil
	}
}

// sameFloats compares with NaN equal to NaN.
func sameFloats(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool {
		return x == y || math.IsNaN(x) && math.IsNaN(y) || math.Abs(x-y) < 1e-12
	})
}
