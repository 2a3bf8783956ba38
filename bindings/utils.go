package bindings

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ganlab/ganlab/core/imageio"
	"github.com/ganlab/ganlab/core/plot"
	"github.com/ganlab/ganlab/core/train"
	lua "github.com/yuin/gopher-lua"
)

func init() { registerModule("utils", openUtils) }

// samplesDir is the run directory's folder for image grids.
const samplesDir = "samples"

// openUtils builds keras.utils: the only functions through which a script
// writes files, each confined to the run directory.
func openUtils(rt *Runtime, L *lua.LState) *lua.LTable {
	m := L.NewTable()
	m.RawSetString("save_image_grid", rt.Func("utils.save_image_grid", rt.saveImageGrid))
	m.RawSetString("plot_losses", rt.Func("utils.plot_losses", rt.plotLosses))
	return m
}

// saveImageGrid is keras.utils.save_image_grid(images, name, {value_range=
// {0, 1}, cols=}): images (n, h, w, 1 or 3) tiled into one PNG, written to
// <run dir>/samples/<name>. It returns the path relative to the run
// directory.
func (rt *Runtime) saveImageGrid(L *lua.LState) int {
	const fn = "utils.save_image_grid"
	a := rt.PosArgs(L, fn, 1, "images", "name", "value_range", "cols")
	x, err := rt.ToVar(a.required("images"))
	if err != nil {
		a.Fail("images", "%v", err)
	}
	name := rt.outputName(a, "name")
	lo, hi := 0.0, 1.0
	if vr := a.Table("value_range"); vr != nil {
		l, okL := vr.RawGetInt(1).(lua.LNumber)
		h, okH := vr.RawGetInt(2).(lua.LNumber)
		if vr.Len() != 2 || !okL || !okH || !(h > l) {
			a.Fail("value_range", "expected {lo, hi} with lo < hi, as {-1, 1} or {0, 1}")
		}
		lo, hi = float64(l), float64(h)
	}
	cols := a.Int("cols", 0)
	if cols < 0 {
		a.Fail("cols", "must be positive, got %d", cols)
	}
	dir := rt.runSubdir(L, fn, samplesDir)
	if err := imageio.WriteGrid(filepath.Join(dir, name), x.Value, [2]float64{lo, hi}, cols); err != nil {
		L.RaiseError("%s: %v", fn, err)
	}
	L.Push(lua.LString(samplesDir + "/" + name))
	return 1
}

// plotLosses is keras.utils.plot_losses(history, name, {keys=, title=}):
// the per-epoch curves of fit's History (or of a table {key = {values}})
// drawn into <run dir>/<name>. It returns the path relative to the run
// directory.
func (rt *Runtime) plotLosses(L *lua.LState) int {
	const fn = "utils.plot_losses"
	a := rt.PosArgs(L, fn, 1, "history", "name", "keys", "title")
	h := historyFromTable(a, "history")
	name := rt.outputName(a, "name")
	var keys []string
	if kt := a.Table("keys"); kt != nil {
		for i := 1; i <= kt.Len(); i++ {
			k, ok := kt.RawGetInt(i).(lua.LString)
			if !ok {
				a.Fail("keys", "entry %d: expected a string, got %s", i, typeName(kt.RawGetInt(i)))
			}
			if _, ok := h.History[string(k)]; !ok {
				a.Fail("keys", "no %q in the history; it has %s", string(k), strings.Join(h.Keys(), ", "))
			}
			keys = append(keys, string(k))
		}
	}
	dir := rt.runSubdir(L, fn, "")
	if err := plot.LossCurves(filepath.Join(dir, name), h, keys, a.String("title", "")); err != nil {
		L.RaiseError("%s: %v", fn, err)
	}
	L.Push(lua.LString(name))
	return 1
}

// historyFromTable reads fit's History table {history = {key = {...}},
// epoch = {...}} or a plain {key = {...}}. Every series needs one number per
// epoch.
func historyFromTable(a *Args, arg string) *train.History {
	tb := a.Table(arg)
	if tb == nil {
		a.Fail(arg, "expected the History fit returns, or a table {key = {values per epoch}}")
	}
	series := tb
	if inner, ok := tb.RawGetString("history").(*lua.LTable); ok {
		series = inner
	}
	h := &train.History{History: map[string][]float64{}}
	n := -1
	var names []string
	series.ForEach(func(k, v lua.LValue) {
		key, ok := k.(lua.LString)
		list, okList := v.(*lua.LTable)
		if !ok || !okList {
			a.Fail(arg, "entry %s: expected key = {numbers per epoch}, got %s", typeName(k), typeName(v))
		}
		vals := make([]float64, list.Len())
		for i := range vals {
			x, ok := list.RawGetInt(i + 1).(lua.LNumber)
			if !ok {
				a.Fail(arg, "%s[%d]: expected a number, got %s", string(key), i+1, typeName(list.RawGetInt(i+1)))
			}
			vals[i] = float64(x)
		}
		names = append(names, string(key))
		h.History[string(key)] = vals
	})
	sort.Strings(names)
	for _, k := range names {
		if n >= 0 && len(h.History[k]) != n {
			a.Fail(arg, "%q has %d values but %q has %d: want one per epoch", k, len(h.History[k]), names[0], n)
		}
		n = len(h.History[k])
	}
	if n <= 0 {
		a.Fail(arg, "the history has no epoch to plot")
	}
	for e := 0; e < n; e++ {
		h.Epoch = append(h.Epoch, e)
	}
	if ep, ok := tb.RawGetString("epoch").(*lua.LTable); ok && ep.Len() == n {
		for i := range h.Epoch {
			if e, ok := toInt(ep.RawGetInt(i + 1)); ok {
				h.Epoch[i] = e
			}
		}
	}
	return h
}

// outputName returns a file-name argument that may only name a PNG file
// directly inside the folder it is written to: no separators, no "..", no
// absolute path, no hidden file. Scripts write nowhere else.
func (rt *Runtime) outputName(a *Args, arg string) string {
	v := a.required(arg)
	s, ok := v.(lua.LString)
	if !ok {
		a.Fail(arg, "expected a file name such as \"epoch_0001.png\", got %s", typeName(v))
	}
	name := string(s)
	switch {
	case strings.ContainsAny(name, `/\`+"\x00") || filepath.IsAbs(name) || strings.Contains(name, ".."):
		a.Fail(arg, "%q is not a plain file name: scripts write only inside the run directory, so give a name without slashes or \"..\"", name)
	case strings.HasPrefix(name, "."):
		a.Fail(arg, "%q: a file name may not start with a dot", name)
	case !strings.HasSuffix(strings.ToLower(name), ".png") || len(name) <= len(".png"):
		a.Fail(arg, "%q: the name must end in .png", name)
	case len(name) > 200:
		a.Fail(arg, "a file name of %d bytes is too long (at most 200)", len(name))
	}
	return name
}

// runSubdir returns <run dir>/sub, made if needed; without a run directory
// (a runtime made without Options.RunDir) it raises an error.
func (rt *Runtime) runSubdir(L *lua.LState, fn, sub string) string {
	if rt.opts.RunDir == "" {
		L.RaiseError("%s: no run directory: this runtime was started without one, so scripts cannot write files", fn)
	}
	dir := filepath.Join(rt.opts.RunDir, sub)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		L.RaiseError("%s: %v", fn, fmt.Errorf("making %s: %w", dir, err))
	}
	return dir
}
