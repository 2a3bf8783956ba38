package bindings

import (
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

// Error is a Lua error, or a binding that failed, as Go sees it.
type Error struct {
	// Msg is the Lua error message, usually "file.lua:LINE: what failed".
	Msg string
	// File and Line locate the error in a script when Msg starts with
	// a position (empty and 0 otherwise).
	File string
	Line int
	// Traceback is Lua's "stack traceback:" block.
	Traceback string
	// Cause is the context's error when the script was stopped, or nil.
	Cause error
}

func (e *Error) Error() string {
	if e.Traceback == "" {
		return e.Msg
	}
	return e.Msg + "\n" + e.Traceback
}

// Unwrap returns the cause (context.Canceled, context.DeadlineExceeded).
func (e *Error) Unwrap() error { return e.Cause }

var positionRE = regexp.MustCompile(`^(.+?):(\d+): `)

// convertError turns what PCall returned into an *Error. When the error was
// raised again by a binding from a nested Call (fit calling train_step), the
// nested error's traceback is used: it was taken where the error happened
// and already holds every frame below it.
func (rt *Runtime) convertError(err error) *Error {
	e := &Error{Msg: err.Error()}
	var api *lua.ApiError
	if errors.As(err, &api) {
		if api.Object != nil {
			e.Msg = api.Object.String()
		}
		e.Traceback = api.StackTrace
		if api.Cause != nil && e.Msg == "" {
			e.Msg = api.Cause.Error()
		}
	}
	if in, ok := rt.inner[e.Msg]; ok {
		e.Traceback = in.Traceback
		e.Cause = in.Cause
	}
	clear(rt.inner)
	if m := positionRE.FindStringSubmatch(e.Msg); m != nil {
		e.File = m[1]
		e.Line, _ = strconv.Atoi(m[2])
	}
	if cerr := rt.ctx.Err(); cerr != nil && e.Cause == nil {
		e.Cause = cerr
	}
	return e
}

// Raise raises err as a Lua error from a binding and does not return. An
// *Error from a nested Call keeps its message (which already has the
// script's position) and its traceback; any other error gets the position of
// the Lua code that called the binding.
func (rt *Runtime) Raise(L *lua.LState, err error) {
	var e *Error
	if errors.As(err, &e) {
		rt.inner[e.Msg] = e
		L.Error(lua.LString(e.Msg), 0)
	}
	L.RaiseError("%s", err.Error())
}

// Raisef raises "fn: message" as a Lua error at the caller's position.
func (rt *Runtime) Raisef(L *lua.LState, fn, format string, args ...any) {
	L.RaiseError("%s: %s", fn, fmt.Sprintf(format, args...))
}

// Func wraps a Go function for Lua under a name used in error messages. Every
// Go function exposed to Lua must go through Func (or Guard): a panic inside
// it becomes a Lua error that pcall can catch, never a crash. A
// *tensor.Error keeps its message ("add: shapes [2 3] and [4] do not
// broadcast"); any other panic is reported with the function's name.
func (rt *Runtime) Func(name string, fn lua.LGFunction) *lua.LFunction {
	return rt.L.NewFunction(rt.Guard(name, fn))
}

// Guard is Func without making the function value, for SetFuncs-style
// tables and metatables.
func (rt *Runtime) Guard(name string, fn lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		prev := rt.cur
		rt.cur = name
		defer rt.recoverBinding(L, name, prev)
		return fn(L)
	}
}

// recoverBinding restores the name of the binding being run and turns a
// panic into a Lua error.
func (rt *Runtime) recoverBinding(L *lua.LState, name, prev string) {
	rt.cur = prev
	r := recover()
	if r == nil {
		return
	}
	switch v := r.(type) {
	case *lua.ApiError:
		panic(v) // a Lua error on its way out: not ours to change
	case *tensor.Error:
		if name == v.Op || strings.HasSuffix(name, "."+v.Op) || strings.HasSuffix(name, ":"+v.Op) {
			L.RaiseError("%s", v.Error())
		}
		L.RaiseError("%s: %s", name, v.Error())
	case *Error:
		rt.Raise(L, v)
	case error:
		rt.opts.Log.Debug().Str("binding", name).Str("stack", string(debug.Stack())).Msg("binding panicked")
		L.RaiseError("%s: %v", name, v)
	default:
		rt.opts.Log.Debug().Str("binding", name).Str("stack", string(debug.Stack())).Msg("binding panicked")
		L.RaiseError("%s: internal error: %v", name, v)
	}
}
