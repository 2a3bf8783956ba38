package bindings

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestGradientTapeClosedForms(t *testing.T) {
	x := []float64{1, -2, 0.5}
	for _, tc := range []struct {
		name, src string
		want      func(x float64) float64
	}{
		{"d/dx sum(x^2) = 2x", `
local tape = keras.GradientTape()
tape:watch(x)
result = tape:gradient(ops.sum(ops.square(x)), x)`, func(x float64) float64 { return 2 * x }},
		{"list of sources", `
local tape = keras.GradientTape()
tape:watch(x)
result = tape:gradient(ops.sum(x * x * x), {x})[1]`, func(x float64) float64 { return 3 * x * x }},
		{"non-scalar target is summed", `
local tape = keras.GradientTape()
tape:watch(x)
result = tape:gradient(ops.exp(x), x)`, math.Exp},
		{"second order: d/dx sum((d/dx sum(x^3))^2) = 36x^3", `
local t1 = keras.GradientTape()
t1:watch(x)
local g = t1:gradient(ops.sum(x * x * x), x, {create_graph=true})
local t2 = keras.GradientTape()
result = t2:gradient(ops.sum(ops.square(g)), x)`, func(x float64) float64 { return 36 * x * x * x }},
		{"keras.grad", `
keras.GradientTape():watch(x)
local v, g = keras.grad(function() return ops.mean(ops.tanh(x)) end, x)
assert(math.abs(v:item() - (math.tanh(1) + math.tanh(-2) + math.tanh(0.5)) / 3) < 1e-6)
result = g`, func(x float64) float64 { return (1 - math.Tanh(x)*math.Tanh(x)) / 3 }},
		{"sigmoid softplus relu", `
local tape = keras.GradientTape()
tape:watch(x)
result = tape:gradient(ops.sum(ops.sigmoid(x) + ops.softplus(x) + ops.relu(x)), x)`, func(x float64) float64 {
			s := 1 / (1 + math.Exp(-x))
			r := 0.0
			if x > 0 {
				r = 1
			}
			return s*(1-s) + s + r
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt, _ := newTestRuntime(t)
			_, got := evalTensor(t, rt, "keras = require('ganlab'); ops = keras.ops\nx = ops.convert_to_tensor({1, -2, 0.5}, 'float64')\n"+tc.src)
			want := make([]float64, len(x))
			for i := range x {
				want[i] = tc.want(x[i])
			}
			if !closeAll(got, want, 1e-9) {
				t.Errorf("got %v want %v", got, want)
			}
		})
	}
}

func TestGradientTapeRules(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local keras = require('ganlab'); local ops = keras.ops
local x = ops.ones({2})
local tape = keras.GradientTape()
tape:watch(x)
local y = ops.sum(x * 2)
print(tape:gradient(y, x):values()[1])
print(pcall(function() return tape:gradient(y, x) end))
local p = keras.GradientTape{persistent=true}
p:watch(x)
local y2 = ops.sum(x * 5)
print(p:gradient(y2, x):values()[1], p:gradient(y2, x):values()[2])
local z = ops.ones({3})
print(table.concat(keras.GradientTape():gradient(y2, {z, x})[1]:values(), ","))
print(pcall(keras.GradientTape, {persistant=true}))`)
	lines := strings.Split(got, "\n")
	want := []string{"2", "false", "5\t5", "0,0,0", "false"}
	for i, w := range want {
		if !strings.HasPrefix(at(lines, i), w) {
			t.Errorf("line %d: got %q want prefix %q", i+1, at(lines, i), w)
		}
	}
	if !strings.Contains(at(lines, 1), "non-persistent tape can be used once") {
		t.Errorf("second gradient call: %q", at(lines, 1))
	}
	if !strings.Contains(at(lines, 4), `unknown keyword "persistant"; it takes persistent, watch_accessed_variables`) {
		t.Errorf("unknown keyword: %q", at(lines, 4))
	}
}

func TestOpsValues(t *testing.T) {
	prelude := "keras = require('ganlab'); ops = keras.ops\nx = ops.convert_to_tensor({{1, 2, 3}, {4, 5, 6}}, 'float64')\n"
	for _, tc := range []struct {
		expr  string
		shape []int
		want  []float64
	}{
		{"ops.sum(x, 0)", []int{3}, []float64{5, 7, 9}},
		{"ops.sum(x, {0, 1})", []int{}, []float64{21}},
		{"ops.mean(x, -1, true)", []int{2, 1}, []float64{2, 5}},
		{"ops.max(x, 1)", []int{2}, []float64{3, 6}},
		{"ops.min(x, 0)", []int{3}, []float64{1, 2, 3}},
		{"ops.var(x, 1)", []int{2}, []float64{2.0 / 3, 2.0 / 3}},
		{"ops.logsumexp(x, 1)", []int{2}, []float64{math.Log(math.Exp(1) + math.Exp(2) + math.Exp(3)), math.Log(math.Exp(4) + math.Exp(5) + math.Exp(6))}},
		{"ops.softmax(x)[1]", []int{3}, softmax([]float64{1, 2, 3})},
		{"ops.concatenate({x, x}, 0)", []int{4, 3}, []float64{1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6}},
		{"ops.concatenate({x, x}, -1)", []int{2, 6}, []float64{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}},
		{"ops.stack({x[1], x[2]}, 1)", []int{3, 2}, []float64{1, 4, 2, 5, 3, 6}},
		{"ops.transpose(x)", []int{3, 2}, []float64{1, 4, 2, 5, 3, 6}},
		{"ops.reshape(x, {3, -1})", []int{3, 2}, []float64{1, 2, 3, 4, 5, 6}},
		{"ops.matmul(x, ops.transpose(x))", []int{2, 2}, []float64{14, 32, 32, 77}},
		{"ops.one_hot(ops.convert_to_tensor({2, 0, 5}), 3)", []int{3, 3}, []float64{0, 0, 1, 1, 0, 0, 0, 0, 0}},
		{"ops[\"repeat\"](x, 2, 0)", []int{4, 3}, []float64{1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6}},
		{"ops[\"repeat\"](x, 2, 1)", []int{2, 6}, []float64{1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6}},
		{"ops[\"repeat\"](x, 2)", []int{12}, []float64{1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6}},
		{"ops.ones_like(x) + ops.zeros({3}, \"float64\")", []int{2, 3}, []float64{1, 1, 1, 1, 1, 1}},
		{"ops.full({2}, 7)", []int{2}, []float64{7, 7}},
		{"ops.clip(x, 2, 5)", []int{2, 3}, []float64{2, 2, 3, 4, 5, 5}},
		{"ops.maximum(x, 3.5)", []int{2, 3}, []float64{3.5, 3.5, 3.5, 4, 5, 6}},
		{"ops.subtract(10, x)[1]", []int{3}, []float64{9, 8, 7}},
		{"ops.leaky_relu(-x)[1]", []int{3}, []float64{-0.2, -0.4, -0.6}},
		{"ops.stop_gradient(ops.abs(-x))[2]", []int{3}, []float64{4, 5, 6}},
		{"ops.sqrt(ops.square(x))[2]", []int{3}, []float64{4, 5, 6}},
		{"ops.log(ops.exp(x))[1]", []int{3}, []float64{1, 2, 3}},
		{"ops.convert_to_tensor(2.5)", []int{}, []float64{2.5}},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			rt, _ := newTestRuntime(t)
			shape, got := evalTensor(t, rt, prelude+"result = "+tc.expr)
			if !slices.Equal(shape, tc.shape) || !closeAll(got, tc.want, 1e-6) {
				t.Errorf("got %v %v want %v %v", shape, got, tc.shape, tc.want)
			}
		})
	}
}

func softmax(x []float64) []float64 {
	s := 0.0
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = math.Exp(v)
		s += out[i]
	}
	for i := range out {
		out[i] /= s
	}
	return out
}

func TestOpsErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"ops.ones({2, -1})", "ops.ones: argument shape: entry 2: expected a non-negative integer"},
		{"ops.ones({1e6, 1e6})", "has more than"},
		{"ops.mean(ops.ones({2}), 3)", "axis 3 out of range"},
		{"ops.mean(ops.ones({2}), 0, true, 5)", "ops.mean: takes at most 3 positional arguments"},
		{"ops.concatenate({ops.ones({2}), 3})", "ops.concatenate: argument xs: entry 2: expected a tensor, got number 3"},
		{"ops.one_hot(ops.convert_to_tensor({0.5}), 3)", "is not an integer"},
		{"ops.transpose(ops.ones({2, 3}), {0})", "not a permutation"},
		{"ops.convert_to_tensor({{1, 2}, {3}})", "ragged nesting"},
		{"ops.reshape(ops.ones({2, 3}), {4, 2})", "reshape"},
		{"ops.sum(ops.ones({2}), 'x')", "expected an axis or a table of axes, got string"},
		{"ops.matmul(ops.ones({2, 3}), ops.ones({2, 3}))", "matmul"},
	} {
		rt, _ := newTestRuntime(t)
		e := runLuaErr(t, rt, "local ops = require('ganlab').ops\n"+tc.src)
		if !strings.Contains(e.Msg, tc.want) || !strings.Contains(e.Msg, "test.lua:2:") {
			t.Errorf("%s: got %q, want %q", tc.src, e.Msg, tc.want)
		}
	}
}

func TestRandomReproducible(t *testing.T) {
	src := `
local keras = require('ganlab')
local sg = keras.random.SeedGenerator(1337)
local a = keras.random.normal{shape={4}, seed=sg}
local b = keras.random.normal({4}, {seed=sg})
local c = keras.random.uniform{{3}, minval=2, maxval=3}
local d = keras.random.normal{shape={2}, seed=7}
local e = keras.random.normal{shape={2}, seed=7}
print(table.concat(a:values(), ","))
print(table.concat(b:values(), ","))
print(table.concat(c:values(), ","))
print(table.concat(d:values(), ","), table.concat(e:values(), ","))
print(tostring(sg), keras.random.truncated_normal{shape={2, 2}, stddev=0.02}.dtype)`
	rt1, out1 := newTestRuntime(t)
	rt2, out2 := newTestRuntime(t)
	got1, got2 := runLua(t, rt1, out1, src), runLua(t, rt2, out2, src)
	if got1 != got2 {
		t.Errorf("same seed, different numbers:\n%s\n%s", got1, got2)
	}
	lines := strings.Split(got1, "\n")
	if lines[0] == lines[1] {
		t.Error("a seed generator did not advance")
	}
	de := strings.Split(lines[3], "\t")
	if len(de) != 2 || de[0] != de[1] {
		t.Errorf("an integer seed should repeat its draw: %q", lines[3])
	}
	for _, v := range strings.Split(lines[2], ",") {
		if v < "2" || v >= "3" {
			t.Errorf("uniform in [2, 3): %q", lines[2])
		}
	}
	if lines[4] != "SeedGenerator(1337)\tfloat32" {
		t.Errorf("got %q", lines[4])
	}
}

func TestConfigAndModules(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local keras = require('ganlab')
print(keras.config.epochs, keras.config.lr * 2, keras.config.name, keras.config.ema, keras.config.missing)
print(require('ganlab.ops') == keras.ops, require('ganlab.random') == keras.random, require('ganlab.config') == keras.config)
print(pcall(function() keras.config.epochs = 5 end))
local n = 0; for k in pairs(keras.config.items()) do n = n + 1 end; print(n)`)
	want := "3\t0.0004\tdcgan\ttrue\tnil\ntrue\ttrue\ttrue\nfalse"
	if !strings.HasPrefix(got, want) || !strings.Contains(got, "keras.config is read-only") || !strings.HasSuffix(got, "\n4") {
		t.Errorf("got\n%s", got)
	}
}
