package nn

import (
	"math"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// TestSpectralNormClosedForm wraps a Dense whose kernel has singular values
// 3 and 1: after the power iteration converges, y = x·W/3 + b.
func TestSpectralNormClosedForm(t *testing.T) {
	dense := NewDense(2, DType(tensor.Float64))
	sn := NewSpectralNormalization(dense)
	if err := sn.Build([]int{1, 3}); err != nil {
		t.Fatal(err)
	}
	dense.kernel.Value().CopyFrom(tensor.FromFloat64([]float64{0, 1, 3, 0, 0, 0}, 3, 2))
	dense.bias.Value().CopyFrom(tensor.FromFloat64([]float64{0.5, -0.5}, 2))
	x := autograd.Const(tensor.FromFloat64([]float64{1, 2, 3}, 1, 3))
	u0 := sn.u.Value().Clone()
	if _, err := sn.Call(x, false); err != nil {
		t.Fatal(err)
	}
	if sn.u.Value().At(0) != u0.At(0) || sn.u.Value().At(1) != u0.At(1) {
		t.Error("inference changed vector_u")
	}
	var y *autograd.Var
	for range 30 {
		y = mustCall(sn, x, true)
	}
	// x·W = (1·0 + 2·3, 1·1) = (6, 1); /3 → (2, 1/3).
	want := []float64{2 + 0.5, 1.0/3 - 0.5}
	for i, w := range want {
		if math.Abs(y.Value.At(i)-w) > 1e-9 {
			t.Errorf("y[%d] = %v, want %v", i, y.Value.At(i), w)
		}
	}
	names := []string{"spectral_normalization/vector_u", "spectral_normalization/dense/kernel", "spectral_normalization/dense/bias"}
	for i, w := range sn.Weights() {
		if w.Name() != names[i] {
			t.Errorf("weight %d named %s, want %s", i, w.Name(), names[i])
		}
	}
}

// TestDropoutStream checks the mask statistics, the inference identity, and
// that restoring the stream state replays the same mask.
func TestDropoutStream(t *testing.T) {
	l := NewDropout(0.25, Seed(4))
	x := autograd.Const(tensor.Full(tensor.Float64, 1, 200, 50))
	if y := mustCall(l, x, false); y != x {
		t.Error("inference dropout is not the identity")
	}
	state, err := l.RNG().State()
	if err != nil {
		t.Fatal(err)
	}
	y1 := mustCall(l, x, true)
	kept := 0
	for i := 0; i < y1.Value.Len(); i++ {
		switch v := y1.Value.At(i); v {
		case 0:
		case 1 / 0.75:
			kept++
		default:
			t.Fatalf("element %v, want 0 or 4/3", v)
		}
	}
	if frac := float64(kept) / 10000; math.Abs(frac-0.75) > 0.02 {
		t.Errorf("kept %.3f, want 0.75", frac)
	}
	if err := l.RNG().SetState(state); err != nil {
		t.Fatal(err)
	}
	y2 := mustCall(l, x, true)
	for i := 0; i < y1.Value.Len(); i++ {
		if y1.Value.At(i) != y2.Value.At(i) {
			t.Fatal("restored stream gave another mask")
		}
	}
}

// TestInitializers checks each initializer's range or moments against its
// Keras formula, with fans taken as Keras does for a conv kernel.
func TestInitializers(t *testing.T) {
	shape := []int{3, 3, 16, 32} // fan_in 144, fan_out 288
	rng := tensor.NewRNG(1, 0)
	stats := func(x *tensor.Tensor) (mean, std, absMax float64) {
		n := float64(x.Len())
		for i := 0; i < x.Len(); i++ {
			mean += x.At(i) / n
			absMax = math.Max(absMax, math.Abs(x.At(i)))
		}
		for i := 0; i < x.Len(); i++ {
			std += (x.At(i) - mean) * (x.At(i) - mean) / n
		}
		return mean, math.Sqrt(std), absMax
	}
	cases := []struct {
		name       string
		init       Initializer
		std, bound float64 // bound 0: unbounded
	}{
		{"glorot_uniform", GlorotUniform(), math.Sqrt(2.0 / 432), math.Sqrt(6.0 / 432)},
		{"he_uniform", HeUniform(), math.Sqrt(2.0 / 144), math.Sqrt(6.0 / 144)},
		{"glorot_normal", GlorotNormal(), math.Sqrt(2.0 / 432), 2 * math.Sqrt(2.0/432) / truncatedStdScale},
		{"he_normal", HeNormal(), math.Sqrt(2.0 / 144), 2 * math.Sqrt(2.0/144) / truncatedStdScale},
		{"random_normal", RandomNormal(0, 0.02), 0.02, 0},
	}
	for _, c := range cases {
		x := c.init.Init(rng, tensor.Float64, shape)
		mean, std, absMax := stats(x)
		if math.Abs(mean) > 4*c.std/math.Sqrt(float64(x.Len())) || math.Abs(std-c.std) > 0.03*c.std {
			t.Errorf("%s: mean %.4g std %.4g, want 0 and %.4g", c.name, mean, std, c.std)
		}
		if c.bound > 0 && absMax > c.bound {
			t.Errorf("%s: |x| reaches %v beyond %v", c.name, absMax, c.bound)
		}
	}
	for _, c := range []struct {
		init Initializer
		want float64
	}{{Zeros(), 0}, {Ones(), 1}, {Constant(0.3), 0.3}} {
		if v := c.init.Init(rng, tensor.Float32, []int{4}).At(3); v != float64(float32(c.want)) {
			t.Errorf("%v gave %v", c.init.Config(), v)
		}
	}
	if _, err := InitializerByName("lecun_magic"); err == nil {
		t.Error("unknown initializer name accepted")
	}
}

// TestLayerNormMatchesNaive compares LayerNormalization and
// GroupNormalization with loops written from the definitions.
func TestNormalizationNaive(t *testing.T) {
	x := randn(5, 2, 2, 2, 4)
	gn := NewGroupNormalization(2)
	y := mustCall(gn, autograd.Const(x), true)
	const eps = 1e-3
	for n := 0; n < 2; n++ {
		for g := 0; g < 2; g++ {
			var vals []int
			for p := 0; p < 4; p++ {
				for c := 2 * g; c < 2*g+2; c++ {
					vals = append(vals, n*16+p*4+c)
				}
			}
			mean, v := 0.0, 0.0
			for _, i := range vals {
				mean += x.At(i) / 8
			}
			for _, i := range vals {
				v += (x.At(i) - mean) * (x.At(i) - mean) / 8
			}
			for _, i := range vals {
				if want := (x.At(i) - mean) / math.Sqrt(v+eps); math.Abs(y.Value.At(i)-want) > 1e-12 {
					t.Fatalf("group norm at %d: %v, want %v", i, y.Value.At(i), want)
				}
			}
		}
	}
	ln := NewLayerNormalization()
	x2 := randn(6, 3, 5)
	y2 := mustCall(ln, autograd.Const(x2), false)
	for r := 0; r < 3; r++ {
		mean, v := 0.0, 0.0
		for j := 0; j < 5; j++ {
			mean += x2.At(5*r+j) / 5
		}
		for j := 0; j < 5; j++ {
			v += (x2.At(5*r+j) - mean) * (x2.At(5*r+j) - mean) / 5
		}
		for j := 0; j < 5; j++ {
			if want := (x2.At(5*r+j) - mean) / math.Sqrt(v+eps); math.Abs(y2.Value.At(5*r+j)-want) > 1e-12 {
				t.Fatalf("layer norm [%d,%d]: %v, want %v", r, j, y2.Value.At(5*r+j), want)
			}
		}
	}
}

// TestSelfAttentionStartsAsIdentity: gamma starts at 0, so the block
// returns its input until trained.
func TestSelfAttentionStartsAsIdentity(t *testing.T) {
	x := randn(1, 2, 3, 3, 16)
	y := mustCall(NewSelfAttention(), autograd.Const(x), true)
	for i := 0; i < x.Len(); i++ {
		if y.Value.At(i) != x.At(i) {
			t.Fatalf("element %d changed: %v -> %v", i, x.At(i), y.Value.At(i))
		}
	}
}

func TestConfigAndString(t *testing.T) {
	c := NewConv2DTranspose(64, 4, Strides(2), Padding("same"), UseBias(false), Name("up"))
	cfg := c.Config()
	if cfg["filters"] != 64 || cfg["padding"] != "same" || cfg["use_bias"] != false || cfg["name"] != "up" || cfg["activation"] != "linear" {
		t.Errorf("config %v", cfg)
	}
	d := NewDense(128)
	if _, err := d.Call(autograd.Const(tensor.New(tensor.Float32, 1, 64)), false); err != nil {
		t.Fatal(err)
	}
	if d.String() != "Dense(64 -> 128)" {
		t.Errorf("String() = %q", d.String())
	}
}
