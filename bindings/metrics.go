package bindings

import (
	"fmt"

	"github.com/ganlab/ganlab/core/metrics"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

func init() { registerModule("metrics", openMetrics) }

// metricUD is what a metric userdata holds: a core/metrics metric, its
// Keras class name and the names of update_state's arguments.
type metricUD struct {
	m      metrics.Metric
	kind   string
	update []string
}

// openMetrics builds keras.metrics: Mean, Sum, BinaryAccuracy and
// SparseCategoricalAccuracy, with Keras's update_state / result /
// reset_state.
func openMetrics(rt *Runtime, L *lua.LState) *lua.LTable {
	m := L.NewTable()
	mt := rt.metricMetatable(L)
	values := []string{"values", "sample_weight"}
	labelled := []string{"y_true", "y_pred", "sample_weight"}
	add := func(kind, def string, extra []string, update []string, build func(a *Args, name string) metrics.Metric) {
		fn := "metrics." + kind
		m.RawSetString(kind, rt.Func(fn, func(L *lua.LState) int {
			a := rt.TableArgs(L, fn, append([]string{"name", "dtype"}, extra...)...)
			a.DType("dtype", tensor.Float32) // accepted for Keras's signature; results are float64
			ud := L.NewUserData()
			ud.Value = &metricUD{m: build(a, a.String("name", def)), kind: kind, update: update}
			ud.Metatable = mt
			L.Push(ud)
			return 1
		}))
	}
	add("Mean", "mean", nil, values, func(_ *Args, name string) metrics.Metric { return metrics.NewMean(name) })
	add("Sum", "sum", nil, values, func(_ *Args, name string) metrics.Metric { return metrics.NewSum(name) })
	add("BinaryAccuracy", "binary_accuracy", []string{"threshold"}, labelled, func(a *Args, name string) metrics.Metric {
		return metrics.NewBinaryAccuracy(name, a.Float("threshold", 0.5))
	})
	add("SparseCategoricalAccuracy", "sparse_categorical_accuracy", nil, labelled, func(_ *Args, name string) metrics.Metric {
		return metrics.NewSparseCategoricalAccuracy(name)
	})
	return m
}

// metricMetatable builds the metric type: m:update_state(...),
// m:result() (a number), m:reset_state(), m.name.
func (rt *Runtime) metricMetatable(L *lua.LState) *lua.LTable {
	methods := map[string]*lua.LFunction{
		"update_state": rt.Func("metric:update_state", rt.metricUpdate),
		"result": rt.Func("metric:result", func(L *lua.LState) int {
			m := checkMetric(L)
			v, err := m.m.Result()
			if err != nil {
				L.RaiseError("%s:result: %v (call update_state first; fit resets metrics at each epoch's start)", m.kind, err)
			}
			L.Push(lua.LNumber(v))
			return 1
		}),
		"reset_state": rt.Func("metric:reset_state", func(L *lua.LState) int {
			checkMetric(L).m.ResetState()
			return 0
		}),
	}
	mt := L.NewTable()
	mt.RawSetString("__index", rt.Func("metric.__index", func(L *lua.LState) int {
		m := checkMetric(L)
		key := L.CheckString(2)
		if key == "name" {
			L.Push(lua.LString(m.m.Name()))
		} else if f, ok := methods[key]; ok {
			L.Push(f)
		} else {
			L.Push(lua.LNil)
		}
		return 1
	}))
	mt.RawSetString("__newindex", rt.Func("metric.__newindex", func(L *lua.LState) int {
		m := checkMetric(L)
		L.RaiseError("%s: field %q cannot be set", m.kind, L.CheckString(2))
		return 0
	}))
	mt.RawSetString("__tostring", rt.Func("metric.__tostring", func(L *lua.LState) int {
		m := checkMetric(L)
		L.Push(lua.LString(fmt.Sprintf("%s(name=%q)", m.kind, m.m.Name())))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString("metric"))
	return mt
}

// metricUpdate is m:update_state(values, sample_weight) for Mean and Sum,
// m:update_state(y_true, y_pred, sample_weight) for the accuracies. Each
// argument is a tensor or a number; only values are read, so no gradient
// is recorded.
func (rt *Runtime) metricUpdate(L *lua.LState) int {
	m := checkMetric(L)
	fn := m.kind + ":update_state"
	a := rt.PosArgs(L, fn, 2, m.update...)
	var args []*tensor.Tensor
	for _, name := range m.update {
		if !a.Has(name) {
			if name != "sample_weight" {
				a.required(name)
			}
			continue
		}
		v := a.Value(name)
		if n, ok := v.(lua.LNumber); ok {
			args = append(args, tensor.Scalar(tensor.Float64, float64(n)))
			continue
		}
		x, err := rt.ToVar(v)
		if err != nil {
			a.Fail(name, "expected a tensor or a number: %v", err)
		}
		args = append(args, x.Value)
	}
	if err := m.m.UpdateState(args...); err != nil {
		L.RaiseError("%s: %v", fn, err)
	}
	return 0
}

func checkMetric(L *lua.LState) *metricUD {
	if m, ok := metricOf(L.Get(1)); ok {
		return m
	}
	L.RaiseError("metric: call methods with a colon, m:update_state(...); got %s as self", typeName(L.Get(1)))
	return nil
}

func metricOf(lv lua.LValue) (*metricUD, bool) {
	if ud, ok := lv.(*lua.LUserData); ok {
		m, ok := ud.Value.(*metricUD)
		return m, ok
	}
	return nil, false
}

// ToMetric returns the core metric of a metric userdata, so that fit can
// reset a model's metrics at each epoch's start as Keras does.
func (rt *Runtime) ToMetric(lv lua.LValue) (metrics.Metric, error) {
	if m, ok := metricOf(lv); ok {
		return m.m, nil
	}
	return nil, fmt.Errorf("expected a keras.metrics object, got %s", typeName(lv))
}
