package bindings

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// newTestRuntime makes a runtime whose print output goes to the returned
// buffer; roots are the require roots.
func newTestRuntime(t testing.TB, roots ...string) (*Runtime, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	rt, err := New(context.Background(), Options{Roots: roots, Seed: 42, Stdout: &out,
		Config: map[string]any{"epochs": 3, "lr": "2e-4", "name": "dcgan", "ema": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	return rt, &out
}

// runLua runs src and fails the test on error; it returns what it printed.
func runLua(t testing.TB, rt *Runtime, out *bytes.Buffer, src string) string {
	t.Helper()
	out.Reset()
	if err := rt.RunString(src, "test.lua"); err != nil {
		t.Fatalf("lua error: %v", err)
	}
	return strings.TrimSpace(out.String())
}

// runLuaErr runs src and returns its error, failing the test if there is none.
func runLuaErr(t testing.TB, rt *Runtime, src string) *Error {
	t.Helper()
	err := rt.RunString(src, "test.lua")
	if err == nil {
		t.Fatalf("expected an error from:\n%s", src)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not *Error: %v", err, err)
	}
	return e
}

func TestErrorCarriesFileLineAndTraceback(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "test.lua")
	src := "local keras = require('ganlab')\nlocal function f()\n  error('boom')\nend\nf()\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	rt, _ := newTestRuntime(t)
	err := rt.RunFile(path)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want *Error", err)
	}
	if !strings.Contains(e.Msg, "test.lua:3: boom") || e.Line != 3 || !strings.HasSuffix(e.File, "test.lua") {
		t.Errorf("message %q file %q line %d; want test.lua:3: boom", e.Msg, e.File, e.Line)
	}
	if !strings.Contains(e.Traceback, "stack traceback:") || !strings.Contains(e.Traceback, "test.lua:5:") {
		t.Errorf("traceback lacks the caller's line 5:\n%s", e.Traceback)
	}
	if !strings.Contains(err.Error(), "stack traceback:") {
		t.Errorf("Error() lacks the traceback: %v", err)
	}
}

func TestBindingErrorHasScriptPosition(t *testing.T) {
	rt, _ := newTestRuntime(t)
	e := runLuaErr(t, rt, "local ops = require('ganlab').ops\nlocal a = ops.ones({2, 3})\nlocal c = a + ops.ones({4})\n")
	if !strings.Contains(e.Msg, "test.lua:3:") || !strings.Contains(e.Msg, "add: shapes [2 3] and [4] do not broadcast") {
		t.Errorf("got %q", e.Msg)
	}
}

func TestGoPanicBecomesLuaError(t *testing.T) {
	rt, out := newTestRuntime(t)
	rt.L.SetGlobal("explode", rt.Func("explode", func(L *lua.LState) int {
		var m map[string]int
		m["x"] = 1 // panics: assignment to entry in nil map
		return 0
	}))
	got := runLua(t, rt, out, `
local ok, err = pcall(explode)
print(ok, err)
print("still running")`)
	if !strings.Contains(got, "false") || !strings.Contains(got, "explode:") || !strings.Contains(got, "nil map") || !strings.Contains(got, "still running") {
		t.Errorf("got %q", got)
	}
	// Uncaught, it is an error from RunString, not a crash.
	e := runLuaErr(t, rt, "\nexplode()")
	if !strings.Contains(e.Msg, "test.lua:2:") || !strings.Contains(e.Msg, "explode") {
		t.Errorf("got %q", e.Msg)
	}
}

func TestTensorErrorCatchableWithPcall(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local ops = require('ganlab').ops
local ok, err = pcall(function() return ops.ones({2, 3}) + ops.ones({4}) end)
print(ok, err)`)
	if !strings.HasPrefix(got, "false") || !strings.Contains(got, "add: shapes [2 3] and [4] do not broadcast") {
		t.Errorf("got %q", got)
	}
}

func TestContextTimeoutStopsEndlessLoop(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	rt, err := New(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	start := time.Now()
	err = rt.RunString("while true do end", "loop.lua")
	if err == nil {
		t.Fatal("endless loop returned without error")
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("stopped after %v", d)
	}
	// pcall cannot swallow the stop: the loop around it is stopped too.
	rt2, _ := New(ctx, Options{})
	defer rt2.Close()
	if err := rt2.RunString("while true do pcall(function() while true do end end) end", "loop2.lua"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("pcall loop: %v", err)
	}
}

func TestPrintGoesToStdoutOption(t *testing.T) {
	rt, out := newTestRuntime(t)
	if got := runLua(t, rt, out, `print("a", 1, nil, true)`); got != "a\t1\tnil\ttrue" {
		t.Errorf("got %q", got)
	}
}

func TestSyntaxError(t *testing.T) {
	rt, _ := newTestRuntime(t)
	err := rt.RunString("local x = = 1", "bad.lua")
	if err == nil || !strings.Contains(err.Error(), "bad.lua") {
		t.Errorf("got %v", err)
	}
}

// TestNestedCallError is the fit → train_step path: a Go binding calls a
// Lua function with rt.Call inside a scope and raises its error again; the
// error RunFile returns points at the failing line of train_step and keeps
// the traceback taken there.
func TestNestedCallError(t *testing.T) {
	rt, out := newTestRuntime(t)
	rt.L.SetGlobal("fit", rt.Func("Model.fit", func(L *lua.LState) int {
		step := L.CheckFunction(1)
		for i := 1; i <= 3; i++ {
			err := rt.Scope(func() error {
				_, err := rt.Call(step, 1, lua.LNumber(i))
				return err
			})
			if err != nil {
				rt.Raise(L, err)
			}
		}
		return 0
	}))
	src := `local ops = require('ganlab').ops
local function train_step(i)
  if i == 2 then
    return ops.ones({2}) + ops.ones({3})
  end
  return ops.ones({2})
end
fit(train_step)
`
	e := runLuaErr(t, rt, src)
	if !strings.HasPrefix(e.Msg, "test.lua:4: add: shapes [2] and [3] do not broadcast") || e.Line != 4 {
		t.Errorf("message %q line %d", e.Msg, e.Line)
	}
	if !strings.Contains(e.Traceback, "test.lua:4:") || !strings.Contains(e.Traceback, "test.lua:8:") {
		t.Errorf("traceback should hold train_step's line 4 and the fit call on line 8:\n%s", e.Traceback)
	}
	// pcall around fit sees the same message.
	got := runLua(t, rt, out, src[:len(src)-len("fit(train_step)\n")]+"print(pcall(fit, train_step))")
	if !strings.Contains(got, "false\ttest.lua:4: add: shapes [2] and [3] do not broadcast") {
		t.Errorf("pcall(fit): %q", got)
	}
}
