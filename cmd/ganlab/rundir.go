package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"
)

// The files a run directory holds (DESIGN.md, "Files a run writes").
const (
	runInfoFile   = "run.json"
	logFile       = "log.jsonl"
	historyFile   = "history.csv"
	samplesDir    = "samples"
	generatorFile = "generator.safetensors"
	discrimFile   = "discriminator.safetensors"
)

// defaultRunDir names a fresh run directory: runs/<name>-<UTC YYYYmmdd-HHMMSS>.
func defaultRunDir(name string, now time.Time) string {
	return filepath.Join("runs", name+"-"+now.UTC().Format("20060102-150405"))
}

// createRunDir makes dir and its samples/ folder. It refuses a directory
// that already holds files, so a run never mixes its files with another's.
func createRunDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		return fmt.Errorf("run directory %s already exists and is not empty (%d entries); pass another --run-dir or remove it", dir, len(entries))
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("run directory %s: %w", dir, err)
	}
	if err := os.MkdirAll(filepath.Join(dir, samplesDir), 0o755); err != nil {
		return fmt.Errorf("create run directory: %w", err)
	}
	return nil
}

// samplePath returns samples/epoch_0001.png and so on.
func samplePath(dir string, epoch int) string {
	return filepath.Join(dir, samplesDir, fmt.Sprintf("epoch_%04d.png", epoch))
}

// runInfo is run.json: what a reader needs to know how a run was made.
type runInfo struct {
	Example    string            `json:"example,omitempty"`
	Script     string            `json:"script,omitempty"`
	ScriptHash string            `json:"script_sha256,omitempty"`
	Seed       uint64            `json:"seed"`
	Flags      map[string]string `json:"flags"`
	Args       []string          `json:"args"`
	Version    string            `json:"ganlab_version"`
	Revision   string            `json:"vcs_revision,omitempty"`
	GoVersion  string            `json:"go_version"`
	Platform   string            `json:"platform"`
	GOMAXPROCS int               `json:"gomaxprocs"`
	Start      time.Time         `json:"start"`
	Data       string            `json:"data"`
	DataSource string            `json:"data_source"`
	RunDir     string            `json:"run_dir"`
}

// newRunInfo fills the build and platform fields of a runInfo.
func newRunInfo(now time.Time) runInfo {
	ri := runInfo{
		Version: "(unknown)", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH,
		GOMAXPROCS: runtime.GOMAXPROCS(0), Start: now.UTC(), Args: os.Args, Flags: map[string]string{},
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			ri.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				ri.Revision = s.Value
			}
		}
	}
	return ri
}

// writeJSONAtomic writes v as indented JSON to path through a temporary file
// in the same directory, synced and renamed, so a reader sees the old file
// or the whole new one.
func writeJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// writeFileAtomic writes data to path via temp file, fsync and rename.
func writeFileAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// historyRow is one epoch of history.csv.
type historyRow struct {
	Epoch, Steps int
	DLoss, GLoss float64 // means over the epoch's steps
	Seconds      float64
	ImagesPerSec float64
}

var historyHeader = []string{"epoch", "steps", "d_loss", "g_loss", "seconds", "images_per_s"}

// historyWriter appends rows to history.csv and syncs after each, so an
// interrupted or crashed run keeps every finished epoch.
type historyWriter struct {
	f *os.File
	w *csv.Writer
}

// createHistory creates path with the header row.
func createHistory(path string) (*historyWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	h := &historyWriter{f: f, w: csv.NewWriter(f)}
	if err := h.write(historyHeader); err != nil {
		f.Close()
		return nil, err
	}
	return h, nil
}

// Append writes one row and flushes it to disk.
func (h *historyWriter) Append(r historyRow) error {
	g := func(x float64) string { return strconv.FormatFloat(x, 'g', 8, 64) }
	return h.write([]string{strconv.Itoa(r.Epoch), strconv.Itoa(r.Steps), g(r.DLoss), g(r.GLoss), g(r.Seconds), g(r.ImagesPerSec)})
}

func (h *historyWriter) write(rec []string) error {
	if err := h.w.Write(rec); err != nil {
		return fmt.Errorf("history %s: %w", h.f.Name(), err)
	}
	h.w.Flush()
	if err := h.w.Error(); err != nil {
		return fmt.Errorf("history %s: %w", h.f.Name(), err)
	}
	if err := h.f.Sync(); err != nil {
		return fmt.Errorf("history %s: sync: %w", h.f.Name(), err)
	}
	return nil
}

// Close closes the file.
func (h *historyWriter) Close() error { return h.f.Close() }

// readHistory parses history.csv (tests and future resumes use it).
func readHistory(r io.Reader) ([]historyRow, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if len(recs) == 0 || fmt.Sprint(recs[0]) != fmt.Sprint(historyHeader) {
		return nil, fmt.Errorf("history: header %v, want %v", recs, historyHeader)
	}
	var rows []historyRow
	for i, rec := range recs[1:] {
		var row historyRow
		var errs [6]error
		row.Epoch, errs[0] = strconv.Atoi(rec[0])
		row.Steps, errs[1] = strconv.Atoi(rec[1])
		row.DLoss, errs[2] = strconv.ParseFloat(rec[2], 64)
		row.GLoss, errs[3] = strconv.ParseFloat(rec[3], 64)
		row.Seconds, errs[4] = strconv.ParseFloat(rec[4], 64)
		row.ImagesPerSec, errs[5] = strconv.ParseFloat(rec[5], 64)
		if err := errors.Join(errs[:]...); err != nil {
			return nil, fmt.Errorf("history row %d: %w", i+1, err)
		}
		rows = append(rows, row)
	}
	return rows, nil
}
