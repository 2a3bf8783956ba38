package tensor

import (
	"syscall"
	"testing"
	"unsafe"
)

// The vector kernels must not read past the n elements they are given:
// here every input and output ends exactly where an inaccessible page
// begins, so any over-read or over-write crashes the test.

// atPageEnd returns n zeroed elements of size bytes each that end at a
// PROT_NONE page; the mapping is released when the test ends.
func atPageEnd(t *testing.T, n, size int) unsafe.Pointer {
	t.Helper()
	page := syscall.Getpagesize()
	data := (n*size + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, data+page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[data:], syscall.PROT_NONE); err != nil {
		t.Fatal(err)
	}
	return unsafe.Pointer(&mem[data-n*size])
}

// guarded32 returns a copy of v ending at an inaccessible page.
func guarded32(t *testing.T, v []float32) []float32 {
	s := unsafe.Slice((*float32)(atPageEnd(t, len(v), 4)), len(v))
	copy(s, v)
	return s
}

func guarded64(t *testing.T, n int) []float64 {
	return unsafe.Slice((*float64)(atPageEnd(t, n, 8)), n)
}

func TestVecKernelsStayInBounds(t *testing.T) {
	rng := NewRNG(23, 0)
	for _, n := range vecLengths[1:] {
		for _, c := range vec1DCases() {
			in := vecInputs(rng, c.inputs, n, 0)
			for i := range in {
				in[i] = guarded32(t, in[i])
			}
			if !c.simd(guarded32(t, in[0]), in) {
				t.Skip("no vector kernel on this CPU/build")
			}
		}
		d := guarded32(t, make([]float32, n))
		maskSIMD(d, 1, 0, 1<<30, 2)
		dropoutSIMD(d, guarded32(t, vecData(rng, n)), 1, 0, 1<<30, 2)
	}
	for _, rc := range rowShapes() {
		rows, c := rc[0], rc[1]
		x := vecInputs(rng, 3, rows*c, 0)
		v := vecInputs(rng, 4, c, 0)
		for i := range x {
			x[i] = guarded32(t, x[i])
		}
		for i := range v {
			v[i] = guarded32(t, v[i])
		}
		affineSIMD(x[0], x[1], v[0], v[1])
		bnGradSIMD(x[0], x[1], x[2], v[0], v[1], v[2], v[3])
		acc, acc2, mean := guarded64(t, c), guarded64(t, c), guarded64(t, c)
		bnSumsSIMD(acc, acc2, mean, x[1], x[2])
	}
}
