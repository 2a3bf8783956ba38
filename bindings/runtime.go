package bindings

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ganlab/ganlab/core/tensor"
	"github.com/rs/zerolog"
	lua "github.com/yuin/gopher-lua"
)

// Options configures a Runtime.
type Options struct {
	// Roots are the directories require may load from: the experiment's
	// directory, the shipped scripts/ and every --lua-path directory.
	Roots []string
	// Seed seeds the run's random stream (draws without seed=).
	Seed uint64
	// Config becomes keras.config: epochs, steps_per_epoch, seed and every
	// --set key=value (strings that parse as numbers or booleans become
	// numbers or booleans).
	Config map[string]any
	// RunDir is the run directory, the only place scripts may write (via
	// the utils module).
	RunDir string
	// Log receives print() output at info level (field "src": "lua") and
	// binding diagnostics. The zero Logger discards.
	Log zerolog.Logger
	// Stdout, when set, receives print() output instead of Log.
	Stdout io.Writer
	// KeepGraphs leaves the graph of each ended scope (a train step, a
	// callback hook) to the garbage collector instead of recycling its
	// storage for the next step; tests compare the two.
	KeepGraphs bool
}

// Runtime is one sandboxed Lua state running one experiment. It is not safe
// for concurrent use: like the Lua state it wraps, it belongs to the
// goroutine that calls RunFile.
type Runtime struct {
	// L is the Lua state. Module files use it through the *lua.LState
	// passed to their functions, which is the same state.
	L *lua.LState

	ctx   context.Context
	opts  Options
	roots []string // resolved (absolute, symlink-free) require roots
	rng   *tensor.RNG

	arena    arena
	tensorMT *lua.LTable
	methods  map[string]*lua.LFunction // tensor methods by name

	loaded  *lua.LTable // package.loaded: module name -> value
	loading map[string]bool
	ganlab  *lua.LTable
	opened  map[string]*lua.LTable // registered modules opened so far
	opening map[string]bool

	cur     string // name of the binding running, for argument errors
	classes classRegistry
	inner   map[string]*Error // errors raised again from nested calls, by message

	nn *nnState // layers, models and fit (layers.go), made on first use
}

// New makes a sandboxed Lua state with the ganlab modules preloaded. The
// state stops (with an error from RunFile or Call) when ctx is done, even
// inside an endless loop.
func New(ctx context.Context, opts Options) (rt *Runtime, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	roots, err := resolveRoots(opts.Roots)
	if err != nil {
		return nil, err
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	rt = &Runtime{
		L:       L,
		ctx:     ctx,
		opts:    opts,
		roots:   roots,
		rng:     tensor.NewRNG(opts.Seed, rngStreamLua),
		loading: map[string]bool{},
		opened:  map[string]*lua.LTable{},
		opening: map[string]bool{},
		inner:   map[string]*Error{},
	}
	rt.arena.keepGraphs = opts.KeepGraphs
	// Building the modules runs Go code only; a panic there is a bug in a
	// module file, reported as an error rather than a crash.
	defer func() {
		if r := recover(); r != nil {
			L.Close()
			rt, err = nil, fmt.Errorf("bindings: setting up the Lua state: %v", r)
		}
	}()
	rt.openSandbox()
	rt.initTensorType()
	rt.initClasses()
	rt.openGanlab()
	L.SetContext(ctx)
	return rt, nil
}

// rngStreamLua is the stream number of the run's Lua-side random draws, so
// that they differ from streams the engine derives from the same seed.
const rngStreamLua = 0x4c7561

// Close releases the Lua state.
func (rt *Runtime) Close() {
	if rt.L != nil {
		rt.L.Close()
		rt.L = nil
	}
}

// Context returns the context the runtime was made with; long-running
// bindings (fit) check it between steps.
func (rt *Runtime) Context() context.Context { return rt.ctx }

// RNG returns the run's random stream (seeded from Options.Seed).
func (rt *Runtime) RNG() *tensor.RNG { return rt.rng }

// Options returns the options the runtime was made with.
func (rt *Runtime) Options() Options { return rt.opts }

// Ganlab returns the ganlab module table, so that module files can add
// top-level names (keras.Sequential, keras.Input).
func (rt *Runtime) Ganlab() *lua.LTable { return rt.ganlab }

// RunFile runs a Lua file as the experiment's main chunk. Errors carry the
// file, the line and a traceback (see Error).
func (rt *Runtime) RunFile(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("run %s: %w", path, err)
	}
	return rt.RunString(string(src), path)
}

// RunString runs Lua source; name is what errors call the chunk.
func (rt *Runtime) RunString(src, name string) error {
	fn, err := rt.L.Load(strings.NewReader(src), name)
	if err != nil {
		return &Error{Msg: err.Error(), Cause: errSyntax}
	}
	_, err = rt.Call(fn, 0)
	return err
}

// Call calls a Lua function (a train_step, a callback hook) from Go in
// protected mode and returns its nret results; a Lua error or a failing
// binding comes back as an *Error with file, line and traceback.
func (rt *Runtime) Call(fn lua.LValue, nret int, args ...lua.LValue) ([]lua.LValue, error) {
	L := rt.L
	if err := rt.ctx.Err(); err != nil {
		return nil, &Error{Msg: "stopped: " + err.Error(), Cause: err}
	}
	top := L.GetTop()
	L.Push(fn)
	for _, a := range args {
		L.Push(a)
	}
	if err := L.PCall(len(args), nret, nil); err != nil {
		L.SetTop(top)
		return nil, rt.convertError(err)
	}
	out := make([]lua.LValue, nret)
	for i := range out {
		out[i] = L.Get(top + 1 + i)
	}
	L.SetTop(top)
	return out, nil
}

var errSyntax = errors.New("lua syntax error")
