package bindings

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/optim"
	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

func init() { registerModule("optimizers", openOptimizers) }

// optimizerUD is what an optimizer userdata holds: a core/optim optimizer
// and the Keras class name for messages ("Adam").
type optimizerUD struct {
	opt  optim.Optimizer
	kind string
}

// scheduleUD is a keras.optimizers.schedules object: a core/optim Schedule.
type scheduleUD struct {
	s    optim.Schedule
	kind string
}

// baseOptimizerArgs are the keywords every optimizer takes after its own
// (Keras's base optimizer arguments that ganlab implements).
var baseOptimizerArgs = []string{"clipnorm", "clipvalue", "global_clipnorm", "name"}

// openOptimizers builds keras.optimizers and keras.optimizers.schedules.
func openOptimizers(rt *Runtime, L *lua.LState) *lua.LTable {
	m := L.NewTable()
	optMT := rt.optimizerMetatable(L)
	schedMT := rt.scheduleMetatable(L)
	newOpt := func(kind string, own []string, build func(a *Args, o optim.Options) (optim.Optimizer, error)) {
		fn := "optimizers." + kind
		names := append(append([]string{}, own...), baseOptimizerArgs...)
		m.RawSetString(kind, rt.Func(fn, func(L *lua.LState) int {
			a := rt.TableArgs(L, fn, names...)
			o := optim.Options{
				ClipNorm:       a.Float("clipnorm", 0),
				ClipValue:      a.Float("clipvalue", 0),
				GlobalClipNorm: a.Float("global_clipnorm", 0),
				Name:           a.String("name", ""),
			}
			opt, err := build(a, o)
			if err != nil {
				L.RaiseError("%s: %s", fn, kerasNames(err.Error()))
			}
			ud := L.NewUserData()
			ud.Value = &optimizerUD{opt: opt, kind: kind}
			ud.Metatable = optMT
			L.Push(ud)
			return 1
		}))
	}
	newOpt("Adam", []string{"learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"}, func(a *Args, o optim.Options) (optim.Optimizer, error) {
		cfg := optim.DefaultAdam()
		rt.rateArg(a, &o, cfg.LearningRate)
		cfg.Options = o
		cfg.Beta1 = a.Float("beta_1", cfg.Beta1)
		cfg.Beta2 = a.Float("beta_2", cfg.Beta2)
		cfg.Epsilon = a.Float("epsilon", cfg.Epsilon)
		cfg.Amsgrad = a.Bool("amsgrad", false)
		return optim.NewAdam(cfg)
	})
	newOpt("SGD", []string{"learning_rate", "momentum", "nesterov"}, func(a *Args, o optim.Options) (optim.Optimizer, error) {
		cfg := optim.DefaultSGD()
		rt.rateArg(a, &o, cfg.LearningRate)
		cfg.Options = o
		cfg.Momentum = a.Float("momentum", 0)
		cfg.Nesterov = a.Bool("nesterov", false)
		return optim.NewSGD(cfg)
	})
	newOpt("RMSprop", []string{"learning_rate", "rho", "momentum", "epsilon", "centered"}, func(a *Args, o optim.Options) (optim.Optimizer, error) {
		cfg := optim.DefaultRMSprop()
		rt.rateArg(a, &o, cfg.LearningRate)
		cfg.Options = o
		cfg.Rho = a.Float("rho", cfg.Rho)
		cfg.Momentum = a.Float("momentum", 0)
		cfg.Epsilon = a.Float("epsilon", cfg.Epsilon)
		cfg.Centered = a.Bool("centered", false)
		return optim.NewRMSprop(cfg)
	})
	m.RawSetString("schedules", rt.openSchedules(L, schedMT))
	return m
}

// rateArg reads learning_rate (a number or a schedule) into o.
func (rt *Runtime) rateArg(a *Args, o *optim.Options, def float64) {
	o.LearningRate = def
	if !a.Has("learning_rate") {
		return
	}
	v := a.Value("learning_rate")
	if s, ok := scheduleOf(v); ok {
		o.Schedule = s.s
		return
	}
	n, ok := v.(lua.LNumber)
	if !ok {
		a.Fail("learning_rate", "expected a number or a keras.optimizers.schedules object, got %s", typeName(v))
	}
	o.LearningRate = float64(n)
}

// kerasFields maps core/optim's field names, which its errors use, to the
// Keras argument names a script wrote.
var kerasFields = map[string]string{
	"LearningRate": "learning_rate", "Beta1": "beta_1", "Beta2": "beta_2", "Epsilon": "epsilon",
	"ClipNorm": "clipnorm", "ClipValue": "clipvalue", "GlobalClipNorm": "global_clipnorm",
	"Momentum": "momentum", "Rho": "rho", "Initial": "initial_learning_rate",
	"DecaySteps": "decay_steps", "DecayRate": "decay_rate", "Alpha": "alpha",
	"End": "end_learning_rate", "Values": "values", "Boundaries": "boundaries",
	"WarmupTarget": "warmup_target", "WarmupSteps": "warmup_steps", "LinearDecay": "PolynomialDecay",
}

var kerasFieldRE = regexp.MustCompile(`\b(` + strings.Join(mapKeys(kerasFields), "|") + `)\b`)

// kerasNames rewrites a core/optim error in the script's vocabulary,
// without core's own prefix ("adam: "), which the binding's name replaces.
func kerasNames(msg string) string {
	return kerasFieldRE.ReplaceAllStringFunc(stripOwner(msg), func(s string) string { return kerasFields[s] })
}

func mapKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// optimizerMetatable builds the optimizer type: opt:apply_gradients,
// opt:apply, and the fields learning_rate (settable), iterations and name.
func (rt *Runtime) optimizerMetatable(L *lua.LState) *lua.LTable {
	methods := map[string]*lua.LFunction{}
	for _, name := range []string{"apply_gradients", "apply"} {
		methods[name] = rt.Func("optimizer:"+name, rt.optApply)
	}
	mt := L.NewTable()
	mt.RawSetString("__index", rt.Func("optimizer.__index", func(L *lua.LState) int {
		o := checkOptimizer(L, 1)
		switch key := L.CheckString(2); key {
		case "learning_rate":
			L.Push(lua.LNumber(o.opt.LearningRate()))
		case "iterations":
			L.Push(lua.LNumber(o.opt.Iterations()))
		case "name":
			L.Push(lua.LString(o.opt.Name()))
		default:
			if f, ok := methods[key]; ok {
				L.Push(f)
			} else {
				L.Push(lua.LNil)
			}
		}
		return 1
	}))
	mt.RawSetString("__newindex", rt.Func("optimizer.__newindex", func(L *lua.LState) int {
		o := checkOptimizer(L, 1)
		key := L.CheckString(2)
		if key != "learning_rate" {
			L.RaiseError("%s: field %q cannot be set; only learning_rate can", o.kind, key)
		}
		v := L.Get(3)
		var err error
		if s, ok := scheduleOf(v); ok {
			err = o.opt.SetSchedule(s.s)
		} else if n, ok := v.(lua.LNumber); ok {
			err = o.opt.SetLearningRate(float64(n))
		} else {
			L.RaiseError("%s: learning_rate: expected a number or a keras.optimizers.schedules object, got %s", o.kind, typeName(v))
		}
		if err != nil {
			L.RaiseError("%s: %s", o.kind, kerasNames(err.Error()))
		}
		return 0
	}))
	mt.RawSetString("__tostring", rt.Func("optimizer.__tostring", func(L *lua.LState) int {
		o := checkOptimizer(L, 1)
		L.Push(lua.LString(fmt.Sprintf("%s(learning_rate=%g, iterations=%d)", o.kind, o.opt.LearningRate(), o.opt.Iterations())))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString("optimizer"))
	return mt
}

func checkOptimizer(L *lua.LState, idx int) *optimizerUD {
	if ud, ok := L.Get(idx).(*lua.LUserData); ok {
		if o, ok := ud.Value.(*optimizerUD); ok {
			return o
		}
	}
	L.RaiseError("optimizer: call methods with a colon, opt:apply_gradients(...); got %s as self", typeName(L.Get(idx)))
	return nil
}

// ToOptimizer returns the core optimizer of an optimizer userdata, for the
// bindings that drive one from Go (a learning-rate callback, checkpoints).
func (rt *Runtime) ToOptimizer(lv lua.LValue) (optim.Optimizer, error) {
	if ud, ok := lv.(*lua.LUserData); ok {
		if o, ok := ud.Value.(*optimizerUD); ok {
			return o.opt, nil
		}
	}
	return nil, fmt.Errorf("expected a keras.optimizers object, got %s", typeName(lv))
}

// optApply is opt:apply_gradients(grads, weights), and Keras's zip form
// opt:apply_gradients({{g1, w1}, {g2, w2}, ...}). Each weight is a tensor
// whose Var is the parameter (a leaf); it is updated in place.
func (rt *Runtime) optApply(L *lua.LState) int {
	o := checkOptimizer(L, 1)
	fn := o.kind + ":apply_gradients"
	a := rt.PosArgs(L, fn, 2, "grads", "weights")
	gt := a.Table("grads")
	if gt == nil {
		a.Fail("grads", "expected a list of gradient tensors (or of {grad, weight} pairs)")
	}
	var gradVals, weightVals []lua.LValue
	if !a.Has("weights") {
		// The zip form: a list of {grad, weight} pairs.
		for i := 1; i <= gt.Len(); i++ {
			pair, ok := gt.RawGetInt(i).(*lua.LTable)
			if !ok || pair.Len() != 2 {
				a.Fail("grads", "entry %d: expected a {grad, weight} pair, got %s; or pass grads and weights as two lists", i, typeName(gt.RawGetInt(i)))
			}
			gradVals = append(gradVals, pair.RawGetInt(1))
			weightVals = append(weightVals, pair.RawGetInt(2))
		}
	} else {
		wt := a.Table("weights")
		if gt.Len() != wt.Len() {
			L.RaiseError("%s: %d gradients for %d weights", fn, gt.Len(), wt.Len())
		}
		for i := 1; i <= gt.Len(); i++ {
			gradVals = append(gradVals, gt.RawGetInt(i))
			weightVals = append(weightVals, wt.RawGetInt(i))
		}
	}
	grads := make([]*tensor.Tensor, len(gradVals))
	params := make([]*autograd.Var, len(weightVals))
	for i := range gradVals {
		g, err := rt.ToVar(gradVals[i])
		if err != nil {
			L.RaiseError("%s: gradient %d: %v", fn, i+1, err)
		}
		w, err := rt.ToVar(weightVals[i])
		if err != nil {
			L.RaiseError("%s: weight %d: %v", fn, i+1, err)
		}
		if w.Op() != "leaf" {
			L.RaiseError("%s: weight %d is the result of an op (%s), not a weight; pass model.trainable_weights", fn, i+1, w.Op())
		}
		grads[i], params[i] = g.Value, w
	}
	if err := o.opt.ApplyGradients(grads, params); err != nil {
		L.RaiseError("%s: %s", fn, kerasNames(err.Error()))
	}
	return 0
}

// openSchedules builds keras.optimizers.schedules.
func (rt *Runtime) openSchedules(L *lua.LState, mt *lua.LTable) *lua.LTable {
	m := L.NewTable()
	add := func(kind string, names []string, build func(a *Args) (optim.Schedule, error)) {
		fn := "optimizers.schedules." + kind
		m.RawSetString(kind, rt.Func(fn, func(L *lua.LState) int {
			a := rt.TableArgs(L, fn, append(names, "name")...)
			a.String("name", "")
			s, err := build(a)
			if err != nil {
				L.RaiseError("%s: %s", fn, kerasNames(err.Error()))
			}
			ud := L.NewUserData()
			ud.Value = &scheduleUD{s: s, kind: kind}
			ud.Metatable = mt
			L.Push(ud)
			return 1
		}))
	}
	add("ExponentialDecay", []string{"initial_learning_rate", "decay_steps", "decay_rate", "staircase"}, func(a *Args) (optim.Schedule, error) {
		s := optim.ExponentialDecay{
			Initial:    floatReq(a, "initial_learning_rate"),
			DecaySteps: int64(a.IntReq("decay_steps")),
			DecayRate:  floatReq(a, "decay_rate"),
			Staircase:  a.Bool("staircase", false),
		}
		return s, s.Validate()
	})
	add("PiecewiseConstantDecay", []string{"boundaries", "values"}, func(a *Args) (optim.Schedule, error) {
		var s optim.PiecewiseConstantDecay
		for _, b := range numberList(a, "boundaries", true) {
			s.Boundaries = append(s.Boundaries, int64(b))
		}
		s.Values = numberList(a, "values", false)
		return s, s.Validate()
	})
	add("CosineDecay", []string{"initial_learning_rate", "decay_steps", "alpha", "warmup_target", "warmup_steps"}, func(a *Args) (optim.Schedule, error) {
		s := optim.CosineDecay{
			Initial:      floatReq(a, "initial_learning_rate"),
			DecaySteps:   int64(a.IntReq("decay_steps")),
			Alpha:        a.Float("alpha", 0),
			WarmupTarget: a.Float("warmup_target", 0),
			WarmupSteps:  int64(a.Int("warmup_steps", 0)),
		}
		return s, s.Validate()
	})
	add("PolynomialDecay", []string{"initial_learning_rate", "decay_steps", "end_learning_rate", "power", "cycle"}, func(a *Args) (optim.Schedule, error) {
		if p := a.Float("power", 1); p != 1 {
			a.Fail("power", "%v is not supported: ganlab implements the linear decay (power=1) only", p)
		}
		if a.Bool("cycle", false) {
			a.Fail("cycle", "cycle=true is not supported")
		}
		s := optim.LinearDecay{
			Initial:    floatReq(a, "initial_learning_rate"),
			DecaySteps: int64(a.IntReq("decay_steps")),
			End:        a.Float("end_learning_rate", 0.0001), // Keras's default
		}
		return s, s.Validate()
	})
	return m
}

// scheduleMetatable builds the schedule type: sched(step) returns the rate
// at an optimizer iteration, as a Keras LearningRateSchedule does.
func (rt *Runtime) scheduleMetatable(L *lua.LState) *lua.LTable {
	mt := L.NewTable()
	mt.RawSetString("__call", rt.Func("schedule()", func(L *lua.LState) int {
		s, _ := scheduleOf(L.Get(1))
		step, ok := toInt(L.Get(2))
		if !ok || step < 0 {
			L.RaiseError("%s(step): expected a non-negative integer step, got %s", s.kind, typeName(L.Get(2)))
		}
		L.Push(lua.LNumber(s.s.At(int64(step))))
		return 1
	}))
	mt.RawSetString("__tostring", rt.Func("schedule.__tostring", func(L *lua.LState) int {
		s, _ := scheduleOf(L.Get(1))
		L.Push(lua.LString(fmt.Sprintf("%s%+v", s.kind, s.s)))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString("schedule"))
	return mt
}

func scheduleOf(lv lua.LValue) (*scheduleUD, bool) {
	if ud, ok := lv.(*lua.LUserData); ok {
		s, ok := ud.Value.(*scheduleUD)
		return s, ok
	}
	return nil, false
}

// floatReq returns a required number argument.
func floatReq(a *Args, name string) float64 {
	v := a.required(name)
	if _, ok := v.(lua.LNumber); !ok {
		a.Fail(name, "expected a number, got %s", typeName(v))
	}
	return a.Float(name, 0)
}

// numberList returns a required list of numbers (integers when ints).
func numberList(a *Args, name string, ints bool) []float64 {
	a.required(name)
	tb := a.Table(name)
	out := make([]float64, tb.Len())
	for i := range out {
		v := tb.RawGetInt(i + 1)
		n, ok := v.(lua.LNumber)
		if ints {
			_, ok = toInt(v)
		}
		if !ok {
			what := "a number"
			if ints {
				what = "an integer"
			}
			a.Fail(name, "entry %d: expected %s, got %s", i+1, what, typeName(v))
		}
		out[i] = float64(n)
	}
	return out
}
