package main

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ganlab/ganlab/bindings"
	"github.com/ganlab/ganlab/core/nn"
	"github.com/ganlab/ganlab/core/train"
)

// sampleScript redraws a Lua run's sample grid from its saved weights: it
// runs the run's script again with fit replaced by "load each part's
// weights from the run directory, then call the script's own callbacks'
// on_epoch_end once", so the script's image monitor draws the grid exactly
// as it did during training (conditional inputs included). The grid goes
// to out.
func sampleScript(ctx context.Context, a *app, runDir string, ri runInfo, out string) error {
	src, err := os.ReadFile(ri.Script)
	if err != nil {
		return fmt.Errorf("sample: the run's script: %w", err)
	}
	if sum := sha256.Sum256(src); ri.ScriptHash != "" && hex.EncodeToString(sum[:]) != ri.ScriptHash {
		a.log.Warn().Str("script", ri.Script).Msg("the script changed since the run; sampling with the current version")
	}
	f, err := os.Open(filepath.Join(runDir, historyFile))
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	hist, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(hist) < 2 {
		return fmt.Errorf("sample: %s has no finished epoch", filepath.Join(runDir, historyFile))
	}
	epoch := len(hist) - 2 // 0-based index of the last finished epoch
	roots, err := requireRoots(ri.Script, nil)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "ganlab-sample-")
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	defer os.RemoveAll(tmp)
	cfg := map[string]any{"seed": float64(ri.Seed), "epochs": float64(1)}
	rt, err := bindings.New(ctx, bindings.Options{Roots: roots, Seed: ri.Seed, Config: cfg, RunDir: tmp, Log: a.log})
	if err != nil {
		return fmt.Errorf("sample: %w", err)
	}
	defer rt.Close()
	loaded := 0
	rt.SetFitHooks(bindings.FitHooks{Instead: func(m *bindings.FitModel, cbs []train.Callback) error {
		for name, part := range m.Parts {
			path := filepath.Join(runDir, name+".safetensors")
			if _, err := os.Stat(path); err != nil {
				continue
			}
			if err := nn.LoadWeights(path, part); err != nil {
				return fmt.Errorf("sample: %w", err)
			}
			loaded++
		}
		if loaded == 0 {
			return fmt.Errorf("sample: %s holds no weights of %s's parts", runDir, m.Name)
		}
		for _, cb := range cbs {
			if err := cb.OnEpochEnd(epoch, train.Logs{}); err != nil {
				return err
			}
		}
		return nil
	}})
	if err := rt.RunFile(ri.Script); err != nil {
		return fmt.Errorf("sample %s: %w", ri.Script, err)
	}
	grid := samplePath(tmp, epoch+1)
	b, err := os.ReadFile(grid)
	if err != nil {
		return fmt.Errorf("sample: the script's callbacks wrote no %s: %w", filepath.Base(grid), err)
	}
	if err := writeFileAtomic(out, b); err != nil {
		return err
	}
	a.log.Info().Str("run_dir", runDir).Str("out", out).Int("epoch", epoch+1).Msg("samples written")
	return nil
}
