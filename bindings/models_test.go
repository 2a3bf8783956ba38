package bindings

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// newFitRuntime is a runtime with a run directory and no command-line
// settings (so fit's own epochs count).
func newFitRuntime(t *testing.T, config map[string]any) (*Runtime, *bytes.Buffer, string) {
	t.Helper()
	dir := t.TempDir()
	var out bytes.Buffer
	rt, err := New(context.Background(), Options{Seed: 1, Stdout: &out, RunDir: dir, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	return rt, &out, dir
}

// TestGuideModelSummaries builds the Keras GAN guide's discriminator and
// generator (as scripts/gan/mnist.lua does) and a functional model, and
// checks the parameter counts against the closed forms
// kh·kw·in·out + out per convolution and in·out + out per Dense.
func TestGuideModelSummaries(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local keras = require("ganlab")
local layers = keras.layers
local d = keras.Sequential({
  keras.Input{shape = {28, 28, 1}},
  layers.Conv2D{64, {3, 3}, strides = {2, 2}, padding = "same"},
  layers.LeakyReLU{negative_slope = 0.2},
  layers.Conv2D{128, {3, 3}, strides = {2, 2}, padding = "same"},
  layers.LeakyReLU{negative_slope = 0.2},
  layers.GlobalMaxPooling2D{},
  layers.Dense{1},
}, {name = "discriminator"})
local g = keras.Sequential{name = "generator",
  keras.Input{shape = {128}},
  layers.Dense{7 * 7 * 128},
  layers.LeakyReLU{negative_slope = 0.2},
  layers.Reshape{{7, 7, 128}},
  layers.Conv2DTranspose{128, {4, 4}, strides = {2, 2}, padding = "same"},
  layers.LeakyReLU{negative_slope = 0.2},
  layers.Conv2DTranspose{128, {4, 4}, strides = {2, 2}, padding = "same"},
  layers.LeakyReLU{negative_slope = 0.2},
  layers.Conv2D{1, {7, 7}, padding = "same", activation = "sigmoid"},
}
d:summary()
g:summary()
local x = keras.Input{shape = {10}}
local h = layers.Dense{8, activation = "relu"}(x)
local m = keras.Model{inputs = x, outputs = layers.Dense{2}(h), name = "mlp"}
m:summary()
print("counts", d:count_params(), g:count_params(), m:count_params(), #g.layers, g.layers[1].name)
local y = g(keras.random.normal{shape = {2, 128}})
print("shape", y.shape[1], y.shape[2], y.shape[3], y.shape[4])`)
	dParams := (3*3*1*64 + 64) + (3*3*64*128 + 128) + (128 + 1)
	gParams := (128*7*7*128 + 7*7*128) + 2*(4*4*128*128+128) + (7*7*128 + 1)
	mParams := (10*8 + 8) + (8*2 + 2)
	for _, want := range []string{
		`Model: "discriminator"`, "Total params: 74,625", `Model: "generator"`, "Total params: 1,339,905",
		`Model: "mlp"`, "Total params: 106", "(None, 28, 28, 1)", "conv2d_transpose_1 (Conv2DTranspose)",
		"counts\t" + strconv.Itoa(dParams) + "\t" + strconv.Itoa(gParams) + "\t" + strconv.Itoa(mParams) + "\t8\tdense",
		"shape\t2\t28\t28\t1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestSaveLoadWeights round-trips a model's weights through the run
// directory and refuses paths outside it.
func TestSaveLoadWeights(t *testing.T) {
	rt, out, dir := newFitRuntime(t, nil)
	got := runLua(t, rt, out, `
local keras = require("ganlab")
local function make() return keras.Sequential({keras.Input{shape = {3}}, keras.layers.Dense{2}}, {name = "m"}) end
local a, b = make(), make()
local x = keras.random.normal{shape = {4, 3}}
a:save_weights("ckpt/m.safetensors")
print(((a:predict(x) - b:predict(x)):sum() ~= 0))
b:load_weights("ckpt/m.safetensors")
print((a:predict(x) - b:predict(x)):sum():item())`)
	if got != "true\n0" {
		t.Errorf("got %q, want different predictions before loading and equal after", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "ckpt", "m.safetensors")); err != nil {
		t.Errorf("weights file not in the run directory: %v", err)
	}
	for _, p := range []string{"../escape.safetensors", "/tmp/x.safetensors", "ckpt/../../x"} {
		e := runLuaErr(t, rt, `local keras = require("ganlab")
keras.Sequential({keras.Input{shape = {3}}, keras.layers.Dense{2}}):save_weights("`+p+`")`)
		if !strings.Contains(e.Msg, "outside the run directory") || e.Line != 2 {
			t.Errorf("save_weights(%q): error %q (line %d), want a refusal at line 2", p, e.Msg, e.Line)
		}
	}
	if err := os.Symlink(os.TempDir(), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	e := runLuaErr(t, rt, `local keras = require("ganlab")
keras.Sequential({keras.Input{shape = {3}}, keras.layers.Dense{2}}):save_weights("link/x.safetensors")`)
	if !strings.Contains(e.Msg, "symbolic link") {
		t.Errorf("save through a symlink out: %q", e.Msg)
	}
}

// TestSubclassedModel checks keras.Model:extend: init with arguments,
// fields as plain Lua fields, __call running call, predict, super.
func TestSubclassedModel(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local keras = require("ganlab")
local Scale = keras.Model:extend("Scale")
function Scale:init(k) self.k = k; self.dense = keras.layers.Dense{1, use_bias = false} end
function Scale:call(x, opts) return x * self.k end
local s = Scale(3)
local x = keras.ops.convert_to_tensor({1, 2})
print(s.k, s(x):values()[2], s:predict(x):values()[1], tostring(s), Scale.super == getmetatable(Scale).__index)
local Bare = keras.Model:extend("Bare")
print(pcall(function() return Bare()(x) end))`)
	lines := strings.Split(got, "\n")
	if len(lines) != 2 || lines[0] != "3\t6\t3\tScale object\ttrue" {
		t.Fatalf("got %q", got)
	}
	if !strings.Contains(lines[1], "false") || !strings.Contains(lines[1], "no call method") {
		t.Errorf("calling a model without call: %q", lines[1])
	}
}

// TestModelGetLayerAndAdd checks Sequential:add and get_layer.
func TestModelGetLayerAndAdd(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local keras = require("ganlab")
local m = keras.Sequential()
m:add(keras.Input{shape = {4}})
m:add(keras.layers.Dense{3, name = "hidden"})
m:add(keras.layers.Dense{1})
print(#m.layers, m:get_layer("hidden").name, m:get_layer{index = 1}.name, rawequal(m:get_layer("hidden"), m.layers[1]))
print(pcall(m.get_layer, m, "nope"))`)
	if !strings.HasPrefix(got, "2\thidden\tdense\ttrue\nfalse") || !strings.Contains(got, `no layer named "nope"`) {
		t.Errorf("got %q", got)
	}
}

// TestCompileByName checks compile's string shortcuts and their errors,
// and keras.Model's positional functional form.
func TestCompileByName(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
local keras = require("ganlab")
local x = keras.Input{shape = {2}}
local m = keras.Model(x, keras.layers.Dense{1}(x), {name = "lin"})
m:compile{optimizer = "sgd", loss = "mse"}
print(m.name, tostring(m.optimizer):sub(1, 3), m.loss.name, m.compiled)
print(pcall(m.compile, m, {optimizer = "adamw"}))`)
	lines := strings.Split(got, "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "lin\tSGD\t") || !strings.HasSuffix(lines[0], "\ttrue") {
		t.Fatalf("got %q", got)
	}
	if !strings.Contains(lines[1], `unknown optimizer "adamw"`) || !strings.Contains(lines[1], "rmsprop") {
		t.Errorf("unknown optimizer: %q", lines[1])
	}
}
