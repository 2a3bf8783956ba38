package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"time"

	"github.com/cheggaaa/pb/v3"
	"github.com/rs/zerolog"
	"golang.org/x/term"
)

// progressBarTemplate shows step count, bar, images/s, ETA and the last losses.
const progressBarTemplate = `{{string . "epoch"}} {{counters . }} {{bar . }} {{string . "ips"}} {{rtime . "ETA %s"}} {{string . "loss"}}`

// epochProgress reports the steps of one epoch: a pb bar on a terminal,
// otherwise a log line every ~10% of the epoch and at its end, so logs
// piped to a file stay readable.
type epochProgress struct {
	epoch, epochs int
	steps, batch  int
	start         time.Time
	bar           *pb.ProgressBar // nil when not a terminal
	log           zerolog.Logger
	nextLog       int // step at which the next plain line is due
}

// stderrIsTerminal reports whether w is a terminal, by its file descriptor.
func stderrIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth returns w's width in columns, 0 when unknown.
func terminalWidth(w io.Writer) int {
	f, ok := w.(*os.File)
	if !ok {
		return 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return cols
}

// newEpochProgress starts reporting epoch (1-based) of epochs with steps
// steps of batch images each; tty picks the bar, written to w.
func newEpochProgress(w io.Writer, tty bool, log zerolog.Logger, epoch, epochs, steps, batch int) *epochProgress {
	p := &epochProgress{epoch: epoch, epochs: epochs, steps: steps, batch: batch, start: time.Now(), log: log}
	if tty {
		p.bar = pb.ProgressBarTemplate(progressBarTemplate).New(steps)
		p.bar.SetWriter(w).SetRefreshRate(250 * time.Millisecond).SetMaxWidth(140)
		if terminalWidth(w) <= 0 {
			// pb renders nothing at width 0 (a pty with no size set).
			p.bar.SetWidth(100)
		}
		p.bar.Set("epoch", fmt.Sprintf("epoch %d/%d", epoch, epochs)).Set("ips", "? img/s")
		p.bar.Start()
	} else {
		p.nextLog = p.interval()
	}
	return p
}

// interval is the number of steps between plain lines (~10%).
func (p *epochProgress) interval() int { return max(1, (p.steps+9)/10) }

// Step records that step (1-based) finished with the given losses.
func (p *epochProgress) Step(step int, dLoss, gLoss float64) {
	elapsed := time.Since(p.start).Seconds()
	ips := float64(step*p.batch) / max(elapsed, 1e-9)
	if p.bar != nil {
		p.bar.Set("ips", fmt.Sprintf("%.1f img/s", ips)).Set("loss", fmt.Sprintf("d %.4f g %.4f", dLoss, gLoss))
		p.bar.SetCurrent(int64(step))
		return
	}
	if step < p.nextLog && step != p.steps {
		return
	}
	p.nextLog = step + p.interval()
	eta := time.Duration(elapsed / float64(step) * float64(p.steps-step) * float64(time.Second))
	p.log.Info().Int("epoch", p.epoch).Int("step", step).Int("steps", p.steps).
		Float64("images_per_s", round(ips, 1)).Str("eta", eta.Round(time.Second).String()).
		Float64("d_loss", dLoss).Float64("g_loss", gLoss).
		Msgf("epoch %d/%d step %d/%d (%d%%)", p.epoch, p.epochs, step, p.steps, 100*step/p.steps)
}

// Finish stops the bar; plain mode has already logged the last step.
func (p *epochProgress) Finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}

// round rounds x to digits decimals, for tidy log fields.
func round(x float64, digits int) float64 {
	s := math.Pow(10, float64(digits))
	return math.Round(x*s) / s
}
