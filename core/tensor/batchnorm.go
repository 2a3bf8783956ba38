package tensor

import "math"

// Batch normalisation kernels over the last axis: x is viewed as rows × C
// channels and every channel is normalised over the rows (for NHWC images
// the rows are n·h·w).

// BatchNormStats returns the per-channel mean and biased variance of x over
// all axes but the last, accumulated in float64. Two passes (mean, then
// squared deviations) keep the variance accurate when the mean is large;
// they run chunk by chunk over cached data, and the chunks are merged
// with Chan et al.'s formula, which keeps that accuracy (see
// batchnorm_stats.go). The results depend only on x's shape and values,
// not on GOMAXPROCS.
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

// BatchNormApply returns x·a + b per channel (last axis), where a and b
// fold the normalisation and the affine transform together:
// a = γ/√(σ²+ε), b = β − μ·a.
func BatchNormApply(x *Tensor, a, b []float64) *Tensor { return batchNormApply(x, a, b, nil) }

// BatchNormApplyLeakyRelu is LeakyRelu(BatchNormApply(x, a, b), slope),
// bitwise, with the rectifier run on each chunk right after its affine
// pass, while it is in cache. slope must be ≥ 0.
func BatchNormApplyLeakyRelu(x *Tensor, a, b []float64, slope float64) *Tensor {
	if slope < 0 {
		panic(errorf("batch_norm_leaky_relu", "negative slope %v", slope))
	}
	return batchNormApply(x, a, b, &rectifier{slope: slope})
}

func batchNormApply(x *Tensor, a, b []float64, r *rectifier) *Tensor {
	out := newOutput(x.dtype, x.shape...) // every element is written
	if x.dtype == Float32 {
		affineKernel(out.f32, x.f32, len(a), toT[float32](a), toT[float32](b), r)
	} else {
		affineKernel(out.f64, x.f64, len(a), a, b, r)
	}
	return out
}

func affineKernel[T Float](dst, x []T, c int, a, b []T, r *rectifier) {
	if c == 0 {
		return
	}
	// With a rectifier, each part goes in blocks of whole rows small
	// enough to be rectified while the affine pass has them in L1.
	block := len(x)
	if r != nil {
		block = max(1, 8192/c) * c
	}
	parallelFor(len(x)/c, grainFor(c), func(lo, hi int) {
		for o := lo * c; o < hi*c; o += block {
			d, xs := dst[o:min(o+block, hi*c)], x[o:min(o+block, hi*c)]
			if !vecAffine(d, xs, a, b) {
				affineRows(d, xs, a, b)
			}
			rectify(r, d)
		}
	})
}

// affineRows sets every row of dst (len(a) channels) to x·a + b. The
// conversion keeps the product rounded before the addition, as in the
// vector kernel (see colSqDevLoop).
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
	dx = newOutput(x.dtype, x.shape...) // every element is written
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
	sgx := make([]float64, c) // Σg·(x−μ)
	bnSumsKernel(g, x, rows, c, mean, dbeta, sgx)
	for j := range c {
		dgamma[j] = sgx[j] * invstd[j]
	}
	in := 1 / float64(rows) // a multiply per channel, not a division (see statsKernel)
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
		gm[j] = T(dbeta[j] * in)
		xm[j] = T(dgamma[j] * in * invstd[j])
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
// colSqDevLoop).
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
