package nn

import (
	"fmt"
	"slices"

	"github.com/ganlab/ganlab/core/tensor"
)

// Option sets one Keras keyword argument of a layer constructor, e.g.
// Strides(2) for strides=2. A constructor given an argument its Keras class
// does not take records an error that Build and Call report, as Keras
// rejects unknown keyword arguments.
type Option struct {
	key string // the Keras argument name
	set func(*args)
}

// args holds every keyword argument any layer takes; each constructor sets
// its Keras defaults, applies the options and reads what it needs.
type args struct {
	name           string
	trainable      bool
	dtype          tensor.DType
	dtypeSet       bool
	seed           uint64
	seedSet        bool
	activation     string
	useBias        bool
	kernelInit     Initializer
	biasInit       Initializer
	gammaInit      Initializer
	betaInit       Initializer
	movingMeanInit Initializer
	movingVarInit  Initializer
	embeddingsInit Initializer
	kernelSize     []int
	strides        []int
	padding        string
	poolSize       []int
	size           []int
	interpolation  string
	axis           []int
	momentum       float64
	epsilon        float64
	center         bool
	scale          bool
	negativeSlope  float64
	powerIters     int
	given          []string
}

// commonKeys are the arguments every layer takes.
var commonKeys = []string{"name", "trainable", "dtype", "seed"}

// parseArgs applies opts over a's defaults and records an error on b for
// any argument not in allowed (or commonKeys).
func parseArgs(b *Base, a *args, allowed []string, opts []Option) {
	a.trainable = true
	for _, o := range opts {
		if o.set == nil {
			continue
		}
		if !slices.Contains(allowed, o.key) && !slices.Contains(commonKeys, o.key) {
			b.configErr("unexpected argument %s (this layer takes %v)", o.key, allowed)
			continue
		}
		o.set(a)
		a.given = append(a.given, o.key)
	}
	if a.name != "" {
		b.SetName(a.name)
	}
	b.trainable = a.trainable
	if a.dtypeSet {
		b.SetDType(a.dtype)
	}
	if a.seedSet {
		b.rng = tensor.NewRNG(a.seed, 0)
	}
}

func (a *args) has(key string) bool { return slices.Contains(a.given, key) }

// pair expands Keras's int-or-tuple arguments: one value for both axes.
func pair(v []int) ([]int, error) {
	switch len(v) {
	case 1:
		return []int{v[0], v[0]}, nil
	case 2:
		return v, nil
	}
	return nil, fmt.Errorf("want 1 or 2 values, got %v", v)
}

// Name sets the layer's name (Keras name=).
func Name(name string) Option { return Option{"name", func(a *args) { a.name = name }} }

// Trainable sets whether the layer is trained (Keras trainable=).
func Trainable(on bool) Option { return Option{"trainable", func(a *args) { a.trainable = on }} }

// DType sets the element type of the layer's weights (Keras dtype=);
// float32 unless set, float64 for gradient checks.
func DType(d tensor.DType) Option {
	return Option{"dtype", func(a *args) { a.dtype, a.dtypeSet = d, true }}
}

// Seed gives the layer its own random stream (Keras seed=), instead of the
// Split its model would hand it.
func Seed(seed uint64) Option {
	return Option{"seed", func(a *args) { a.seed, a.seedSet = seed, true }}
}

// Activation sets the activation applied after the layer (Keras
// activation=): "relu", "sigmoid", "tanh", ...; "" or "linear" for none.
func Activation(name string) Option {
	return Option{"activation", func(a *args) { a.activation = name }}
}

// UseBias sets whether the layer adds a bias (Keras use_bias=).
func UseBias(on bool) Option { return Option{"use_bias", func(a *args) { a.useBias = on }} }

// KernelInitializer sets kernel_initializer.
func KernelInitializer(i Initializer) Option {
	return Option{"kernel_initializer", func(a *args) { a.kernelInit = i }}
}

// BiasInitializer sets bias_initializer.
func BiasInitializer(i Initializer) Option {
	return Option{"bias_initializer", func(a *args) { a.biasInit = i }}
}

// GammaInitializer sets gamma_initializer of a normalization layer.
func GammaInitializer(i Initializer) Option {
	return Option{"gamma_initializer", func(a *args) { a.gammaInit = i }}
}

// BetaInitializer sets beta_initializer of a normalization layer.
func BetaInitializer(i Initializer) Option {
	return Option{"beta_initializer", func(a *args) { a.betaInit = i }}
}

// MovingMeanInitializer sets BatchNormalization's moving_mean_initializer.
func MovingMeanInitializer(i Initializer) Option {
	return Option{"moving_mean_initializer", func(a *args) { a.movingMeanInit = i }}
}

// MovingVarianceInitializer sets BatchNormalization's
// moving_variance_initializer.
func MovingVarianceInitializer(i Initializer) Option {
	return Option{"moving_variance_initializer", func(a *args) { a.movingVarInit = i }}
}

// EmbeddingsInitializer sets Embedding's embeddings_initializer.
func EmbeddingsInitializer(i Initializer) Option {
	return Option{"embeddings_initializer", func(a *args) { a.embeddingsInit = i }}
}

// KernelSize sets a non-square kernel_size=(kh, kw), overriding the
// constructor's square size.
func KernelSize(kh, kw int) Option {
	return Option{"kernel_size", func(a *args) { a.kernelSize = []int{kh, kw} }}
}

// Strides sets strides: one value for both axes or (sh, sw).
func Strides(s ...int) Option {
	return Option{"strides", func(a *args) { a.strides = slices.Clone(s) }}
}

// Padding sets padding: "valid" or "same" (TensorFlow's "same").
func Padding(p string) Option { return Option{"padding", func(a *args) { a.padding = p }} }

// PoolSize sets a pooling layer's pool_size: one value or (ph, pw).
func PoolSize(s ...int) Option {
	return Option{"pool_size", func(a *args) { a.poolSize = slices.Clone(s) }}
}

// Size sets UpSampling2D's size: one value or (sh, sw).
func Size(s ...int) Option { return Option{"size", func(a *args) { a.size = slices.Clone(s) }} }

// Interpolation sets UpSampling2D's interpolation: "nearest" or "bilinear".
func Interpolation(mode string) Option {
	return Option{"interpolation", func(a *args) { a.interpolation = mode }}
}

// Axis sets the axis (or axes, for LayerNormalization) a layer works on.
func Axis(axes ...int) Option {
	return Option{"axis", func(a *args) { a.axis = slices.Clone(axes) }}
}

// Momentum sets BatchNormalization's momentum (default 0.99).
func Momentum(m float64) Option { return Option{"momentum", func(a *args) { a.momentum = m }} }

// Epsilon sets a normalization layer's epsilon (default 1e-3).
func Epsilon(e float64) Option { return Option{"epsilon", func(a *args) { a.epsilon = e }} }

// Center sets whether a normalization layer adds beta (default true).
func Center(on bool) Option { return Option{"center", func(a *args) { a.center = on }} }

// Scale sets whether a normalization layer multiplies by gamma (default
// true).
func Scale(on bool) Option { return Option{"scale", func(a *args) { a.scale = on }} }

// NegativeSlope sets ReLU's negative_slope.
func NegativeSlope(s float64) Option {
	return Option{"negative_slope", func(a *args) { a.negativeSlope = s }}
}

// PowerIterations sets SpectralNormalization's power_iterations (default 1).
func PowerIterations(n int) Option {
	return Option{"power_iterations", func(a *args) { a.powerIters = n }}
}
