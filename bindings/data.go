package bindings

import (
	"fmt"
	"strings"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

func init() { registerModule("data", openData) }

// rngStreamData separates the loaders' shuffling stream from the other
// streams derived from the run's seed.
const rngStreamData = 0x44617461

// luaDataset is what keras.data's loaders return: a core/data Loader over a
// Dataset held in memory, with the batch layout the script asked for. fit
// drives it through Next, StepsPerEpoch and BatchSize.
type luaDataset struct {
	ds        *data.Dataset
	loader    *data.Loader
	batchSize int
	labels    bool // batches are {images, labels}
	oneHot    int  // > 0: labels are one-hot rows of this many classes
}

// Next returns the next batch: {images} or {images, labels}, images float32
// (b, h, w, c) in the dataset's value range, labels float32 class ids (b,)
// or, with one_hot=N, float32 one-hot rows (b, N).
func (d *luaDataset) Next() ([]*tensor.Tensor, error) {
	b, err := d.loader.Next()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.ds.Name, err)
	}
	if !d.labels {
		return []*tensor.Tensor{b.Images}, nil
	}
	if d.oneHot == 0 {
		return []*tensor.Tensor{b.Images, b.Labels}, nil
	}
	oh := make([]float32, len(b.Classes)*d.oneHot)
	for i, c := range b.Classes {
		oh[i*d.oneHot+c] = 1
	}
	return []*tensor.Tensor{b.Images, tensor.FromFloat32(oh, len(b.Classes), d.oneHot)}, nil
}

// StepsPerEpoch returns the number of batches in one epoch.
func (d *luaDataset) StepsPerEpoch() int { return d.loader.StepsPerEpoch() }

// BatchSize returns the batch size asked for (the last batch of an epoch is
// shorter when drop_remainder is false).
func (d *luaDataset) BatchSize() int { return d.batchSize }

// Loader returns the loader, whose Position and Seek a checkpoint uses.
func (d *luaDataset) Loader() *data.Loader { return d.loader }

// Close stops the loader's prefetch goroutine, if any.
func (d *luaDataset) Close() error { return d.loader.Close() }

// dataArgs are the keywords every keras.data loader takes.
var dataArgs = []string{"split", "batch_size", "shuffle", "value_range", "labels", "one_hot", "drop_remainder", "seed", "prefetch"}

// openData builds keras.data: mnist, fashion_mnist, idx (any directory
// of MNIST-layout IDX files) and image_folder (data_imagefolder.go).
func openData(rt *Runtime, L *lua.LState) *lua.LTable {
	m := L.NewTable()
	mt := rt.datasetMetatable(L)
	add := func(name string, first []string, load func(a *Args, split string, opts ...data.Option) (*data.Dataset, error)) {
		fn := "data." + name
		m.RawSetString(name, rt.Func(fn, func(L *lua.LState) int {
			a := rt.TableArgs(L, fn, append(first, dataArgs...)...)
			d := rt.newDataset(a, load)
			ud := L.NewUserData()
			ud.Value = d
			ud.Metatable = mt
			L.Push(ud)
			return 1
		}))
	}
	add("mnist", nil, func(_ *Args, split string, opts ...data.Option) (*data.Dataset, error) {
		return data.MNIST(split, opts...)
	})
	add("fashion_mnist", nil, func(_ *Args, split string, opts ...data.Option) (*data.Dataset, error) {
		return data.FashionMNIST(split, opts...)
	})
	add("idx", []string{"dir"}, func(a *Args, split string, opts ...data.Option) (*data.Dataset, error) {
		dir := a.String("dir", "")
		if dir == "" {
			a.Fail("dir", "a directory holding train-images-idx3-ubyte[.gz] and the other IDX files is required")
		}
		return data.LoadIDX(dir, split, opts...)
	})
	rt.addImageFolder(L, m, mt)
	return m
}

// newDataset parses a loader call, loads the data and makes the loader.
func (rt *Runtime) newDataset(a *Args, load func(a *Args, split string, opts ...data.Option) (*data.Dataset, error)) *luaDataset {
	L := a.L
	split := a.String("split", "train", "train", "test")
	scale := data.Signed
	if vr := a.Table("value_range"); vr != nil {
		lo, okLo := vr.RawGetInt(1).(lua.LNumber)
		hi, okHi := vr.RawGetInt(2).(lua.LNumber)
		switch {
		case vr.Len() == 2 && okLo && okHi && lo == -1 && hi == 1:
			scale = data.Signed
		case vr.Len() == 2 && okLo && okHi && lo == 0 && hi == 1:
			scale = data.Unit
		default:
			a.Fail("value_range", "expected {-1, 1} or {0, 1}")
		}
	}
	cfg := data.LoaderConfig{
		BatchSize:     a.Int("batch_size", 64),
		Shuffle:       a.Bool("shuffle", true),
		DropRemainder: a.Bool("drop_remainder", true),
		Prefetch:      a.Int("prefetch", 0),
	}
	if cfg.BatchSize <= 0 {
		a.Fail("batch_size", "must be positive, got %d", cfg.BatchSize)
	}
	if cfg.Prefetch < 0 {
		a.Fail("prefetch", "must be non-negative, got %d", cfg.Prefetch)
	}
	oneHot := a.Int("one_hot", 0)
	if a.Has("one_hot") && oneHot < 1 {
		a.Fail("one_hot", "expected the number of classes, got %d", oneHot)
	}
	labels := a.Bool("labels", oneHot > 0)
	if oneHot > 0 && !labels {
		a.Fail("labels", "labels=false contradicts one_hot=%d", oneHot)
	}
	seed := rt.opts.Seed
	if a.Has("seed") {
		s, ok := toInt(a.Value("seed"))
		if !ok || s < 0 {
			a.Fail("seed", "expected a non-negative integer, got %s", typeName(a.Value("seed")))
		}
		seed = uint64(s)
	}
	ds, err := load(a, split, data.WithScale(scale))
	if err != nil {
		L.RaiseError("%s: %v", a.fn, err)
	}
	if oneHot > 0 && oneHot < ds.Classes {
		a.Fail("one_hot", "%d classes, but %s has labels up to %d", oneHot, ds.Name, ds.Classes-1)
	}
	loader, err := data.NewLoader(ds, cfg, tensor.NewRNG(seed, rngStreamData))
	if err != nil {
		L.RaiseError("%s: %v", a.fn, err)
	}
	return &luaDataset{ds: ds, loader: loader, batchSize: cfg.BatchSize, labels: labels, oneHot: oneHot}
}

// datasetMetatable builds the dataset type: fields name, batch_size,
// steps_per_epoch, num_examples, image_shape, num_classes; #ds is the
// number of batches per epoch (Keras's len of a batched dataset);
// ds:next() returns the next batch as fit passes it to train_step.
func (rt *Runtime) datasetMetatable(L *lua.LState) *lua.LTable {
	next := rt.Func("dataset:next", func(L *lua.LState) int {
		d := checkDataset(L)
		L.Push(rt.pushBatch(L, d))
		return 1
	})
	closeFn := rt.Func("dataset:close", func(L *lua.LState) int {
		_ = checkDataset(L).Close()
		return 0
	})
	mt := L.NewTable()
	mt.RawSetString("__index", rt.Func("dataset.__index", func(L *lua.LState) int {
		d := checkDataset(L)
		switch L.CheckString(2) {
		case "name":
			L.Push(lua.LString(d.ds.Name))
		case "batch_size":
			L.Push(lua.LNumber(d.batchSize))
		case "steps_per_epoch":
			L.Push(lua.LNumber(d.StepsPerEpoch()))
		case "num_examples":
			L.Push(lua.LNumber(d.ds.Len()))
		case "num_classes":
			L.Push(lua.LNumber(d.ds.Classes))
		case "image_shape":
			L.Push(ShapeTable(L, d.ds.ImageShape()))
		case "next":
			L.Push(next)
		case "close":
			L.Push(closeFn)
		default:
			L.Push(lua.LNil)
		}
		return 1
	}))
	mt.RawSetString("__len", rt.Func("dataset.__len", func(L *lua.LState) int {
		L.Push(lua.LNumber(checkDataset(L).StepsPerEpoch()))
		return 1
	}))
	mt.RawSetString("__tostring", rt.Func("dataset.__tostring", func(L *lua.LState) int {
		d := checkDataset(L)
		what := "images"
		if d.oneHot > 0 {
			what = fmt.Sprintf("{images, one-hot labels (%d)}", d.oneHot)
		} else if d.labels {
			what = "{images, labels}"
		}
		lo, hi := d.ds.Scale.Range()
		L.Push(lua.LString(fmt.Sprintf("Dataset(%s, %d examples of %s in [%g, %g], batches of %d: %s)",
			d.ds.Name, d.ds.Len(), strings.Trim(fmt.Sprint(d.ds.ImageShape()), "[]"), lo, hi, d.batchSize, what)))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString("dataset"))
	return mt
}

// pushBatch reads d's next batch and returns it as fit hands it to
// train_step: the images tensor alone, or a list {images, labels}. The
// tensors are temporaries of the current scope.
func (rt *Runtime) pushBatch(L *lua.LState, d *luaDataset) lua.LValue {
	ts, err := d.Next()
	if err != nil {
		L.RaiseError("dataset:next: %v", err)
	}
	if len(ts) == 1 {
		return rt.NewTensor(L, autograd.Const(ts[0]), false)
	}
	tb := L.CreateTable(len(ts), 0)
	for _, t := range ts {
		tb.Append(rt.NewTensor(L, autograd.Const(t), false))
	}
	return tb
}

func checkDataset(L *lua.LState) *luaDataset {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if d, ok := ud.Value.(*luaDataset); ok {
			return d
		}
	}
	L.RaiseError("dataset: call methods with a colon, ds:next(); got %s as self", typeName(L.Get(1)))
	return nil
}
