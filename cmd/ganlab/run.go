package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ganlab/ganlab/core/data"
	"github.com/ganlab/ganlab/core/gan"
	"github.com/ganlab/ganlab/core/imageio"
	"github.com/ganlab/ganlab/core/nn"
	"github.com/ganlab/ganlab/core/optim"
	"github.com/ganlab/ganlab/core/tensor"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func init() {
	registerCommand(newRunCmd)
	registerCommand(newSampleCmd)
}

// latentDim is the noise size of the built-in MNIST examples.
const latentDim = 100

// Streams derived from --seed: one per consumer, so that changing how much
// one of them draws never shifts the others.
const (
	streamInit    = iota // network initialisation seeds
	streamTrain          // the steps' noise, label noise and GP interpolation weights
	streamData           // the loader's shuffling
	streamSamples        // the fixed noise of the sample grids
)

// sampleGridSize is the number of images in each epoch's grid (8×8).
const sampleGridSize = 64

// ganSetup is a built example: its two networks and one training step on a
// batch of real images.
type ganSetup struct {
	g, d *nn.Sequential
	step func(real *tensor.Tensor) (dLoss, gLoss float64, err error)
}

// exampleSpec describes a built-in Go example.
type exampleSpec struct {
	summary string
	build   func(seed uint64) (*ganSetup, error)
}

// examples are the built-in Go examples `ganlab run --example` trains.
var examples = map[string]exampleSpec{
	"mnist-dcgan": {
		summary: "Keras-guide DCGAN on MNIST: Adam(2e-4, β1 0.5), label noise 0.05, discriminator dropout 0.3",
		build:   buildDCGAN,
	},
	"mnist-wgan-gp": {
		summary: "WGAN-GP on MNIST: Adam(1e-4, β1 0, β2 0.9), 5 critic steps per generator step on each batch, GP weight 10",
		build:   buildWGANGP,
	},
}

// exampleNames lists the examples, sorted, for help and errors.
func exampleNames() string {
	names := make([]string, 0, len(examples))
	for n := range examples {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// exampleHelp lists the examples with their settings, one per line.
func exampleHelp() string {
	var b strings.Builder
	for _, name := range strings.Split(exampleNames(), ", ") {
		fmt.Fprintf(&b, "  %-14s %s\n", name, examples[name].summary)
	}
	return b.String()
}

// newAdam returns Adam with Keras's epsilon and the given rate and betas.
func newAdam(lr, beta1, beta2 float64) (optim.Optimizer, error) {
	cfg := optim.DefaultAdam()
	cfg.LearningRate, cfg.Beta1, cfg.Beta2 = lr, beta1, beta2
	return optim.NewAdam(cfg)
}

// adamPair returns one Adam per network.
func adamPair(lr, beta1, beta2 float64) (optim.Optimizer, optim.Optimizer, error) {
	a, err := newAdam(lr, beta1, beta2)
	if err != nil {
		return nil, nil, err
	}
	b, err := newAdam(lr, beta1, beta2)
	return a, b, err
}

// seededNets builds the MNIST generator and a discriminator with weight
// seeds drawn from --seed's init stream.
func seededNets(seed uint64, dropout float64) (g, d *nn.Sequential) {
	init := tensor.NewRNG(seed, streamInit)
	g, d = gan.MNISTGenerator(latentDim), gan.MNISTDiscriminator(dropout)
	g.SetSeed(init.Uint64())
	d.SetSeed(init.Uint64())
	return g, d
}

func buildDCGAN(seed uint64) (*ganSetup, error) {
	g, d := seededNets(seed, 0.3)
	optG, optD, err := adamPair(2e-4, 0.5, 0.999)
	if err != nil {
		return nil, err
	}
	s := &gan.DCGAN{G: g, D: d, OptG: optG, OptD: optD, Latent: latentDim, LabelNoise: 0.05,
		RNG: tensor.NewRNG(seed, streamTrain), DType: tensor.Float32}
	return &ganSetup{g: g, d: d, step: func(real *tensor.Tensor) (float64, float64, error) {
		r, err := s.Step(real)
		return r.DLoss, r.GLoss, err
	}}, nil
}

func buildWGANGP(seed uint64) (*ganSetup, error) {
	g, d := seededNets(seed, 0)
	optG, optD, err := adamPair(1e-4, 0, 0.9)
	if err != nil {
		return nil, err
	}
	s := &gan.WGANGP{G: g, D: d, OptG: optG, OptD: optD, Latent: latentDim, NCritic: 5, GPWeight: 10,
		RNG: tensor.NewRNG(seed, streamTrain), DType: tensor.Float32}
	// As in the Keras guide's train_step, the critic steps of one batch
	// all see that batch (with fresh noise each).
	return &ganSetup{g: g, d: d, step: func(real *tensor.Tensor) (float64, float64, error) {
		return s.Iteration(func() (*tensor.Tensor, error) { return real, nil })
	}}, nil
}

// fixedNoise is the noise batch every epoch's sample grid is drawn from.
func fixedNoise(seed uint64, n int) *tensor.Tensor {
	return tensor.NewRNG(seed, streamSamples).Normal(tensor.Float32, 0, 1, n, latentDim)
}

// runOptions are the settings of one training run.
type runOptions struct {
	example       string
	epochs        int
	stepsPerEpoch int // 0: one pass over the data
	batchSize     int
	seed          uint64
	runDir        string
	data          string
	flags         map[string]string

	// afterStep, when set, is called after every step (tests interrupt
	// runs with it).
	afterStep func(epoch, step int)
}

func newRunCmd(a *app) *cobra.Command {
	o := runOptions{}
	lo := luaOptions{}
	cmd := &cobra.Command{
		Use:   "run [--example NAME | FILE.lua]",
		Short: "Train a GAN and write a run directory",
		Long: "Run a Lua experiment (FILE.lua, see docs/lua-api.md) or train a built-in Go example,\n" +
			"and write a run directory.\n\n" + exampleHelp() + "\n" +
			"The run directory holds run.json, log.jsonl, history.csv, samples/epoch_NNNN.png and the\n" +
			"networks' weights (generator.safetensors, discriminator.safetensors, saved after every epoch).\n" +
			"Ctrl-C stops after the current step and saves everything first.",
		Args: cobra.MaximumNArgs(1),
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if !strings.HasSuffix(args[0], ".lua") {
					return fmt.Errorf("run %s: want a Lua script (FILE.lua) or --example (%s)", args[0], exampleNames())
				}
				if o.example != "" {
					return fmt.Errorf("run %s: give a script or --example %s, not both", args[0], o.example)
				}
				return checkRunFlags(o)
			}
			if o.example == "" {
				return fmt.Errorf("run: give --example (%s)", exampleNames())
			}
			if _, ok := examples[o.example]; !ok {
				return fmt.Errorf("run: unknown example %q; want one of %s", o.example, exampleNames())
			}
			return checkRunFlags(o)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.flags = map[string]string{}
			cmd.Flags().VisitAll(func(f *pflag.Flag) { o.flags[f.Name] = f.Value.String() })
			if len(args) == 1 {
				return runScript(cmd.Context(), a, o, lo, args[0], cmd.Flags().Changed, cmd.ErrOrStderr())
			}
			return trainExample(cmd.Context(), a, o, cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.example, "example", "", "built-in example to train: "+exampleNames())
	f.IntVar(&o.epochs, "epochs", 1, "number of epochs (a script's fit uses its own unless this is given)")
	f.IntVar(&o.stepsPerEpoch, "steps-per-epoch", 0, "steps per epoch (0: one full pass over the data)")
	f.IntVar(&o.batchSize, "batch-size", 64, "images per step (built-in examples)")
	f.Uint64Var(&o.seed, "seed", 1, "seed of every random stream (weights, noise, shuffling, sample grid)")
	f.StringVar(&o.runDir, "run-dir", "", "run directory (default runs/<example or script>-<UTC timestamp>); must be new or empty")
	f.StringVar(&o.data, "data", "mnist", "dataset: mnist, fashion-mnist or a directory of MNIST-layout IDX files (built-in examples)")
	f.StringArrayVar(&lo.sets, "set", nil, "key=value for the script's keras.config (repeatable)")
	f.StringArrayVar(&lo.luaPaths, "lua-path", nil, "extra directory require may load from (repeatable)")
	f.DurationVar(&lo.timeout, "timeout", 0, "stop the script after this long (0: no limit)")
	f.StringVar(&lo.cpuprof, "cpuprofile", "", "write a CPU profile of a script's run to this file (go tool pprof)")
	return cmd
}

// checkRunFlags validates the numeric flags shared by scripts and examples.
func checkRunFlags(o runOptions) error {
	switch {
	case o.epochs < 1:
		return fmt.Errorf("run: --epochs %d, want >= 1", o.epochs)
	case o.stepsPerEpoch < 0:
		return fmt.Errorf("run: --steps-per-epoch %d, want >= 0", o.stepsPerEpoch)
	case o.batchSize < 1:
		return fmt.Errorf("run: --batch-size %d, want >= 1", o.batchSize)
	}
	return nil
}

// trainRun is the state of a run in progress.
type trainRun struct {
	o       runOptions
	dir     string
	log     zerolog.Logger
	setup   *ganSetup
	noise   *tensor.Tensor
	history *historyWriter
}

// trainExample runs o to completion or until ctx is cancelled; progress goes to
// errOut, logs to a's logger and the run's log.jsonl.
func trainExample(ctx context.Context, a *app, o runOptions, errOut io.Writer) (err error) {
	spec := examples[o.example]
	start := time.Now()
	dir := o.runDir
	if dir == "" {
		dir = defaultRunDir(o.example, start)
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
		// The file gets the error too (main prints it on stderr), so
		// log.jsonl tells the whole story of a failed run.
		if err != nil {
			fileLog := zerolog.New(logF).With().Timestamp().Logger()
			fileLog.Error().Err(err).Msg("run failed")
		}
	}()

	info := newRunInfo(start)
	info.Example, info.Seed, info.Data, info.DataSource, info.RunDir = o.example, o.seed, o.data, source(o.data), dir
	for k, v := range o.flags {
		info.Flags[k] = v
	}
	if err := writeJSONAtomic(filepath.Join(dir, runInfoFile), info); err != nil {
		return err
	}
	log.Info().Str("run_dir", dir).Str("example", o.example).Uint64("seed", o.seed).Str("data", o.data).Msg("run started")

	ds, err := data.Load(o.data, "train", data.WithScale(data.Signed))
	if err != nil {
		return fmt.Errorf("run: data: %w", err)
	}
	if shape := ds.ImageShape(); !tensor.SameShape(shape, []int{28, 28, 1}) {
		return fmt.Errorf("run: %s has images %v; the %s example needs 28×28×1", ds.Name, shape, o.example)
	}
	loader, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: o.batchSize, Shuffle: true, DropRemainder: true, Prefetch: 2},
		tensor.NewRNG(o.seed, streamData))
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	defer loader.Close()
	steps := o.stepsPerEpoch
	if steps == 0 {
		steps = loader.StepsPerEpoch()
	}

	r := &trainRun{o: o, dir: dir, log: log, noise: fixedNoise(o.seed, sampleGridSize)}
	if r.setup, err = spec.build(o.seed); err != nil {
		return fmt.Errorf("run: build %s: %w", o.example, err)
	}
	if r.history, err = createHistory(filepath.Join(dir, historyFile)); err != nil {
		return err
	}
	defer r.history.Close()
	log.Info().Str("dataset", ds.Name).Int("examples", ds.Len()).Int("epochs", o.epochs).Int("steps_per_epoch", steps).
		Int("batch_size", o.batchSize).Msg("training")

	tty := stderrIsTerminal(errOut)
	for epoch := 1; epoch <= o.epochs; epoch++ {
		done, err := r.epoch(ctx, epoch, steps, loader, errOut, tty)
		if err != nil {
			return err
		}
		if done < steps {
			return r.interrupted(ctx, epoch, done, steps)
		}
	}
	log.Info().Str("run_dir", dir).Dur("elapsed", time.Since(start).Round(time.Millisecond)).Msg("run finished")
	return nil
}

// epoch runs up to steps steps and ends the epoch (history row, sample
// grid, weights) over the steps done; it returns early, with done < steps,
// when ctx is cancelled.
func (r *trainRun) epoch(ctx context.Context, epoch, steps int, loader *data.Loader, errOut io.Writer, tty bool) (done int, err error) {
	prog := newEpochProgress(errOut, tty, r.log, epoch, r.o.epochs, steps, r.o.batchSize)
	var dSum, gSum, seconds float64
	for done < steps && ctx.Err() == nil {
		b, err := loader.Next()
		if err != nil {
			prog.Finish()
			return done, fmt.Errorf("run: epoch %d step %d: data: %w", epoch, done+1, err)
		}
		t := time.Now()
		dl, gl, err := r.setup.step(b.Images)
		seconds += time.Since(t).Seconds()
		if err != nil {
			prog.Finish()
			return done, fmt.Errorf("run: epoch %d step %d: %w", epoch, done+1, err)
		}
		done++
		dSum, gSum = dSum+dl, gSum+gl
		prog.Step(done, dl, gl)
		r.log.Debug().Int("epoch", epoch).Int("step", done).Float64("d_loss", dl).Float64("g_loss", gl).Msg("step")
		if r.o.afterStep != nil {
			r.o.afterStep(epoch, done)
		}
	}
	prog.Finish()
	if done == 0 {
		return 0, nil
	}
	row := historyRow{Epoch: epoch, Steps: done, DLoss: dSum / float64(done), GLoss: gSum / float64(done),
		Seconds: seconds, ImagesPerSec: float64(done*r.o.batchSize) / max(seconds, 1e-9)}
	if err := r.history.Append(row); err != nil {
		return done, err
	}
	if err := r.writeSamples(epoch); err != nil {
		return done, err
	}
	if err := r.saveWeights(); err != nil {
		return done, err
	}
	r.log.Info().Int("epoch", epoch).Int("steps", done).Float64("d_loss", row.DLoss).Float64("g_loss", row.GLoss).
		Float64("seconds", round(row.Seconds, 3)).Float64("images_per_s", round(row.ImagesPerSec, 1)).
		Str("samples", samplePath(r.dir, epoch)).Msg(epochMessage(epoch, r.o.epochs, done, steps))
	return done, nil
}

// epochMessage says how an epoch ended.
func epochMessage(epoch, epochs, done, steps int) string {
	if done < steps {
		return fmt.Sprintf("epoch %d/%d stopped after %d of %d steps", epoch, epochs, done, steps)
	}
	return fmt.Sprintf("epoch %d/%d done", epoch, epochs)
}

// writeSamples draws the fixed noise batch through G at inference and
// writes the 8×8 grid for epoch.
func (r *trainRun) writeSamples(epoch int) error {
	imgs, err := r.setup.g.Predict(r.noise)
	if err != nil {
		return fmt.Errorf("run: epoch %d samples: generator: %w", epoch, err)
	}
	path := samplePath(r.dir, epoch)
	if err := imageio.WriteGrid(path, imgs, [2]float64{-1, 1}, 8); err != nil {
		return fmt.Errorf("run: epoch %d samples: %w", epoch, err)
	}
	return nil
}

// saveWeights writes both networks' weights (atomically, by nn.SaveWeights).
func (r *trainRun) saveWeights() error {
	if err := nn.SaveWeights(filepath.Join(r.dir, generatorFile), r.setup.g); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if err := nn.SaveWeights(filepath.Join(r.dir, discrimFile), r.setup.d); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	return nil
}

// interrupted saves the weights (an epoch that ran no step saved nothing)
// and returns the error that tells the user where everything is.
func (r *trainRun) interrupted(ctx context.Context, epoch, done, steps int) error {
	if done == 0 {
		if err := r.saveWeights(); err != nil {
			return err
		}
	}
	r.log.Warn().Int("epoch", epoch).Int("step", done).Int("steps", steps).Str("run_dir", r.dir).Msg("interrupted; weights saved")
	return fmt.Errorf("interrupted (%v) in epoch %d after %d of %d steps; history, samples and weights up to that step are saved in %s",
		context.Cause(ctx), epoch, done, steps, r.dir)
}

func newSampleCmd(a *app) *cobra.Command {
	var n int
	var out, example string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "sample CHECKPOINT_DIR_OR_FILE",
		Short: "Write a grid of generator samples from saved weights",
		Long: "Load generator weights (a run directory's generator.safetensors, or a file) into a fresh\n" +
			"generator of the example and write a grid of its samples. With a run directory and no\n" +
			"--seed/--example, run.json supplies them, so --n 64 reproduces the run's last sample grid.\n" +
			"A Lua script's run directory is sampled by running its script again with fit replaced by\n" +
			"loading the saved weights and calling the script's callbacks once, so its image monitor\n" +
			"redraws the last epoch's grid.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := args[0]
			if fi, err := os.Stat(path); err != nil {
				return fmt.Errorf("sample: %w", err)
			} else if ri, ok := readRunInfo(filepath.Join(path, runInfoFile)); fi.IsDir() && ok && ri.Script != "" {
				if cmd.Flags().Changed("n") {
					a.log.Warn().Msg("--n is ignored for a script's run: its image monitor decides the grid")
				}
				return sampleScript(cmd.Context(), a, path, ri, out)
			} else if fi.IsDir() {
				applyRunInfo(cmd, filepath.Join(path, runInfoFile), &example, &seed)
				path = filepath.Join(path, generatorFile)
			}
			spec, ok := examples[example]
			if !ok {
				return fmt.Errorf("sample: unknown example %q; want one of %s", example, exampleNames())
			}
			if n < 1 {
				return fmt.Errorf("sample: --n %d, want >= 1", n)
			}
			setup, err := spec.build(seed)
			if err != nil {
				return fmt.Errorf("sample: build %s: %w", example, err)
			}
			if err := nn.LoadWeights(path, setup.g); err != nil {
				return fmt.Errorf("sample: %w", err)
			}
			imgs, err := setup.g.Predict(fixedNoise(seed, n))
			if err != nil {
				return fmt.Errorf("sample: generator: %w", err)
			}
			if err := imageio.WriteGrid(out, imgs, [2]float64{-1, 1}, 0); err != nil {
				return fmt.Errorf("sample: %w", err)
			}
			a.log.Info().Str("weights", path).Str("out", out).Int("n", n).Uint64("seed", seed).Msg("samples written")
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&n, "n", sampleGridSize, "number of samples (the grid is ceil(sqrt(n)) columns wide)")
	f.StringVar(&out, "out", "grid.png", "PNG file to write")
	f.StringVar(&example, "example", "mnist-dcgan", "example whose generator the weights belong to: "+exampleNames())
	f.Uint64Var(&seed, "seed", 1, "seed of the noise (the run's --seed gives its sample grid's noise)")
	return cmd
}

// applyRunInfo fills example and seed from a run's run.json unless their
// flags were given; a missing or unreadable run.json leaves them alone.
// readRunInfo reads a run.json; ok is false when there is none to read.
func readRunInfo(path string) (ri runInfo, ok bool) {
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &ri) != nil {
		return ri, false
	}
	return ri, true
}

func applyRunInfo(cmd *cobra.Command, path string, example *string, seed *uint64) {
	ri, ok := readRunInfo(path)
	if !ok {
		return
	}
	if !cmd.Flags().Changed("example") && ri.Example != "" {
		*example = ri.Example
	}
	if !cmd.Flags().Changed("seed") {
		*seed = ri.Seed
	}
}
