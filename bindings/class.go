package bindings

import (
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// ClassSpec describes a class made in Go, the base of classes a script
// extends (keras.Model, keras.callbacks.Callback):
//
//	local GAN = keras.Model:extend("GAN")
//	function GAN:init(d, g) GAN.super.init(self); self.d = d end
//	local gan = GAN(d, g)        -- makes the instance, then calls init
//
// Instances are Lua tables whose metatable is their class; a method lookup
// walks the class chain, and metamethods (__call, __tostring, ...) are
// copied into each subclass at extend time, since Lua looks them up without
// __index.
type ClassSpec struct {
	// Name is the class name ("Model").
	Name string
	// Base is the class extended; nil for a root class.
	Base *lua.LTable
	// Methods are Go methods (self is argument 1), each wrapped with Guard
	// under the name "Name.method". A root class gets a no-op init unless
	// one is given, so subclasses can always call Name.super.init(self).
	Methods map[string]lua.LGFunction
	// New, when set, makes the bare instance before init runs (a table
	// holding Go-side state), for this class and every subclass.
	New func(L *lua.LState, cls *lua.LTable) *lua.LTable
}

// classRegistry keeps the Go allocators of classes and the shared extend
// and constructor functions.
type classRegistry struct {
	alloc     map[*lua.LTable]func(L *lua.LState, cls *lua.LTable) *lua.LTable
	extend    *lua.LFunction
	construct *lua.LFunction
	noInit    *lua.LFunction
	toString  *lua.LFunction
}

func (rt *Runtime) initClasses() {
	c := &rt.classes
	c.alloc = map[*lua.LTable]func(*lua.LState, *lua.LTable) *lua.LTable{}
	c.extend = rt.Func("extend", rt.classExtend)
	c.construct = rt.Func("class()", rt.classConstruct)
	c.noInit = rt.Func("init", func(L *lua.LState) int { return 0 })
	c.toString = rt.Func("tostring", func(L *lua.LState) int {
		L.Push(lua.LString(rt.ClassName(L.Get(1)) + " object"))
		return 1
	})
}

// NewClass makes a class from Go.
func (rt *Runtime) NewClass(L *lua.LState, spec ClassSpec) *lua.LTable {
	cls := rt.makeClass(L, spec.Name, spec.Base)
	for name, fn := range spec.Methods {
		cls.RawSetString(name, rt.Func(spec.Name+"."+name, fn))
	}
	if spec.Base == nil && spec.Methods["init"] == nil {
		cls.RawSetString("init", rt.classes.noInit)
	}
	if spec.New != nil {
		rt.classes.alloc[cls] = spec.New
	}
	return cls
}

func (rt *Runtime) makeClass(L *lua.LState, name string, base *lua.LTable) *lua.LTable {
	cls := L.NewTable()
	cls.RawSetString("__index", cls)
	cls.RawSetString("__name", lua.LString(name))
	meta := L.NewTable()
	meta.RawSetString("__call", rt.classes.construct)
	if base != nil {
		cls.RawSetString("super", base)
		meta.RawSetString("__index", base)
		base.ForEach(func(k, v lua.LValue) {
			if s, ok := k.(lua.LString); ok && strings.HasPrefix(string(s), "__") && s != "__index" && s != "__name" {
				cls.RawSetString(string(s), v)
			}
		})
	} else {
		cls.RawSetString("extend", rt.classes.extend)
		cls.RawSetString("__tostring", rt.classes.toString)
	}
	cls.Metatable = meta
	return cls
}

// classExtend is Class:extend("Name").
func (rt *Runtime) classExtend(L *lua.LState) int {
	base, ok := L.Get(1).(*lua.LTable)
	if !ok || !rt.isClass(base) {
		L.RaiseError("extend: call it as Base:extend(\"Name\") on a class, got %s", typeName(L.Get(1)))
	}
	name := L.OptString(2, "Anonymous")
	L.Push(rt.makeClass(L, name, base))
	return 1
}

// classConstruct is Class(args...): the bare instance from the nearest Go
// allocator (or an empty table), then init(self, args...).
func (rt *Runtime) classConstruct(L *lua.LState) int {
	cls := L.CheckTable(1)
	var self *lua.LTable
	if alloc := rt.allocatorOf(cls); alloc != nil {
		self = alloc(L, cls)
	} else {
		self = L.NewTable()
	}
	self.Metatable = cls
	if init, ok := L.GetField(cls, "init").(*lua.LFunction); ok {
		nargs := L.GetTop() - 1
		L.Push(init)
		L.Push(self)
		for i := 2; i <= nargs+1; i++ {
			L.Push(L.Get(i))
		}
		L.Call(nargs+1, 0)
	}
	L.Push(self)
	return 1
}

func (rt *Runtime) allocatorOf(cls *lua.LTable) func(*lua.LState, *lua.LTable) *lua.LTable {
	for c := cls; c != nil; {
		if a, ok := rt.classes.alloc[c]; ok {
			return a
		}
		next, _ := c.RawGetString("super").(*lua.LTable)
		c = next
	}
	return nil
}

func (rt *Runtime) isClass(t *lua.LTable) bool {
	meta, ok := t.Metatable.(*lua.LTable)
	return ok && meta.RawGetString("__call") == rt.classes.construct
}

// IsInstance reports whether v is an instance of cls or of a subclass.
func (rt *Runtime) IsInstance(v lua.LValue, cls *lua.LTable) bool {
	t, ok := v.(*lua.LTable)
	if !ok {
		return false
	}
	c, _ := t.Metatable.(*lua.LTable)
	for c != nil {
		if c == cls {
			return true
		}
		c, _ = c.RawGetString("super").(*lua.LTable)
	}
	return false
}

// ClassName returns the class name of an instance (or of a class), "" for
// other values.
func (rt *Runtime) ClassName(v lua.LValue) string {
	t, ok := v.(*lua.LTable)
	if !ok {
		return ""
	}
	if rt.isClass(t) {
		return lua.LVAsString(t.RawGetString("__name"))
	}
	if c, ok := t.Metatable.(*lua.LTable); ok {
		return lua.LVAsString(c.RawGetString("__name"))
	}
	return ""
}
