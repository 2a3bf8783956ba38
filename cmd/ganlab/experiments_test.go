package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/ganlab/ganlab/core/safetensors"
)

// TestExperimentsSmoke runs every experiment in experiments/ for one short
// epoch on MNIST (the smoke flags --epochs 1 --steps-per-epoch 1) and
// checks the run directory it writes: run.json, log.jsonl, history.csv
// with one row, the epoch's sample grid, loss curves and the weights of
// the generator and discriminator; then that `ganlab sample` on the run
// directory redraws the same grid.
func TestExperimentsSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("trains each experiment for a step")
	}
	scripts, err := filepath.Glob("../../experiments/*.lua")
	if err != nil || len(scripts) < 3 {
		t.Fatalf("experiments: %v %v", scripts, err)
	}
	for _, script := range scripts {
		t.Run(filepath.Base(script), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			root := newRootCmd()
			var stderr bytes.Buffer
			root.SetErr(&stderr)
			root.SetArgs([]string{"run", script, "--epochs", "1", "--steps-per-epoch", "1", "--run-dir", dir, "--log-format", "json"})
			if err := root.ExecuteContext(context.Background()); err != nil {
				t.Fatalf("run: %v\n%s", err, stderr.String())
			}
			for _, f := range []string{runInfoFile, logFile, lossCurvesFile, lossStepsFile} {
				if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
					t.Errorf("%s: %v", f, err)
				}
			}
			rows := readCSV(t, filepath.Join(dir, historyFile))
			if len(rows) != 2 || rows[1][0] != "0" {
				t.Errorf("history.csv = %v, want a header and epoch 0", rows)
			}
			grid, err := os.Open(filepath.Join(dir, "samples", "epoch_0001.png"))
			if err != nil {
				t.Fatal(err)
			}
			defer grid.Close()
			if img, err := png.Decode(grid); err != nil || img.Bounds().Dx() < 28*8 {
				t.Errorf("sample grid: %v (%v)", err, img.Bounds())
			}
			// ganlab sample redraws the run's last grid from its weights.
			resampled := filepath.Join(t.TempDir(), "grid.png")
			root = newRootCmd()
			root.SetErr(&stderr)
			root.SetArgs([]string{"sample", dir, "--out", resampled, "--log-format", "json"})
			if err := root.ExecuteContext(context.Background()); err != nil {
				t.Fatalf("sample: %v\n%s", err, stderr.String())
			}
			want, _ := os.ReadFile(filepath.Join(dir, "samples", "epoch_0001.png"))
			if got, err := os.ReadFile(resampled); err != nil || !bytes.Equal(got, want) {
				t.Errorf("ganlab sample did not redraw samples/epoch_0001.png (err %v)", err)
			}
			for _, part := range []string{"generator", "discriminator"} {
				f, err := safetensors.ReadFile(filepath.Join(dir, part+".safetensors"))
				if err != nil || len(f.Tensors) == 0 {
					t.Errorf("%s weights: %v", part, err)
				}
			}
		})
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}
