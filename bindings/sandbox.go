package bindings

import (
	"strings"

	"github.com/ganlab/ganlab/core/tensor"
	lua "github.com/yuin/gopher-lua"
)

// removedBase are base functions a script does not get: loading code from
// files or strings (dofile, loadfile, load, loadstring), the Lua 5.1 module
// system (module) and a debugging helper that writes to stdout.
var removedBase = []string{"dofile", "loadfile", "load", "loadstring", "module", "_printregs"}

// maxRepBytes bounds string.rep: a huge repeat would take the whole process
// down with an out-of-memory crash that no recover can catch.
const maxRepBytes = 64 << 20

// openSandbox opens the allowed standard libraries and replaces what must
// not be reachable. Everything not opened here (io, debug, package.loadlib,
// most of os) simply does not exist in the state.
func (rt *Runtime) openSandbox() {
	L := rt.L
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	g := L.G.Global
	for _, name := range removedBase {
		g.RawSetString(name, lua.LNil)
	}
	g.RawSetString("print", rt.Func("print", rt.luaPrint))
	g.RawSetString("collectgarbage", rt.Func("collectgarbage", luaCollectGarbage))
	g.RawSetString("require", rt.Func("require", rt.luaRequire))

	// os: only the clock and the calendar.
	osmod := L.NewTable()
	L.Push(L.NewFunction(lua.OpenOs))
	L.Push(lua.LString(lua.OsLibName))
	L.Call(1, 1)
	full := L.Get(-1).(*lua.LTable)
	L.Pop(1)
	for _, name := range []string{"time", "clock", "date", "difftime"} {
		osmod.RawSetString(name, full.RawGetString(name))
	}
	g.RawSetString("os", osmod)

	// math.random from a seeded stream, so scripts are reproducible.
	mathmod := g.RawGetString("math").(*lua.LTable)
	mathRNG := tensor.NewRNG(rt.opts.Seed, rngStreamMath)
	mathmod.RawSetString("random", rt.Func("math.random", func(L *lua.LState) int { return luaMathRandom(L, mathRNG) }))
	mathmod.RawSetString("randomseed", rt.Func("math.randomseed", func(L *lua.LState) int {
		*mathRNG = *tensor.NewRNG(uint64(L.CheckInt64(1)), rngStreamMath)
		return 0
	}))
	strmod := g.RawGetString("string").(*lua.LTable)
	strmod.RawSetString("rep", rt.Func("string.rep", luaStringRep))

	// package: the loader's cache, and path/cpath for scripts that set them;
	// require never reads them.
	loaded := L.Get(lua.RegistryIndex).(*lua.LTable).RawGetString("_LOADED")
	lt, ok := loaded.(*lua.LTable)
	if !ok {
		lt = L.NewTable()
		L.Get(lua.RegistryIndex).(*lua.LTable).RawSetString("_LOADED", lt)
	}
	// OpenOs registered a global os and a loaded.os with every function; the
	// cache must hold the reduced table.
	lt.RawSetString("os", osmod)
	rt.loaded = lt
	pkg := L.NewTable()
	pkg.RawSetString("loaded", lt)
	pkg.RawSetString("preload", L.NewTable())
	pkg.RawSetString("path", lua.LString(""))
	pkg.RawSetString("cpath", lua.LString(""))
	g.RawSetString("package", pkg)
	lt.RawSetString("package", pkg)
}

// rngStreamMath is the stream of math.random, apart from tensor draws.
const rngStreamMath = 0x6d617468

func (rt *Runtime) luaPrint(L *lua.LState) int {
	top := L.GetTop()
	parts := make([]string, top)
	for i := 1; i <= top; i++ {
		parts[i-1] = L.ToStringMeta(L.Get(i)).String()
	}
	line := strings.Join(parts, "\t")
	if rt.opts.Stdout != nil {
		_, _ = rt.opts.Stdout.Write([]byte(line + "\n"))
		return 0
	}
	rt.opts.Log.Info().Str("src", "lua").Msg(line)
	return 0
}

// luaCollectGarbage is harmless: Go's collector runs on its own, and
// tensors are freed by scopes, not by Lua's collector. "count" returns 0 so
// that scripts printing memory use keep working.
func luaCollectGarbage(L *lua.LState) int {
	L.Push(lua.LNumber(0))
	return 1
}

func luaMathRandom(L *lua.LState, g *tensor.RNG) int {
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(g.Float64()))
	case 1:
		n := L.CheckInt(1)
		if n < 1 {
			L.ArgError(1, "interval is empty")
		}
		L.Push(lua.LNumber(1 + g.IntN(n)))
	default:
		lo, hi := L.CheckInt(1), L.CheckInt(2)
		if hi < lo {
			L.ArgError(2, "interval is empty")
		}
		L.Push(lua.LNumber(lo + g.IntN(hi-lo+1)))
	}
	return 1
}

func luaStringRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || len(s) == 0 {
		L.Push(lua.LString(""))
		return 1
	}
	if n > maxRepBytes/len(s) {
		L.RaiseError("string.rep: result of %d x %d bytes exceeds the sandbox limit of %d bytes", n, len(s), maxRepBytes)
	}
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}
