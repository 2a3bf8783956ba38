package nn

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
)

// SelfAttention is SAGAN's self-attention block (Zhang et al. 2019) over
// NHWC feature maps of C channels (C a multiple of 8):
//
//	f = x·Wf (C/8), g = x·Wg (C/8), h = x·Wh (C/2)   1×1 convolutions
//	β = softmax over positions j of f_i·g_j         (HW × HW per sample)
//	o = (β·h)·Wo (back to C)                         1×1 convolution
//	y = x + γ·o, γ initialised to 0
//
// The channel split C/8, C/8, C/2 follows the BigGAN/SAGAN reference code.
// Unlike that code, the g and h branches are not max-pooled (an optional
// memory saving) and the 1×1 convolutions have no bias. Keras has no such
// layer; weights are named f_kernel, g_kernel, h_kernel, o_kernel, gamma.
type SelfAttention struct {
	Base
	kernelInit Initializer
	f, g, h, o *Weight
	gamma      *Weight
	channels   int
}

// NewSelfAttention returns the SAGAN attention block; option
// KernelInitializer (default glorot_uniform).
func NewSelfAttention(opts ...Option) *SelfAttention {
	l := &SelfAttention{Base: NewBase("SelfAttention")}
	a := &args{kernelInit: GlorotUniform()}
	parseArgs(&l.Base, a, []string{"kernel_initializer"}, opts)
	l.kernelInit = a.kernelInit
	return l
}

// OutputShape returns the input shape.
func (l *SelfAttention) OutputShape(in []int) ([]int, error) {
	if err := l.checkRank(in, 4, 4); err != nil {
		return nil, err
	}
	if in[3]%8 != 0 {
		return nil, l.errorf("input shape %v: channels must be a multiple of 8", in)
	}
	if l.channels != 0 && in[3] != l.channels {
		return nil, l.errorf("input shape %v: %d channels, but the layer was built for %d", in, in[3], l.channels)
	}
	return append([]int(nil), in...), nil
}

// Build creates the four 1×1 kernels and gamma.
func (l *SelfAttention) Build(in []int) error {
	return l.build(l, in, func(in []int) {
		c := in[3]
		l.f = l.AddWeight("f_kernel", []int{1, 1, c, c / 8}, l.kernelInit, true)
		l.g = l.AddWeight("g_kernel", []int{1, 1, c, c / 8}, l.kernelInit, true)
		l.h = l.AddWeight("h_kernel", []int{1, 1, c, c / 2}, l.kernelInit, true)
		l.o = l.AddWeight("o_kernel", []int{1, 1, c / 2, c}, l.kernelInit, true)
		l.gamma = l.AddWeight("gamma", []int{1}, Zeros(), true)
		l.channels = c
	})
}

// Call adds the attention output to x.
func (l *SelfAttention) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		s := x.Shape()
		n, p, c := s[0], s[1]*s[2], s[3]
		flat := autograd.Reshape(x, n*p, c)
		proj := func(w *Weight, out int) *autograd.Var { // a 1×1 convolution
			k := autograd.Reshape(w.Var, w.Shape()[2], out)
			return autograd.Reshape(autograd.MatMul(flat, k, false, false), n, p, out)
		}
		f, g, h := proj(l.f, c/8), proj(l.g, c/8), proj(l.h, c/2)
		beta := autograd.Softmax(autograd.MatMul(f, g, false, true), -1) // (n, p, p)
		att := autograd.Reshape(autograd.MatMul(beta, h, false, false), n*p, c/2)
		o := autograd.MatMul(att, autograd.Reshape(l.o.Var, c/2, c), false, false)
		return autograd.Add(x, autograd.Mul(l.gamma.Var, autograd.Reshape(o, s...)))
	})
}

// Config returns {"kernel_initializer": ...}.
func (l *SelfAttention) Config() map[string]any {
	return withBase(&l.Base, map[string]any{"kernel_initializer": l.kernelInit.Config()})
}

func (l *SelfAttention) String() string { return fmt.Sprintf("SelfAttention(%d channels)", l.channels) }
