package main

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestGovernMemorySetsLimitFromLiveHeap keeps 96 MiB live and checks that
// the governor sets a soft limit, of at least memoryLimitFor(96 MiB) (the
// test process may hold more live data of other tests), and stops.
func TestGovernMemorySetsLimitFromLiveHeap(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)
	debug.SetMemoryLimit(math.MaxInt64)

	stop := governMemory(context.Background())
	live := make([]byte, 96<<20)
	for i := range live {
		live[i] = byte(i)
	}
	runtime.GC()
	want := memoryLimitFor(96 << 20)
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) < want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	runtime.KeepAlive(live)
	got := debug.SetMemoryLimit(-1)
	if got < want || got == math.MaxInt64 {
		t.Fatalf("limit %d with 96 MiB live, want at least %d", got, want)
	}
}

// TestGovernMemoryOffWithGOMEMLIMIT checks that an explicit GOMEMLIMIT
// leaves the limit alone.
func TestGovernMemoryOffWithGOMEMLIMIT(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "1GiB")
	prev := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prev)
	debug.SetMemoryLimit(math.MaxInt64)
	stop := governMemory(context.Background())
	runtime.GC()
	time.Sleep(3 * memPollEvery)
	stop()
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Fatalf("limit changed to %d although GOMEMLIMIT is set", got)
	}
}
