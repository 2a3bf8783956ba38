// Fuzzing record, FuzzImageDecode (DecodeImage on arbitrary bytes, PNG and
// JPEG seeds, 5×7 target, both crops and channel counts, MaxPixels 1<<20):
// `go test -run '^$' -fuzz FuzzImageDecode -fuzztime 170s ./core/data/` on 2
// workers (Go 1.26, x/image v0.30.0): 170 s, 4.66 million executions,
// 168 new interesting inputs, no crash, no error without the file name, no
// value outside the range; the whole resulting corpus replays in 0.04 s, so
// no input was slow. The pixel guard (DecodeConfig before Decode) is what
// keeps a forged header from allocating: see TestDecodeImagePixelGuard.

package data

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ganlab/ganlab/core/tensor"
)

// solid returns a w×h image of one colour.
func solid(w, h int, c color.Color) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, c)
		}
	}
	return m
}

// grey returns a w×h 8-bit grey image of level v.
func grey(w, h int, v uint8) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = v
	}
	return m
}

// grey16 returns a w×h 16-bit grey image of level v.
func grey16(w, h int, v uint16) *image.Gray16 {
	m := image.NewGray16(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetGray16(x, y, color.Gray16{v})
		}
	}
	return m
}

// halves returns a w×h grey image, black in the left (vertical=false) or
// top (vertical=true) half and white in the other.
func halves(w, h int, vertical bool) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if (!vertical && x >= w/2) || (vertical && y >= h/2) {
				m.SetGray(x, y, color.Gray{255})
			}
		}
	}
	return m
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 100}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// signed maps an 8-bit value to [-1, 1] as the IDX loader does.
func signed(v float64) float64 { return v/127.5 - 1 }

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// classFolder writes a two-class folder: cats (an RGB PNG and a grey JPEG
// of other sizes) and dogs (a PNG with an upper-case extension, a nested
// grey PNG, a text file), plus a top-level image and a hidden folder that
// the class layout must ignore.
func classFolder(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "pets")
	writeFile(t, filepath.Join(dir, "cats", "a.png"), encodePNG(t, solid(8, 8, color.RGBA{200, 100, 50, 255})))
	writeFile(t, filepath.Join(dir, "cats", "b.jpg"), encodeJPEG(t, grey(10, 6, 128)))
	writeFile(t, filepath.Join(dir, "dogs", "c.PNG"), encodePNG(t, halves(8, 4, false)))
	writeFile(t, filepath.Join(dir, "dogs", "notes.txt"), []byte("not an image"))
	writeFile(t, filepath.Join(dir, "dogs", "sub", "d.png"), encodePNG(t, halves(4, 8, true)))
	writeFile(t, filepath.Join(dir, "top.png"), encodePNG(t, solid(2, 2, color.White)))
	writeFile(t, filepath.Join(dir, ".cache", "e.png"), encodePNG(t, solid(2, 2, color.White)))
	return dir
}

func TestLoadImageFolderClasses(t *testing.T) {
	dir := classFolder(t)
	ds, err := LoadImageFolder(dir, ImageFolderOptions{ImageSize: [2]int{4, 4}})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Name != "pets" || ds.Classes != 2 || !slices.Equal(ds.Labels, []int{0, 0, 1, 1}) {
		t.Fatalf("name %q, classes %d, labels %v; want pets, 2, [0 0 1 1]", ds.Name, ds.Classes, ds.Labels)
	}
	if got := ds.Images.Shape(); !slices.Equal(got, []int{4, 4, 4, 3}) {
		t.Fatalf("shape %v, want [4 4 4 3]", got)
	}
	names, err := ImageFolderClasses(dir)
	if err != nil || !slices.Equal(names, []string{"cats", "dogs"}) {
		t.Fatalf("classes %v, %v", names, err)
	}
	px := ds.Images.Float32s()
	at := func(i, y, x, c int) float64 { return float64(px[((i*4+y)*4+x)*3+c]) }
	for y := range 4 {
		for x := range 4 {
			// a.png: a solid colour survives the 8→4 resize.
			for c, v := range []float64{200, 100, 50} {
				if !near(at(0, y, x, c), signed(v), 1e-4) {
					t.Errorf("a.png (%d,%d,%d) = %v, want %v", y, x, c, at(0, y, x, c), signed(v))
				}
			}
			// b.jpg: grey, replicated to three channels (JPEG may move it by a level).
			for c := range 3 {
				if !near(at(1, y, x, c), signed(128), 1.5/127.5) || at(1, y, x, c) != at(1, y, x, 0) {
					t.Errorf("b.jpg (%d,%d,%d) = %v, want %v in every channel", y, x, c, at(1, y, x, c), signed(128))
				}
			}
			// c.PNG, 4 high × 8 wide, black | white: the centre 4×4 window
			// (columns 2..5) is copied exactly: two black columns, two white.
			wantC := -1.0
			if x >= 2 {
				wantC = 1
			}
			// d.png, 8 high × 4 wide, black over white: rows 2..5.
			wantD := -1.0
			if y >= 2 {
				wantD = 1
			}
			for c := range 3 {
				if at(2, y, x, c) != wantC {
					t.Errorf("c.PNG (%d,%d,%d) = %v, want %v", y, x, c, at(2, y, x, c), wantC)
				}
				if at(3, y, x, c) != wantD {
					t.Errorf("d.png (%d,%d,%d) = %v, want %v", y, x, c, at(3, y, x, c), wantD)
				}
			}
		}
	}
}

// TestLoadImageFolderMatchesDecodeImage checks the parallel load against
// decoding each file alone, in the documented order, for both crops,
// channel counts and scales.
func TestLoadImageFolderMatchesDecodeImage(t *testing.T) {
	dir := classFolder(t)
	files := []string{"cats/a.png", "cats/b.jpg", "dogs/c.PNG", "dogs/sub/d.png"}
	for _, o := range []ImageFolderOptions{
		{ImageSize: [2]int{3, 5}},
		{ImageSize: [2]int{6, 2}, Channels: 1, Crop: "none", Scale: Unit},
		{ImageSize: [2]int{4, 4}, Channels: 3, Crop: "center", Scale: Unit},
	} {
		ds, err := LoadImageFolder(dir, o)
		if err != nil {
			t.Fatal(err)
		}
		per := len(ds.Images.Float32s()) / ds.Len()
		for i, f := range files {
			r, err := os.Open(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			want, err := DecodeImage(f, r, o)
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			if got := ds.Images.Float32s()[i*per : (i+1)*per]; !slices.Equal(got, want) {
				t.Errorf("%+v: example %d differs from DecodeImage(%s)", o, i, f)
			}
		}
	}
}

// TestCropGeometry resamples (not copies) a black | white image: the centre
// crop is antisymmetric about the middle and saturated at the edges; with
// Crop "none" the outer thirds of a red | grey | blue image stay visible,
// while the centre crop sees only grey.
func TestCropGeometry(t *testing.T) {
	m := halves(16, 8, false)
	got, err := DecodeImage("halves.png", bytes.NewReader(encodePNG(t, m)), ImageFolderOptions{ImageSize: [2]int{4, 4}, Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	for y := range 4 {
		row := got[y*4 : y*4+4]
		if row[0] > -0.9 || row[3] < 0.9 || !(row[0] <= row[1] && row[1] < 0 && row[2] > 0 && row[2] <= row[3]) {
			t.Errorf("row %d %v: want black on the left, white on the right", y, row)
		}
		for x := range 2 {
			if !near(float64(row[x]), -float64(row[3-x]), 1e-4) {
				t.Errorf("row %d %v is not antisymmetric", y, row)
			}
		}
	}

	stripes := image.NewRGBA(image.Rect(0, 0, 12, 4))
	for x := range 12 {
		c := color.RGBA{128, 128, 128, 255}
		if x < 3 {
			c = color.RGBA{255, 0, 0, 255}
		} else if x >= 9 {
			c = color.RGBA{0, 0, 255, 255}
		}
		for y := range 4 {
			stripes.Set(x, y, c)
		}
	}
	enc := encodePNG(t, stripes)
	center, err := DecodeImage("s.png", bytes.NewReader(enc), ImageFolderOptions{ImageSize: [2]int{2, 2}, Scale: Unit})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range center {
		if !near(float64(v), 128.0/255, 1e-4) {
			t.Fatalf("centre crop value %d = %v, want grey %v", i, v, 128.0/255)
		}
	}
	none, err := DecodeImage("s.png", bytes.NewReader(enc), ImageFolderOptions{ImageSize: [2]int{2, 4}, Crop: "none", Scale: Unit})
	if err != nil {
		t.Fatal(err)
	}
	left, right := none[0:3], none[9:12] // row 0, columns 0 and 3
	if left[0] < 0.9 || left[2] > 0.1 || right[2] < 0.9 || right[0] > 0.1 {
		t.Errorf("crop none: left %v, right %v; want red and blue", left, right)
	}
}

func TestImageChannelsAndAlpha(t *testing.T) {
	rgb := encodePNG(t, solid(3, 3, color.RGBA{200, 100, 50, 255}))
	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	for i := 0; i < len(nrgba.Pix); i += 4 {
		copy(nrgba.Pix[i:], []byte{10, 20, 30, 0}) // transparent, colour kept
	}
	for _, tc := range []struct {
		name string
		file []byte
		ch   int
		want []float64 // 8-bit levels of one pixel
	}{
		{"rgb to grey (ITU-R 601)", rgb, 1, []float64{0.299*200 + 0.587*100 + 0.114*50}},
		{"rgb", rgb, 3, []float64{200, 100, 50}},
		{"grey to rgb", encodePNG(t, grey(2, 2, 77)), 3, []float64{77, 77, 77}},
		{"16-bit grey", encodePNG(t, grey16(3, 2, 0x8080)), 1, []float64{128}},
		{"alpha dropped", encodePNG(t, nrgba), 3, []float64{10, 20, 30}},
	} {
		got, err := DecodeImage(tc.name, bytes.NewReader(tc.file), ImageFolderOptions{ImageSize: [2]int{1, 1}, Channels: tc.ch, Crop: "none"})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %d values, want %d", tc.name, len(got), len(tc.want))
		}
		for i, w := range tc.want {
			if !near(float64(got[i]), signed(w), 1e-4) {
				t.Errorf("%s: channel %d = %v, want %v", tc.name, i, got[i], signed(w))
			}
		}
	}
}

func TestLoadImageFolderUnlabelled(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "faces")
	for i, v := range []uint8{0, 51, 255} {
		writeFile(t, filepath.Join(dir, "img_"+string(rune('0'+i))+".png"), encodePNG(t, grey(4+i, 3, v)))
	}
	writeFile(t, filepath.Join(dir, "README"), []byte("x"))
	ds, err := LoadImageFolder(dir, ImageFolderOptions{ImageSize: [2]int{2, 3}, Channels: 1, Scale: Unit})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 3 || ds.Classes != 1 || !slices.Equal(ds.Labels, []int{0, 0, 0}) || !slices.Equal(ds.ImageShape(), []int{2, 3, 1}) {
		t.Fatalf("len %d classes %d labels %v shape %v", ds.Len(), ds.Classes, ds.Labels, ds.ImageShape())
	}
	for i, v := range []float32{0, 51.0 / 255, 1} {
		for _, got := range ds.Images.Float32s()[i*6 : i*6+6] {
			if got != v {
				t.Errorf("image %d: %v, want %v", i, got, v)
			}
		}
	}
	// The dataset feeds the ordinary loader.
	l, err := NewLoader(ds, LoaderConfig{BatchSize: 2, Shuffle: true}, tensor.NewRNG(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.Next()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Images.Shape(), []int{2, 2, 3, 1}) {
		t.Fatalf("batch shape %v", b.Images.Shape())
	}
	for k, j := range b.Indices {
		if !slices.Equal(b.Images.Float32s()[k*6:k*6+6], ds.Images.Float32s()[j*6:j*6+6]) {
			t.Errorf("batch row %d is not example %d", k, j)
		}
	}
}

// pngWithSize returns a valid small PNG whose header claims w×h.
func pngWithSize(t testing.TB, w, h uint32) []byte {
	b := encodePNG(t, solid(1, 1, color.Black))
	// IHDR data starts after the 8-byte magic, 4-byte length and "IHDR".
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestImageFolderErrors(t *testing.T) {
	good := encodePNG(t, solid(2, 2, color.White))
	corrupt := append(append([]byte(nil), good[:40]...), "garbage"...)
	badCRC := append([]byte(nil), good...)
	badCRC[19]++ // the IHDR width, without fixing its CRC
	for _, tc := range []struct {
		name  string
		files map[string][]byte
		opts  ImageFolderOptions
		want  string
	}{
		{"corrupt png", map[string][]byte{"a/img_001.png": good, "a/img_003.png": corrupt}, ImageFolderOptions{},
			"data: image folder faces: a/img_003.png: png: unexpected EOF"},
		{"bad checksum", map[string][]byte{"img_003.png": badCRC}, ImageFolderOptions{},
			"data: image folder faces: img_003.png: png: invalid format: invalid checksum"},
		{"corrupt jpeg", map[string][]byte{"b/x.JPEG": []byte{0xff, 0xd8, 0xff, 0x00, 1, 2, 3}}, ImageFolderOptions{},
			"data: image folder faces: b/x.JPEG: jpeg: "},
		{"not an image", map[string][]byte{"img_003.jpg": []byte("GIF89a....")}, ImageFolderOptions{},
			"data: image folder faces: img_003.jpg: not a PNG or JPEG image (starts with 47 49 46"},
		{"empty file", map[string][]byte{"x.png": nil}, ImageFolderOptions{},
			"data: image folder faces: x.png: not a PNG or JPEG image"},
		{"huge header", map[string][]byte{"big.png": pngWithSize(t, 100000, 100000)}, ImageFolderOptions{},
			"data: image folder faces: big.png: 100000×100000 image is over the 67108864-pixel limit"},
		{"empty", map[string][]byte{"notes.txt": []byte("x")}, ImageFolderOptions{},
			"no .png, .jpg or .jpeg images"},
		{"empty classes", map[string][]byte{"a/notes.txt": []byte("x"), "b.png": good}, ImageFolderOptions{},
			"no .png, .jpg or .jpeg images"},
		{"too many", map[string][]byte{"1.png": good, "2.png": good, "3.png": good}, ImageFolderOptions{MaxImages: 2},
			"more than 2 images (raise MaxImages"},
		{"size", map[string][]byte{"1.png": good}, ImageFolderOptions{ImageSize: [2]int{0, 3}},
			"data: image folder faces: image size [0 3], want positive"},
		{"too large", manyFiles(43, good), ImageFolderOptions{ImageSize: [2]int{1 << 13, 1 << 13}},
			"43 images of 8192×8192×3 need 34.6 GB (over 32 GB)"},
		{"channels", map[string][]byte{"1.png": good}, ImageFolderOptions{Channels: 4},
			"channels 4, want 1 or 3"},
		{"crop", map[string][]byte{"1.png": good}, ImageFolderOptions{Crop: "random"},
			`crop "random", want "center" or "none"`},
	} {
		dir := filepath.Join(t.TempDir(), "faces")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range tc.files {
			writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), b)
		}
		if tc.opts.ImageSize == [2]int{} {
			tc.opts.ImageSize = [2]int{2, 2}
		}
		_, err := LoadImageFolder(dir, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	if _, err := LoadImageFolder(filepath.Join(t.TempDir(), "missing"), ImageFolderOptions{ImageSize: [2]int{2, 2}}); !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("missing folder: %v", err)
	}
}

// manyFiles returns n copies of b named 0.png, 1.png, ...
func manyFiles(n int, b []byte) map[string][]byte {
	m := map[string][]byte{}
	for i := range n {
		m[strconv.Itoa(i)+".png"] = b
	}
	return m
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// TestDecodeImagePixelGuard: a header claiming more than MaxPixels is
// refused before the decoder allocates the image, so it is fast.
func TestDecodeImagePixelGuard(t *testing.T) {
	start := time.Now()
	_, err := DecodeImage("big.png", bytes.NewReader(pngWithSize(t, 1<<15, 1<<15)), ImageFolderOptions{ImageSize: [2]int{2, 2}})
	if err == nil || !strings.Contains(err.Error(), "big.png: 32768×32768 image is over") {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusing took %v", d)
	}
	_, err = DecodeImage("ok.png", bytes.NewReader(pngWithSize(t, 64, 64)), ImageFolderOptions{ImageSize: [2]int{2, 2}, MaxPixels: 1000})
	if err == nil || !strings.Contains(err.Error(), "64×64 image is over the 1000-pixel limit") {
		t.Fatalf("MaxPixels 1000: got %v", err)
	}
}

// FuzzImageDecode feeds arbitrary bytes to DecodeImage: it must return
// pixels in the value range or an error, never panic. The seeds (PNG of
// each colour model, JPEG grey and colour, truncations) run as an ordinary
// test. The record of the fuzzing run is at the top of this file.
func FuzzImageDecode(f *testing.F) {
	pal := image.NewPaletted(image.Rect(0, 0, 3, 2), color.Palette{color.NRGBA{1, 2, 3, 0}, color.NRGBA{200, 0, 9, 255}})
	pal.Pix[1] = 1
	seeds := [][]byte{
		encodePNG(f, solid(3, 5, color.RGBA{200, 100, 50, 255})),
		encodePNG(f, halves(6, 2, false)),
		encodePNG(f, image.NewNRGBA64(image.Rect(0, 0, 2, 3))),
		encodePNG(f, pal),
		encodeJPEG(f, halves(9, 7, true)),
		encodeJPEG(f, solid(16, 8, color.RGBA{10, 200, 30, 255})),
	}
	for _, s := range seeds {
		f.Add(s, uint8(0))
		f.Add(s[:len(s)/2], uint8(3))
	}
	f.Fuzz(func(t *testing.T, b []byte, mode uint8) {
		o := ImageFolderOptions{ImageSize: [2]int{5, 7}, Channels: 1 + 2*int(mode&1), MaxPixels: 1 << 20}
		if mode&2 != 0 {
			o.Crop, o.Scale = "none", Unit
		}
		px, err := DecodeImage("fuzz.png", bytes.NewReader(b), o)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.png: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if len(px) != 5*7*o.Channels {
			t.Fatalf("%d values, want %d", len(px), 5*7*o.Channels)
		}
		lo, hi := o.Scale.Range()
		for _, v := range px {
			if !(float64(v) >= lo && float64(v) <= hi) {
				t.Fatalf("value %v outside [%v, %v]", v, lo, hi)
			}
		}
	})
}
