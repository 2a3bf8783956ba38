package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ganlab/ganlab/core/gan"
	"github.com/ganlab/ganlab/core/gemm"
	"github.com/ganlab/ganlab/core/nn"
	"github.com/ganlab/ganlab/core/tensor"
	"github.com/spf13/cobra"
)

func init() { registerCommand(newBenchCmd) }

// The FLOP conventions are those of shared/bench/torch_gan_step.py, so the
// numbers compare one to one:
//   - only Conv2D, Conv2DTranspose and Dense multiply-accumulates count
//     (normalisation, activations, dropout, losses and Adam do not);
//     1 MAC = 2 FLOP; backward ≈ 2 × forward;
//   - DCGAN step (batch B): (4 G + 9 D)·B forward MACs per sample;
//   - WGAN-GP critic step: (G + 12 D)·B; generator step: (3 G + 3 D)·B;
//     iteration (5 critic + 1 G): (8 G + 63 D)·B;
//   - images/s counts real images consumed: B per DCGAN step, 5B per
//     WGAN-GP iteration.

// benchWorkloads lists --workload's values.
var benchWorkloads = []string{"mnist-dcgan", "wgan-gp", "dcgan64", "gemm"}

// benchSeed seeds weights, noise and the synthetic data, as the python
// harness's 1234.
const benchSeed = 1234

// benchOptions are the bench command's flags.
type benchOptions struct {
	workload      string
	steps, warmup int
	jsonPath      string
	cpuprof       string
}

// benchResult is one workload's measurements; field names follow the python
// harness's JSON.
type benchResult struct {
	Name         string     `json:"name"`
	Batch        int        `json:"batch,omitempty"`
	StepMS       float64    `json:"step_ms"`
	StepMSAll    []float64  `json:"step_ms_all"`
	ImagesPerSec float64    `json:"images_per_s,omitempty"`
	GFLOPPerStep float64    `json:"gflop_per_step"`
	GFLOPS       float64    `json:"gflops"`
	GMACs        int64      `json:"g_fwd_mac_per_sample,omitempty"`
	DMACs        int64      `json:"d_fwd_mac_per_sample,omitempty"`
	LossesFirst  [2]float64 `json:"losses_first_D_G"`
	LossesLast   [2]float64 `json:"losses_last_D_G"`

	// WGAN-GP only: the step above is the iteration; these time its parts.
	CriticStepMS       float64   `json:"critic_step_ms,omitempty"`
	CriticStepMSAll    []float64 `json:"critic_step_ms_all,omitempty"`
	GStepMS            float64   `json:"g_step_ms,omitempty"`
	GStepMSAll         []float64 `json:"g_step_ms_all,omitempty"`
	GFLOPPerCriticStep float64   `json:"gflop_per_critic_step,omitempty"`
	CriticGFLOPS       float64   `json:"critic_gflops,omitempty"`
}

// benchReport is what --json writes.
type benchReport struct {
	Version      string        `json:"ganlab_version"`
	GoVersion    string        `json:"go_version"`
	Platform     string        `json:"platform"`
	GOMAXPROCS   int           `json:"gomaxprocs"`
	CPU          string        `json:"cpu"`
	SgemmKernel  string        `json:"sgemm_kernel"`
	LoadAvgStart string        `json:"loadavg_start"`
	LoadAvgEnd   string        `json:"loadavg_end"`
	GOGC         string        `json:"gogc"`
	PeakRSSBytes int64         `json:"peak_rss_bytes"` // -1 where /proc/self/status has no VmHWM
	Warmup       int           `json:"warmup"`
	Results      []benchResult `json:"results"`
}

func newBenchCmd(_ *app) *cobra.Command {
	o := benchOptions{}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Time GAN train steps (the workloads of shared/bench/torch_gan_step.py) or SGEMM",
		Long: "Time the train steps of shared/bench/torch_gan_step.py with the same networks, batch sizes,\n" +
			"losses, optimizers and FLOP conventions, on synthetic data (uniform noise in the generator's\n" +
			"output range, a pool of 4 batches cycled):\n" +
			"  mnist-dcgan  DCGAN step, batch 64, Adam(2e-4, 0.5, 0.999), dropout 0.3\n" +
			"  wgan-gp      WGAN-GP iteration (5 critic + 1 generator step), batch 64, Adam(2e-4, 0.5, 0.9), GP 10;\n" +
			"               --steps counts iterations\n" +
			"  dcgan64      64×64×3 DCGAN step, batch 128, noise 64, width 128, depth 4, dropout 0.4\n" +
			"  gemm         Sgemm 1024³ and 2048³\n" +
			"FLOPs count only Conv2D/Conv2DTranspose/Dense MACs (1 MAC = 2 FLOP, backward = 2 × forward):\n" +
			"DCGAN step (4 G + 9 D)·B·2, WGAN-GP iteration (8 G + 63 D)·B·2, with G and D the forward MACs per sample.",
		Args: cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error {
			if !slices.Contains(benchWorkloads, o.workload) {
				return fmt.Errorf("bench: unknown workload %q; want one of %s", o.workload, strings.Join(benchWorkloads, ", "))
			}
			if o.steps < 1 || o.warmup < 0 {
				return fmt.Errorf("bench: --steps %d --warmup %d: want steps >= 1, warmup >= 0", o.steps, o.warmup)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return bench(o, cmd.OutOrStdout()) },
	}
	f := cmd.Flags()
	f.StringVar(&o.workload, "workload", "mnist-dcgan", "what to time: "+strings.Join(benchWorkloads, ", "))
	f.IntVar(&o.steps, "steps", 20, "timed steps (wgan-gp: iterations; gemm: products per size)")
	f.IntVar(&o.warmup, "warmup", 3, "untimed steps first")
	f.StringVar(&o.jsonPath, "json", "", "also write every measurement, step times included, to this JSON file")
	f.StringVar(&o.cpuprof, "cpuprofile", "", "write a CPU profile of the timed and warm-up steps to this file (go tool pprof)")
	return cmd
}

// bench runs o's workload and prints its results to w.
func bench(o benchOptions, w io.Writer) error {
	info := newRunInfo(time.Now())
	rep := benchReport{Version: info.Version, GoVersion: info.GoVersion, Platform: info.Platform, GOMAXPROCS: info.GOMAXPROCS,
		CPU: cpuModel(), SgemmKernel: gemm.SgemmKernel(), LoadAvgStart: loadAvg(), GOGC: gogcSetting(), Warmup: o.warmup}
	fmt.Fprintf(w, "ganlab %s | %s | %s | GOMAXPROCS %d | GOGC %s | load avg %s\n",
		rep.Version, rep.GoVersion, rep.Platform, rep.GOMAXPROCS, rep.GOGC, rep.LoadAvgStart)
	fmt.Fprintf(w, "cpu: %s | sgemm kernel %s\n", rep.CPU, rep.SgemmKernel)
	stop, err := startCPUProfile("bench", o.cpuprof)
	if err != nil {
		return err
	}
	var res []benchResult
	switch o.workload {
	case "mnist-dcgan":
		res, err = benchDCGAN("mnist-dcgan", gan.MNISTGenerator(100), gan.MNISTDiscriminator(0.3), 100, 64, []int{28, 28, 1}, -1, o, w)
	case "dcgan64":
		res, err = benchDCGAN("dcgan64", gan.DCGAN64Generator(64, 128, 4), gan.DCGAN64Discriminator(0.4), 64, 128, []int{64, 64, 3}, 0, o, w)
	case "wgan-gp":
		res, err = benchWGANGP(o, w)
	case "gemm":
		res = benchGemm(o, w)
	}
	stop()
	if err != nil {
		return err
	}
	rep.Results = res
	rep.PeakRSSBytes = peakRSS()
	rep.LoadAvgEnd = loadAvg()
	rss := "n/a"
	if rep.PeakRSSBytes >= 0 {
		rss = fmt.Sprintf("%.1f MiB", float64(rep.PeakRSSBytes)/(1<<20))
	}
	fmt.Fprintf(w, "peak RSS %s (VmHWM) | load avg at end %s\n", rss, rep.LoadAvgEnd)
	if o.jsonPath != "" {
		if err := writeJSONAtomic(o.jsonPath, rep); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	return nil
}

// syntheticPool returns 4 batches of uniform noise in [lo, lo+2] ([-1, 1])
// or [0, 1] (lo 0): the "real" data of the python harness.
func syntheticPool(rng *tensor.RNG, batch int, shape []int, lo float64) []*tensor.Tensor {
	hi := 1.0
	pool := make([]*tensor.Tensor, 4)
	for i := range pool {
		pool[i] = rng.Uniform(tensor.Float32, lo, hi, append([]int{batch}, shape...)...)
	}
	return pool
}

// gMACsDMACs counts the forward MACs per sample of both networks.
func gMACsDMACs(g, d *nn.Sequential, latent int, imgShape []int) (int64, int64, error) {
	gm, _, err := countMACs(g, []int{1, latent})
	if err != nil {
		return 0, 0, fmt.Errorf("bench: count generator MACs: %w", err)
	}
	dm, _, err := countMACs(d, append([]int{1}, imgShape...))
	if err != nil {
		return 0, 0, fmt.Errorf("bench: count discriminator MACs: %w", err)
	}
	return gm, dm, nil
}

// benchDCGAN times the DCGAN step at batch with Adam(2e-4, 0.5, 0.999);
// lo is the bottom of the generator's output range (-1 tanh, 0 sigmoid).
func benchDCGAN(name string, g, d *nn.Sequential, latent, batch int, imgShape []int, lo float64, o benchOptions, w io.Writer) ([]benchResult, error) {
	gm, dm, err := gMACsDMACs(g, d, latent, imgShape)
	if err != nil {
		return nil, err
	}
	g.SetSeed(benchSeed)
	d.SetSeed(benchSeed + 1)
	optG, optD, err := adamPair(2e-4, 0.5, 0.999)
	if err != nil {
		return nil, err
	}
	s := &gan.DCGAN{G: g, D: d, OptG: optG, OptD: optD, Latent: latent, LabelNoise: 0.05,
		RNG: tensor.NewRNG(benchSeed, 0), DType: tensor.Float32}
	pool := syntheticPool(tensor.NewRNG(benchSeed, 1), batch, imgShape, lo)
	r := benchResult{Name: name, Batch: batch, GMACs: gm, DMACs: dm,
		GFLOPPerStep: float64(2*int64(batch)*(4*gm+9*dm)) / 1e9}
	for i := 0; i < o.warmup+o.steps; i++ {
		t := time.Now()
		res, err := s.Step(pool[i%len(pool)])
		dt := time.Since(t)
		if err != nil {
			return nil, fmt.Errorf("bench %s: step %d: %w", name, i+1, err)
		}
		if i == 0 {
			r.LossesFirst = [2]float64{res.DLoss, res.GLoss}
		}
		r.LossesLast = [2]float64{res.DLoss, res.GLoss}
		if i >= o.warmup {
			r.StepMSAll = append(r.StepMSAll, ms(dt))
		}
	}
	r.StepMS = median(r.StepMSAll)
	r.ImagesPerSec = float64(batch) / (r.StepMS / 1e3)
	r.GFLOPS = r.GFLOPPerStep / (r.StepMS / 1e3)
	fmt.Fprintf(w, "%-12s step %s\n", name, fmtStats(r.StepMSAll))
	fmt.Fprintf(w, "%-12s %.1f img/s   %.3f GFLOP/step   %.1f GFLOP/s   (G %.2f MMAC/sample, D %.2f MMAC/sample; "+
		"losses D,G first %.4f,%.4f last %.4f,%.4f)\n", "", r.ImagesPerSec, r.GFLOPPerStep, r.GFLOPS,
		float64(gm)/1e6, float64(dm)/1e6, r.LossesFirst[0], r.LossesFirst[1], r.LossesLast[0], r.LossesLast[1])
	return []benchResult{r}, nil
}

// benchWGANGP times WGAN-GP iterations (5 critic + 1 generator step) at
// batch 64 with Adam(2e-4, 0.5, 0.9) and GP weight 10, and each part.
func benchWGANGP(o benchOptions, w io.Writer) ([]benchResult, error) {
	const batch, latent, nCritic = 64, 100, 5
	g, d := gan.MNISTGenerator(latent), gan.MNISTDiscriminator(0)
	imgShape := []int{28, 28, 1}
	gm, dm, err := gMACsDMACs(g, d, latent, imgShape)
	if err != nil {
		return nil, err
	}
	g.SetSeed(benchSeed)
	d.SetSeed(benchSeed + 1)
	optG, optD, err := adamPair(2e-4, 0.5, 0.9)
	if err != nil {
		return nil, err
	}
	s := &gan.WGANGP{G: g, D: d, OptG: optG, OptD: optD, Latent: latent, NCritic: nCritic, GPWeight: 10,
		RNG: tensor.NewRNG(benchSeed, 0), DType: tensor.Float32}
	pool := syntheticPool(tensor.NewRNG(benchSeed, 1), batch, imgShape, -1)
	criticFlops := 2 * int64(batch) * (gm + 12*dm)
	iterFlops := nCritic*criticFlops + 2*int64(batch)*(3*gm+3*dm)
	r := benchResult{Name: "wgan-gp", Batch: batch, GMACs: gm, DMACs: dm,
		GFLOPPerStep: float64(iterFlops) / 1e9, GFLOPPerCriticStep: float64(criticFlops) / 1e9}
	next := 0
	for it := 0; it < o.warmup+o.steps; it++ {
		timed := it >= o.warmup
		t0 := time.Now()
		var dl, gl float64
		for c := 0; c < nCritic; c++ {
			t := time.Now()
			dl, err = s.CriticStep(pool[next%len(pool)])
			next++
			if err != nil {
				return nil, fmt.Errorf("bench wgan-gp: iteration %d critic step %d: %w", it+1, c+1, err)
			}
			if timed {
				r.CriticStepMSAll = append(r.CriticStepMSAll, ms(time.Since(t)))
			}
		}
		t := time.Now()
		gl, err = s.GeneratorStep(batch)
		if err != nil {
			return nil, fmt.Errorf("bench wgan-gp: iteration %d generator step: %w", it+1, err)
		}
		if timed {
			r.GStepMSAll = append(r.GStepMSAll, ms(time.Since(t)))
			r.StepMSAll = append(r.StepMSAll, ms(time.Since(t0)))
		}
		if it == 0 {
			r.LossesFirst = [2]float64{dl, gl}
		}
		r.LossesLast = [2]float64{dl, gl}
	}
	r.StepMS, r.CriticStepMS, r.GStepMS = median(r.StepMSAll), median(r.CriticStepMSAll), median(r.GStepMSAll)
	r.ImagesPerSec = nCritic * batch / (r.StepMS / 1e3)
	r.GFLOPS = r.GFLOPPerStep / (r.StepMS / 1e3)
	r.CriticGFLOPS = r.GFLOPPerCriticStep / (r.CriticStepMS / 1e3)
	fmt.Fprintf(w, "%-12s critic step %s\n", r.Name, fmtStats(r.CriticStepMSAll))
	fmt.Fprintf(w, "%-12s G step      %s\n", "", fmtStats(r.GStepMSAll))
	fmt.Fprintf(w, "%-12s iteration   %s   (5 critic + 1 G)\n", "", fmtStats(r.StepMSAll))
	fmt.Fprintf(w, "%-12s %.1f img/s   critic %.3f GFLOP/step -> %.1f GFLOP/s;  iteration %.3f GFLOP -> %.1f GFLOP/s  "+
		"(G %.2f MMAC/sample, D %.2f MMAC/sample; losses D,G first %.4f,%.4f last %.4f,%.4f)\n",
		"", r.ImagesPerSec, r.GFLOPPerCriticStep, r.CriticGFLOPS, r.GFLOPPerStep, r.GFLOPS,
		float64(gm)/1e6, float64(dm)/1e6, r.LossesFirst[0], r.LossesFirst[1], r.LossesLast[0], r.LossesLast[1])
	return []benchResult{r}, nil
}

// benchGemm times Sgemm C = A·B on square matrices of 1024 and 2048.
func benchGemm(o benchOptions, w io.Writer) []benchResult {
	var out []benchResult
	for _, n := range []int{1024, 2048} {
		rng := tensor.NewRNG(benchSeed, uint64(n))
		a := rng.Normal(tensor.Float32, 0, 1, n, n).Float32s()
		b := rng.Normal(tensor.Float32, 0, 1, n, n).Float32s()
		c := make([]float32, n*n)
		r := benchResult{Name: fmt.Sprintf("sgemm-%d", n), GFLOPPerStep: 2 * float64(n) * float64(n) * float64(n) / 1e9}
		for i := 0; i < o.warmup+o.steps; i++ {
			t := time.Now()
			gemm.Sgemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n)
			if i >= o.warmup {
				r.StepMSAll = append(r.StepMSAll, ms(time.Since(t)))
			}
		}
		r.StepMS = median(r.StepMSAll)
		r.GFLOPS = r.GFLOPPerStep / (r.StepMS / 1e3)
		fmt.Fprintf(w, "%-12s %s   %.1f GFLOP/s\n", r.Name, fmtStats(r.StepMSAll), r.GFLOPS)
		out = append(out, r)
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// median returns the median of xs (the mean of the middle two for even n).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(xs))
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// fmtStats formats step times as the python harness's fmt_stats does.
func fmtStats(msAll []float64) string {
	return fmt.Sprintf("median %.1f ms  (min %.1f, max %.1f, n=%d)", median(msAll), slices.Min(msAll), slices.Max(msAll), len(msAll))
}

// peakRSS returns the process's peak resident set (VmHWM) in bytes, or -1
// where /proc/self/status does not report it.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	return parseVmHWM(f)
}

// parseVmHWM reads the "VmHWM:   1234 kB" line of a /proc status file.
func parseVmHWM(r io.Reader) int64 {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:")
		if !ok {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 2 || fields[1] != "kB" {
			return -1
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return -1
		}
		return kb << 10
	}
	return -1
}

// loadAvg returns the three load averages of /proc/loadavg, or "n/a".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "n/a"
}

// cpuModel returns the first "model name" of /proc/cpuinfo and the CPU count.
func cpuModel() string {
	model := runtime.GOARCH
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s | %d CPUs", model, runtime.NumCPU())
}

// gogcSetting describes the garbage collector setting in force.
func gogcSetting() string {
	if v := os.Getenv("GOGC"); v != "" {
		return v + " (GOGC)"
	}
	return "100 (default)"
}

// macRow is one layer's share of countMACs.
type macRow struct {
	Layer   string
	In, Out []int
	MACs    int64
}

// countMACs returns the forward multiply-accumulates per sample of m for an
// input of shape in (batch axis 1 included), counted analytically from the
// layer shapes as the python harness does: Dense in·out, Conv2D
// oh·ow·cout·kh·kw·cin, Conv2DTranspose ih·iw·cin·kh·kw·cout (every input
// pixel scatters a kh×kw×cout patch); every other layer counts 0.
func countMACs(m *nn.Sequential, in []int) (int64, []macRow, error) {
	var total int64
	var rows []macRow
	shape := in
	for i, l := range m.Layers() {
		out, err := l.OutputShape(shape)
		if err != nil {
			return 0, nil, fmt.Errorf("layer %d (%s): %w", i, l.Name(), err)
		}
		var macs int64
		switch l.(type) {
		case *nn.Dense:
			macs = prod(shape[1:]) * int64(out[len(out)-1])
		case *nn.Conv2D, *nn.Conv2DTranspose:
			kh, kw, err := kernelSize(l)
			if err != nil {
				return 0, nil, fmt.Errorf("layer %d (%s): %w", i, l.Name(), err)
			}
			if _, ok := l.(*nn.Conv2D); ok {
				macs = prod(out[1:]) * kh * kw * int64(shape[3])
			} else {
				macs = prod(shape[1:]) * kh * kw * int64(out[3])
			}
		}
		if macs > 0 {
			rows = append(rows, macRow{Layer: l.String(), In: shape[1:], Out: out[1:], MACs: macs})
			total += macs
		}
		shape = out
	}
	return total, rows, nil
}

// kernelSize reads a convolution's window from its Keras config.
func kernelSize(l nn.Layer) (int64, int64, error) {
	ks, ok := l.Config()["kernel_size"].([]int)
	switch {
	case ok && len(ks) == 1:
		return int64(ks[0]), int64(ks[0]), nil
	case ok && len(ks) == 2:
		return int64(ks[0]), int64(ks[1]), nil
	}
	return 0, 0, fmt.Errorf("kernel_size %v in its config, want [k] or [kh, kw]", l.Config()["kernel_size"])
}

func prod(xs []int) int64 {
	p := int64(1)
	for _, x := range xs {
		p *= int64(x)
	}
	return p
}
