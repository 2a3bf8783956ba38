package bindings

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/nn"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

func init() { registerModule("models", openModels) }

// openModels builds keras.models: Sequential, Model and Input, also set at
// the top level (keras.Sequential, keras.Model, keras.Input).
//
// keras.Model is two things, as in Keras: called on {inputs=, outputs=} it
// makes a functional model (a userdata, like Sequential); extended with
// keras.Model:extend("GAN") it is the base class of a subclassed model,
// whose instances are Lua tables with the methods compile, fit, predict,
// train_step and a __call that runs the instance's call method.
func openModels(rt *Runtime, L *lua.LState) *lua.LTable {
	st := rt.nnst()
	cls := rt.NewClass(L, ClassSpec{
		Name: "Model",
		Methods: map[string]lua.LGFunction{
			"compile": rt.modelCompile,
			"fit":     rt.modelFit,
			"predict": rt.instancePredict,
			"__call":  rt.instanceCall,
		},
	})
	cls.RawSetString("train_step", rt.defaultTrainStep(L))
	st.modelClass = cls
	proxy := rt.modelProxy(L, cls)

	m := L.NewTable()
	seq := rt.Func("keras.Sequential", rt.luaSequential)
	input := rt.Func("keras.Input", rt.luaInput)
	for _, t := range []*lua.LTable{m, rt.Ganlab()} {
		t.RawSetString("Model", proxy)
		t.RawSetString("Sequential", seq)
		t.RawSetString("Input", input)
	}
	return m
}

// modelProxy is the keras.Model value scripts see: calling it with
// {inputs=, outputs=} (or symbolic tensors) makes a functional model, any
// other call constructs an instance of the class; extend and every class
// field go to the class itself.
func (rt *Runtime) modelProxy(L *lua.LState, cls *lua.LTable) *lua.LTable {
	proxy := L.NewTable()
	proxy.RawSetString("extend", rt.Func("Model:extend", func(L *lua.LState) int {
		L.Push(rt.classes.extend)
		L.Push(cls)
		L.Push(L.Get(2))
		L.Call(2, 1)
		return 1
	}))
	meta := L.NewTable()
	meta.RawSetString("__index", cls)
	meta.RawSetString("__call", rt.Func("keras.Model", func(L *lua.LState) int {
		n := L.GetTop() - 1
		first := L.Get(2)
		if tb, ok := first.(*lua.LTable); ok && n == 1 && tb.Metatable == lua.LNil &&
			(tb.RawGetString("inputs") != lua.LNil || tb.RawGetString("outputs") != lua.LNil) {
			return rt.luaFunctional(L)
		}
		if _, ok := symOf(first); ok {
			return rt.luaFunctional(L)
		}
		L.Push(rt.classes.construct)
		L.Push(cls)
		for i := 2; i <= n+1; i++ {
			L.Push(L.Get(i))
		}
		L.Call(n+1, 1)
		return 1
	}))
	meta.RawSetString("__tostring", rt.Func("keras.Model.__tostring", func(L *lua.LState) int {
		L.Push(lua.LString("keras.Model"))
		return 1
	}))
	proxy.Metatable = meta
	return proxy
}

// luaFunctional is keras.Model{inputs=x, outputs=y, name=...} or
// keras.Model(x, y, {name=...}); inputs and outputs are a symbolic tensor
// or a list of them.
func (rt *Runtime) luaFunctional(L *lua.LState) int {
	const fn = "keras.Model"
	var a *Args
	if _, ok := symOf(L.Get(2)); ok {
		a = rt.PosArgs(L, fn, 2, "inputs", "outputs", "name")
	} else {
		L.Remove(1)
		a = rt.TableArgs(L, fn, "inputs", "outputs", "name")
	}
	ins := rt.symList(L, a, "inputs")
	outs := rt.symList(L, a, "outputs")
	m, err := nn.NewModel(ins, outs, a.String("name", ""))
	if err != nil {
		L.RaiseError("%s: %v", fn, err)
	}
	L.Push(rt.pushLayer(L, m))
	return 1
}

func (rt *Runtime) symList(L *lua.LState, a *Args, name string) []*nn.KerasTensor {
	v := a.Value(name)
	if v == lua.LNil {
		a.Fail(name, "missing")
	}
	if s, ok := symOf(v); ok {
		return []*nn.KerasTensor{s.t}
	}
	tb, ok := v.(*lua.LTable)
	if !ok {
		a.Fail(name, "expected a symbolic tensor (from keras.Input or a layer called on one) or a list of them, got %s", typeName(v))
	}
	var out []*nn.KerasTensor
	for i := 1; i <= tb.Len(); i++ {
		s, ok := symOf(tb.RawGetInt(i))
		if !ok {
			a.Fail(name, "entry %d: expected a symbolic tensor, got %s", i, typeName(tb.RawGetInt(i)))
		}
		out = append(out, s.t)
	}
	return out
}

// luaSequential is keras.Sequential({layers...}, {name=...}),
// keras.Sequential{name=..., layer1, layer2, ...} or
// keras.Sequential{layers={...}, name=...}. A keras.Input among the layers
// (first) fixes the input shape, so the model builds at once.
func (rt *Runtime) luaSequential(L *lua.LState) int {
	const fn = "keras.Sequential"
	var list []lua.LValue
	name, trainable := "", true
	readKeywords := func(tb *lua.LTable) {
		tb.ForEach(func(k, v lua.LValue) {
			if _, ok := k.(lua.LNumber); ok {
				return
			}
			switch lua.LVAsString(k) {
			case "name":
				s, ok := v.(lua.LString)
				if !ok {
					L.RaiseError("%s: argument name: expected a string, got %s", fn, typeName(v))
				}
				name = string(s)
			case "trainable":
				trainable = lua.LVAsBool(v)
			case "layers":
				lt, ok := v.(*lua.LTable)
				if !ok {
					L.RaiseError("%s: argument layers: expected a list of layers, got %s", fn, typeName(v))
				}
				for i := 1; i <= lt.Len(); i++ {
					list = append(list, lt.RawGetInt(i))
				}
			default:
				L.RaiseError("%s: unknown keyword %s; it takes layers, name, trainable", fn, typeName(k))
			}
		})
	}
	if L.GetTop() > 2 {
		L.RaiseError("%s: takes a list of layers and a table of keywords, got %d arguments", fn, L.GetTop())
	}
	if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
		tb, ok := L.Get(1).(*lua.LTable)
		if !ok {
			L.RaiseError("%s: expected a list of layers, got %s", fn, typeName(L.Get(1)))
		}
		for i := 1; i <= tb.Len(); i++ {
			list = append(list, tb.RawGetInt(i))
		}
		readKeywords(tb)
	}
	if L.GetTop() == 2 {
		kw, ok := L.Get(2).(*lua.LTable)
		if !ok {
			L.RaiseError("%s: argument 2: expected a table of keywords such as {name=\"d\"}, got %s", fn, typeName(L.Get(2)))
		}
		readKeywords(kw)
	}
	layers := make([]nn.Layer, len(list))
	for i, v := range list {
		l, err := rt.sequentialItem(v)
		if err != nil {
			L.RaiseError("%s: layer %d: %v", fn, i+1, err)
		}
		layers[i] = l
	}
	s := nn.NewSequential(name, layers...)
	if err := s.Err(); err != nil {
		L.RaiseError("%s: %v", fn, err)
	}
	if !trainable {
		s.SetTrainable(false)
	}
	L.Push(rt.pushLayer(L, s))
	return 1
}

// sequentialItem accepts a layer, a model, or keras.Input's tensor (its
// InputLayer).
func (rt *Runtime) sequentialItem(v lua.LValue) (nn.Layer, error) {
	if u, ok := layerOf(v); ok {
		return u.l, nil
	}
	if s, ok := symOf(v); ok {
		if s.input == nil {
			return nil, fmt.Errorf("a symbolic tensor computed by layers cannot go in a Sequential; use keras.Input{shape=...} or layers")
		}
		return s.input, nil
	}
	return nil, fmt.Errorf("expected a layer, got %s", typeName(v))
}

// modelUDMethods are the methods of Sequential and functional models.
func (rt *Runtime) modelUDMethods() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"summary":      rt.modelSummary,
		"predict":      rt.modelPredict,
		"save_weights": rt.modelSaveWeights,
		"load_weights": rt.modelLoadWeights,
		"compile":      rt.modelCompile,
		"fit":          rt.modelFit,
		"add":          rt.modelAdd,
		"get_layer":    rt.modelGetLayer,
	}
}

// modelIndex serves the fields of models after the layer fields.
func (rt *Runtime) modelIndex(L *lua.LState, u *layerUD, c nn.Container, key string) int {
	switch key {
	case "layers":
		tb := L.NewTable()
		for _, l := range c.Layers() {
			if _, ok := l.(*nn.InputLayer); ok {
				continue // Keras's model.layers leaves out the InputLayer
			}
			tb.Append(rt.pushLayer(L, l))
		}
		L.Push(tb)
	case "optimizer":
		L.Push(u.optimizer)
	case "loss":
		L.Push(u.loss)
	case "compiled":
		L.Push(lua.LBool(u.compiled))
	case "stop_training":
		L.Push(lua.LBool(u.stopTraining))
	case "train_step":
		L.Push(rt.nnst().defaultStep)
	default:
		if m, ok := rt.nnst().mmethods[key]; ok {
			L.Push(m)
		} else {
			L.Push(lua.LNil)
		}
	}
	return 1
}

// modelSetField sets the settable model fields; false for any other key.
func (rt *Runtime) modelSetField(L *lua.LState, u *layerUD, key string, v lua.LValue) bool {
	switch key {
	case "stop_training":
		u.stopTraining = lua.LVAsBool(v)
	case "optimizer":
		u.optimizer = v
	case "loss":
		u.loss = v
	default:
		return false
	}
	return true
}

// printOut writes a line where print() goes: Options.Stdout or the log.
func (rt *Runtime) printOut(s string) {
	if rt.opts.Stdout != nil {
		_, _ = rt.opts.Stdout.Write([]byte(s + "\n"))
		return
	}
	rt.opts.Log.Info().Str("src", "lua").Msg(s)
}

func (rt *Runtime) checkContainer(L *lua.LState) (*layerUD, nn.Container) {
	u := rt.checkLayer(L, 1)
	c, ok := u.l.(nn.Container)
	if !ok {
		L.RaiseError("%s: %s is a layer, not a model", rt.cur, u.l.Name())
	}
	return u, c
}

// modelSummary is model:summary(): Keras's table, printed.
func (rt *Runtime) modelSummary(L *lua.LState) int {
	_, c := rt.checkContainer(L)
	rt.printOut(strings.TrimRight(c.Summary(), "\n"))
	return 0
}

// modelPredict is model:predict(x, {batch_size=...}): the model at
// inference (training=false) on x, without a gradient graph; with
// batch_size, in batches along the first axis.
func (rt *Runtime) modelPredict(L *lua.LState) int {
	u := rt.checkLayer(L, 1)
	a := rt.PosArgs(L, "model:predict", 2, "x", "batch_size", "verbose")
	x := a.Tensor("x")
	bs := a.Int("batch_size", 0)
	y, err := predictBatched(u.l, x.Value, bs)
	if err != nil {
		L.RaiseError("%v", err)
	}
	return rt.PushTensor(L, autograd.Const(y))
}

func predictBatched(l nn.Layer, x *tensor.Tensor, bs int) (y *tensor.Tensor, err error) {
	defer tensor.Recover(&err)
	call := func(x *tensor.Tensor) (*tensor.Tensor, error) {
		var params []*autograd.Var
		for _, w := range l.Weights() {
			params = append(params, w.Var)
		}
		var out *tensor.Tensor
		var err error
		autograd.NoGrad(params, func() {
			var v *autograd.Var
			if v, err = l.Call(autograd.Const(x), false); err == nil {
				out = v.Value
			}
		})
		return out, err
	}
	n := 0
	if x.Rank() > 0 {
		n = x.Dim(0)
	}
	if bs <= 0 || bs >= n {
		return call(x)
	}
	var parts []*tensor.Tensor
	for start := 0; start < n; start += bs {
		end := min(start+bs, n)
		part, err := call(autograd.SliceAxis(autograd.Const(x), 0, start, end).Value)
		if err != nil {
			return nil, err
		}
		parts = append(parts, part)
	}
	return tensor.Concat(0, parts...), nil
}

// modelFilePath resolves a file name a script gives (weights, CSV logs)
// inside the run directory, creating its directory; anything that would
// land outside it (an absolute path elsewhere, "..", a symlink out) is an
// error.
func (rt *Runtime) modelFilePath(fn, name string) (string, error) {
	dir := rt.opts.RunDir
	if dir == "" {
		return "", fmt.Errorf("%s: there is no run directory to write %q to (ganlab run makes one; see --run-dir)", fn, name)
	}
	if name == "" {
		return "", fmt.Errorf("%s: empty file name", fn)
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("%s: run directory %s: %w", fn, dir, err)
	}
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(absDir, p)
	}
	p = filepath.Clean(p)
	if !within(absDir, p) {
		return "", fmt.Errorf("%s: %q is outside the run directory %s; scripts may write only inside it", fn, name, absDir)
	}
	parent := filepath.Dir(p)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("%s: %w", fn, err)
	}
	realDir, err1 := filepath.EvalSymlinks(absDir)
	realParent, err2 := filepath.EvalSymlinks(parent)
	if err1 != nil || err2 != nil || !within(realDir, realParent) {
		return "", fmt.Errorf("%s: %q leaves the run directory %s through a symbolic link", fn, name, absDir)
	}
	if fi, err := os.Lstat(p); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return "", fmt.Errorf("%s: %q is a symbolic link; scripts may write only plain files in the run directory", fn, name)
	}
	return p, nil
}

// modelSaveWeights is model:save_weights(path): every weight, by name, in
// a safetensors file inside the run directory.
func (rt *Runtime) modelSaveWeights(L *lua.LState) int {
	u := rt.checkLayer(L, 1)
	path, err := rt.modelFilePath("save_weights", L.CheckString(2))
	if err != nil {
		L.RaiseError("%v", err)
	}
	if err := nn.SaveWeights(path, u.l); err != nil {
		L.RaiseError("%v", err)
	}
	return 0
}

// modelLoadWeights is model:load_weights(path) from inside the run
// directory; names and shapes must all match, or nothing is loaded.
func (rt *Runtime) modelLoadWeights(L *lua.LState) int {
	u := rt.checkLayer(L, 1)
	path, err := rt.modelFilePath("load_weights", L.CheckString(2))
	if err != nil {
		L.RaiseError("%v", err)
	}
	if err := nn.LoadWeights(path, u.l); err != nil {
		L.RaiseError("%v", err)
	}
	return 0
}

// modelAdd is Sequential:add(layer).
func (rt *Runtime) modelAdd(L *lua.LState) int {
	u := rt.checkLayer(L, 1)
	s, ok := u.l.(*nn.Sequential)
	if !ok {
		L.RaiseError("add: %s is not a Sequential model", u.l.Name())
	}
	l, err := rt.sequentialItem(L.Get(2))
	if err != nil {
		L.RaiseError("add: %v", err)
	}
	s.Add(l)
	if err := s.Err(); err != nil {
		L.RaiseError("add: %v", err)
	}
	return 0
}

// modelGetLayer is model:get_layer(name) or model:get_layer{index=i}
// (0-based, as Keras).
func (rt *Runtime) modelGetLayer(L *lua.LState) int {
	_, c := rt.checkContainer(L)
	a := rt.PosArgs(L, "get_layer", 2, "name", "index")
	var ls []nn.Layer
	for _, l := range c.Layers() {
		if _, ok := l.(*nn.InputLayer); !ok {
			ls = append(ls, l)
		}
	}
	if a.Has("index") {
		i := a.IntReq("index")
		if i < 0 || i >= len(ls) {
			a.Fail("index", "%d out of range: the model has %d layers", i, len(ls))
		}
		L.Push(rt.pushLayer(L, ls[i]))
		return 1
	}
	name := a.String("name", "")
	names := make([]string, len(ls))
	for i, l := range ls {
		if l.Name() == name {
			L.Push(rt.pushLayer(L, l))
			return 1
		}
		names[i] = l.Name()
	}
	sort.Strings(names)
	L.RaiseError("get_layer: no layer named %q (layers: %s)", name, strings.Join(names, ", "))
	return 0
}

// instanceCall is the __call of subclassed models: gan(x, ...) runs
// gan:call(x, ...).
func (rt *Runtime) instanceCall(L *lua.LState) int {
	self := L.CheckTable(1)
	fn, ok := L.GetField(self, "call").(*lua.LFunction)
	if !ok {
		L.RaiseError("%s: called, but the class defines no call method (function %s:call(inputs, opts) ... end)", rt.ClassName(self), rt.ClassName(self))
	}
	top := L.GetTop()
	L.Push(fn)
	for i := 1; i <= top; i++ {
		L.Push(L.Get(i))
	}
	L.Call(top, lua.MultRet)
	return L.GetTop() - top
}

// instancePredict is predict on a subclassed model: self(x, {training=
// false}), the result cut from the gradient graph.
func (rt *Runtime) instancePredict(L *lua.LState) int {
	self := L.CheckTable(1)
	x := L.Get(2)
	kw := L.NewTable()
	kw.RawSetString("training", lua.LFalse)
	L.Push(self)
	L.Push(x)
	L.Push(kw)
	L.Call(2, 1)
	out := L.Get(-1)
	L.Pop(1)
	v, err := rt.ToVar(out)
	if err != nil {
		L.RaiseError("predict: %s:call returned %s, want a tensor", rt.ClassName(self), typeName(out))
	}
	return rt.PushTensor(L, v.Detach())
}
