package nn

import (
	"strings"
	"testing"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/tensor"
)

// TestConditionalDiscriminator builds Keras's conditional GAN
// discriminator input: an image and a one-hot label broadcast to channels,
// concatenated.
func TestConditionalDiscriminator(t *testing.T) {
	img := Input(28, 28, 1)
	label := Input(28, 28, 10)
	x := Apply(NewConcatenate(), img, label)
	x = Apply(NewConv2D(8, 3, Strides(2), Padding("same")), x)
	x = Apply(NewLeakyReLU(0.2), x)
	x = Apply(NewGlobalMaxPooling2D(), x)
	out := Apply(NewDense(1), x)
	if !tensor.SameShape(out.Shape(), []int{-1, 1}) {
		t.Fatalf("symbolic output %v", out.Shape())
	}
	d, err := NewModel([]*KerasTensor{img, label}, []*KerasTensor{out}, "discriminator")
	if err != nil {
		t.Fatal(err)
	}
	// Conv2D sees 11 channels: 3·3·11·8 + 8.
	if n := countParams(d.Weights()); n != 3*3*11*8+8+8+1 {
		t.Errorf("%d parameters", n)
	}
	s := d.Summary()
	for _, want := range []string{"Connected to", "input_layer (InputLayer)", "input_layer_1 (InputLayer)", "input_layer[0][0], input_layer_1[0][0]", "(None, 28, 28, 11)"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	xs := []*autograd.Var{
		autograd.Const(tensor.New(tensor.Float32, 2, 28, 28, 1)),
		autograd.Const(tensor.Full(tensor.Float32, 1, 2, 28, 28, 10)),
	}
	y, err := d.CallMulti(xs, true)
	if err != nil {
		t.Fatal(err)
	}
	if !tensor.SameShape(y.Shape(), []int{2, 1}) {
		t.Errorf("output %v", y.Shape())
	}
	if _, err := d.CallMulti(xs[:1], true); err == nil || !strings.Contains(err.Error(), "takes 2") {
		t.Errorf("one input for two: %v", err)
	}
}

// TestNestedAndFrozen puts a generator and a discriminator inside a
// combined model, as the old Keras GAN recipe does, and freezes D.
func TestNestedAndFrozen(t *testing.T) {
	g := NewSequential("generator", NewInputLayer([]int{4}), NewDense(8), NewBatchNormalization(), NewReLU(), NewDense(6), NewActivation("tanh"))
	d := NewSequential("discriminator", NewInputLayer([]int{6}), NewDense(5), NewLeakyReLU(0.2), NewDense(1))
	z := Input(4)
	out := Apply(d, Apply(g, z))
	gan, err := NewModel([]*KerasTensor{z}, []*KerasTensor{out}, "gan")
	if err != nil {
		t.Fatal(err)
	}
	all := countParams(gan.TrainableWeights())
	gT, dT := countParams(g.TrainableWeights()), countParams(d.TrainableWeights())
	if all != gT+dT || dT != 6*5+5+5+1 {
		t.Fatalf("trainable: gan %d, g %d, d %d", all, gT, dT)
	}
	if gan.Weights()[0].Name() != "generator/dense/kernel" {
		t.Errorf("nested weight named %q, want generator/dense/kernel", gan.Weights()[0].Name())
	}
	d.SetTrainable(false)
	if n := countParams(gan.TrainableWeights()); n != gT {
		t.Errorf("with D frozen the GAN trains %d parameters, want G's %d", n, gT)
	}
	if n := countParams(gan.NonTrainableWeights()); n != dT+16 {
		t.Errorf("non-trainable %d, want D's %d + G's moving stats 16", n, dT)
	}
	y, err := gan.Call(autograd.Const(tensor.NewRNG(1, 0).Normal(tensor.Float32, 0, 1, 3, 4)), true)
	if err != nil {
		t.Fatal(err)
	}
	if err := autograd.Sum(y, nil, false).Backward(); err != nil {
		t.Fatal(err)
	}
	for _, w := range d.Weights() {
		if w.Var.Grad != nil {
			t.Errorf("frozen %s got a gradient", w.Name())
		}
	}
	for _, w := range g.TrainableWeights() {
		if w.Var.Grad == nil {
			t.Errorf("%s got no gradient", w.Name())
		}
	}
	d.SetTrainable(true)
	if countParams(gan.TrainableWeights()) != all {
		t.Error("unfreezing did not restore the trainable weights")
	}
	// The Summary shows the nested models as single rows.
	s := gan.Summary()
	if !strings.Contains(s, "generator (Sequential)") || !strings.Contains(s, "discriminator (Sequential)") {
		t.Errorf("summary:\n%s", s)
	}
}

// TestSharedLayer applies one Dense to two inputs: one set of weights, two
// calls, the gradient the sum of both uses.
func TestSharedLayer(t *testing.T) {
	shared := NewDense(2, UseBias(false))
	a, b := Input(3), Input(3)
	out := Apply(NewConcatenate(), Apply(shared, a), Apply(shared, b))
	m, err := NewModel([]*KerasTensor{a, b}, []*KerasTensor{out}, "")
	if err != nil {
		t.Fatal(err)
	}
	m.SetDType(tensor.Float64)
	if m.Name() != "functional" || len(m.Weights()) != 1 {
		t.Fatalf("model %s with %d weights, want functional with 1", m.Name(), len(m.Weights()))
	}
	xa := tensor.FromFloat64([]float64{1, 2, 3}, 1, 3)
	xb := tensor.FromFloat64([]float64{-1, 0, 4}, 1, 3)
	y, err := m.CallMulti([]*autograd.Var{autograd.Const(xa), autograd.Const(xb)}, false)
	if err != nil {
		t.Fatal(err)
	}
	k := shared.kernel.Value()
	for j := 0; j < 2; j++ {
		wa, wb := 0.0, 0.0
		for i := 0; i < 3; i++ {
			wa += xa.At(i) * k.At(2*i+j)
			wb += xb.At(i) * k.At(2*i+j)
		}
		if got := y.Value.At(j); !near(got, wa) {
			t.Errorf("y[%d] = %v, want %v", j, got, wa)
		}
		if got := y.Value.At(2 + j); !near(got, wb) {
			t.Errorf("y[%d] = %v, want %v", 2+j, got, wb)
		}
	}
	if err := autograd.Sum(y, nil, false).Backward(); err != nil {
		t.Fatal(err)
	}
	// d/dk[i][j] of Σ y = xa[i] + xb[i].
	for i := 0; i < 3; i++ {
		if got, want := shared.kernel.Var.Grad.At(2*i), xa.At(i)+xb.At(i); !near(got, want) {
			t.Errorf("dk[%d][0] = %v, want %v", i, got, want)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

func TestFunctionalErrors(t *testing.T) {
	a, b := Input(3), Input(3)
	out := Apply(NewDense(2), b)
	if _, err := NewModel([]*KerasTensor{a}, []*KerasTensor{out}, "m"); err == nil || !strings.Contains(err.Error(), "not among the model's inputs") {
		t.Errorf("disconnected input: %v", err)
	}
	bad := Apply(NewConv2D(4, 3), a) // rank 2 into Conv2D
	next := Apply(NewReLU(), bad)
	_, err := NewModel([]*KerasTensor{a}, []*KerasTensor{next}, "m")
	if err == nil || !strings.Contains(err.Error(), `conv2d "conv2d"`) || !strings.Contains(err.Error(), "rank 4") {
		t.Errorf("sticky error: %v", err)
	}
	if e := Apply(NewDense(2), a, b); e.Err() == nil {
		t.Error("two inputs into Dense gave no error")
	}
}

func TestLayerNamesAreUnique(t *testing.T) {
	s := NewSequential("", NewDense(2), NewDense(2), NewDense(2, Name("head")), NewReLU())
	var got []string
	for _, l := range s.Layers() {
		got = append(got, l.Name())
	}
	want := "dense dense_1 head re_lu"
	if strings.Join(got, " ") != want || s.Name() != "sequential" {
		t.Errorf("names %v in %s, want %s in sequential", got, s.Name(), want)
	}
	dup := NewSequential("m", NewDense(2, Name("x")), NewDense(2, Name("x")))
	if dup.Err() == nil || !strings.Contains(dup.Err().Error(), `named "x"`) {
		t.Errorf("duplicate names: %v", dup.Err())
	}
	for class, want := range map[string]string{"Conv2DTranspose": "conv2d_transpose", "LeakyReLU": "leaky_re_lu", "BatchNormalization": "batch_normalization", "UpSampling2D": "up_sampling2d", "GlobalMaxPooling2D": "global_max_pooling2d"} {
		if got := snakeCase(class); got != want {
			t.Errorf("snakeCase(%s) = %s, want %s", class, got, want)
		}
	}
}
