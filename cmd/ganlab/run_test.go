package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/gan"
	"github.com/ganlab/ganlab/core/nn"
)

// needMNIST skips tests that train on MNIST when the module cache lacks it.
func needMNIST(t *testing.T) {
	t.Helper()
	if _, err := data.MNISTDir(); errors.Is(err, os.ErrNotExist) {
		t.Skipf("MNIST not in the module cache: %v", err)
	}
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func readRunHistory(t *testing.T, dir string) []historyRow {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, historyFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := readHistory(f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// checkRunDir checks every file of a finished run of the given epochs.
func checkRunDir(t *testing.T, dir, example string, seed uint64, epochs, steps int) {
	t.Helper()
	// run.json
	var ri runInfo
	if b, err := os.ReadFile(filepath.Join(dir, runInfoFile)); err != nil || json.Unmarshal(b, &ri) != nil {
		t.Fatalf("run.json: %v\n%s", err, b)
	}
	if ri.Seed != seed || ri.Example != example || ri.Flags["seed"] == "" || ri.GoVersion == "" || ri.DataSource == "" || ri.Start.IsZero() {
		t.Errorf("run.json %+v", ri)
	}
	// history.csv: one row per epoch with finite mean losses.
	rows := readRunHistory(t, dir)
	if len(rows) != epochs {
		t.Fatalf("history has %d rows, want %d", len(rows), epochs)
	}
	for i, r := range rows {
		if r.Epoch != i+1 || r.Steps != steps || math.IsNaN(r.DLoss+r.GLoss) || math.IsInf(r.DLoss+r.GLoss, 0) || r.Seconds <= 0 || r.ImagesPerSec <= 0 {
			t.Errorf("history row %d: %+v", i, r)
		}
	}
	// samples: an 8×8 grid of 28×28 tiles with 1-pixel gaps, per epoch.
	for e := 1; e <= epochs; e++ {
		if b := decodePNG(t, samplePath(dir, e)).Bounds(); b.Dx() != 8*29-1 || b.Dy() != 8*29-1 {
			t.Errorf("epoch %d grid is %v, want 231×231", e, b)
		}
	}
	// Weights load into fresh networks.
	if err := nn.LoadWeights(filepath.Join(dir, generatorFile), gan.MNISTGenerator(latentDim)); err != nil {
		t.Error(err)
	}
	dropout := 0.3
	if example == "mnist-wgan-gp" {
		dropout = 0
	}
	if err := nn.LoadWeights(filepath.Join(dir, discrimFile), gan.MNISTDiscriminator(dropout)); err != nil {
		t.Error(err)
	}
	// log.jsonl: every line is JSON; the run's start and end are there.
	f, err := os.Open(filepath.Join(dir, logFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var msgs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("log.jsonl line %q: %v", sc.Text(), err)
		}
		msgs = append(msgs, rec["message"].(string))
	}
	if len(msgs) < 3 || msgs[0] != "run started" || msgs[len(msgs)-1] != "run finished" {
		t.Errorf("log.jsonl messages %q", msgs)
	}
}

func TestRunExamplesEndToEnd(t *testing.T) {
	needMNIST(t)
	cases := []struct {
		example string
		steps   int
	}{
		{"mnist-dcgan", 3},
		{"mnist-wgan-gp", 2},
	}
	for _, c := range cases {
		t.Run(c.example, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			_, errOut, err := execute(t, "--log-format", "json", "run", "--example", c.example, "--epochs", "1",
				"--steps-per-epoch", strconv.Itoa(c.steps), "--batch-size", "16", "--seed", "5", "--run-dir", dir)
			if err != nil {
				t.Fatalf("%v\n%s", err, errOut)
			}
			checkRunDir(t, dir, c.example, 5, 1, c.steps)
			// Not a terminal: progress is plain log lines on stderr, the
			// last at the end of the epoch.
			if !strings.Contains(errOut, `"message":"epoch 1/1 step `+strconv.Itoa(c.steps)+`/`+strconv.Itoa(c.steps)+` (100%)"`) {
				t.Errorf("stderr lacks the end-of-epoch progress line:\n%s", errOut)
			}

			// sample with the run's seed (from run.json) redraws the
			// run's fixed noise through the saved generator: the same
			// grid, pixel for pixel.
			out := filepath.Join(t.TempDir(), "grid.png")
			if _, _, err := execute(t, "sample", dir, "--out", out); err != nil {
				t.Fatal(err)
			}
			if !samePixels(decodePNG(t, out), decodePNG(t, samplePath(dir, 1))) {
				t.Error("sample grid from the saved generator differs from the run's epoch 1 grid")
			}
			// Another seed draws other noise.
			if _, _, err := execute(t, "sample", filepath.Join(dir, generatorFile), "--seed", "6", "--n", "9", "--out", out); err != nil {
				t.Fatal(err)
			}
			if b := decodePNG(t, out).Bounds(); b.Dx() != 3*29-1 || b.Dy() != 3*29-1 {
				t.Errorf("9-sample grid is %v, want 3×3 tiles", b)
			}
		})
	}
}

func samePixels(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

func TestRunArgumentErrors(t *testing.T) {
	idx := t.TempDir()
	writeIDX(t, idx) // 4×4 images
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"run", "missing/nothing.lua"}, "open missing/nothing.lua: no such file or directory"},
		{[]string{"run", "x.lua", "--example", "mnist-dcgan"}, "give a script or --example mnist-dcgan, not both"},
		{[]string{"run", "x.lua", "--set", "novalue"}, `--set "novalue": want key=value`},
		{[]string{"run", "notes.txt"}, "want a Lua script"},
		{[]string{"run"}, "give --example (mnist-dcgan, mnist-wgan-gp)"},
		{[]string{"run", "--example", "cyclegan"}, `unknown example "cyclegan"`},
		{[]string{"run", "--example", "mnist-dcgan", "--epochs", "0"}, "--epochs 0"},
		{[]string{"run", "--example", "mnist-dcgan", "--batch-size", "0"}, "--batch-size 0"},
		{[]string{"run", "--example", "mnist-dcgan", "--steps-per-epoch", "-1"}, "--steps-per-epoch -1"},
		{[]string{"run", "--example", "mnist-dcgan", "--run-dir", full}, "already exists and is not empty"},
		{[]string{"run", "--example", "mnist-dcgan", "--data", idx, "--run-dir", filepath.Join(t.TempDir(), "r")}, "needs 28×28×1"},
		{[]string{"run", "--example", "mnist-dcgan", "--data", filepath.Join(idx, "nope"), "--run-dir", filepath.Join(t.TempDir(), "r")}, "train-images-idx3-ubyte"},
		{[]string{"sample", filepath.Join(idx, "missing.safetensors")}, "missing.safetensors"},
		{[]string{"sample", filepath.Join(idx, "train-labels-idx1-ubyte")}, "train-labels-idx1-ubyte"},
		{[]string{"sample", idx, "--example", "nope"}, `unknown example "nope"`},
	}
	for _, c := range cases {
		_, _, err := execute(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.wantErr)
		}
	}
	if entries, _ := os.ReadDir(full); len(entries) != 1 {
		t.Errorf("refused run dir now holds %v", entries)
	}
}

// quietApp returns an app logging JSON to w, as the root command sets up.
func quietApp(t *testing.T, w io.Writer) *app {
	a := &app{logLevel: "info", logFormat: "json"}
	if err := a.setupLogging(w); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestRunInterruptSavesEverything(t *testing.T) {
	needMNIST(t)
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := runOptions{example: "mnist-dcgan", epochs: 3, stepsPerEpoch: 3, batchSize: 8, seed: 2, runDir: dir, data: "mnist",
		// Ctrl-C arrives during step 2 of epoch 2.
		afterStep: func(epoch, step int) {
			if epoch == 2 && step == 1 {
				cancel()
			}
		}}
	var logs bytes.Buffer
	err := trainExample(ctx, quietApp(t, &logs), o, &logs)
	if err == nil || !strings.Contains(err.Error(), "interrupted") || !strings.Contains(err.Error(), "epoch 2 after 1 of 3 steps") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("error %v", err)
	}
	// Epoch 1 and the one step of epoch 2 are in the history, with grids
	// and weights.
	rows := readRunHistory(t, dir)
	if len(rows) != 2 || rows[0].Steps != 3 || rows[1].Steps != 1 || rows[1].Epoch != 2 {
		t.Errorf("history after interrupt: %+v", rows)
	}
	for _, p := range []string{samplePath(dir, 1), samplePath(dir, 2), filepath.Join(dir, generatorFile), filepath.Join(dir, discrimFile)} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(logs.String(), "interrupted; weights saved") || !strings.Contains(logs.String(), "epoch 2/3 stopped after 1 of 3 steps") {
		t.Errorf("no interrupt log line:\n%s", logs.String())
	}

	// Interrupted before its first step, a run still saves its weights.
	dir0 := filepath.Join(t.TempDir(), "run0")
	o.runDir, o.afterStep = dir0, nil
	if err := trainExample(ctx, quietApp(t, io.Discard), o, io.Discard); err == nil || !strings.Contains(err.Error(), "epoch 1 after 0 of 3 steps") {
		t.Fatalf("error %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir0, generatorFile)); err != nil {
		t.Error(err)
	}
}

func TestRunIsReproducible(t *testing.T) {
	needMNIST(t)
	weights := func(seed uint64) []byte {
		dir := filepath.Join(t.TempDir(), "run")
		o := runOptions{example: "mnist-dcgan", epochs: 1, stepsPerEpoch: 2, batchSize: 8, seed: seed, runDir: dir, data: "mnist"}
		if err := trainExample(context.Background(), quietApp(t, io.Discard), o, io.Discard); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, generatorFile))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b, c := weights(3), weights(3), weights(4)
	if !bytes.Equal(a, b) {
		t.Error("two runs with seed 3 saved different generators")
	}
	if bytes.Equal(a, c) {
		t.Error("seeds 3 and 4 saved the same generator")
	}
}

func TestProgressPlainLines(t *testing.T) {
	cases := []struct{ steps, wantLines int }{
		{100, 10}, // every 10 steps
		{25, 9},   // every 3 steps (3..24) and the last
		{3, 3},    // every step
	}
	for _, c := range cases {
		var buf bytes.Buffer
		a := quietApp(t, &buf)
		p := newEpochProgress(&buf, false, a.log, 1, 1, c.steps, 4)
		for s := 1; s <= c.steps; s++ {
			p.Step(s, 0.5, 0.25)
		}
		p.Finish()
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != c.wantLines || !strings.Contains(lines[len(lines)-1], "(100%)") {
			t.Errorf("%d steps: %d lines, want %d ending at 100%%:\n%s", c.steps, len(lines), c.wantLines, buf.String())
		}
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := newEpochProgress(&buf, true, quietApp(t, io.Discard).log, 2, 5, 7, 16)
	for s := 1; s <= 7; s++ {
		p.Step(s, 0.5, 0.25)
	}
	p.Finish()
	out := buf.String()
	for _, want := range []string{"epoch 2/5", "7 / 7", "img/s", "d 0.5000 g 0.2500"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar output lacks %q: %q", want, out)
		}
	}
}
