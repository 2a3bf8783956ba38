package optim

import (
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

func TestEMAClosedForm(t *testing.T) {
	p := autograd.Param(tensor.FromFloat64([]float64{1, -2}, 2), "w")
	e, err := NewEMA([]*autograd.Var{p}, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	// avg_k = 0.9·avg_{k-1} + 0.1·p_k with avg_0 = p_0
	steps := []struct{ p, want []float64 }{
		{[]float64{2, -2}, []float64{1.1, -2}},
		{[]float64{3, 0}, []float64{0.9*1.1 + 0.3, 0.9 * -2}},
	}
	for i, s := range steps {
		copy(p.Value.Float64s(), s.p)
		if err := e.Update(); err != nil {
			t.Fatal(err)
		}
		for j, w := range s.want {
			if got := e.Averages()[0].At(j); !near(got, w, 1e-15) {
				t.Errorf("update %d avg[%d] = %v, want %v", i+1, j, got, w)
			}
		}
	}
	if e.Updates() != 2 {
		t.Errorf("Updates() = %d, want 2", e.Updates())
	}

	// Swap puts the averages into the model; a second Swap restores it.
	value := p.Value
	if err := e.Swap(); err != nil {
		t.Fatal(err)
	}
	if p.Value != value || !near(p.Value.At(0), 1.29, 1e-15) || e.Averages()[0].At(0) != 3 {
		t.Errorf("after Swap param %v avg %v, want the average in place", p.Value, e.Averages()[0])
	}
	if err := e.Swap(); err != nil {
		t.Fatal(err)
	}
	if p.Value.At(0) != 3 || !near(e.Averages()[0].At(0), 1.29, 1e-15) {
		t.Errorf("second Swap did not restore: param %v avg %v", p.Value, e.Averages()[0])
	}

	dst := autograd.Param(tensor.New(tensor.Float64, 2), "w_ema")
	if err := e.CopyTo([]*autograd.Var{dst}); err != nil {
		t.Fatal(err)
	}
	if !near(dst.Value.At(0), 1.29, 1e-15) || !near(dst.Value.At(1), -1.8, 1e-15) {
		t.Errorf("CopyTo gave %v", dst.Value)
	}
}

func TestEMAStateAndErrors(t *testing.T) {
	f := newFixture(41)
	e, _ := NewEMA(f.params, 0.99)
	for range 3 {
		for _, p := range f.params {
			p.Value.AddInPlace(tensor.Full(tensor.Float32, 0.5, p.Value.Shape()...))
		}
		if err := e.Update(); err != nil {
			t.Fatal(err)
		}
	}
	st := e.State()
	if _, ok := st.Averages["ema/dense/kernel"]; !ok || st.Updates != 3 {
		t.Fatalf("state %v, want ema/dense/kernel after 3 updates", st)
	}
	other := f.clone()
	r, _ := NewEMA(other, 0.99)
	if err := r.SetState(st); err != nil {
		t.Fatal(err)
	}
	if err := e.Update(); err != nil {
		t.Fatal(err)
	}
	if err := r.Update(); err != nil {
		t.Fatal(err)
	}
	for i := range e.Averages() {
		a, b := e.Averages()[i].Float32s(), r.Averages()[i].Float32s()
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("resumed average %d[%d] = %v, want %v", i, j, b[j], a[j])
			}
		}
	}

	bad := e.State()
	bad.Averages["ema/dense/bias"] = tensor.New(tensor.Float32, 5)
	if err := r.SetState(bad); err == nil || !strings.Contains(err.Error(), "ema/dense/bias") {
		t.Errorf("SetState with a wrong shape: %v", err)
	}
	if _, err := NewEMA(f.params, 1); err == nil || !strings.Contains(err.Error(), "decay") {
		t.Errorf("NewEMA(decay 1): %v", err)
	}
	if err := e.CopyTo(f.params[:1]); err == nil {
		t.Error("CopyTo with too few parameters gave no error")
	}
	f.params[1].Value = tensor.New(tensor.Float32, 7)
	if err := e.Update(); err == nil || !strings.Contains(err.Error(), "dense/bias") {
		t.Errorf("Update after a parameter changed shape: %v", err)
	}
}
