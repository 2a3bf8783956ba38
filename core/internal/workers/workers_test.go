package workers

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRunCallsEveryPartOnce covers part counts below, at and above the
// number of workers, several GOMAXPROCS values, and a pause longer than
// spinFor between calls so that parked workers must be woken.
func TestRunCallsEveryPartOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 2, 3, 7, 64} {
			for round := range 3 {
				t.Run(fmt.Sprintf("procs%d/n%d/round%d", procs, n, round), func(t *testing.T) {
					counts := make([]atomic.Int32, n)
					Run(n, func(i int) { counts[i].Add(1) })
					for i := range counts {
						if c := counts[i].Load(); c != 1 {
							t.Fatalf("part %d ran %d times", i, c)
						}
					}
				})
				if round == 1 {
					time.Sleep(2 * spinFor)
				}
			}
		}
	}
}

// TestRunLastPartOnCaller checks that part n-1 runs on the calling
// goroutine (callers rely on it to keep the last share's data local).
func TestRunLastPartOnCaller(t *testing.T) {
	caller := goid()
	var last uint64
	Run(4, func(i int) {
		if i == 3 {
			last = goid()
		}
	})
	if last != caller {
		t.Fatal("the last part ran on another goroutine")
	}
}

// TestRunPanicReachesCaller checks that a panic in a worker's part is
// re-raised on the caller after every part has finished.
func TestRunPanicReachesCaller(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	var finished atomic.Int32
	got := func() (r any) {
		defer func() { r = recover() }()
		Run(4, func(i int) {
			if i == 0 {
				panic("boom")
			}
			time.Sleep(time.Millisecond)
			finished.Add(1)
		})
		return nil
	}()
	if got != "boom" {
		t.Fatalf("recovered %v, want boom", got)
	}
	if finished.Load() != 3 {
		t.Fatalf("%d other parts finished before the panic was re-raised, want 3", finished.Load())
	}
	// The pool still works afterwards.
	var n atomic.Int32
	Run(3, func(int) { n.Add(1) })
	if n.Load() != 3 {
		t.Fatal("pool broken after a panic")
	}
}

// TestRunNestedAndConcurrent runs Run inside parts and from several
// goroutines at once: parts that find no free worker run on their caller,
// so nothing deadlocks and every part runs once.
func TestRunNestedAndConcurrent(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	var total atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				Run(3, func(int) {
					Run(5, func(int) { total.Add(1) })
				})
			}
		})
	}
	wg.Wait()
	if want := int64(4 * 50 * 3 * 5); total.Load() != want {
		t.Fatalf("%d inner parts ran, want %d", total.Load(), want)
	}
}

// goid returns the current goroutine's id from its stack header.
func goid() uint64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	var id uint64
	fmt.Sscanf(string(buf), "goroutine %d ", &id)
	return id
}

// BenchmarkRunLatency measures the cost of one two-part Run with tiny
// parts, between short serial stretches as in a train step.
func BenchmarkRunLatency(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	var sink atomic.Int64
	spin := func(n int) {
		s := 0
		for i := range n {
			s += i ^ (s >> 3)
		}
		sink.Add(int64(s))
	}
	b.Run("workers", func(b *testing.B) {
		for b.Loop() {
			Run(2, func(int) { spin(500) })
			spin(20000)
		}
	})
	b.Run("go+WaitGroup", func(b *testing.B) {
		for b.Loop() {
			var wg sync.WaitGroup
			wg.Go(func() { spin(500) })
			spin(500)
			wg.Wait()
			spin(20000)
		}
	})
	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			spin(1000)
			spin(20000)
		}
	})
}
