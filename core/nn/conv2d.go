package nn

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// conv holds what Conv2D and Conv2DTranspose share: the window, strides,
// padding, activation, bias and initializers.
type conv struct {
	Base
	filters      int
	kernelSize   []int
	strides      []int
	padding      string
	activation   string
	act          func(*autograd.Var) *autograd.Var
	useBias      bool
	kernelInit   Initializer
	biasInit     Initializer
	kernel, bias *Weight
}

var convKeys = []string{"kernel_size", "strides", "padding", "activation", "use_bias", "kernel_initializer", "bias_initializer"}

func newConv(class string, filters, kernelSize int, opts []Option) conv {
	c := conv{Base: NewBase(class), filters: filters}
	a := &args{kernelSize: []int{kernelSize}, strides: []int{1}, padding: "valid", useBias: true, kernelInit: GlorotUniform(), biasInit: Zeros()}
	parseArgs(&c.Base, a, convKeys, opts)
	c.padding, c.activation, c.useBias, c.kernelInit, c.biasInit = a.padding, a.activation, a.useBias, a.kernelInit, a.biasInit
	if filters <= 0 {
		c.configErr("filters must be positive, got %d", filters)
	}
	var err error
	if c.kernelSize, err = pair(a.kernelSize); err != nil || c.kernelSize[0] < 1 || c.kernelSize[1] < 1 {
		c.configErr("kernel_size %v: want one or two positive values", a.kernelSize)
	}
	if c.strides, err = pair(a.strides); err != nil || c.strides[0] < 1 || c.strides[1] < 1 {
		c.configErr("strides %v: want one or two positive values", a.strides)
	}
	if c.padding != "same" && c.padding != "valid" {
		c.configErr("padding %q: want \"same\" or \"valid\"", c.padding)
	}
	if c.act, err = activationFunc(a.activation); err != nil {
		c.configErr("%v", err)
	}
	return c
}

// checkInput validates an NHWC input against the built kernel, whose input
// channels sit on kernel axis inAxis.
func (c *conv) checkInput(in []int, inAxis int) error {
	if err := c.checkRank(in, 4, 4); err != nil {
		return err
	}
	if c.kernel != nil && in[3] != c.kernel.Shape()[inAxis] {
		return c.errorf("input shape %v: %d channels, but the layer was built for %d", in, in[3], c.kernel.Shape()[inAxis])
	}
	return nil
}

// biasVar returns the bias weight's Var, nil without a bias.
func (c *conv) biasVar() *autograd.Var {
	if c.bias == nil {
		return nil
	}
	return c.bias.Var
}

func (c *conv) config() map[string]any {
	return withBase(&c.Base, map[string]any{
		"filters": c.filters, "kernel_size": c.kernelSize, "strides": c.strides, "padding": c.padding,
		"activation": orLinear(c.activation), "use_bias": c.useBias,
		"kernel_initializer": c.kernelInit.Config(), "bias_initializer": c.biasInit.Config(),
	})
}

func (c *conv) kernelWeight() *Weight { return c.kernel }

// Conv2D is keras.layers.Conv2D over NHWC images, kernel (kh, kw, in,
// filters), TensorFlow "same" padding.
type Conv2D struct{ conv }

// NewConv2D returns Conv2D(filters, kernel_size); options: Strides,
// Padding, Activation, UseBias, KernelSize, KernelInitializer,
// BiasInitializer.
func NewConv2D(filters, kernelSize int, opts ...Option) *Conv2D {
	return &Conv2D{newConv("Conv2D", filters, kernelSize, opts)}
}

func (l *Conv2D) params(in []int) (tensor.Conv2DParams, int, int, error) {
	if err := l.checkInput(in, 2); err != nil {
		return tensor.Conv2DParams{}, 0, 0, err
	}
	p, err := tensor.ConvParams(in[1], in[2], l.kernelSize[0], l.kernelSize[1], l.strides[0], l.strides[1], l.padding)
	if err != nil {
		return p, 0, 0, l.errorf("input shape %v: %w", in, err)
	}
	oh, ow := tensor.Conv2DOutSize(in[1], in[2], l.kernelSize[0], l.kernelSize[1], p)
	if oh < 1 || ow < 1 {
		return p, 0, 0, l.errorf("input shape %v: kernel %v does not fit with padding %q", in, l.kernelSize, l.padding)
	}
	return p, oh, ow, nil
}

// OutputShape returns (n, oh, ow, filters).
func (l *Conv2D) OutputShape(in []int) ([]int, error) {
	_, oh, ow, err := l.params(in)
	if err != nil {
		return nil, err
	}
	return []int{in[0], oh, ow, l.filters}, nil
}

// Build creates kernel (kh, kw, in, filters) and bias (filters).
func (l *Conv2D) Build(in []int) error {
	return l.build(l, in, func(in []int) {
		l.kernel = l.AddWeight("kernel", []int{l.kernelSize[0], l.kernelSize[1], in[3], l.filters}, l.kernelInit, true)
		if l.useBias {
			l.bias = l.AddWeight("bias", []int{l.filters}, l.biasInit, true)
		}
	})
}

// Call convolves x (n, h, w, in).
func (l *Conv2D) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var { return l.apply(x, l.kernel.Var) })
}

func (l *Conv2D) apply(x, k *autograd.Var) *autograd.Var {
	p, _, _, err := l.params(x.Shape())
	if err != nil {
		panic(&tensor.Error{Op: "conv2d", Msg: err.Error()})
	}
	if b := l.biasVar(); b != nil {
		return l.act(autograd.Conv2DBias(x, k, b, p))
	}
	return l.act(autograd.Conv2D(x, k, p))
}

// fusesRectifier reports whether a following rectifier can be applied
// inside the convolution: only without an activation of its own.
func (l *Conv2D) fusesRectifier() bool { return l.activation == "" || l.activation == "linear" }

// callRectified is Call followed by a rectifier of slope ≥ 0, applied to
// each chunk of the output as it is computed.
func (l *Conv2D) callRectified(x *autograd.Var, training bool, slope float64) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var {
		p, _, _, err := l.params(x.Shape())
		if err != nil {
			panic(&tensor.Error{Op: "conv2d", Msg: err.Error()})
		}
		return autograd.Conv2DBiasLeakyRelu(x, l.kernel.Var, l.biasVar(), p, slope)
	})
}

// Config returns Keras's Conv2D arguments.
func (l *Conv2D) Config() map[string]any { return l.config() }

func (l *Conv2D) String() string {
	in := "?"
	if l.kernel != nil {
		in = fmt.Sprint(l.kernel.Shape()[2])
	}
	return fmt.Sprintf("Conv2D(%s -> %d, %dx%d, strides %dx%d, %s)", in, l.filters, l.kernelSize[0], l.kernelSize[1], l.strides[0], l.strides[1], l.padding)
}

// Conv2DTranspose is keras.layers.Conv2DTranspose: the adjoint of the
// Conv2D with the same window, kernel (kh, kw, filters, in); "same" gives
// out = in·s, "valid" out = in·s + max(k - s, 0).
type Conv2DTranspose struct{ conv }

// NewConv2DTranspose returns Conv2DTranspose(filters, kernel_size); options
// as NewConv2D.
func NewConv2DTranspose(filters, kernelSize int, opts ...Option) *Conv2DTranspose {
	return &Conv2DTranspose{newConv("Conv2DTranspose", filters, kernelSize, opts)}
}

func (l *Conv2DTranspose) params(in []int) (tensor.Conv2DParams, int, int, error) {
	if err := l.checkInput(in, 3); err != nil {
		return tensor.Conv2DParams{}, 0, 0, err
	}
	p, oh, ow, err := tensor.ConvTransposeParams(in[1], in[2], l.kernelSize[0], l.kernelSize[1], l.strides[0], l.strides[1], l.padding)
	if err != nil {
		return p, 0, 0, l.errorf("input shape %v: %w", in, err)
	}
	return p, oh, ow, nil
}

// OutputShape returns (n, oh, ow, filters).
func (l *Conv2DTranspose) OutputShape(in []int) ([]int, error) {
	_, oh, ow, err := l.params(in)
	if err != nil {
		return nil, err
	}
	return []int{in[0], oh, ow, l.filters}, nil
}

// Build creates kernel (kh, kw, filters, in) and bias (filters).
func (l *Conv2DTranspose) Build(in []int) error {
	return l.build(l, in, func(in []int) {
		l.kernel = l.AddWeight("kernel", []int{l.kernelSize[0], l.kernelSize[1], l.filters, in[3]}, l.kernelInit, true)
		if l.useBias {
			l.bias = l.AddWeight("bias", []int{l.filters}, l.biasInit, true)
		}
	})
}

// Call applies the transposed convolution to x (n, h, w, in).
func (l *Conv2DTranspose) Call(x *autograd.Var, training bool) (*autograd.Var, error) {
	return l.run(l, x, func() *autograd.Var { return l.apply(x, l.kernel.Var) })
}

func (l *Conv2DTranspose) apply(x, k *autograd.Var) *autograd.Var {
	p, oh, ow, err := l.params(x.Shape())
	if err != nil {
		panic(&tensor.Error{Op: "conv2d_transpose", Msg: err.Error()})
	}
	if b := l.biasVar(); b != nil {
		return l.act(autograd.Conv2DTransposeBias(x, k, b, p, oh, ow))
	}
	return l.act(autograd.Conv2DTranspose(x, k, p, oh, ow))
}

// Config returns Keras's Conv2DTranspose arguments.
func (l *Conv2DTranspose) Config() map[string]any { return l.config() }

func (l *Conv2DTranspose) String() string {
	in := "?"
	if l.kernel != nil {
		in = fmt.Sprint(l.kernel.Shape()[3])
	}
	return fmt.Sprintf("Conv2DTranspose(%s -> %d, %dx%d, strides %dx%d, %s)", in, l.filters, l.kernelSize[0], l.kernelSize[1], l.strides[0], l.strides[1], l.padding)
}
