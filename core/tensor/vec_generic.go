//go:build !amd64 || noasm

package tensor

import "unsafe"

// Without the assembly kernels every *SIMD function reports false (or
// fills nothing) and the callers run their Go loops.

func binSIMD(op binOp, dst, x []float32, sx int, y []float32, sy int) bool { return false }

func leakySIMD(dst, v, x []float32, slope float32) bool { return false }

func biasLeakySIMD(y, b []float32, slope float32, rectify bool) bool { return false }

func colSumsSIMD(dst, x []float32, sx, rows int) bool { return false }

func affineSIMD(dst, x, a, b []float32) bool { return false }

func bnGradSIMD(dx, g, x, scale, gm, mu, xm []float32) bool { return false }

func bnSumsSIMD(sg, sgx, mean []float64, g, x []float32) bool { return false }

func maskSIMD(dst []float32, seed uint64, p0 int, thresh uint64, keep float32) int { return 0 }

func dropoutSIMD(dst, x []float32, seed uint64, p0 int, thresh uint64, keep float32) int { return 0 }

// useAVX512 is false without the assembly: no vector transpose, so filter
// gradients pack their transposed im2col matrix (transposedCols).
const useAVX512 = false

func transpose16(srcs *[16]unsafe.Pointer, blocks int, dst []float32, ld int) bool { return false }
