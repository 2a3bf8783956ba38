package bindings

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// scriptedModel is a model whose train_step returns losses[epoch + 1]
// (one step per epoch) and counts its steps in n.
const scriptedModel = `
keras = require("ganlab")
M = keras.Model:extend("M")
n = 0
function M:train_step(d)
  n = n + 1
  return {loss = losses[n]}
end
model = M(); model:compile()
x = keras.ops.ones{1, 1}
`

func historyOf(t *testing.T, rt *Runtime, key string) []float64 {
	t.Helper()
	hist := rt.L.GetGlobal("hist").(*lua.LTable).RawGetString("history")
	return luaNumbers(t, rt.L.GetField(hist, key))
}

// TestEarlyStoppingAndCSVLogger stops after patience epochs without
// improvement, as Keras does, and logs each epoch to a CSV file in the run
// directory.
func TestEarlyStoppingAndCSVLogger(t *testing.T) {
	rt, out, dir := newFitRuntime(t, nil)
	runLua(t, rt, out, "losses = {3, 2, 2.5, 2.6, 1, 0.5}"+scriptedModel+`
hist = model:fit(x, {epochs = 6, verbose = 0, callbacks = {
  keras.callbacks.EarlyStopping{monitor = "loss", patience = 2},
  keras.callbacks.CSVLogger{"logs/history.csv"},
}})`)
	if got := historyOf(t, rt, "loss"); !closeAll(got, []float64{3, 2, 2.5, 2.6}, 0) {
		t.Errorf("history %v, want training stopped after two epochs without improving on 2", got)
	}
	b, err := os.ReadFile(filepath.Join(dir, "logs", "history.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 5 || lines[0] != "epoch,loss" || !strings.HasPrefix(lines[1], "0,3") || !strings.HasPrefix(lines[4], "3,2.6") {
		t.Errorf("CSV:\n%s", b)
	}
	e := runLuaErr(t, rt, `local keras = require("ganlab")
keras.callbacks.CSVLogger{"../outside.csv"}`)
	if !strings.Contains(e.Msg, "outside the run directory") {
		t.Errorf("CSVLogger outside the run directory: %q", e.Msg)
	}
	e = runLuaErr(t, rt, `local keras = require("ganlab")
keras.callbacks.EarlyStopping{patience = 2}`)
	if !strings.Contains(e.Msg, "monitor") {
		t.Errorf("EarlyStopping without monitor: %q", e.Msg)
	}
}

// TestTerminateOnNaN stops training after the step that logged NaN.
func TestTerminateOnNaN(t *testing.T) {
	rt, out, _ := newFitRuntime(t, nil)
	runLua(t, rt, out, "losses = {1, 0/0, 1, 1}"+scriptedModel+`
hist = model:fit(x, {epochs = 4, verbose = 0, callbacks = {keras.callbacks.TerminateOnNaN{}}})`)
	if n := lua.LVAsNumber(rt.L.GetGlobal("n")); n != 2 {
		t.Errorf("%v steps ran, want 2", n)
	}
}

// TestLearningRateScheduler halves the rate each epoch: of compile's
// optimizer for a Sequential, and of each optimizer field of a GAN.
func TestLearningRateScheduler(t *testing.T) {
	rt, out, _ := newFitRuntime(t, nil)
	runLua(t, rt, out, `
keras = require("ganlab")
local model = keras.Sequential({keras.Input{shape = {1}}, keras.layers.Dense{1}})
opt = keras.optimizers.SGD{learning_rate = 0.1}
model:compile{optimizer = opt, loss = "mse"}
local x = keras.ops.ones{4, 1}
hist = model:fit(x, x, {epochs = 3, verbose = 0, callbacks = {
  keras.callbacks.LearningRateScheduler{function(epoch, lr) return lr * 0.5 end},
}})
final = opt.learning_rate`)
	if got := historyOf(t, rt, "learning_rate"); !closeAll(got, []float64{0.05, 0.025, 0.0125}, 1e-15) {
		t.Errorf("learning rates %v", got)
	}
	if f := float64(lua.LVAsNumber(rt.L.GetGlobal("final"))); math.Abs(f-0.0125) > 1e-15 {
		t.Errorf("optimizer rate %v after fit", f)
	}

	runLua(t, rt, out, ganScript+`
hist = gan:fit(data, {batch_size = 6, epochs = 2, verbose = 0, callbacks = {
  keras.callbacks.LearningRateScheduler{function(epoch, lr) return 1e-3 * (epoch + 1) end},
}})`)
	for _, k := range []string{"d_optimizer_learning_rate", "g_optimizer_learning_rate"} {
		if got := historyOf(t, rt, k); !closeAll(got, []float64{1e-3, 2e-3}, 1e-15) {
			t.Errorf("%s %v", k, got)
		}
	}
}

// TestLambdaCallback checks the hooks of a LambdaCallback, and that a
// number a hook adds to the epoch's logs reaches the history.
func TestLambdaCallback(t *testing.T) {
	rt, out, _ := newFitRuntime(t, nil)
	runLua(t, rt, out, "losses = {4, 3, 2}"+scriptedModel+`
calls = {}
hist = model:fit(x, {epochs = 3, verbose = 0, callbacks = {keras.callbacks.LambdaCallback{
  on_train_begin = function(logs) table.insert(calls, "begin") end,
  on_epoch_end = function(epoch, logs) logs.extra = epoch * 10 + logs.loss end,
  on_train_end = function(logs) table.insert(calls, "end " .. logs.loss) end,
}}})
calls = table.concat(calls, ",")`)
	if got := historyOf(t, rt, "extra"); !closeAll(got, []float64{4, 13, 22}, 0) {
		t.Errorf("history extra %v", got)
	}
	if got := lua.LVAsString(rt.L.GetGlobal("calls")); got != "begin,end 2" {
		t.Errorf("calls %q", got)
	}
}

// TestFitProgress checks the default progress lines (verbose=1) and that a
// bad callback entry is an error naming it.
func TestFitProgress(t *testing.T) {
	rt, out, _ := newFitRuntime(t, nil)
	got := runLua(t, rt, out, "losses = {0.5, 0.25}"+scriptedModel+`model:fit(x, {epochs = 2})`)
	if !strings.Contains(got, "epoch 1/2 done") || !strings.Contains(got, "epoch 2/2 done") || !strings.Contains(got, "loss 0.2500") {
		t.Errorf("progress:\n%s", got)
	}
	e := runLuaErr(t, rt, `model:fit(x, {callbacks = {42}})`)
	if !strings.Contains(e.Msg, "entry 1") || !strings.Contains(e.Msg, "number 42") {
		t.Errorf("bad callback: %q", e.Msg)
	}
}
