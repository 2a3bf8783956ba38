package bindings

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// writeSolidImage writes a w×h image of one grey level as PNG or JPEG
// (by the extension of path).
func writeSolidImage(t *testing.T, path string, w, h int, v uint8) {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.RGBA{v, v, v, 255})
		}
	}
	var b bytes.Buffer
	var err error
	if strings.HasSuffix(path, ".png") {
		err = png.Encode(&b, m)
	} else {
		err = jpeg.Encode(&b, m, &jpeg.Options{Quality: 100})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// imageClassFolder writes class "dark" (3 black images) and class "light"
// (2 white images) of assorted sizes, so an image's value tells its class.
func imageClassFolder(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "shades")
	writeSolidImage(t, filepath.Join(dir, "dark", "1.png"), 5, 3, 0)
	writeSolidImage(t, filepath.Join(dir, "dark", "2.jpg"), 4, 4, 0)
	writeSolidImage(t, filepath.Join(dir, "dark", "3.png"), 2, 9, 0)
	writeSolidImage(t, filepath.Join(dir, "light", "1.png"), 6, 6, 255)
	writeSolidImage(t, filepath.Join(dir, "light", "2.jpg"), 7, 3, 255)
	return dir
}

// TestImageFolderFromLua reads a two-class folder unshuffled with labels:
// fields, tostring, the short last batch, labels by sorted subfolder, and
// values in [0, 1] that match each label (black 0, white 1).
func TestImageFolderFromLua(t *testing.T) {
	rt, out := newTestRuntime(t)
	rt.L.SetGlobal("dir", lua.LString(imageClassFolder(t)))
	got := runLua(t, rt, out, `
local keras = require('ganlab')
local ds = keras.data.image_folder{dir=dir, image_size={4, 6}, channels=1, batch_size=2, shuffle=false,
  drop_remainder=false, labels=true, value_range={0, 1}}
print(#ds, ds.num_examples, ds.num_classes, table.concat(ds.image_shape, ','), tostring(ds))
for i = 1, 3 do
  local b = ds:next()
  local v = b[1]:values()
  print(table.concat(b[1].shape, ','), table.concat(b[2]:values(), ','), v[1], v[#v])
end`)
	want := "3\t5\t2\t4,6,1\tDataset(shades, 5 examples of 4 6 1 in [0, 1], batches of 2: {images, labels})\n" +
		"2,4,6,1\t0,0\t0\t0\n2,4,6,1\t0,1\t0\t1\n1,4,6,1\t1\t1\t1"
	if !sameLines(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestImageFolderShuffleOneHot checks shuffled batches with one-hot labels:
// every row's one-hot class matches its image (black is class 0, white
// class 1, in [-1, 1]), the default is three channels, and the order
// repeats for a seed.
func TestImageFolderShuffleOneHot(t *testing.T) {
	dir := imageClassFolder(t)
	run := func() string {
		rt, out := newTestRuntime(t)
		rt.L.SetGlobal("dir", lua.LString(dir))
		return runLua(t, rt, out, `
local keras = require('ganlab')
local ds = keras.data.image_folder{dir=dir, image_size={3, 3}, batch_size=5, one_hot=2, seed=3}
local b = ds:next()
local img, oh = b[1]:values(), b[2]:values()
print(table.concat(b[1].shape, ','), table.concat(b[2].shape, ','))
local order = {}
for i = 0, 4 do
  local v = img[i * 27 + 1]
  for k = 1, 27 do assert(img[i * 27 + k] == v, 'image ' .. i .. ' is not solid') end
  local class = v > 0 and 1 or 0
  assert(oh[i * 2 + class + 1] == 1 and oh[i * 2 + (1 - class) + 1] == 0, 'row ' .. i .. ': one-hot does not match the image')
  assert(v == -1 or v == 1, 'value ' .. v)
  order[#order + 1] = class
end
print(table.concat(order, ','))`)
	}
	a, b := run(), run()
	lines := strings.Split(a, "\n")
	if lines[0] != "5,3,3,3\t5,2" {
		t.Errorf("shapes %q, want 5,3,3,3 and 5,2", lines[0])
	}
	if a != b {
		t.Errorf("seed 3 gave %q then %q", a, b)
	}
	if n := strings.Count(lines[1], "1"); n != 2 {
		t.Errorf("order %q: want 2 white images of 5", lines[1])
	}
}

// TestImageFolderUnlabelledFromLua: a folder without subfolders yields
// image batches only, and refuses labels.
func TestImageFolderUnlabelledFromLua(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "faces")
	for i, name := range []string{"a.png", "b.jpeg", "c.PNG"} {
		writeSolidImage(t, filepath.Join(dir, name), 8, 8, uint8(100*i))
	}
	rt, out := newTestRuntime(t)
	rt.L.SetGlobal("dir", lua.LString(dir))
	got := runLua(t, rt, out, `
local ds = require('ganlab').data.image_folder{dir=dir, image_size=2, batch_size=3, shuffle=false, crop='none'}
local b = ds:next()
print(tostring(ds), b.shape[1], b:values()[1], b:values()[12 * 2 + 1] * 127.5 + 127.5)`)
	want := "Dataset(faces, 3 examples of 2 2 3 in [-1, 1], batches of 3: images)\t3\t-1\t200"
	if !sameLines(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestImageFolderErrorsFromLua(t *testing.T) {
	classes := imageClassFolder(t)
	flat := filepath.Join(t.TempDir(), "flat")
	writeSolidImage(t, filepath.Join(flat, "a.png"), 2, 2, 0)
	bad := filepath.Join(t.TempDir(), "faces")
	writeSolidImage(t, filepath.Join(bad, "img_001.png"), 2, 2, 0)
	if err := os.WriteFile(filepath.Join(bad, "img_003.png"), []byte("\x89PNG\r\n\x1a\nnot really"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ src, want string }{
		{"keras.data.image_folder{image_size={2, 2}}", "data.image_folder: argument dir: a folder of PNG/JPEG images"},
		{"keras.data.image_folder{dir=classes}", "data.image_folder: argument image_size: required"},
		{"keras.data.image_folder{dir=classes, image_size={2, 0}}", "argument image_size: expected positive {height, width}, got {2, 0}"},
		{"keras.data.image_folder{dir=classes, image_size={2, 2}, channels=4}", "argument channels: expected 1 or 3, got 4"},
		{"keras.data.image_folder{dir=classes, image_size={2, 2}, crop='random'}", `argument crop: "random" is not one of center, none`},
		{"keras.data.image_folder{dir=classes, image_size={2, 2}, split='test'}", `data.image_folder: unknown keyword "split"`},
		{"keras.data.image_folder{dir=classes, image_size={2, 2}, one_hot=1}", "argument one_hot: 1 classes, but shades has labels up to 1"},
		{"keras.data.image_folder{dir=flat, image_size={2, 2}, labels=true}", "argument labels: " + flat + " has no class subfolders"},
		{"keras.data.image_folder{dir=flat, image_size={2, 2}, one_hot=3}", "has no class subfolders"},
		{"keras.data.image_folder{dir=bad, image_size={2, 2}}", "data.image_folder: data: image folder faces: img_003.png: png: "},
		{"keras.data.image_folder{dir=flat .. '/missing', image_size={2, 2}}", "data.image_folder: data: image folder missing: "},
		{"keras.data.image_folder{dir=classes, image_size={2, 2}, batch_size=6}", "5 examples make no batch of 6"},
	} {
		rt, _ := newTestRuntime(t)
		rt.L.SetGlobal("classes", lua.LString(classes))
		rt.L.SetGlobal("flat", lua.LString(flat))
		rt.L.SetGlobal("bad", lua.LString(bad))
		e := runLuaErr(t, rt, "keras = require('ganlab')\n"+tc.src)
		if !strings.Contains(e.Msg, tc.want) || !strings.Contains(e.Msg, "test.lua:2:") {
			t.Errorf("%s:\n got %q\nwant %q", tc.src, e.Msg, tc.want)
		}
	}
}
