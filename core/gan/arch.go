package gan

import "github.com/ganlab/ganlab/core/nn"

// MNISTGenerator is the 28×28×1 generator of the mnist-dcgan workload:
// Dense(7·7·128, no bias) → BN → ReLU → Reshape → Conv2DTranspose(64, 4, 2,
// same, no bias) → BN → ReLU → Conv2DTranspose(1, 4, 2, same) → tanh.
func MNISTGenerator(latent int, opts ...nn.Option) *nn.Sequential {
	return nn.NewSequential("generator",
		nn.NewInputLayer([]int{latent}, opts...),
		nn.NewDense(7*7*128, with(opts, nn.UseBias(false))...),
		nn.NewBatchNormalization(opts...),
		nn.NewReLU(opts...),
		nn.NewReshape([]int{7, 7, 128}, opts...),
		nn.NewConv2DTranspose(64, 4, with(opts, nn.Strides(2), nn.Padding("same"), nn.UseBias(false))...),
		nn.NewBatchNormalization(opts...),
		nn.NewReLU(opts...),
		nn.NewConv2DTranspose(1, 4, with(opts, nn.Strides(2), nn.Padding("same"), nn.Activation("tanh"))...),
	)
}

// MNISTDiscriminator is the 28×28×1 discriminator of the mnist-dcgan
// workload: 2 × [Conv2D(64·2ⁱ, 4, 2, same) → LeakyReLU(0.2) → Dropout] →
// Flatten → Dense(1) logits. dropout 0 leaves the Dropout layers out, as the
// WGAN-GP critic does.
func MNISTDiscriminator(dropout float64, opts ...nn.Option) *nn.Sequential {
	d := nn.NewSequential("discriminator", nn.NewInputLayer([]int{28, 28, 1}, opts...))
	for _, filters := range []int{64, 128} {
		d.Add(nn.NewConv2D(filters, 4, with(opts, nn.Strides(2), nn.Padding("same"))...))
		d.Add(nn.NewLeakyReLU(0.2, opts...))
		if dropout > 0 {
			d.Add(nn.NewDropout(dropout, opts...))
		}
	}
	d.Add(nn.NewFlatten(opts...))
	d.Add(nn.NewDense(1, opts...))
	return d
}

// DCGAN64Generator is the seed guide's 64×64×3 generator: Dense(4·4·width,
// no bias) → BN(scale=false) → ReLU → Reshape → (depth-1) × [Conv2DTranspose(
// width, 4, 2, same, no bias) → BN(scale=false) → ReLU] → Conv2DTranspose(3,
// 4, 2, same) → sigmoid. With noise 64, width 128, depth 4 Keras counts
// 926,083 trainable and 4,864 non-trainable parameters.
func DCGAN64Generator(noise, width, depth int, opts ...nn.Option) *nn.Sequential {
	g := nn.NewSequential("generator",
		nn.NewInputLayer([]int{noise}, opts...),
		nn.NewDense(4*4*width, with(opts, nn.UseBias(false))...),
		nn.NewBatchNormalization(with(opts, nn.Scale(false))...),
		nn.NewReLU(opts...),
		nn.NewReshape([]int{4, 4, width}, opts...),
	)
	for i := 0; i < depth-1; i++ {
		g.Add(nn.NewConv2DTranspose(width, 4, with(opts, nn.Strides(2), nn.Padding("same"), nn.UseBias(false))...))
		g.Add(nn.NewBatchNormalization(with(opts, nn.Scale(false))...))
		g.Add(nn.NewReLU(opts...))
	}
	g.Add(nn.NewConv2DTranspose(3, 4, with(opts, nn.Strides(2), nn.Padding("same"), nn.Activation("sigmoid"))...))
	return g
}

// DCGAN64Discriminator is the seed guide's 64×64×3 discriminator: 4 ×
// [Conv2D(128·2ⁱ, 3, 2, same) → LeakyReLU(0.2) → Dropout] →
// GlobalMaxPooling2D → Dense(1): 6,199,553 parameters.
func DCGAN64Discriminator(dropout float64, opts ...nn.Option) *nn.Sequential {
	d := nn.NewSequential("discriminator", nn.NewInputLayer([]int{64, 64, 3}, opts...))
	for _, filters := range []int{128, 256, 512, 1024} {
		d.Add(nn.NewConv2D(filters, 3, with(opts, nn.Strides(2), nn.Padding("same"))...))
		d.Add(nn.NewLeakyReLU(0.2, opts...))
		d.Add(nn.NewDropout(dropout, opts...))
	}
	d.Add(nn.NewGlobalMaxPooling2D(opts...))
	d.Add(nn.NewDense(1, opts...))
	return d
}

// with returns opts followed by more, in a new slice so that sibling layers
// never share an appended backing array.
func with(opts []nn.Option, more ...nn.Option) []nn.Option {
	return append(append([]nn.Option(nil), opts...), more...)
}
