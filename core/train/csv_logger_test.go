package train

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCSVLogger(t *testing.T) {
	name := filepath.Join(t.TempDir(), "history.csv")
	if err := os.WriteFile(name, []byte("stale\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// First run: truncates, header from the first epoch's keys (sorted),
	// one row per epoch; NaN spelt as Python does.
	script := []Logs{{"g_loss": 1, "d_loss": 0.5}, {"g_loss": 2, "d_loss": 1.5}, {"g_loss": math.NaN(), "d_loss": 0.25}, {"g_loss": 1, "d_loss": 0.25}}
	_, err := Fit(context.Background(), FitConfig{Step: scripted(t, script), StepsPerEpoch: 2, Epochs: 2,
		Callbacks: []Callback{NewCSVLogger(name, false)}})
	if err != nil {
		t.Fatal(err)
	}
	want := "epoch,d_loss,g_loss\n0,1,1.5\n1,0.25,nan\n"
	if got := readFile(t, name); got != want {
		t.Fatalf("file:\n%s\nwant:\n%s", got, want)
	}
	// Resumed run appending: the header's columns are kept, a missing key
	// reads NA, a new key is left out.
	script = []Logs{{"g_loss": 0.125, "extra": 3}, {"g_loss": 0.5, "d_loss": 1e-7}}
	_, err = Fit(context.Background(), FitConfig{Step: scripted(t, script), StepsPerEpoch: 1, Epochs: 4, InitialEpoch: 2,
		Callbacks: []Callback{NewCSVLogger(name, true)}})
	if err != nil {
		t.Fatal(err)
	}
	want += "2,NA,0.125\n3,1e-07,0.5\n"
	if got := readFile(t, name); got != want {
		t.Errorf("file after append:\n%s\nwant:\n%s", got, want)
	}
}

func TestCSVLoggerAppendNewFileAndErrors(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "new.csv")
	_, err := Fit(context.Background(), FitConfig{Step: scripted(t, []Logs{{"a,b": 1}}), StepsPerEpoch: 1, Epochs: 1,
		Callbacks: []Callback{NewCSVLogger(name, true)}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readFile(t, name), "epoch,\"a,b\"\n0,1\n"; got != want {
		t.Errorf("file %q, want %q", got, want)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("step,loss\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Fit(context.Background(), FitConfig{Step: scripted(t, nil), StepsPerEpoch: 1, Epochs: 1,
		Callbacks: []Callback{NewCSVLogger(bad, true)}})
	if err == nil || !strings.Contains(err.Error(), "not a history written by CSVLogger") {
		t.Errorf("foreign header: %v", err)
	}
	_, err = Fit(context.Background(), FitConfig{Step: scripted(t, nil), StepsPerEpoch: 1, Epochs: 1,
		Callbacks: []Callback{NewCSVLogger(filepath.Join(dir, "missing", "h.csv"), false)}})
	if err == nil || !strings.Contains(err.Error(), "CSVLogger") {
		t.Errorf("missing directory: %v", err)
	}
}
