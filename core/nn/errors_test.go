package nn

import (
	"math"
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

func f32(shape ...int) *autograd.Var { return autograd.Const(tensor.New(tensor.Float32, shape...)) }

// TestBadInputs feeds layers wrong shapes, empty batches, NaNs, bad ids and
// bad configurations: each must be an error naming the layer and the shape
// or argument, never a panic.
func TestBadInputs(t *testing.T) {
	built := func(l Layer, shape ...int) Layer {
		if _, err := l.Call(f32(shape...), true); err != nil {
			t.Fatalf("setup %v: %v", l, err)
		}
		return l
	}
	nan := tensor.New(tensor.Float32, 2, 3)
	nan.SetAt(4, math.NaN())
	cases := []struct {
		name  string
		layer Layer
		x     *autograd.Var
		want  []string
	}{
		{"conv2d rank", NewConv2D(4, 3), f32(2, 8, 8), []string{`conv2d "conv2d"`, "[2 8 8]", "rank 4"}},
		{"conv2d channels", built(NewConv2D(4, 3), 1, 5, 5, 3), f32(1, 5, 5, 2), []string{`conv2d "conv2d"`, "[1 5 5 2]", "2 channels", "built for 3"}},
		{"conv2d too small", NewConv2D(4, 5), f32(1, 3, 3, 1), []string{"conv2d", "does not fit"}},
		{"dense features", built(NewDense(2), 2, 3), f32(2, 4), []string{`dense "dense"`, "[2 4]", "built for 3"}},
		{"dense empty batch", NewDense(2), f32(0, 3), []string{`dense "dense"`, "[0 3]", "empty"}},
		{"batchnorm NaN", NewBatchNormalization(), autograd.Const(nan), []string{"batch_normalization", "[2 3]", "NaN"}},
		{"dtype", NewDense(2, DType(tensor.Float64)), f32(2, 3), []string{"dense", "float32", "float64"}},
		{"embedding id", NewEmbedding(10, 4), autograd.Const(tensor.FromFloat32([]float32{3, 12}, 2)), []string{"embedding", "id 12", "input_dim=10"}},
		{"embedding fraction", NewEmbedding(10, 4), autograd.Const(tensor.FromFloat32([]float32{1.5}, 1)), []string{"embedding", "id 1.5"}},
		{"reshape", NewReshape([]int{4, 4}), f32(2, 15), []string{`reshape "reshape"`, "[2 15]", "target_shape [4 4]"}},
		{"concatenate one input", NewConcatenate(), f32(2, 3), []string{"concatenate", "list of inputs"}},
		{"groupnorm groups", NewGroupNormalization(3), f32(2, 4, 4, 8), []string{"group_normalization", "8 channels", "3 groups"}},
		{"reflection too wide", NewReflectionPadding2D([]int{3}), f32(1, 3, 3, 1), []string{"reflection_padding2d", "[1 3 3 1]"}},
		{"attention channels", NewSelfAttention(), f32(1, 2, 2, 6), []string{"self_attention", "multiple of 8"}},
		{"nil input", NewReLU(), nil, []string{"re_lu", "nil input"}},
		{"units 0", NewDense(0), f32(2, 3), []string{`dense "dense"`, "units must be positive, got 0"}},
		{"unknown activation", NewDense(3, Activation("swishy")), f32(2, 3), []string{"dense", `unknown activation "swishy"`}},
		{"unknown activation layer", NewActivation("gelu2"), f32(2, 3), []string{"activation", `"gelu2"`}},
		{"dropout rate", NewDropout(1.5), f32(2, 3), []string{`dropout "dropout"`, "rate 1.5"}},
		{"conv padding", NewConv2D(2, 3, Padding("full")), f32(1, 4, 4, 1), []string{"conv2d", `padding "full"`}},
		{"pool padding", NewMaxPooling2D(Padding("causal")), f32(1, 4, 4, 1), []string{"max_pooling2d", `padding "causal"`}},
		{"unexpected argument", NewDense(3, Momentum(0.5)), f32(2, 3), []string{"dense", "unexpected argument momentum"}},
		{"interpolation", NewUpSampling2D(Interpolation("cubic")), f32(1, 2, 2, 1), []string{"up_sampling2d", `"cubic"`}},
		{"spectral of relu", NewSpectralNormalization(NewReLU()), f32(2, 3), []string{"spectral_normalization", "no kernel"}},
		{"strides", NewConv2DTranspose(2, 3, Strides(0)), f32(1, 4, 4, 1), []string{"conv2d_transpose", "strides [0]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			noPanic(t, c.name, func() {
				_, err := c.layer.Call(c.x, true)
				if err == nil {
					t.Fatalf("no error")
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q lacks %q", err, w)
					}
				}
			})
		})
	}
}

func TestBatchNormNaNLeavesStatistics(t *testing.T) {
	l := NewBatchNormalization()
	x := tensor.NewRNG(1, 0).Normal(tensor.Float32, 0, 1, 4, 3)
	if _, err := l.Call(autograd.Const(x), true); err != nil {
		t.Fatal(err)
	}
	before := l.movingMean.Value().Clone()
	x.SetAt(0, math.Inf(1))
	if _, err := l.Call(autograd.Const(x), true); err == nil {
		t.Fatal("Inf input gave no error")
	}
	for i := 0; i < 3; i++ {
		if l.movingMean.Value().At(i) != before.At(i) {
			t.Errorf("moving_mean[%d] changed", i)
		}
	}
}

func TestSequentialErrorsNameTheLayer(t *testing.T) {
	s := NewSequential("d", NewDense(4), NewReLU(), NewConv2D(2, 3))
	noPanic(t, "sequential", func() {
		_, err := s.Call(f32(2, 3), true)
		if err == nil || !strings.Contains(err.Error(), `sequential "d": layer 2 (Conv2D): conv2d "conv2d"`) {
			t.Errorf("error %v", err)
		}
	})
	bad := NewSequential("g").Add(NewDense(2)).Add(NewDropout(-1)).Add(NewReLU())
	if err := bad.Err(); err == nil || !strings.Contains(err.Error(), "layer 1 (Dropout)") {
		t.Errorf("Add of a bad layer: %v", err)
	}
	if _, err := bad.Call(f32(1, 2), false); err == nil {
		t.Error("a model with a bad layer ran")
	}
	m := NewSequential("m", NewInputLayer([]int{3}), NewDense(2))
	if _, err := m.Call(f32(2, 4), false); err == nil || !strings.Contains(err.Error(), "want (None, 3)") {
		t.Errorf("input shape check: %v", err)
	}
}
