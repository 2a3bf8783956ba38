package tensor

import (
	"runtime"

	"github.com/ganlab/ganlab/core/internal/workers"
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
	parts := min(runtime.GOMAXPROCS(0), n/minChunk)
	if parts <= 1 {
		if n > 0 {
			fn(0, n)
		}
		return
	}
	// workers.Run carries a panic in any piece back to this goroutine.
	workers.Run(parts, func(w int) { fn(w*n/parts, (w+1)*n/parts) })
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
