//go:build !amd64 || noasm

package tensor

// Without the assembly kernels the column kernels report false and the
// callers run their Go loops.

func colSumSIMD(acc []float64, x []float32, rows, stride int) bool { return false }

func colSqDevSIMD(acc, mean []float64, x []float32, rows, stride int) bool { return false }
