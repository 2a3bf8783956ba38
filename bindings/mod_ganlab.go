package bindings

import (
	"fmt"
	"sort"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

func init() { registerModule("config", openConfig) }

// openGanlab builds the ganlab module (require("ganlab"), the Lua
// counterpart of `import keras`): its own functions, then a field per
// registered module.
func (rt *Runtime) openGanlab() {
	L := rt.L
	g := L.NewTable()
	rt.ganlab = g
	rt.loaded.RawSetString("ganlab", g)
	g.RawSetString("__name", lua.LString("ganlab"))
	rt.initTape(L, g)
	g.RawSetString("keep", rt.Func("keep", rt.luaKeep))
	rt.openModules()
}

// luaKeep is keras.keep(t): the tensor (or each tensor of a list) outlives
// the scope that made it. It returns its argument.
func (rt *Runtime) luaKeep(L *lua.LState) int {
	v := L.Get(1)
	keepOne := func(lv lua.LValue) {
		t, ok := tensorOf(lv)
		if !ok {
			L.RaiseError("keep: expected a tensor or a list of tensors, got %s", typeName(lv))
		}
		if t.released {
			L.RaiseError("keep: %s", releasedMsg)
		}
		rt.keep(t)
	}
	if tb, ok := v.(*lua.LTable); ok {
		for i := 1; i <= tb.Len(); i++ {
			keepOne(tb.RawGetInt(i))
		}
	} else {
		keepOne(v)
	}
	L.Push(v)
	return 1
}

// openConfig builds keras.config from Options.Config: a read-only view
// (assigning to it is an error) of the command line's settings.
func openConfig(rt *Runtime, L *lua.LState) *lua.LTable {
	data := L.NewTable()
	keys := make([]string, 0, len(rt.opts.Config))
	for k := range rt.opts.Config {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		data.RawSetString(k, configValue(L, rt.opts.Config[k]))
	}
	proxy := L.NewTable()
	mt := L.NewTable()
	mt.RawSetString("__index", data)
	mt.RawSetString("__newindex", rt.Func("keras.config", func(L *lua.LState) int {
		L.RaiseError("keras.config is read-only: it holds the command line (--set %s=...)", lua.LVAsString(L.Get(2)))
		return 0
	}))
	mt.RawSetString("__metatable", lua.LString("keras.config"))
	// keras.config.items() lists the settings, since pairs() cannot see
	// through the read-only proxy in Lua 5.1.
	data.RawSetString("items", rt.Func("keras.config.items", func(L *lua.LState) int {
		out := L.NewTable()
		for _, k := range keys {
			out.RawSetString(k, data.RawGetString(k))
		}
		L.Push(out)
		return 1
	}))
	proxy.Metatable = mt
	return proxy
}

// configValue converts a setting: numbers stay numbers, and strings that
// read as numbers or booleans (--set lr=2e-4, --set ema=true) become them.
func configValue(L *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case int:
		return lua.LNumber(x)
	case int64:
		return lua.LNumber(x)
	case uint64:
		return lua.LNumber(x)
	case uint:
		return lua.LNumber(x)
	case int32:
		return lua.LNumber(x)
	case float32:
		return lua.LNumber(x)
	case float64:
		return lua.LNumber(x)
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return lua.LNumber(f)
		}
		if b, err := strconv.ParseBool(x); err == nil && (x == "true" || x == "false") {
			return lua.LBool(b)
		}
		return lua.LString(x)
	case []string:
		tb := L.CreateTable(len(x), 0)
		for _, s := range x {
			tb.Append(configValue(L, s))
		}
		return tb
	}
	return lua.LString(fmt.Sprint(v))
}
