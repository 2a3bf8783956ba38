package nn

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
)

// UpSampling2D is keras.layers.UpSampling2D: (n, h, w, c) → (n, h·sh, w·sw,
// c) by "nearest" repetition or "bilinear" interpolation.
type UpSampling2D struct {
	Base
	size          []int
	interpolation string
}

// NewUpSampling2D returns UpSampling2D(); options: Size (default 2),
// Interpolation ("nearest").
func NewUpSampling2D(opts ...Option) *UpSampling2D {
	l := &UpSampling2D{Base: NewBase("UpSampling2D")}
	a := &args{size: []int{2}, interpolation: "nearest"}
	parseArgs(&l.Base, a, []string{"size", "interpolation"}, opts)
	var err error
	if l.size, err = pair(a.size); err != nil || l.size[0] < 1 || l.size[1] < 1 {
		l.configErr("size %v: want one or two positive values", a.size)
	}
	l.interpolation = a.interpolation
	if a.interpolation != "nearest" && a.interpolation != "bilinear" {
		l.configErr("interpolation %q: want \"nearest\" or \"bilinear\"", a.interpolation)
	}
	return l
}

// OutputShape returns (n, h·sh, w·sw, c).
func (l *UpSampling2D) OutputShape(in []int) ([]int, error) {
	if err := l.checkRank(in, 4, 4); err != nil {
		return nil, err
	}
	return []int{in[0], in[1] * l.size[0], in[2] * l.size[1], in[3]}, nil
}

// Build checks the input shape; the layer has no weights.
func (l *UpSampling2D) Build(in []int) error { return l.build(l, in, func([]int) {}) }

// Call upsamples x.
func (l *UpSampling2D) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		return autograd.UpSampling2D(x, l.size[0], l.size[1], l.interpolation)
	})
}

// Config returns {"size", "interpolation"}.
func (l *UpSampling2D) Config() map[string]any {
	return withBase(&l.Base, map[string]any{"size": l.size, "interpolation": l.interpolation})
}

func (l *UpSampling2D) String() string {
	return fmt.Sprintf("UpSampling2D(%dx%d, %s)", l.size[0], l.size[1], l.interpolation)
}
