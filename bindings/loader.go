package bindings

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// ModuleOpener builds a ganlab submodule's table. It runs once per Runtime,
// when the runtime is made; it may call rt.Module to open a module it
// depends on first.
type ModuleOpener func(rt *Runtime, L *lua.LState) *lua.LTable

// modules maps a submodule name ("layers") to its opener. It is filled by
// the init functions of the module files and only read afterwards, like
// database/sql's driver list: adding a module is one new file.
var modules = map[string]ModuleOpener{}

// registerModule makes require("ganlab."+name) and keras[name] give the
// table open builds. Call it from the module file's init.
func registerModule(name string, open ModuleOpener) {
	if _, dup := modules[name]; dup {
		panic("bindings: module " + name + " registered twice")
	}
	modules[name] = open
}

// Module returns the table of a registered submodule, opening it first if
// needed, so that one module file can use another's (models uses layers).
func (rt *Runtime) Module(name string) *lua.LTable {
	if t, ok := rt.opened[name]; ok {
		return t
	}
	open, ok := modules[name]
	if !ok {
		panic(fmt.Sprintf("bindings: no module %q registered", name))
	}
	if rt.opening[name] {
		panic(fmt.Sprintf("bindings: modules depend on each other in a cycle through %q", name))
	}
	rt.opening[name] = true
	t := open(rt, rt.L)
	delete(rt.opening, name)
	rt.opened[name] = t
	rt.ganlab.RawSetString(name, t)
	rt.loaded.RawSetString("ganlab."+name, t)
	return t
}

// openModules opens every registered module in name order.
func (rt *Runtime) openModules() {
	names := make([]string, 0, len(modules))
	for name := range modules {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		rt.Module(name)
	}
}

// resolveRoots makes the require roots absolute and symlink-free, so that
// containment checks compare real paths.
func resolveRoots(roots []string) ([]string, error) {
	out := make([]string, 0, len(roots))
	for _, r := range roots {
		abs, err := filepath.Abs(r)
		if err != nil {
			return nil, fmt.Errorf("lua root %s: %w", r, err)
		}
		real, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return nil, fmt.Errorf("lua root %s: %w", r, err)
		}
		out = append(out, real)
	}
	return out, nil
}

// moduleNameRE is what require accepts: dotted identifiers, as in
// require("gan.dcgan"). Slashes, "..", absolute paths and empty parts are
// refused before any file is looked at.
var moduleNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$`)

// luaRequire is require: the module cache, then ganlab's own modules, then
// a file under the allowed roots. package.path and package.cpath are
// ignored.
func (rt *Runtime) luaRequire(L *lua.LState) int {
	name := L.CheckString(1)
	if v := rt.loaded.RawGetString(name); v != lua.LNil {
		L.Push(v)
		return 1
	}
	if !moduleNameRE.MatchString(name) {
		L.RaiseError("require %q: module names are dotted names (gan.dcgan) under the experiment's directory, scripts/ or a --lua-path directory; paths and \"..\" are not allowed", name)
	}
	if rt.loading[name] {
		L.RaiseError("require %q: loop in require (the module requires itself through others)", name)
	}
	path, err := rt.findModule(name)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	src, err := os.ReadFile(path)
	if err != nil {
		L.RaiseError("require %q: %v", name, err)
	}
	fn, err := L.Load(strings.NewReader(string(src)), path)
	if err != nil {
		L.RaiseError("require %q: %v", name, err)
	}
	rt.loading[name] = true
	defer delete(rt.loading, name)
	L.Push(fn)
	L.Push(lua.LString(name))
	L.Call(1, 1)
	v := L.Get(-1)
	L.Pop(1)
	if v == lua.LNil {
		v = lua.LTrue
	}
	if prev := rt.loaded.RawGetString(name); prev != lua.LNil {
		v = prev // the module set package.loaded[name] itself
	}
	rt.loaded.RawSetString(name, v)
	L.Push(v)
	return 1
}

// findModule returns the real path of name's file ("a.b" → a/b.lua or
// a/b/init.lua) in the first root that has it, refusing anything whose real
// path (after symlinks) lies outside that root.
func (rt *Runtime) findModule(name string) (string, error) {
	rel := filepath.FromSlash(strings.ReplaceAll(name, ".", "/"))
	var tried []string
	for _, root := range rt.roots {
		for _, cand := range []string{rel + ".lua", filepath.Join(rel, "init.lua")} {
			p := filepath.Join(root, cand)
			tried = append(tried, p)
			real, err := filepath.EvalSymlinks(p)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return "", fmt.Errorf("require %q: %v", name, err)
			}
			if !within(root, real) {
				return "", fmt.Errorf("require %q: %s resolves to %s, outside the allowed root %s", name, p, real, root)
			}
			return real, nil
		}
	}
	if len(rt.roots) == 0 {
		return "", fmt.Errorf("require %q: no module directories are allowed in this run", name)
	}
	return "", fmt.Errorf("require %q: module not found in the allowed roots; tried:\n\t%s", name, strings.Join(tried, "\n\t"))
}

// within reports whether path lies inside root (both clean and absolute).
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return false
	}
	return rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
