package nn

import (
	"fmt"
	"math"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// kernelLayer is a layer SpectralNormalization can wrap: it exposes its
// kernel and can run with a replacement for it.
type kernelLayer interface {
	Layer
	kernelWeight() *Weight
	apply(x, k *autograd.Var) *autograd.Var
}

// SpectralNormalization is keras.layers.SpectralNormalization(layer,
// power_iterations): the wrapped layer (Dense, Conv2D, Conv2DTranspose,
// Embedding) runs with W/σ, σ the largest singular value of its kernel
// reshaped to (-1, last axis), estimated by power iteration from the
// non-trainable vector_u (1, last axis).
//
// In training each call runs power_iterations steps without gradient (u
// and v are constants, as Keras's stop_gradient), stores the new u, and
// uses σ = v·W·uᵀ, which stays differentiable through W, so gradient
// penalties see W/σ(W). At inference u is not updated.
//
// NOTE: Keras 3 assigns W/σ back into the kernel variable during training;
// ganlab keeps the raw W as the variable and divides in the graph (as the
// paper, TF-Addons and PyTorch do), so the optimizer updates W and the
// gradient includes σ's dependence on W.
type SpectralNormalization struct {
	Base
	layer kernelLayer
	iters int
	u     *Weight
}

// NewSpectralNormalization wraps layer; option PowerIterations (default 1).
func NewSpectralNormalization(layer Layer, opts ...Option) *SpectralNormalization {
	l := &SpectralNormalization{Base: NewBase("SpectralNormalization")}
	a := &args{powerIters: 1}
	parseArgs(&l.Base, a, []string{"power_iterations"}, opts)
	l.iters = a.powerIters
	if a.powerIters <= 0 {
		l.configErr("power_iterations must be greater than zero, got %d", a.powerIters)
	}
	kl, ok := layer.(kernelLayer)
	if !ok || baseOf(layer) == nil {
		l.configErr("cannot wrap %v: it has no kernel nor embeddings", layer)
		return l
	}
	l.layer = kl
	if b := baseOf(layer); b.parent == nil {
		b.parent = &l.Base
	}
	return l
}

// Layer returns the wrapped layer.
func (l *SpectralNormalization) Layer() Layer { return l.layer }

// OutputShape is the wrapped layer's.
func (l *SpectralNormalization) OutputShape(in []int) ([]int, error) {
	if l.err != nil {
		return nil, l.err
	}
	return l.layer.OutputShape(in)
}

// Build builds the wrapped layer, then vector_u.
func (l *SpectralNormalization) Build(in []int) error {
	if l.err != nil {
		return l.err
	}
	if !l.built {
		ib := baseOf(l.layer)
		if ib.rng == nil {
			if l.rng == nil {
				l.rng = tensor.NewRNG(0, 0)
			}
			ib.rng = l.rng.Split()
		}
		if !ib.built && !ib.dtypeSet {
			ib.SetDType(l.dtype)
		}
		if err := l.layer.Build(in); err != nil {
			return err
		}
	}
	return l.build(l, in, func([]int) {
		ks := l.layer.kernelWeight().Shape()
		l.dtype = l.layer.kernelWeight().Value().DType()
		l.u = l.AddWeight("vector_u", []int{1, ks[len(ks)-1]}, TruncatedNormal(0, 0.02), false)
	})
}

// Call runs the wrapped layer with its normalised kernel.
func (l *SpectralNormalization) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var { return l.layer.apply(x, l.normalized(training)) })
}

// normalized returns W/σ shaped as the kernel.
func (l *SpectralNormalization) normalized(training bool) *autograd.Var {
	k := l.layer.kernelWeight().Var
	ks := k.Shape()
	w := autograd.Reshape(k, -1, ks[len(ks)-1])
	if allZero(k.Value) {
		return k // σ = 0: Keras leaves the kernel as it is
	}
	u := l.u.Value()
	var v *tensor.Tensor
	iters := l.iters
	if !training {
		iters = 1
	}
	for range iters {
		v = l2normalize(tensor.MatMul(u, w.Value, false, true))
		if training {
			u = l2normalize(tensor.MatMul(v, w.Value, false, false))
		}
	}
	if training {
		l.u.Value().CopyFrom(u)
	}
	sigma := autograd.MatMul(autograd.MatMul(autograd.Const(v), w, false, false), autograd.Const(u), false, true)
	return autograd.Reshape(autograd.Div(w, sigma), ks...)
}

func l2normalize(x *tensor.Tensor) *tensor.Tensor {
	n := 0.0
	for i := 0; i < x.Len(); i++ {
		n += x.At(i) * x.At(i)
	}
	return tensor.Scale(x, 1/math.Sqrt(math.Max(n, 1e-12)))
}

func allZero(t *tensor.Tensor) bool {
	for i := 0; i < t.Len(); i++ {
		if t.At(i) != 0 {
			return false
		}
	}
	return true
}

// Weights returns vector_u, then the wrapped layer's weights (Keras's
// order: own variables, then sublayers').
func (l *SpectralNormalization) Weights() []*Weight {
	if l.layer == nil {
		return nil
	}
	return append(l.Base.Weights(), l.layer.Weights()...)
}

// SetTrainable freezes or unfreezes the wrapper and the wrapped layer.
func (l *SpectralNormalization) SetTrainable(on bool) {
	l.Base.SetTrainable(on)
	if l.layer != nil {
		l.layer.SetTrainable(on)
	}
}

// Config returns {"layer": its config, "power_iterations": ...}.
func (l *SpectralNormalization) Config() map[string]any {
	cfg := map[string]any{"power_iterations": l.iters}
	if l.layer != nil {
		cfg["layer"] = map[string]any{"class_name": baseOf(l.layer).class, "config": l.layer.Config()}
	}
	return withBase(&l.Base, cfg)
}

func (l *SpectralNormalization) String() string {
	return fmt.Sprintf("SpectralNormalization(%v)", l.layer)
}
