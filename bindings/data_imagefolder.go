package bindings

import (
	"github.com/ganlab/ganlab/core/data"
	lua "github.com/yuin/gopher-lua"
)

// imageFolderArgs are image_folder's keywords: its own, then those of every
// keras.data loader except split (a folder is one split).
var imageFolderArgs = func() []string {
	names := []string{"dir", "image_size", "channels", "crop"}
	for _, n := range dataArgs {
		if n != "split" {
			names = append(names, n)
		}
	}
	return names
}()

// addImageFolder adds keras.data.image_folder to the data module m; mt is
// the dataset metatable the other loaders use, so fit and ds:next() treat a
// folder like MNIST.
//
//	keras.data.image_folder{dir=..., image_size={h, w}, channels=3,
//	  crop="center", batch_size=64, shuffle=true, value_range={-1, 1},
//	  labels=false, one_hot=N, drop_remainder=true, seed=, prefetch=0}
//
// As in Keras's image_dataset_from_directory, each subfolder of dir is a
// class (sorted names give the class ids); a folder without subfolders
// holds unlabelled images, and asking it for labels is an error. dir is
// read as given: scripts may read data anywhere, only writes are confined.
func (rt *Runtime) addImageFolder(L *lua.LState, m, mt *lua.LTable) {
	const fn = "data.image_folder"
	m.RawSetString("image_folder", rt.Func(fn, func(L *lua.LState) int {
		a := rt.TableArgs(L, fn, imageFolderArgs...)
		d := rt.newDataset(a, loadImageFolder)
		ud := L.NewUserData()
		ud.Value = d
		ud.Metatable = mt
		L.Push(ud)
		return 1
	}))
}

// loadImageFolder is image_folder's loader for newDataset; the arguments
// newDataset reads itself (value_range among them) are already checked.
func loadImageFolder(a *Args, _ string, _ ...data.Option) (*data.Dataset, error) {
	dir := a.String("dir", "")
	if dir == "" {
		a.Fail("dir", "a folder of PNG/JPEG images (or of one subfolder of them per class) is required")
	}
	if !a.Has("image_size") {
		a.Fail("image_size", "required: the {height, width} every image is resized to")
	}
	size := a.IntTuple("image_size", 2, nil)
	if size[0] <= 0 || size[1] <= 0 {
		a.Fail("image_size", "expected positive {height, width}, got {%d, %d}", size[0], size[1])
	}
	opts := data.ImageFolderOptions{
		ImageSize: [2]int{size[0], size[1]},
		Channels:  a.Int("channels", 3),
		Crop:      a.String("crop", "center", "center", "none"),
		Scale:     data.Signed,
	}
	if opts.Channels != 1 && opts.Channels != 3 {
		a.Fail("channels", "expected 1 or 3, got %d", opts.Channels)
	}
	// newDataset passes the range as an opaque data.Option; it has already
	// accepted value_range as {-1, 1} or {0, 1}, so the lower end decides.
	if vr := a.Table("value_range"); vr != nil && vr.RawGetInt(1) == lua.LNumber(0) {
		opts.Scale = data.Unit
	}
	if a.Bool("labels", a.Has("one_hot")) {
		classes, err := data.ImageFolderClasses(dir)
		if err == nil && len(classes) == 0 {
			a.Fail("labels", "%s has no class subfolders, so its images have no labels", dir)
		}
	}
	return data.LoadImageFolder(dir, opts)
}
