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
	if c == 0 {
		return
	}
	for r := 0; r+c <= len(y); r += c {
		addTo(y[r:r+c], bias)
	}
}

// addBiasParallel is addBias over both cores for large y.
func addBiasParallel[T Float](y, bias []T) {
	c := len(bias)
	if c == 0 {
		return
	}
	parallelFor(len(y)/c, grainFor(c), func(lo, hi int) { addBias(y[lo*c:hi*c], bias) })
}
