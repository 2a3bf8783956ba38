package safetensors

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// Tensor is one named array of a safetensors file: its element type, its
// shape (outermost axis first; an empty shape is a scalar) and its elements as
// raw little-endian bytes in row-major order.
//
// A valid Tensor has a known DType, no negative dimension, and
// len(Data) == DType.ByteSize() * the product of Shape.
type Tensor struct {
	DType DType
	Shape []int
	Data  []byte
}

// FromFloat32 returns an F32 tensor of the given shape holding a copy of data.
// It returns an error if a dimension is negative or len(data) is not the
// product of shape.
func FromFloat32(shape []int, data []float32) (Tensor, error) {
	n, err := numElements(shape)
	if err != nil {
		return Tensor{}, fmt.Errorf("safetensors: FromFloat32: %v", err)
	}
	if n != uint64(len(data)) {
		return Tensor{}, fmt.Errorf("safetensors: FromFloat32: shape %v holds %d elements, data has %d", shape, n, len(data))
	}
	b := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return Tensor{DType: F32, Shape: append([]int{}, shape...), Data: b}, nil
}

// FromFloat64 returns an F64 tensor of the given shape holding a copy of data.
// It returns an error if a dimension is negative or len(data) is not the
// product of shape.
func FromFloat64(shape []int, data []float64) (Tensor, error) {
	n, err := numElements(shape)
	if err != nil {
		return Tensor{}, fmt.Errorf("safetensors: FromFloat64: %v", err)
	}
	if n != uint64(len(data)) {
		return Tensor{}, fmt.Errorf("safetensors: FromFloat64: shape %v holds %d elements, data has %d", shape, n, len(data))
	}
	b := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	return Tensor{DType: F64, Shape: append([]int{}, shape...), Data: b}, nil
}

// Float32s returns the elements of t as float32. F32 is copied as is; F64 is
// rounded to the nearest float32; F16 and BF16 are widened exactly. Any other
// dtype, or a Data length that does not match the shape, is an error.
func (t Tensor) Float32s() ([]float32, error) {
	n, err := t.check()
	if err != nil {
		return nil, fmt.Errorf("safetensors: Float32s: %v", err)
	}
	out := make([]float32, n)
	d := t.Data
	switch t.DType {
	case F32:
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(d[4*i:]))
		}
	case F64:
		for i := range out {
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(d[8*i:])))
		}
	case F16:
		for i := range out {
			out[i] = float16To32(binary.LittleEndian.Uint16(d[2*i:]))
		}
	case BF16:
		for i := range out {
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(d[2*i:])) << 16)
		}
	default:
		return nil, fmt.Errorf("safetensors: Float32s: dtype %s cannot be converted to float32", t.DType)
	}
	return out, nil
}

// Float64s returns the elements of t as float64. F64 is copied as is; F32,
// F16 and BF16 are widened exactly. Any other dtype, or a Data length that does
// not match the shape, is an error.
func (t Tensor) Float64s() ([]float64, error) {
	switch t.DType {
	case F32, F16, BF16:
		f, err := t.Float32s()
		if err != nil {
			return nil, fmt.Errorf("safetensors: Float64s: %v", err)
		}
		out := make([]float64, len(f))
		for i, v := range f {
			out[i] = float64(v)
		}
		return out, nil
	case F64:
		n, err := t.check()
		if err != nil {
			return nil, fmt.Errorf("safetensors: Float64s: %v", err)
		}
		out := make([]float64, n)
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*i:]))
		}
		return out, nil
	}
	return nil, fmt.Errorf("safetensors: Float64s: dtype %s cannot be converted to float64", t.DType)
}

// check validates t and returns its number of elements.
func (t Tensor) check() (int, error) {
	size := t.DType.ByteSize()
	if size == 0 {
		return 0, fmt.Errorf("unknown dtype %q", string(t.DType))
	}
	n, err := numElements(t.Shape)
	if err != nil {
		return 0, err
	}
	hi, want := bits.Mul64(n, uint64(size))
	if hi != 0 || want != uint64(len(t.Data)) {
		return 0, fmt.Errorf("%s shape %v needs %d*%d bytes, data has %d", t.DType, t.Shape, n, size, len(t.Data))
	}
	return int(n), nil
}

// numElements returns the product of shape, or an error for a negative
// dimension or a product that overflows an int.
func numElements(shape []int) (uint64, error) {
	n := uint64(1)
	for i, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension %d at axis %d of shape %v", d, i, shape)
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt {
			return 0, fmt.Errorf("shape %v has too many elements", shape)
		}
		n = lo
	}
	return n, nil
}

// float16To32 widens an IEEE 754 half precision float exactly, including
// subnormals, infinities and NaN payloads.
func float16To32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	case frac == 0: // ±0
		return math.Float32frombits(sign)
	}
	// Subnormal: frac * 2^-24, exact in float32.
	v := float32(frac) * (1.0 / (1 << 24))
	if sign != 0 {
		v = -v
	}
	return v
}
