//go:build !noasm

package tensor

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// useAVX512 selects the AVX-512 transposes (transpose_amd64.s).
var useAVX512 = cpu.X86.HasAVX512F

// transpose16 writes the 16 rows of 16·blocks floats at srcs into the
// 16·blocks rows of 16 floats at dst (row stride ld): dst[j·ld + i] =
// srcs[i][j]. It reports false where this CPU has no AVX-512, leaving the
// work to the caller's Go loop. Every srcs[i] must hold 16·blocks floats
// and dst (16·blocks−1)·ld + 16.
func transpose16(srcs *[16]unsafe.Pointer, blocks int, dst []float32, ld int) bool {
	if !useAVX512 || blocks <= 0 {
		return false
	}
	dst = dst[:(16*blocks-1)*ld+16]
	transpose16AVX512(srcs, blocks, &dst[0], ld)
	return true
}

//go:noescape
func transpose16AVX512(srcs *[16]unsafe.Pointer, blocks int, dst *float32, ld int)
