package bindings

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// newRunDirRuntime makes a runtime with a temporary run directory.
func newRunDirRuntime(t *testing.T) (*Runtime, *bytes.Buffer, string) {
	t.Helper()
	dir := t.TempDir()
	var out bytes.Buffer
	rt, err := New(context.Background(), Options{Seed: 1, Stdout: &out, RunDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rt.Close)
	return rt, &out, dir
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// TestSaveImageGrid writes 5 images of 4×3 in 3 columns: 2 rows of tiles
// with one black pixel between them, 3·4-1 = 11 by 2·5-1 = 9 pixels. Pixel
// values map value_range to 0..255.
func TestSaveImageGrid(t *testing.T) {
	rt, out, dir := newRunDirRuntime(t)
	got := runLua(t, rt, out, `
local keras = require('ganlab'); local ops = keras.ops
print(keras.utils.save_image_grid(ops.full({5, 4, 3, 1}, 0.5), 'grid.png', {cols=3}))
print(keras.utils.save_image_grid(ops.full({4, 2, 2, 3}, 0), 'epoch_0001.png', {value_range={-1, 1}}))`)
	if got != "samples/grid.png\nsamples/epoch_0001.png" {
		t.Errorf("returned %q", got)
	}
	img := decodePNG(t, filepath.Join(dir, "samples", "grid.png"))
	if b := img.Bounds(); b.Dx() != 11 || b.Dy() != 9 {
		t.Fatalf("grid is %v, want 11×9", b)
	}
	grey := func(x, y int) uint32 { r, _, _, _ := img.At(x, y).RGBA(); return r >> 8 }
	if grey(0, 0) != 128 || grey(2, 3) != 128 || grey(3, 0) != 0 || grey(0, 4) != 0 || grey(8, 5) != 0 {
		t.Errorf("pixels: tile %d %d, separators %d %d, empty cell %d", grey(0, 0), grey(2, 3), grey(3, 0), grey(0, 4), grey(8, 5))
	}
	rgb := decodePNG(t, filepath.Join(dir, "samples", "epoch_0001.png"))
	if b := rgb.Bounds(); b.Dx() != 5 || b.Dy() != 5 {
		t.Fatalf("rgb grid is %v, want 5×5", b)
	}
	if r, g, b, _ := rgb.At(1, 1).RGBA(); r>>8 != 128 || g>>8 != 128 || b>>8 != 128 {
		t.Errorf("value 0 in [-1, 1] gave %d %d %d, want 128", r>>8, g>>8, b>>8)
	}
}

func TestSaveImageGridRefusesPaths(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "x.png")
	for _, tc := range []struct{ name, want string }{
		{"../x.png", "is not a plain file name"},
		{"/tmp/x.png", "is not a plain file name"},
		{outside, "is not a plain file name"},
		{"a/b.png", "is not a plain file name"},
		{`a\b.png`, "is not a plain file name"},
		{"x..png", "is not a plain file name"},
		{".hidden.png", "may not start with a dot"},
		{"grid.jpg", "must end in .png"},
		{".png", "may not start with a dot"},
	} {
		rt, _, dir := newRunDirRuntime(t)
		rt.L.SetGlobal("name", luaString(tc.name))
		e := runLuaErr(t, rt, "local keras = require('ganlab')\nkeras.utils.save_image_grid(keras.ops.ones({1, 2, 2, 1}), name)")
		if !strings.Contains(e.Msg, "utils.save_image_grid: argument name: ") || !strings.Contains(e.Msg, tc.want) || !strings.Contains(e.Msg, "test.lua:2:") {
			t.Errorf("%q: got %q, want %q", tc.name, e.Msg, tc.want)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%q: the run directory has %d entries", tc.name, len(entries))
		}
	}
	if _, err := os.Stat(outside); err == nil {
		t.Errorf("%s was written", outside)
	}
}

func TestUtilsErrors(t *testing.T) {
	rt, _ := newTestRuntime(t) // no run directory
	e := runLuaErr(t, rt, "local keras = require('ganlab')\nkeras.utils.save_image_grid(keras.ops.ones({1, 2, 2, 1}), 'x.png')")
	if !strings.Contains(e.Msg, "test.lua:2: utils.save_image_grid: no run directory") {
		t.Errorf("got %q", e.Msg)
	}
	for _, tc := range []struct{ src, want string }{
		{"keras.utils.save_image_grid(keras.ops.ones({2, 2, 2}), 'x.png')", "want (n, h, w, 1 or 3)"},
		{"keras.utils.save_image_grid(keras.ops.ones({1, 2, 2, 1}), 'x.png', {value_range={1, 0}})", "argument value_range: expected {lo, hi} with lo < hi"},
		{"keras.utils.save_image_grid(3, 'x.png')", "argument images: expected a tensor, got number 3"},
		{"keras.utils.plot_losses({history={d={1, 2}, g={1}}}, 'l.png')", `"g" has 1 values but "d" has 2`},
		{"keras.utils.plot_losses({}, 'l.png')", "the history has no epoch to plot"},
		{"keras.utils.plot_losses({d={1, 'x'}}, 'l.png')", "d[2]: expected a number"},
		{"keras.utils.plot_losses({d={1, 2}}, 'l.png', {keys={'g'}})", `no "g" in the history; it has d`},
		{"keras.utils.plot_losses({d={1, 2}}, '../l.png')", "is not a plain file name"},
	} {
		rt, _, _ := newRunDirRuntime(t)
		e := runLuaErr(t, rt, "keras = require('ganlab')\n"+tc.src)
		if !strings.Contains(e.Msg, tc.want) || !strings.Contains(e.Msg, "test.lua:2:") {
			t.Errorf("%s:\n got %q\nwant %q", tc.src, e.Msg, tc.want)
		}
	}
}

// TestPlotLosses draws fit's History table and a plain table of series.
func TestPlotLosses(t *testing.T) {
	rt, out, dir := newRunDirRuntime(t)
	got := runLua(t, rt, out, `
local keras = require('ganlab')
local history = {history = {d_loss = {0.7, 0.6, 0.65}, g_loss = {1.2, 0.9, 0.8}}, epoch = {0, 1, 2}}
print(keras.utils.plot_losses(history, 'losses.png', {title='DCGAN'}))
print(keras.utils.plot_losses({d_loss = {1, 0.5}}, 'd.png', {keys={'d_loss'}}))`)
	if got != "losses.png\nd.png" {
		t.Errorf("returned %q", got)
	}
	for _, name := range []string{"losses.png", "d.png"} {
		img := decodePNG(t, filepath.Join(dir, name))
		if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
			t.Errorf("%s is %v", name, b)
		}
	}
}

func luaString(s string) lua.LString { return lua.LString(s) }
