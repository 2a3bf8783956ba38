package bindings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSandboxRefusals(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	write := func(dir, name, src string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(outside, "evil.lua", "return 'evil loaded'")
	write(root, "good.lua", "return 'good loaded'")
	write(root, "pkg/inner.lua", "return 'inner loaded'")
	if err := os.Symlink(filepath.Join(outside, "evil.lua"), filepath.Join(root, "link.lua")); err != nil {
		t.Fatal(err)
	}
	outsideName := strings.TrimSuffix(filepath.Join(outside, "evil.lua"), ".lua")

	for _, tc := range []struct {
		name, src, want string
	}{
		{"io is absent", `return io.open("/etc/passwd"):read("*a")`, "attempt to index a non-table object(nil)"},
		{"io via require", `return require("io")`, "module not found"},
		{"loadfile", `return loadfile("/etc/passwd")`, "attempt to call a non-function object"},
		{"dofile", `return dofile("/etc/passwd")`, "attempt to call a non-function object"},
		{"load", `return load(function() return "x=1" end)`, "attempt to call a non-function object"},
		{"loadstring", `return loadstring("x=1")`, "attempt to call a non-function object"},
		{"os.execute", `return os.execute("true")`, "attempt to call a non-function object"},
		{"os.getenv", `return os.getenv("HOME")`, "attempt to call a non-function object"},
		{"os.remove", `return os.remove("/tmp/x")`, "attempt to call a non-function object"},
		{"debug", `return debug.traceback()`, "attempt to index a non-table object(nil)"},
		{"package.loadlib", `return package.loadlib("libc.so.6", "system")`, "attempt to call a non-function object"},
		{"require after package.path", `package.path = "` + outside + `/?.lua;/etc/?.lua"; return require("evil")`, "module not found"},
		{"require /etc/passwd via path", `package.path = "/etc/?"; return require("passwd")`, "module not found"},
		{"require ../outside", `return require("../outside")`, "paths and \"..\" are not allowed"},
		{"require dotted escape", `return require("..evil")`, "paths and \"..\" are not allowed"},
		{"require absolute", `return require("` + outsideName + `")`, "paths and \"..\" are not allowed"},
		{"require symlink out of root", `return require("link")`, "outside the allowed root"},
		{"string.rep bomb", `return string.rep("x", 1e12)`, "exceeds the sandbox limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt, _ := newTestRuntime(t, root)
			e := runLuaErr(t, rt, tc.src)
			if !strings.Contains(e.Msg, tc.want) {
				t.Errorf("error %q does not contain %q", e.Msg, tc.want)
			}
			if strings.Contains(e.Msg, "evil loaded") || strings.Contains(e.Msg, "root:") {
				t.Errorf("leaked: %q", e.Msg)
			}
		})
	}

	t.Run("allowed require", func(t *testing.T) {
		rt, out := newTestRuntime(t, root)
		got := runLua(t, rt, out, `package.path = "/etc/?.lua"
print(require("good"), require("pkg.inner"), require("good") == require("good"))`)
		if got != "good loaded\tinner loaded\ttrue" {
			t.Errorf("got %q", got)
		}
	})
}

func TestSandboxHarmless(t *testing.T) {
	rt, out := newTestRuntime(t)
	got := runLua(t, rt, out, `
print(type(collectgarbage("count")), collectgarbage(), collectgarbage("collect"))
print(type(os.time()), type(os.clock()), type(os.date("%Y")))
print(io, debug, dofile, loadfile, load, loadstring)
local co = coroutine.create(function(a) local b = coroutine.yield(a + 1); return b * 2 end)
local _, x = coroutine.resume(co, 1); local _, y = coroutine.resume(co, 10)
print(x, y, string.format("%d", 7), table.concat({1, 2}, ","), math.floor(2.5))`)
	want := "number\t0\t0\nnumber\tnumber\tstring\nnil\tnil\tnil\tnil\tnil\tnil\n2\t20\t7\t1,2\t2"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestMathRandomIsSeeded(t *testing.T) {
	draw := func() string {
		rt, out := newTestRuntime(t)
		return runLua(t, rt, out, `print(math.random(), math.random(10), math.random(5, 7))`)
	}
	a, b := draw(), draw()
	if a != b {
		t.Errorf("same seed, different draws: %q vs %q", a, b)
	}
}

func TestRequireLoopAndMissingRoot(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.lua"), []byte(`return require("b")`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "b.lua"), []byte(`return require("a")`), 0o644); err != nil {
		t.Fatal(err)
	}
	rt, _ := newTestRuntime(t, root)
	if e := runLuaErr(t, rt, `require("a")`); !strings.Contains(e.Msg, "loop in require") {
		t.Errorf("got %q", e.Msg)
	}
	if _, err := New(t.Context(), Options{Roots: []string{filepath.Join(root, "missing")}}); err == nil {
		t.Error("a missing root should be an error")
	}
}
