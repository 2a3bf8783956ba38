package main

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"

	"github.com/rs/zerolog"

	"github.com/ganlab/ganlab/bindings"
	"github.com/ganlab/ganlab/core/nn"
	"github.com/ganlab/ganlab/core/plot"
	"github.com/ganlab/ganlab/core/train"
)

// Files a script's run writes besides the shared ones in rundir.go.
const (
	lossCurvesFile = "loss_curves.png" // per-epoch means
	lossStepsFile  = "loss_steps.png"  // every step
)

// scriptFitHooks makes every model:fit of a script write the run directory:
// a progress bar on a terminal (plain lines in the log otherwise),
// history.csv, loss curves and each part's weights after every epoch.
func scriptFitHooks(dir string, errOut io.Writer, log zerolog.Logger) bindings.FitHooks {
	return bindings.FitHooks{
		Progress: func() train.Callback {
			p := train.NewProgressLogger(errOut)
			if !stderrIsTerminal(errOut) {
				p.Line = func(l train.ProgressLine) { log.Info().Str("src", "fit").Msg(l.String()) }
			}
			return p
		},
		Callbacks: func(m *bindings.FitModel) []train.Callback {
			return []train.Callback{
				train.NewCSVLogger(filepath.Join(dir, historyFile), true),
				&runArtifacts{dir: dir, parts: m.Parts, log: log, series: map[string][]float64{}, stepSeries: map[string][]float64{}},
			}
		},
		RecordSteps: false,
	}
}

// runArtifacts saves, after every epoch, the weights of each part of the
// model being fit (<run>/<part>.safetensors: a GAN subclass's generator and
// discriminator) and redraws the loss curves, per epoch and per step.
type runArtifacts struct {
	train.BaseCallback
	dir   string
	parts map[string]nn.Layer
	log   zerolog.Logger

	epochs     []float64
	series     map[string][]float64
	steps      []float64
	stepSeries map[string][]float64
}

// OnTrainBatchEnd records the step's logs for the per-step curve.
func (r *runArtifacts) OnTrainBatchEnd(_ int, logs train.Logs) error {
	r.steps = append(r.steps, float64(len(r.steps)+1))
	appendLogs(r.stepSeries, len(r.steps), logs)
	return nil
}

// OnEpochEnd saves the weights, then the curves; a failure names the file.
func (r *runArtifacts) OnEpochEnd(epoch int, logs train.Logs) error {
	r.epochs = append(r.epochs, float64(epoch+1))
	appendLogs(r.series, len(r.epochs), logs)
	names := make([]string, 0, len(r.parts))
	for name := range r.parts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(r.dir, name+".safetensors")
		if err := nn.SaveWeights(path, r.parts[name]); err != nil {
			return fmt.Errorf("save weights of %s: %w", name, err)
		}
	}
	figs := []struct {
		file   string
		x      []float64
		series map[string][]float64
		xlabel string
	}{{lossCurvesFile, r.epochs, r.series, "epoch"}, {lossStepsFile, r.steps, r.stepSeries, "step"}}
	for _, f := range figs {
		if len(f.x) == 0 || len(f.series) == 0 {
			continue
		}
		fig := plot.Figure{Title: "losses", XLabel: f.xlabel, YLabel: "value", X: f.x, Series: f.series}
		if err := fig.WritePNG(filepath.Join(r.dir, f.file)); err != nil {
			return fmt.Errorf("loss curves %s: %w", f.file, err)
		}
	}
	r.log.Debug().Int("epoch", epoch+1).Strs("weights", names).Msg("epoch saved")
	return nil
}

// appendLogs extends each series to n points with the values in logs (NaN
// where a key was not logged, so series stay aligned with x).
func appendLogs(series map[string][]float64, n int, logs train.Logs) {
	for k, v := range logs {
		for len(series[k]) < n-1 {
			series[k] = append(series[k], math.NaN())
		}
		series[k] = append(series[k], v)
	}
	for k, s := range series {
		if len(s) < n {
			series[k] = append(s, math.NaN())
		}
	}
}
