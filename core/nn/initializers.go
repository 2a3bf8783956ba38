package nn

import (
	"fmt"
	"math"

	"github.com/ganlab/ganlab/core/tensor"
)

// Initializer draws a weight's initial value, as keras.initializers.
type Initializer interface {
	// Init returns a tensor of shape drawn from rng.
	Init(rng *tensor.RNG, dtype tensor.DType, shape []int) *tensor.Tensor
	// Config returns {"class_name": ..., "config": {...}} as Keras.
	Config() map[string]any
}

// fans returns Keras's fan_in and fan_out: a conv kernel's receptive field
// times its input (second to last) and output (last) axes.
func fans(shape []int) (fanIn, fanOut float64) {
	switch len(shape) {
	case 0:
		return 1, 1
	case 1:
		return float64(shape[0]), float64(shape[0])
	}
	r := float64(tensor.Numel(shape[:len(shape)-2]))
	return float64(shape[len(shape)-2]) * r, float64(shape[len(shape)-1]) * r
}

// truncatedStdScale is the stddev of a standard normal truncated to [-2, 2];
// VarianceScaling divides by it so the truncated draws have the wanted
// variance.
const truncatedStdScale = 0.87962566103423978

// varianceScaling is Keras's VarianceScaling, behind the Glorot and He
// initializers.
type varianceScaling struct {
	class  string
	scale  float64
	mode   string // fan_in, fan_out, fan_avg
	normal bool   // truncated normal; uniform otherwise
}

func (v varianceScaling) Init(rng *tensor.RNG, dtype tensor.DType, shape []int) *tensor.Tensor {
	fi, fo := fans(shape)
	n := map[string]float64{"fan_in": fi, "fan_out": fo, "fan_avg": (fi + fo) / 2}[v.mode]
	n = math.Max(1, n)
	if v.normal {
		return rng.TruncatedNormal(dtype, 0, math.Sqrt(v.scale/n)/truncatedStdScale, shape...)
	}
	limit := math.Sqrt(3 * v.scale / n)
	return rng.Uniform(dtype, -limit, limit, shape...)
}

func (v varianceScaling) Config() map[string]any {
	return map[string]any{"class_name": v.class, "config": map[string]any{}}
}

// GlorotUniform draws from U(-l, l), l = sqrt(6/(fan_in+fan_out)): Keras's
// default kernel initializer.
func GlorotUniform() Initializer { return varianceScaling{"GlorotUniform", 1, "fan_avg", false} }

// GlorotNormal draws from a truncated normal of stddev
// sqrt(2/(fan_in+fan_out)).
func GlorotNormal() Initializer { return varianceScaling{"GlorotNormal", 1, "fan_avg", true} }

// HeNormal draws from a truncated normal of stddev sqrt(2/fan_in).
func HeNormal() Initializer { return varianceScaling{"HeNormal", 2, "fan_in", true} }

// HeUniform draws from U(-l, l), l = sqrt(6/fan_in).
func HeUniform() Initializer { return varianceScaling{"HeUniform", 2, "fan_in", false} }

type randomNormal struct{ mean, stddev float64 }

// RandomNormal draws from N(mean, stddev²); DCGAN uses RandomNormal(0, 0.02).
func RandomNormal(mean, stddev float64) Initializer { return randomNormal{mean, stddev} }

func (r randomNormal) Init(rng *tensor.RNG, dtype tensor.DType, shape []int) *tensor.Tensor {
	return rng.Normal(dtype, r.mean, r.stddev, shape...)
}

func (r randomNormal) Config() map[string]any {
	return map[string]any{"class_name": "RandomNormal", "config": map[string]any{"mean": r.mean, "stddev": r.stddev}}
}

type truncatedNormal struct{ mean, stddev float64 }

// TruncatedNormal draws from N(mean, stddev²), redrawing beyond two stddevs.
func TruncatedNormal(mean, stddev float64) Initializer { return truncatedNormal{mean, stddev} }

func (r truncatedNormal) Init(rng *tensor.RNG, dtype tensor.DType, shape []int) *tensor.Tensor {
	return rng.TruncatedNormal(dtype, r.mean, r.stddev, shape...)
}

func (r truncatedNormal) Config() map[string]any {
	return map[string]any{"class_name": "TruncatedNormal", "config": map[string]any{"mean": r.mean, "stddev": r.stddev}}
}

type randomUniform struct{ lo, hi float64 }

// RandomUniform draws from U(minval, maxval).
func RandomUniform(minval, maxval float64) Initializer { return randomUniform{minval, maxval} }

func (r randomUniform) Init(rng *tensor.RNG, dtype tensor.DType, shape []int) *tensor.Tensor {
	return rng.Uniform(dtype, r.lo, r.hi, shape...)
}

func (r randomUniform) Config() map[string]any {
	return map[string]any{"class_name": "RandomUniform", "config": map[string]any{"minval": r.lo, "maxval": r.hi}}
}

type constant struct {
	class string
	value float64
}

// Zeros fills with 0.
func Zeros() Initializer { return constant{"Zeros", 0} }

// Ones fills with 1.
func Ones() Initializer { return constant{"Ones", 1} }

// Constant fills with value.
func Constant(value float64) Initializer { return constant{"Constant", value} }

func (c constant) Init(_ *tensor.RNG, dtype tensor.DType, shape []int) *tensor.Tensor {
	return tensor.Full(dtype, c.value, shape...)
}

func (c constant) Config() map[string]any {
	cfg := map[string]any{}
	if c.class == "Constant" {
		cfg["value"] = c.value
	}
	return map[string]any{"class_name": c.class, "config": cfg}
}

// InitializerByName returns the initializer Keras names by a string, with
// Keras's default arguments (random_normal: stddev 0.05).
func InitializerByName(name string) (Initializer, error) {
	switch name {
	case "glorot_uniform":
		return GlorotUniform(), nil
	case "glorot_normal":
		return GlorotNormal(), nil
	case "he_normal":
		return HeNormal(), nil
	case "he_uniform":
		return HeUniform(), nil
	case "random_normal":
		return RandomNormal(0, 0.05), nil
	case "truncated_normal":
		return TruncatedNormal(0, 0.05), nil
	case "random_uniform":
		return RandomUniform(-0.05, 0.05), nil
	case "zeros":
		return Zeros(), nil
	case "ones":
		return Ones(), nil
	}
	return nil, fmt.Errorf("unknown initializer %q (want glorot_uniform, glorot_normal, he_normal, he_uniform, random_normal, truncated_normal, random_uniform, zeros or ones)", name)
}
