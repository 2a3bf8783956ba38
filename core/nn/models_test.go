package nn

import (
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// dcgan64 builds the seed guide's 64×64×3 DCGAN generator and
// discriminator.
func dcgan64() (g, d *Sequential) {
	g = NewSequential("generator",
		NewInputLayer([]int{64}),
		NewDense(4*4*128, UseBias(false)),
		NewBatchNormalization(Scale(false)),
		NewReLU(),
		NewReshape([]int{4, 4, 128}),
	)
	for range 3 {
		g.Add(NewConv2DTranspose(128, 4, Strides(2), Padding("same"), UseBias(false))).
			Add(NewBatchNormalization(Scale(false))).
			Add(NewReLU())
	}
	g.Add(NewConv2DTranspose(3, 4, Strides(2), Padding("same"))).Add(NewActivation("sigmoid"))

	d = NewSequential("discriminator", NewInputLayer([]int{64, 64, 3}))
	for _, c := range []int{128, 256, 512, 1024} {
		d.Add(NewConv2D(c, 3, Strides(2), Padding("same"))).Add(NewLeakyReLU(0.2)).Add(NewDropout(0.4))
	}
	d.Add(NewGlobalMaxPooling2D()).Add(NewDense(1))
	return g, d
}

func TestDCGAN64Counts(t *testing.T) {
	g, d := dcgan64()
	if err := g.Err(); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		m                     Container
		trainable, nonTrained int
		total                 string
	}{
		{g, 926083, 4864, " Total params: 930,947 (3.55 MB)"},
		{d, 6199553, 0, " Total params: 6,199,553 (23.65 MB)"},
	}
	for _, c := range cases {
		if n := countParams(c.m.TrainableWeights()); n != c.trainable {
			t.Errorf("%s: %d trainable parameters, want %d", c.m.Name(), n, c.trainable)
		}
		if n := countParams(c.m.NonTrainableWeights()); n != c.nonTrained {
			t.Errorf("%s: %d non-trainable parameters, want %d", c.m.Name(), n, c.nonTrained)
		}
		s := c.m.Summary()
		for _, want := range []string{c.total, " Trainable params: " + commas(c.trainable), " Non-trainable params: " + commas(c.nonTrained)} {
			if !strings.Contains(s, want) {
				t.Errorf("%s summary lacks %q:\n%s", c.m.Name(), want, s)
			}
		}
	}
	s := g.Summary()
	for _, want := range []string{`Model: "generator"`, "dense (Dense)", "(None, 2048)", "131,072", "conv2d_transpose_3 (Conv2DTranspose)", "(None, 64, 64, 3)", "6,147", " Trainable params: 926,083 (3.53 MB)", " Non-trainable params: 4,864 (19.00 KB)"} {
		if !strings.Contains(s, want) {
			t.Errorf("generator summary lacks %q:\n%s", want, s)
		}
	}
	if testing.Short() {
		return
	}
	z := tensor.NewRNG(3, 0).Normal(tensor.Float32, 0, 1, 64, 64)
	img, err := g.Predict(z)
	if err != nil {
		t.Fatal(err)
	}
	if !tensor.SameShape(img.Shape(), []int{64, 64, 64, 3}) {
		t.Fatalf("generator output %v, want [64 64 64 3]", img.Shape())
	}
}

func TestWeightNamesAreStablePaths(t *testing.T) {
	g, _ := dcgan64()
	ws := g.Weights()
	want := []string{"generator/dense/kernel", "generator/batch_normalization/beta", "generator/batch_normalization/moving_mean",
		"generator/batch_normalization/moving_variance", "generator/conv2d_transpose/kernel"}
	for i, w := range want {
		if ws[i].Name() != w {
			t.Errorf("weight %d is %q, want %q", i, ws[i].Name(), w)
		}
	}
	last := ws[len(ws)-1].Name()
	if last != "generator/conv2d_transpose_3/bias" {
		t.Errorf("last weight %q, want generator/conv2d_transpose_3/bias", last)
	}
	// The same seed gives the same weights; another seed other weights.
	g1, _ := dcgan64()
	g2, _ := dcgan64()
	g2.SetSeed(1)
	a, b, c := g.Weights()[0].Value(), g1.Weights()[0].Value(), g2.Weights()[0].Value()
	if a.At(17) != b.At(17) || a.At(17) == c.At(17) {
		t.Errorf("seeding: %v %v %v", a.At(17), b.At(17), c.At(17))
	}
}

// TestMNISTDCGAN builds the Keras guide's MNIST DCGAN (functional style,
// as the guide) and runs one forward and backward pass through both.
func TestMNISTDCGAN(t *testing.T) {
	const latent = 128
	zin := Input(latent)
	x := Apply(NewDense(7*7*128), zin)
	x = Apply(NewLeakyReLU(0.2), x)
	x = Apply(NewReshape([]int{7, 7, 128}), x)
	x = Apply(NewConv2DTranspose(128, 4, Strides(2), Padding("same")), x)
	x = Apply(NewLeakyReLU(0.2), x)
	x = Apply(NewConv2DTranspose(128, 4, Strides(2), Padding("same")), x)
	x = Apply(NewLeakyReLU(0.2), x)
	x = Apply(NewConv2D(1, 7, Padding("same"), Activation("sigmoid")), x)
	g, err := NewModel([]*KerasTensor{zin}, []*KerasTensor{x}, "generator")
	if err != nil {
		t.Fatal(err)
	}
	d := NewSequential("discriminator",
		NewInputLayer([]int{28, 28, 1}),
		NewConv2D(64, 3, Strides(2), Padding("same")), NewLeakyReLU(0.2),
		NewConv2D(128, 3, Strides(2), Padding("same")), NewLeakyReLU(0.2),
		NewGlobalMaxPooling2D(), NewDense(1))
	// Counted by hand from the Keras shapes: generator Dense 128·6272+6272,
	// two Conv2DTranspose 4·4·128·128+128, Conv2D 7·7·128+1; discriminator
	// 640 + 73,856 + 129.
	if n := countParams(g.Weights()); n != 6272*129+2*262272+6273 {
		t.Errorf("generator has %d parameters", n)
	}
	if n := countParams(d.Weights()); n != 74625 {
		t.Errorf("discriminator has %d parameters, want 74,625", n)
	}
	z := autograd.Const(tensor.NewRNG(1, 0).Normal(tensor.Float32, 0, 1, 4, latent))
	img, err := g.Call(z, true)
	if err != nil {
		t.Fatal(err)
	}
	if !tensor.SameShape(img.Shape(), []int{4, 28, 28, 1}) {
		t.Fatalf("image %v", img.Shape())
	}
	logits, err := d.Call(img, true)
	if err != nil {
		t.Fatal(err)
	}
	loss := autograd.Mean(autograd.Softplus(autograd.Neg(logits)), nil, false)
	if err := loss.Backward(); err != nil {
		t.Fatal(err)
	}
	for _, w := range append(g.TrainableWeights(), d.TrainableWeights()...) {
		if w.Var.Grad == nil {
			t.Errorf("%s got no gradient", w.Name())
		}
	}
}

func TestRandomStreams(t *testing.T) {
	_, d := dcgan64()
	streams := RandomStreams(d)
	if len(streams) != 4 || streams["discriminator/dropout_3"] == nil {
		t.Fatalf("streams %v", streams)
	}
	// Distinct layers get distinct streams from the model's seed.
	if streams["discriminator/dropout"].Uint64() == streams["discriminator/dropout_1"].Uint64() {
		t.Error("two dropout layers share a stream")
	}
}
