package bindings

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/tensor"
	"github.com/ganlab/ganlab/core/train"
	lua "github.com/yuin/gopher-lua"
)

// naiveSGD fits y ≈ w·x + b on the mean squared error with plain gradient
// descent, in batches of bs in order, written out by hand: the reference
// for fit. It returns the final w, b and each epoch's mean step loss.
func naiveSGD(w, b float64, xs, ys []float64, lr float64, bs, epochs int) (float64, float64, []float64) {
	var epochLoss []float64
	for range epochs {
		sum, steps := 0.0, 0
		for start := 0; start < len(xs); start += bs {
			end := min(start+bs, len(xs))
			n := float64(end - start)
			loss, dw, db := 0.0, 0.0, 0.0
			for i := start; i < end; i++ {
				r := w*xs[i] + b - ys[i]
				loss += r * r / n
				dw += 2 * r * xs[i] / n
				db += 2 * r / n
			}
			w, b = w-lr*dw, b-lr*db
			sum += loss
			steps++
		}
		epochLoss = append(epochLoss, sum/float64(steps))
	}
	return w, b, epochLoss
}

func luaNumbers(t *testing.T, v lua.LValue) []float64 {
	t.Helper()
	tb, ok := v.(*lua.LTable)
	if !ok {
		t.Fatalf("expected a table, got %s", typeName(v))
	}
	out := make([]float64, tb.Len())
	for i := range out {
		out[i] = float64(lua.LVAsNumber(tb.RawGetInt(i + 1)))
	}
	return out
}

// TestFitMatchesNaiveSGD trains y = 2x + 1 twice, with a subclassed Model
// whose train_step uses the tape and an optimizer, and with a compiled
// Sequential and the default train_step, and compares the weights and the
// per-epoch losses with gradient descent written out by hand.
func TestFitMatchesNaiveSGD(t *testing.T) {
	const setup = `
keras = require("ganlab")
ops = keras.ops
x = ops.convert_to_tensor({{0}, {1}, {2}, {3}, {4}, {5}, {6}}, "float64")
y = 2 * x + 1
`
	for _, tc := range []struct{ name, src string }{
		{"subclass train_step", `
local Reg = keras.Model:extend("Reg")
function Reg:init() self.dense = keras.layers.Dense{1} end
function Reg:call(x) return self.dense(x) end
function Reg:compile(opt) Reg.super.compile(self); self.opt = opt end
function Reg:train_step(data)
  local x, y = data[1], data[2]
  local tape = keras.GradientTape()
  local loss = ops.mean(ops.square(self(x) - y))
  local w = self.dense.trainable_weights
  self.opt:apply_gradients(tape:gradient(loss, w), w)
  return {loss = loss}
end
model = Reg()
model(x)
w0, b0 = model.dense.weights[1]:item(), model.dense.weights[2]:item()
model:compile(keras.optimizers.SGD{learning_rate = 0.01})
hist = model:fit(x, y, {batch_size = 3, epochs = 4, verbose = 0})
w1, b1 = model.dense.weights[1]:item(), model.dense.weights[2]:item()`},
		{"compiled Sequential", `
model = keras.Sequential({keras.Input{shape = {1}}, keras.layers.Dense{1, dtype = "float64"}})
w0, b0 = model.weights[1]:item(), model.weights[2]:item()
model:compile{optimizer = keras.optimizers.SGD{learning_rate = 0.01}, loss = "mse"}
hist = model:fit(x, y, {batch_size = 3, epochs = 4, verbose = 0})
w1, b1 = model.weights[1]:item(), model.weights[2]:item()`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt, out, _ := newFitRuntime(t, nil)
			runLua(t, rt, out, setup+tc.src)
			g := func(name string) float64 { return float64(lua.LVAsNumber(rt.L.GetGlobal(name))) }
			xs := []float64{0, 1, 2, 3, 4, 5, 6}
			ys := make([]float64, len(xs))
			for i, x := range xs {
				ys[i] = 2*x + 1
			}
			w, b, losses := naiveSGD(g("w0"), g("b0"), xs, ys, 0.01, 3, 4)
			if math.Abs(g("w1")-w) > 1e-12 || math.Abs(g("b1")-b) > 1e-12 {
				t.Errorf("weights w=%v b=%v, want %v %v", g("w1"), g("b1"), w, b)
			}
			hist := rt.L.GetGlobal("hist").(*lua.LTable)
			got := luaNumbers(t, rt.L.GetField(hist.RawGetString("history"), "loss"))
			if !closeAll(got, losses, 1e-12) {
				t.Errorf("history loss %v, want %v", got, losses)
			}
			if ep := luaNumbers(t, hist.RawGetString("epoch")); !closeAll(ep, []float64{0, 1, 2, 3}, 0) {
				t.Errorf("history epoch %v", ep)
			}
		})
	}
}

// ganScript is a tiny GAN on 2-d points, written like the guide's: a
// subclassed Model with trackers, a Lua train_step with two tapes and
// two optimizers. It records every step's losses in steps[epoch].
const ganScript = `
keras = require("ganlab")
local ops, layers = keras.ops, keras.layers
local GAN = keras.Model:extend("GAN")
function GAN:init(d, g, latent_dim)
  self.discriminator, self.generator, self.latent_dim = d, g, latent_dim
  self.seed_generator = keras.random.SeedGenerator(1337)
end
function GAN:compile(d_optimizer, g_optimizer, loss_fn)
  GAN.super.compile(self)
  self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn
  self.d_loss_metric = keras.metrics.Mean{name = "d_loss"}
  self.g_loss_metric = keras.metrics.Mean{name = "g_loss"}
end
steps = {}
function GAN:train_step(real)
  local n = real.shape[1]
  local z = keras.random.normal{shape = {n, self.latent_dim}, seed = self.seed_generator}
  local fake = self.generator(z)
  local combined = ops.concatenate({fake, real}, 0)
  local labels = ops.concatenate({ops.ones{n, 1}, ops.zeros{n, 1}}, 0)
  local tape = keras.GradientTape()
  local d_loss = self.loss_fn(labels, self.discriminator(combined))
  local grads = tape:gradient(d_loss, self.discriminator.trainable_weights)
  self.d_optimizer:apply_gradients(grads, self.discriminator.trainable_weights)
  z = keras.random.normal{shape = {n, self.latent_dim}, seed = self.seed_generator}
  tape = keras.GradientTape()
  local g_loss = self.loss_fn(ops.zeros{n, 1}, self.discriminator(self.generator(z)))
  grads = tape:gradient(g_loss, self.generator.trainable_weights)
  self.g_optimizer:apply_gradients(grads, self.generator.trainable_weights)
  self.d_loss_metric:update_state(d_loss)
  self.g_loss_metric:update_state(g_loss)
  local e = math.max(#steps, 1)
  steps[e] = steps[e] or {}
  table.insert(steps[e], d_loss:item())
  return {d_loss = self.d_loss_metric:result(), g_loss = self.g_loss_metric:result()}
end
d = keras.Sequential({keras.Input{shape = {2}}, layers.Dense{8}, layers.LeakyReLU{negative_slope = 0.2}, layers.Dense{1}}, {name = "d"})
g = keras.Sequential({keras.Input{shape = {3}}, layers.Dense{8, activation = "relu"}, layers.Dense{2}}, {name = "g"})
gan = GAN(d, g, 3)
gan:compile(keras.optimizers.Adam{learning_rate = 1e-2, beta_1 = 0.5}, keras.optimizers.Adam{learning_rate = 1e-2, beta_1 = 0.5},
            keras.losses.BinaryCrossentropy{from_logits = true})
data = keras.random.normal{shape = {12, 2}} * 0.5 + 2
`

// TestFitGANHooksAndHistory trains the tiny GAN with a Lua Callback that
// records every hook; it checks Keras's hook order (epochs and batches
// 0-based), self.model, and that the history's per-epoch d_loss is the mean
// of that epoch's step losses (the trackers are reset at each epoch).
func TestFitGANHooksAndHistory(t *testing.T) {
	rt, out, _ := newFitRuntime(t, nil)
	runLua(t, rt, out, ganScript+`
local Recorder = keras.callbacks.Callback:extend("Recorder")
function Recorder:init() self.events = {} end
local function rec(name) return function(self, a, logs)
  local s = name
  if type(a) == "number" then s = s .. " " .. a end
  table.insert(self.events, s)
  if name == "epoch_begin" then table.insert(steps, {}) end
  assert(self.model == gan, "self.model must be the model being fit")
end end
for _, h in ipairs({"train_begin", "train_end", "epoch_begin", "epoch_end", "train_batch_begin", "train_batch_end"}) do
  Recorder["on_" .. h] = rec(h)
end
recorder = Recorder()
w_before = d.trainable_weights[1]:values()[1]
hist = gan:fit(data, {batch_size = 4, epochs = 2, callbacks = {recorder}, verbose = 0})
w_after = d.trainable_weights[1]:values()[1]
events = table.concat(recorder.events, ",")`)
	want := "train_begin,epoch_begin 0," +
		"train_batch_begin 0,train_batch_end 0,train_batch_begin 1,train_batch_end 1,train_batch_begin 2,train_batch_end 2," +
		"epoch_end 0,epoch_begin 1," +
		"train_batch_begin 0,train_batch_end 0,train_batch_begin 1,train_batch_end 1,train_batch_begin 2,train_batch_end 2," +
		"epoch_end 1,train_end"
	if got := lua.LVAsString(rt.L.GetGlobal("events")); got != want {
		t.Errorf("hooks:\n%s\nwant\n%s", got, want)
	}
	if rt.L.GetGlobal("w_before") == rt.L.GetGlobal("w_after") {
		t.Errorf("the discriminator's weights did not change")
	}
	hist := rt.L.GetGlobal("hist").(*lua.LTable).RawGetString("history")
	dl := luaNumbers(t, rt.L.GetField(hist, "d_loss"))
	steps := rt.L.GetGlobal("steps").(*lua.LTable)
	if len(dl) != 2 || steps.Len() != 2 {
		t.Fatalf("history d_loss %v, %d recorded epochs", dl, steps.Len())
	}
	for e := range 2 {
		s := luaNumbers(t, steps.RawGetInt(e+1))
		mean := 0.0
		for _, v := range s {
			mean += v / float64(len(s))
		}
		if len(s) != 3 || math.Abs(dl[e]-mean) > 1e-6*math.Max(1, math.Abs(mean)) {
			t.Errorf("epoch %d: history d_loss %v, mean of the step losses %v %v", e, dl[e], s, mean)
		}
	}
	if len(luaNumbers(t, rt.L.GetField(hist, "g_loss"))) != 2 {
		t.Errorf("no g_loss history")
	}
}

// TestFitStopTraining checks model.stop_training from a callback and from
// train_step: training ends after the current step.
func TestFitStopTraining(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		steps     int
	}{
		{"callback", `
local Stopper = keras.callbacks.Callback:extend("Stopper")
function Stopper:on_train_batch_end(batch, logs) if batch == 1 then self.model.stop_training = true end end
hist = model:fit(x, {batch_size = 1, epochs = 5, callbacks = {Stopper()}, verbose = 0})`, 2},
		{"train_step", `
function M:train_step(data) n = n + 1; if n == 3 then self.stop_training = true end; return {loss = n} end
hist = model:fit(x, {batch_size = 1, epochs = 5, verbose = 0})`, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt, out, _ := newFitRuntime(t, nil)
			runLua(t, rt, out, `
keras = require("ganlab")
M = keras.Model:extend("M")
n = 0
function M:train_step(data) n = n + 1; return {loss = n} end
model = M()
model:compile()
x = keras.ops.ones{10, 2}
`+tc.src)
			if n := int(lua.LVAsNumber(rt.L.GetGlobal("n"))); n != tc.steps {
				t.Errorf("%d steps ran, want %d", n, tc.steps)
			}
			ep := luaNumbers(t, rt.L.GetGlobal("hist").(*lua.LTable).RawGetString("epoch"))
			if len(ep) != 1 {
				t.Errorf("epochs %v, want only epoch 0", ep)
			}
		})
	}
}

// TestFitReleasesStepTemporaries runs 1,000 train steps of a small model
// and checks that the live tensor count is back where it was: every
// temporary of train_step (the batch, activations, losses, gradients) is
// released when the step returns.
func TestFitReleasesStepTemporaries(t *testing.T) {
	rt, out, _ := newFitRuntime(t, nil)
	runLua(t, rt, out, `
keras = require("ganlab")
local ops = keras.ops
local Reg = keras.Model:extend("Reg")
function Reg:init() self.net = keras.Sequential({keras.Input{shape = {4}}, keras.layers.Dense{8, activation = "tanh"}, keras.layers.Dense{1}}) end
function Reg:compile(opt) Reg.super.compile(self); self.opt = opt; self.tracker = keras.metrics.Mean{name = "loss"} end
stash = {}
function Reg:train_step(data)
  local x, y = data[1], data[2]
  local tape = keras.GradientTape()
  local loss = ops.mean(ops.square(self.net(x) - y))
  local w = self.net.trainable_weights
  self.opt:apply_gradients(tape:gradient(loss, w), w)
  stash[1] = loss -- kept in a Lua table, released all the same
  self.tracker:update_state(loss)
  return {loss = self.tracker:result()}
end
model = Reg()
model:compile(keras.optimizers.Adam{learning_rate = 1e-3})
x = keras.random.normal{shape = {16, 4}}
y = ops.sum(x, 1, true)
model:fit(x, y, {batch_size = 8, epochs = 1, verbose = 0})`)
	before := rt.LiveTensors()
	runLua(t, rt, out, `hist = model:fit(x, y, {batch_size = 8, steps_per_epoch = 500, epochs = 2, verbose = 0})`)
	if after := rt.LiveTensors(); after != before {
		t.Errorf("live tensors %d before 1,000 steps, %d after", before, after)
	}
	e := runLuaErr(t, rt, `print(stash[1] + 1)`)
	if !strings.Contains(e.Msg, "released") {
		t.Errorf("using a step's tensor afterwards: %q", e.Msg)
	}
}

// TestFitErrorsCarryPosition checks that an error inside train_step or a
// callback hook reaches Go with the script's file and line.
func TestFitErrorsCarryPosition(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		line       int
		want       string
	}{
		{"error()", `function M:train_step(data)
  error("boom")
end`, 8, "boom"},
		{"shape mismatch", `function M:train_step(data)
  local a = data + keras.ops.ones{3}
end`, 8, "[4 2]"},
		{"bad logs", `function M:train_step(data)
  return {loss = "high"}
end`, 0, `loss = string "high"`},
		{"callback", `local CB = keras.callbacks.Callback:extend("CB")
function CB:on_epoch_end(epoch, logs)
  local _ = nil + 1
end
cbs = {CB()}`, 9, "cannot perform add"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt, _, _ := newFitRuntime(t, nil)
			src := "keras = require('ganlab')\nM = keras.Model:extend('M')\nfunction M:train_step(d) return {} end\nmodel = M()\nmodel:compile()\ncbs = {}\n" +
				tc.body + "\nmodel:fit(keras.ops.ones{8, 2}, {batch_size = 4, callbacks = cbs, verbose = 0})"
			err := rt.RunString(src, "fit.lua")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v, want an *Error", err)
			}
			if !strings.Contains(e.Msg, tc.want) {
				t.Errorf("message %q lacks %q", e.Msg, tc.want)
			}
			if tc.line > 0 && (e.File != "fit.lua" || e.Line != tc.line) {
				t.Errorf("position %s:%d, want fit.lua:%d (%s)", e.File, e.Line, tc.line, e.Msg)
			}
			if tc.line > 0 && !strings.Contains(e.Traceback, "fit.lua:") {
				t.Errorf("traceback lacks the script: %s", e.Traceback)
			}
		})
	}
}

// TestFitCommandLineWins checks that --epochs and --steps-per-epoch
// (keras.config) override fit's arguments.
func TestFitCommandLineWins(t *testing.T) {
	rt, out, _ := newFitRuntime(t, map[string]any{"epochs": 2, "steps_per_epoch": "3"})
	runLua(t, rt, out, `
keras = require("ganlab")
M = keras.Model:extend("M")
n = 0
function M:train_step(d) n = n + 1; return {loss = n} end
model = M(); model:compile()
hist = model:fit(keras.ops.ones{100, 1}, {batch_size = 1, epochs = 10, steps_per_epoch = 50, verbose = 0})`)
	if n := lua.LVAsNumber(rt.L.GetGlobal("n")); n != 6 {
		t.Errorf("%v steps ran, want 2 epochs × 3 steps", n)
	}
}

// TestFitInterrupted cancels the runtime's context after the third step:
// fit stops before the next one and raises an error that wraps
// context.Canceled; LastFit says where training stopped.
func TestFitInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rt, err := New(ctx, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.SetFitHooks(FitHooks{Callbacks: func(*FitModel) []train.Callback {
		return []train.Callback{&train.LambdaCallback{TrainBatchEnd: func(b int, _ train.Logs) error {
			if b == 2 {
				cancel()
			}
			return nil
		}}}
	}})
	err = rt.RunString(`
local keras = require("ganlab")
local M = keras.Model:extend("M")
n = 0
function M:train_step(d) n = n + 1; return {loss = n} end
local model = M(); model:compile()
model:fit(keras.ops.ones{10, 1}, {batch_size = 1, epochs = 3, verbose = 0})
n = -1`, "stop.lua")
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "fit: stopped") {
		t.Fatalf("error %v, want fit stopped wrapping context.Canceled", err)
	}
	var ie *train.InterruptedError
	if r := rt.LastFit(); r == nil || !errors.As(r.Err, &ie) || ie.Epoch != 0 || ie.Step != 3 {
		t.Errorf("LastFit %+v, want an InterruptedError at epoch 0 step 3", rt.LastFit())
	}
}

// eofDataset is a Dataset (as keras.data's are) that runs out after n
// batches of {images, labels}.
type eofDataset struct{ n, served int }

func (d *eofDataset) Next() ([]*tensor.Tensor, error) {
	if d.served == d.n {
		return nil, io.EOF
	}
	d.served++
	return []*tensor.Tensor{tensor.Full(tensor.Float32, float64(d.served), 2, 3), tensor.Full(tensor.Float32, 1, 2)}, nil
}
func (d *eofDataset) StepsPerEpoch() int { return 2 }
func (d *eofDataset) BatchSize() int     { return 2 }

// TestFitOnDataset drives fit with a Go Dataset userdata: labelled batches
// arrive as {images, labels}, and io.EOF ends training.
func TestFitOnDataset(t *testing.T) {
	rt, out, _ := newFitRuntime(t, nil)
	ud := rt.L.NewUserData()
	ud.Value = &eofDataset{n: 3}
	rt.L.SetGlobal("ds", ud)
	runLua(t, rt, out, `
keras = require("ganlab")
M = keras.Model:extend("M")
seen = {}
function M:train_step(data)
  table.insert(seen, string.format("%d:%d:%g", #data, data[2].shape[1], data[1]:values()[1]))
  return {}
end
model = M(); model:compile()
hist = model:fit(ds, {epochs = 5, verbose = 0})
seen = table.concat(seen, ",")`)
	if got := lua.LVAsString(rt.L.GetGlobal("seen")); got != "2:2:1,2:2:2,2:2:3" {
		t.Errorf("batches seen %q", got)
	}
}

// TestExperimentsRun runs each of the guide's experiments for one step on
// MNIST: the layers, models, fit and callbacks they use work together, the
// Lua GANMonitor writes its grid, and LastFit exposes G, D and their
// optimizers to the program running the script.
func TestExperimentsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on MNIST; skipped with -short")
	}
	for _, name := range []string{"dcgan", "wgan_gp", "conditional_gan"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			rt, err := New(context.Background(), Options{Seed: 1, RunDir: dir,
				Roots:  []string{"../experiments", "../scripts"},
				Config: map[string]any{"epochs": 1, "steps_per_epoch": 1}})
			if err != nil {
				t.Fatal(err)
			}
			defer rt.Close()
			if err := rt.RunFile("../experiments/" + name + ".lua"); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, "samples", "epoch_0001.png")); err != nil {
				t.Errorf("no sample grid: %v", err)
			}
			r := rt.LastFit()
			if r == nil || r.Err != nil || r.History == nil {
				t.Fatalf("LastFit %+v", r)
			}
			if len(r.History.History["d_loss"]) != 1 && len(r.History.History["discriminator_loss"]) != 1 {
				t.Errorf("history keys %v", r.History.Keys())
			}
			for _, part := range []string{"generator", "discriminator"} {
				if r.Model.Parts[part] == nil {
					t.Errorf("LastFit has no %s among %v", part, r.Model.Parts)
				}
			}
			for _, o := range []string{"d_optimizer", "g_optimizer"} {
				if r.Model.Optimizers[o] == nil || r.Model.Optimizers[o].Iterations() == 0 {
					t.Errorf("optimizer %s missing or unused: %v", o, r.Model.Optimizers)
				}
			}
		})
	}
}

// TestFitRecycledGraphsTrainBitwiseLikeKeptOnes fits a WGAN-GP-style model
// in Lua twice from the same seeds: once recycling each step's graph when
// the step's scope ends (the default), once leaving it to the garbage
// collector (Options.KeepGraphs). The weights, a tensor of the run used in
// every step and tensors the script kept must come out bit for bit equal:
// storage recycled while something still read it would show up here. The
// activations are large enough to be pooled.
func TestFitRecycledGraphsTrainBitwiseLikeKeptOnes(t *testing.T) {
	const script = `
keras = require("ganlab")
local ops, layers = keras.ops, keras.layers
local penalty = require("gan.penalty")
local GAN = keras.Model:extend("GAN")
function GAN:init(d, g) self.d, self.g, self.seed = d, g, keras.random.SeedGenerator(7) end
function GAN:compile(dopt, gopt) GAN.super.compile(self); self.dopt, self.gopt = dopt, gopt end
fixed = keras.random.normal{shape = {16, 16}, seed = 3}
kept = {}
function GAN:train_step(real)
  local n = real.shape[1]
  local z = keras.random.normal{shape = {n, 16}, seed = self.seed} + fixed
  local tape = keras.GradientTape()
  local fake = self.g(z, {training = true})
  local gp = penalty.gradient_penalty(self.d, real, fake, self.seed)
  local d_loss = ops.mean(self.d(fake, {training = true})) - ops.mean(self.d(real, {training = true})) + gp * 10
  self.dopt:apply_gradients(tape:gradient(d_loss, self.d.trainable_weights), self.d.trainable_weights)
  tape = keras.GradientTape()
  local g_loss = -ops.mean(self.d(self.g(z, {training = true}), {training = true}))
  self.gopt:apply_gradients(tape:gradient(g_loss, self.g.trainable_weights), self.g.trainable_weights)
  kept[#kept + 1] = keras.keep(fake)
  return {d_loss = d_loss, g_loss = g_loss}
end
d = keras.Sequential({keras.Input{shape = {16, 16, 8}}, layers.Conv2D{32, 3, padding = "same"},
  layers.LeakyReLU{negative_slope = 0.2}, layers.Flatten(), layers.Dense{1}})
g = keras.Sequential({keras.Input{shape = {16}}, layers.Dense{16 * 16 * 8}, layers.BatchNormalization(),
  layers.ReLU(), layers.Reshape{{16, 16, 8}}})
gan = GAN(d, g)
gan:compile(keras.optimizers.Adam{learning_rate = 1e-3}, keras.optimizers.Adam{learning_rate = 1e-3})
real = keras.random.normal{shape = {32, 16, 16, 8}, seed = 5}
gan:fit(real, {batch_size = 16, epochs = 2, verbose = 0})
out = {}
for _, w in ipairs(d.trainable_weights) do table.insert(out, w) end
for _, w in ipairs(g.trainable_weights) do table.insert(out, w) end
table.insert(out, fixed)
for _, k in ipairs(kept) do table.insert(out, k) end`
	run := func(keep bool) [][]float64 {
		var buf bytes.Buffer
		rt, err := New(context.Background(), Options{Seed: 1, Stdout: &buf, RunDir: t.TempDir(),
			Roots: []string{"../scripts"}, KeepGraphs: keep})
		if err != nil {
			t.Fatal(err)
		}
		defer rt.Close()
		runLua(t, rt, &buf, script)
		tb := rt.L.GetGlobal("out").(*lua.LTable)
		var vals [][]float64
		for i := 1; i <= tb.Len(); i++ {
			v, err := rt.ToVar(tb.RawGetInt(i))
			if err != nil {
				t.Fatalf("out[%d]: %v", i, err)
			}
			vals = append(vals, v.Value.Values())
		}
		return vals
	}
	recycled, kept := run(false), run(true)
	if len(recycled) != len(kept) || len(kept) < 8 {
		t.Fatalf("%d and %d tensors", len(recycled), len(kept))
	}
	for i := range kept {
		for j := range kept[i] {
			if math.Float64bits(recycled[i][j]) != math.Float64bits(kept[i][j]) {
				t.Fatalf("tensor %d element %d: %v recycled, %v kept", i, j, recycled[i][j], kept[i][j])
			}
		}
	}
}
