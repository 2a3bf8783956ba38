package bindings

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/nn"
	"github.com/ganlab/ganlab/core/optim"
	"github.com/ganlab/ganlab/core/tensor"
	"github.com/ganlab/ganlab/core/train"
	lua "github.com/yuin/gopher-lua"
)

// Dataset is what model:fit trains on. A userdata whose Value implements
// it (the data module's datasets) can be passed to fit; fit(x, y) on
// tensors uses an in-memory one.
type Dataset interface {
	// Next returns the next batch: one tensor (images), or two (images,
	// labels), which train_step receives as a Lua list {images, labels}.
	// Batches follow each other epoch after epoch without end; an error
	// wrapping io.EOF ends training after the current epoch, as Keras does
	// when its input runs out.
	Next() ([]*tensor.Tensor, error)
	// StepsPerEpoch returns the number of batches in one epoch.
	StepsPerEpoch() int
	// BatchSize returns the number of examples in a full batch.
	BatchSize() int
}

// datasetOf returns the Dataset of a userdata, if it holds one.
func datasetOf(lv lua.LValue) (Dataset, bool) {
	ud, ok := lv.(*lua.LUserData)
	if !ok {
		return nil, false
	}
	ds, ok := ud.Value.(Dataset)
	return ds, ok
}

// FitHooks let the program running a script (cmd/ganlab) take part in every
// model:fit.
type FitHooks struct {
	// Progress makes the progress callback of a fit with verbose ≠ 0; nil
	// gives a train.ProgressLogger writing to Options.Stdout, or lines to
	// the log when Stdout is nil.
	Progress func() train.Callback
	// Callbacks returns callbacks added to every fit after the script's
	// (the run directory's CSV history, checkpoints), given the model fit
	// trains.
	Callbacks func(m *FitModel) []train.Callback
	// RecordSteps keeps every step's logs in the History too.
	RecordSteps bool
	// Instead, when set, replaces training: fit calls it with the model and
	// the script's own callbacks (bound to the model) and returns an empty
	// history. `ganlab sample` uses it to load a run's weights and let the
	// script's image monitor draw them.
	Instead func(m *FitModel, scriptCallbacks []train.Callback) error
}

// SetFitHooks sets the hooks of every later fit.
func (rt *Runtime) SetFitHooks(h FitHooks) { rt.nnst().hooks = h }

// FitResult is what the last model:fit did, for the program running the
// script: the History (epochs completed, even after an error) and the error
// fit raised in Lua, nil when it returned normally. After Ctrl-C or a
// timeout, Err wraps a *train.InterruptedError saying where training
// stopped.
type FitResult struct {
	Model   *FitModel
	History *train.History
	Err     error
}

// FitModel is the model a fit trains, as Go sees it: what a checkpoint or
// the final weights need.
type FitModel struct {
	// Name is the model's name (Sequential, functional) or class name
	// (a subclass: "GAN").
	Name string
	// Value is the model's Lua value.
	Value lua.LValue
	// Parts are the layers and models among a subclassed model's fields,
	// by field name ("generator", "discriminator"); a Sequential or
	// functional model is its own only part, under its name.
	Parts map[string]nn.Layer
	// Optimizers are compile's optimizer ("optimizer") and the optimizers
	// among the model's fields, by field name ("d_optimizer").
	Optimizers map[string]optim.Optimizer
}

// fitModel describes self for the hooks.
func (rt *Runtime) fitModel(self lua.LValue) *FitModel {
	m := &FitModel{Name: rt.modelName(self), Value: self, Parts: map[string]nn.Layer{}, Optimizers: map[string]optim.Optimizer{}}
	if u, ok := layerOf(self); ok {
		m.Parts[u.l.Name()] = u.l
		if o, err := rt.ToOptimizer(u.optimizer); err == nil {
			m.Optimizers["optimizer"] = o
		}
		return m
	}
	if tb, ok := self.(*lua.LTable); ok {
		tb.ForEach(func(k, v lua.LValue) {
			name, ok := k.(lua.LString)
			if !ok {
				return
			}
			if u, ok := layerOf(v); ok {
				m.Parts[string(name)] = u.l
			} else if o, err := rt.ToOptimizer(v); err == nil {
				m.Optimizers[string(name)] = o
			}
		})
	}
	return m
}

// LastFit returns the result of the last fit, nil before any.
func (rt *Runtime) LastFit() *FitResult { return rt.nnst().lastFit }

// fitArgs are fit's Keras arguments that ganlab implements, in Keras's
// positional order.
var fitArgs = []string{"x", "y", "batch_size", "epochs", "verbose", "callbacks", "initial_epoch", "steps_per_epoch"}

// modelFit is model:fit(dataset, {epochs=, steps_per_epoch=, callbacks=,
// verbose=, initial_epoch=}) and model:fit(x, y, {batch_size=, ...}) on
// tensors. It runs core/train's loop: train_step(self, batch) once per
// batch, inside a scope (the step's temporaries are released when it
// returns) and with layers in training mode. --epochs and
// --steps-per-epoch (keras.config) win over the script's values. It
// returns Keras's History as {history = {key = {per epoch}}, epoch =
// {0, 1, ...}}. Ctrl-C or a timeout stops training after the current step
// and fit raises an error saying where it stopped (LastFit has the
// details).
func (rt *Runtime) modelFit(L *lua.LState) int {
	const fn = "fit"
	self := L.Get(1)
	st := rt.nnst()
	u, isUD := layerOf(self)
	if isUD {
		if _, ok := u.l.(nn.Container); !ok {
			L.RaiseError("fit: %s is a layer; put it in a model first", u.l.Name())
		}
	} else if !rt.IsInstance(self, st.modelClass) {
		L.RaiseError("fit: expected a model as self (call it as model:fit(...)), got %s", typeName(self))
	}
	a := rt.PosArgs(L, fn, 2, fitArgs...)
	if !rt.modelCompiled(self) {
		L.RaiseError("fit: the model is not compiled; call model:compile(...) first (a subclass's compile must call Model.compile, as %s.super.compile(self))", rt.modelName(self))
	}
	ds := rt.fitDataset(L, a)
	epochs := a.Int("epochs", 1)
	steps := a.Int("steps_per_epoch", 0)
	if n, ok := rt.configInt("epochs"); ok {
		epochs = n
	}
	if n, ok := rt.configInt("steps_per_epoch"); ok {
		steps = n
	}
	verbose := 1
	switch v := a.Value("verbose").(type) {
	case lua.LNumber:
		verbose = int(v)
	case lua.LString:
		if v != "auto" {
			a.Fail("verbose", "expected 0, 1, 2 or \"auto\", got %q", string(v))
		}
	}
	stepFn, ok := L.GetField(self, "train_step").(*lua.LFunction)
	if !ok {
		L.RaiseError("fit: %s has no train_step method", rt.modelName(self))
	}

	tracked := rt.trackedMetrics(L, self)
	var cbs []train.Callback
	if len(tracked) > 0 {
		cbs = append(cbs, &metricReset{rt: rt, metrics: tracked})
	}
	if tb := a.Table("callbacks"); tb != nil {
		for i := 1; i <= tb.Len(); i++ {
			cb, err := rt.fitCallback(L, tb.RawGetInt(i), self)
			if err != nil {
				a.Fail("callbacks", "entry %d: %v", i, err)
			}
			cbs = append(cbs, cb)
		}
	} else if a.Has("callbacks") {
		a.Fail("callbacks", "expected a list of callbacks")
	}
	fm := rt.fitModel(self)
	if st.hooks.Instead != nil {
		if err := st.hooks.Instead(fm, cbs); err != nil {
			rt.Raise(L, err)
		}
		L.Push(historyTable(L, &train.History{History: map[string][]float64{}}))
		return 1
	}
	if st.hooks.Callbacks != nil {
		cbs = append(cbs, st.hooks.Callbacks(fm)...)
	}
	var progress train.Callback
	if verbose != 0 {
		if st.hooks.Progress != nil {
			progress = st.hooks.Progress()
		} else {
			progress = rt.defaultProgress()
		}
		cbs = append(cbs, progress)
	}
	mode := train.EpochMean
	if len(tracked) > 0 {
		// The step returns its trackers' results, running means since the
		// epoch began (reset above): the last one is the epoch's mean.
		mode = train.EpochLast
	}
	src := &datasetSource{ds: ds}
	var tr *train.Trainer
	cfg := train.FitConfig{
		Step: func(ctx context.Context, _ *data.Batch) (train.Logs, error) {
			logs, err := rt.runTrainStep(L, stepFn, self, src.last)
			if err == nil && rt.modelStopRequested(self) {
				tr.StopTraining, tr.StopReason = true, "model.stop_training was set"
			}
			return logs, err
		},
		Source:        src,
		Epochs:        epochs,
		InitialEpoch:  a.Int("initial_epoch", 0),
		StepsPerEpoch: steps,
		Callbacks:     cbs,
		EpochLogs:     mode,
		RecordSteps:   st.hooks.RecordSteps,
	}
	tr, err := train.NewTrainer(cfg)
	if err != nil {
		L.RaiseError("fit: %s", kerasFitNames(err.Error()))
	}
	rt.setModelStop(self, false)
	hist, err := tr.Fit(rt.ctx)
	st.lastFit = &FitResult{Model: fm, History: hist, Err: err}
	if err != nil {
		if c, ok := progress.(interface{ Close() }); ok {
			c.Close()
		}
		var ie *train.InterruptedError
		if errors.As(err, &ie) {
			L.RaiseError("fit: stopped (%v) in epoch %d after %d steps", rt.ctx.Err(), ie.Epoch, ie.Step)
		}
		if cerr := rt.ctx.Err(); cerr != nil {
			// Cancelled while a callback ran: the hook failed because the
			// state stopped, not because of the script.
			st.lastFit.Err = errors.Join(&train.InterruptedError{Epoch: tr.Epoch(), Step: tr.Step(), Err: cerr}, err)
			L.RaiseError("fit: stopped (%v) in epoch %d at step %d", cerr, tr.Epoch(), tr.Step())
		}
		rt.Raise(L, err)
	}
	L.Push(historyTable(L, hist))
	return 1
}

// kerasFitNames rewrites core/train's field names in an error as fit's
// argument names.
func kerasFitNames(s string) string {
	return strings.NewReplacer("StepsPerEpoch", "steps_per_epoch", "initial epoch", "initial_epoch",
		"FitConfig.", "").Replace(s)
}

// runTrainStep calls train_step(self, batch) in a scope with layers in
// training mode and reads its logs before the scope releases them.
func (rt *Runtime) runTrainStep(L *lua.LState, stepFn *lua.LFunction, self lua.LValue, vals []*tensor.Tensor) (train.Logs, error) {
	st := rt.nnst()
	var logs train.Logs
	err := rt.Scope(func() error {
		var batch lua.LValue
		switch len(vals) {
		case 0:
			batch = lua.LNil
		case 1:
			batch = rt.NewTensor(L, autograd.Const(vals[0]), false)
		default:
			tb := L.CreateTable(len(vals), 0)
			for _, v := range vals {
				tb.Append(rt.NewTensor(L, autograd.Const(v), false))
			}
			batch = tb
		}
		prev := st.training
		st.training = true
		out, err := rt.Call(stepFn, 1, self, batch)
		st.training = prev
		if err != nil {
			return err
		}
		logs, err = rt.logsOf(out[0], "train_step")
		return err
	})
	return logs, err
}

// logsOf reads a table of logs: numbers, or one-element tensors (losses,
// metric results).
func (rt *Runtime) logsOf(v lua.LValue, what string) (train.Logs, error) {
	logs := train.Logs{}
	if v == lua.LNil {
		return logs, nil
	}
	tb, ok := v.(*lua.LTable)
	if !ok {
		return nil, fmt.Errorf("%s returned %s; want a table of logs such as {d_loss = d_loss, g_loss = g_loss}", what, typeName(v))
	}
	var err error
	tb.ForEach(func(k, val lua.LValue) {
		if err != nil {
			return
		}
		key, ok := k.(lua.LString)
		if !ok {
			err = fmt.Errorf("%s returned a log with key %s; want names such as d_loss", what, typeName(k))
			return
		}
		f, e := rt.logValue(val)
		if e != nil {
			err = fmt.Errorf("%s returned %s = %v", what, string(key), e)
			return
		}
		logs[string(key)] = f
	})
	return logs, err
}

func (rt *Runtime) logValue(v lua.LValue) (float64, error) {
	if n, ok := v.(lua.LNumber); ok {
		return float64(n), nil
	}
	x, err := rt.ToVar(v)
	if err != nil {
		return 0, fmt.Errorf("%s; want a number or a one-element tensor", typeName(v))
	}
	if x.Value.Len() != 1 {
		return 0, fmt.Errorf("a tensor of shape %v; want a number or a one-element tensor", x.Shape())
	}
	return x.Value.At(0), nil
}

// historyTable is Keras's History as Lua: {history = {key = {...}},
// epoch = {...}}.
func historyTable(L *lua.LState, h *train.History) *lua.LTable {
	out := L.NewTable()
	hist := L.NewTable()
	for _, k := range h.Keys() {
		vals := L.CreateTable(len(h.History[k]), 0)
		for _, v := range h.History[k] {
			vals.Append(lua.LNumber(v))
		}
		hist.RawSetString(k, vals)
	}
	ep := L.CreateTable(len(h.Epoch), 0)
	for _, e := range h.Epoch {
		ep.Append(lua.LNumber(e))
	}
	out.RawSetString("history", hist)
	out.RawSetString("epoch", ep)
	return out
}

// configInt reads a positive integer setting of the command line.
func (rt *Runtime) configInt(key string) (int, bool) {
	v, ok := rt.opts.Config[key]
	if !ok || v == nil {
		return 0, false
	}
	n, ok := configValue(rt.L, v).(lua.LNumber)
	if !ok || n <= 0 || float64(n) != float64(int(n)) {
		return 0, false
	}
	return int(n), true
}

func (rt *Runtime) defaultProgress() train.Callback {
	p := &train.ProgressLogger{}
	if rt.opts.Stdout != nil {
		p.W = rt.opts.Stdout
		return p
	}
	p.W, p.Mode = io.Discard, train.ProgressLines
	p.Line = func(l train.ProgressLine) { rt.opts.Log.Info().Str("src", "fit").Msg(l.String()) }
	return p
}

// fitDataset picks fit's input: a Dataset userdata, or tensors x (and y)
// served in order in batches of batch_size (32), the last one partial.
func (rt *Runtime) fitDataset(L *lua.LState, a *Args) Dataset {
	x := a.Value("x")
	if ds, ok := datasetOf(x); ok {
		if a.Has("y") {
			a.Fail("y", "a dataset gives its own labels; pass y only with a tensor x")
		}
		if a.Has("batch_size") {
			a.Fail("batch_size", "a dataset has its own batch size; pass batch_size only with a tensor x")
		}
		return ds
	}
	if x == lua.LNil {
		a.Fail("x", "missing: pass a dataset (keras.data...) or a tensor")
	}
	xv, err := rt.ToVar(x)
	if err != nil {
		a.Fail("x", "expected a dataset (keras.data...) or a tensor, got %s", typeName(x))
	}
	d := &tensorDataset{x: xv.Value, bs: a.Int("batch_size", 32)}
	if d.bs <= 0 {
		a.Fail("batch_size", "%d, want > 0", d.bs)
	}
	if xv.Value.Rank() == 0 || xv.Value.Dim(0) == 0 {
		a.Fail("x", "tensor of shape %v has no examples", xv.Shape())
	}
	if y := a.OptTensor("y"); y != nil {
		if y.Value.Rank() == 0 || y.Value.Dim(0) != xv.Value.Dim(0) {
			a.Fail("y", "shape %v does not match x's %v on the first axis", y.Shape(), xv.Shape())
		}
		d.y = y.Value
	}
	return d
}

// tensorDataset serves x (and y) in order, in batches along the first axis.
type tensorDataset struct {
	x, y *tensor.Tensor
	bs   int
	step int
}

func (d *tensorDataset) StepsPerEpoch() int { return (d.x.Dim(0) + d.bs - 1) / d.bs }
func (d *tensorDataset) BatchSize() int     { return d.bs }

func (d *tensorDataset) Next() ([]*tensor.Tensor, error) {
	i := d.step % d.StepsPerEpoch()
	d.step++
	start, end := i*d.bs, min((i+1)*d.bs, d.x.Dim(0))
	out := []*tensor.Tensor{rows(d.x, start, end)}
	if d.y != nil {
		out = append(out, rows(d.y, start, end))
	}
	return out, nil
}

// rows returns t[start:end] along the first axis.
func rows(t *tensor.Tensor, start, end int) *tensor.Tensor {
	starts := make([]int, t.Rank())
	ends := t.Shape()
	starts[0], ends[0] = start, end
	return tensor.Slice(t, starts, ends)
}

// datasetSource adapts a Dataset to train.Source, keeping the batch's
// tensors for the step.
type datasetSource struct {
	ds   Dataset
	last []*tensor.Tensor
}

func (s *datasetSource) Next() (*data.Batch, error) {
	vals, err := s.ds.Next()
	if err != nil {
		return nil, err
	}
	if len(vals) == 0 || vals[0] == nil {
		return nil, errors.New("the dataset gave an empty batch")
	}
	s.last = vals
	return &data.Batch{Images: vals[0]}, nil
}

func (s *datasetSource) StepsPerEpoch() int { return s.ds.StepsPerEpoch() }

func (rt *Runtime) modelName(self lua.LValue) string {
	if u, ok := layerOf(self); ok {
		return u.l.Name()
	}
	return rt.ClassName(self)
}

// modelStopRequested reports model.stop_training.
func (rt *Runtime) modelStopRequested(self lua.LValue) bool {
	if u, ok := layerOf(self); ok {
		return u.stopTraining
	}
	tb, _ := self.(*lua.LTable)
	return tb != nil && lua.LVAsBool(tb.RawGetString("stop_training"))
}

func (rt *Runtime) setModelStop(self lua.LValue, on bool) {
	if u, ok := layerOf(self); ok {
		u.stopTraining = on
		return
	}
	if tb, ok := self.(*lua.LTable); ok {
		tb.RawSetString("stop_training", lua.LBool(on))
	}
}

// trackedMetrics finds the metrics a model tracks, as Keras does for
// metric attributes: the values of the instance's fields (and of its
// metrics list, when it has one) that have reset_state and result methods.
// Fit resets them at each epoch's start.
func (rt *Runtime) trackedMetrics(L *lua.LState, self lua.LValue) []lua.LValue {
	tb, ok := self.(*lua.LTable)
	if !ok {
		return nil
	}
	isMetric := func(v lua.LValue) bool {
		switch v.(type) {
		case *lua.LUserData, *lua.LTable:
		default:
			return false
		}
		if _, ok := layerOf(v); ok || rt.IsTensor(v) {
			return false
		}
		if t, ok := v.(*lua.LTable); ok && rt.IsInstance(t, rt.nnst().modelClass) {
			return false
		}
		_, r1 := safeField(L, v, "reset_state").(*lua.LFunction)
		_, r2 := safeField(L, v, "result").(*lua.LFunction)
		return r1 && r2
	}
	seen := map[lua.LValue]bool{}
	var keys []string
	vals := map[string]lua.LValue{}
	tb.ForEach(func(k, v lua.LValue) {
		if s, ok := k.(lua.LString); ok {
			keys = append(keys, string(s))
			vals[string(s)] = v
		}
	})
	sort.Strings(keys)
	var out []lua.LValue
	add := func(v lua.LValue) {
		if !seen[v] && isMetric(v) {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, k := range keys {
		add(vals[k])
	}
	if list, ok := tb.RawGetString("metrics").(*lua.LTable); ok {
		for i := 1; i <= list.Len(); i++ {
			add(list.RawGetInt(i))
		}
	}
	return out
}

// metricReset resets tracked metrics at each epoch's start (Keras's
// reset_metrics), so that a step returning their results reports means
// over the epoch.
type metricReset struct {
	train.BaseCallback
	rt      *Runtime
	metrics []lua.LValue
}

func (m *metricReset) OnEpochBegin(int, train.Logs) error {
	L := m.rt.L
	for _, v := range m.metrics {
		fn := L.GetField(v, "reset_state")
		if err := m.rt.Scope(func() error { _, err := m.rt.Call(fn, 0, v); return err }); err != nil {
			return fmt.Errorf("resetting a metric: %w", err)
		}
	}
	return nil
}

// safeField reads v[key] in protected mode: nil when v's __index raises.
func safeField(L *lua.LState, v lua.LValue, key string) lua.LValue {
	get := L.NewFunction(func(L *lua.LState) int {
		L.Push(L.GetField(L.Get(1), key))
		return 1
	})
	L.Push(get)
	L.Push(v)
	if err := L.PCall(1, 1, nil); err != nil {
		return lua.LNil
	}
	out := L.Get(-1)
	L.Pop(1)
	return out
}
