package bindings

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
)

// evalTensor runs src, which must set the global `result` to a tensor, and
// returns its shape and values.
func evalTensor(t *testing.T, rt *Runtime, src string) ([]int, []float64) {
	t.Helper()
	if err := rt.RunString(src, "test.lua"); err != nil {
		t.Fatalf("lua error: %v", err)
	}
	v, err := rt.ToVar(rt.L.GetGlobal("result"))
	if err != nil {
		t.Fatalf("result: %v", err)
	}
	return v.Shape(), v.Value.Values()
}

// naiveBroadcast applies f to a (2x3) and b (3) the way NumPy broadcasts a
// row vector, written out by index.
func naiveBroadcast(a [2][3]float64, b [3]float64, f func(x, y float64) float64) []float64 {
	var out []float64
	for i := range 2 {
		for j := range 3 {
			out = append(out, f(a[i][j], b[j]))
		}
	}
	return out
}

func closeAll(got, want []float64, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*math.Max(1, math.Abs(want[i])) {
			return false
		}
	}
	return true
}

func TestTensorOperatorsBroadcast(t *testing.T) {
	a := [2][3]float64{{1, 2, 3}, {4, 5, 6}}
	b := [3]float64{10, -20, 0.5}
	prelude := "local ops = require('ganlab').ops\nlocal a = ops.convert_to_tensor({{1, 2, 3}, {4, 5, 6}})\nlocal b = ops.convert_to_tensor({10, -20, 0.5})\n"
	for _, tc := range []struct {
		expr string
		f    func(x, y float64) float64
	}{
		{"a + b", func(x, y float64) float64 { return x + y }},
		{"a - b", func(x, y float64) float64 { return x - y }},
		{"a * b", func(x, y float64) float64 { return x * y }},
		{"a / b", func(x, y float64) float64 { return x / y }},
		{"b - a", func(x, y float64) float64 { return y - x }},
		{"b / a", func(x, y float64) float64 { return y / x }},
		{"a + 2", func(x, _ float64) float64 { return x + 2 }},
		{"2 + a", func(x, _ float64) float64 { return 2 + x }},
		{"a - 2", func(x, _ float64) float64 { return x - 2 }},
		{"2 - a", func(x, _ float64) float64 { return 2 - x }},
		{"a * 3", func(x, _ float64) float64 { return x * 3 }},
		{"3 * a", func(x, _ float64) float64 { return 3 * x }},
		{"a / 4", func(x, _ float64) float64 { return x / 4 }},
		{"4 / a", func(x, _ float64) float64 { return 4 / x }},
		{"-a", func(x, _ float64) float64 { return -x }},
		{"(a + b) * (a - b) / 2", func(x, y float64) float64 { return (x + y) * (x - y) / 2 }},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			rt, _ := newTestRuntime(t)
			shape, got := evalTensor(t, rt, prelude+"result = "+tc.expr)
			want := naiveBroadcast(a, b, tc.f)
			if !slices.Equal(shape, []int{2, 3}) || !closeAll(got, want, 1e-6) {
				t.Errorf("shape %v values %v, want [2 3] %v", shape, got, want)
			}
		})
	}
}

func TestTensorFieldsAndMethods(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local ops = require('ganlab').ops
local a = ops.convert_to_tensor({{1, 2, 3}, {4, 5, 6}})
print(#a, a.shape[1], a.shape[2], #a.shape, a.dtype, a.ndim)
print(a[2]:values()[1], a[2]:values()[3], #a[2].shape, a[1][3]:item())
print(a:sum():item(), a:mean():item(), table.concat(a:sum(0):values(), ","), table.concat(a:mean(-1, true).shape, ","))
print(table.concat(a:reshape{3, 2}.shape, ","), table.concat(a:reshape(6).shape, ","), table.concat(a:reshape{-1}.shape, ","))
print(a == a, a == a:detach(), a ~= ops.ones({2, 3}))
print(tostring(a))
print(ops.convert_to_tensor({1, 2}, "float64").dtype, (ops.ones({2}, "float64") + 1).dtype)
local ok, err = pcall(function() return a[3] end)
print(ok, err)
ok, err = pcall(function() return ops.ones({}):item() + #ops.ones({}) end)
print(ok, err)
ok, err = pcall(function() a.shape = 3 end)
print(ok, err)
ok, err = pcall(function() return a + "x" end)
print(ok, err)`)
	want := []string{
		"2\t2\t3\t2\tfloat32\t2",
		"4\t6\t1\t3",
		"21\t3.5\t5,7,9\t2,1",
		"3,2\t6\t6",
		"true\tfalse\ttrue",
		"Tensor(float32 [2 3] [1 2 3 4 5 6])",
		"float64\tfloat64",
	}
	lines := strings.Split(got, "\n")
	for i, w := range want {
		if i >= len(lines) || lines[i] != w {
			t.Errorf("line %d: got %q want %q", i+1, at(lines, i), w)
		}
	}
	for i, w := range []string{"example 3 out of range 1..2", "a scalar tensor has no first axis", "tensors are read-only", "expected a tensor, got string"} {
		if l := at(lines, len(want)+i); !strings.HasPrefix(l, "false") || !strings.Contains(l, w) {
			t.Errorf("error line %d: got %q, want it to contain %q", i+1, l, w)
		}
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<missing>"
}

// TestOperatorsCarryGradients checks that operators build the autograd
// record: d/da sum(a*a + 3a - a/2) = 2a + 2.5.
func TestOperatorsCarryGradients(t *testing.T) {
	rt, _ := newTestRuntime(t)
	_, got := evalTensor(t, rt, `
local keras = require('ganlab')
local a = keras.ops.convert_to_tensor({1, -2, 0.5})
local tape = keras.GradientTape()
tape:watch(a)
local y = (a * a + 3 * a - a / 2):sum()
result = tape:gradient(y, a)`)
	want := []float64{2*1 + 2.5, 2*-2 + 2.5, 2*0.5 + 2.5}
	if !closeAll(got, want, 1e-6) {
		t.Errorf("got %v want %v", got, want)
	}
}

func TestNewTensorFromGo(t *testing.T) {
	rt, out := newTestRuntime(t)
	w := autograd.Param(onesT(2, 2), "kernel")
	rt.L.SetGlobal("w", rt.NewTensor(rt.L, w, true))
	got := runLua(t, rt, out, `print(w.shape[1], w.dtype, (w * 2):sum():item())`)
	if got != "2\tfloat32\t8" {
		t.Errorf("got %q", got)
	}
}
