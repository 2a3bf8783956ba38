package bindings

import "github.com/ganlab/ganlab/core/tensor"

func onesT(shape ...int) *tensor.Tensor { return tensor.Full(tensor.Float32, 1, shape...) }
