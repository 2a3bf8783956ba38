package tensor

import (
	"runtime"
	"sync"
)

// parGrain is the element count below which a kernel runs on the calling
// goroutine: starting and joining a goroutine costs about a microsecond, a
// memory-bound pass over 64K float32 elements a few tens of microseconds.
const parGrain = 1 << 16

// sumBlock is the number of elements a blocked reduction folds into one
// partial result. It depends on nothing but the input size, so a sum is
// bit-identical however many goroutines compute the blocks.
const sumBlock = 1 << 14

// parallelFor calls fn over contiguous pieces [lo, hi) covering [0, n),
// spreading them over up to GOMAXPROCS goroutines with at least minChunk
// items each; with one piece it runs inline. fn must only write state that
// no other piece writes. It returns when every piece is done.
func parallelFor(n, minChunk int, fn func(lo, hi int)) {
	minChunk = max(minChunk, 1)
	workers := min(runtime.GOMAXPROCS(0), n/minChunk)
	if workers <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	var wg sync.WaitGroup
	// A panic in a worker would kill the process past any Recover; carry it
	// back to the calling goroutine instead.
	var mu sync.Mutex
	var crash any
	lo := 0
	for w := range workers - 1 {
		hi := (w + 1) * n / workers
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					mu.Lock()
					crash = r
					mu.Unlock()
				}
			}()
			fn(lo, hi)
		}(lo, hi)
		lo = hi
	}
	func() {
		defer wg.Wait() // the caller's own piece may panic too
		fn(lo, n)
	}()
	if crash != nil {
		panic(crash)
	}
}

// parallelElems is parallelFor over n elements with the package grain.
func parallelElems(n int, fn func(lo, hi int)) { parallelFor(n, parGrain, fn) }

// grainFor returns how many items of size per elements make a grain.
func grainFor(per int) int { return max(1, parGrain/max(per, 1)) }

// ParallelFor calls fn over contiguous pieces [lo, hi) covering [0, n),
// spread over up to GOMAXPROCS goroutines with at least minChunk items
// each, and returns when all are done; a panic in any piece is re-raised
// on the caller. fn must only write state that no other piece writes.
// Packages above the tensor engine (optimizers, metrics) use it for their
// own elementwise loops.
func ParallelFor(n, minChunk int, fn func(lo, hi int)) { parallelFor(n, minChunk, fn) }
