package bindings

import (
	"fmt"
	"sort"

	"github.com/ganlab/ganlab/core/optim"
	"github.com/ganlab/ganlab/core/train"
	lua "github.com/yuin/gopher-lua"
)

func init() { registerModule("callbacks", openCallbacks) }

// callbackHooks are the hooks a Lua callback may define, as Keras names
// them.
var callbackHooks = []string{"on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
	"on_train_batch_begin", "on_train_batch_end"}

// callbackUD is a built-in callback: a core/train callback, and what fit
// must tell it about the model before training.
type callbackUD struct {
	cb   train.Callback
	kind string
	// bind, when set, runs when fit starts, with the model being fit.
	bind func(L *lua.LState, model lua.LValue) error
}

// openCallbacks builds keras.callbacks: the Callback base class and the
// built-in callbacks of core/train.
func openCallbacks(rt *Runtime, L *lua.LState) *lua.LTable {
	st := rt.nnst()
	methods := map[string]lua.LGFunction{
		"set_model": func(L *lua.LState) int {
			L.CheckTable(1).RawSetString("model", L.Get(2))
			return 0
		},
	}
	for _, h := range callbackHooks {
		methods[h] = func(L *lua.LState) int { return 0 }
	}
	st.callbackClass = rt.NewClass(L, ClassSpec{Name: "Callback", Methods: methods})

	mt := L.NewTable()
	mt.RawSetString("__tostring", rt.Func("callback.__tostring", func(L *lua.LState) int {
		ud := L.CheckUserData(1)
		c, _ := ud.Value.(*callbackUD)
		L.Push(lua.LString("keras.callbacks." + c.kind))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString("callback"))
	m := L.NewTable()
	m.RawSetString("Callback", st.callbackClass)
	add := func(kind string, names []string, build func(L *lua.LState, a *Args) *callbackUD) {
		fn := "callbacks." + kind
		m.RawSetString(kind, rt.Func(fn, func(L *lua.LState) int {
			c := build(L, rt.TableArgs(L, fn, names...))
			c.kind = kind
			ud := L.NewUserData()
			ud.Value = c
			ud.Metatable = mt
			L.Push(ud)
			return 1
		}))
	}
	add("EarlyStopping", []string{"monitor", "min_delta", "patience", "mode", "baseline", "start_from_epoch"}, func(L *lua.LState, a *Args) *callbackUD {
		cfg := train.EarlyStoppingConfig{
			Monitor:        a.String("monitor", ""),
			MinDelta:       a.Float("min_delta", 0),
			Patience:       a.Int("patience", 0),
			Mode:           a.String("mode", "auto"),
			StartFromEpoch: a.Int("start_from_epoch", 0),
		}
		if a.Has("baseline") {
			b := a.Float("baseline", 0)
			cfg.Baseline = &b
		}
		if cfg.Monitor == "" {
			a.Fail("monitor", "missing: name the epoch log to watch, e.g. monitor=\"g_loss\" (there is no val_loss without validation data)")
		}
		cb, err := train.NewEarlyStopping(cfg)
		if err != nil {
			L.RaiseError("callbacks.EarlyStopping: %v", err)
		}
		return &callbackUD{cb: cb}
	})
	add("CSVLogger", []string{"filename", "append"}, func(L *lua.LState, a *Args) *callbackUD {
		if !a.Has("filename") {
			a.Fail("filename", "missing")
		}
		path, err := rt.modelFilePath("callbacks.CSVLogger", a.String("filename", ""))
		if err != nil {
			L.RaiseError("%v", err)
		}
		return &callbackUD{cb: train.NewCSVLogger(path, a.Bool("append", false))}
	})
	add("TerminateOnNaN", nil, func(L *lua.LState, a *Args) *callbackUD {
		return &callbackUD{cb: &train.TerminateOnNaN{}}
	})
	add("LearningRateScheduler", []string{"schedule", "verbose", "optimizers"}, rt.newLRScheduler)
	add("LambdaCallback", callbackHooks, rt.newLambdaCallback)
	return m
}

// newLRScheduler is LearningRateScheduler{schedule=function(epoch, lr)
// return lr end}. It schedules the model's optimizer (compile's); a model
// with several (a GAN's d_optimizer and g_optimizer, found among its
// fields) has each scheduled, or those listed in optimizers={...}. The
// rates are logged per epoch as learning_rate, or <field>_learning_rate
// for several. verbose=1 prints each epoch's rate.
func (rt *Runtime) newLRScheduler(L *lua.LState, a *Args) *callbackUD {
	sched := a.Func("schedule")
	if sched == nil {
		a.Fail("schedule", "missing: a function(epoch, lr) returning the epoch's learning rate")
	}
	verbose := a.Int("verbose", 0)
	var given []optim.Optimizer
	if tb := a.Table("optimizers"); tb != nil {
		for i := 1; i <= tb.Len(); i++ {
			o, err := rt.ToOptimizer(tb.RawGetInt(i))
			if err != nil {
				a.Fail("optimizers", "entry %d: %v", i, err)
			}
			given = append(given, o)
		}
	}
	s := &train.LearningRateScheduler{}
	s.Schedule = func(epoch int, lr float64) (float64, error) {
		var out float64
		err := rt.Scope(func() error {
			res, err := rt.Call(sched, 1, lua.LNumber(epoch), lua.LNumber(lr))
			if err != nil {
				return err
			}
			if out, err = rt.logValue(res[0]); err != nil {
				return fmt.Errorf("the schedule returned %v", err)
			}
			return nil
		})
		if err == nil && verbose > 0 {
			rt.printOut(fmt.Sprintf("Epoch %d: LearningRateScheduler setting learning rate to %g.", epoch+1, out))
		}
		return out, err
	}
	bind := func(L *lua.LState, model lua.LValue) error {
		if len(given) > 0 {
			s.Optimizers = given
			return nil
		}
		opts, keys := rt.modelOptimizers(model)
		if len(opts) == 0 {
			return fmt.Errorf("LearningRateScheduler: the model has no optimizer (compile it with one, or pass optimizers={...})")
		}
		s.Optimizers, s.Keys = opts, keys
		if len(opts) == 1 {
			s.Keys = nil
		}
		return nil
	}
	return &callbackUD{cb: s, bind: bind}
}

// modelOptimizers returns the model's optimizer (compile's), or else the
// optimizers among its fields by field name, with their log keys.
func (rt *Runtime) modelOptimizers(model lua.LValue) ([]optim.Optimizer, []string) {
	if u, ok := layerOf(model); ok {
		if o, err := rt.ToOptimizer(u.optimizer); err == nil {
			return []optim.Optimizer{o}, []string{"learning_rate"}
		}
		return nil, nil
	}
	tb, ok := model.(*lua.LTable)
	if !ok {
		return nil, nil
	}
	if o, err := rt.ToOptimizer(tb.RawGetString("optimizer")); err == nil {
		return []optim.Optimizer{o}, []string{"learning_rate"}
	}
	var names []string
	found := map[string]optim.Optimizer{}
	tb.ForEach(func(k, v lua.LValue) {
		s, ok := k.(lua.LString)
		if !ok {
			return
		}
		if o, err := rt.ToOptimizer(v); err == nil {
			names = append(names, string(s))
			found[string(s)] = o
		}
	})
	sort.Strings(names)
	var opts []optim.Optimizer
	var keys []string
	for _, n := range names {
		opts = append(opts, found[n])
		keys = append(keys, n+"_learning_rate")
	}
	return opts, keys
}

// newLambdaCallback is LambdaCallback{on_epoch_end=function(epoch, logs)
// ... end, ...}: each function runs in a scope, like a Callback's hooks.
func (rt *Runtime) newLambdaCallback(L *lua.LState, a *Args) *callbackUD {
	fns := map[string]*lua.LFunction{}
	for _, h := range callbackHooks {
		if f := a.Func(h); f != nil {
			fns[h] = f
		}
	}
	call := func(hook string, logs train.Logs, args ...lua.LValue) error {
		f := fns[hook]
		if f == nil {
			return nil
		}
		return rt.callHook(f, logs, args...)
	}
	lc := &train.LambdaCallback{
		TrainBegin:      func(logs train.Logs) error { return call("on_train_begin", logs) },
		TrainEnd:        func(logs train.Logs) error { return call("on_train_end", logs) },
		EpochBegin:      func(e int, logs train.Logs) error { return call("on_epoch_begin", logs, lua.LNumber(e)) },
		EpochEnd:        func(e int, logs train.Logs) error { return call("on_epoch_end", logs, lua.LNumber(e)) },
		TrainBatchBegin: func(b int, logs train.Logs) error { return call("on_train_batch_begin", logs, lua.LNumber(b)) },
		TrainBatchEnd:   func(b int, logs train.Logs) error { return call("on_train_batch_end", logs, lua.LNumber(b)) },
	}
	return &callbackUD{cb: lc}
}

// callHook calls a hook function with args and then the logs as a Lua
// table, inside a scope; numbers the hook adds to or changes in the table
// go back into logs (so later callbacks and the history see them).
func (rt *Runtime) callHook(fn lua.LValue, logs train.Logs, args ...lua.LValue) error {
	return rt.Scope(func() error {
		tb := rt.L.NewTable()
		keys := make([]string, 0, len(logs))
		for k := range logs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			tb.RawSetString(k, lua.LNumber(logs[k]))
		}
		if _, err := rt.Call(fn, 0, append(args, tb)...); err != nil {
			return err
		}
		if logs == nil {
			return nil
		}
		back, err := rt.logsOf(tb, "the callback's logs")
		if err != nil {
			return err
		}
		for k, v := range back {
			logs[k] = v
		}
		return nil
	})
}

// luaCallback adapts an instance of a Callback subclass to core/train.
type luaCallback struct {
	train.BaseCallback
	rt    *Runtime
	self  *lua.LTable
	model lua.LValue
}

func (c *luaCallback) hook(name string, logs train.Logs, args ...lua.LValue) error {
	rt := c.rt
	fn := rt.L.GetField(c.self, name)
	if fn == rt.nnst().callbackClass.RawGetString(name) {
		return nil // the base class's no-op
	}
	if fn == lua.LNil {
		return nil
	}
	if err := rt.callHook(fn, logs, append([]lua.LValue{c.self}, args...)...); err != nil {
		return err
	}
	if rt.modelStopRequested(c.model) {
		t := c.Trainer()
		t.StopTraining, t.StopReason = true, fmt.Sprintf("%s.%s set model.stop_training", rt.ClassName(c.self), name)
	}
	return nil
}

// OnTrainBegin calls on_train_begin(logs).
func (c *luaCallback) OnTrainBegin(logs train.Logs) error { return c.hook("on_train_begin", logs) }

// OnTrainEnd calls on_train_end(logs).
func (c *luaCallback) OnTrainEnd(logs train.Logs) error { return c.hook("on_train_end", logs) }

// OnEpochBegin calls on_epoch_begin(epoch, logs), epoch 0-based.
func (c *luaCallback) OnEpochBegin(epoch int, logs train.Logs) error {
	return c.hook("on_epoch_begin", logs, lua.LNumber(epoch))
}

// OnEpochEnd calls on_epoch_end(epoch, logs).
func (c *luaCallback) OnEpochEnd(epoch int, logs train.Logs) error {
	return c.hook("on_epoch_end", logs, lua.LNumber(epoch))
}

// OnTrainBatchBegin calls on_train_batch_begin(batch, logs).
func (c *luaCallback) OnTrainBatchBegin(batch int, logs train.Logs) error {
	return c.hook("on_train_batch_begin", logs, lua.LNumber(batch))
}

// OnTrainBatchEnd calls on_train_batch_end(batch, logs).
func (c *luaCallback) OnTrainBatchEnd(batch int, logs train.Logs) error {
	return c.hook("on_train_batch_end", logs, lua.LNumber(batch))
}

// fitCallback turns an entry of fit's callbacks list into a core/train
// callback bound to model.
func (rt *Runtime) fitCallback(L *lua.LState, v lua.LValue, model lua.LValue) (train.Callback, error) {
	if ud, ok := v.(*lua.LUserData); ok {
		if c, ok := ud.Value.(*callbackUD); ok {
			if c.bind != nil {
				if err := c.bind(L, model); err != nil {
					return nil, err
				}
			}
			return c.cb, nil
		}
	}
	tb, ok := v.(*lua.LTable)
	if !ok || !rt.IsInstance(tb, rt.nnst().callbackClass) {
		return nil, fmt.Errorf("expected a keras.callbacks object or an instance of a keras.callbacks.Callback subclass, got %s", typeName(v))
	}
	setModel := L.GetField(tb, "set_model")
	if _, err := rt.Call(setModel, 0, tb, model); err != nil {
		return nil, err
	}
	return &luaCallback{rt: rt, self: tb, model: model}, nil
}
