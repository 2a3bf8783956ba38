package tensor

import "fmt"

// poolGeom is the validated geometry of a pooling window over NHWC input
// (n,h,w,c) giving (n,oh,ow,c).
type poolGeom struct {
	n, h, w, c, ph, pw, oh, ow int
	p                          Conv2DParams
}

// newPoolGeom validates a pooling call. The strides given as arguments win
// over those in p, whose pads are used; every window must see at least one
// real pixel so that neither pool ever divides by zero or picks padding.
func newPoolGeom(op string, xs []int, poolH, poolW, strideH, strideW int, p Conv2DParams) *poolGeom {
	p.StrideH, p.StrideW = strideH, strideW
	desc := fmt.Sprintf("input %v, pool (%d, %d), strides (%d, %d)", xs, poolH, poolW, strideH, strideW)
	if len(xs) != 4 {
		panic(errorf(op, "want a rank-4 NHWC input, got %s", desc))
	}
	checkConvParams(op, p, func() string { return desc })
	if poolH < 1 || poolW < 1 {
		panic(errorf(op, "empty pool window (%s)", desc))
	}
	g := &poolGeom{n: xs[0], h: xs[1], w: xs[2], c: xs[3], ph: poolH, pw: poolW, p: p}
	if poolH > g.h+p.PadTop+p.PadBottom || poolW > g.w+p.PadLeft+p.PadRight {
		panic(errorf(op, "pool window is larger than the padded input (%s, pads %+v)", desc, p))
	}
	g.oh, g.ow = Conv2DOutSize(g.h, g.w, poolH, poolW, p)
	if p.PadTop >= poolH || p.PadLeft >= poolW ||
		(g.oh-1)*strideH-p.PadTop >= g.h || (g.ow-1)*strideW-p.PadLeft >= g.w {
		panic(errorf(op, "a window lies entirely in the padding (%s, pads %+v)", desc, p))
	}
	return g
}

func (g *poolGeom) outShape() []int { return []int{g.n, g.oh, g.ow, g.c} }

// window returns the clipped input rows [y0, y1) and columns [x0, x1) of
// output pixel (oy, ox).
func (g *poolGeom) window(oy, ox int) (y0, y1, x0, x1 int) {
	y0 = oy*g.p.StrideH - g.p.PadTop
	x0 = ox*g.p.StrideW - g.p.PadLeft
	return max(y0, 0), min(y0+g.ph, g.h), max(x0, 0), min(x0+g.pw, g.w)
}

// MaxPool2D returns the max over each window of x (n,h,w,c) and, for each
// output element, the flat input index of its max (the first one on ties).
// Padding never wins: windows only look at real pixels.
func MaxPool2D(x *Tensor, poolH, poolW, strideH, strideW int, p Conv2DParams) (out *Tensor, idx []int) {
	g := newPoolGeom("max_pool2d", x.shape, poolH, poolW, strideH, strideW, p)
	out = New(x.dtype, g.outShape()...)
	idx = make([]int, out.Len())
	if x.dtype == Float32 {
		maxPool(g, x.f32, out.f32, idx)
	} else {
		maxPool(g, x.f64, out.f64, idx)
	}
	return out, idx
}

func maxPool[T Float](g *poolGeom, x, out []T, idx []int) {
	o := 0
	for b := range g.n {
		for oy := range g.oh {
			for ox := range g.ow {
				y0, y1, x0, x1 := g.window(oy, ox)
				first := ((b*g.h+y0)*g.w + x0) * g.c
				copy(out[o:o+g.c], x[first:first+g.c])
				for ch := range g.c {
					idx[o+ch] = first + ch
				}
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						base := ((b*g.h+iy)*g.w + ix) * g.c
						for ch, v := range x[base : base+g.c] {
							if v > out[o+ch] {
								out[o+ch] = v
								idx[o+ch] = base + ch
							}
						}
					}
				}
				o += g.c
			}
		}
	}
}

// AvgPool2D returns the mean over each window of x (n,h,w,c). As in Keras,
// padded cells are not counted: a "same" border window averages only the
// real pixels it covers.
func AvgPool2D(x *Tensor, poolH, poolW, strideH, strideW int, p Conv2DParams) *Tensor {
	g := newPoolGeom("avg_pool2d", x.shape, poolH, poolW, strideH, strideW, p)
	out := New(x.dtype, g.outShape()...)
	if x.dtype == Float32 {
		avgPool(g, x.f32, out.f32, false)
	} else {
		avgPool(g, x.f64, out.f64, false)
	}
	return out
}

// AvgPool2DAdjoint is the adjoint of AvgPool2D: it spreads each element of
// g (n,oh,ow,c) evenly over the real pixels of its window, giving inShape.
func AvgPool2DAdjoint(g *Tensor, inShape []int, poolH, poolW, strideH, strideW int, p Conv2DParams) *Tensor {
	geo := newPoolGeom("avg_pool2d_adjoint", inShape, poolH, poolW, strideH, strideW, p)
	if !SameShape(g.shape, geo.outShape()) {
		panic(errorf("avg_pool2d_adjoint", "gradient %v does not match pool output %v for input %v", g.shape, geo.outShape(), inShape))
	}
	out := New(g.dtype, inShape...)
	if g.dtype == Float32 {
		avgPool(geo, out.f32, g.f32, true)
	} else {
		avgPool(geo, out.f64, g.f64, true)
	}
	return out
}

// avgPool averages x into out, or with adjoint spreads out back into x.
func avgPool[T Float](g *poolGeom, x, out []T, adjoint bool) {
	o := 0
	for b := range g.n {
		for oy := range g.oh {
			for ox := range g.ow {
				y0, y1, x0, x1 := g.window(oy, ox)
				inv := 1 / T((y1-y0)*(x1-x0))
				dst := out[o : o+g.c]
				if adjoint {
					for iy := y0; iy < y1; iy++ {
						for ix := x0; ix < x1; ix++ {
							base := ((b*g.h+iy)*g.w + ix) * g.c
							for ch, v := range dst {
								x[base+ch] += v * inv
							}
						}
					}
				} else {
					for iy := y0; iy < y1; iy++ {
						for ix := x0; ix < x1; ix++ {
							addTo(dst, x[((b*g.h+iy)*g.w+ix)*g.c:])
						}
					}
					for ch := range dst {
						dst[ch] *= inv
					}
				}
				o += g.c
			}
		}
	}
}
