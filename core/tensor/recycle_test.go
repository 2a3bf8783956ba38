package tensor

import (
	"fmt"
	"math"
	"runtime"
	"testing"
)

// TestScratchRecyclesOwnedStorage walks the Scratch life cycle: storage is
// recycled only when owned, unpinned and no longer held, and New then
// hands the same memory back, cleared.
func TestScratchRecyclesOwnedStorage(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // keep sync.Pool on one P
	n := minRecycle + 3
	s := NewScratch()

	a := Full(Float32, 7, n)
	view := a.Reshape(1, n)
	if !SameStorage(a, view) || SameStorage(a, Full(Float32, 7, n)) {
		t.Fatal("SameStorage does not follow Reshape")
	}
	s.Own(a)
	s.Hold(a)
	s.Hold(view)
	if s.Sole(a) {
		t.Fatal("Sole with two holders")
	}
	s.Drop(view)
	if !s.Sole(a) || a.Float32s() == nil {
		t.Fatal("storage recycled while still held")
	}
	key := storageKey(a)
	s.Drop(a)
	if a.f32 != nil {
		t.Fatal("owned storage not recycled after its last holder dropped it")
	}
	b := New(Float32, n)
	if storageKey(b) != key {
		t.Fatal("New did not reuse the recycled storage")
	}
	for i, v := range b.f32 {
		if v != 0 {
			t.Fatalf("reused storage not cleared: b[%d] = %v", i, v)
		}
	}

	// Pinned and unowned storage survives its last Drop.
	p, u := Full(Float64, 1, n), Full(Float64, 2, n)
	s.Own(p)
	s.Pin(p)
	s.Own(p) // owning after pinning changes nothing
	for _, x := range []*Tensor{p, u} {
		s.Hold(x)
		s.Drop(x)
		if x.f64 == nil {
			t.Fatal("pinned or unowned storage recycled")
		}
	}

	// Small tensors are released but not pooled.
	small := Full(Float32, 1, 10)
	s.Own(small)
	s.Hold(small)
	s.Drop(small)
	if small.f32 != nil {
		t.Fatal("owned small tensor not released")
	}
	if _, ok := pool32.byLen.Load(10); ok {
		t.Fatal("a 10-element buffer was pooled")
	}
}

// TestOutputsOverwriteReusedStorage fills the pools with NaN buffers of
// each output's length, then checks that every op that takes its output
// uncleared from the pools (newOutput) gives the bits it gives on fresh
// storage: no element may be left unwritten. The transposed-conv cases
// cover the batch-split (2 cores), chunked (1 core) and pointwise paths,
// which clear their output image by image.
func TestOutputsOverwriteReusedStorage(t *testing.T) {
	rng := NewRNG(8, 1)
	x := rng.Normal(Float32, 0, 1, 64, 400)
	g := rng.Normal(Float32, 0, 1, 64, 400)
	w := rng.Normal(Float32, 0, 1, 400, 300)
	bias := rng.Normal(Float32, 0, 1, 400)
	img := rng.Normal(Float32, 0, 1, 8, 14, 14, 16)
	k := rng.Normal(Float32, 0, 1, 4, 4, 16, 48)
	k1 := rng.Normal(Float32, 0, 1, 1, 1, 16, 32)
	cb, ob := rng.Normal(Float32, 0, 1, 16), rng.Normal(Float32, 0, 1, 48)
	p := Conv2DParams{StrideH: 2, StrideW: 2, PadTop: 1, PadBottom: 2, PadLeft: 1, PadRight: 2}
	one := Conv2DParams{StrideH: 1, StrideW: 1}
	y := Conv2D(img, k, p)
	y1 := Conv2D(img, k1, one)
	wide := rng.Normal(Float32, 0, 1, 8, 14, 14, 32) // filter gradients of ≥ minRecycle elements
	gw := rng.Normal(Float32, 0, 1, Conv2D(wide, rng.Normal(Float32, 0, 1, 4, 4, 32, 48), p).Shape()...)
	pw := rng.Normal(Float32, 0, 1, 2, 4, 4, 128)
	alpha := rng.Uniform(Float32, 0, 1, 64, 1)
	cases := []struct {
		name string
		op   func() *Tensor
	}{
		{"leaky_relu", func() *Tensor { return LeakyRelu(x, 0.2) }},
		{"leaky_relu_grad", func() *Tensor { return LeakyReluGrad(g, x, 0.2) }},
		{"sigmoid_grad", func() *Tensor { return SigmoidGrad(g, Sigmoid(x)) }},
		{"dropout_mask", func() *Tensor { return DropoutMask(NewRNG(1, 1), Float32, 0.3, 64, 400) }},
		{"dropout", func() *Tensor { return DropoutApply(x, 99, 0.3) }},
		{"add_broadcast", func() *Tensor { return Add(x, bias) }},
		{"mul", func() *Tensor { return Mul(x, g) }},
		{"matmul", func() *Tensor { return MatMul(x, w, false, false) }},
		{"scale", func() *Tensor { return Scale(x, 3) }},
		{"clip", func() *Tensor { return Clip(x, -0.5, 0.5) }},
		{"conv2d", func() *Tensor { return Conv2D(img, k, p) }},
		{"conv2d_bias", func() *Tensor { return Conv2DBias(img, k, ob, p) }},
		{"conv2d_transpose_batch", func() *Tensor { return Conv2DBackpropInput(y, k, img.Shape(), p) }},
		{"conv2d_transpose_bias", func() *Tensor { return Conv2DBackpropInputBias(y, k, cb, img.Shape(), p) }},
		{"conv2d_transpose_pointwise", func() *Tensor { return Conv2DBackpropInput(y1, k1, img.Shape(), one) }},
		{"conv2d_filter_split", func() *Tensor { return Conv2DBackpropFilter(wide, gw, []int{4, 4, 32, 48}, p) }},
		{"conv2d_filter_chunked", func() *Tensor {
			two, gtwo := Slice(wide, []int{0, 0, 0, 0}, []int{2, 14, 14, 32}), Slice(gw, []int{0, 0, 0, 0}, []int{2, 7, 7, 48})
			return Conv2DBackpropFilter(two, gtwo, []int{4, 4, 32, 48}, p)
		}},
		{"conv2d_filter_pointwise", func() *Tensor { return Conv2DBackpropFilter(pw, pw, []int{1, 1, 128, 128}, one) }},
		{"broadcast_to", func() *Tensor { return BroadcastTo(bias, 64, 400) }},
		{"interpolate", func() *Tensor { return Interpolate(alpha, x, g) }},
	}
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		for _, c := range cases {
			want := c.op()
			if want.Len() < minRecycle {
				t.Fatalf("%s: output of %d elements is too small to be pooled", c.name, want.Len())
			}
			for range 4 {
				recycle(Full(want.DType(), math.NaN(), want.Shape()...))
			}
			sameBits(t, fmt.Sprintf("procs %d: %s", procs, c.name), c.op(), want)
		}
		runtime.GOMAXPROCS(prev)
	}
}
