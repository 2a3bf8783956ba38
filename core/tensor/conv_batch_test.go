package tensor

import (
	"fmt"
	"math"
	"runtime"
	"testing"
)

// TestConvBatchSplit runs the batch-split forward and input-gradient paths
// directly, with 2 and 3 workers and one or several chunks per worker,
// against the naive loops and bitwise against the one-goroutine path
// (GOMAXPROCS 1, GEMM unthreaded), which must agree element for element.
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
			prev := runtime.GOMAXPROCS(1)
			y1 := Conv2D(x, k, c.p)
			gy := rng.Normal(dt, 0, 1, y1.Shape()...)
			dx1 := Conv2DBackpropInput(gy, k, c.xShape(), c.p)
			runtime.GOMAXPROCS(prev)
			wantY, absY := naiveConv(c, x.Values(), k.Values(), nil, 0)
			wantDX, absDX := naiveConv(c, nil, k.Values(), gy.Values(), 1)
			for _, nt := range []int{2, 3} {
				for _, imgs := range []int{1, 2, c.n} {
					t.Run(fmt.Sprintf("%v/%v/workers%d/chunk%d", dt, c, nt, imgs), func(t *testing.T) {
						g := newConvGeom("test", c.xShape(), c.kShape(), c.p)
						g.budget = imgs * g.outPix() * g.kdim() * map[DType]int{Float32: 4, Float64: 8}[dt]
						y, dx := New(dt, y1.Shape()...), New(dt, c.xShape()...)
						if dt == Float32 {
							convForwardBatch(g, x.f32, k.f32, y.f32, nt)
							convBackInputBatch(g, gy.f32, k.f32, dx.f32, nt)
						} else {
							convForwardBatch(g, x.f64, k.f64, y.f64, nt)
							convBackInputBatch(g, gy.f64, k.f64, dx.f64, nt)
						}
						closeTo(t, "conv2d", y, wantY, absY, tol)
						closeTo(t, "backprop_input", dx, wantDX, absDX, tol)
						sameBits(t, "conv2d", y, y1)
						sameBits(t, "backprop_input", dx, dx1)
					})
				}
			}
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
