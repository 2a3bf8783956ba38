package tensor

import "math"

// Batch normalisation kernels over the last axis: x is viewed as rows × C
// channels and every channel is normalised over the rows (for NHWC images
// the rows are n·h·w).

// BatchNormStats returns the per-channel mean and biased variance of x over
// all axes but the last, accumulated in float64. Two passes (mean, then
// squared deviations) keep the variance accurate when the mean is large.
func BatchNormStats(x *Tensor) (mean, variance []float64) {
	c := x.shape[len(x.shape)-1]
	rows := x.Len() / max(c, 1)
	mean = make([]float64, c)
	variance = make([]float64, c)
	if rows == 0 {
		return mean, variance
	}
	if x.dtype == Float32 {
		statsKernel(x.f32, rows, c, mean, variance)
	} else {
		statsKernel(x.f64, rows, c, mean, variance)
	}
	return mean, variance
}

func statsKernel[T Float](x []T, rows, c int, mean, variance []float64) {
	channelSums(rows, c, 1, mean, func(lo, hi int, acc []float64) {
		if !vecSumRows(acc, x[lo*c:hi*c]) {
			sumRows(acc, x[lo*c:hi*c])
		}
	})
	for j := range mean {
		mean[j] /= float64(rows)
	}
	channelSums(rows, c, 1, variance, func(lo, hi int, acc []float64) {
		if !vecSqDevRows(acc, mean, x[lo*c:hi*c]) {
			sqDevRows(acc, mean, x[lo*c:hi*c])
		}
	})
	for j := range variance {
		variance[j] /= float64(rows)
	}
}

// sumRows adds every row of x (len(acc) channels each) into acc.
func sumRows[T Float](acc []float64, x []T) {
	c := len(acc)
	if c == 0 {
		return
	}
	for r := 0; r+c <= len(x); r += c {
		for j, v := range x[r : r+c] {
			acc[j] += float64(v)
		}
	}
}

// sqDevRows adds the squared deviations from mean of every row of x into
// acc. The conversion keeps d·d rounded on its own: Go may otherwise fuse
// it into the addition (it does on arm64), and the vector kernel never
// fuses, so every build gives the same sums.
func sqDevRows[T Float](acc, mean []float64, x []T) {
	c := len(acc)
	if c == 0 {
		return
	}
	mean = mean[:c]
	for r := 0; r+c <= len(x); r += c {
		for j, v := range x[r : r+c] {
			d := float64(v) - mean[j]
			acc[j] += float64(d * d)
		}
	}
}

// channelSums adds per-channel sums over rows × c data into out (k·c
// values: k accumulators of c channels each). fold adds rows [lo, hi) into
// acc (same layout as out). Rows are cut into blocks of a fixed size and
// the blocks' partial sums are added in block order, so the result is the
// same however many goroutines fold the blocks.
func channelSums(rows, c, k int, out []float64, fold func(lo, hi int, acc []float64)) {
	blockRows := max(1, sumBlock/max(c, 1))
	nb := (rows + blockRows - 1) / blockRows
	if nb <= 1 {
		fold(0, rows, out)
		return
	}
	w := k * c
	partial := make([]float64, nb*w)
	parallelFor(nb, 1, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			fold(b*blockRows, min(rows, (b+1)*blockRows), partial[b*w:(b+1)*w])
		}
	})
	for b := range nb {
		for j, v := range partial[b*w : (b+1)*w] {
			out[j] += v
		}
	}
}

// BatchNormApply returns x·a + b per channel (last axis), where a and b
// fold the normalisation and the affine transform together:
// a = γ/√(σ²+ε), b = β − μ·a.
func BatchNormApply(x *Tensor, a, b []float64) *Tensor {
	out := New(x.dtype, x.shape...)
	if x.dtype == Float32 {
		affineKernel(out.f32, x.f32, len(a), toT[float32](a), toT[float32](b))
	} else {
		affineKernel(out.f64, x.f64, len(a), a, b)
	}
	return out
}

func affineKernel[T Float](dst, x []T, c int, a, b []T) {
	if c == 0 {
		return
	}
	parallelFor(len(x)/c, grainFor(c), func(lo, hi int) {
		d, xs := dst[lo*c:hi*c], x[lo*c:hi*c]
		if !vecAffine(d, xs, a, b) {
			affineRows(d, xs, a, b)
		}
	})
}

// affineRows sets every row of dst (len(a) channels) to x·a + b. The
// conversion keeps the product rounded before the addition, as in the
// vector kernel (see sqDevRows).
func affineRows[T Float](dst, x, a, b []T) {
	c := len(a)
	if c == 0 {
		return
	}
	b = b[:c]
	for r := 0; r+c <= len(dst); r += c {
		row, d := x[r:r+c], dst[r:r+c]
		for j, v := range row {
			d[j] = T(v*a[j]) + b[j]
		}
	}
}

// BatchNormGrad returns the gradients of y = γ·(x−μ)/√(σ²+ε) + β with
// batch statistics μ, σ² (biased) with respect to x, γ and β, for the
// upstream gradient g. With x̂ the normalised input and N the row count:
// dβ = Σg, dγ = Σg·x̂, dx = γ/√(σ²+ε)·(g − dβ/N − x̂·dγ/N).
func BatchNormGrad(g, x *Tensor, mean, variance, gamma []float64, eps float64) (dx *Tensor, dgamma, dbeta []float64) {
	checkSame("batch_norm_grad", g, x)
	c := len(mean)
	rows := x.Len() / max(c, 1)
	invstd := make([]float64, c)
	for j := range invstd {
		invstd[j] = 1 / math.Sqrt(variance[j]+eps)
	}
	dgamma = make([]float64, c)
	dbeta = make([]float64, c)
	dx = New(x.dtype, x.shape...)
	if rows == 0 {
		return dx, dgamma, dbeta
	}
	if x.dtype == Float32 {
		bnGradKernel(dx.f32, g.f32, x.f32, rows, c, mean, invstd, gamma, dgamma, dbeta)
	} else {
		bnGradKernel(dx.f64, g.f64, x.f64, rows, c, mean, invstd, gamma, dgamma, dbeta)
	}
	return dx, dgamma, dbeta
}

func bnGradKernel[T Float](dx, g, x []T, rows, c int, mean, invstd, gamma, dgamma, dbeta []float64) {
	sums := make([]float64, 2*c) // Σg, then Σg·(x−μ)
	channelSums(rows, c, 2, sums, func(lo, hi int, acc []float64) {
		sg, sgx, gs, xs := acc[:c], acc[c:2*c], g[lo*c:hi*c], x[lo*c:hi*c]
		if !vecBNSums(sg, sgx, mean, gs, xs) {
			bnSumRows(sg, sgx, mean, gs, xs)
		}
	})
	for j := range c {
		dbeta[j] = sums[j]
		dgamma[j] = sums[c+j] * invstd[j]
	}
	n := float64(rows)
	scale := make([]T, c)
	mu := make([]T, c)
	gm := make([]T, c) // dβ/N
	xm := make([]T, c) // dγ/N·invstd, applied to (x−μ)
	for j := range scale {
		gj := 1.0
		if gamma != nil {
			gj = gamma[j]
		}
		scale[j] = T(gj * invstd[j])
		mu[j] = T(mean[j])
		gm[j] = T(dbeta[j] / n)
		xm[j] = T(dgamma[j] / n * invstd[j])
	}
	parallelFor(rows, grainFor(c), func(lo, hi int) {
		d, gs, xs := dx[lo*c:hi*c], g[lo*c:hi*c], x[lo*c:hi*c]
		if !vecBNGrad(d, gs, xs, scale, gm, mu, xm) {
			bnGradRows(d, gs, xs, scale, gm, mu, xm)
		}
	})
}

// bnSumRows adds Σg and Σg·(x−μ) over the rows of g and x (len(sg)
// channels) into sg and sgx, the product rounded before it is added (see
// sqDevRows).
func bnSumRows[T Float](sg, sgx, mean []float64, g, x []T) {
	c := len(sg)
	if c == 0 {
		return
	}
	sgx, mean = sgx[:c], mean[:c]
	for r := 0; r+c <= len(g); r += c {
		gr, xr := g[r:r+c], x[r:r+c]
		for j := range gr {
			gv := float64(gr[j])
			sg[j] += gv
			sgx[j] += float64(gv * (float64(xr[j]) - mean[j]))
		}
	}
}

// bnGradRows sets every row of dx (len(scale) channels) to
// scale·(g − gm − (x−mu)·xm), the product rounded on its own.
func bnGradRows[T Float](dx, g, x, scale, gm, mu, xm []T) {
	c := len(scale)
	if c == 0 {
		return
	}
	gm, mu, xm = gm[:c], mu[:c], xm[:c]
	for r := 0; r+c <= len(dx); r += c {
		gr, xr, dr := g[r:r+c], x[r:r+c], dx[r:r+c]
		for j := range gr {
			dr[j] = scale[j] * (gr[j] - gm[j] - T((xr[j]-mu[j])*xm[j]))
		}
	}
}

func toT[T Float](v []float64) []T {
	out := make([]T, len(v))
	for i, x := range v {
		out[i] = T(x)
	}
	return out
}
