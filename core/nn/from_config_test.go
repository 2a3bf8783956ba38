package nn

import (
	"fmt"
	"strings"
	"testing"
)

// TestConfigRoundTrip rebuilds every layer class from its Config and
// expects the same Config back.
func TestConfigRoundTrip(t *testing.T) {
	layers := []Layer{
		NewDense(7, Activation("relu"), UseBias(false), KernelInitializer(RandomNormal(0, 0.02))),
		NewConv2D(8, 3, Strides(2), Padding("same"), Activation("tanh")),
		NewConv2DTranspose(4, 4, Strides(2, 1), KernelSize(4, 2), BiasInitializer(Constant(0.1))),
		NewBatchNormalization(Scale(false), Momentum(0.8), Epsilon(1e-5)),
		NewLayerNormalization(Axis(-1, -2)),
		NewGroupNormalization(4, Center(false)),
		NewDropout(0.3),
		NewReLU(NegativeSlope(0.1)),
		NewLeakyReLU(0.2, Name("lrelu")),
		NewActivation("softplus"),
		NewReshape([]int{4, -1}),
		NewFlatten(),
		NewGlobalMaxPooling2D(),
		NewGlobalAveragePooling2D(),
		NewMaxPooling2D(PoolSize(3), Strides(2), Padding("same")),
		NewAveragePooling2D(),
		NewUpSampling2D(Size(2, 3), Interpolation("bilinear")),
		NewZeroPadding2D([]int{1, 2}),
		NewReflectionPadding2D([]int{3}),
		NewEmbedding(10, 5),
		NewConcatenate(Axis(1)),
		NewInputLayer([]int{28, 28, 1}),
		NewSelfAttention(KernelInitializer(HeNormal())),
		NewSpectralNormalization(NewConv2D(3, 3), PowerIterations(2), Trainable(false)),
	}
	for _, l := range layers {
		class := className(l)
		t.Run(class, func(t *testing.T) {
			back, err := FromConfig(class, l.Config())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := fmt.Sprint(back.Config()), fmt.Sprint(l.Config()); got != want {
				t.Errorf("round trip:\n got %s\nwant %s", got, want)
			}
		})
	}
}

// TestFromConfigLuaStyle passes what a Lua table converts to: float64
// numbers and []any lists.
func TestFromConfigLuaStyle(t *testing.T) {
	l, err := FromConfig("Conv2DTranspose", map[string]any{"filters": 128.0, "kernel_size": 4.0, "strides": []any{2.0, 2.0}, "padding": "same", "use_bias": false})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.String(); got != "Conv2DTranspose(? -> 128, 4x4, strides 2x2, same)" {
		t.Errorf("built %s", got)
	}
	bad := []struct {
		class string
		cfg   map[string]any
		want  string
	}{
		{"Dense", map[string]any{}, "missing argument units"},
		{"Dense", map[string]any{"units": 2.5}, "units: want an integer"},
		{"Dense", map[string]any{"units": 3, "momentum": 0.9}, "unexpected argument momentum"},
		{"Dense", map[string]any{"units": 3, "colour": "red"}, "unexpected arguments colour"},
		{"Dense", map[string]any{"units": 3, "kernel_initializer": "magic"}, `unknown initializer "magic"`},
		{"Conv3D", map[string]any{}, "unknown layer class"},
		{"Dropout", map[string]any{"rate": 2.0}, "rate 2 must be in [0, 1)"},
	}
	for _, c := range bad {
		_, err := FromConfig(c.class, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: error %v, want %q", c.class, c.cfg, err, c.want)
		}
	}
}
