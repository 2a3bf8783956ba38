package train

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cheggaaa/pb/v3"
	"golang.org/x/term"
)

// ProgressMode picks how ProgressLogger reports.
type ProgressMode int

const (
	// ProgressAuto draws a bar when W is a terminal, plain lines otherwise.
	ProgressAuto ProgressMode = iota
	// ProgressBars always draws a bar (pb/v3), redrawn in place.
	ProgressBars
	// ProgressLines always writes plain lines, for logs piped to a file.
	ProgressLines
)

// progressBarTemplate shows the epoch, step count, bar, images/s, ETA and
// the last losses.
const progressBarTemplate = `{{string . "epoch"}} {{counters . }} {{bar . }} {{string . "ips"}} {{rtime . "ETA %s"}} {{string . "loss"}}`

// ProgressLogger is Keras's ProgbarLogger: per epoch, a progress bar on a
// terminal (step, images/s, ETA, current losses), or a plain line every
// ~10 % of the epoch otherwise, and a closing line with the epoch's logs.
type ProgressLogger struct {
	BaseCallback
	// W receives the bar or the lines; nil means os.Stderr.
	W io.Writer
	// Mode picks bar or lines; ProgressAuto decides by W.
	Mode ProgressMode
	// Keys are the log keys shown, in order; empty shows all, sorted.
	Keys []string
	// Line, when set, receives each plain line instead of W (cmd/ganlab
	// sends them to its structured log).
	Line func(ProgressLine)
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	bars     bool
	bar      *pb.ProgressBar
	start    time.Time
	images   int
	done     int
	nextLine int
}

// NewProgressLogger returns a ProgressLogger writing to w in ProgressAuto
// mode.
func NewProgressLogger(w io.Writer) *ProgressLogger { return &ProgressLogger{W: w} }

// ProgressLine is one plain progress report.
type ProgressLine struct {
	// Epoch is 1-based; Epochs is the epoch training ends after.
	Epoch, Epochs int
	// Step is the number of steps done in the epoch, of Steps.
	Step, Steps int
	// Images is the number of examples seen in the epoch, 0 when unknown.
	Images int
	// ImagesPerSec is Images over Elapsed, 0 when unknown.
	ImagesPerSec float64
	// Elapsed is the time since the epoch began; ETA the time left at the
	// epoch's pace so far.
	Elapsed, ETA time.Duration
	// Logs are the step's logs, or the epoch's when EpochEnd is set.
	Logs Logs
	// Keys are the keys of Logs to show, in order.
	Keys []string
	// EpochEnd marks the line closing an epoch.
	EpochEnd bool
}

// String formats the line, e.g.
// "epoch 2/5 step 30/100 (30%) 412.5 img/s ETA 4s d_loss 0.6931 g_loss 0.7012".
func (l ProgressLine) String() string {
	var b strings.Builder
	if l.EpochEnd {
		fmt.Fprintf(&b, "epoch %d/%d done: %d steps in %s", l.Epoch, l.Epochs, l.Step, l.Elapsed.Round(time.Millisecond))
	} else {
		fmt.Fprintf(&b, "epoch %d/%d step %d/%d (%d%%)", l.Epoch, l.Epochs, l.Step, l.Steps, 100*l.Step/max(l.Steps, 1))
	}
	if l.ImagesPerSec > 0 {
		fmt.Fprintf(&b, " %.1f img/s", l.ImagesPerSec)
	}
	if !l.EpochEnd {
		fmt.Fprintf(&b, " ETA %s", l.ETA.Round(time.Second))
	}
	if s := formatLogs(l.Keys, l.Logs); s != "" {
		b.WriteString(" " + s)
	}
	return b.String()
}

// OnTrainBegin resolves the mode.
func (p *ProgressLogger) OnTrainBegin(Logs) error {
	if p.W == nil {
		p.W = os.Stderr
	}
	switch p.Mode {
	case ProgressAuto:
		p.bars = isTerminal(p.W)
	case ProgressBars, ProgressLines:
		p.bars = p.Mode == ProgressBars
	default:
		return fmt.Errorf("ProgressLogger: unknown mode %d", p.Mode)
	}
	return nil
}

// OnEpochBegin starts the epoch's clock and bar.
func (p *ProgressLogger) OnEpochBegin(epoch int, _ Logs) error {
	t := p.Trainer()
	p.start, p.images, p.done = p.now(), 0, 0
	p.nextLine = p.interval()
	if p.bars {
		p.Close()
		p.bar = pb.ProgressBarTemplate(progressBarTemplate).New(t.StepsPerEpoch())
		p.bar.SetWriter(p.W).SetRefreshRate(250 * time.Millisecond).SetMaxWidth(140)
		if terminalWidth(p.W) <= 0 {
			p.bar.SetWidth(100) // pb renders nothing at width 0 (a pty with no size set)
		}
		p.bar.Set("epoch", fmt.Sprintf("epoch %d/%d", epoch+1, t.Epochs())).Set("ips", "? img/s")
		p.bar.Start()
	}
	return nil
}

// OnTrainBatchEnd reports the step.
func (p *ProgressLogger) OnTrainBatchEnd(batch int, logs Logs) error {
	t := p.Trainer()
	p.done = batch + 1
	p.images += t.BatchSize()
	l := p.line(logs, false)
	if p.bar != nil {
		if l.ImagesPerSec > 0 {
			p.bar.Set("ips", fmt.Sprintf("%.1f img/s", l.ImagesPerSec))
		}
		p.bar.Set("loss", formatLogs(l.Keys, logs)).SetCurrent(int64(p.done))
		return nil
	}
	if p.done >= p.nextLine && p.done < l.Steps {
		p.nextLine = p.done + p.interval()
		p.emit(l)
	}
	return nil
}

// OnEpochEnd closes the bar with the epoch's logs, or writes the epoch's
// line.
func (p *ProgressLogger) OnEpochEnd(_ int, logs Logs) error {
	l := p.line(logs, true)
	if p.bar != nil {
		p.bar.Set("loss", formatLogs(l.Keys, logs)).SetCurrent(int64(p.done))
		p.Close()
		return nil
	}
	p.emit(l)
	return nil
}

// OnTrainEnd finishes a bar left open by an interruption.
func (p *ProgressLogger) OnTrainEnd(Logs) error {
	p.Close()
	return nil
}

// Close finishes an open bar; call it after a Fit that failed, which skips
// OnTrainEnd.
func (p *ProgressLogger) Close() {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
	}
}

// line builds the report after p.done steps with logs.
func (p *ProgressLogger) line(logs Logs, epochEnd bool) ProgressLine {
	t := p.Trainer()
	elapsed := p.now().Sub(p.start)
	l := ProgressLine{
		Epoch: t.Epoch() + 1, Epochs: t.Epochs(), Step: p.done, Steps: t.StepsPerEpoch(),
		Images: p.images, Elapsed: elapsed, Logs: logs, Keys: p.keys(logs), EpochEnd: epochEnd,
	}
	if sec := elapsed.Seconds(); sec > 0 && p.images > 0 {
		l.ImagesPerSec = float64(p.images) / sec
	}
	if p.done > 0 {
		l.ETA = time.Duration(float64(elapsed) / float64(p.done) * float64(l.Steps-p.done))
	}
	return l
}

func (p *ProgressLogger) emit(l ProgressLine) {
	if p.Line != nil {
		p.Line(l)
		return
	}
	fmt.Fprintln(p.W, l.String())
}

// interval is the number of steps between plain lines (~10 %).
func (p *ProgressLogger) interval() int { return max(1, (p.Trainer().StepsPerEpoch()+9)/10) }

func (p *ProgressLogger) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// keys returns the keys to show: p.Keys, or every key of logs sorted.
func (p *ProgressLogger) keys(logs Logs) []string {
	if len(p.Keys) > 0 {
		return p.Keys
	}
	keys := make([]string, 0, len(logs))
	for k := range logs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// formatLogs writes "key value" pairs for the keys present in logs, with
// Keras's precision: 4 decimals, or 4-digit scientific below 1e-3.
func formatLogs(keys []string, logs Logs) string {
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		v, ok := logs[k]
		if !ok {
			continue
		}
		if math.Abs(v) > 1e-3 || v == 0 || math.IsNaN(v) {
			parts = append(parts, fmt.Sprintf("%s %.4f", k, v))
		} else {
			parts = append(parts, fmt.Sprintf("%s %.4e", k, v))
		}
	}
	return strings.Join(parts, " ")
}

// isTerminal reports whether w is a terminal, by its file descriptor.
func isTerminal(w io.Writer) bool {
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
