package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunScriptWritesRunDir runs a tiny Lua script through the CLI and
// checks that keras.config carries the flags, print reaches log.jsonl and
// run.json records the script's hash.
func TestRunScriptWritesRunDir(t *testing.T) {
	tmp := t.TempDir()
	script := filepath.Join(tmp, "tiny.lua")
	src := `local keras = require("ganlab")
print("config", keras.config.epochs, keras.config.lr, keras.ops.sum(keras.ops.ones{2, 3}):item())`
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "run")
	root := newRootCmd()
	var stderr bytes.Buffer
	root.SetErr(&stderr)
	root.SetArgs([]string{"run", script, "--run-dir", dir, "--epochs", "3", "--set", "lr=0.5", "--log-format", "json"})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	logs, err := os.ReadFile(filepath.Join(dir, logFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), `config\t3\t0.5\t6`) {
		t.Errorf("log.jsonl lacks the script's print of its config:\n%s", logs)
	}
	var info runInfo
	b, err := os.ReadFile(filepath.Join(dir, runInfoFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	if info.Script != script || len(info.ScriptHash) != 64 {
		t.Errorf("run.json script %q hash %q", info.Script, info.ScriptHash)
	}
}

// TestRunScriptTimeoutStopsEndlessLoop checks --timeout stops a script that
// never yields, with an error that says so and names the run directory.
func TestRunScriptTimeoutStopsEndlessLoop(t *testing.T) {
	tmp := t.TempDir()
	script := filepath.Join(tmp, "loop.lua")
	if err := os.WriteFile(script, []byte("while true do end\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "run")
	root := newRootCmd()
	root.SetErr(&bytes.Buffer{})
	root.SetArgs([]string{"run", script, "--run-dir", dir, "--timeout", "200ms", "--log-format", "json"})
	start := time.Now()
	err := root.ExecuteContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "stopped (context deadline exceeded)") || !strings.Contains(err.Error(), "loop.lua:1") {
		t.Fatalf("error = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to stop", d)
	}
}
