package tensor

import (
	"runtime"
	"testing"
)

// TestScratchRecyclesOwnedStorage walks the Scratch life cycle: storage is
// recycled only when owned, unpinned and no longer held, and New then
// hands the same memory back, cleared.
func TestScratchRecyclesOwnedStorage(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // keep sync.Pool on one P
	n := minRecycle + 3
	s := NewScratch()

	a := Full(Float32, 7, n)
	view := a.Reshape(1, n)
	if !SameStorage(a, view) || SameStorage(a, Full(Float32, 7, n)) {
		t.Fatal("SameStorage does not follow Reshape")
	}
	s.Own(a)
	s.Hold(a)
	s.Hold(view)
	if s.Sole(a) {
		t.Fatal("Sole with two holders")
	}
	s.Drop(view)
	if !s.Sole(a) || a.Float32s() == nil {
		t.Fatal("storage recycled while still held")
	}
	key := storageKey(a)
	s.Drop(a)
	if a.f32 != nil {
		t.Fatal("owned storage not recycled after its last holder dropped it")
	}
	b := New(Float32, n)
	if storageKey(b) != key {
		t.Fatal("New did not reuse the recycled storage")
	}
	for i, v := range b.f32 {
		if v != 0 {
			t.Fatalf("reused storage not cleared: b[%d] = %v", i, v)
		}
	}

	// Pinned and unowned storage survives its last Drop.
	p, u := Full(Float64, 1, n), Full(Float64, 2, n)
	s.Own(p)
	s.Pin(p)
	s.Own(p) // owning after pinning changes nothing
	for _, x := range []*Tensor{p, u} {
		s.Hold(x)
		s.Drop(x)
		if x.f64 == nil {
			t.Fatal("pinned or unowned storage recycled")
		}
	}

	// Small tensors are released but not pooled.
	small := Full(Float32, 1, 10)
	s.Own(small)
	s.Hold(small)
	s.Drop(small)
	if small.f32 != nil {
		t.Fatal("owned small tensor not released")
	}
	if _, ok := pool32.byLen.Load(10); ok {
		t.Fatal("a 10-element buffer was pooled")
	}
}
