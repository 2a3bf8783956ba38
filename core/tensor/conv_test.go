package tensor

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

// convCase is one convolution geometry for the naive-loop comparisons.
type convCase struct {
	n, h, w, cin, kh, kw, cout int
	p                          Conv2DParams
}

func (c convCase) String() string {
	return fmt.Sprintf("n%d_%dx%dx%d_k%dx%dx%d_s%dx%d_p%d.%d.%d.%d", c.n, c.h, c.w, c.cin, c.kh, c.kw, c.cout,
		c.p.StrideH, c.p.StrideW, c.p.PadTop, c.p.PadBottom, c.p.PadLeft, c.p.PadRight)
}

func (c convCase) xShape() []int { return []int{c.n, c.h, c.w, c.cin} }
func (c convCase) kShape() []int { return []int{c.kh, c.kw, c.cin, c.cout} }

// convCases covers odd sizes, strides 1–3, kernels 1–5, asymmetric pads,
// the 1×1 fast path and batches of 1 and 5; then pseudo-random geometries.
func convCases() []convCase {
	cs := []convCase{
		{1, 5, 5, 1, 1, 1, 1, Conv2DParams{1, 1, 0, 0, 0, 0}},
		{5, 4, 3, 3, 1, 1, 4, Conv2DParams{1, 1, 0, 0, 0, 0}},
		{1, 1, 1, 2, 1, 1, 3, Conv2DParams{2, 1, 0, 0, 0, 0}},
		{2, 8, 8, 3, 3, 3, 4, Conv2DParams{2, 2, 0, 1, 0, 1}},
		{5, 7, 9, 2, 5, 3, 3, Conv2DParams{3, 2, 2, 1, 0, 2}},
		{1, 6, 5, 4, 4, 4, 2, Conv2DParams{2, 3, 1, 2, 2, 1}},
		{2, 3, 3, 2, 5, 5, 2, Conv2DParams{1, 1, 2, 2, 2, 2}},
		{1, 4, 4, 1, 4, 1, 5, Conv2DParams{1, 3, 0, 0, 0, 0}},
		{5, 16, 15, 8, 3, 3, 8, Conv2DParams{1, 1, 1, 1, 1, 1}}, // big enough for the parallel im2col
		// col2im gathering (16+ channels), with pixels no window covers
		// (stride 3 > kernel 2) and asymmetric pads:
		{2, 7, 6, 16, 2, 3, 3, Conv2DParams{3, 2, 1, 0, 2, 1}},
		{1, 9, 8, 17, 4, 4, 5, Conv2DParams{2, 2, 1, 2, 1, 1}},
	}
	cs = append(cs, narrowConvCases()...)
	rng := NewRNG(7, 0)
	pick := func(lo, hi int) int { return lo + int(rng.Uniform(Float64, 0, float64(hi-lo+1), 1).At(0)) }
	for len(cs) < 30 {
		c := convCase{n: []int{1, 5}[pick(0, 1)], h: pick(1, 9), w: pick(1, 9), cin: pick(1, 4), kh: pick(1, 5), kw: pick(1, 5), cout: pick(1, 4)}
		c.p = Conv2DParams{pick(1, 3), pick(1, 3), pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2)}
		if c.kh > c.h+c.p.PadTop+c.p.PadBottom || c.kw > c.w+c.p.PadLeft+c.p.PadRight {
			continue
		}
		cs = append(cs, c)
	}
	return cs
}

// narrowConvCases take the narrow path (few output channels, many input
// channels): "same" 7×7 to one channel, strides 2 and 3 with asymmetric
// pads, a window wider than the image, and a batch the cores split.
func narrowConvCases() []convCase {
	return []convCase{
		{2, 9, 8, 16, 7, 7, 1, Conv2DParams{1, 1, 3, 3, 3, 3}},
		{5, 7, 9, 17, 4, 5, 2, Conv2DParams{2, 2, 1, 2, 2, 1}},
		{1, 3, 4, 24, 5, 5, 3, Conv2DParams{3, 2, 3, 3, 1, 3}},
		{2, 6, 5, 33, 3, 2, 4, Conv2DParams{1, 2, 0, 1, 2, 0}},
		{8, 20, 20, 32, 7, 7, 1, Conv2DParams{1, 1, 3, 3, 3, 3}},
	}
}

// naiveConv runs the seven nested loops of the definition. mode 0 returns
// y, 1 returns dx (for upstream gy), 2 returns dk; abs holds the sum of
// absolute products feeding each result, to scale the rounding tolerance.
func naiveConv(c convCase, x, k, gy []float64, mode int) (res, abs []float64) {
	oh, ow := Conv2DOutSize(c.h, c.w, c.kh, c.kw, c.p)
	sizes := []int{c.n * oh * ow * c.cout, c.n * c.h * c.w * c.cin, c.kh * c.kw * c.cin * c.cout}
	res, abs = make([]float64, sizes[mode]), make([]float64, sizes[mode])
	for b := 0; b < c.n; b++ {
		for oy := 0; oy < oh; oy++ {
			for ox := 0; ox < ow; ox++ {
				for ky := 0; ky < c.kh; ky++ {
					for kx := 0; kx < c.kw; kx++ {
						iy, ix := oy*c.p.StrideH-c.p.PadTop+ky, ox*c.p.StrideW-c.p.PadLeft+kx
						if iy < 0 || iy >= c.h || ix < 0 || ix >= c.w {
							continue
						}
						for ci := 0; ci < c.cin; ci++ {
							for co := 0; co < c.cout; co++ {
								yi := ((b*oh+oy)*ow+ox)*c.cout + co
								xi := ((b*c.h+iy)*c.w+ix)*c.cin + ci
								ki := ((ky*c.kw+kx)*c.cin+ci)*c.cout + co
								var i int
								var v float64
								switch mode {
								case 0:
									i, v = yi, x[xi]*k[ki]
								case 1:
									i, v = xi, gy[yi]*k[ki]
								default:
									i, v = ki, x[xi]*gy[yi]
								}
								res[i] += v
								abs[i] += math.Abs(v)
							}
						}
					}
				}
			}
		}
	}
	return res, abs
}

// closeTo compares got with want within tol times the absolute sum of the
// terms of each element (plus a tiny floor for all-zero sums).
func closeTo(t *testing.T, what string, got *Tensor, want, abs []float64, tol float64) {
	t.Helper()
	if got.Len() != len(want) {
		t.Fatalf("%s: %d elements, want %d", what, got.Len(), len(want))
	}
	for i, w := range want {
		if d := math.Abs(got.At(i) - w); d > tol*abs[i]+1e-300 || math.IsNaN(got.At(i)) {
			t.Fatalf("%s: element %d = %.10g, want %.10g (|terms| %.3g)", what, i, got.At(i), w, abs[i])
		}
	}
}

func TestConvAgainstNaive(t *testing.T) {
	for _, dt := range []DType{Float32, Float64} {
		tol := map[DType]float64{Float32: 1e-5, Float64: 1e-13}[dt]
		for ci, c := range convCases() {
			t.Run(fmt.Sprintf("%v/%v", dt, c), func(t *testing.T) {
				rng := NewRNG(uint64(ci), 1)
				x := rng.Normal(dt, 0, 1, c.xShape()...)
				k := rng.Normal(dt, 0, 1, c.kShape()...)
				y := Conv2D(x, k, c.p)
				gy := rng.Normal(dt, 0, 1, y.Shape()...)
				want, abs := naiveConv(c, x.Values(), k.Values(), nil, 0)
				closeTo(t, "conv2d", y, want, abs, tol)
				want, abs = naiveConv(c, nil, k.Values(), gy.Values(), 1)
				closeTo(t, "backprop_input", Conv2DBackpropInput(gy, k, c.xShape(), c.p), want, abs, tol)
				want, abs = naiveConv(c, x.Values(), nil, gy.Values(), 2)
				closeTo(t, "backprop_filter", Conv2DBackpropFilter(x, gy, c.kShape(), c.p), want, abs, tol)
			})
		}
	}
}

// TestConvChunking shrinks the im2col budget so every path runs in several
// chunks (one image, then two) and compares with the unchunked result.
func TestConvChunking(t *testing.T) {
	c := convCase{5, 7, 6, 3, 3, 3, 4, Conv2DParams{2, 1, 1, 1, 0, 2}}
	rng := NewRNG(3, 0)
	x, k := rng.Normal(Float64, 0, 1, c.xShape()...), rng.Normal(Float64, 0, 1, c.kShape()...)
	y := Conv2D(x, k, c.p)
	gy := rng.Normal(Float64, 0, 1, y.Shape()...)
	dx := Conv2DBackpropInput(gy, k, c.xShape(), c.p)
	dk := Conv2DBackpropFilter(x, gy, c.kShape(), c.p)
	for _, imgs := range []int{1, 2} {
		g := newConvGeom("test", c.xShape(), c.kShape(), c.p)
		g.budget = imgs * g.outPix() * g.kdim() * 8
		if n := chunkImages[float64](g); n != imgs {
			t.Fatalf("chunk = %d images, want %d", n, imgs)
		}
		y2, dx2, dk2 := make([]float64, y.Len()), make([]float64, dx.Len()), make([]float64, dk.Len())
		convForward(g, x.f64, k.f64, nil, y2, nil)
		convBackInput(g, gy.f64, k.f64, nil, dx2)
		convBackFilter(g, x.f64, gy.f64, dk2)
		checkChunked(t, imgs, [3][]float64{y2, dx2, dk2}, [3][]float64{y.f64, dx.f64, dk.f64})
	}
}

func dot(a, b *Tensor) float64 {
	s := 0.0
	for i := 0; i < a.Len(); i++ {
		s += a.At(i) * b.At(i)
	}
	return s
}

// TestConvAdjoint checks <Conv2D(x,k), y> = <x, BackpropInput(y,k)> =
// <k, BackpropFilter(x,y)>, which holds only if the three kernels agree.
func TestConvAdjoint(t *testing.T) {
	for ci, c := range convCases() {
		rng := NewRNG(uint64(ci), 2)
		x, k := rng.Normal(Float64, 0, 1, c.xShape()...), rng.Normal(Float64, 0, 1, c.kShape()...)
		cx := Conv2D(x, k, c.p)
		y := rng.Normal(Float64, 0, 1, cx.Shape()...)
		lhs := dot(cx, y)
		for name, rhs := range map[string]float64{
			"input":  dot(x, Conv2DBackpropInput(y, k, c.xShape(), c.p)),
			"filter": dot(k, Conv2DBackpropFilter(x, y, c.kShape(), c.p)),
		} {
			if math.Abs(lhs-rhs) > 1e-10*(1+math.Abs(lhs)) {
				t.Errorf("%v: <conv(x), y> = %.12g, <., backprop_%s> = %.12g", c, lhs, name, rhs)
			}
		}
	}
}

func TestSamePaddingAndParams(t *testing.T) {
	cases := []struct{ in, k, s, before, after int }{
		{8, 3, 2, 0, 1}, // TF's asymmetric case: PyTorch's padding=1 differs
		{7, 3, 2, 1, 1},
		{8, 4, 2, 1, 1},
		{28, 4, 2, 1, 1},
		{5, 1, 1, 0, 0},
		{5, 5, 1, 2, 2},
		{4, 1, 3, 0, 0},
		{10, 2, 3, 0, 1},
	}
	for _, c := range cases {
		if b, a := SamePadding(c.in, c.k, c.s); b != c.before || a != c.after {
			t.Errorf("SamePadding(%d, %d, %d) = %d, %d; want %d, %d", c.in, c.k, c.s, b, a, c.before, c.after)
		}
		p, err := ConvParams(c.in, c.in, c.k, c.k, c.s, c.s, "same")
		if err != nil {
			t.Fatal(err)
		}
		if oh, _ := Conv2DOutSize(c.in, c.in, c.k, c.k, p); oh != (c.in+c.s-1)/c.s {
			t.Errorf("same: in %d k %d s %d gives %d, want ceil(in/s)", c.in, c.k, c.s, oh)
		}
	}
	p, _ := ConvParams(8, 8, 3, 3, 2, 2, "valid")
	if oh, ow := Conv2DOutSize(8, 8, 3, 3, p); oh != 3 || ow != 3 || p != (Conv2DParams{StrideH: 2, StrideW: 2}) {
		t.Errorf("valid: %+v gives %dx%d, want no pads and 3x3", p, oh, ow)
	}
	if _, err := ConvParams(8, 8, 3, 3, 2, 2, "causal"); err == nil || !strings.Contains(err.Error(), `"causal"`) {
		t.Errorf("bad padding error = %v", err)
	}
	tr := []struct {
		in, k, s int
		pad      string
		out      int
	}{{4, 3, 2, "same", 8}, {4, 4, 2, "same", 8}, {4, 3, 2, "valid", 9}, {7, 4, 2, "valid", 16}, {3, 1, 2, "valid", 6}}
	for _, c := range tr {
		p, oh, ow, err := ConvTransposeParams(c.in, c.in+1, c.k, c.k, c.s, c.s, c.pad)
		if err != nil || oh != c.out || ow != (c.in+1)*c.s+map[string]int{"same": 0, "valid": max(c.k-c.s, 0)}[c.pad] {
			t.Errorf("ConvTransposeParams(%v) = %d, %d, %v", c, oh, ow, err)
		}
		// The conv it is the adjoint of must map (oh, ow) back to the input.
		if h, w := Conv2DOutSize(oh, ow, c.k, c.k, p); h != c.in || w != c.in+1 {
			t.Errorf("%v: conv of the output gives %dx%d, want %dx%d", c, h, w, c.in, c.in+1)
		}
	}
}

func TestConvErrors(t *testing.T) {
	x := New(Float32, 2, 5, 5, 3)
	k := New(Float32, 3, 3, 3, 4)
	s1 := Conv2DParams{StrideH: 1, StrideW: 1}
	cases := []struct {
		name string
		fn   func()
		op   string
		want []string
	}{
		{"rank3", func() { Conv2D(New(Float32, 5, 5, 3), k, s1) }, "conv2d", []string{"[5 5 3]", "[3 3 3 4]"}},
		{"channels", func() { Conv2D(x, New(Float32, 3, 3, 2, 4), s1) }, "conv2d", []string{"3 channels", "expects 2", "[2 5 5 3]"}},
		{"stride0", func() { Conv2D(x, k, Conv2DParams{StrideH: 0, StrideW: 1}) }, "conv2d", []string{"strides (0, 1)", "[2 5 5 3]"}},
		{"too_big", func() { Conv2D(x, New(Float32, 7, 3, 3, 4), s1) }, "conv2d", []string{"larger than the padded input", "[7 3 3 4]"}},
		{"dtype", func() { Conv2D(x, New(Float64, 3, 3, 3, 4), s1) }, "conv2d", []string{"float64"}},
		{"input_grad_shape", func() { Conv2DBackpropInput(New(Float32, 2, 4, 4, 4), k, []int{2, 5, 5, 3}, s1) }, "conv2d_backprop_input", []string{"[2 4 4 4]", "[2 3 3 4]"}},
		{"filter_grad_shape", func() { Conv2DBackpropFilter(x, New(Float32, 2, 4, 4, 4), []int{3, 3, 3, 4}, s1) }, "conv2d_backprop_filter", []string{"[2 4 4 4]"}},
	}
	for _, c := range cases {
		err := Catch(c.fn)
		var te *Error
		if !errors.As(err, &te) || te.Op != c.op {
			t.Errorf("%s: error %v, want a *tensor.Error from %s", c.name, err, c.op)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(te.Msg, w) {
				t.Errorf("%s: message %q does not mention %q", c.name, te.Msg, w)
			}
		}
	}
}

// benchConv times one conv kernel at a DCGAN shape and reports GFLOP/s
// counting 2 FLOPs per multiply-add.
func benchConv(b *testing.B, xs, ks []int, padding string, which string) {
	benchConvStrided(b, xs, ks, 2, padding, which)
}

// benchConvStrided is benchConv with the stride as an argument.
func benchConvStrided(b *testing.B, xs, ks []int, stride int, padding string, which string) {
	rng := NewRNG(1, 0)
	p, err := ConvParams(xs[1], xs[2], ks[0], ks[1], stride, stride, padding)
	if err != nil {
		b.Fatal(err)
	}
	x, k := rng.Normal(Float32, 0, 1, xs...), rng.Normal(Float32, 0, 1, ks...)
	y := Conv2D(x, k, p)
	g := rng.Normal(Float32, 0, 1, y.Shape()...)
	macs := float64(y.Len()) * float64(ks[0]*ks[1]*ks[2])
	b.ResetTimer()
	for b.Loop() {
		switch which {
		case "forward":
			Conv2D(x, k, p)
		case "input":
			Conv2DBackpropInput(g, k, xs, p)
		case "filter":
			Conv2DBackpropFilter(x, g, ks, p)
		}
	}
	b.ReportMetric(2*macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// benchConvTranspose times Conv2DTranspose of x (Keras kernel layout) to
// (outH, outW), "same", stride 2.
func benchConvTranspose(b *testing.B, xs, ks []int) {
	rng := NewRNG(1, 0)
	p, oh, ow, err := ConvTransposeParams(xs[1], xs[2], ks[0], ks[1], 2, 2, "same")
	if err != nil {
		b.Fatal(err)
	}
	x, k := rng.Normal(Float32, 0, 1, xs...), rng.Normal(Float32, 0, 1, ks...)
	out := []int{xs[0], oh, ow, ks[2]}
	macs := float64(x.Len()) * float64(ks[0]*ks[1]*ks[2])
	b.ResetTimer()
	for b.Loop() {
		Conv2DBackpropInput(x, k, out, p)
	}
	b.ReportMetric(2*macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

var (
	dcganX1, dcganK1 = []int{64, 28, 28, 1}, []int{4, 4, 1, 64}
	dcganX2, dcganK2 = []int{64, 14, 14, 64}, []int{4, 4, 64, 128}
)

// The Keras guide's generators end in a 7×7 convolution to one channel,
// whose products are matrix-vector products.
var kerasX7, kerasK7 = []int{64, 28, 28, 128}, []int{7, 7, 128, 1}

func BenchmarkConv2DForward28x128to1k7(b *testing.B) {
	benchConvStrided(b, kerasX7, kerasK7, 1, "same", "forward")
}
func BenchmarkConv2DInput28x128to1k7(b *testing.B) {
	benchConvStrided(b, kerasX7, kerasK7, 1, "same", "input")
}
func BenchmarkConv2DFilter28x128to1k7(b *testing.B) {
	benchConvStrided(b, kerasX7, kerasK7, 1, "same", "filter")
}

func BenchmarkConv2DForward28x1to64(b *testing.B) { benchConv(b, dcganX1, dcganK1, "same", "forward") }
func BenchmarkConv2DInput28x1to64(b *testing.B)   { benchConv(b, dcganX1, dcganK1, "same", "input") }
func BenchmarkConv2DFilter28x1to64(b *testing.B)  { benchConv(b, dcganX1, dcganK1, "same", "filter") }
func BenchmarkConv2DForward14x64to128(b *testing.B) {
	benchConv(b, dcganX2, dcganK2, "same", "forward")
}
func BenchmarkConv2DInput14x64to128(b *testing.B)  { benchConv(b, dcganX2, dcganK2, "same", "input") }
func BenchmarkConv2DFilter14x64to128(b *testing.B) { benchConv(b, dcganX2, dcganK2, "same", "filter") }
func BenchmarkConv2DTranspose7x128to64(b *testing.B) {
	benchConvTranspose(b, []int{64, 7, 7, 128}, []int{4, 4, 64, 128})
}
func BenchmarkConv2DTranspose14x64to1(b *testing.B) {
	benchConvTranspose(b, []int{64, 14, 14, 64}, []int{4, 4, 1, 64})
}

// TestConvNarrowChoice checks which shapes take the narrow path, among
// them every narrow case of convCases.
func TestConvNarrowChoice(t *testing.T) {
	same := func(h, w, kh, kw, s int) Conv2DParams {
		p, err := ConvParams(h, w, kh, kw, s, s, "same")
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		c    convCase
		want bool
	}{
		{"guide 7×7 to one channel", convCase{64, 28, 28, 128, 7, 7, 1, same(28, 28, 7, 7, 1)}, true},
		{"stride 2 same", convCase{64, 28, 28, 128, 4, 4, 1, same(28, 28, 4, 4, 2)}, true},
		{"7×7 valid", convCase{64, 28, 28, 128, 7, 7, 1, Conv2DParams{1, 1, 0, 0, 0, 0}}, true},
		{"4×4 valid on 4×4 (16 pixels per output)", convCase{64, 4, 4, 512, 4, 4, 1, Conv2DParams{1, 1, 0, 0, 0, 0}}, false},
		{"5 output channels", convCase{2, 9, 8, 64, 3, 3, 5, same(9, 8, 3, 3, 1)}, false},
		{"too few input channels", convCase{2, 9, 8, 7, 3, 3, 1, same(9, 8, 3, 3, 1)}, false},
		{"pointwise", convCase{2, 9, 8, 64, 1, 1, 1, Conv2DParams{1, 1, 0, 0, 0, 0}}, false},
	} {
		g := newConvGeom("test", tc.c.xShape(), tc.c.kShape(), tc.c.p)
		if got := g.narrow(); got != tc.want {
			t.Errorf("%s (%v): narrow = %v, want %v", tc.name, g, got, tc.want)
		}
	}
	for i, c := range narrowConvCases() {
		if g := newConvGeom("test", c.xShape(), c.kShape(), c.p); !g.narrow() {
			t.Errorf("narrowConvCases()[%d] (%v) does not take the narrow path", i, g)
		}
	}
}

// checkChunked compares a chunked run's y, dx and dk with the unchunked
// ones.
func checkChunked(t *testing.T, imgs int, got, want [3][]float64) {
	t.Helper()
	for j, name := range []string{"y", "dx", "dk"} {
		for i := range want[j] {
			if math.Abs(got[j][i]-want[j][i]) > 1e-12*(1+math.Abs(want[j][i])) {
				t.Fatalf("%d images per chunk: %s[%d] = %g, want %g", imgs, name, i, got[j][i], want[j][i])
			}
		}
	}
}

// TestConvNarrowChunking shrinks the budget so the narrow path (see
// conv_narrow.go) runs one image, then two, per chunk, on one goroutine
// and split over the batch, and compares with the unchunked result.
func TestConvNarrowChunking(t *testing.T) {
	c := convCase{5, 7, 6, 24, 5, 3, 2, Conv2DParams{2, 1, 2, 2, 0, 2}}
	rng := NewRNG(4, 0)
	x, k := rng.Normal(Float64, 0, 1, c.xShape()...), rng.Normal(Float64, 0, 1, c.kShape()...)
	y := Conv2D(x, k, c.p)
	gy := rng.Normal(Float64, 0, 1, y.Shape()...)
	dx := Conv2DBackpropInput(gy, k, c.xShape(), c.p)
	dk := Conv2DBackpropFilter(x, gy, c.kShape(), c.p)
	for _, imgs := range []int{1, 2} {
		g := newConvGeom("test", c.xShape(), c.kShape(), c.p)
		if !g.narrow() {
			t.Fatalf("%v does not take the narrow path", c)
		}
		g.budget = imgs * g.h * g.w * g.taps() * g.cout * 8
		if n := narrowChunk[float64](g); n != imgs {
			t.Fatalf("chunk = %d images, want %d", n, imgs)
		}
		y2, dx2, dk2 := make([]float64, y.Len()), make([]float64, dx.Len()), make([]float64, dk.Len())
		convForwardNarrow(g, x.f64, k.f64, nil, y2, nil)
		convBackInputNarrow(g, gy.f64, k.f64, nil, dx2)
		convBackFilterNarrow(g, x.f64, gy.f64, dk2)
		checkChunked(t, imgs, [3][]float64{y2, dx2, dk2}, [3][]float64{y.f64, dx.f64, dk.f64})
	}
}
