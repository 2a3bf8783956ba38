package tensor

// A bias is one value per channel, added to every pixel: the last axis of
// an NHWC tensor. Convolutions add it chunk by chunk while each chunk of
// their output is in cache (Conv2DBias, Conv2DBackpropInputBias).

// checkBias panics unless bias is nil or a vector of n values of dtype.
func checkBias(op string, bias *Tensor, dtype DType, n int) {
	if bias == nil {
		return
	}
	if bias.dtype != dtype {
		panic(errorf(op, "bias is %v, want %v", bias.dtype, dtype))
	}
	if len(bias.shape) != 1 || bias.shape[0] != n {
		panic(errorf(op, "bias has shape %v, want [%d] (one value per channel)", bias.shape, n))
	}
}

// storage32 returns t's float32 values, nil for a nil tensor.
func (t *Tensor) storage32() []float32 {
	if t == nil {
		return nil
	}
	return t.f32
}

// storage64 returns t's float64 values, nil for a nil tensor.
func (t *Tensor) storage64() []float64 {
	if t == nil {
		return nil
	}
	return t.f64
}

// addBias adds bias to every row of y (rows of len(bias) values), in
// place; a nil bias adds nothing.
func addBias[T Float](y, bias []T) {
	c := len(bias)
	if c == 0 || vecBiasLeaky(y, bias, nil) {
		return
	}
	for r := 0; r+c <= len(y); r += c {
		addTo(y[r:r+c], bias)
	}
}

// biasRectify adds bias to y's rows, then applies r (nil: none): in one
// pass on the vector kernel, else a block of about 2K elements at a time
// so that the rectifier reads the block from L1.
func biasRectify[T Float](y, bias []T, r *rectifier) {
	c := len(bias)
	if c > 0 && vecBiasLeaky(y, bias, r) {
		return
	}
	if r == nil || c == 0 {
		addBias(y, bias)
		rectify(r, y)
		return
	}
	blk := max(1, 2048/c) * c
	for lo := 0; lo < len(y); lo += blk {
		b := y[lo:min(lo+blk, len(y))]
		addBias(b, bias)
		rectify(r, b)
	}
}

// biasRectifyParallel is biasRectify over both cores for large y.
func biasRectifyParallel[T Float](y, bias []T, r *rectifier) {
	c := len(bias)
	if c == 0 {
		rectifyParallel(r, y)
		return
	}
	parallelFor(len(y)/c, grainFor(c), func(lo, hi int) { biasRectify(y[lo*c:hi*c], bias, r) })
}

// addBiasParallel is addBias over both cores for large y.
func addBiasParallel[T Float](y, bias []T) {
	c := len(bias)
	if c == 0 {
		return
	}
	parallelFor(len(y)/c, grainFor(c), func(lo, hi int) { addBias(y[lo*c:hi*c], bias) })
}
