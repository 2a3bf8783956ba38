package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// raw builds a file from a header and a data buffer, with a correct length.
func raw(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

func mustEncode(t testing.TB, f File) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, f); err != nil {
		t.Fatalf("Encode: %v", err)
	}
	return b.Bytes()
}

// sameFile reports whether a and b hold the same tensors and metadata,
// treating nil and empty slices and maps alike.
func sameFile(a, b File) bool {
	if len(a.Tensors) != len(b.Tensors) || len(a.Metadata) != len(b.Metadata) {
		return false
	}
	for k, v := range a.Metadata {
		if w, ok := b.Metadata[k]; !ok || w != v {
			return false
		}
	}
	for name, ta := range a.Tensors {
		tb, ok := b.Tensors[name]
		if !ok || ta.DType != tb.DType || len(ta.Shape) != len(tb.Shape) || !bytes.Equal(ta.Data, tb.Data) {
			return false
		}
		for i := range ta.Shape {
			if ta.Shape[i] != tb.Shape[i] {
				return false
			}
		}
	}
	return true
}

func f32(t *testing.T, shape []int, data []float32) Tensor {
	t.Helper()
	x, err := FromFloat32(shape, data)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func f64(t *testing.T, shape []int, data []float64) Tensor {
	t.Helper()
	x, err := FromFloat64(shape, data)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func i64(shape []int, data ...int64) Tensor {
	b := make([]byte, 0, 8*len(data))
	for _, v := range data {
		b = binary.LittleEndian.AppendUint64(b, uint64(v))
	}
	return Tensor{DType: I64, Shape: shape, Data: b}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		file File
	}{
		{"empty", File{}},
		{"f32 matrix", File{Tensors: map[string]Tensor{"w": f32(t, []int{2, 3}, []float32{1, -2, 3.5, 0, float32(math.Inf(1)), 1e-40})}}},
		{"f64 vector", File{Tensors: map[string]Tensor{"v": f64(t, []int{4}, []float64{math.Pi, -0.0, math.MaxFloat64, math.SmallestNonzeroFloat64})}}},
		{"i64", File{Tensors: map[string]Tensor{"steps": i64([]int{3}, -1, 0, math.MaxInt64)}}},
		{"scalars", File{Tensors: map[string]Tensor{
			"s32":  f32(t, []int{}, []float32{7}),
			"s64":  f64(t, nil, []float64{-7}),
			"step": i64([]int{}, 42),
		}}},
		{"zero size", File{Tensors: map[string]Tensor{
			"empty0": f32(t, []int{0}, nil),
			"empty1": f64(t, []int{3, 0, 2}, nil),
			"x":      f32(t, []int{1}, []float32{5}),
			"y":      i64([]int{0, 4}),
		}}},
		{"mixed dtypes", File{Tensors: map[string]Tensor{
			"b":  {DType: BOOL, Shape: []int{3}, Data: []byte{1, 0, 1}},
			"u8": {DType: U8, Shape: []int{2}, Data: []byte{0, 255}},
			"h":  {DType: F16, Shape: []int{1}, Data: []byte{0x00, 0x3c}},
			"g":  {DType: BF16, Shape: []int{2}, Data: []byte{0x80, 0x3f, 0x00, 0xc0}},
			"i":  {DType: I32, Shape: []int{1, 1}, Data: []byte{1, 2, 3, 4}},
		}}},
		{"metadata", File{
			Tensors:  map[string]Tensor{"w": f32(t, []int{1}, []float32{1})},
			Metadata: map[string]string{"format": "pt", "epoch": "12", "": "empty key", "note": "ünïcode <&> \"quoted\"\n"},
		}},
		{"metadata only", File{Metadata: map[string]string{"k": "v"}}},
		{"odd names", File{Tensors: map[string]Tensor{
			"gen.layers.0.weight": f32(t, []int{1}, []float32{1}),
			"名前":                  f32(t, []int{1}, []float32{2}),
			"a\"b\\c\u0000":       f32(t, []int{1}, []float32{3}),
		}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := mustEncode(t, tc.file)
			if n := binary.LittleEndian.Uint64(b); (8+n)%8 != 0 {
				t.Errorf("header length %d: data does not start 8-byte aligned", n)
			}
			got, err := Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !sameFile(got, tc.file) {
				t.Errorf("round trip changed the file:\n got %+v\nwant %+v", got, tc.file)
			}
			// Determinism: encoding again (map order differs) gives the same bytes.
			for i := 0; i < 5; i++ {
				if again := mustEncode(t, got); !bytes.Equal(again, b) {
					t.Fatalf("re-encoding differs:\n got %q\nwant %q", again, b)
				}
			}
		})
	}
}

func TestFloatValues(t *testing.T) {
	want := []float32{1, -2, 3.5, 0, 1e-40}
	x := f32(t, []int{5}, want)
	got, err := x.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Float32s()[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	g64, err := x.Float64s()
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if g64[i] != float64(want[i]) {
			t.Errorf("Float64s()[%d] = %v, want %v", i, g64[i], want[i])
		}
	}
	y := f64(t, []int{2}, []float64{0.1, -1e300})
	g32, err := y.Float32s()
	if err != nil {
		t.Fatal(err)
	}
	if g32[0] != float32(0.1) || !math.IsInf(float64(g32[1]), -1) {
		t.Errorf("F64 Float32s() = %v, want [0.1 -Inf]", g32)
	}
}

func TestHalfConversion(t *testing.T) {
	for _, tc := range []struct {
		dtype DType
		bits  uint16
		want  float32
	}{
		{F16, 0x3C00, 1},
		{F16, 0xC000, -2},
		{F16, 0x0000, 0},
		{F16, 0x8000, float32(math.Copysign(0, -1))},
		{F16, 0x3800, 0.5},
		{F16, 0x3555, 0.333251953125},
		{F16, 0x7BFF, 65504},
		{F16, 0x0400, 1.0 / (1 << 14)},     // smallest normal
		{F16, 0x0001, 1.0 / (1 << 24)},     // smallest subnormal
		{F16, 0x83FF, -1023.0 / (1 << 24)}, // largest negative subnormal
		{F16, 0x7C00, float32(math.Inf(1))},
		{F16, 0xFC00, float32(math.Inf(-1))},
		{BF16, 0x3F80, 1},
		{BF16, 0xC000, -2},
		{BF16, 0x4049, 3.140625},
		{BF16, 0x8000, float32(math.Copysign(0, -1))},
		{BF16, 0x7F80, float32(math.Inf(1))},
		{BF16, 0x0001, math.Float32frombits(0x00010000)},
	} {
		x := Tensor{DType: tc.dtype, Shape: []int{}, Data: binary.LittleEndian.AppendUint16(nil, tc.bits)}
		got, err := x.Float32s()
		if err != nil {
			t.Fatalf("%s %#04x: %v", tc.dtype, tc.bits, err)
		}
		if math.Float32bits(got[0]) != math.Float32bits(tc.want) {
			t.Errorf("%s %#04x = %v (%#08x), want %v (%#08x)", tc.dtype, tc.bits, got[0], math.Float32bits(got[0]), tc.want, math.Float32bits(tc.want))
		}
		g64, err := x.Float64s()
		if err != nil || math.Float64bits(g64[0]) != math.Float64bits(float64(tc.want)) {
			t.Errorf("%s %#04x Float64s = %v, %v; want %v", tc.dtype, tc.bits, g64, err, tc.want)
		}
	}
	for _, h := range []uint16{0x7E00, 0x7C01, 0xFE00} {
		x := Tensor{DType: F16, Shape: []int{1}, Data: binary.LittleEndian.AppendUint16(nil, h)}
		if got, _ := x.Float32s(); !math.IsNaN(float64(got[0])) {
			t.Errorf("F16 %#04x = %v, want NaN", h, got[0])
		}
	}
	// Every finite F16 value must survive a round trip through float32.
	for h := 0; h < 1<<16; h++ {
		if h&0x7C00 == 0x7C00 {
			continue
		}
		f := float16To32(uint16(h))
		if h&0x7FFF != 0 && f == 0 {
			t.Fatalf("F16 %#04x converted to 0", h)
		}
	}
}

func TestConversionErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		x    Tensor
		want string
	}{
		{"int", i64([]int{1}, 3), "dtype I64"},
		{"bool", Tensor{DType: BOOL, Shape: []int{1}, Data: []byte{1}}, "dtype BOOL"},
		{"unknown", Tensor{DType: "F31", Shape: []int{1}, Data: []byte{1, 2, 3, 4}}, "F31"},
		{"short data", Tensor{DType: F32, Shape: []int{2}, Data: []byte{1, 2, 3, 4}}, "needs 2*4 bytes"},
		{"negative", Tensor{DType: F32, Shape: []int{-1}}, "negative dimension"},
	} {
		if _, err := tc.x.Float32s(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Float32s error %v, want one mentioning %q", tc.name, err, tc.want)
		}
		if _, err := tc.x.Float64s(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Float64s error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	if _, err := FromFloat32([]int{2, 2}, []float32{1, 2, 3}); err == nil || !strings.Contains(err.Error(), "4 elements, data has 3") {
		t.Errorf("FromFloat32 length mismatch: %v", err)
	}
	if _, err := FromFloat64([]int{2, -2}, []float64{}); err == nil || !strings.Contains(err.Error(), "negative dimension") {
		t.Errorf("FromFloat64 negative dim: %v", err)
	}
	shape := []int{2}
	x := f32(t, shape, []float32{1, 2})
	shape[0] = 5
	if x.Shape[0] != 2 {
		t.Error("FromFloat32 does not copy its shape")
	}
}

// TestGolden checks the format byte for byte against hand-written files.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		file File
		want []byte
	}{
		{
			name: "one f32 vector",
			file: File{Tensors: map[string]Tensor{"a": f32(t, []int{2}, []float32{1, 2})}},
			want: bytes.Join([][]byte{
				{56, 0, 0, 0, 0, 0, 0, 0}, // 54 bytes of JSON + 2 spaces of padding
				[]byte(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}  `),
				{0x00, 0x00, 0x80, 0x3f}, // 1.0f
				{0x00, 0x00, 0x00, 0x40}, // 2.0f
			}, nil),
		},
		{
			name: "metadata, scalar, sorted names",
			file: File{
				Tensors: map[string]Tensor{
					"b": i64([]int{}, 7),
					"a": f32(t, []int{2}, []float32{1, 2}),
				},
				Metadata: map[string]string{"format": "pt"},
			},
			want: bytes.Join([][]byte{
				{0x90, 0, 0, 0, 0, 0, 0, 0}, // 138 bytes of JSON + 6 spaces = 144
				[]byte(`{"__metadata__":{"format":"pt"},` +
					`"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},` +
					`"b":{"dtype":"I64","shape":[],"data_offsets":[8,16]}}      `),
				{0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40}, // a = [1, 2]
				{7, 0, 0, 0, 0, 0, 0, 0},                         // b = 7
			}, nil),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustEncode(t, tc.file); !bytes.Equal(got, tc.want) {
				t.Errorf("Encode:\n got %q\nwant %q", got, tc.want)
			}
			got, err := Decode(bytes.NewReader(tc.want))
			if err != nil {
				t.Fatal(err)
			}
			if !sameFile(got, tc.file) {
				t.Errorf("Decode = %+v, want %+v", got, tc.file)
			}
		})
	}
}

// TestDecodeForeignLayout reads files laid out as other writers may do:
// whitespace in the JSON, tensors in data order different from name order,
// no padding, and the reference writer's order (by alignment, then name).
func TestDecodeForeignLayout(t *testing.T) {
	data := []byte{7, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x80, 0x3f, 1}
	b := raw(`{ "z" : {"data_offsets":[0,8], "shape":[1], "dtype":"I64"},
		"a": {"dtype": "F32", "shape": [1,1], "data_offsets": [8, 12]},
		"flag": {"dtype": "BOOL", "shape": [], "data_offsets": [12, 13]},
		"__metadata__": {"format": "pt"}}`+"\t\n ", data)
	f, err := Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Tensors) != 3 || f.Metadata["format"] != "pt" {
		t.Fatalf("Decode = %+v", f)
	}
	if v, _ := f.Tensors["a"].Float32s(); len(v) != 1 || v[0] != 1 {
		t.Errorf("a = %v, want [1]", v)
	}
	if z := f.Tensors["z"]; binary.LittleEndian.Uint64(z.Data) != 7 {
		t.Errorf("z = %v", z.Data)
	}
	if g := f.Tensors["flag"]; g.DType != BOOL || len(g.Shape) != 0 || g.Data[0] != 1 {
		t.Errorf("flag = %+v", g)
	}
	// Data slices are capped: appending to one does not clobber the next.
	z := f.Tensors["z"].Data
	_ = append(z, 0xff)
	if f.Tensors["a"].Data[0] != 0 {
		t.Error("append to one tensor's Data overwrote another's")
	}
	// "__metadata__": null is no metadata.
	if f, err := Decode(bytes.NewReader(raw(`{"__metadata__":null}`, nil))); err != nil || f.Metadata != nil || len(f.Tensors) != 0 {
		t.Errorf("null metadata: %+v, %v", f, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	f32hdr := func(name, shape, offsets string) string {
		return `"` + name + `":{"dtype":"F32","shape":` + shape + `,"data_offsets":` + offsets + `}`
	}
	huge := binary.LittleEndian.AppendUint64(nil, 1<<40)
	for _, tc := range []struct {
		name   string
		in     []byte
		want   string // in the Decode error
		tensor string // the tensor the error must name, if any
	}{
		{"empty file", nil, "too short", ""},
		{"short length", []byte{1, 2, 3}, "too short", ""},
		{"header past end", append(binary.LittleEndian.AppendUint64(nil, 1000), `{}`...), "header length 1000 is larger than the file", ""},
		{"absurd header length", append(huge, `{}`...), "exceeds the limit", ""},
		{"max uint64 header length", append(binary.LittleEndian.AppendUint64(nil, math.MaxUint64), `{}`...), "exceeds the limit", ""},
		{"empty header", raw(``, nil), "does not start with '{'", ""},
		{"header is an array", raw(`[1,2]`, nil), "does not start with '{'", ""},
		{"truncated JSON", raw(`{"a":{"dtype":"F32"`, nil), "invalid JSON header: unexpected end", ""},
		{"unterminated header", raw(`{"a":{}`, nil), "invalid JSON header: unexpected end", ""},
		{"trailing garbage", raw(`{} x`, nil), "invalid JSON", ""},
		{"two objects", raw(`{}{}`, nil), "invalid JSON", ""},
		{"invalid UTF-8", raw("{\"\xff\":{}}", nil), "UTF-8", ""},
		{"entry not an object", raw(`{"a":[1]}`, nil), "not a JSON object", "a"},
		{"unknown dtype", raw(`{"a":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), `unknown dtype "F31"`, "a"},
		{"lowercase dtype", raw(`{"a":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), `unknown dtype "f32"`, "a"},
		{"dtype not a string", raw(`{"a":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), "not a string", "a"},
		{"missing field", raw(`{"a":{"dtype":"F32","shape":[1]}}`, make([]byte, 4)), `needs "dtype", "shape" and "data_offsets"`, "a"},
		{"unknown field", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, make([]byte, 4)), `unknown field "x"`, "a"},
		{"duplicate field", raw(`{"a":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), `duplicate key "dtype"`, "a"},
		{"shape/offset mismatch", raw(`{`+f32hdr("a", `[3]`, `[0,8]`)+`}`, make([]byte, 8)), "needs 3*4 bytes but data_offsets [0,8] span 8", "a"},
		{"negative dim", raw(`{`+f32hdr("a", `[2,-1]`, `[0,0]`)+`}`, nil), "negative dimension -1", "a"},
		{"fractional dim", raw(`{`+f32hdr("a", `[1.5]`, `[0,4]`)+`}`, make([]byte, 4)), "not an integer", "a"},
		{"string dim", raw(`{`+f32hdr("a", `["1"]`, `[0,4]`)+`}`, make([]byte, 4)), "not an integer", "a"},
		{"shape null", raw(`{`+f32hdr("a", `null`, `[0,4]`)+`}`, make([]byte, 4)), "not an array", "a"},
		{"shape overflow", raw(`{`+f32hdr("a", `[4294967296,4294967296,4294967296]`, `[0,4]`)+`}`, make([]byte, 4)), "too many elements", "a"},
		{"element count times size overflows", raw(`{`+f32hdr("a", `[4611686018427387904]`, `[0,4]`)+`}`, make([]byte, 4)), "needs", "a"},
		{"three offsets", raw(`{`+f32hdr("a", `[1]`, `[0,4,8]`)+`}`, make([]byte, 4)), "exactly [begin, end]", "a"},
		{"reversed offsets", raw(`{`+f32hdr("a", `[1]`, `[4,0]`)+`}`, make([]byte, 4)), "begin <= end", "a"},
		{"negative offset", raw(`{`+f32hdr("a", `[1]`, `[-4,0]`)+`}`, make([]byte, 4)), "begin <= end", "a"},
		{"offset beyond int64", raw(`{`+f32hdr("a", `[1]`, `[0,18446744073709551616]`)+`}`, make([]byte, 4)), "not an integer", "a"},
		{"overlap", raw(`{`+f32hdr("a", `[2]`, `[0,8]`)+`,`+f32hdr("b", `[2]`, `[4,12]`)+`}`, make([]byte, 12)), "overlap", "b"},
		{"same range twice", raw(`{`+f32hdr("a", `[1]`, `[0,4]`)+`,`+f32hdr("b", `[1]`, `[0,4]`)+`}`, make([]byte, 4)), "overlap", "b"},
		{"gap", raw(`{`+f32hdr("a", `[1]`, `[0,4]`)+`,`+f32hdr("b", `[1]`, `[8,12]`)+`}`, make([]byte, 12)), "gap", "b"},
		{"gap at start", raw(`{`+f32hdr("a", `[1]`, `[4,8]`)+`}`, make([]byte, 8)), "gap", "a"},
		{"buffer not covered", raw(`{`+f32hdr("a", `[1]`, `[0,4]`)+`}`, make([]byte, 8)), "not fully covered: tensors cover 4 of 8 bytes", ""},
		{"data with no tensors", raw(`{}`, []byte{1}), "not fully covered", ""},
		{"past end of buffer", raw(`{`+f32hdr("a", `[2]`, `[0,8]`)+`}`, make([]byte, 4)), "past the end", "a"},
		{"duplicate name", raw(`{`+f32hdr("a", `[1]`, `[0,4]`)+`,`+f32hdr("a", `[1]`, `[4,8]`)+`}`, make([]byte, 8)), `duplicate tensor name "a"`, ""},
		{"duplicate metadata", raw(`{"__metadata__":{},"__metadata__":{}}`, nil), `duplicate key "__metadata__"`, ""},
		{"empty name", raw(`{`+f32hdr("", `[1]`, `[0,4]`)+`}`, make([]byte, 4)), "empty name", ""},
		{"metadata not strings", raw(`{"__metadata__":{"epoch":1}}`, nil), `value of "epoch" is 1, not a string`, ""},
		{"metadata not an object", raw(`{"__metadata__":"x"}`, nil), "__metadata__: not a JSON object", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(bytes.NewReader(tc.in))
			if err == nil {
				t.Fatalf("Decode succeeded, want an error mentioning %q", tc.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "safetensors: ") || !strings.Contains(msg, tc.want) {
				t.Errorf("Decode error %q, want one mentioning %q", msg, tc.want)
			}
			if tc.tensor != "" && !strings.Contains(msg, `tensor "`+tc.tensor+`"`) {
				t.Errorf("Decode error %q does not name tensor %q", msg, tc.tensor)
			}
			// ReadFile gives the same error, naming the file.
			path := filepath.Join(t.TempDir(), "bad.safetensors")
			if err := os.WriteFile(path, tc.in, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = ReadFile(path)
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Fatalf("ReadFile error %v, want one naming %s", err, path)
			}
			want := tc.want
			if strings.Contains(tc.name, "header length") {
				want = "is larger than the file" // checked against the size first
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("ReadFile error %q, want one mentioning %q", err, want)
			}
		})
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		file File
		want string
	}{
		{"empty name", File{Tensors: map[string]Tensor{"": i64(nil, 1)}}, "empty name"},
		{"reserved name", File{Tensors: map[string]Tensor{"__metadata__": i64(nil, 1)}}, "reserved"},
		{"unknown dtype", File{Tensors: map[string]Tensor{"w": {DType: "F31", Shape: []int{1}, Data: make([]byte, 4)}}}, `tensor "w": unknown dtype "F31"`},
		{"empty dtype", File{Tensors: map[string]Tensor{"w": {Shape: []int{1}, Data: make([]byte, 4)}}}, `tensor "w": unknown dtype ""`},
		{"short data", File{Tensors: map[string]Tensor{"w": {DType: F32, Shape: []int{2}, Data: make([]byte, 4)}}}, `tensor "w": F32 shape [2] needs 2*4 bytes, data has 4`},
		{"negative dim", File{Tensors: map[string]Tensor{"w": {DType: F32, Shape: []int{-1}}}}, `tensor "w": negative dimension`},
		{"invalid UTF-8 name", File{Tensors: map[string]Tensor{"\xff": i64(nil, 1)}}, "not valid UTF-8"},
		{"invalid UTF-8 metadata", File{Metadata: map[string]string{"k": "\xff"}}, "not valid UTF-8"},
	} {
		var b bytes.Buffer
		err := Encode(&b, tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Encode error %v, want one mentioning %q", tc.name, err, tc.want)
		}
		if b.Len() != 0 {
			t.Errorf("%s: Encode wrote %d bytes before failing", tc.name, b.Len())
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gen.safetensors")
	good := File{
		Tensors:  map[string]Tensor{"w": f32(t, []int{2}, []float32{1, 2})},
		Metadata: map[string]string{"step": "1"},
	}
	if err := WriteFile(path, good); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !sameFile(got, good) {
		t.Fatalf("ReadFile = %+v, want %+v", got, good)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, mustEncode(t, good)) {
		t.Fatal("WriteFile and Encode disagree")
	}

	// An invalid File fails and leaves the old file untouched.
	bad := File{Tensors: map[string]Tensor{
		"w": f32(t, []int{2}, []float32{3, 4}),
		"x": {DType: F32, Shape: []int{3}, Data: make([]byte, 4)},
	}}
	err = WriteFile(path, bad)
	if err == nil || !strings.Contains(err.Error(), `tensor "x"`) || !strings.Contains(err.Error(), path) {
		t.Fatalf("WriteFile(bad) error %v, want one naming tensor x and %s", err, path)
	}
	after, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(after, before) {
		t.Fatalf("WriteFile(bad) changed the existing file (err %v)", err)
	}

	// A good overwrite replaces the content and keeps the mode.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	next := File{Tensors: map[string]Tensor{"w": f32(t, []int{3}, []float32{5, 6, 7})}}
	if err := WriteFile(path, next); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(path); err != nil || !sameFile(got, next) {
		t.Fatalf("after overwrite ReadFile = %+v, %v", got, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode after overwrite = %v, %v; want 0600", st.Mode(), err)
	}

	// Writing into a missing directory fails cleanly.
	if err := WriteFile(filepath.Join(dir, "missing", "x.safetensors"), good); err == nil {
		t.Error("WriteFile into a missing directory succeeded")
	}

	// No temporary files are left behind.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "gen.safetensors" {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only gen.safetensors", names)
	}

	// A relative path in the current directory works too.
	t.Chdir(dir)
	if err := WriteFile("rel.safetensors", good); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile("rel.safetensors"); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(filepath.Join(dir, "nonexistent")); err == nil || !strings.Contains(err.Error(), "nonexistent") {
		t.Errorf("ReadFile of a missing file: %v", err)
	}
}

func TestDTypeByteSize(t *testing.T) {
	for d, want := range map[DType]int{
		BOOL: 1, U8: 1, I8: 1, F8E5M2: 1, F8E4M3: 1,
		I16: 2, U16: 2, F16: 2, BF16: 2,
		I32: 4, U32: 4, F32: 4,
		I64: 8, U64: 8, F64: 8,
		"": 0, "f32": 0, "F128": 0,
	} {
		if got := d.ByteSize(); got != want {
			t.Errorf("%q.ByteSize() = %d, want %d", d, got, want)
		}
	}
}

// FuzzDecode checks that Decode never panics, and that anything it accepts
// encodes, decodes back to the same content and encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	seeds := []File{
		{},
		{Tensors: map[string]Tensor{"a": i64([]int{2}, 1, 2)}, Metadata: map[string]string{"format": "pt"}},
		{Tensors: map[string]Tensor{
			"s": i64([]int{}, 3),
			"z": {DType: F32, Shape: []int{0, 3}},
			"h": {DType: F16, Shape: []int{2}, Data: []byte{0, 0x3c, 0, 0xc0}},
			"b": {DType: BOOL, Shape: []int{1}, Data: []byte{1}},
		}},
	}
	for _, s := range seeds {
		f.Add(mustEncode(f, s))
	}
	f.Add(raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}`, make([]byte, 6)))
	f.Add(raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}`, make([]byte, 6)))
	f.Add(raw(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, make([]byte, 4)))
	f.Add(raw(`{"__metadata__":{"k":"v"},"":{}}`, nil))
	f.Add(raw(`{"a":1,"a":2}`, nil))
	f.Add(raw("{\"\xff\"}", nil))
	f.Add(raw(`{`, nil))
	f.Add(binary.LittleEndian.AppendUint64(nil, math.MaxUint64))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		got, err := Decode(bytes.NewReader(in))
		if err != nil {
			return
		}
		for name, x := range got.Tensors {
			if _, err := x.check(); err != nil {
				t.Fatalf("Decode accepted tensor %q that fails validation: %v", name, err)
			}
			x.Float32s() // must not panic
			x.Float64s()
		}
		enc := mustEncode(t, got)
		again, err := Decode(bytes.NewReader(enc))
		if err != nil {
			t.Fatalf("re-decoding an encoded file: %v", err)
		}
		if !sameFile(got, again) {
			t.Fatalf("encode/decode changed the file:\n got %+v\nwant %+v", again, got)
		}
		if enc2 := mustEncode(t, again); !bytes.Equal(enc, enc2) {
			t.Fatal("encoding is not deterministic")
		}
	})
}
