package tensor

import (
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
)

// TestConvBatchSplit runs the batch-split forward and input-gradient paths
// directly, with 2 and 3 workers and one or several chunks per worker,
// with and without bias, against the naive loops and bitwise against the
// one-goroutine path (GOMAXPROCS 1, GEMM unthreaded) followed by a
// separate bias Add, which must agree element for element.
func TestConvBatchSplit(t *testing.T) {
	cases := []convCase{
		{8, 14, 14, 5, 4, 4, 7, Conv2DParams{2, 2, 1, 2, 1, 2}},
		{9, 7, 9, 3, 3, 3, 33, Conv2DParams{1, 2, 1, 1, 0, 2}},
		{4, 5, 5, 2, 5, 5, 2, Conv2DParams{1, 1, 2, 2, 2, 2}},
	}
	for _, dt := range []DType{Float32, Float64} {
		tol := map[DType]float64{Float32: 1e-5, Float64: 1e-13}[dt]
		for ci, c := range cases {
			rng := NewRNG(uint64(ci), 9)
			x := rng.Normal(dt, 0, 1, c.xShape()...)
			k := rng.Normal(dt, 0, 1, c.kShape()...)
			bOut, bIn := rng.Normal(dt, 0, 1, c.cout), rng.Normal(dt, 0, 1, c.cin)
			prev := runtime.GOMAXPROCS(1)
			y1 := Conv2D(x, k, c.p)
			gy := rng.Normal(dt, 0, 1, y1.Shape()...)
			dx1 := Conv2DBackpropInput(gy, k, c.xShape(), c.p)
			y1b, dx1b := Add(y1, bOut), Add(dx1, bIn)
			runtime.GOMAXPROCS(prev)
			wantY, absY := naiveConv(c, x.Values(), k.Values(), nil, 0)
			wantDX, absDX := naiveConv(c, nil, k.Values(), gy.Values(), 1)
			for _, nt := range []int{2, 3} {
				for _, imgs := range []int{1, 2, c.n} {
					t.Run(fmt.Sprintf("%v/%v/workers%d/chunk%d", dt, c, nt, imgs), func(t *testing.T) {
						g := newConvGeom("test", c.xShape(), c.kShape(), c.p)
						g.budget = imgs * g.outPix() * g.kdim() * map[DType]int{Float32: 4, Float64: 8}[dt]
						y, dx := New(dt, y1.Shape()...), New(dt, c.xShape()...)
						yb, dxb := New(dt, y1.Shape()...), New(dt, c.xShape()...)
						if dt == Float32 {
							convForwardBatch(g, x.f32, k.f32, nil, y.f32, nt, nil)
							convBackInputBatch(g, gy.f32, k.f32, nil, dx.f32, nt)
							convForwardBatch(g, x.f32, k.f32, bOut.f32, yb.f32, nt, nil)
							convBackInputBatch(g, gy.f32, k.f32, bIn.f32, dxb.f32, nt)
						} else {
							convForwardBatch(g, x.f64, k.f64, nil, y.f64, nt, nil)
							convBackInputBatch(g, gy.f64, k.f64, nil, dx.f64, nt)
							convForwardBatch(g, x.f64, k.f64, bOut.f64, yb.f64, nt, nil)
							convBackInputBatch(g, gy.f64, k.f64, bIn.f64, dxb.f64, nt)
						}
						closeTo(t, "conv2d", y, wantY, absY, tol)
						closeTo(t, "backprop_input", dx, wantDX, absDX, tol)
						sameBits(t, "conv2d", y, y1)
						sameBits(t, "backprop_input", dx, dx1)
						sameBits(t, "conv2d+bias", yb, y1b)
						sameBits(t, "backprop_input+bias", dxb, dx1b)
					})
				}
			}
		}
	}
}

// TestConvBias checks Conv2DBias and Conv2DBackpropInputBias bitwise
// against the op followed by Add, on the pointwise, chunked and
// batch-split paths, and their bias shape errors.
func TestConvBias(t *testing.T) {
	for _, c := range []convCase{
		{5, 4, 3, 3, 1, 1, 4, Conv2DParams{1, 1, 0, 0, 0, 0}},
		{2, 8, 8, 3, 3, 3, 4, Conv2DParams{2, 2, 0, 1, 0, 1}},
		{64, 14, 14, 8, 4, 4, 16, Conv2DParams{2, 2, 1, 2, 1, 2}},
	} {
		for _, dt := range []DType{Float32, Float64} {
			rng := NewRNG(4, 2)
			x, k := rng.Normal(dt, 0, 1, c.xShape()...), rng.Normal(dt, 0, 1, c.kShape()...)
			bOut, bIn := rng.Normal(dt, 0, 1, c.cout), rng.Normal(dt, 0, 1, c.cin)
			y := Conv2D(x, k, c.p)
			sameBits(t, fmt.Sprintf("%v %v conv2d_bias", c, dt), Conv2DBias(x, k, bOut, c.p), Add(y, bOut))
			g := rng.Normal(dt, 0, 1, y.Shape()...)
			sameBits(t, fmt.Sprintf("%v %v conv2d_backprop_input_bias", c, dt),
				Conv2DBackpropInputBias(g, k, bIn, c.xShape(), c.p), Add(Conv2DBackpropInput(g, k, c.xShape(), c.p), bIn))
		}
	}
	x, k := New(Float32, 1, 4, 4, 2), New(Float32, 3, 3, 2, 5)
	p := Conv2DParams{StrideH: 1, StrideW: 1}
	for name, fn := range map[string]func(){
		"wrong length": func() { Conv2DBias(x, k, New(Float32, 4), p) },
		"matrix":       func() { Conv2DBias(x, k, New(Float32, 1, 5), p) },
		"dtype":        func() { Conv2DBias(x, k, New(Float64, 5), p) },
		"input bias":   func() { Conv2DBackpropInputBias(New(Float32, 1, 2, 2, 5), k, New(Float32, 5), []int{1, 4, 4, 2}, p) },
	} {
		if err := Catch(fn); err == nil || !strings.Contains(err.Error(), "bias") {
			t.Errorf("%s: error %v, want one naming the bias", name, err)
		}
	}
}

// sameBits fails unless got and want hold bitwise equal values.
func sameBits(t *testing.T, what string, got, want *Tensor) {
	t.Helper()
	for i := range got.Len() {
		if math.Float64bits(got.At(i)) != math.Float64bits(want.At(i)) {
			t.Fatalf("%s: element %d = %v, one-goroutine path gives %v", what, i, got.At(i), want.At(i))
		}
	}
}

// TestConvBatchWorkers checks when a convolution splits its batch.
func TestConvBatchWorkers(t *testing.T) {
	prev := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(prev)
	for _, tc := range []struct {
		n, cout, want int
	}{
		{1, 64, 1},   // fewer images than cores
		{3, 64, 1},   // uneven and small: the GEMM splits better
		{4, 64, 2},   // even
		{9, 64, 2},   // uneven but large enough
		{64, 1, 1},   // too little work
		{128, 64, 2}, // the DCGAN discriminator's batch
	} {
		g := newConvGeom("test", []int{tc.n, 28, 28, 32}, []int{4, 4, 32, tc.cout}, Conv2DParams{2, 2, 1, 1, 1, 1})
		if tc.cout == 1 {
			g = newConvGeom("test", []int{tc.n, 4, 4, 1}, []int{1, 1, 1, 1}, Conv2DParams{StrideH: 1, StrideW: 1})
		}
		if got := convBatchWorkers(g); got != tc.want {
			t.Errorf("n=%d cout=%d: %d workers, want %d", tc.n, tc.cout, got, tc.want)
		}
	}
}

// TestConvBackFilterSplit checks the filter gradient summed in
// filterSlices parts against the naive loops, with one and several chunks
// per part, and bitwise across GOMAXPROCS 1, 2 and 3: the parts are fixed
// by the shape, so the sum must not depend on the cores.
func TestConvBackFilterSplit(t *testing.T) {
	c := convCase{8, 14, 14, 16, 4, 4, 32, Conv2DParams{2, 2, 1, 2, 1, 2}}
	for _, dt := range []DType{Float32, Float64} {
		tol := map[DType]float64{Float32: 1e-5, Float64: 1e-13}[dt]
		rng := NewRNG(17, 3)
		x := rng.Normal(dt, 0, 1, c.xShape()...)
		g := rng.Normal(dt, 0, 1, 8, 7, 7, 32)
		geo := newConvGeom("test", c.xShape(), c.kShape(), c.p)
		if !splitsFilter(geo) {
			t.Fatal("test geometry does not take the split path")
		}
		want, abs := naiveConv(c, x.Values(), nil, g.Values(), 2)
		var first *Tensor
		for _, procs := range []int{1, 2, 3} {
			for _, imgs := range []int{1, 3, 8} {
				prev := runtime.GOMAXPROCS(procs)
				geo := newConvGeom("test", c.xShape(), c.kShape(), c.p)
				geo.budget = imgs * geo.outPix() * geo.kdim() * map[DType]int{Float32: 4, Float64: 8}[dt]
				dk := New(dt, c.kShape()...)
				if dt == Float32 {
					convBackFilter(geo, x.f32, g.f32, dk.f32)
				} else {
					convBackFilter(geo, x.f64, g.f64, dk.f64)
				}
				runtime.GOMAXPROCS(prev)
				closeTo(t, fmt.Sprintf("%v procs %d chunk %d", dt, procs, imgs), dk, want, abs, tol)
				if imgs == 8 { // the same chunking: the same bits whatever the cores
					if first == nil {
						first = dk
					} else {
						sameBits(t, fmt.Sprintf("%v procs %d", dt, procs), dk, first)
					}
				}
			}
		}
		first = nil
	}
}

// TestConv2DBiasLeakyReluMatchesTwoOps checks the fused rectifier against
// Conv2DBias followed by LeakyRelu, bit for bit, on the batch-split path
// (several chunks per core), the single-goroutine path, the pointwise
// path, with and without bias, slopes 0 and 0.2, in both dtypes.
func TestConv2DBiasLeakyReluMatchesTwoOps(t *testing.T) {
	cases := []struct {
		x, k []int
		p    Conv2DParams
	}{
		{[]int{8, 14, 14, 16}, []int{4, 4, 16, 32}, Conv2DParams{2, 2, 1, 1, 1, 1}},  // batch split
		{[]int{1, 9, 7, 3}, []int{3, 3, 3, 5}, Conv2DParams{1, 1, 1, 1, 1, 1}},       // one image
		{[]int{2, 5, 5, 8}, []int{1, 1, 8, 6}, Conv2DParams{StrideH: 1, StrideW: 1}}, // pointwise
	}
	for _, dt := range []DType{Float32, Float64} {
		for _, c := range cases {
			rng := NewRNG(7, 1)
			x, k, b := rng.Normal(dt, 0, 1, c.x...), rng.Normal(dt, 0, 1, c.k...), rng.Normal(dt, 0, 1, c.k[3])
			for _, slope := range []float64{0, 0.2} {
				for _, bias := range []*Tensor{nil, b} {
					want := LeakyRelu(conv2D("conv2d", x, k, bias, c.p), slope)
					got := Conv2DBiasLeakyRelu(x, k, bias, c.p, slope)
					sameBits(t, fmt.Sprintf("%v %v slope %g bias %v", dt, c.x, slope, bias != nil), got, want)
				}
			}
		}
	}
	if err := Catch(func() {
		Conv2DBiasLeakyRelu(New(Float32, 1, 4, 4, 1), New(Float32, 2, 2, 1, 1), nil, Conv2DParams{StrideH: 1, StrideW: 1}, -0.1)
	}); err == nil {
		t.Error("negative slope accepted")
	}
}
