package tensor

import "slices"

// UpsampleNearestMap returns nearest-neighbour upsampling of an NHWC shape
// by (sh, sw) as an AxisMap: output row i reads input row i/sh. MapGather
// applies it and MapScatter is its adjoint.
func UpsampleNearestMap(shape []int, sh, sw int) AxisMap {
	checkUpsample("upsample_nearest", shape, sh, sw)
	m := AxisMap{In: slices.Clone(shape), Src: make([][]int, 4)}
	for ax, s := range []int{1, sh, sw, 1} {
		a := make([]int, shape[ax]*s)
		for i := range a {
			a[i] = i / s
		}
		m.Src[ax] = a
	}
	return m
}

func checkUpsample(op string, shape []int, sh, sw int) {
	if len(shape) != 4 {
		panic(errorf(op, "want a rank-4 NHWC input, got %v", shape))
	}
	if sh < 1 || sw < 1 {
		panic(errorf(op, "factors (%d, %d) must be >= 1 for input %v", sh, sw, shape))
	}
}

// lerpAxis holds, for each output coordinate, the two input coordinates it
// blends and the weight of the second.
type lerpAxis struct {
	lo, hi []int
	frac   []float64
}

// bilinearAxis follows tf.image.resize bilinear with half-pixel centres:
// output o samples input coordinate (o+0.5)/s - 0.5; lo = floor clamped at
// 0, hi = ceil clamped at in-1, weight = coordinate - floor. So the edge
// rows repeat the edge pixel, as TF's does.
func bilinearAxis(in, s int) lerpAxis {
	n := in * s
	a := lerpAxis{lo: make([]int, n), hi: make([]int, n), frac: make([]float64, n)}
	for o := range n {
		c := (float64(o)+0.5)/float64(s) - 0.5
		f := int(c)
		if c < 0 {
			f = -1 // floor of a coordinate in (-1, 0)
		}
		a.frac[o] = c - float64(f)
		a.lo[o] = max(f, 0)
		hi := f
		if float64(f) < c {
			hi = f + 1
		}
		a.hi[o] = min(hi, in-1)
	}
	return a
}

// UpsampleBilinear upsamples x (n,h,w,c) by (sh, sw) with bilinear
// interpolation as Keras's UpSampling2D(interpolation="bilinear") does.
func UpsampleBilinear(x *Tensor, sh, sw int) *Tensor {
	checkUpsample("upsample_bilinear", x.shape, sh, sw)
	s := x.shape
	out := New(x.dtype, s[0], s[1]*sh, s[2]*sw, s[3])
	if x.dtype == Float32 {
		bilinear(x.f32, out.f32, s, sh, sw, false)
	} else {
		bilinear(x.f64, out.f64, s, sh, sw, false)
	}
	return out
}

// UpsampleBilinearAdjoint is the adjoint of UpsampleBilinear: each output
// element's weights send g back to the four input pixels it blended.
func UpsampleBilinearAdjoint(g *Tensor, inShape []int, sh, sw int) *Tensor {
	checkUpsample("upsample_bilinear_adjoint", inShape, sh, sw)
	s := inShape
	if want := []int{s[0], s[1] * sh, s[2] * sw, s[3]}; !SameShape(g.shape, want) {
		panic(errorf("upsample_bilinear_adjoint", "gradient %v does not match output %v of input %v", g.shape, want, inShape))
	}
	out := New(g.dtype, inShape...)
	if g.dtype == Float32 {
		bilinear(out.f32, g.f32, s, sh, sw, true)
	} else {
		bilinear(out.f64, g.f64, s, sh, sw, true)
	}
	return out
}

// bilinear blends x (shape s) into y, or with adjoint spreads y into x.
func bilinear[T Float](x, y []T, s []int, sh, sw int, adjoint bool) {
	n, h, w, c := s[0], s[1], s[2], s[3]
	ay, ax := bilinearAxis(h, sh), bilinearAxis(w, sw)
	oh, ow := h*sh, w*sw
	o := 0
	for b := range n {
		img := x[b*h*w*c : (b+1)*h*w*c]
		for oy := range oh {
			fy := T(ay.frac[oy])
			top, bot := img[ay.lo[oy]*w*c:], img[ay.hi[oy]*w*c:]
			for ox := range ow {
				fx := T(ax.frac[ox])
				l, r := ax.lo[ox]*c, ax.hi[ox]*c
				wtl, wtr := (1-fy)*(1-fx), (1-fy)*fx
				wbl, wbr := fy*(1-fx), fy*fx
				dst := y[o : o+c]
				if adjoint {
					for ch, v := range dst {
						top[l+ch] += wtl * v
						top[r+ch] += wtr * v
						bot[l+ch] += wbl * v
						bot[r+ch] += wbr * v
					}
				} else {
					for ch := range dst {
						dst[ch] = wtl*top[l+ch] + wtr*top[r+ch] + wbl*bot[l+ch] + wbr*bot[r+ch]
					}
				}
				o += c
			}
		}
	}
}
