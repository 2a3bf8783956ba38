package data

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// idxBytes builds an IDX file by hand (independently of EncodeIDX).
func idxBytes(magic uint32, dims []uint32, payload []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, magic)
	for _, d := range dims {
		binary.Write(&b, binary.BigEndian, d)
	}
	b.Write(payload)
	return b.Bytes()
}

func gzipBytes(t testing.TB, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodeIDX(t *testing.T) {
	pix := []byte{0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255}
	images := idxBytes(MagicImages, []uint32{2, 3, 2}, pix)
	labels := idxBytes(MagicLabels, []uint32{4}, []byte{7, 0, 9, 1})
	cases := []struct {
		name     string
		file     []byte
		magic    uint32
		wantDims []int
		wantData []byte
	}{
		{"images raw", images, MagicImages, []int{2, 3, 2}, pix},
		{"images gzip", gzipBytes(t, images), MagicImages, []int{2, 3, 2}, pix},
		{"labels raw", labels, MagicLabels, []int{4}, []byte{7, 0, 9, 1}},
		{"labels gzip", gzipBytes(t, labels), MagicLabels, []int{4}, []byte{7, 0, 9, 1}},
		{"empty set", idxBytes(MagicLabels, []uint32{0}, nil), MagicLabels, []int{0}, []byte{}},
	}
	for _, c := range cases {
		got, err := DecodeIDX("f", bytes.NewReader(c.file), c.magic)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !equalInts(got.Dims, c.wantDims) || !bytes.Equal(got.Data, c.wantData) {
			t.Errorf("%s: got dims %v data %v, want %v %v", c.name, got.Dims, got.Data, c.wantDims, c.wantData)
		}
	}
}

func TestDecodeIDXErrors(t *testing.T) {
	full := idxBytes(MagicImages, []uint32{10000, 28, 28}, make([]byte, 7840000))
	cases := []struct {
		name  string
		file  []byte
		magic uint32
		want  string
	}{
		{"labels as images", idxBytes(MagicLabels, []uint32{3}, []byte{1, 2, 3}), MagicImages,
			"train-images-idx3-ubyte.gz: magic 0x00000801, want 0x00000803 (images)"},
		{"images as labels", idxBytes(MagicImages, []uint32{1, 1, 1}, []byte{1}), MagicLabels,
			"magic 0x00000803, want 0x00000801 (labels)"},
		{"truncated payload", full[:1000], MagicImages,
			"train-images-idx3-ubyte.gz: has 1000 bytes, header says 7840016"},
		{"truncated payload gzip", gzipBytes(t, full[:1000]), MagicImages,
			"has 1000 bytes decompressed, header says 7840016"},
		{"trailing bytes", idxBytes(MagicLabels, []uint32{2}, []byte{1, 2, 3}), MagicLabels,
			"has more than 10 bytes, header says 10"},
		{"short header", []byte{0, 0, 8}, MagicLabels, "has 3 bytes, too short"},
		{"short dims", []byte{0, 0, 8, 3, 0, 0}, MagicImages, "has 6 bytes, header needs 16"},
		{"huge header", idxBytes(MagicImages, []uint32{0xffffffff, 0xffffffff, 2}, nil), MagicImages,
			"announce more than"},
		{"broken gzip", gzipBytes(t, full[:2000])[:40], MagicImages, "unexpected EOF"},
		{"empty file", nil, MagicLabels, "has 0 bytes"},
	}
	for _, c := range cases {
		_, err := DecodeIDX("train-images-idx3-ubyte.gz", bytes.NewReader(c.file), c.magic)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestEncodeIDXRoundTrip(t *testing.T) {
	for _, gz := range []bool{false, true} {
		var b bytes.Buffer
		data := []byte{9, 8, 7, 6, 5, 4}
		if err := EncodeIDX(&b, []int{1, 2, 3}, data, gz); err != nil {
			t.Fatal(err)
		}
		raw := b.Bytes()
		if gz {
			if raw[0] != 0x1f || raw[1] != 0x8b {
				t.Fatalf("gz=true wrote no gzip magic: % x", raw[:2])
			}
		} else if !bytes.Equal(raw, idxBytes(MagicImages, []uint32{1, 2, 3}, data)) {
			t.Fatalf("raw encoding % x differs from the hand-built file", raw)
		}
		got, err := DecodeIDX("x", bytes.NewReader(raw), MagicImages)
		if err != nil || !bytes.Equal(got.Data, data) {
			t.Fatalf("gz=%v: round trip got %v, %v", gz, got, err)
		}
	}
	if err := EncodeIDX(&bytes.Buffer{}, []int{2, 2}, []byte{1}, false); err == nil {
		t.Error("EncodeIDX accepted 1 byte for dims [2 2]")
	}
}

func TestReadIDXNamesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t10k-labels-idx1-ubyte")
	if err := os.WriteFile(p, idxBytes(MagicImages, []uint32{1, 1, 1}, []byte{0}), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadIDX(p, MagicLabels)
	if err == nil || !strings.HasPrefix(err.Error(), "t10k-labels-idx1-ubyte: magic") {
		t.Errorf("error %v, want it to start with the file name", err)
	}
}

// FuzzIDX checks that no input makes the decoder panic or return data that
// disagrees with its dims. The seeds run as ordinary tests.
func FuzzIDX(f *testing.F) {
	f.Add(idxBytes(MagicImages, []uint32{2, 2, 2}, []byte{1, 2, 3, 4, 5, 6, 7, 8}))
	f.Add(idxBytes(MagicLabels, []uint32{3}, []byte{1, 2, 3}))
	f.Add(gzipBytes(f, idxBytes(MagicLabels, []uint32{3}, []byte{1, 2, 3})))
	f.Add(idxBytes(MagicImages, []uint32{1 << 30, 1 << 30, 4}, nil))
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, magic := range []uint32{MagicImages, MagicLabels} {
			got, err := DecodeIDX("fuzz", bytes.NewReader(b), magic)
			if err != nil {
				continue
			}
			n := 1
			for _, d := range got.Dims {
				n *= d
			}
			if len(got.Dims) != int(magic&0xff) || n != len(got.Data) {
				t.Fatalf("dims %v with %d bytes", got.Dims, len(got.Data))
			}
		}
	})
}

func equalInts(a, b []int) bool {
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
