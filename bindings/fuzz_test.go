package bindings

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// byteSource hands out fuzzed bytes, then zeros.
type byteSource struct {
	b []byte
	i int
}

func (s *byteSource) next() int {
	if s.i >= len(s.b) {
		return 0
	}
	s.i++
	return int(s.b[s.i-1])
}

func (s *byteSource) pick(xs []string) string { return xs[s.next()%len(xs)] }

// Numbers a snippet uses: ordinary values, edge cases, and sizes that the
// runtime must refuse rather than allocate.
var fuzzNumbers = []string{"0", "1", "-1", "2", "3", "0.5", "-3", "2.5", "1e30", "-1e30", "(0/0)", "(1/0)", "(-1/0)", "1e9", "-1e9", "100", "4"}

var fuzzUnary = []string{"square", "sqrt", "exp", "log", "abs", "sigmoid", "tanh", "relu", "softplus", "negative", "stop_gradient", "ones_like", "zeros_like", "shape"}
var fuzzReduce = []string{"mean", "sum", "max", "min", "var", "logsumexp"}
var fuzzBinary = []string{"add", "subtract", "multiply", "divide", "maximum", "minimum", "matmul"}

func (s *byteSource) number() string { return s.pick(fuzzNumbers) }

func (s *byteSource) shape() string {
	if s.next()%16 == 0 { // a bad shape now and then
		return "{" + s.number() + ", 2}"
	}
	dims := make([]string, s.next()%4)
	for i := range dims {
		dims[i] = fmt.Sprint(s.next() % 5)
	}
	return "{" + strings.Join(dims, ", ") + "}"
}

func (s *byteSource) axis() string {
	switch s.next() % 5 {
	case 0:
		return "nil"
	case 1:
		return fmt.Sprintf("{%d, %d}", s.next()%9-4, s.next()%9-4)
	case 2:
		return s.number()
	}
	return fmt.Sprint(s.next()%9 - 4)
}

// tensorRef names an existing tensor (or, rarely, a number or a string).
func (s *byteSource) tensorRef() string {
	switch s.next() % 12 {
	case 0:
		return s.number()
	case 1:
		return `"x"`
	}
	return fmt.Sprintf("V[%d]", 1+s.next()%6)
}

func (s *byteSource) nested() string {
	rows := 1 + s.next()%3
	cols := s.next() % 3
	parts := make([]string, rows)
	for i := range parts {
		cells := make([]string, cols)
		for j := range cells {
			cells[j] = s.number()
		}
		if s.next()%10 == 0 && cols > 0 {
			cells = cells[1:] // ragged
		}
		parts[i] = "{" + strings.Join(cells, ", ") + "}"
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// expr builds one Lua expression from the ops list.
func (s *byteSource) expr() string {
	x, y := s.tensorRef(), s.tensorRef()
	switch s.next() % 24 {
	case 0:
		return fmt.Sprintf("ops.%s(%s)", s.pick(fuzzUnary), x)
	case 1:
		return fmt.Sprintf("ops.%s(%s, %s, %v)", s.pick(fuzzReduce), x, s.axis(), s.next()%2 == 0)
	case 2:
		return fmt.Sprintf("ops.%s(%s, %s)", s.pick(fuzzBinary), x, y)
	case 3:
		return fmt.Sprintf("%s %s %s", x, s.pick([]string{"+", "-", "*", "/"}), y)
	case 4:
		return fmt.Sprintf("ops.%s(%s)", s.pick([]string{"ones", "zeros"}), s.shape())
	case 5:
		return fmt.Sprintf("keras.random.%s{shape=%s, seed=%s}", s.pick([]string{"normal", "uniform", "truncated_normal"}), s.shape(), s.pick([]string{"nil", "sg", "7", "2.5"}))
	case 6:
		return fmt.Sprintf("ops.%s({%s, %s}, %s)", s.pick([]string{"concatenate", "stack"}), x, y, s.axis())
	case 7:
		return fmt.Sprintf("ops.reshape(%s, %s)", x, s.pick([]string{"{-1}", "{2, -1}", "{-1, -1}", "{1, 1}", "{0}", "4", "{3, 2}"}))
	case 8:
		return fmt.Sprintf("ops.transpose(%s, %s)", x, s.pick([]string{"nil", "{1, 0}", "{0, 0}", "{2, 0, 1}", "{0, 1, 2}", "{5, 0}", "{-1, 0}"}))
	case 9:
		return fmt.Sprintf("ops.one_hot(%s, %s)", x, s.number())
	case 10:
		return fmt.Sprintf("ops[\"repeat\"](%s, %s, %s)", x, s.number(), s.axis())
	case 11:
		return fmt.Sprintf("ops.convert_to_tensor(%s)", s.nested())
	case 12:
		return fmt.Sprintf("ops.%s(%s, %s)", s.pick([]string{"softmax", "log_softmax"}), x, s.axis())
	case 13:
		return fmt.Sprintf("ops.clip(%s, %s, %s)", x, s.number(), s.number())
	case 14:
		return fmt.Sprintf("-%s", x)
	case 15:
		return fmt.Sprintf("%s[%s]", x, s.number())
	case 16:
		return fmt.Sprintf("%s:%s(%s, %v)", x, s.pick([]string{"sum", "mean"}), s.axis(), s.next()%2 == 0)
	case 17:
		return fmt.Sprintf("%s:reshape{%s, %s}", x, s.number(), s.number())
	case 18:
		return fmt.Sprintf("grad1(function(t) return %s end, %s, %v)", s.pick([]string{"ops.sum(t * t)", "ops.mean(ops.tanh(t))", "ops.max(t)", "ops.logsumexp(t)", "t", "ops.sum(ops.softmax(t))"}), x, s.next()%2 == 0)
	case 19:
		return fmt.Sprintf("keras.keep(%s)", x)
	case 20:
		return fmt.Sprintf("ops.cast(%s, %s)", x, s.pick([]string{`"float64"`, `"float32"`, `"int8"`}))
	case 21:
		return fmt.Sprintf("{%s:item(), #%s, tostring(%s), %s.shape, %s:values()}", x, x, x, x, x)
	case 22:
		return fmt.Sprintf("ops.leaky_relu(%s, %s)", x, s.number())
	}
	return fmt.Sprintf("ops.full(%s, %s)", s.shape(), s.number())
}

const fuzzPrelude = `
keras = require("ganlab"); ops = keras.ops
sg = keras.random.SeedGenerator(3)
V = V or {ops.ones({2, 3}), ops.convert_to_tensor({1, 2, 3}), keras.random.normal{shape={3, 2}, seed=1}, ops.zeros({}), ops.ones({2, 3, 2}), ops.convert_to_tensor({{0, 1}, {2, 1}})}
ERRS = ERRS or {}
function grad1(f, x, second)
  local tape = keras.GradientTape{persistent=true}
  tape:watch(x)
  local g = tape:gradient(f(x), x, {create_graph=second})
  if second then return tape:gradient(ops.sum(g * g), x) end
  return g
end
function try(f)
  local ok, r = pcall(f)
  if not ok then ERRS[#ERRS + 1] = tostring(r)
  elseif r ~= nil then V[#V + 1] = r end
end
`

// fuzzSnippet turns bytes into a prelude and two blocks of statements, each
// statement a pcall that keeps its result for later statements.
func fuzzSnippet(data []byte) (string, string) {
	s := &byteSource{b: data}
	block := func(n int) string {
		var b strings.Builder
		for range n {
			fmt.Fprintf(&b, "try(function() return %s end)\n", s.expr())
		}
		return b.String()
	}
	n := 1 + s.next()%12
	return fuzzPrelude + block(n), block(1 + s.next()%6)
}

// checkFuzzRun runs a snippet's first block inside a scope and its second
// after the scope ended (using released tensors); any outcome but success
// or a Lua error is a failure, and so is a Lua error that hides a Go bug.
func checkFuzzRun(t *testing.T, data []byte) {
	first, second := fuzzSnippet(data)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rt, err := New(ctx, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	var runErr error
	_ = rt.Scope(func() error { runErr = rt.RunString(first, "fuzz.lua"); return nil })
	if runErr == nil {
		runErr = rt.RunString(second, "fuzz2.lua")
	}
	if errors.Is(runErr, context.DeadlineExceeded) {
		t.Fatalf("snippet hung:\n%s\n-- after scope --\n%s", first, second)
	}
	var e *Error
	if runErr != nil && !errors.As(runErr, &e) {
		t.Fatalf("error of type %T: %v", runErr, runErr)
	}
	msgs := []string{}
	if runErr != nil {
		msgs = append(msgs, runErr.Error())
	}
	if errs, ok := rt.L.GetGlobal("ERRS").(*lua.LTable); ok {
		errs.ForEach(func(_, v lua.LValue) { msgs = append(msgs, v.String()) })
	}
	for _, m := range msgs {
		if strings.Contains(m, "internal error") || strings.Contains(m, "runtime error") {
			t.Fatalf("a Go bug surfaced as a Lua error: %s\nsnippet:\n%s\n-- after scope --\n%s", m, first, second)
		}
	}
}

func FuzzLuaTensorAPI(f *testing.F) {
	for _, seed := range []string{
		"", "\x00\x01\x02", "\x05\x02\x03\x04\x05\x06\x07", "\x0b\x08\x01\x02\x03\x09\x0a",
		"\x0c\x12\x04\x01\x12\x05\x00\x13\x02", "\x08\x0f\x03\x0f\x04\x10\x05\x11\x06\x15\x07",
		"\x0a\x0a\x02\x01\x0b\x03\x07\x02\x09\x04\x0c\x05\x01\x06\x0e\x07\x10\x08\x15",
		"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(checkFuzzRun)
}
