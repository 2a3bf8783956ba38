package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/data"
)

// execute runs the command line args on a fresh root and returns stdout,
// stderr and the error.
func execute(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errOut.String(), err
}

func TestVersion(t *testing.T) {
	out, _, err := execute(t, "version")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ganlab ", "github.com/ganlab/ganlab", runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH} {
		if !strings.Contains(out, want) {
			t.Errorf("version output %q lacks %q", out, want)
		}
	}
}

func TestLogFlags(t *testing.T) {
	cases := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--log-level", "debug", "version"}, ""},
		{[]string{"--log-level", "WARN", "--log-format", "console", "version"}, ""},
		{[]string{"--log-format", "json", "version"}, ""},
		{[]string{"--log-level", "loud", "version"}, `--log-level "loud"`},
		{[]string{"--log-format", "xml", "version"}, `--log-format "xml": want console or json`},
	}
	for _, c := range cases {
		_, _, err := execute(t, c.args...)
		if (err == nil) != (c.wantErr == "") || (err != nil && !strings.Contains(err.Error(), c.wantErr)) {
			t.Errorf("%v: error %v, want %q", c.args, err, c.wantErr)
		}
	}
}

// writeIDX writes a 5-image 4×4 train split with labels 0,1,1,2,2.
func writeIDX(t *testing.T, dir string) {
	t.Helper()
	pix := make([]byte, 5*16)
	for i := range pix {
		pix[i] = byte(i * 3)
	}
	files := []struct {
		name string
		dims []int
		data []byte
	}{
		{"train-images-idx3-ubyte.gz", []int{5, 4, 4}, pix},
		{"train-labels-idx1-ubyte", []int{5}, []byte{0, 1, 1, 2, 2}},
	}
	for _, f := range files {
		var b bytes.Buffer
		if err := data.EncodeIDX(&b, f.dims, f.data, strings.HasSuffix(f.name, ".gz")); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDataInspectDir(t *testing.T) {
	dir := t.TempDir()
	writeIDX(t, dir)
	out, errOut, err := execute(t, "--log-level", "debug", "--log-format", "json", "data", "inspect", "--split", "train", "--unit", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"examples  5", "[5 4 4 1] float32", "scaled to [0,1]", "classes   3",
		"0       1  20.00%", "1       2  40.00%", "2       2  40.00%",
		"min 0  max 0.9294", // bytes 0..237 in steps of 3
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// The debug line is JSON on stderr.
	var rec map[string]any
	if err := json.Unmarshal([]byte(strings.SplitN(errOut, "\n", 2)[0]), &rec); err != nil || rec["level"] != "debug" {
		t.Errorf("stderr %q is not a JSON debug record: %v", errOut, err)
	}
	// The test split is missing: the error names the file.
	if _, _, err := execute(t, "data", "inspect", dir); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "t10k-images-idx3-ubyte") {
		t.Errorf("missing test split: %v", err)
	}
}

func TestDataInspectMNIST(t *testing.T) {
	if _, err := data.MNISTDir(); errors.Is(err, os.ErrNotExist) {
		t.Skipf("MNIST not in the module cache: %v", err)
	}
	out, _, err := execute(t, "data", "inspect", "--split", "test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "mnist/test") || !strings.Contains(out, "examples  10000") {
		t.Errorf("output:\n%s", out)
	}
}

func TestCommandsRegistered(t *testing.T) {
	root := newRootCmd()
	for _, name := range []string{"version", "data"} {
		if c, _, err := root.Find([]string{name}); err != nil || c.Name() != name {
			t.Errorf("command %q not registered: %v", name, err)
		}
	}
}
