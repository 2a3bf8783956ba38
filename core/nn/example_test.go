package nn_test

import (
	"fmt"

	"github.com/ganlab/ganlab/core/autograd"
	"github.com/ganlab/ganlab/core/nn"
	"github.com/ganlab/ganlab/core/tensor"
)

// A discriminator as in the Keras GAN guide, then one forward pass.
func ExampleNewSequential() {
	d := nn.NewSequential("discriminator",
		nn.NewInputLayer([]int{28, 28, 1}),
		nn.NewConv2D(64, 3, nn.Strides(2), nn.Padding("same")),
		nn.NewLeakyReLU(0.2),
		nn.NewGlobalMaxPooling2D(),
		nn.NewDense(1),
	)
	d.SetSeed(42)
	fmt.Print(d.Summary())
	y, err := d.Call(autograd.Const(tensor.New(tensor.Float32, 2, 28, 28, 1)), true)
	fmt.Println(y.Shape(), err)
	// Output:
	// Model: "discriminator"
	// ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┓
	// ┃ Layer (type)                              ┃ Output Shape                  ┃          Param # ┃
	// ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━┩
	// │ conv2d (Conv2D)                           │ (None, 14, 14, 64)            │              640 │
	// ├───────────────────────────────────────────┼───────────────────────────────┼──────────────────┤
	// │ leaky_re_lu (LeakyReLU)                   │ (None, 14, 14, 64)            │                0 │
	// ├───────────────────────────────────────────┼───────────────────────────────┼──────────────────┤
	// │ global_max_pooling2d (GlobalMaxPooling2D) │ (None, 64)                    │                0 │
	// ├───────────────────────────────────────────┼───────────────────────────────┼──────────────────┤
	// │ dense (Dense)                             │ (None, 1)                     │               65 │
	// └───────────────────────────────────────────┴───────────────────────────────┴──────────────────┘
	//  Total params: 705 (2.75 KB)
	//  Trainable params: 705 (2.75 KB)
	//  Non-trainable params: 0 (0.00 B)
	// [2 1] <nil>
}

// The functional API: a conditional input joined with the image.
func ExampleNewModel() {
	img, label := nn.Input(28, 28, 1), nn.Input(28, 28, 10)
	x := nn.Apply(nn.NewConcatenate(), img, label)
	x = nn.Apply(nn.NewConv2D(8, 3, nn.Strides(2), nn.Padding("same")), x)
	out := nn.Apply(nn.NewDense(1), nn.Apply(nn.NewFlatten(), x))
	m, err := nn.NewModel([]*nn.KerasTensor{img, label}, []*nn.KerasTensor{out}, "critic")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, w := range m.TrainableWeights() {
		fmt.Println(w.Name(), w.Shape())
	}
	// Output:
	// critic/conv2d/kernel [3 3 11 8]
	// critic/conv2d/bias [8]
	// critic/dense/kernel [1568 1]
	// critic/dense/bias [1]
}
