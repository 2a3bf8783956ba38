package bindings

import (
	"sort"
	"strings"

	"github.com/ganlab/ganlab/core/nn"
	lua "github.com/yuin/gopher-lua"
)

// modelCompile is model:compile{optimizer=, loss=} (strings such as "adam"
// and "mse" name a default-configured object). A subclass overriding
// compile calls it first, as GAN.super.compile(self).
func (rt *Runtime) modelCompile(L *lua.LState) int {
	self := L.Get(1)
	a := rt.PosArgs(L, "compile", 2, "optimizer", "loss")
	opt := rt.byName(L, a, "optimizer", "optimizers", map[string]string{"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"})
	loss := rt.byName(L, a, "loss", "losses", map[string]string{
		"mse": "MeanSquaredError", "mean_squared_error": "MeanSquaredError",
		"mae": "MeanAbsoluteError", "mean_absolute_error": "MeanAbsoluteError",
		"binary_crossentropy": "BinaryCrossentropy", "bce": "BinaryCrossentropy",
		"categorical_crossentropy":        "CategoricalCrossentropy",
		"sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
		"hinge":                           "Hinge",
	})
	if u, ok := layerOf(self); ok {
		if opt != lua.LNil {
			u.optimizer = opt
		}
		if loss != lua.LNil {
			u.loss = loss
		}
		u.compiled = true
		return 0
	}
	tb, ok := self.(*lua.LTable)
	if !ok {
		L.RaiseError("compile: expected a model as self (model:compile(...)), got %s", typeName(self))
	}
	if opt != lua.LNil {
		tb.RawSetString("optimizer", opt)
	}
	if loss != lua.LNil {
		tb.RawSetString("loss", loss)
	}
	tb.RawSetString("compiled", lua.LTrue)
	return 0
}

// byName returns argument name, building keras.<module>.<Class>{} when
// it is a string that names one.
func (rt *Runtime) byName(L *lua.LState, a *Args, name, module string, classes map[string]string) lua.LValue {
	v := a.Value(name)
	s, ok := v.(lua.LString)
	if !ok {
		return v
	}
	var known []string
	for k := range classes {
		known = append(known, k)
	}
	sort.Strings(known)
	cls, ok := classes[strings.ToLower(string(s))]
	if !ok {
		a.Fail(name, "unknown %s %q (known: %s)", name, string(s), strings.Join(known, ", "))
	}
	mod, _ := rt.ganlab.RawGetString(module).(*lua.LTable)
	if mod == nil || mod.RawGetString(cls) == lua.LNil {
		a.Fail(name, "%q needs keras.%s.%s, which is not available", string(s), module, cls)
	}
	L.Push(mod.RawGetString(cls))
	L.Call(0, 1)
	out := L.Get(-1)
	L.Pop(1)
	return out
}

func (rt *Runtime) modelCompiled(self lua.LValue) bool {
	if u, ok := layerOf(self); ok {
		return u.compiled
	}
	tb, _ := self.(*lua.LTable)
	return tb != nil && lua.LVAsBool(tb.RawGetString("compiled"))
}

// defaultTrainStep is Model.train_step, Keras's supervised step for a
// compiled model: loss(y, model(x)), its gradients with respect to the
// model's trainable weights, one optimizer update.
func (rt *Runtime) defaultTrainStep(L *lua.LState) *lua.LFunction {
	st := rt.nnst()
	if st.defaultStep != nil {
		return st.defaultStep
	}
	const src = `local keras, trainable_weights = ...
return function(self, data)
  local x, y = data, nil
  if type(data) == "table" then x, y = data[1], data[2] end
  if y == nil then
    error("the default train_step is supervised but the batch has no labels; fit on {x, y} batches or define train_step")
  end
  if self.loss == nil or self.optimizer == nil then
    error("the default train_step needs an optimizer and a loss: model:compile{optimizer=..., loss=...}")
  end
  local tape = keras.GradientTape()
  local y_pred = self(x, {training = true})
  local loss = self.loss(y, y_pred)
  local weights = trainable_weights(self)
  local grads = tape:gradient(loss, weights)
  self.optimizer:apply_gradients(grads, weights)
  return {loss = loss}
end`
	chunk, err := L.Load(strings.NewReader(src), "Model.train_step")
	if err != nil {
		panic(err)
	}
	L.Push(chunk)
	L.Push(rt.ganlab)
	L.Push(rt.Func("Model.trainable_weights", rt.luaModelTrainableWeights))
	L.Call(2, 1)
	st.defaultStep = L.Get(-1).(*lua.LFunction)
	L.Pop(1)
	return st.defaultStep
}

// luaModelTrainableWeights returns the trainable weights of a model: its
// own, or for a subclassed model those of the layers and models among its
// fields (Keras's automatic tracking), each once, in field-name order.
func (rt *Runtime) luaModelTrainableWeights(L *lua.LState) int {
	var ws []*nn.Weight
	seen := map[*nn.Weight]bool{}
	visited := map[*lua.LTable]bool{}
	var walk func(v lua.LValue)
	walk = func(v lua.LValue) {
		if u, ok := layerOf(v); ok {
			for _, w := range u.l.Weights() {
				if w.Trainable() && !seen[w] {
					seen[w] = true
					ws = append(ws, w)
				}
			}
			return
		}
		tb, ok := v.(*lua.LTable)
		if !ok || visited[tb] || !rt.IsInstance(tb, rt.nnst().modelClass) {
			return
		}
		visited[tb] = true
		var keys []string
		tb.ForEach(func(k, _ lua.LValue) {
			if s, ok := k.(lua.LString); ok {
				keys = append(keys, string(s))
			}
		})
		sort.Strings(keys)
		for _, k := range keys {
			walk(tb.RawGetString(k))
		}
	}
	walk(L.Get(1))
	L.Push(rt.weightList(L, ws, nil))
	return 1
}
