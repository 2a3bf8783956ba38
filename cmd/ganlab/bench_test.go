package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/gan"
	"github.com/ganlab/ganlab/core/nn"
)

// TestCountMACs checks the analytic MAC counter against the per-layer
// numbers shared/bench/torch_gan_step.py's count_macs prints (forward hooks
// on the PyTorch models, batch 1).
func TestCountMACs(t *testing.T) {
	cases := []struct {
		name  string
		model *nn.Sequential
		in    []int
		rows  []int64
	}{
		{"mnist G", gan.MNISTGenerator(100), []int{1, 100}, []int64{627200, 6422528, 200704}},
		{"mnist D", gan.MNISTDiscriminator(0.3), []int{1, 28, 28, 1}, []int64{200704, 6422528, 6272}},
		{"mnist critic", gan.MNISTDiscriminator(0), []int{1, 28, 28, 1}, []int64{200704, 6422528, 6272}},
		{"dcgan64 G", gan.DCGAN64Generator(64, 128, 4), []int{1, 64}, []int64{131072, 4194304, 16777216, 67108864, 6291456}},
		{"dcgan64 D", gan.DCGAN64Discriminator(0.4), []int{1, 64, 64, 3}, []int64{3538944, 75497472, 75497472, 75497472, 1024}},
	}
	for _, c := range cases {
		total, rows, err := countMACs(c.model, c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var want int64
		for _, r := range c.rows {
			want += r
		}
		if total != want || len(rows) != len(c.rows) {
			t.Errorf("%s: %d MACs in %d layers, want %d in %d: %+v", c.name, total, len(rows), want, len(c.rows), rows)
			continue
		}
		for i, r := range rows {
			if r.MACs != c.rows[i] {
				t.Errorf("%s layer %d (%s %v -> %v): %d MACs, want %d", c.name, i, r.Layer, r.In, r.Out, r.MACs, c.rows[i])
			}
		}
	}
	// The step totals the python harness and DESIGN.md quote.
	g, d, err := gMACsDMACs(gan.MNISTGenerator(100), gan.MNISTDiscriminator(0.3), 100, []int{28, 28, 1})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(g)/1e6-7.25) > 0.005 || math.Abs(float64(d)/1e6-6.63) > 0.005 {
		t.Errorf("mnist G %d, D %d MACs/sample; python prints 7.25 and 6.63 MMAC", g, d)
	}
	steps := []struct {
		what  string
		flops int64
		want  float64 // GFLOP, as printed
		tol   float64
	}{
		{"mnist-dcgan step", 2 * 64 * (4*g + 9*d), 11.349, 5e-4},
		{"wgan-gp critic step", 2 * 64 * (g + 12*d), 11.11, 5e-3},
		{"wgan-gp iteration", 2 * 64 * (8*g + 63*d), 60.9, 0.05},
	}
	for _, s := range steps {
		if got := float64(s.flops) / 1e9; math.Abs(got-s.want) > s.tol {
			t.Errorf("%s: %.4f GFLOP, want %v", s.what, got, s.want)
		}
	}
	g64, d64, err := gMACsDMACs(gan.DCGAN64Generator(64, 128, 4), gan.DCGAN64Discriminator(0.4), 64, []int{64, 64, 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := float64(2*128*(4*g64+9*d64)) / 1e9; math.Abs(got-627) > 0.5 {
		t.Errorf("dcgan64 step: %.1f GFLOP, want 627", got)
	}
}

func TestBenchMNISTDCGAN(t *testing.T) {
	jsonPath := filepath.Join(t.TempDir(), "bench.json")
	out, _, err := execute(t, "bench", "--workload", "mnist-dcgan", "--steps", "2", "--warmup", "1", "--json", jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{
		`(?m)^mnist-dcgan  step median \d+\.\d ms  \(min \d+\.\d, max \d+\.\d, n=2\)$`,
		`\d+\.\d img/s   11\.349 GFLOP/step   \d+\.\d GFLOP/s   \(G 7\.25 MMAC/sample, D 6\.63 MMAC/sample; losses D,G first`,
		`peak RSS \d+\.\d MiB \(VmHWM\)`,
		`GOMAXPROCS \d+ \| GOGC `,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output does not match %s:\n%s", re, out)
		}
	}
	var rep benchReport
	b, err := os.ReadFile(jsonPath)
	if err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("bench JSON: %v\n%s", err, b)
	}
	if len(rep.Results) != 1 {
		t.Fatalf("results %+v", rep.Results)
	}
	r := rep.Results[0]
	if r.Name != "mnist-dcgan" || r.Batch != 64 || len(r.StepMSAll) != 2 || r.StepMS != median(r.StepMSAll) ||
		math.Abs(r.GFLOPPerStep-11.349) > 5e-4 || math.Abs(r.ImagesPerSec-64e3/r.StepMS) > 1e-6 || rep.PeakRSSBytes <= 0 || rep.Warmup != 1 {
		t.Errorf("bench JSON result %+v (peak RSS %d)", r, rep.PeakRSSBytes)
	}
}

func TestBenchWGANGPAndGemm(t *testing.T) {
	out, _, err := execute(t, "bench", "--workload", "wgan-gp", "--steps", "1", "--warmup", "0")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"wgan-gp      critic step median", "G step      median", "n=5)", "iteration   median",
		"critic 11.111 GFLOP/step", "iteration 60.885 GFLOP"} {
		if !strings.Contains(out, want) {
			t.Errorf("wgan-gp output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = execute(t, "bench", "--workload", "gemm", "--steps", "1", "--warmup", "0")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?s)sgemm-1024   median .*GFLOP/s\nsgemm-2048   median .*GFLOP/s`).MatchString(out) {
		t.Errorf("gemm output:\n%s", out)
	}
	for _, args := range [][]string{{"bench", "--workload", "cifar"}, {"bench", "--steps", "0"}} {
		if _, _, err := execute(t, args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestBenchHelpers(t *testing.T) {
	status := "Name:\tganlab\nVmPeak:\t  300000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t 1000 kB\n"
	if got := parseVmHWM(strings.NewReader(status)); got != 123456*1024 {
		t.Errorf("parseVmHWM = %d", got)
	}
	for _, bad := range []string{"", "VmHWM: 12 MB\n", "VmHWM: x kB\n"} {
		if got := parseVmHWM(strings.NewReader(bad)); got != -1 {
			t.Errorf("parseVmHWM(%q) = %d, want -1", bad, got)
		}
	}
	medians := []struct {
		xs   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}, {nil, 0}}
	for _, m := range medians {
		if got := median(m.xs); got != m.want {
			t.Errorf("median(%v) = %v, want %v", m.xs, got, m.want)
		}
	}
	if got := fmtStats([]float64{2, 1.04, 3.5}); got != "median 2.0 ms  (min 1.0, max 3.5, n=3)" {
		t.Errorf("fmtStats = %q", got)
	}
}
