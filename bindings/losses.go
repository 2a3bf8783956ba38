package bindings

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/losses"
	lua "github.com/yuin/gopher-lua"
)

func init() { registerModule("losses", openLosses) }

// lossUD is what a loss object holds: a core/losses loss, its Keras class
// name ("BinaryCrossentropy") and its name ("binary_crossentropy").
type lossUD struct {
	loss losses.Loss
	kind string
	name string
}

// lossClass describes one Keras loss class and its function form.
type lossClass struct {
	kind, fn string   // "BinaryCrossentropy", "binary_crossentropy"
	alias    []string // other function names Keras has ("mse")
	args     []string // constructor keywords besides reduction and name
	build    func(a *Args) (losses.Loss, error)
}

var lossClasses = []lossClass{
	{"BinaryCrossentropy", "binary_crossentropy", nil, []string{"from_logits", "label_smoothing"}, func(a *Args) (losses.Loss, error) {
		return losses.NewBinaryCrossentropy(a.Bool("from_logits", false), a.Float("label_smoothing", 0))
	}},
	{"CategoricalCrossentropy", "categorical_crossentropy", nil, []string{"from_logits", "label_smoothing"}, func(a *Args) (losses.Loss, error) {
		return losses.NewCategoricalCrossentropy(a.Bool("from_logits", false), a.Float("label_smoothing", 0))
	}},
	{"SparseCategoricalCrossentropy", "sparse_categorical_crossentropy", nil, []string{"from_logits"}, func(a *Args) (losses.Loss, error) {
		return losses.NewSparseCategoricalCrossentropy(a.Bool("from_logits", false)), nil
	}},
	{"MeanSquaredError", "mean_squared_error", []string{"mse"}, nil, func(*Args) (losses.Loss, error) {
		return losses.MeanSquaredError{}, nil
	}},
	{"MeanAbsoluteError", "mean_absolute_error", []string{"mae"}, nil, func(*Args) (losses.Loss, error) {
		return losses.MeanAbsoluteError{}, nil
	}},
	{"Hinge", "hinge", nil, nil, func(*Args) (losses.Loss, error) { return losses.Hinge{}, nil }},
	{"KLDivergence", "kl_divergence", []string{"kld"}, nil, func(*Args) (losses.Loss, error) {
		return losses.KLDivergence{}, nil
	}},
}

// openLosses builds keras.losses: the Keras loss classes (callable
// objects), their function forms, and ganlab's GAN losses.
func openLosses(rt *Runtime, L *lua.LState) *lua.LTable {
	m := L.NewTable()
	mt := rt.lossMetatable(L)
	for _, c := range lossClasses {
		ctor := "losses." + c.kind
		m.RawSetString(c.kind, rt.Func(ctor, func(L *lua.LState) int {
			a := rt.TableArgs(L, ctor, append(append([]string{}, c.args...), "reduction", "name")...)
			checkReduction(a)
			loss, err := c.build(a)
			if err != nil {
				L.RaiseError("%s: %s", ctor, stripOwner(err.Error()))
			}
			ud := L.NewUserData()
			ud.Value = &lossUD{loss: loss, kind: c.kind, name: a.String("name", c.fn)}
			ud.Metatable = mt
			L.Push(ud)
			return 1
		}))
		// The function form: the same loss, keywords after the tensors.
		// NOTE: it returns the batch mean (a scalar) where Keras returns
		// per-sample values; ops.mean of either is the same number.
		for _, name := range append([]string{c.fn}, c.alias...) {
			fn := "losses." + name
			m.RawSetString(name, rt.Func(fn, func(L *lua.LState) int {
				a := rt.PosArgs(L, fn, 1, append([]string{"y_true", "y_pred"}, c.args...)...)
				loss, err := c.build(a)
				if err != nil {
					L.RaiseError("%s: %s", fn, stripOwner(err.Error()))
				}
				yTrue, yPred := rt.lossOperand(a, "y_true"), rt.lossOperand(a, "y_pred")
				return rt.pushLoss(L, fn)(loss.Call(yTrue, yPred))
			}))
		}
	}
	rt.addGANLosses(L, m)
	return m
}

// checkReduction accepts Keras's default reduction only, the one core/losses
// computes.
func checkReduction(a *Args) {
	a.String("reduction", "sum_over_batch_size", "sum_over_batch_size")
}

// lossOperand returns a tensor argument of a loss. Unlike most ops, a Lua
// number is refused: a loss of a number against a batch is almost surely a
// mistake (use ops.ones_like, ops.zeros_like or ops.full for constant
// targets).
func (rt *Runtime) lossOperand(a *Args, name string) *autograd.Var {
	v := a.required(name)
	x, err := rt.ToVar(v)
	if err != nil {
		a.Fail(name, "%v; make targets with keras.ops (ones_like, zeros_like, convert_to_tensor)", err)
	}
	return x
}

// pushLoss returns a function that pushes a loss result, or raises its
// error under fn's name.
func (rt *Runtime) pushLoss(L *lua.LState, fn string) func(*autograd.Var, error) int {
	return func(y *autograd.Var, err error) int {
		if err != nil {
			rt.Raise(L, prefixErr(fn, err))
		}
		return rt.PushTensor(L, y)
	}
}

// prefixErr puts fn before a core error, dropping core's own prefix; an
// *Error from a nested Lua call (a critic) passes unchanged, since it
// already names the script's line.
func prefixErr(fn string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %s", fn, stripOwner(err.Error()))
}

// stripOwner drops a leading "Owner: " (a single word, as core's errors
// start with their type's name) from msg.
func stripOwner(msg string) string {
	if i := strings.Index(msg, ": "); i > 0 && !strings.ContainsAny(msg[:i], " .:") {
		return msg[i+2:]
	}
	return msg
}

// lossMetatable builds the loss object type: loss(y_true, y_pred) returns
// the scalar loss; loss.name is its name.
func (rt *Runtime) lossMetatable(L *lua.LState) *lua.LTable {
	mt := L.NewTable()
	mt.RawSetString("__call", rt.Func("loss", func(L *lua.LState) int {
		l := checkLoss(L)
		a := rt.PosArgs(L, l.kind, 2, "y_true", "y_pred")
		yTrue, yPred := rt.lossOperand(a, "y_true"), rt.lossOperand(a, "y_pred")
		return rt.pushLoss(L, l.kind)(l.loss.Call(yTrue, yPred))
	}))
	mt.RawSetString("__index", rt.Func("loss.__index", func(L *lua.LState) int {
		l := checkLoss(L)
		switch L.CheckString(2) {
		case "name":
			L.Push(lua.LString(l.name))
		default:
			L.Push(lua.LNil)
		}
		return 1
	}))
	mt.RawSetString("__tostring", rt.Func("loss.__tostring", func(L *lua.LState) int {
		l := checkLoss(L)
		L.Push(lua.LString(fmt.Sprintf("%s%+v", l.kind, l.loss)))
		return 1
	}))
	mt.RawSetString("__metatable", lua.LString("loss"))
	return mt
}

func checkLoss(L *lua.LState) *lossUD {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if l, ok := ud.Value.(*lossUD); ok {
			return l
		}
	}
	L.RaiseError("loss: expected a keras.losses object as self, got %s", typeName(L.Get(1)))
	return nil
}

// ToLoss returns the core loss of a loss object, for bindings that call one
// from Go (compile's loss argument).
func (rt *Runtime) ToLoss(lv lua.LValue) (losses.Loss, error) {
	if ud, ok := lv.(*lua.LUserData); ok {
		if l, ok := ud.Value.(*lossUD); ok {
			return l.loss, nil
		}
	}
	return nil, fmt.Errorf("expected a keras.losses object, got %s", typeName(lv))
}

// addGANLosses adds ganlab's GAN losses to keras.losses: the Wasserstein
// and hinge GAN losses on critic outputs, the WGAN-GP gradient penalty, R1
// and feature matching.
func (rt *Runtime) addGANLosses(L *lua.LState, m *lua.LTable) {
	set := func(name string, fn lua.LGFunction) { m.RawSetString(name, rt.Func("losses."+name, fn)) }
	two := func(name string, f func(a, b *autograd.Var) (*autograd.Var, error), x, y string) {
		set(name, func(L *lua.LState) int {
			a := rt.PosArgs(L, "losses."+name, 1, x, y)
			return rt.pushLoss(L, "losses."+name)(f(rt.lossOperand(a, x), rt.lossOperand(a, y)))
		})
	}
	one := func(name string, f func(a *autograd.Var) (*autograd.Var, error)) {
		set(name, func(L *lua.LState) int {
			a := rt.PosArgs(L, "losses."+name, 1, "fake_logits")
			return rt.pushLoss(L, "losses."+name)(f(rt.lossOperand(a, "fake_logits")))
		})
	}
	two("wasserstein_d", losses.WassersteinD, "real_logits", "fake_logits")
	one("wasserstein_g", losses.WassersteinG)
	two("hinge_d", losses.HingeD, "real_logits", "fake_logits")
	one("hinge_g", losses.HingeG)
	two("feature_matching", losses.FeatureMatching, "real_features", "fake_features")
	set("gradient_penalty", func(L *lua.LState) int {
		const fn = "losses.gradient_penalty"
		a := rt.PosArgs(L, fn, 1, "critic", "real", "fake", "one_sided", "seed")
		critic := rt.luaCritic(a, "critic")
		real, fake := rt.lossOperand(a, "real"), rt.lossOperand(a, "fake")
		rng := rt.SeedRNG(L, fn, a.Value("seed"))
		return rt.pushLoss(L, fn)(losses.GradientPenalty(critic, real, fake, rng, a.Bool("one_sided", false)))
	})
	set("r1_penalty", func(L *lua.LState) int {
		const fn = "losses.r1_penalty"
		a := rt.PosArgs(L, fn, 1, "critic", "real")
		critic := rt.luaCritic(a, "critic")
		return rt.pushLoss(L, fn)(losses.R1Penalty(critic, rt.lossOperand(a, "real")))
	})
}

// luaCritic turns a callable Lua value (a model, a layer, a function) into
// a core critic. It is called as critic(x, {training=true}), as the Keras
// WGAN-GP example calls its discriminator, in protected mode: a Lua error
// inside comes back as an *Error with the script's position.
func (rt *Runtime) luaCritic(a *Args, name string) losses.Critic {
	v := a.required(name)
	if !rt.callable(v) {
		a.Fail(name, "expected a model, a layer or a function, got %s", typeName(v))
	}
	L := a.L
	return func(x *autograd.Var) (*autograd.Var, error) {
		opts := L.NewTable()
		opts.RawSetString("training", lua.LTrue)
		out, err := rt.Call(v, 1, rt.NewTensor(L, x, false), opts)
		if err != nil {
			return nil, err
		}
		y, err := rt.ToVar(out[0])
		if err != nil {
			return nil, fmt.Errorf("must return a tensor: %v", err)
		}
		return y, nil
	}
}

// callable reports whether v can be called: a function, or a value with a
// __call metamethod.
func (rt *Runtime) callable(v lua.LValue) bool {
	if _, ok := v.(*lua.LFunction); ok {
		return true
	}
	_, ok := rt.L.GetMetaField(v, "__call").(*lua.LFunction)
	return ok
}
