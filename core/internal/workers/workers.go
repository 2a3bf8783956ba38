// Package workers runs the parts of a data-parallel loop on goroutines that
// stay awake between loops.
//
// A training step is a few hundred parallel kernels separated by short
// serial stretches. Starting a goroutine per part makes the Go scheduler
// wake an idle processor for every kernel, and on a virtual machine waking
// an idle CPU takes from about ten microseconds to over a hundred, which
// over a step added up to most of what the second core should have saved.
// The workers here instead spin for a millisecond after each part (as
// OpenMP's threads do), so the next kernel's parts start within a fraction
// of a microsecond, and only then park.
//
// There is one pool per process, created on first use and grown to
// GOMAXPROCS-1 workers: threads are a process resource, and a pool per
// caller would oversubscribe the cores. It holds no state a caller can
// observe.
package workers

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spinFor is how long an idle worker keeps polling for its next part
// before it parks: longer than most serial gaps inside a train step, short
// enough that a worker left idle gives its core back almost at once. On
// the DCGAN step, 50 µs, 200 µs, 1 ms and 5 ms gave medians of 81, 79, 75
// and 77 ms.
const spinFor = time.Millisecond

// yieldEvery is how often (in polls) a spinning worker or waiting caller
// lets other goroutines run, so that spinning never starves, say, a data
// loader of its processor.
const yieldEvery = 1 << 12

// Run calls fn(i) for every i in [0, n) concurrently and returns when all
// calls have returned: part n-1 on the calling goroutine, the others on
// pool workers where one is free, else on the caller before its own part.
// fn must only write state that no other part writes. A panic in any part
// is re-raised on the caller once every part has finished.
func Run(n int, fn func(i int)) {
	if n <= 0 {
		return
	}
	if n == 1 {
		fn(0)
		return
	}
	j := &job{fn: fn}
	var local []int // parts no worker could take
	ws := thePool.claim(n - 1)
	j.pending.Store(int32(len(ws)))
	for i, w := range ws {
		w.start(j, i)
	}
	for i := len(ws); i < n-1; i++ {
		local = append(local, i)
	}
	local = append(local, n-1)
	for _, i := range local {
		j.run(i)
	}
	j.wait()
	if p := j.crash.Load(); p != nil {
		panic(*p)
	}
}

// job is one call of Run.
type job struct {
	fn      func(i int)
	pending atomic.Int32        // parts handed to workers and not yet done
	crash   atomic.Pointer[any] // the first panic of any part
}

// run calls part i, recording a panic instead of letting it kill the
// process from a worker goroutine.
func (j *job) run(i int) {
	defer func() {
		if r := recover(); r != nil {
			j.crash.CompareAndSwap(nil, &r)
		}
	}()
	j.fn(i)
}

// wait spins until the workers' parts are done.
func (j *job) wait() {
	for polls := 1; j.pending.Load() > 0; polls++ {
		if polls%yieldEvery == 0 {
			runtime.Gosched()
		}
	}
}

// pool is the process's set of workers.
type pool struct {
	mu      sync.Mutex
	workers []*worker
}

var thePool pool

// claim reserves up to want idle workers, starting new ones while the pool
// has fewer than GOMAXPROCS-1.
func (p *pool) claim(want int) []*worker {
	want = min(want, runtime.GOMAXPROCS(0)-1)
	if want <= 0 {
		return nil
	}
	var got []*worker
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, w := range p.workers {
		if len(got) == want {
			return got
		}
		if w.busy.CompareAndSwap(false, true) {
			got = append(got, w)
		}
	}
	for len(got) < want && len(p.workers) < runtime.GOMAXPROCS(0)-1 {
		w := &worker{wake: make(chan struct{}, 1)}
		w.busy.Store(true)
		p.workers = append(p.workers, w)
		go w.loop()
		got = append(got, w)
	}
	return got
}

// worker runs one part at a time.
type worker struct {
	busy   atomic.Bool // claimed by a Run that has not finished with it
	part   atomic.Int64
	job    atomic.Pointer[job]
	parked atomic.Bool
	wake   chan struct{}
}

// start hands part i of j to the worker and wakes it if it has parked.
func (w *worker) start(j *job, i int) {
	w.part.Store(int64(i))
	w.job.Store(j)
	if w.parked.Load() {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// loop runs parts as they come, spinning for spinFor after each before it
// parks.
func (w *worker) loop() {
	for {
		idleSince := time.Now()
		for polls := 1; ; polls++ {
			// Load before Swap: polling must not take the cache line
			// away from the Run that is about to store the next job.
			if w.job.Load() != nil {
				j := w.job.Swap(nil)
				j.run(int(w.part.Load()))
				w.busy.Store(false)
				j.pending.Add(-1)
				idleSince = time.Now()
				continue
			}
			if polls%yieldEvery != 0 {
				continue
			}
			if time.Since(idleSince) > spinFor {
				break
			}
			runtime.Gosched()
		}
		// Park. Publishing parked before the last look at job means a
		// start that stores its job after that look sees parked and wakes
		// us; a stale wake-up only costs one extra round.
		w.parked.Store(true)
		if w.job.Load() == nil {
			<-w.wake
		}
		w.parked.Store(false)
	}
}
