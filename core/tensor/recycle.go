package tensor

import (
	"sync"
	"unsafe"
)

// Storage recycling. A training step allocates the same tensor sizes step
// after step, and Go clears every large allocation, so a step that leaves
// all its temporaries to the garbage collector pays a full memory clear,
// GC work and page faults for each of them. A computation that made a
// tensor for itself and is done with it (autograd's backward pass with
// its gradients, say) can instead hand the storage back through a
// Scratch, and New then reuses it, cleared, while it is still warm in
// cache.

// minRecycle is the element count below which storage is not pooled:
// small allocations are cheap and would only crowd the pools.
const minRecycle = 1 << 14

// storagePool holds released storage by exact length: a step asks for the
// same few dozen lengths again and again.
type storagePool struct{ byLen sync.Map } // int → *sync.Pool of *[]T

var pool32, pool64 storagePool

func (p *storagePool) get(n int) any {
	if v, ok := p.byLen.Load(n); ok {
		return v.(*sync.Pool).Get()
	}
	return nil
}

func (p *storagePool) put(n int, buf any) {
	v, _ := p.byLen.LoadOrStore(n, new(sync.Pool))
	v.(*sync.Pool).Put(buf)
}

// newTensor returns a tensor of the given type and shape, on storage
// reused from the pools when there is some of that length. zero says
// whether reused storage must be cleared; fresh storage is zero, as Go
// allocates it.
func newTensor(dtype DType, zero bool, shape ...int) *Tensor {
	checkShape("tensor.New", shape)
	t := &Tensor{shape: append([]int(nil), shape...), dtype: dtype}
	n := Numel(shape)
	switch dtype {
	case Float32:
		t.f32 = storage[float32](&pool32, n, zero)
	case Float64:
		t.f64 = storage[float64](&pool64, n, zero)
	default:
		panic(errorf("tensor.New", "unknown dtype %v", dtype))
	}
	return t
}

// newOutput is New for a kernel that writes every element: storage reused
// from the pools keeps its old values instead of being cleared.
func newOutput(dtype DType, shape ...int) *Tensor { return newTensor(dtype, false, shape...) }

// storage returns n values from p (cleared if zero) or freshly allocated.
func storage[T Float](p *storagePool, n int, zero bool) []T {
	if n >= minRecycle {
		if b, ok := p.get(n).(*[]T); ok {
			if zero {
				clear(*b)
			}
			return *b
		}
	}
	return make([]T, n)
}

// recycle hands t's storage to the pools and leaves t without storage, so
// that a use after recycling fails loudly instead of reading another
// tensor's values.
func recycle(t *Tensor) {
	switch {
	case len(t.f32) >= minRecycle:
		b := t.f32[:len(t.f32):len(t.f32)]
		pool32.put(len(b), &b)
	case len(t.f64) >= minRecycle:
		b := t.f64[:len(t.f64):len(t.f64)]
		pool64.put(len(b), &b)
	}
	t.f32, t.f64 = nil, nil
}

// storageKey identifies t's storage: tensors that share it (t and its
// Reshapes) have the same key. Empty tensors have none.
func storageKey(t *Tensor) unsafe.Pointer {
	switch {
	case len(t.f32) > 0:
		return unsafe.Pointer(unsafe.SliceData(t.f32))
	case len(t.f64) > 0:
		return unsafe.Pointer(unsafe.SliceData(t.f64))
	}
	return nil
}

// SameStorage reports whether a and b share storage (one is a Reshape of
// the other, or they are the same tensor).
func SameStorage(a, b *Tensor) bool {
	ka := storageKey(a)
	return ka != nil && ka == storageKey(b)
}

// Scratch tracks the tensors one computation holds, by storage, and
// recycles the storage of those it made itself once it holds none of them
// any more. A Scratch belongs to one goroutine.
type Scratch struct {
	refs  map[unsafe.Pointer]int
	owned map[unsafe.Pointer]bool
}

// NewScratch returns an empty Scratch.
func NewScratch() *Scratch {
	return &Scratch{refs: map[unsafe.Pointer]int{}, owned: map[unsafe.Pointer]bool{}}
}

// Own records that the computation made t's storage and nothing outside
// it refers to that storage, so it may be recycled. Owning storage that
// was pinned has no effect.
func (s *Scratch) Own(t *Tensor) {
	if k := storageKey(t); k != nil {
		if _, seen := s.owned[k]; !seen {
			s.owned[k] = true
		}
	}
}

// Pin records that t's storage leaves the computation (it is returned to
// a caller, say): it is never recycled.
func (s *Scratch) Pin(t *Tensor) {
	if k := storageKey(t); k != nil {
		s.owned[k] = false
	}
}

// Hold counts one more reference to t's storage.
func (s *Scratch) Hold(t *Tensor) {
	if k := storageKey(t); k != nil {
		s.refs[k]++
	}
}

// Drop counts one reference fewer to t's storage and recycles the storage
// when it was owned and this was the last reference; t must not be used
// after a Drop that may recycle it.
func (s *Scratch) Drop(t *Tensor) {
	k := storageKey(t)
	if k == nil {
		return
	}
	if s.refs[k]--; s.refs[k] > 0 {
		return
	}
	delete(s.refs, k)
	if s.owned[k] {
		delete(s.owned, k)
		recycle(t)
	}
}

// Sole reports whether t's storage is owned and held exactly once, so the
// computation may overwrite it in place.
func (s *Scratch) Sole(t *Tensor) bool {
	k := storageKey(t)
	return k != nil && s.owned[k] && s.refs[k] == 1
}
