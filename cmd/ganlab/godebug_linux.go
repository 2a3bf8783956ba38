package main

import (
	"os"
	"strings"
	"syscall"
)

// madviseSetting makes the Go runtime hand freed heap pages back to Linux
// with MADV_FREE instead of MADV_DONTNEED. A training step frees and
// re-allocates hundreds of megabytes of tensors; with MADV_DONTNEED each
// reused page faults in again. Measured on mnist-dcgan: 3x fewer page
// faults and 5-8 % shorter steps at the same peak RSS
// (docs/performance.md).
const madviseSetting = "madvdontneed=0"

// reexecForRuntime restarts the process once with madviseSetting added to
// GODEBUG, because the runtime reads this setting only at start-up (it is
// not one //go:debug accepts). A GODEBUG that already names madvdontneed
// is left alone, and so is every failure: the program then simply runs
// with the runtime's default.
func reexecForRuntime() {
	cur := os.Getenv("GODEBUG")
	if strings.Contains(cur, "madvdontneed=") {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	val := madviseSetting
	if cur != "" {
		val = cur + "," + madviseSetting
	}
	_ = syscall.Exec(exe, os.Args, withGODEBUG(os.Environ(), val)) // returns only on failure
}

// withGODEBUG returns environ with every GODEBUG entry replaced by one
// GODEBUG=val. Appending instead would leave the old entry first, which is
// the one os.Getenv reads after the exec: the check above would never see
// madvdontneed and the process would re-exec itself forever.
func withGODEBUG(environ []string, val string) []string {
	env := make([]string, 0, len(environ)+1)
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "GODEBUG=") {
			env = append(env, kv)
		}
	}
	return append(env, "GODEBUG="+val)
}
