package bindings

import (
	"slices"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestArgs exercises the parsing helpers through a test binding shaped like
// layers.Conv2D{filters, kernel_size, strides=1, padding="valid"}.
func TestArgs(t *testing.T) {
	rt, _ := newTestRuntime(t)
	type got struct {
		filters  int
		kernel   []int
		strides  []int
		padding  string
		useBias  bool
		rate     float64
		hasShape bool
		shape    []int
	}
	var g got
	rt.L.SetGlobal("Conv2D", rt.Func("layers.Conv2D", func(L *lua.LState) int {
		a := rt.TableArgs(L, "layers.Conv2D", "filters", "kernel_size", "strides", "padding", "use_bias", "rate", "input_shape")
		g = got{
			filters: a.IntReq("filters"), kernel: a.IntTuple("kernel_size", 2, nil),
			strides: a.IntTuple("strides", 2, []int{1, 1}), padding: a.String("padding", "valid", "valid", "same"),
			useBias: a.Bool("use_bias", true), rate: a.Float("rate", 0.5), hasShape: a.Has("input_shape"),
		}
		if g.hasShape {
			g.shape = a.Shape("input_shape")
		}
		return 0
	}))
	rt.L.SetGlobal("call", rt.Func("model.__call", func(L *lua.LState) int {
		a := rt.PosArgs(L, "model.__call", 1, "x", "training")
		L.Push(lua.LBool(a.Bool("training", false)))
		L.Push(lua.LNumber(a.Int("x", -1)))
		return 2
	}))
	if err := rt.RunString(`Conv2D{64, {3, 5}, strides=2, padding="same", input_shape={28, 28, 1}}`, "a.lua"); err != nil {
		t.Fatal(err)
	}
	if g.filters != 64 || !slices.Equal(g.kernel, []int{3, 5}) || !slices.Equal(g.strides, []int{2, 2}) || g.padding != "same" || !g.useBias || g.rate != 0.5 || !slices.Equal(g.shape, []int{28, 28, 1}) {
		t.Errorf("parsed %+v", g)
	}
	if err := rt.RunString(`Conv2D{filters=8, kernel_size=3, use_bias=false, rate=0.1}`, "a.lua"); err != nil {
		t.Fatal(err)
	}
	if g.filters != 8 || !slices.Equal(g.kernel, []int{3, 3}) || g.useBias || g.rate != 0.1 || g.hasShape {
		t.Errorf("parsed %+v", g)
	}
	out := &strings.Builder{}
	rt.opts.Stdout = out
	if err := rt.RunString(`print(call(7, {training=true})); print(call(7)); print(call({training=true}))`, "a.lua"); err != nil {
		t.Fatal(err)
	}
	if out.String() != "true\t7\nfalse\t7\ntrue\t-1\n" {
		t.Errorf("PosArgs: %q", out.String())
	}
	for _, tc := range []struct{ src, want string }{
		{`Conv2D{64, 3, strides=1, paddin="same"}`, `layers.Conv2D: unknown keyword "paddin"; it takes filters, input_shape, kernel_size, padding, rate, strides, use_bias`},
		{`Conv2D{"64", 3}`, `layers.Conv2D: argument filters: expected an integer, got string "64"`},
		{`Conv2D{64.5, 3}`, `layers.Conv2D: argument filters: expected an integer, got number 64.5`},
		{`Conv2D{64, {3, 3, 3}}`, `argument kernel_size: expected an integer or a table of 2 integers`},
		{`Conv2D{64, 3, padding="full"}`, `argument padding: "full" is not one of valid, same`},
		{`Conv2D{64, 3, use_bias=1}`, `argument use_bias: expected true or false, got number 1`},
		{`Conv2D{64, 3, filters=32}`, `argument filters given twice`},
		{`Conv2D{64, 3, 1, "same", true, 0.5, {1}, 9}`, `takes at most 7 positional arguments`},
		{`Conv2D{kernel_size=3}`, `layers.Conv2D: missing argument filters`},
		{`Conv2D(64, 3)`, `takes one table of arguments, as in layers.Conv2D{...}; got 2 arguments`},
		{`Conv2D{64, 3, input_shape={28, -28}}`, `argument input_shape: entry 2: expected a non-negative integer`},
		{`Conv2D{64, 3, [true]=1}`, `unexpected key boolean`},
	} {
		e := runLuaErr(t, rt, "\n"+tc.src)
		if !strings.Contains(e.Msg, tc.want) || !strings.Contains(e.Msg, "test.lua:2:") {
			t.Errorf("%s:\n got %q\nwant %q", tc.src, e.Msg, tc.want)
		}
	}
}
