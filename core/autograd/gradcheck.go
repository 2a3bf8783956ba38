package autograd

import (
	"fmt"
	"math"

	"github.com/ganlab/ganlab/core/tensor"
)

// GradCheckTol is the relative tolerance of CheckGrad in float64 with
// central differences of step GradCheckEps: the truncation error is
// O(eps²) ≈ 1e-12 relative to the third derivative, so 1e-6 leaves room for
// rounding while catching any wrong rule.
const (
	GradCheckEps = 1e-6
	GradCheckTol = 1e-6
)

// CheckGrad compares the gradient of the scalar f(inputs) computed by Grad
// with central finite differences, in float64. f may itself call Grad with
// createGraph, which turns this into a second-order check.
func CheckGrad(f func(xs []*Var) *Var, inputs ...*tensor.Tensor) error {
	xs := make([]*Var, len(inputs))
	for i, t := range inputs {
		if t.DType() != tensor.Float64 {
			return fmt.Errorf("gradcheck: input %d is %v, want float64", i, t.DType())
		}
		xs[i] = Leaf(t)
	}
	var y *Var
	if err := tensor.Catch(func() { y = f(xs) }); err != nil {
		return err
	}
	if y.Value.Len() != 1 {
		return fmt.Errorf("gradcheck: f returned shape %v, want a scalar", y.Shape())
	}
	grads, err := Grad([]*Var{y}, xs, nil, false)
	if err != nil {
		return err
	}
	for i, t := range inputs {
		for j := 0; j < t.Len(); j++ {
			orig := t.At(j)
			t.SetAt(j, orig+GradCheckEps)
			fp := evalScalar(f, inputs)
			t.SetAt(j, orig-GradCheckEps)
			fm := evalScalar(f, inputs)
			t.SetAt(j, orig)
			num := (fp - fm) / (2 * GradCheckEps)
			got := grads[i].Value.At(j)
			if !close(got, num, GradCheckTol) {
				return fmt.Errorf("gradcheck: input %d element %d: autograd %.10g, finite difference %.10g", i, j, got, num)
			}
		}
	}
	return nil
}

func evalScalar(f func([]*Var) *Var, inputs []*tensor.Tensor) float64 {
	xs := make([]*Var, len(inputs))
	for i, t := range inputs {
		xs[i] = Leaf(t)
	}
	return f(xs).Value.Item()
}

// close compares with a relative tolerance that falls back to absolute near 0.
func close(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}
