package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// A training step's live data (weights, optimizer moments, the tape's
// activations) is about the same every step, and almost all of it is
// pointer-free tensor storage that the collector marks for free. Go's
// default pacing still lets the heap grow to twice the live data before it
// collects, so a large model's peak RSS is twice what it needs. The
// governor below sets a soft memory limit a little above the largest live
// heap seen so far; an explicit GOMEMLIMIT turns it off. Measured on
// dcgan64 (2026-12-04), peak RSS against PyTorch's 1426 MiB: 2.2 GiB
// without the governor; headroom 1.25 (with 128 MiB of slack) 1.7 GiB;
// 1.15: 1326–1470 MiB; 1.1: 1270–1367 MiB; 1.05: 1182–1256 MiB, at the
// same step time within the machine's noise (mnist-dcgan and wgan-gp
// steps unchanged too). Later the same day, with 64 MiB of slack, runs
// reached 1221–1399 MiB; 32 MiB gave 1113–1244 against 1234–1316 in four
// alternated runs, mnist-dcgan and wgan-gp steps unchanged (A/B 1.007 and
// 0.989). The peak varies with where the collections fall in a step,
// hence the margin.

const (
	// memPollEvery is how often the governor reads the live heap.
	memPollEvery = 50 * time.Millisecond
	// memHeadroom and memSlack set the limit above the peak live heap: the
	// slack keeps small runs, whose heap is mostly recycled buffers, from
	// collecting (and emptying their buffer pools) much more often than
	// Go's default pacing would.
	memHeadroom = 1.05
	memSlack    = 32 << 20
)

// memoryLimitFor returns the soft limit for a peak live heap of peak bytes.
func memoryLimitFor(peak uint64) int64 {
	return int64(float64(peak)*memHeadroom) + memSlack
}

// governMemory starts the governor and returns the function that stops
// it; without effect when GOMEMLIMIT is set.
func governMemory(ctx context.Context) (stop func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		var peak uint64
		var limit int64
		tick := time.NewTicker(memPollEvery)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				if live := sample[0].Value.Uint64(); live > peak {
					peak = live
					if l := memoryLimitFor(peak); l > limit+limit/20 {
						limit = l
						debug.SetMemoryLimit(limit)
					}
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}
