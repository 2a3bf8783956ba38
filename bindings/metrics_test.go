package bindings

import (
	"strings"
	"testing"
)

// TestMetricsFromLua checks results against sums worked by hand: Mean
// counts each sample (row) once with its mean, a number counts as one
// sample, and sample weights weight the samples.
func TestMetricsFromLua(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local keras = require('ganlab'); local ops = keras.ops
local m = keras.metrics.Mean{name='d_loss'}
m:update_state(ops.convert_to_tensor({{1, 2, 3}, {4, 5, 6}}))
m:update_state(10)
print(m.name, m:result())
m:reset_state()
m:update_state(ops.convert_to_tensor({1, 3}), ops.convert_to_tensor({1, 3}))
print(m:result())
local s = keras.metrics.Sum{}
s:update_state(ops.convert_to_tensor({1.5, 2}))
s:update_state(4, 2)
print(s.name, s:result())
local b = keras.metrics.BinaryAccuracy{threshold=0.5}
b:update_state(ops.convert_to_tensor({1, 0, 1, 0}), ops.convert_to_tensor({0.7, 0.6, 0.2, 0.1}))
print(b.name, b:result())
local c = keras.metrics.SparseCategoricalAccuracy{name='acc'}
c:update_state(ops.convert_to_tensor({0, 2, 1}), ops.convert_to_tensor({{0.9, 0.05, 0.05}, {0.1, 0.8, 0.1}, {0.2, 0.3, 0.5}}))
print(c.name, c:result(), tostring(c))
local tape = keras.GradientTape()
local x = ops.ones({2})
tape:watch(x)
local loss = ops.sum(x * x)
m:update_state(loss)
print(m:result())`)
	// (1·1 + 3·3)/(1 + 3) = 2.5; after the loss 2 with weight 1: (10 + 2)/5 = 2.4.
	want := []string{
		"d_loss\t" + fmtNum((2.0+5+10)/3),
		"2.5",
		"sum\t11.5",
		"binary_accuracy\t0.5",
		"acc\t" + fmtNum(1.0/3) + "\tSparseCategoricalAccuracy(name=\"acc\")",
		"2.4",
	}
	lines := strings.Split(got, "\n")
	for i, w := range want {
		if !sameFields(at(lines, i), w, 1e-12) {
			t.Errorf("line %d: got %q want %q", i+1, at(lines, i), w)
		}
	}
}

func TestMetricErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"keras.metrics.Mean{name='g_loss'}:result()", `Mean:result: metric "g_loss": metric has seen no data`},
		{"local m = keras.metrics.Mean{}; m:update_state(1); m:reset_state(); m:result()", `metric "mean": metric has seen no data`},
		{"keras.metrics.Mean{}:update_state('x')", "Mean:update_state: argument values: expected a tensor or a number"},
		{"keras.metrics.Mean{}:update_state()", "Mean:update_state: missing argument values"},
		{"keras.metrics.BinaryAccuracy{}:update_state(keras.ops.ones({2}))", "BinaryAccuracy:update_state: missing argument y_pred"},
		{"keras.metrics.Mean{nam='x'}", `metrics.Mean: unknown keyword "nam"`},
		{"keras.metrics.Mean{}.name = 'x'", `Mean: field "name" cannot be set`},
		{"keras.metrics.Mean{}.update_state(1)", "call methods with a colon"},
	} {
		rt, _ := newTestRuntime(t)
		e := runLuaErr(t, rt, "keras = require('ganlab')\n"+tc.src)
		if !strings.Contains(e.Msg, tc.want) || !strings.Contains(e.Msg, "test.lua:2:") {
			t.Errorf("%s:\n got %q\nwant %q", tc.src, e.Msg, tc.want)
		}
	}
}
