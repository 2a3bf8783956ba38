// Package bindings is ganlab's Lua runtime: a sandboxed gopher-lua state,
// the module loader, the tensor userdata and the `ganlab` module (the Lua
// counterpart of `import keras`). It adapts core/ to Lua and holds no maths:
// every computation is a core/autograd op, so gradients flow through
// anything a script computes. docs/lua-api.md is the contract.
//
// # Runtime
//
// New(ctx, Options) makes the state; RunFile runs the experiment; Call runs
// a Lua function from Go (a train_step, a callback hook) in protected mode.
// The state stops when ctx is done, even in `while true do end`, and the
// error then wraps ctx.Err(). A Runtime belongs to one goroutine.
//
// # Sandbox
//
// Scripts get base (without dofile, loadfile, load, loadstring, module),
// table, string (string.rep capped at 64 MiB), math (math.random from a
// stream seeded by Options.Seed), coroutine, and os.time/clock/date/difftime.
// There is no io, debug or package.loadlib; collectgarbage is a no-op that
// returns 0; print goes to Options.Stdout or the logger. require resolves
// dotted names (a.b → a/b.lua or a/b/init.lua) under Options.Roots only,
// after filepath.EvalSymlinks, refusing slashes, "..", absolute names and
// symlinks that leave a root; package.path and package.cpath exist but are
// never read. Known limit: a script can still exhaust memory with plain Lua
// tables or strings (the context stops it only if it is also slow).
//
// # Errors
//
// A Lua error or a failing binding reaches Go as an *Error with the script's
// file, line and Lua traceback (Error() prints both). Every Go function
// exposed to Lua is wrapped by rt.Func / rt.Guard: a panic inside it becomes
// a Lua error that pcall can catch; a *tensor.Error keeps its message ("add:
// shapes [2 3] and [4] do not broadcast"), other panics are prefixed with
// the binding's name. Bindings report bad input with L.RaiseError (the
// position of the calling Lua line is added), Args.Fail, rt.Raisef, or
// rt.Raise(L, err) for a Go error (an *Error from a nested rt.Call keeps its
// own position and traceback).
//
// # Tensors and lifetimes
//
// A tensor is a userdata holding an *autograd.Var (rt.NewTensor, rt.PushTensor,
// rt.CheckTensor, rt.ToVar). gopher-lua never calls __gc, so lifetimes are
// scopes: the model and callback bindings run each train_step and callback
// hook inside rt.Scope (or BeginScope/EndScope); every non-permanent tensor
// made in a scope is released when it ends (its Var set to nil, so the
// memory and the graph behind it can be collected), and any later use is an
// error saying so. Tensors made outside scopes, permanent tensors (weights:
// rt.NewTensor(L, param, true)) and tensors passed to keras.keep live for the
// run. A weight is simply a permanent tensor whose Var is the parameter, so
// tape:gradient and optimizers take weights and tensors alike.
//
// # Adding a module
//
// One file per module (layers.go, models.go, ...) with
//
//	func init() { registerModule("layers", openLayers) }
//	func openLayers(rt *Runtime, L *lua.LState) *lua.LTable { ... }
//
// gives require("ganlab.layers") and keras.layers. An opener that needs
// another module's table calls rt.Module("name") first; one that adds
// top-level names (keras.Sequential) sets them on rt.Ganlab(). Functions go
// in with rt.Func("layers.Dense", fn); classes a script extends (keras.Model,
// Callback) with rt.NewClass (see ClassSpec).
//
// # Conventions
//
// Keras's positional arguments go in the array part of one table, keywords
// by their Keras names: layers.Dense{128, activation="relu"} is parsed with
// rt.TableArgs(L, "layers.Dense", "units", "activation", ...). Plain calls
// such as ops.mean(x, {1, 2}, true) or model(x, {training=false}) use
// rt.PosArgs, where a trailing table with only string keys holds keywords.
// An unknown keyword, a surplus positional or a wrong type is an error
// naming the function, the argument and (for keywords) the accepted names.
// Axes are Keras's: 0-based, negative from the end; Lua tables stay 1-based
// (x.shape[1] is the batch size, x[1] the first example).
//
// `repeat` is a Lua keyword, so keras.ops.repeat is spelled ops["repeat"].
//
// # Measurements
//
// BenchmarkLuaOpOverhead (2-core shared machine, 2026-12-03, -benchtime 2s,
// 8-element float32 tensors, steps of 100 calls in a scope): autograd.Add
// from Go 0.85 µs; `a + b` from Lua 2.0 µs; ops.add(a, b) 3.1 µs;
// ops.mean(a, 0) 3.9 µs against 1.75 µs from Go; a:sum() 2.6 µs; a.shape
// 0.65 µs; an empty Lua loop iteration 31 ns. So the Lua layer costs about
// 1.2–2.2 µs per op call (metamethod dispatch, argument parsing, userdata,
// scope bookkeeping). At ~100 op calls per DCGAN train step of ~200 ms that
// is ~0.2 ms, about 0.1% of the step, far below the 2% budget.
//
// # Fuzzing
//
// FuzzLuaTensorAPI builds Lua snippets from fuzzed bytes (keras.ops names,
// operators, methods, indexing, random draws, tapes with create_graph,
// keras.keep; random shapes, axes and numbers including NaN, ±Inf, 1e9 and
// non-integers), runs part of each inside a scope and part after it (so
// released tensors get used), and requires success or a Lua error, never a
// Go panic, a hang (10 s context) or a Lua error that hides a Go runtime
// error. Its seed corpus runs with go test. Fuzzed on 2026-12-03 for 3
// minutes (go test -run XXX -fuzz FuzzLuaTensorAPI -fuzztime 3m, 2 cores):
// 287,346 executions, 609 corpus entries, no failure found. Before fuzzing,
// the shape limit MaxElements was lowered to 2^28 so that sizes such as
// repeat(x, 1e9) are refused instead of exhausting memory.
package bindings
