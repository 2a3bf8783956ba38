package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultRunDir(t *testing.T) {
	// 20:04:05 in UTC+2 is 18:04:05 UTC: the name uses UTC.
	at := time.Date(2026, 12, 3, 20, 4, 5, 0, time.FixedZone("UTC+2", 2*3600))
	if got, want := defaultRunDir("mnist-dcgan", at), filepath.Join("runs", "mnist-dcgan-20261203-180405"); got != want {
		t.Errorf("defaultRunDir = %q, want %q", got, want)
	}
	if got, want := samplePath("d", 12), filepath.Join("d", "samples", "epoch_0012.png"); got != want {
		t.Errorf("samplePath = %q, want %q", got, want)
	}
}

func TestCreateRunDir(t *testing.T) {
	root := t.TempDir()
	empty := filepath.Join(root, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(root, "full")
	if err := os.MkdirAll(full, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "history.csv"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		dir     string
		wantErr string
	}{
		{filepath.Join(root, "new", "nested"), ""},
		{empty, ""},
		{full, "already exists and is not empty"},
		{file, "not a directory"},
	}
	for _, c := range cases {
		err := createRunDir(c.dir)
		if c.wantErr == "" {
			if err != nil {
				t.Errorf("createRunDir(%s): %v", c.dir, err)
			} else if fi, err := os.Stat(filepath.Join(c.dir, "samples")); err != nil || !fi.IsDir() {
				t.Errorf("createRunDir(%s) made no samples/: %v", c.dir, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), c.dir) {
			t.Errorf("createRunDir(%s) = %v, want an error naming it and %q", c.dir, err, c.wantErr)
		}
	}
	// The refused directory is untouched.
	if b, _ := os.ReadFile(filepath.Join(full, "history.csv")); string(b) != "x" {
		t.Errorf("refused run dir changed: %q", b)
	}
}

func TestWriteJSONAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.json")
	for _, seed := range []uint64{7, 8} { // the second write replaces the first
		if err := writeJSONAtomic(path, runInfo{Seed: seed}); err != nil {
			t.Fatal(err)
		}
	}
	var ri runInfo
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &ri) != nil || ri.Seed != 8 {
		t.Errorf("run.json %q: %v, seed %d", b, err, ri.Seed)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if err := writeJSONAtomic(filepath.Join(dir, "missing", "x.json"), 1); err == nil || !strings.Contains(err.Error(), "x.json") {
		t.Errorf("write into a missing directory: %v", err)
	}
}

func TestHistoryAppendAndRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.csv")
	h, err := createHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := []historyRow{
		{Epoch: 1, Steps: 937, DLoss: 0.5, GLoss: 1.25, Seconds: 12.5, ImagesPerSec: 4797.44},
		{Epoch: 2, Steps: 3, DLoss: -0.125, GLoss: 3, Seconds: 0.25, ImagesPerSec: 192},
	}
	for i, r := range rows {
		if err := h.Append(r); err != nil {
			t.Fatal(err)
		}
		// Each row is on disk before the file is closed.
		b, _ := os.ReadFile(path)
		if n := strings.Count(string(b), "\n"); n != i+2 {
			t.Errorf("after row %d the file has %d lines:\n%s", i+1, n, b)
		}
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := "epoch,steps,d_loss,g_loss,seconds,images_per_s\n1,937,0.5,1.25,12.5,4797.44\n2,3,-0.125,3,0.25,192\n"
	if string(b) != want {
		t.Errorf("history.csv:\n%s\nwant:\n%s", b, want)
	}
	got, err := readHistory(bytes.NewReader(b))
	if err != nil || len(got) != 2 || got[0] != rows[0] || got[1] != rows[1] {
		t.Errorf("readHistory = %+v, %v", got, err)
	}
	if _, err := createHistory(path); err == nil {
		t.Error("createHistory overwrote an existing history")
	}
	if _, err := readHistory(strings.NewReader("a,b\n")); err == nil {
		t.Error("bad header accepted")
	}
	if _, err := readHistory(strings.NewReader(strings.Join(historyHeader, ",") + "\n1,x,0,0,0,0\n")); err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("bad row: %v", err)
	}
}
