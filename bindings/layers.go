package bindings

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/nn"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

func init() { registerModule("layers", openLayers) }

// nnState is the runtime's share of layers, models and fit: the userdata
// caches that keep one Lua value per layer and per weight (so identity
// holds and repeated field reads do not grow the arena), the training-mode
// flag fit sets around train_step, and the metatables.
type nnState struct {
	// training is the default of a layer call's training flag: true while
	// fit runs train_step, false otherwise (Keras's learning phase).
	training bool
	weights  map[*autograd.Var]lua.LValue
	layers   map[nn.Layer]*lua.LUserData
	// layerRNG hands every layer made from Lua its own stream, so that
	// layers used outside any model (fields of a subclassed Model) do not
	// all start from seed 0, and everything follows --seed.
	layerRNG *tensor.RNG

	layerMT  *lua.LTable
	symMT    *lua.LTable
	methods  map[string]*lua.LFunction // every layer
	mmethods map[string]*lua.LFunction // models (Sequential, functional) as well

	modelClass    *lua.LTable // keras.Model, the class scripts extend
	callbackClass *lua.LTable // keras.callbacks.Callback
	defaultStep   *lua.LFunction
	hooks         FitHooks
	lastFit       *FitResult
}

// rngStreamLayers is the stream layers draw their own streams from, apart
// from keras.random's draws.
const rngStreamLayers = 0x6c61796572

func (rt *Runtime) nnst() *nnState {
	if rt.nn == nil {
		rt.nn = &nnState{
			weights:  map[*autograd.Var]lua.LValue{},
			layers:   map[nn.Layer]*lua.LUserData{},
			layerRNG: tensor.NewRNG(rt.opts.Seed, rngStreamLayers),
		}
		rt.initLayerTypes(rt.L)
	}
	return rt.nn
}

// layerUD is what a layer or model userdata holds. The model fields are
// used by Sequential and functional models (compile, fit).
type layerUD struct {
	l nn.Layer

	optimizer, loss lua.LValue
	compiled        bool
	stopTraining    bool
}

// symUD is a symbolic tensor of the functional API (keras.Input, or a
// layer called on one). input is set for keras.Input's own output, so that
// Sequential can take it as its InputLayer.
type symUD struct {
	t     *nn.KerasTensor
	input *nn.InputLayer
}

// layerSpec lists a layer class's Keras arguments: positional ones in
// order, then its own keywords; every layer also takes commonLayerArgs.
type layerSpec struct {
	class string
	pos   []string
	kw    []string
}

var commonLayerArgs = []string{"name", "trainable", "dtype", "seed"}

var (
	convArgs = []string{"strides", "padding", "activation", "use_bias", "kernel_initializer", "bias_initializer"}
	normArgs = []string{"epsilon", "center", "scale", "gamma_initializer", "beta_initializer"}
)

// layerSpecs are the classes of keras.layers, as core/nn.FromConfig knows
// them.
var layerSpecs = []layerSpec{
	{"Activation", []string{"activation"}, nil},
	{"AveragePooling2D", []string{"pool_size", "strides", "padding"}, nil},
	{"BatchNormalization", []string{"axis"}, append([]string{"momentum", "moving_mean_initializer", "moving_variance_initializer"}, normArgs...)},
	{"Concatenate", []string{"axis"}, nil},
	{"Conv2D", []string{"filters", "kernel_size"}, convArgs},
	{"Conv2DTranspose", []string{"filters", "kernel_size"}, convArgs},
	{"Dense", []string{"units"}, []string{"activation", "use_bias", "kernel_initializer", "bias_initializer"}},
	{"Dropout", []string{"rate"}, nil},
	{"Embedding", []string{"input_dim", "output_dim"}, []string{"embeddings_initializer"}},
	{"Flatten", nil, nil},
	{"GlobalAveragePooling2D", nil, nil},
	{"GlobalMaxPooling2D", nil, nil},
	{"GroupNormalization", []string{"groups"}, append([]string{"axis"}, normArgs...)},
	{"InputLayer", []string{"shape"}, []string{"batch_shape"}},
	{"LayerNormalization", []string{"axis"}, normArgs},
	{"LeakyReLU", []string{"negative_slope"}, nil},
	{"MaxPooling2D", []string{"pool_size", "strides", "padding"}, nil},
	{"ReLU", nil, []string{"negative_slope"}},
	{"ReflectionPadding2D", []string{"padding"}, nil},
	{"Reshape", []string{"target_shape"}, nil},
	{"SelfAttention", nil, []string{"kernel_initializer"}},
	{"SpectralNormalization", []string{"layer"}, []string{"power_iterations"}},
	{"UpSampling2D", []string{"size"}, []string{"interpolation"}},
	{"ZeroPadding2D", []string{"padding"}, nil},
}

// openLayers builds keras.layers: a constructor per layer class, and Input.
func openLayers(rt *Runtime, L *lua.LState) *lua.LTable {
	rt.nnst()
	m := L.NewTable()
	for _, spec := range layerSpecs {
		spec := spec
		fn := "layers." + spec.class
		names := append(append(append([]string{}, spec.pos...), spec.kw...), commonLayerArgs...)
		m.RawSetString(spec.class, rt.Func(fn, func(L *lua.LState) int {
			a := rt.TableArgs(L, fn, names...)
			cfg := map[string]any{}
			for _, name := range names {
				if !a.Has(name) {
					continue
				}
				v, err := rt.luaToAny(a.Value(name))
				if err != nil {
					a.Fail(name, "%v", err)
				}
				cfg[name] = v
			}
			l, err := nn.FromConfig(spec.class, cfg)
			if err != nil {
				L.RaiseError("%s: %v", fn, err)
			}
			L.Push(rt.pushLayer(L, l))
			return 1
		}))
	}
	m.RawSetString("Input", rt.Func("keras.Input", rt.luaInput))
	return m
}

// luaInput is keras.Input{shape={...}, name=...}: a symbolic input of the
// functional API (the batch axis is implied).
func (rt *Runtime) luaInput(L *lua.LState) int {
	a := rt.TableArgs(L, "keras.Input", "shape", "name")
	shape := a.Shape("shape")
	var opts []nn.Option
	if a.Has("name") {
		opts = append(opts, nn.Name(a.String("name", "")))
	}
	in := nn.NewInputLayer(shape, opts...)
	if err := in.Err(); err != nil {
		L.RaiseError("keras.Input: %v", err)
	}
	L.Push(rt.pushSym(L, &symUD{t: in.Output(), input: in}))
	return 1
}

// luaToAny converts a Lua argument for nn.FromConfig: numbers, strings,
// booleans, lists (nested lists of integers become [][]int, as
// ZeroPadding2D's ((top, bottom), (left, right))), string-keyed tables
// (initializer configs) and layers.
func (rt *Runtime) luaToAny(v lua.LValue) (any, error) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), nil
	case lua.LString:
		return string(x), nil
	case lua.LBool:
		return bool(x), nil
	case *lua.LUserData:
		if u, ok := x.Value.(*layerUD); ok {
			return u.l, nil
		}
	case *lua.LTable:
		if x.Len() > 0 {
			out := make([]any, x.Len())
			nested := true
			for i := range out {
				e, err := rt.luaToAny(x.RawGetInt(i + 1))
				if err != nil {
					return nil, fmt.Errorf("entry %d: %w", i+1, err)
				}
				out[i] = e
				if _, ok := e.([]any); !ok {
					nested = false
				}
			}
			if nested {
				return nestedIntLists(out)
			}
			return out, nil
		}
		m := map[string]any{}
		var err error
		x.ForEach(func(k, val lua.LValue) {
			ks, ok := k.(lua.LString)
			if !ok {
				err = fmt.Errorf("unexpected key %s", typeName(k))
				return
			}
			e, e2 := rt.luaToAny(val)
			if e2 != nil && err == nil {
				err = fmt.Errorf("%s: %w", string(ks), e2)
			}
			m[string(ks)] = e
		})
		return m, err
	}
	return nil, fmt.Errorf("expected a number, string, boolean, table or layer, got %s", typeName(v))
}

// nestedIntLists turns a list of lists of integers into [][]int.
func nestedIntLists(rows []any) (any, error) {
	out := make([][]int, len(rows))
	for i, r := range rows {
		for _, e := range r.([]any) {
			f, ok := e.(float64)
			if !ok || f != float64(int(f)) {
				return nil, fmt.Errorf("entry %d: expected integers, got %v", i+1, e)
			}
			out[i] = append(out[i], int(f))
		}
	}
	return out, nil
}

// pushLayer returns the userdata of l, the same one every time. A layer
// seen for the first time gets its own random stream unless it has one.
func (rt *Runtime) pushLayer(L *lua.LState, l nn.Layer) *lua.LUserData {
	st := rt.nnst()
	if ud, ok := st.layers[l]; ok {
		return ud
	}
	if r, ok := l.(interface {
		RNG() *tensor.RNG
		SetRNG(*tensor.RNG)
		Built() bool
	}); ok && r.RNG() == nil && !r.Built() {
		r.SetRNG(st.layerRNG.Split())
	}
	ud := L.NewUserData()
	ud.Value = &layerUD{l: l, optimizer: lua.LNil, loss: lua.LNil}
	ud.Metatable = st.layerMT
	st.layers[l] = ud
	return ud
}

func (rt *Runtime) pushSym(L *lua.LState, s *symUD) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = s
	ud.Metatable = rt.nnst().symMT
	return ud
}

// layerOf returns the layer of a layer or model userdata.
func layerOf(lv lua.LValue) (*layerUD, bool) {
	ud, ok := lv.(*lua.LUserData)
	if !ok {
		return nil, false
	}
	u, ok := ud.Value.(*layerUD)
	return u, ok
}

func symOf(lv lua.LValue) (*symUD, bool) {
	ud, ok := lv.(*lua.LUserData)
	if !ok {
		return nil, false
	}
	s, ok := ud.Value.(*symUD)
	return s, ok
}

func (rt *Runtime) checkLayer(L *lua.LState, idx int) *layerUD {
	u, ok := layerOf(L.Get(idx))
	if !ok {
		L.RaiseError("%s: expected a layer or model as self (call methods with a colon), got %s", rt.cur, typeName(L.Get(idx)))
	}
	return u
}

// weightValue returns the permanent tensor userdata of a weight, the same
// one on every access.
func (rt *Runtime) weightValue(L *lua.LState, w *nn.Weight) lua.LValue {
	st := rt.nnst()
	if v, ok := st.weights[w.Var]; ok {
		return v
	}
	v := rt.NewTensor(L, w.Var, true)
	st.weights[w.Var] = v
	return v
}

// weightList returns the weights of ws that pass keep as a Lua list.
func (rt *Runtime) weightList(L *lua.LState, ws []*nn.Weight, keep func(*nn.Weight) bool) *lua.LTable {
	tb := L.NewTable()
	for _, w := range ws {
		if keep == nil || keep(w) {
			tb.Append(rt.weightValue(L, w))
		}
	}
	return tb
}

func weightIsTrainable(w *nn.Weight) bool { return w.Trainable() }
func weightIsFrozen(w *nn.Weight) bool    { return !w.Trainable() }

// initLayerTypes builds the metatables of layers, models and symbolic
// tensors.
func (rt *Runtime) initLayerTypes(L *lua.LState) {
	st := rt.nn
	mt := L.NewTable()
	mt.RawSetString("__index", rt.Func("layer.__index", rt.layerIndex))
	mt.RawSetString("__newindex", rt.Func("layer.__newindex", rt.layerNewIndex))
	mt.RawSetString("__call", rt.Func("layer()", rt.layerCall))
	mt.RawSetString("__tostring", rt.Func("layer.__tostring", func(L *lua.LState) int {
		L.Push(lua.LString(rt.checkLayer(L, 1).l.String()))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString("layer"))
	st.layerMT = mt
	st.methods = map[string]*lua.LFunction{}
	for name, fn := range map[string]lua.LGFunction{
		"count_params": rt.layerCountParams,
		"build":        rt.layerBuild,
		"get_config":   rt.layerGetConfig,
	} {
		st.methods[name] = rt.Func("layer:"+name, fn)
	}
	st.mmethods = map[string]*lua.LFunction{}
	for name, fn := range rt.modelUDMethods() {
		st.mmethods[name] = rt.Func("model:"+name, fn)
	}

	sym := L.NewTable()
	sym.RawSetString("__index", rt.Func("KerasTensor.__index", func(L *lua.LState) int {
		s, _ := symOf(L.Get(1))
		switch lua.LVAsString(L.Get(2)) {
		case "shape":
			L.Push(ShapeTable(L, s.t.Shape()))
		case "ndim":
			L.Push(lua.LNumber(len(s.t.Shape())))
		default:
			L.Push(lua.LNil)
		}
		return 1
	}))
	sym.RawSetString("__tostring", rt.Func("KerasTensor.__tostring", func(L *lua.LState) int {
		s, _ := symOf(L.Get(1))
		L.Push(lua.LString(s.t.String()))
		return 1
	}))
	sym.RawSetString("__metatable", lua.LString("KerasTensor"))
	st.symMT = sym
}

// layerIndex serves a layer's fields (name, trainable, the weight lists,
// built) and methods; models add theirs (models.go).
func (rt *Runtime) layerIndex(L *lua.LState) int {
	u := rt.checkLayer(L, 1)
	key := L.CheckString(2)
	st := rt.nnst()
	switch key {
	case "name":
		L.Push(lua.LString(u.l.Name()))
	case "trainable":
		L.Push(lua.LBool(u.l.Trainable()))
	case "weights", "variables":
		L.Push(rt.weightList(L, u.l.Weights(), nil))
	case "trainable_weights", "trainable_variables":
		L.Push(rt.weightList(L, u.l.Weights(), weightIsTrainable))
	case "non_trainable_weights", "non_trainable_variables":
		L.Push(rt.weightList(L, u.l.Weights(), weightIsFrozen))
	case "built":
		b, ok := u.l.(interface{ Built() bool })
		L.Push(lua.LBool(ok && b.Built()))
	case "class_name":
		L.Push(lua.LString(layerClass(u.l)))
	default:
		if m, ok := st.methods[key]; ok {
			L.Push(m)
			return 1
		}
		if c, ok := u.l.(nn.Container); ok {
			return rt.modelIndex(L, u, c, key)
		}
		L.Push(lua.LNil)
	}
	return 1
}

// layerClass is the Keras class name of l ("Dense").
func layerClass(l nn.Layer) string {
	if c, ok := l.(interface{ ClassName() string }); ok {
		return c.ClassName()
	}
	return fmt.Sprintf("%T", l)
}

// layerNewIndex allows layer.trainable = bool, and the model fields of
// models.
func (rt *Runtime) layerNewIndex(L *lua.LState) int {
	u := rt.checkLayer(L, 1)
	key := L.CheckString(2)
	v := L.Get(3)
	switch key {
	case "trainable":
		b, ok := v.(lua.LBool)
		if !ok {
			L.RaiseError("%s.trainable: expected true or false, got %s", u.l.Name(), typeName(v))
		}
		u.l.SetTrainable(bool(b))
		return 0
	}
	if _, ok := u.l.(nn.Container); ok && rt.modelSetField(L, u, key, v) {
		return 0
	}
	L.RaiseError("%s: cannot set field %q: a layer's only settable field is trainable (models also take stop_training, optimizer, loss)", u.l.Name(), key)
	return 0
}

// layerCall is layer(x, {training=...}): on tensors it runs the layer (a
// list of tensors for Concatenate and multi-input models); on symbolic
// tensors it records the call for the functional API.
func (rt *Runtime) layerCall(L *lua.LState) int {
	u := rt.checkLayer(L, 1)
	fn := u.l.Name()
	a := rt.PosArgs(L, fn, 2, "inputs", "training")
	training := a.Bool("training", rt.nnst().training)
	in := a.Value("inputs")
	var items []lua.LValue
	list := false
	if tb, ok := in.(*lua.LTable); ok && tb.Metatable == lua.LNil {
		list = true
		for i := 1; i <= tb.Len(); i++ {
			items = append(items, tb.RawGetInt(i))
		}
		if len(items) == 0 {
			L.RaiseError("%s: called on an empty list", fn)
		}
	} else if in == lua.LNil {
		L.RaiseError("%s: missing input", fn)
	} else {
		items = []lua.LValue{in}
	}
	if _, ok := symOf(items[0]); ok {
		syms := make([]*nn.KerasTensor, len(items))
		for i, it := range items {
			s, ok := symOf(it)
			if !ok {
				L.RaiseError("%s: input %d: expected a symbolic tensor (from keras.Input) like the others, got %s", fn, i+1, typeName(it))
			}
			syms[i] = s.t
		}
		out := nn.Apply(u.l, syms...)
		if err := out.Err(); err != nil {
			L.RaiseError("%v", err) // names the layer and the shapes
		}
		L.Push(rt.pushSym(L, &symUD{t: out}))
		return 1
	}
	xs := make([]*autograd.Var, len(items))
	for i, it := range items {
		x, err := rt.ToVar(it)
		if err != nil {
			L.RaiseError("%s: input %d: %v", fn, i+1, err)
		}
		xs[i] = x
	}
	if m, ok := u.l.(*nn.Model); ok && len(m.Outputs()) > 1 {
		ys, err := m.Run(xs, training)
		if err != nil {
			L.RaiseError("%v", err)
		}
		out := L.CreateTable(len(ys), 0)
		for _, y := range ys {
			out.Append(rt.NewTensor(L, y, false))
		}
		L.Push(out)
		return 1
	}
	var y *autograd.Var
	var err error
	switch {
	case !list:
		y, err = u.l.Call(xs[0], training)
	default:
		ml, ok := u.l.(nn.MultiLayer)
		if !ok {
			if len(xs) != 1 {
				L.RaiseError("%s: takes one input, got a list of %d", fn, len(xs))
			}
			y, err = u.l.Call(xs[0], training)
		} else {
			y, err = ml.CallMulti(xs, training)
		}
	}
	if err != nil {
		L.RaiseError("%v", err)
	}
	return rt.PushTensor(L, y)
}

func (rt *Runtime) layerCountParams(L *lua.LState) int {
	u := rt.checkLayer(L, 1)
	n := 0
	for _, w := range u.l.Weights() {
		n += w.Value().Len()
	}
	L.Push(lua.LNumber(n))
	return 1
}

// layerBuild is layer:build(shape): the input shape with the batch axis,
// -1 where unknown (Keras's None).
func (rt *Runtime) layerBuild(L *lua.LState) int {
	u := rt.checkLayer(L, 1)
	tb := L.CheckTable(2)
	shape := rt.checkShapeValue(L, u.l.Name()+":build", "shape", tb, true)
	if err := u.l.Build(shape); err != nil {
		L.RaiseError("%v", err)
	}
	return 0
}

// layerGetConfig is layer:get_config(): the constructor arguments under
// Keras's names, as a Lua table.
func (rt *Runtime) layerGetConfig(L *lua.LState) int {
	u := rt.checkLayer(L, 1)
	L.Push(configToLua(L, u.l.Config()))
	return 1
}

// configToLua converts a config value (maps, slices, numbers, strings) to Lua.
func configToLua(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case int:
		return lua.LNumber(x)
	case float64:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case []int:
		return ShapeTable(L, x)
	case []any:
		tb := L.CreateTable(len(x), 0)
		for _, e := range x {
			tb.Append(configToLua(L, e))
		}
		return tb
	case []map[string]any:
		tb := L.CreateTable(len(x), 0)
		for _, e := range x {
			tb.Append(configToLua(L, e))
		}
		return tb
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		tb := L.CreateTable(0, len(x))
		for _, k := range keys {
			tb.RawSetString(k, configToLua(L, x[k]))
		}
		return tb
	}
	return lua.LString(strings.TrimSpace(fmt.Sprint(v)))
}
