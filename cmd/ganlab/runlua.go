package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/ganlab/ganlab/bindings"
)

// luaOptions are the flags only the Lua runner reads.
type luaOptions struct {
	sets     []string      // --set key=value for keras.config
	luaPaths []string      // extra require roots
	timeout  time.Duration // stop the script after this long; 0: never
	cpuprof  string        // write a CPU profile of the run here
}

// runScript runs a Lua experiment: a run directory, run.json with the
// script's hash, log.jsonl, and a sandboxed runtime whose require reaches
// the script's directory, the shipped scripts/ library and --lua-path.
// changed reports whether a flag was given, so that only explicit command
// line settings override the script's own (keras.config).
func runScript(ctx context.Context, a *app, o runOptions, lo luaOptions, script string, changed func(string) bool, errOut io.Writer) (err error) {
	cfg, err := scriptConfig(o, lo, changed)
	if err != nil {
		return err
	}
	src, err := os.ReadFile(script)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	roots, err := requireRoots(script, lo.luaPaths)
	if err != nil {
		return err
	}
	start := time.Now()
	name := strings.TrimSuffix(filepath.Base(script), ".lua")
	dir := o.runDir
	if dir == "" {
		dir = defaultRunDir(name, start)
	}
	if err := createRunDir(dir); err != nil {
		return err
	}
	logF, err := os.OpenFile(filepath.Join(dir, logFile), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("run log: %w", err)
	}
	defer logF.Close()
	log := zerolog.New(zerolog.MultiLevelWriter(a.logOut, logF)).Level(a.log.GetLevel()).With().Timestamp().Logger()
	defer func() {
		if err != nil {
			fileLog := zerolog.New(logF).With().Timestamp().Logger()
			fileLog.Error().Err(err).Msg("run failed")
		}
	}()

	sum := sha256.Sum256(src)
	info := newRunInfo(start)
	info.Script, info.ScriptHash, info.Seed, info.RunDir = script, hex.EncodeToString(sum[:]), o.seed, dir
	for k, v := range o.flags {
		info.Flags[k] = v
	}
	if err := writeJSONAtomic(filepath.Join(dir, runInfoFile), info); err != nil {
		return err
	}
	log.Info().Str("run_dir", dir).Str("script", script).Uint64("seed", o.seed).Strs("roots", roots).Msg("run started")

	if lo.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, lo.timeout)
		defer cancel()
	}
	stop, err := startCPUProfile("run", lo.cpuprof)
	if err != nil {
		return err
	}
	defer stop()
	rt, err := bindings.New(ctx, bindings.Options{Roots: roots, Seed: o.seed, Config: cfg, RunDir: dir, Log: log})
	if err != nil {
		return fmt.Errorf("run %s: %w", script, err)
	}
	defer rt.Close()
	rt.SetFitHooks(scriptFitHooks(dir, errOut, log))
	if err := rt.RunFile(script); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("run %s stopped (%v); what the run wrote is in %s: %w", script, context.Cause(ctx), dir, err)
		}
		return fmt.Errorf("run %s: %w", script, err)
	}
	log.Info().Str("run_dir", dir).Dur("elapsed", time.Since(start).Round(time.Millisecond)).Msg("run finished")
	return nil
}

// scriptConfig builds keras.config: the seed always, the other run flags
// only when given on the command line, then every --set key=value.
func scriptConfig(o runOptions, lo luaOptions, changed func(string) bool) (map[string]any, error) {
	cfg := map[string]any{"seed": float64(o.seed)}
	if changed("epochs") {
		cfg["epochs"] = float64(o.epochs)
	}
	if changed("steps-per-epoch") {
		cfg["steps_per_epoch"] = float64(o.stepsPerEpoch)
	}
	if changed("batch-size") {
		cfg["batch_size"] = float64(o.batchSize)
	}
	if changed("data") {
		cfg["data"] = o.data
	}
	for _, kv := range lo.sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("run: --set %q: want key=value", kv)
		}
		cfg[k] = v
	}
	return cfg, nil
}

// requireRoots returns the directories require may load from: the
// script's own, the shipped scripts/ library (the nearest "scripts"
// directory above the script, else ./scripts) and each --lua-path.
func requireRoots(script string, extra []string) ([]string, error) {
	dir, err := filepath.Abs(filepath.Dir(script))
	if err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	roots := []string{dir}
	if lib := findScriptsDir(dir); lib != "" {
		roots = append(roots, lib)
	}
	for _, p := range extra {
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() {
			return nil, fmt.Errorf("run: --lua-path %s: not a directory", p)
		}
		roots = append(roots, p)
	}
	return roots, nil
}

// findScriptsDir looks for the scripts/ library beside the experiment's
// directory and its parents, then in the working directory.
func findScriptsDir(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if st, err := os.Stat(filepath.Join(d, "scripts")); err == nil && st.IsDir() {
			return filepath.Join(d, "scripts")
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if st, err := os.Stat("scripts"); err == nil && st.IsDir() {
		abs, _ := filepath.Abs("scripts")
		return abs
	}
	return ""
}
