package tensor

import (
	"fmt"
	"math"
	"strings"
)

// DType is the element type of a Tensor.
type DType uint8

const (
	// Float32 is the training type.
	Float32 DType = iota
	// Float64 is the type of gradient checks and reference tests.
	Float64
)

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("DType(%d)", uint8(d))
}

// Float is the set of element types kernels are written for.
type Float interface{ ~float32 | ~float64 }

// Tensor is a dense row-major array. Exactly one of f32 and f64 is used,
// according to dtype.
type Tensor struct {
	shape []int
	dtype DType
	f32   []float32
	f64   []float64
}

// Numel returns the number of elements of a shape (1 for a scalar shape).
func Numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func checkShape(op string, shape []int) {
	for _, d := range shape {
		if d < 0 {
			panic(errorf(op, "negative dimension in shape %v", shape))
		}
	}
}

// New returns a zero tensor of the given type and shape.
func New(dtype DType, shape ...int) *Tensor { return newTensor(dtype, true, shape...) }

// FromFloat32 wraps data (not copied) as a float32 tensor of the given shape.
func FromFloat32(data []float32, shape ...int) *Tensor {
	checkShape("tensor.FromFloat32", shape)
	if len(data) != Numel(shape) {
		panic(errorf("tensor.FromFloat32", "%d values do not fill shape %v", len(data), shape))
	}
	return &Tensor{shape: append([]int(nil), shape...), dtype: Float32, f32: data}
}

// FromFloat64 wraps data (not copied) as a float64 tensor of the given shape.
func FromFloat64(data []float64, shape ...int) *Tensor {
	checkShape("tensor.FromFloat64", shape)
	if len(data) != Numel(shape) {
		panic(errorf("tensor.FromFloat64", "%d values do not fill shape %v", len(data), shape))
	}
	return &Tensor{shape: append([]int(nil), shape...), dtype: Float64, f64: data}
}

// FromValues converts float64 values to a new tensor of the given type.
func FromValues(dtype DType, data []float64, shape ...int) *Tensor {
	t := New(dtype, shape...)
	if len(data) != t.Len() {
		panic(errorf("tensor.FromValues", "%d values do not fill shape %v", len(data), shape))
	}
	if dtype == Float64 {
		copy(t.f64, data)
	} else {
		for i, v := range data {
			t.f32[i] = float32(v)
		}
	}
	return t
}

// Full returns a tensor filled with v.
func Full(dtype DType, v float64, shape ...int) *Tensor {
	t := New(dtype, shape...)
	t.Fill(v)
	return t
}

// Scalar returns a rank-0 tensor holding v.
func Scalar(dtype DType, v float64) *Tensor { return Full(dtype, v) }

// Shape returns a copy of the tensor's shape.
func (t *Tensor) Shape() []int { return append([]int(nil), t.shape...) }

// Dim returns the length of axis i; negative i counts from the end.
func (t *Tensor) Dim(i int) int { return t.shape[normAxis("tensor.Dim", i, len(t.shape))] }

// Rank returns the number of axes.
func (t *Tensor) Rank() int { return len(t.shape) }

// Len returns the number of elements.
func (t *Tensor) Len() int {
	if t.dtype == Float32 {
		return len(t.f32)
	}
	return len(t.f64)
}

// DType returns the element type.
func (t *Tensor) DType() DType { return t.dtype }

// Float32s returns the backing slice of a float32 tensor (shared, not copied).
func (t *Tensor) Float32s() []float32 {
	if t.dtype != Float32 {
		panic(errorf("Tensor.Float32s", "tensor is %v", t.dtype))
	}
	return t.f32
}

// Float64s returns the backing slice of a float64 tensor (shared, not copied).
func (t *Tensor) Float64s() []float64 {
	if t.dtype != Float64 {
		panic(errorf("Tensor.Float64s", "tensor is %v", t.dtype))
	}
	return t.f64
}

// Values returns a float64 copy of the elements, whatever the dtype.
func (t *Tensor) Values() []float64 {
	if t.dtype == Float64 {
		return append([]float64(nil), t.f64...)
	}
	out := make([]float64, len(t.f32))
	for i, v := range t.f32 {
		out[i] = float64(v)
	}
	return out
}

// At returns the element at flat index i as float64.
func (t *Tensor) At(i int) float64 {
	if t.dtype == Float64 {
		return t.f64[i]
	}
	return float64(t.f32[i])
}

// SetAt sets the element at flat index i.
func (t *Tensor) SetAt(i int, v float64) {
	if t.dtype == Float64 {
		t.f64[i] = v
	} else {
		t.f32[i] = float32(v)
	}
}

// Item returns the value of a one-element tensor.
func (t *Tensor) Item() float64 {
	if t.Len() != 1 {
		panic(errorf("Tensor.Item", "tensor of shape %v has %d elements, want 1", t.shape, t.Len()))
	}
	return t.At(0)
}

// Fill sets every element to v, in place.
func (t *Tensor) Fill(v float64) {
	if t.dtype == Float64 {
		for i := range t.f64 {
			t.f64[i] = v
		}
		return
	}
	f := float32(v)
	for i := range t.f32 {
		t.f32[i] = f
	}
}

// Clone returns a deep copy.
func (t *Tensor) Clone() *Tensor {
	c := &Tensor{shape: append([]int(nil), t.shape...), dtype: t.dtype}
	if t.dtype == Float64 {
		c.f64 = append([]float64(nil), t.f64...)
	} else {
		c.f32 = append([]float32(nil), t.f32...)
	}
	return c
}

// CopyFrom copies src's elements into t, in place; shapes must have the same
// number of elements and dtypes must match.
func (t *Tensor) CopyFrom(src *Tensor) {
	if t.dtype != src.dtype || t.Len() != src.Len() {
		panic(errorf("Tensor.CopyFrom", "cannot copy %v %v into %v %v", src.dtype, src.shape, t.dtype, t.shape))
	}
	if t.dtype == Float64 {
		copy(t.f64, src.f64)
	} else {
		copy(t.f32, src.f32)
	}
}

// AsType returns t converted to dtype (t itself when it already has it).
func (t *Tensor) AsType(dtype DType) *Tensor {
	if t.dtype == dtype {
		return t
	}
	return FromValues(dtype, t.Values(), t.shape...)
}

// ZerosLike returns a zero tensor with t's dtype and shape.
func ZerosLike(t *Tensor) *Tensor { return New(t.dtype, t.shape...) }

// SameShape reports whether two shapes are equal.
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// HasNaN reports whether any element is NaN or infinite.
func (t *Tensor) HasNaN() bool {
	if t.dtype == Float64 {
		for _, v := range t.f64 {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return true
			}
		}
		return false
	}
	for _, v := range t.f32 {
		if v != v || v > math.MaxFloat32 || v < -math.MaxFloat32 {
			return true
		}
	}
	return false
}

// String prints the shape and up to 8 leading values.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor(%v %v [", t.dtype, t.shape)
	n := t.Len()
	for i := 0; i < n && i < 8; i++ {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%.4g", t.At(i))
	}
	if n > 8 {
		b.WriteString(" ...")
	}
	b.WriteString("])")
	return b.String()
}

// normAxis maps a possibly negative axis to [0, rank).
func normAxis(op string, axis, rank int) int {
	a := axis
	if a < 0 {
		a += rank
	}
	if a < 0 || a >= rank {
		panic(errorf(op, "axis %d out of range for rank %d", axis, rank))
	}
	return a
}

// strides returns the row-major strides of shape.
func strides(shape []int) []int {
	s := make([]int, len(shape))
	acc := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= shape[i]
	}
	return s
}

// Reshape returns a view of t with a new shape of the same size; one entry
// may be -1 and is inferred.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	shape = append([]int(nil), shape...)
	infer, known := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(errorf("reshape", "bad target shape %v for %v", shape, t.shape))
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || t.Len()%known != 0 {
			panic(errorf("reshape", "cannot infer -1 in %v from %v", shape, t.shape))
		}
		shape[infer] = t.Len() / known
	}
	if Numel(shape) != t.Len() {
		panic(errorf("reshape", "cannot reshape %v (%d elements) to %v", t.shape, t.Len(), shape))
	}
	return &Tensor{shape: shape, dtype: t.dtype, f32: t.f32, f64: t.f64}
}
