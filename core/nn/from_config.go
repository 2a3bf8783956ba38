package nn

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ganlab/ganlab/core/tensor"
)

// FromConfig builds a layer from its Keras class name and a config keyed by
// Keras argument names, as a Lua table or a saved Config() gives it:
// FromConfig("Conv2D", {"filters": 64, "kernel_size": 3, "strides": 2,
// "padding": "same"}). Numbers may be int or float64, tuples []int or
// []any; initializers a name, an Initializer, or Keras's
// {"class_name", "config"} map. Unknown classes and arguments are errors.
func FromConfig(class string, cfg map[string]any) (Layer, error) {
	c := configReader{class: class, cfg: cfg, used: map[string]bool{}}
	l := c.construct()
	if c.err != nil {
		return nil, c.err
	}
	var unused []string
	for k := range cfg {
		if !c.used[k] {
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return nil, fmt.Errorf("%s: unexpected arguments %s", class, strings.Join(unused, ", "))
	}
	if b := baseOf(l); b != nil && b.err != nil {
		return nil, b.err
	}
	return l, nil
}

// LayerClasses lists the class names FromConfig knows.
func LayerClasses() []string {
	return []string{"Activation", "AveragePooling2D", "BatchNormalization", "Concatenate", "Conv2D", "Conv2DTranspose",
		"Dense", "Dropout", "Embedding", "Flatten", "GlobalAveragePooling2D", "GlobalMaxPooling2D", "GroupNormalization",
		"InputLayer", "LayerNormalization", "LeakyReLU", "MaxPooling2D", "ReLU", "ReflectionPadding2D", "Reshape",
		"SelfAttention", "SpectralNormalization", "UpSampling2D", "ZeroPadding2D"}
}

type configReader struct {
	class string
	cfg   map[string]any
	used  map[string]bool
	err   error
}

func (c *configReader) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%s: %s", c.class, fmt.Sprintf(format, args...))
	}
}

func (c *configReader) get(key string) (any, bool) {
	v, ok := c.cfg[key]
	if ok {
		c.used[key] = true
	}
	return v, ok && v != nil
}

func (c *configReader) intArg(key string, def int, required bool) int {
	v, ok := c.get(key)
	if !ok {
		if required {
			c.fail("missing argument %s", key)
		}
		return def
	}
	n, err := toInt(v)
	if err != nil {
		c.fail("%s: %v", key, err)
	}
	return n
}

func (c *configReader) floatArg(key string, def float64, required bool) float64 {
	v, ok := c.get(key)
	if !ok {
		if required {
			c.fail("missing argument %s", key)
		}
		return def
	}
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	}
	c.fail("%s: want a number, got %T", key, v)
	return def
}

func (c *configReader) intsArg(key string, def []int, required bool) []int {
	v, ok := c.get(key)
	if !ok {
		if required {
			c.fail("missing argument %s", key)
		}
		return def
	}
	out, err := toInts(v)
	if err != nil {
		c.fail("%s: %v", key, err)
	}
	return out
}

func toInt(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case float64:
		if x == float64(int(x)) {
			return int(x), nil
		}
	}
	return 0, fmt.Errorf("want an integer, got %v", v)
}

func toInts(v any) ([]int, error) {
	switch x := v.(type) {
	case []int:
		return x, nil
	case []any:
		out := make([]int, len(x))
		for i, e := range x {
			n, err := toInt(e)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case [][]int: // ((top, bottom), (left, right))
		var out []int
		for _, p := range x {
			out = append(out, p...)
		}
		return out, nil
	}
	n, err := toInt(v)
	return []int{n}, err
}

func toInitializer(v any) (Initializer, error) {
	switch x := v.(type) {
	case Initializer:
		return x, nil
	case string:
		return InitializerByName(snakeCase(x))
	case map[string]any:
		name, _ := x["class_name"].(string)
		cfg, _ := x["config"].(map[string]any)
		num := func(k string, def float64) float64 {
			if f, ok := cfg[k].(float64); ok {
				return f
			}
			return def
		}
		switch name {
		case "RandomNormal":
			return RandomNormal(num("mean", 0), num("stddev", 0.05)), nil
		case "TruncatedNormal":
			return TruncatedNormal(num("mean", 0), num("stddev", 0.05)), nil
		case "RandomUniform":
			return RandomUniform(num("minval", -0.05), num("maxval", 0.05)), nil
		case "Constant":
			return Constant(num("value", 0)), nil
		}
		return InitializerByName(snakeCase(name))
	}
	return nil, fmt.Errorf("want an initializer, got %T", v)
}

// optionParsers turn a config value into the Option of the same Keras name.
var optionParsers = map[string]func(v any) (Option, error){
	"name":       func(v any) (Option, error) { s, err := toString(v); return Name(s), err },
	"activation": func(v any) (Option, error) { s, err := toString(v); return Activation(s), err },
	"padding": func(v any) (Option, error) {
		s, err := toString(v)
		return Padding(s), err
	},
	"interpolation": func(v any) (Option, error) { s, err := toString(v); return Interpolation(s), err },
	"use_bias":      func(v any) (Option, error) { b, err := toBool(v); return UseBias(b), err },
	"center":        func(v any) (Option, error) { b, err := toBool(v); return Center(b), err },
	"scale":         func(v any) (Option, error) { b, err := toBool(v); return Scale(b), err },
	"trainable":     func(v any) (Option, error) { b, err := toBool(v); return Trainable(b), err },
	"momentum":      func(v any) (Option, error) { f, err := toFloat(v); return Momentum(f), err },
	"epsilon":       func(v any) (Option, error) { f, err := toFloat(v); return Epsilon(f), err },
	"negative_slope": func(v any) (Option, error) {
		f, err := toFloat(v)
		return NegativeSlope(f), err
	},
	"strides":   func(v any) (Option, error) { s, err := toInts(v); return Strides(s...), err },
	"pool_size": func(v any) (Option, error) { s, err := toInts(v); return PoolSize(s...), err },
	"size":      func(v any) (Option, error) { s, err := toInts(v); return Size(s...), err },
	"axis":      func(v any) (Option, error) { s, err := toInts(v); return Axis(s...), err },
	"power_iterations": func(v any) (Option, error) {
		n, err := toInt(v)
		return PowerIterations(n), err
	},
	"seed": func(v any) (Option, error) { n, err := toInt(v); return Seed(uint64(n)), err },
	"dtype": func(v any) (Option, error) {
		switch v {
		case "float32":
			return DType(tensor.Float32), nil
		case "float64":
			return DType(tensor.Float64), nil
		}
		return Option{}, fmt.Errorf("want \"float32\" or \"float64\", got %v", v)
	},
	"kernel_size": func(v any) (Option, error) {
		s, err := toInts(v)
		if err == nil && len(s) == 1 {
			s = append(s, s[0])
		}
		if err != nil || len(s) != 2 {
			return Option{}, fmt.Errorf("want one or two integers, got %v", v)
		}
		return KernelSize(s[0], s[1]), nil
	},
	"kernel_initializer":          initOption(KernelInitializer),
	"bias_initializer":            initOption(BiasInitializer),
	"gamma_initializer":           initOption(GammaInitializer),
	"beta_initializer":            initOption(BetaInitializer),
	"moving_mean_initializer":     initOption(MovingMeanInitializer),
	"moving_variance_initializer": initOption(MovingVarianceInitializer),
	"embeddings_initializer":      initOption(EmbeddingsInitializer),
}

func initOption(mk func(Initializer) Option) func(v any) (Option, error) {
	return func(v any) (Option, error) {
		i, err := toInitializer(v)
		return mk(i), err
	}
}

func toString(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("want a string, got %v", v)
}

func toBool(v any) (bool, error) {
	if b, ok := v.(bool); ok {
		return b, nil
	}
	return false, fmt.Errorf("want a boolean, got %v", v)
}

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int:
		return float64(x), nil
	}
	return 0, fmt.Errorf("want a number, got %v", v)
}

// options converts every remaining known keyword argument.
func (c *configReader) options() []Option {
	var opts []Option
	keys := make([]string, 0, len(c.cfg))
	for k := range c.cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		parse, ok := optionParsers[k]
		if c.used[k] || !ok || c.cfg[k] == nil {
			continue
		}
		c.used[k] = true
		o, err := parse(c.cfg[k])
		if err != nil {
			c.fail("%s: %v", k, err)
			continue
		}
		opts = append(opts, o)
	}
	return opts
}

// construct reads the positional arguments of the class, then the options.
func (c *configReader) construct() Layer {
	switch c.class {
	case "Dense":
		n := c.intArg("units", 0, true)
		return NewDense(n, c.options()...)
	case "Conv2D", "Conv2DTranspose":
		f := c.intArg("filters", 0, true)
		k := c.intsArg("kernel_size", nil, true)
		if len(k) == 0 {
			return nil
		}
		opts := c.options()
		if len(k) == 2 {
			opts = append(opts, KernelSize(k[0], k[1]))
		}
		if c.class == "Conv2D" {
			return NewConv2D(f, k[0], opts...)
		}
		return NewConv2DTranspose(f, k[0], opts...)
	case "BatchNormalization":
		return NewBatchNormalization(c.options()...)
	case "LayerNormalization":
		return NewLayerNormalization(c.options()...)
	case "GroupNormalization":
		g := c.intArg("groups", 32, false)
		return NewGroupNormalization(g, c.options()...)
	case "Dropout":
		r := c.floatArg("rate", 0, true)
		return NewDropout(r, c.options()...)
	case "ReLU":
		return NewReLU(c.options()...)
	case "LeakyReLU":
		s := c.floatArg("negative_slope", DefaultNegativeSlope, false)
		return NewLeakyReLU(s, c.options()...)
	case "Activation":
		v, _ := c.get("activation")
		name, _ := v.(string)
		return NewActivation(name, c.options()...)
	case "Reshape":
		s := c.intsArg("target_shape", nil, true)
		return NewReshape(s, c.options()...)
	case "Flatten":
		return NewFlatten(c.options()...)
	case "GlobalMaxPooling2D":
		return NewGlobalMaxPooling2D(c.options()...)
	case "GlobalAveragePooling2D":
		return NewGlobalAveragePooling2D(c.options()...)
	case "MaxPooling2D":
		return NewMaxPooling2D(c.options()...)
	case "AveragePooling2D":
		return NewAveragePooling2D(c.options()...)
	case "UpSampling2D":
		return NewUpSampling2D(c.options()...)
	case "ZeroPadding2D", "ReflectionPadding2D":
		p := c.intsArg("padding", []int{1}, false)
		if c.class == "ZeroPadding2D" {
			return NewZeroPadding2D(p, c.options()...)
		}
		return NewReflectionPadding2D(p, c.options()...)
	case "Embedding":
		in := c.intArg("input_dim", 0, true)
		out := c.intArg("output_dim", 0, true)
		return NewEmbedding(in, out, c.options()...)
	case "Concatenate":
		return NewConcatenate(c.options()...)
	case "InputLayer":
		s := c.intsArg("shape", nil, false)
		if bs, ok := c.get("batch_shape"); ok {
			full, err := toInts(bs)
			if err != nil || len(full) == 0 {
				c.fail("batch_shape: %v", bs)
				return nil
			}
			s = full[1:]
		}
		return NewInputLayer(s, c.options()...)
	case "SelfAttention":
		return NewSelfAttention(c.options()...)
	case "SpectralNormalization":
		v, _ := c.get("layer")
		inner, err := innerLayer(v)
		if err != nil {
			c.fail("layer: %v", err)
			return nil
		}
		return NewSpectralNormalization(inner, c.options()...)
	}
	c.fail("unknown layer class (known: %s)", strings.Join(LayerClasses(), ", "))
	return nil
}

// innerLayer accepts a Layer or its {"class_name", "config"} map.
func innerLayer(v any) (Layer, error) {
	switch x := v.(type) {
	case Layer:
		return x, nil
	case map[string]any:
		class, _ := x["class_name"].(string)
		cfg, _ := x["config"].(map[string]any)
		return FromConfig(class, cfg)
	}
	return nil, fmt.Errorf("want a layer, got %T", v)
}
