package train

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// CSVLogger is Keras's CSVLogger: one row per epoch, "epoch" (0-based, as
// Keras writes it) then the log keys sorted, as at the first epoch's end. A
// key missing from a later epoch reads "NA"; a key that first appears later
// is not added (the header is fixed). Each row is appended, flushed and
// fsynced on its own, so the file is complete up to the last finished epoch
// whatever happens to the process.
type CSVLogger struct {
	BaseCallback
	// Filename is the CSV file (history.csv in a run directory).
	Filename string
	// Append keeps the file's rows; when it already has a header, its
	// columns are reused, so a resumed run continues the same table.
	// Without Append, the file is truncated at the start of training.
	Append bool

	keys []string // columns after "epoch"; nil until known
}

// NewCSVLogger returns a CSVLogger writing filename.
func NewCSVLogger(filename string, append bool) *CSVLogger {
	return &CSVLogger{Filename: filename, Append: append}
}

// OnTrainBegin truncates the file, or reads its header when appending.
func (c *CSVLogger) OnTrainBegin(Logs) error {
	c.keys = nil
	if !c.Append {
		return c.write(nil, os.O_TRUNC)
	}
	header, err := readHeader(c.Filename)
	if err != nil || header == nil {
		return err
	}
	if header[0] != "epoch" {
		return fmt.Errorf("CSVLogger: %s: header starts with %q, want \"epoch\"; not a history written by CSVLogger", c.Filename, header[0])
	}
	c.keys = header[1:]
	return nil
}

// OnEpochEnd appends the epoch's row, after the header if it is the first.
func (c *CSVLogger) OnEpochEnd(epoch int, logs Logs) error {
	var lines []string
	if c.keys == nil {
		c.keys = make([]string, 0, len(logs))
		for k := range logs {
			c.keys = append(c.keys, k)
		}
		slices.Sort(c.keys)
		lines = append(lines, csvLine(append([]string{"epoch"}, c.keys...)))
	}
	row := []string{strconv.Itoa(epoch)}
	for _, k := range c.keys {
		v, ok := logs[k]
		if !ok {
			row = append(row, "NA")
			continue
		}
		row = append(row, formatFloat(v))
	}
	return c.write(append(lines, csvLine(row)), 0)
}

// write appends lines to the file (created if missing), then fsyncs it.
func (c *CSVLogger) write(lines []string, flag int) (err error) {
	f, err := os.OpenFile(c.Filename, os.O_WRONLY|os.O_CREATE|os.O_APPEND|flag, 0o644)
	if err != nil {
		return fmt.Errorf("CSVLogger: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("CSVLogger: %w", cerr)
		}
	}()
	if _, err := f.WriteString(strings.Join(lines, "")); err != nil {
		return fmt.Errorf("CSVLogger: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("CSVLogger: %w", err)
	}
	return nil
}

// readHeader returns the fields of the file's first record, nil when the
// file is missing or empty.
func readHeader(name string) ([]string, error) {
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("CSVLogger: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("CSVLogger: header of %s: %w", name, err)
	}
	return header, nil
}

// csvLine encodes fields as one CSV record, quoting as needed.
func csvLine(fields []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(fields) // a strings.Builder does not fail
	w.Flush()
	return b.String()
}

// formatFloat writes v in the shortest form that reads back exactly, with
// NaN and infinities spelt as Python writes them ("nan", "inf", "-inf"),
// so pandas and Keras tooling read the file.
func formatFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
