package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestWithGODEBUGReplaces checks that the re-exec environment holds one
// GODEBUG, the new one, whatever the old environment held.
func TestWithGODEBUGReplaces(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"A=1", "GODEBUG=gctrace=1", "B=2"}, []string{"A=1", "B=2", "GODEBUG=v"}},
		{[]string{"GODEBUG=x", "GODEBUG=y"}, []string{"GODEBUG=v"}},
		{[]string{"A=1"}, []string{"A=1", "GODEBUG=v"}},
		{nil, []string{"GODEBUG=v"}},
	} {
		if got := withGODEBUG(tc.in, "v"); !slices.Equal(got, tc.want) {
			t.Errorf("withGODEBUG(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestReexecWithUserGODEBUG runs the built program with a GODEBUG of the
// user's own: it must re-exec once and run, not loop (it once re-exec'd
// itself forever because the user's entry stayed first in the
// environment).
func TestReexecWithUserGODEBUG(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := t.TempDir() + "/ganlab"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--help")
	cmd.Env = append(os.Environ(), "GODEBUG=gctrace=0")
	done := make(chan error, 1)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ganlab --help with GODEBUG set: %v\n%s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("ganlab --help with GODEBUG set did not finish in 20 s (re-exec loop?)")
	}
}
