package metrics

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
)

const tol = 1e-12

func f64(data []float64, shape ...int) *tensor.Tensor { return tensor.FromFloat64(data, shape...) }

func f32(data []float32, shape ...int) *tensor.Tensor { return tensor.FromFloat32(data, shape...) }

// update is one UpdateState call.
type update []*tensor.Tensor

func TestResults(t *testing.T) {
	cases := []struct {
		name    string
		metric  Metric
		updates []update
		want    float64
	}{
		// Keras docstring examples.
		{"mean", NewMean(""), []update{{f64([]float64{1, 3, 5, 7}, 4)}}, 4},
		{"mean weighted", NewMean(""), []update{{f64([]float64{1, 3, 5, 7}, 4), f64([]float64{1, 1, 0, 0}, 4)}}, 2},
		{"sum", NewSum(""), []update{{f64([]float64{1, 3, 5, 7}, 4)}}, 16},
		{"sum weighted", NewSum(""), []update{{f64([]float64{1, 3, 5, 7}, 4), f64([]float64{1, 1, 0, 0}, 4)}}, 4},
		{"binary accuracy", NewBinaryAccuracy("", 0.5), []update{{
			f64([]float64{1, 1, 0, 0}, 4, 1), f64([]float64{0.98, 1, 0, 0.6}, 4, 1)}}, 0.75},
		{"binary accuracy weighted", NewBinaryAccuracy("", 0.5), []update{{
			f64([]float64{1, 1, 0, 0}, 4, 1), f64([]float64{0.98, 1, 0, 0.6}, 4, 1), f64([]float64{1, 0, 0, 1}, 4)}}, 0.5},
		{"sparse categorical accuracy", NewSparseCategoricalAccuracy(""), []update{{
			f64([]float64{2, 1}, 2, 1), f64([]float64{0.1, 0.6, 0.3, 0.05, 0.95, 0}, 2, 3)}}, 0.5},
		{"sparse categorical accuracy weighted", NewSparseCategoricalAccuracy(""), []update{{
			f64([]float64{2, 1}, 2, 1), f64([]float64{0.1, 0.6, 0.3, 0.05, 0.95, 0}, 2, 3), f64([]float64{0.7, 0.3}, 2)}}, 0.3},
		// Hand-computed cases.
		{"mean per sample", NewMean(""), []update{{f64([]float64{1, 2, 3, 4}, 2, 2)}}, 2.5},
		{"mean sample weights on rows", NewMean(""), []update{{f64([]float64{1, 2, 3, 4}, 2, 2), f64([]float64{1, 3}, 2)}}, (1.5 + 3*3.5) / 4},
		{"mean elementwise weights", NewMean(""), []update{{f64([]float64{1, 2, 3, 4}, 2, 2), f64([]float64{1, 0, 0, 1}, 2, 2)}}, 2.5},
		{"mean scalar weight", NewMean(""), []update{{f64([]float64{1, 3, 5, 7}, 4), tensor.Scalar(tensor.Float64, 2)}}, 4},
		{"mean (n,1) with (n) weights", NewMean(""), []update{{f64([]float64{1, 3}, 2, 1), f64([]float64{1, 3}, 2)}}, 2.5},
		{"mean float32 scalars accumulate", NewMean(""), []update{{f32([]float32{1, 2}, 2)}, {tensor.Scalar(tensor.Float32, 6)}}, 3},
		{"sum over rows", NewSum(""), []update{{f64([]float64{1, 2, 3, 4}, 2, 2)}, {tensor.Scalar(tensor.Float64, -1)}}, 9},
		{"binary accuracy logits threshold 0", NewBinaryAccuracy("", 0), []update{{
			f64([]float64{1, 0, 1}, 3), f64([]float64{0.1, -2, -0.1}, 3)}}, 2.0 / 3},
		{"sparse ties go to the first class", NewSparseCategoricalAccuracy(""), []update{{
			f64([]float64{0, 1}, 2), f64([]float64{5, 5, 5, 5}, 2, 2)}}, 0.5},
	}
	for _, c := range cases {
		for i, u := range c.updates {
			if err := c.metric.UpdateState(u...); err != nil {
				t.Fatalf("%s: update %d: %v", c.name, i, err)
			}
		}
		got, err := c.metric.Result()
		if err != nil || math.Abs(got-c.want) > tol {
			t.Errorf("%s: Result() = %v, %v; want %v", c.name, got, err, c.want)
		}
	}
}

// TestMeanWeightedAgainstNaive checks per-sample weights on rank-3 values
// against sum(w_i * mean_i) / sum(w_i) written out directly.
func TestMeanWeightedAgainstNaive(t *testing.T) {
	rng := tensor.NewRNG(7, 0)
	for _, shape := range [][]int{{5, 3, 2}, {1, 4, 1}, {8, 1, 1}} {
		n, per := shape[0], shape[1]*shape[2]
		v := make([]float64, n*per)
		w := make([]float64, n)
		for i := range v {
			v[i] = rng.Float64()*4 - 2
		}
		for i := range w {
			w[i] = rng.Float64()
		}
		num, den := 0.0, 0.0
		for i := range n {
			s := 0.0
			for j := range per {
				s += v[i*per+j]
			}
			num += w[i] * s / float64(per)
			den += w[i]
		}
		m := NewMean("m")
		if err := m.UpdateState(f64(v, shape...), f64(w, n)); err != nil {
			t.Fatal(err)
		}
		got, err := m.Result()
		if err != nil || math.Abs(got-num/den) > tol {
			t.Errorf("shape %v: got %v, %v; want %v", shape, got, err, num/den)
		}
	}
}

func TestNoData(t *testing.T) {
	for _, m := range []Metric{NewMean("d_loss"), NewSum(""), NewBinaryAccuracy("", 0.5), NewSparseCategoricalAccuracy("")} {
		if _, err := m.Result(); !errors.Is(err, ErrNoData) || !strings.Contains(err.Error(), m.Name()) {
			t.Errorf("%s: fresh Result error %v, want ErrNoData naming the metric", m.Name(), err)
		}
	}
	m := NewMean("zero weights")
	if err := m.UpdateState(f64([]float64{1, 2}, 2), f64([]float64{0, 0}, 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Result(); !errors.Is(err, ErrNoData) {
		t.Errorf("all-zero weights: error %v, want ErrNoData", err)
	}
	if err := m.UpdateState(tensor.Scalar(tensor.Float64, 3)); err != nil {
		t.Fatal(err)
	}
	m.ResetState()
	if _, err := m.Result(); !errors.Is(err, ErrNoData) {
		t.Errorf("after reset: error %v, want ErrNoData", err)
	}
}

func TestUpdateErrorsLeaveStateUnchanged(t *testing.T) {
	cases := []struct {
		name   string
		metric Metric
		args   update
		want   string
	}{
		{"no args", NewMean("m"), update{}, "got 0 tensors"},
		{"too many", NewMean("m"), update{tensor.Scalar(tensor.Float64, 1), tensor.Scalar(tensor.Float64, 1), tensor.Scalar(tensor.Float64, 1)}, "got 3 tensors"},
		{"nil", NewSum("s"), update{nil}, "argument 1 is nil"},
		{"weight shape", NewMean("m"), update{f64(make([]float64, 6), 2, 3), f64(make([]float64, 3), 3)}, "sample_weight [3] for values [2 3]"},
		{"binary shapes", NewBinaryAccuracy("acc", 0.5), update{f64(make([]float64, 3), 3), f64(make([]float64, 4), 4)}, "differ in shape"},
		{"sparse label range", NewSparseCategoricalAccuracy("acc"), update{f64([]float64{3}, 1), f64(make([]float64, 3), 1, 3)}, "not a class index"},
		{"sparse shapes", NewSparseCategoricalAccuracy("acc"), update{f64([]float64{0, 1}, 2), f64(make([]float64, 3), 3)}, "want labels"},
	}
	for _, c := range cases {
		if err := c.metric.SetState(State{Total: 1, Count: 2}); err != nil {
			t.Fatal(err)
		}
		err := c.metric.UpdateState(c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.metric.Name()) {
			t.Errorf("%s: error %v, want one naming %q and containing %q", c.name, err, c.metric.Name(), c.want)
		}
		if s := c.metric.State(); s != (State{Total: 1, Count: 2}) {
			t.Errorf("%s: state changed to %+v after a failed update", c.name, s)
		}
	}
}

// TestStateResume checks that a metric restored from State continues
// exactly as the original does.
func TestStateResume(t *testing.T) {
	a, b := NewMean("a"), NewMean("b")
	first := f64([]float64{0.25, 1.5, -3}, 3)
	second := f64([]float64{2, 4}, 2)
	if err := a.UpdateState(first); err != nil {
		t.Fatal(err)
	}
	if err := b.SetState(a.State()); err != nil {
		t.Fatal(err)
	}
	for _, m := range []*Mean{a, b} {
		if err := m.UpdateState(second); err != nil {
			t.Fatal(err)
		}
	}
	ra, _ := a.Result()
	rb, _ := b.Result()
	if ra != rb || math.Abs(ra-(0.25+1.5-3+2+4)/5) > tol {
		t.Errorf("resumed %v, original %v, want both %v", rb, ra, (0.25+1.5-3+2+4)/5)
	}
	for _, bad := range []State{{Count: -1}, {Count: math.NaN()}, {Count: math.Inf(1)}} {
		if err := b.SetState(bad); err == nil {
			t.Errorf("SetState(%+v) accepted", bad)
		}
	}
}

func TestUpdateScalar(t *testing.T) {
	m := NewMean("g_loss")
	for _, x := range []struct{ v, w float64 }{{1, 1}, {4, 2}, {10, 0}} {
		if err := m.UpdateScalar(x.v, x.w); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := m.Result(); err != nil || math.Abs(got-3) > tol {
		t.Errorf("got %v, %v; want 3", got, err)
	}
	if err := m.UpdateScalar(1, math.NaN()); err == nil {
		t.Error("NaN weight accepted")
	}
}
