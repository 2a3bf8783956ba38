package safetensors

// DType names the element type of a tensor, spelled as in the safetensors
// header ("F32", "BF16", ...). Names are case-sensitive.
type DType string

// The element types of the safetensors format. All of them are little-endian;
// the F8 types are the OCP 8-bit floats, stored one byte per element.
const (
	BOOL   DType = "BOOL"    // boolean, one byte per element, 0 or 1
	U8     DType = "U8"      // unsigned 8-bit integer
	I8     DType = "I8"      // signed 8-bit integer
	F8E5M2 DType = "F8_E5M2" // 8-bit float, 5 exponent and 2 mantissa bits
	F8E4M3 DType = "F8_E4M3" // 8-bit float, 4 exponent and 3 mantissa bits
	I16    DType = "I16"     // signed 16-bit integer
	U16    DType = "U16"     // unsigned 16-bit integer
	F16    DType = "F16"     // IEEE 754 half precision float
	BF16   DType = "BF16"    // bfloat16: the upper 16 bits of a float32
	I32    DType = "I32"     // signed 32-bit integer
	U32    DType = "U32"     // unsigned 32-bit integer
	F32    DType = "F32"     // IEEE 754 single precision float
	F64    DType = "F64"     // IEEE 754 double precision float
	I64    DType = "I64"     // signed 64-bit integer
	U64    DType = "U64"     // unsigned 64-bit integer
)

// ByteSize returns the size in bytes of one element of type d, or 0 if d is
// not a dtype this package knows.
func (d DType) ByteSize() int {
	switch d {
	case BOOL, U8, I8, F8E5M2, F8E4M3:
		return 1
	case I16, U16, F16, BF16:
		return 2
	case I32, U32, F32:
		return 4
	case F64, I64, U64:
		return 8
	}
	return 0
}
