//go:build !noasm

package tensor

// Column kernels for the blocked batch-norm statistics: w = len(acc)
// channels of rows rows of float32, row r starting at x[r·stride],
// accumulated in float64 in each channel's row order (the Go loops of
// batchnorm_stats.go, bit for bit). The wrappers bounds-check by
// re-slicing, since the assembly trusts its counts, and report false
// without AVX; callers pass rows ≥ 1 and w ≥ 1.

// colSumSIMD is colSum for float32.
func colSumSIMD(acc []float64, x []float32, rows, stride int) bool {
	if !useAVX {
		return false
	}
	w := len(acc)
	x = x[:(rows-1)*stride+w]
	colSumAVX(&acc[0], &x[0], rows, w, stride)
	return true
}

// colSqDevSIMD is colSqDev for float32.
func colSqDevSIMD(acc, mean []float64, x []float32, rows, stride int) bool {
	if !useAVX {
		return false
	}
	w := len(acc)
	mean, x = mean[:w], x[:(rows-1)*stride+w]
	colSqDevAVX(&acc[0], &mean[0], &x[0], rows, w, stride)
	return true
}

// colSumAVX adds x[r·stride+j] into acc[j] for r < rows, j < w.
//
//go:noescape
func colSumAVX(acc *float64, x *float32, rows, w, stride int)

// colSqDevAVX adds (x[r·stride+j] − mean[j])² into acc[j].
//
//go:noescape
func colSqDevAVX(acc, mean *float64, x *float32, rows, w, stride int)
