package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"unicode/utf8"
)

// MaxHeaderSize is the largest JSON header, in bytes, that Decode and ReadFile
// accept. The reference implementation uses the same limit.
const MaxHeaderSize = 100 << 20

// metadataKey is the reserved header key that holds File.Metadata.
const metadataKey = "__metadata__"

// File is the content of a safetensors file: named tensors and optional
// free-form string metadata (the "__metadata__" entry of the header).
type File struct {
	Tensors  map[string]Tensor
	Metadata map[string]string
}

// Encode writes f to w in the safetensors format. The output is deterministic:
// metadata keys and tensors are written sorted by name, the header is compact
// JSON padded with spaces to a multiple of 8 bytes, and the tensor bytes follow
// in the same order, so equal Files encode to equal bytes.
//
// Encode validates f before writing anything: every tensor must have a
// non-empty UTF-8 name other than "__metadata__", a known dtype, no negative
// dimension and exactly the number of bytes its shape and dtype call for, and
// metadata keys and values must be valid UTF-8.
func Encode(w io.Writer, f File) error {
	header, names, err := encodeHeader(f)
	if err != nil {
		return err
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(header)))
	if _, err := w.Write(n[:]); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	if _, err := w.Write(header); err != nil {
		return fmt.Errorf("safetensors: %w", err)
	}
	for _, name := range names {
		if d := f.Tensors[name].Data; len(d) > 0 {
			if _, err := w.Write(d); err != nil {
				return fmt.Errorf("safetensors: %w", err)
			}
		}
	}
	return nil
}

// encodeHeader validates f and returns its padded JSON header and the tensor
// names in the order their data follows the header.
func encodeHeader(f File) ([]byte, []string, error) {
	names := make([]string, 0, len(f.Tensors))
	for name, t := range f.Tensors {
		if name == "" {
			return nil, nil, errors.New("safetensors: tensor with empty name")
		}
		if name == metadataKey {
			return nil, nil, fmt.Errorf("safetensors: tensor name %q is reserved for metadata", name)
		}
		if !utf8.ValidString(name) {
			return nil, nil, fmt.Errorf("safetensors: tensor name %q is not valid UTF-8", name)
		}
		if _, err := t.check(); err != nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: %v", name, err)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	keys := make([]string, 0, len(f.Metadata))
	for k, v := range f.Metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, nil, fmt.Errorf("safetensors: metadata %q: %q is not valid UTF-8", k, v)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)

	var b bytes.Buffer
	b.WriteByte('{')
	if len(keys) > 0 {
		writeString(&b, metadataKey)
		b.WriteString(":{")
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(&b, k)
			b.WriteByte(':')
			writeString(&b, f.Metadata[k])
		}
		b.WriteByte('}')
	}
	var off uint64
	for i, name := range names {
		if i > 0 || len(keys) > 0 {
			b.WriteByte(',')
		}
		t := f.Tensors[name]
		writeString(&b, name)
		b.WriteString(`:{"dtype":`)
		writeString(&b, string(t.DType))
		b.WriteString(`,"shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(d))
		}
		end := off + uint64(len(t.Data))
		fmt.Fprintf(&b, `],"data_offsets":[%d,%d]}`, off, end)
		off = end
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	if b.Len() > MaxHeaderSize {
		return nil, nil, fmt.Errorf("safetensors: header of %d bytes exceeds the limit of %d", b.Len(), MaxHeaderSize)
	}
	return b.Bytes(), names, nil
}

// writeString writes s as a JSON string without HTML escaping.
func writeString(b *bytes.Buffer, s string) {
	e := json.NewEncoder(b)
	e.SetEscapeHTML(false)
	e.Encode(s)             // cannot fail for a string
	b.Truncate(b.Len() - 1) // drop the newline Encode appends
}

// Decode reads a safetensors file from r and validates it strictly; see the
// package documentation for the rules. The tensors' Data slices share one
// buffer read from r, each capped at its own length.
func Decode(r io.Reader) (File, error) {
	f, err := decode(r, -1)
	if err != nil {
		return File{}, fmt.Errorf("safetensors: %w", err)
	}
	return f, nil
}

// decode reads a file from r. If size >= 0 it is the total number of bytes r
// holds, which lets the header length be checked before reading it.
func decode(r io.Reader, size int64) (File, error) {
	var n [8]byte
	if got, err := io.ReadFull(r, n[:]); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return File{}, fmt.Errorf("file of %d bytes is too short for the 8-byte header length", got)
		}
		return File{}, err
	}
	hlen := binary.LittleEndian.Uint64(n[:])
	if size >= 0 && (size < 8 || hlen > uint64(size-8)) { // size < 8: the file grew since it was measured
		return File{}, fmt.Errorf("header length %d is larger than the file (%d bytes after the length)", hlen, size-8)
	}
	if hlen > MaxHeaderSize {
		return File{}, fmt.Errorf("header length %d exceeds the limit of %d bytes", hlen, MaxHeaderSize)
	}
	// Read through a LimitReader rather than allocating hlen bytes up front,
	// so a short input claiming a huge header costs nothing.
	header, err := io.ReadAll(io.LimitReader(r, int64(hlen)))
	if err != nil {
		return File{}, err
	}
	if uint64(len(header)) != hlen {
		return File{}, fmt.Errorf("header length %d is larger than the file (%d bytes after the length)", hlen, len(header))
	}
	var buf []byte
	if size >= 0 {
		buf = make([]byte, size-8-int64(hlen))
		if _, err := io.ReadFull(r, buf); err != nil {
			return File{}, fmt.Errorf("reading data: %w", err)
		}
	} else if buf, err = io.ReadAll(r); err != nil {
		return File{}, fmt.Errorf("reading data: %w", err)
	}
	return parse(header, buf)
}

// entry is a tensor's header entry while it is being checked.
type entry struct {
	name       string
	begin, end uint64
	t          Tensor
}

// parse validates the header against the data buffer and builds the File.
func parse(header, buf []byte) (File, error) {
	if !utf8.Valid(header) {
		return File{}, errors.New("header is not valid UTF-8")
	}
	if len(header) == 0 || header[0] != '{' {
		return File{}, errors.New("header does not start with '{'")
	}
	top, err := object(header, true)
	if err != nil {
		return File{}, fmt.Errorf("invalid JSON header: %v", err)
	}
	f := File{Tensors: make(map[string]Tensor, len(top))}
	entries := make([]entry, 0, len(top))
	for _, kv := range top {
		if kv.key == metadataKey {
			if f.Metadata, err = metadata(kv.val); err != nil {
				return File{}, fmt.Errorf("%s: %v", metadataKey, err)
			}
			continue
		}
		if kv.key == "" {
			return File{}, errors.New("tensor with empty name")
		}
		e, err := tensorEntry(kv.val)
		if err != nil {
			return File{}, fmt.Errorf("tensor %q: %v", kv.key, err)
		}
		e.name = kv.key
		entries = append(entries, e)
	}
	// The data ranges, in order, must tile the buffer exactly.
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].begin != entries[j].begin {
			return entries[i].begin < entries[j].begin
		}
		return entries[i].end < entries[j].end
	})
	var pos uint64
	var prev string
	for _, e := range entries {
		switch {
		case e.begin < pos:
			return File{}, fmt.Errorf("tensor %q: data_offsets [%d,%d] overlap tensor %q, which ends at %d", e.name, e.begin, e.end, prev, pos)
		case e.begin > pos && prev == "":
			return File{}, fmt.Errorf("tensor %q: data_offsets [%d,%d] leave a gap: bytes [0,%d) belong to no tensor", e.name, e.begin, e.end, e.begin)
		case e.begin > pos:
			return File{}, fmt.Errorf("tensor %q: data_offsets [%d,%d] leave a gap after tensor %q, which ends at %d", e.name, e.begin, e.end, prev, pos)
		case e.end > uint64(len(buf)):
			return File{}, fmt.Errorf("tensor %q: data_offsets [%d,%d] extend past the end of the %d-byte data buffer", e.name, e.begin, e.end, len(buf))
		}
		e.t.Data = buf[e.begin:e.end:e.end]
		f.Tensors[e.name] = e.t
		pos, prev = e.end, e.name
	}
	if pos != uint64(len(buf)) {
		return File{}, fmt.Errorf("data buffer not fully covered: tensors cover %d of %d bytes", pos, len(buf))
	}
	return f, nil
}

// tensorEntry checks one {"dtype","shape","data_offsets"} header entry.
func tensorEntry(raw json.RawMessage) (entry, error) {
	fields, err := object(raw, false)
	if err != nil {
		return entry{}, fmt.Errorf("entry is not a JSON object: %v", err)
	}
	var dtype, shape, offsets json.RawMessage
	for _, kv := range fields {
		switch kv.key {
		case "dtype":
			dtype = kv.val
		case "shape":
			shape = kv.val
		case "data_offsets":
			offsets = kv.val
		default:
			return entry{}, fmt.Errorf("unknown field %q", kv.key)
		}
	}
	if dtype == nil || shape == nil || offsets == nil {
		return entry{}, errors.New(`entry needs "dtype", "shape" and "data_offsets"`)
	}
	var e entry
	var name string
	if dtype[0] != '"' || json.Unmarshal(dtype, &name) != nil {
		return entry{}, fmt.Errorf("dtype %s is not a string", dtype)
	}
	e.t.DType = DType(name)
	size := e.t.DType.ByteSize()
	if size == 0 {
		return entry{}, fmt.Errorf("unknown dtype %q", name)
	}
	dims, err := integers(shape)
	if err != nil {
		return entry{}, fmt.Errorf("shape: %v", err)
	}
	e.t.Shape = make([]int, len(dims))
	n := uint64(1)
	for i, d := range dims {
		if d < 0 {
			return entry{}, fmt.Errorf("negative dimension %d at axis %d of shape %s", d, i, shape)
		}
		e.t.Shape[i] = int(d)
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > math.MaxInt64 {
			return entry{}, fmt.Errorf("shape %s has too many elements", shape)
		}
		n = lo
	}
	off, err := integers(offsets)
	if err != nil {
		return entry{}, fmt.Errorf("data_offsets: %v", err)
	}
	if len(off) != 2 {
		return entry{}, fmt.Errorf("data_offsets %s must hold exactly [begin, end]", offsets)
	}
	if off[0] < 0 || off[1] < off[0] {
		return entry{}, fmt.Errorf("data_offsets %s are not 0 <= begin <= end", offsets)
	}
	e.begin, e.end = uint64(off[0]), uint64(off[1])
	hi, want := bits.Mul64(n, uint64(size))
	if hi != 0 || want != e.end-e.begin {
		return entry{}, fmt.Errorf("shape %s of %s needs %d*%d bytes but data_offsets %s span %d", shape, name, n, size, offsets, e.end-e.begin)
	}
	return e, nil
}

// integers parses a JSON array of integers.
func integers(raw json.RawMessage) ([]int64, error) {
	var elems []json.RawMessage
	if raw[0] != '[' || json.Unmarshal(raw, &elems) != nil {
		return nil, fmt.Errorf("%s is not an array", raw)
	}
	out := make([]int64, len(elems))
	for i, el := range elems {
		v, err := strconv.ParseInt(string(el), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("element %s is not an integer in int64 range", el)
		}
		out[i] = v
	}
	return out, nil
}

// metadata parses the "__metadata__" object of strings. JSON null means none.
func metadata(raw json.RawMessage) (map[string]string, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	kvs, err := object(raw, false)
	if err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		var s string
		if kv.val[0] != '"' || json.Unmarshal(kv.val, &s) != nil {
			return nil, fmt.Errorf("value of %q is %s, not a string", kv.key, kv.val)
		}
		m[kv.key] = s
	}
	return m, nil
}

// keyValue is one member of a JSON object.
type keyValue struct {
	key string
	val json.RawMessage
}

// object parses data as exactly one JSON object, possibly followed by
// whitespace (the padding of a header), and returns its members in order.
// Unlike encoding/json's map decoding it rejects duplicate keys; top says
// data is the whole header, whose keys are tensor names.
func object(data []byte, top bool) (kvs []keyValue, err error) {
	defer func() {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = errors.New("unexpected end of JSON")
		}
	}()
	d := json.NewDecoder(bytes.NewReader(data))
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	if tok != json.Delim('{') {
		return nil, fmt.Errorf("got %v, want an object", tok)
	}
	seen := make(map[string]bool)
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("got %v, want an object key", tok)
		}
		if seen[key] {
			if top && key != metadataKey {
				return nil, fmt.Errorf("duplicate tensor name %q", key)
			}
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		var val json.RawMessage
		if err := d.Decode(&val); err != nil {
			return nil, err
		}
		kvs = append(kvs, keyValue{key, val})
	}
	if tok, err = d.Token(); err != nil {
		return nil, err
	}
	if tok != json.Delim('}') {
		return nil, fmt.Errorf("got %v, want the end of an object", tok)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("data after the top-level object")
	}
	return kvs, nil
}
