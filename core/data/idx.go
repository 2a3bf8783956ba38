package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// IDX magic numbers: two zero bytes, the element type (0x08 = unsigned byte)
// and the number of dimensions.
const (
	MagicLabels uint32 = 0x00000801 // n
	MagicImages uint32 = 0x00000803 // n × rows × cols
)

// maxIDXBytes bounds the payload a header may announce, so that a corrupt
// header cannot make the reader try to allocate terabytes. The largest real
// file (MNIST train images) holds 47 MB.
const maxIDXBytes = 1 << 32

// IDX is the content of one IDX file of unsigned bytes.
type IDX struct {
	Dims []int  // e.g. [60000 28 28] for images, [60000] for labels
	Data []byte // row-major, len = product of Dims
}

func magicName(m uint32) string {
	switch m {
	case MagicImages:
		return "images"
	case MagicLabels:
		return "labels"
	}
	return "unknown"
}

// ReadIDX reads an IDX file, gzip-compressed or raw (told apart by the gzip
// magic, not the file name), and checks that it holds the want magic.
func ReadIDX(path string, want uint32) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodeIDX(filepath.Base(path), f, want)
}

// DecodeIDX parses IDX bytes from r; name labels the errors. The payload must
// be exactly as long as the header says.
func DecodeIDX(name string, r io.Reader, want uint32) (*IDX, error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: gzip: %w", name, err)
		}
		defer zr.Close()
		return decodeRaw(name, zr, want, " decompressed")
	}
	return decodeRaw(name, br, want, "")
}

// decodeRaw parses an uncompressed stream; how ("" or " decompressed")
// qualifies the byte counts in errors.
func decodeRaw(name string, r io.Reader, want uint32, how string) (*IDX, error) {
	var hdr [4]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, fmt.Errorf("%s: has %d bytes%s, too short for an IDX header: %w", name, n, how, unexpectedEOF(err))
	}
	magic := binary.BigEndian.Uint32(hdr[:])
	if magic != want {
		return nil, fmt.Errorf("%s: magic 0x%08x, want 0x%08x (%s)", name, magic, want, magicName(want))
	}
	rank := int(want & 0xff)
	dimBytes := make([]byte, 4*rank)
	if n, err := io.ReadFull(r, dimBytes); err != nil {
		return nil, fmt.Errorf("%s: has %d bytes%s, header needs %d: %w", name, 4+n, how, 4+4*rank, unexpectedEOF(err))
	}
	dims := make([]int, rank)
	total := int64(1)
	for i := range dims {
		d := binary.BigEndian.Uint32(dimBytes[4*i:])
		dims[i] = int(d)
		if d > 0 && total > maxIDXBytes/int64(d) {
			return nil, fmt.Errorf("%s: header dims %v announce more than %d bytes", name, dims[:i+1], int64(maxIDXBytes))
		}
		total *= int64(d)
	}
	headerLen := int64(4 + 4*rank)
	// Read at most one byte past the announced payload: enough to tell
	// trailing garbage without trusting the header for an allocation.
	payload, err := io.ReadAll(io.LimitReader(r, total+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if got := int64(len(payload)); got != total {
		have := fmt.Sprint(headerLen + got)
		if got > total {
			have = "more than " + fmt.Sprint(headerLen+total)
		}
		return nil, fmt.Errorf("%s: has %s bytes%s, header says %d (dims %v)", name, have, how, headerLen+total, dims)
	}
	return &IDX{Dims: dims, Data: payload}, nil
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// EncodeIDX writes an IDX file of unsigned bytes with the given dims, raw
// (gz false) or gzip-compressed. Tests and tools use it to make small data.
func EncodeIDX(w io.Writer, dims []int, data []byte, gz bool) error {
	n := 1
	for _, d := range dims {
		n *= d
	}
	if n != len(data) {
		return fmt.Errorf("data.EncodeIDX: %d bytes do not fill dims %v", len(data), dims)
	}
	var buf bytes.Buffer
	hdr := make([]byte, 4+4*len(dims))
	binary.BigEndian.PutUint32(hdr, 0x0800|uint32(len(dims)))
	for i, d := range dims {
		binary.BigEndian.PutUint32(hdr[4+4*i:], uint32(d))
	}
	buf.Write(hdr)
	buf.Write(data)
	if !gz {
		_, err := w.Write(buf.Bytes())
		return err
	}
	zw := gzip.NewWriter(w)
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return err
	}
	return zw.Close()
}
