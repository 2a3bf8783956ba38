package bindings

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestClassHelper builds a plain Go base class, Animal, with a Go method and
// a Go allocator, and extends it twice from Lua, the way scripts extend
// keras.Model and Callback.
func TestClassHelper(t *testing.T) {
	rt, out := newTestRuntime(t)
	allocs := 0
	animal := rt.NewClass(rt.L, ClassSpec{
		Name: "Animal",
		Methods: map[string]lua.LGFunction{
			"speak": func(L *lua.LState) int {
				self := L.CheckTable(1)
				L.Push(lua.LString(lua.LVAsString(L.GetField(self, "name")) + " says " + lua.LVAsString(L.GetField(self, "sound"))))
				return 1
			},
			"__tostring": func(L *lua.LState) int {
				L.Push(lua.LString("<" + rt.ClassName(L.Get(1)) + ">"))
				return 1
			},
		},
		New: func(L *lua.LState, cls *lua.LTable) *lua.LTable {
			allocs++
			self := L.NewTable()
			self.RawSetString("sound", lua.LString("..."))
			return self
		},
	})
	rt.L.SetGlobal("Animal", animal)
	got := runLua(t, rt, out, `
local Dog = Animal:extend("Dog")
function Dog:init(name) Dog.super.init(self); self.name = name; self.sound = "woof" end
function Dog:fetch() return self.name .. " fetches" end
local Puppy = Dog:extend("Puppy")
function Puppy:init(name) Puppy.super.init(self, name); self.sound = "yip" end
function Puppy:speak() return "little " .. Puppy.super.speak(self) end
local d, p = Dog("rex"), Puppy("bit")
print(d:speak(), d:fetch(), p:speak(), p:fetch())
print(tostring(d), tostring(p), Puppy.super == Dog, Dog.super == Animal)
local a = Animal()
print(a.sound, a.name, tostring(a))
print(pcall(function() return Animal.extend(42) end))`)
	want := []string{
		"rex says woof\trex fetches\tlittle bit says yip\tbit fetches",
		"<Dog>\t<Puppy>\ttrue\ttrue",
		"...\tnil\t<Animal>",
	}
	lines := strings.Split(got, "\n")
	for i, w := range want {
		if at(lines, i) != w {
			t.Errorf("line %d: got %q want %q", i+1, at(lines, i), w)
		}
	}
	if l := at(lines, 3); !strings.HasPrefix(l, "false") || !strings.Contains(l, "Base:extend") {
		t.Errorf("extend on a non-class: %q", l)
	}
	if allocs != 3 {
		t.Errorf("allocator ran %d times, want 3", allocs)
	}
	if err := rt.RunString("d = Animal:extend('Dog')('x')", "c.lua"); err != nil {
		t.Fatal(err)
	}
	d := rt.L.GetGlobal("d")
	if !rt.IsInstance(d, animal) || rt.IsInstance(lua.LNumber(1), animal) || rt.ClassName(d) != "Dog" {
		t.Errorf("IsInstance/ClassName wrong for %v", d)
	}
}
