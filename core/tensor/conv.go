package tensor

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

// Conv2DParams are the strides and explicit zero paddings of a 2-D
// convolution over NHWC images. Keras's "same"/"valid" strings become
// paddings through ConvParams; asymmetric pads (TF "same" with an odd total)
// are why each side is separate.
type Conv2DParams struct {
	StrideH, StrideW                     int
	PadTop, PadBottom, PadLeft, PadRight int
}

// SamePadding returns TF "same" padding for one spatial axis: out =
// ceil(in/s), total = max((out-1)*s+k-in, 0), before = total/2 and the odd
// pixel after.
func SamePadding(in, k, s int) (before, after int) {
	if s < 1 {
		return 0, 0
	}
	out := (in + s - 1) / s
	total := max((out-1)*s+k-in, 0)
	return total / 2, total - total/2
}

// ConvParams builds Conv2DParams from Keras's padding string "same" or
// "valid" for an input of (inH, inW) and a (kh, kw) window.
func ConvParams(inH, inW, kh, kw, strideH, strideW int, padding string) (Conv2DParams, error) {
	p := Conv2DParams{StrideH: strideH, StrideW: strideW}
	if strideH < 1 || strideW < 1 {
		return p, errorf("conv_params", "strides (%d, %d) must be >= 1", strideH, strideW)
	}
	switch padding {
	case "valid":
	case "same":
		p.PadTop, p.PadBottom = SamePadding(inH, kh, strideH)
		p.PadLeft, p.PadRight = SamePadding(inW, kw, strideW)
	default:
		return p, errorf("conv_params", "padding %q: want \"same\" or \"valid\"", padding)
	}
	return p, nil
}

// Conv2DOutSize returns the spatial output size of a (kh, kw) window sliding
// over a padded (inH, inW) input; 0 when the window does not fit.
func Conv2DOutSize(inH, inW, kh, kw int, p Conv2DParams) (oh, ow int) {
	return outLen(inH+p.PadTop+p.PadBottom, kh, p.StrideH), outLen(inW+p.PadLeft+p.PadRight, kw, p.StrideW)
}

func outLen(padded, k, s int) int {
	if s < 1 || padded < k {
		return 0
	}
	return (padded-k)/s + 1
}

// ConvTransposeParams returns the params and output size (oh, ow) of Keras's
// Conv2DTranspose for an input (inH, inW): "same" gives out = in*s, "valid"
// out = in*s + max(k-s, 0). The transposed convolution is the adjoint of the
// Conv2D with these params, which maps (oh, ow) back to (inH, inW).
func ConvTransposeParams(inH, inW, kh, kw, strideH, strideW int, padding string) (p Conv2DParams, oh, ow int, err error) {
	switch padding {
	case "same":
		oh, ow = inH*strideH, inW*strideW
	case "valid":
		oh, ow = inH*strideH+max(kh-strideH, 0), inW*strideW+max(kw-strideW, 0)
	}
	p, err = ConvParams(oh, ow, kh, kw, strideH, strideW, padding)
	if err != nil {
		return p, 0, 0, errorf("conv_transpose_params", "%v", err)
	}
	return p, oh, ow, nil
}

// convGeom is the validated geometry of one convolution: input (n,h,w,cin),
// kernel (kh,kw,cin,cout), output (n,oh,ow,cout).
type convGeom struct {
	n, h, w, cin, kh, kw, cout, oh, ow int
	p                                  Conv2DParams
	budget                             int // im2col buffer bytes; tests shrink it to force chunking
}

func (g *convGeom) kdim() int       { return g.kh * g.kw * g.cin }
func (g *convGeom) outPix() int     { return g.oh * g.ow }
func (g *convGeom) inShape() []int  { return []int{g.n, g.h, g.w, g.cin} }
func (g *convGeom) kShape() []int   { return []int{g.kh, g.kw, g.cin, g.cout} }
func (g *convGeom) outShape() []int { return []int{g.n, g.oh, g.ow, g.cout} }

// pointwise reports a 1×1, stride-1, unpadded convolution: the input itself
// is the im2col matrix.
func (g *convGeom) pointwise() bool {
	p := g.p
	return g.kh == 1 && g.kw == 1 && p.StrideH == 1 && p.StrideW == 1 &&
		p.PadTop == 0 && p.PadBottom == 0 && p.PadLeft == 0 && p.PadRight == 0
}

func (g *convGeom) String() string {
	return fmt.Sprintf("input %v, kernel %v, strides (%d, %d), pads (%d, %d, %d, %d)",
		g.inShape(), g.kShape(), g.p.StrideH, g.p.StrideW, g.p.PadTop, g.p.PadBottom, g.p.PadLeft, g.p.PadRight)
}

// checkConvParams rejects strides below 1 and negative pads.
func checkConvParams(op string, p Conv2DParams, shapes func() string) {
	if p.StrideH < 1 || p.StrideW < 1 {
		panic(errorf(op, "strides (%d, %d) must be >= 1 (%s)", p.StrideH, p.StrideW, shapes()))
	}
	if p.PadTop < 0 || p.PadBottom < 0 || p.PadLeft < 0 || p.PadRight < 0 {
		panic(errorf(op, "negative padding %+v (%s)", p, shapes()))
	}
}

// newConvGeom validates an input shape and a kernel shape. The shapes'
// description is formatted only for an error: a train step makes a few
// hundred geometries.
func newConvGeom(op string, xs, ks []int, p Conv2DParams) *convGeom {
	shapes := func() string { return fmt.Sprintf("input %v, kernel %v", xs, ks) }
	if len(xs) != 4 || len(ks) != 4 {
		panic(errorf(op, "want a rank-4 NHWC input and a (kh, kw, in, out) kernel, got %s", shapes()))
	}
	if xs[3] != ks[2] {
		panic(errorf(op, "input has %d channels but the kernel expects %d (%s)", xs[3], ks[2], shapes()))
	}
	checkConvParams(op, p, shapes)
	if ks[0] < 1 || ks[1] < 1 {
		panic(errorf(op, "empty kernel window (%s)", shapes()))
	}
	ph, pw := xs[1]+p.PadTop+p.PadBottom, xs[2]+p.PadLeft+p.PadRight
	if ks[0] > ph || ks[1] > pw {
		panic(errorf(op, "kernel %dx%d is larger than the padded input %dx%d (%s, pads %+v)", ks[0], ks[1], ph, pw, shapes(), p))
	}
	g := &convGeom{n: xs[0], h: xs[1], w: xs[2], cin: xs[3], kh: ks[0], kw: ks[1], cout: ks[3], p: p, budget: colsBudget}
	g.oh, g.ow = Conv2DOutSize(g.h, g.w, g.kh, g.kw, p)
	return g
}

func sameDType(op string, a, b *Tensor) {
	if a.dtype != b.dtype {
		panic(errorf(op, "dtypes differ: %v %v and %v %v", a.dtype, a.shape, b.dtype, b.shape))
	}
}

// Conv2D returns the cross-correlation of x (n,h,w,cin) with k
// (kh,kw,cin,cout), shape (n,oh,ow,cout), as Keras's Conv2D without bias.
func Conv2D(x, k *Tensor, p Conv2DParams) *Tensor { return conv2D("conv2d", x, k, nil, p) }

// Conv2DBias is Conv2D(x, k) + bias with bias (cout) broadcast over the
// pixels, bitwise; the bias goes into each chunk of the output right after
// its GEMM, while the chunk is in cache, instead of in a second pass over
// a second tensor.
func Conv2DBias(x, k, bias *Tensor, p Conv2DParams) *Tensor {
	return conv2D("conv2d_bias", x, k, bias, p)
}

// Conv2DBiasLeakyRelu is LeakyRelu(Conv2DBias(x, k, bias), slope), bitwise,
// with bias nil allowed: the rectifier runs on each chunk of the output
// right after its GEMM and bias, while the chunk is in cache, instead of in
// a pass of its own over the whole activation. slope must be ≥ 0.
func Conv2DBiasLeakyRelu(x, k, bias *Tensor, p Conv2DParams, slope float64) *Tensor {
	const op = "conv2d_bias_leaky_relu"
	if slope < 0 {
		panic(errorf(op, "negative slope %v", slope))
	}
	return conv2DAct(op, x, k, bias, p, &rectifier{slope: slope})
}

func conv2D(op string, x, k, bias *Tensor, p Conv2DParams) *Tensor {
	return conv2DAct(op, x, k, bias, p, nil)
}

func conv2DAct(op string, x, k, bias *Tensor, p Conv2DParams, act *rectifier) *Tensor {
	sameDType(op, x, k)
	g := newConvGeom(op, x.shape, k.shape, p)
	checkBias(op, bias, x.dtype, g.cout)
	out := newOutput(x.dtype, g.outShape()...)
	if x.dtype == Float32 {
		convForward(g, x.f32, k.f32, bias.storage32(), out.f32, act)
	} else {
		convForward(g, x.f64, k.f64, bias.storage64(), out.f64, act)
	}
	return out
}

// Conv2DBackpropInput is the adjoint of Conv2D in x: it maps g (n,oh,ow,cout)
// to inShape (n,h,w,cin). It is also the transposed convolution of g by k.
func Conv2DBackpropInput(g, k *Tensor, inShape []int, p Conv2DParams) *Tensor {
	return conv2DBackpropInput("conv2d_backprop_input", g, k, nil, inShape, p)
}

// Conv2DBackpropInputBias is Conv2DBackpropInput(g, k) + bias with bias
// (cin) broadcast over the pixels, bitwise: the transposed convolution
// with bias, added per chunk as in Conv2DBias.
func Conv2DBackpropInputBias(g, k, bias *Tensor, inShape []int, p Conv2DParams) *Tensor {
	return conv2DBackpropInput("conv2d_backprop_input_bias", g, k, bias, inShape, p)
}

func conv2DBackpropInput(op string, g, k, bias *Tensor, inShape []int, p Conv2DParams) *Tensor {
	sameDType(op, g, k)
	geo := newConvGeom(op, inShape, k.shape, p)
	if !SameShape(g.shape, geo.outShape()) {
		panic(errorf(op, "gradient %v does not match output %v of %v", g.shape, geo.outShape(), geo))
	}
	checkBias(op, bias, g.dtype, geo.cin)
	out := newOutput(g.dtype, inShape...)
	if g.dtype == Float32 {
		convBackInput(geo, g.f32, k.f32, bias.storage32(), out.f32)
	} else {
		convBackInput(geo, g.f64, k.f64, bias.storage64(), out.f64)
	}
	return out
}

// Conv2DBackpropFilter returns the gradient of <Conv2D(x, k), g> with
// respect to k, of shape kShape.
func Conv2DBackpropFilter(x, g *Tensor, kShape []int, p Conv2DParams) *Tensor {
	const op = "conv2d_backprop_filter"
	sameDType(op, x, g)
	geo := newConvGeom(op, x.shape, kShape, p)
	if !SameShape(g.shape, geo.outShape()) {
		panic(errorf(op, "gradient %v does not match output %v of %v", g.shape, geo.outShape(), geo))
	}
	if geo.n*geo.outPix() == 0 {
		return New(x.dtype, kShape...) // nothing to sum: a zero gradient
	}
	out := newOutput(x.dtype, kShape...) // the first product overwrites it
	if x.dtype == Float32 {
		convBackFilter(geo, x.f32, g.f32, out.f32)
	} else {
		convBackFilter(geo, x.f64, g.f64, out.f64)
	}
	return out
}

// colsBudget bounds the im2col buffer: big enough that one GEMM sees many
// rows, small enough to stay off the memory ceiling for large batches.
const colsBudget = 4 << 20

// chunkImages returns how many images one im2col block holds.
func chunkImages[T Float](g *convGeom) int { return chunkWithin[T](g, g.budget) }

// convForward: y = act(im2col(x) · k (+ bias)), chunk by chunk; y (rows ×
// cout) is NHWC. bias is nil or one value per output channel, act nil or
// the rectifier.
func convForward[T Float](g *convGeom, x, k, bias, y []T, act *rectifier) {
	K, P := g.kdim(), g.outPix()
	if g.n*P == 0 || g.cout == 0 {
		return
	}
	if g.pointwise() {
		gemmT(false, false, g.n*P, g.cout, K, x, K, k, g.cout, 0, y, g.cout)
		biasRectifyParallel(y, bias, act)
		return
	}
	if g.narrow() {
		convForwardNarrow(g, x, k, bias, y, act)
		return
	}
	if nt := convBatchWorkers(g); nt > 1 {
		convForwardBatch(g, x, k, bias, y, nt, act)
		return
	}
	cb, ld := chunkImages[T](g), colsLD[T](g)
	buf := getConvBuf[T](cb * P * ld)
	defer putConvBuf(buf)
	cols := *buf
	for b0 := 0; b0 < g.n; b0 += cb {
		b1 := min(b0+cb, g.n)
		parallelImages(b1-b0, P*K, func(lo, hi int) {
			im2col(g, x, b0+lo, b0+hi, cols[lo*P*ld:])
		})
		gemmT(false, false, (b1-b0)*P, g.cout, K, cols, ld, k, g.cout, 0, y[b0*P*g.cout:], g.cout)
		biasRectifyParallel(y[b0*P*g.cout:b1*P*g.cout], bias, act)
	}
}

// convBackInput: dcols = g · kᵀ, then col2im adds every column back into
// the pixel it was read from (then bias, nil or one value per input
// channel, is added). dx need not be zero on entry: each image is cleared
// just before col2im adds into it, on the core that will add, so the
// clear is a cache-hot pass there rather than a cold one on the caller.
func convBackInput[T Float](geo *convGeom, g, k, bias, dx []T) {
	K, P := geo.kdim(), geo.outPix()
	if geo.n*P == 0 || K == 0 {
		clear(dx)
		return
	}
	if geo.pointwise() {
		gemmT(false, true, geo.n*P, K, geo.cout, g, geo.cout, k, geo.cout, 0, dx, K)
		addBiasParallel(dx, bias)
		return
	}
	if geo.narrow() {
		convBackInputNarrow(geo, g, k, bias, dx)
		return
	}
	if nt := convBatchWorkers(geo); nt > 1 {
		convBackInputBatch(geo, g, k, bias, dx, nt)
		return
	}
	cb, ld := chunkImages[T](geo), colsLD[T](geo)
	buf := getConvBuf[T](cb * P * ld)
	defer putConvBuf(buf)
	cols := *buf
	for b0 := 0; b0 < geo.n; b0 += cb {
		b1 := min(b0+cb, geo.n)
		gemmT(false, true, (b1-b0)*P, K, geo.cout, g[b0*P*geo.cout:], geo.cout, k, geo.cout, 0, cols, ld)
		img := geo.h * geo.w * geo.cin
		parallelImages(b1-b0, P*K, func(lo, hi int) {
			clear(dx[(b0+lo)*img : (b0+hi)*img])
			col2im(geo, cols[lo*P*ld:], b0+lo, b0+hi, dx)
		})
		addBiasParallel(dx[b0*img:b1*img], bias)
	}
}

// convBackFilter: dk = im2col(x)ᵀ · g, accumulated over chunks.
func convBackFilter[T Float](geo *convGeom, x, g, dk []T) {
	K, P := geo.kdim(), geo.outPix()
	if geo.n*P == 0 || K == 0 || geo.cout == 0 {
		return
	}
	if geo.pointwise() {
		gemmT(true, false, K, geo.cout, geo.n*P, x, K, g, geo.cout, 0, dk, geo.cout)
		return
	}
	if geo.narrow() {
		convBackFilterNarrow(geo, x, g, dk)
		return
	}
	if splitsFilter(geo) {
		convBackFilterSplit(geo, x, g, dk)
		return
	}
	cb, ld := chunkImages[T](geo), colsLD[T](geo)
	buf := getConvBuf[T](cb * P * ld)
	defer putConvBuf(buf)
	cols := *buf
	var beta T
	for b0 := 0; b0 < geo.n; b0 += cb {
		b1 := min(b0+cb, geo.n)
		parallelImages(b1-b0, P*K, func(lo, hi int) {
			im2col(geo, x, b0+lo, b0+hi, cols[lo*P*ld:])
		})
		gemmT(true, false, K, geo.cout, (b1-b0)*P, cols, ld, g[b0*P*geo.cout:], geo.cout, beta, dk, geo.cout)
		beta = 1
	}
}

// colsLD is the row stride of g's im2col matrices: kh·kw·cin, plus 16
// elements where that row is a multiple of 1 KiB. The GEMM reads a
// non-transposed A such as these matrices in place, six rows at a time,
// and rows 1 KiB apart would share a few L1 sets (gemm's unpackedA); the
// padding is never read.
func colsLD[T Float](g *convGeom) int {
	var z T
	K := g.kdim()
	if K*int(unsafe.Sizeof(z))%1024 != 0 {
		return K
	}
	return K + 16
}

// addTo adds src into dst elementwise (len(dst) elements), on the vector
// kernel for long float32 runs.
func addTo[T Float](dst, src []T) {
	if vecAddTo(dst, src) {
		return
	}
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

// minParallelCopy is the element count below which im2col/col2im stay on
// the calling goroutine: a goroutine hand-off costs about as much as
// copying a few thousand floats.
const minParallelCopy = 1 << 15

// parallelImages splits images [0, n) over the cores when each image moves
// perImage elements and the total is worth it. The GEMMs around it are
// parallel themselves, so at most one of the two runs wide at a time.
func parallelImages(n, perImage int, fn func(lo, hi int)) {
	nt := min(runtime.GOMAXPROCS(0), n)
	if nt <= 1 || n*perImage < minParallelCopy {
		fn(0, n)
		return
	}
	splitBatch(n, nt, fn)
}

// gemmT computes C = op(A)·op(B) + beta·C for either element type.
func gemmT[T Float](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch av := any(a).(type) {
	case []float32:
		sgemm(tA, tB, m, n, k, 1, av, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		dgemm(tA, tB, m, n, k, 1, av, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

// im2col buffers are recycled per element type so that steady-state
// training steps do not allocate them.
var convPool32, convPool64 sync.Pool

func convPoolFor[T Float]() *sync.Pool {
	var z T
	if _, ok := any(z).(float32); ok {
		return &convPool32
	}
	return &convPool64
}

func getConvBuf[T Float](n int) *[]T {
	if v, ok := convPoolFor[T]().Get().(*[]T); ok && cap(*v) >= n {
		*v = (*v)[:n]
		return v
	}
	s := make([]T, n)
	return &s
}

func putConvBuf[T Float](p *[]T) { convPoolFor[T]().Put(p) }
