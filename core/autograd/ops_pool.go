package autograd

import (
	"fmt"

	"github.com/ganlab/ganlab/core/tensor"
)

// MaxPool2D returns the max over each pooling window of x (n,h,w,c). It is
// a Gather at the argmax indices, so its backward is a scatter-add whose own
// backward is a gather: double backward comes for free.
func MaxPool2D(x *Var, poolH, poolW, strideH, strideW int, p tensor.Conv2DParams) *Var {
	out, idx := tensor.MaxPool2D(x.Value, poolH, poolW, strideH, strideW, p)
	return Gather(x, idx, out.Shape()...)
}

// AvgPool2D returns the mean over each pooling window of x (n,h,w,c),
// counting only real pixels as Keras does. Its backward is the adjoint,
// whose backward is AvgPool2D again.
func AvgPool2D(x *Var, poolH, poolW, strideH, strideW int, p tensor.Conv2DParams) *Var {
	in := x.Shape()
	return record("avg_pool2d", tensor.AvgPool2D(x.Value, poolH, poolW, strideH, strideW, p), func(g *Var) []*Var {
		return []*Var{avgPool2DAdjoint(g, in, poolH, poolW, strideH, strideW, p)}
	}, x)
}

func avgPool2DAdjoint(g *Var, inShape []int, poolH, poolW, strideH, strideW int, p tensor.Conv2DParams) *Var {
	return record("avg_pool2d_adjoint", tensor.AvgPool2DAdjoint(g.Value, inShape, poolH, poolW, strideH, strideW, p), func(gg *Var) []*Var {
		return []*Var{AvgPool2D(gg, poolH, poolW, strideH, strideW, p)}
	}, g)
}

// UpSampling2D upsamples x (n,h,w,c) by (sh, sw) as Keras's UpSampling2D
// with interpolation "nearest" or "bilinear" (tf.image.resize, half-pixel
// centres).
func UpSampling2D(x *Var, sh, sw int, interpolation string) *Var {
	switch interpolation {
	case "nearest":
		return MapGather(x, tensor.UpsampleNearestMap(x.Shape(), sh, sw))
	case "bilinear":
		return upsampleBilinear(x, sh, sw)
	}
	panic(&tensor.Error{Op: "upsampling2d", Msg: fmt.Sprintf("interpolation %q for input %v: want \"nearest\" or \"bilinear\"", interpolation, x.Shape())})
}

func upsampleBilinear(x *Var, sh, sw int) *Var {
	in := x.Shape()
	return record("upsample_bilinear", tensor.UpsampleBilinear(x.Value, sh, sw), func(g *Var) []*Var {
		return []*Var{upsampleBilinearAdjoint(g, in, sh, sw)}
	}, x)
}

func upsampleBilinearAdjoint(g *Var, inShape []int, sh, sw int) *Var {
	return record("upsample_bilinear_adjoint", tensor.UpsampleBilinearAdjoint(g.Value, inShape, sh, sw), func(gg *Var) []*Var {
		return []*Var{upsampleBilinear(gg, sh, sw)}
	}, g)
}
