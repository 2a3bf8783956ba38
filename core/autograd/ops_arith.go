package autograd

import "github.com/ganlab/ganlab/core/tensor"

// Each op computes its value, then gives the rule that maps the gradient g of
// its output to the gradients of its inputs, written with differentiable ops.

// Add returns a + b (broadcasting).
func Add(a, b *Var) *Var {
	return recordFast("add", tensor.Add(a.Value, b.Value), func(g *Var) []*Var {
		return []*Var{SumTo(g, a.Shape()...), SumTo(g, b.Shape()...)}
	}, func(g *tensor.Tensor, need []bool) []*tensor.Tensor {
		return []*tensor.Tensor{sumToIf(need[0], a, g), sumToIf(need[1], b, g)}
	}, a, b)
}

// Sub returns a - b (broadcasting).
func Sub(a, b *Var) *Var {
	return recordFast("sub", tensor.Sub(a.Value, b.Value), func(g *Var) []*Var {
		return []*Var{SumTo(g, a.Shape()...), SumTo(Neg(g), b.Shape()...)}
	}, func(g *tensor.Tensor, need []bool) []*tensor.Tensor {
		var gb *tensor.Tensor
		if need[1] {
			gb = tensor.Neg(tensor.SumTo(g, b.Shape()...))
		}
		return []*tensor.Tensor{sumToIf(need[0], a, g), gb}
	}, a, b)
}

// Mul returns a * b (broadcasting).
func Mul(a, b *Var) *Var {
	return recordFast("mul", tensor.Mul(a.Value, b.Value), func(g *Var) []*Var {
		return []*Var{SumTo(Mul(g, b), a.Shape()...), SumTo(Mul(g, a), b.Shape()...)}
	}, func(g *tensor.Tensor, need []bool) []*tensor.Tensor {
		var ga, gb *tensor.Tensor
		if need[0] {
			ga = tensor.SumTo(tensor.Mul(g, b.Value), a.Shape()...)
		}
		if need[1] {
			gb = tensor.SumTo(tensor.Mul(g, a.Value), b.Shape()...)
		}
		return []*tensor.Tensor{ga, gb}
	}, a, b)
}

// Interpolate returns w·a + (1−w)·b for a and b of one shape and constant
// weights w broadcast to it (one per sample, as a gradient penalty draws
// them): tensor.Interpolate, in one pass. To differentiate the penalty
// with respect to the interpolates, call SetRequiresGrad on the result of
// constant a and b: it is then a leaf that ReleaseGraph recycles with the
// graph, being a value an op made.
func Interpolate(a, b *Var, w *tensor.Tensor) *Var {
	return record("interpolate", tensor.Interpolate(w, a.Value, b.Value), func(g *Var) []*Var {
		wa := Const(w)
		wb := Const(tensor.AddScalar(tensor.Neg(w), 1))
		return []*Var{Mul(g, wa), Mul(g, wb)}
	}, a, b)
}

// sumToIf returns g summed to v's shape when need is set, else nil.
func sumToIf(need bool, v *Var, g *tensor.Tensor) *tensor.Tensor {
	if !need {
		return nil
	}
	return tensor.SumTo(g, v.Shape()...)
}

// Div returns a / b (broadcasting).
func Div(a, b *Var) *Var {
	return record("div", tensor.Div(a.Value, b.Value), func(g *Var) []*Var {
		ga := Div(g, b)
		gb := Neg(Div(Mul(ga, a), b)) // -g·a/b²
		return []*Var{SumTo(ga, a.Shape()...), SumTo(gb, b.Shape()...)}
	}, a, b)
}

// Neg returns -x.
func Neg(x *Var) *Var {
	return record("neg", tensor.Neg(x.Value), func(g *Var) []*Var {
		return []*Var{Neg(g)}
	}, x)
}

// Scale returns s·x for a constant s.
func Scale(x *Var, s float64) *Var {
	return record("scale", tensor.Scale(x.Value, s), func(g *Var) []*Var {
		return []*Var{Scale(g, s)}
	}, x)
}

// AddScalar returns x + s for a constant s.
func AddScalar(x *Var, s float64) *Var {
	return record("add_scalar", tensor.AddScalar(x.Value, s), func(g *Var) []*Var {
		return []*Var{g}
	}, x)
}

// Exp returns eˣ.
func Exp(x *Var) *Var {
	var y *Var
	y = record("exp", tensor.Exp(x.Value), func(g *Var) []*Var {
		return []*Var{Mul(g, y)}
	}, x)
	return y
}

// Log returns the natural logarithm of x.
func Log(x *Var) *Var {
	return record("log", tensor.Log(x.Value), func(g *Var) []*Var {
		return []*Var{Div(g, x)}
	}, x)
}

// Sqrt returns √x.
func Sqrt(x *Var) *Var {
	var y *Var
	y = record("sqrt", tensor.Sqrt(x.Value), func(g *Var) []*Var {
		return []*Var{Div(Scale(g, 0.5), y)}
	}, x)
	return y
}

// Square returns x².
func Square(x *Var) *Var {
	return recordFast("square", tensor.Square(x.Value), func(g *Var) []*Var {
		return []*Var{Mul(Scale(g, 2), x)}
	}, func(g *tensor.Tensor, need []bool) []*tensor.Tensor {
		// (g·x)·2 in one new tensor: doubling is exact, so this is the
		// differentiable rule's (2g)·x but in range extremes.
		gx := tensor.Mul(g, x.Value)
		gx.ScaleInPlace(2)
		return []*tensor.Tensor{gx}
	}, x)
}

// PowScalar returns xᵖ for a constant p.
func PowScalar(x *Var, p float64) *Var {
	return record("pow", tensor.PowScalar(x.Value, p), func(g *Var) []*Var {
		return []*Var{Mul(g, Scale(PowScalar(x, p-1), p))}
	}, x)
}

// Abs returns |x|; its gradient at 0 is 0.
func Abs(x *Var) *Var {
	return record("abs", tensor.Abs(x.Value), func(g *Var) []*Var {
		return []*Var{Mul(g, Const(tensor.Sign(x.Value)))}
	}, x)
}

// Maximum returns the elementwise max of a and b; ties send the gradient to a.
func Maximum(a, b *Var) *Var {
	return selectOp("maximum", a, b, tensor.Sub(tensor.Full(a.DType(), 1), tensor.Greater(b.Value, a.Value)))
}

// Minimum returns the elementwise min of a and b; ties send the gradient to a.
func Minimum(a, b *Var) *Var {
	return selectOp("minimum", a, b, tensor.Sub(tensor.Full(a.DType(), 1), tensor.Greater(a.Value, b.Value)))
}

// selectOp returns mask·a + (1-mask)·b for a constant 0/1 mask.
func selectOp(op string, a, b *Var, mask *tensor.Tensor) *Var {
	inv := tensor.Sub(tensor.Full(mask.DType(), 1), mask)
	val := tensor.Where(mask, a.Value, b.Value)
	return record(op, val, func(g *Var) []*Var {
		return []*Var{SumTo(Mul(g, Const(mask)), a.Shape()...), SumTo(Mul(g, Const(inv)), b.Shape()...)}
	}, a, b)
}

// Where returns a where the constant cond is non-zero and b elsewhere.
func Where(cond *tensor.Tensor, a, b *Var) *Var {
	shape, ok := tensor.BroadcastShapes(cond.Shape(), a.Shape())
	if ok {
		shape, ok = tensor.BroadcastShapes(shape, b.Shape())
	}
	if !ok {
		panic(&tensor.Error{Op: "where", Msg: "shapes do not broadcast"})
	}
	mask := tensor.BroadcastTo(tensor.StepPositive(tensor.Abs(cond)), shape...)
	return selectOp("where", a, b, mask)
}

// StopGradient returns x's value as a constant: nothing flows back through it.
func StopGradient(x *Var) *Var { return x.Detach() }
