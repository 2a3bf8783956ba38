package data

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ganlab/ganlab/core/tensor"
	"golang.org/x/image/draw"
)

// Defaults and guards of LoadImageFolder.
const (
	// DefaultMaxImages bounds how many images a folder may hold, so that a
	// wrong directory (a home folder, a photo library) fails fast instead of
	// filling memory.
	DefaultMaxImages = 200000
	// DefaultMaxPixels bounds the width × height an image header may
	// declare (64 megapixels); decoders allocate the whole image up front, so
	// a 100-byte file claiming 100000×100000 would otherwise cost 40 GB.
	DefaultMaxPixels = 64 << 20
	// maxResizeTmp bounds the resampler's intermediate buffer (target width
	// × source rows entries of 32 bytes, 256 MiB), which only absurd aspect
	// ratios with Crop "none" reach.
	maxResizeTmp = 1 << 23
	// maxDatasetFloats bounds the dataset tensor (32 GiB of float32), so a
	// large folder at a large size is an error rather than an out-of-memory
	// crash.
	maxDatasetFloats = 1 << 33
)

// ImageFolderOptions sets how LoadImageFolder reads and shapes images.
type ImageFolderOptions struct {
	// ImageSize is the (height, width) every image is resized to; required.
	ImageSize [2]int
	// Channels is 3 (RGB, the default when 0) or 1 (grey). Grey images are
	// replicated to 3 channels; RGB images become grey with the ITU-R 601
	// luma weights 0.299 R + 0.587 G + 0.114 B.
	Channels int
	// Crop is "center" (the default when empty) or "none". "center" keeps
	// the centred window of the source with the target's aspect ratio and
	// resizes it to the target, which is the same as scaling the shorter
	// side to the target and centre-cropping the other (Keras's
	// crop_to_aspect_ratio=True). "none" resizes the whole image, changing
	// its aspect ratio (Keras's default).
	Crop string
	// Scale is the pixel range, Signed ([-1, 1], the zero value) or Unit.
	Scale Scale
	// MaxImages bounds the number of images; 0 means DefaultMaxImages.
	MaxImages int
	// MaxPixels bounds width × height of one source image as its header
	// declares it; 0 means DefaultMaxPixels.
	MaxPixels int
}

// withDefaults validates o and fills in its defaults.
func (o ImageFolderOptions) withDefaults() (ImageFolderOptions, error) {
	if o.ImageSize[0] <= 0 || o.ImageSize[1] <= 0 {
		return o, fmt.Errorf("image size %v, want positive (height, width)", o.ImageSize)
	}
	if o.ImageSize[0] > DefaultMaxPixels/o.ImageSize[1] {
		return o, fmt.Errorf("image size %v is over %d pixels", o.ImageSize, DefaultMaxPixels)
	}
	if o.Channels == 0 {
		o.Channels = 3
	}
	if o.Channels != 1 && o.Channels != 3 {
		return o, fmt.Errorf("channels %d, want 1 or 3", o.Channels)
	}
	if o.Crop == "" {
		o.Crop = "center"
	}
	if o.Crop != "center" && o.Crop != "none" {
		return o, fmt.Errorf("crop %q, want \"center\" or \"none\"", o.Crop)
	}
	if o.Scale != Signed && o.Scale != Unit {
		return o, fmt.Errorf("scale %d, want Signed or Unit", o.Scale)
	}
	if o.MaxImages <= 0 {
		o.MaxImages = DefaultMaxImages
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	return o, nil
}

// LoadImageFolder loads the PNG and JPEG images under dir into memory, as
// Keras's image_dataset_from_directory lays them out: when dir has
// subdirectories, each is a class (class ids follow the sorted names, see
// ImageFolderClasses), its images (searched recursively) carry that label,
// and files directly in dir are ignored; when dir has no subdirectory, its
// images are unlabelled: every label is 0 and Classes is 1. Hidden entries
// (names starting with ".") and files without a .png, .jpg or .jpeg
// extension (any case) are skipped; the file order is sorted, so the
// dataset is the same on every run.
//
// Every image is resized to opts.ImageSize with x/image/draw's Catmull-Rom
// kernel (sharp when enlarging, area-averaging when shrinking), after the
// centre crop unless opts.Crop is "none". Alpha is dropped, as TensorFlow's
// decoders do with channels=3. The result takes n·h·w·c·4 bytes (60000
// images of 28×28×1: 188 MB). Images decode in parallel on GOMAXPROCS
// workers; each writes its own slot, so the order does not depend on
// timing. An undecodable file fails the whole load with an error naming it.
func LoadImageFolder(dir string, opts ImageFolderOptions) (*Dataset, error) {
	name := filepath.Base(filepath.Clean(dir))
	fail := func(err error) (*Dataset, error) {
		return nil, fmt.Errorf("data: image folder %s: %w", name, err)
	}
	o, err := opts.withDefaults()
	if err != nil {
		return fail(err)
	}
	files, labels, classes, err := listImageFolder(dir, o.MaxImages)
	if err != nil {
		return fail(err)
	}
	if len(files) == 0 {
		return fail(fmt.Errorf("%s: no .png, .jpg or .jpeg images", dir))
	}
	h, w, c := o.ImageSize[0], o.ImageSize[1], o.Channels
	per := h * w * c
	if len(files) > maxDatasetFloats/per {
		return fail(fmt.Errorf("%d images of %d×%d×%d need %.1f GB (over %d GB); use a smaller image size or fewer images",
			len(files), h, w, c, float64(len(files))*float64(per)*4/1e9, maxDatasetFloats*4>>30))
	}
	pix := make([]float32, len(files)*per)
	errs := make([]error, len(files))
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				rel, _ := filepath.Rel(dir, files[i])
				errs[i] = loadImageInto(pix[i*per:(i+1)*per], rel, files[i], o)
				if errs[i] != nil {
					failed.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	// The first failing file in sorted order is reported; later files may
	// not have been tried once a worker failed.
	for _, err := range errs {
		if err != nil {
			return fail(err)
		}
	}
	if classes == 0 {
		classes = 1
	}
	return &Dataset{
		Name:    name,
		Images:  tensor.FromFloat32(pix, len(files), h, w, c),
		Labels:  labels,
		Classes: classes,
		Scale:   o.Scale,
	}, nil
}

// ImageFolderClasses returns the class names LoadImageFolder uses for dir:
// its non-hidden subdirectories in sorted order, class id = index. It is
// empty when dir has none (the images are unlabelled).
func ImageFolderClasses(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !hidden(e.Name()) && isDir(dir, e) {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

// isDir reports whether e is a directory, following a symbolic link as
// Keras's listing (tf.io.gfile.isdir) does for class folders.
func isDir(dir string, e os.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&os.ModeSymlink == 0 {
		return false
	}
	fi, err := os.Stat(filepath.Join(dir, e.Name()))
	return err == nil && fi.IsDir()
}

func hidden(name string) bool { return strings.HasPrefix(name, ".") }

// IsImageFile reports whether name has an extension LoadImageFolder reads.
func IsImageFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg":
		return true
	}
	return false
}

// listImageFolder returns the image paths under dir in sorted order with
// their labels and the number of classes (0 when unlabelled).
func listImageFolder(dir string, maxImages int) (files []string, labels []int, classes int, err error) {
	names, err := ImageFolderClasses(dir)
	if err != nil {
		return nil, nil, 0, err
	}
	add := func(path string, label int) error {
		if len(files) == maxImages {
			return fmt.Errorf("%s: more than %d images (raise MaxImages to load more)", dir, maxImages)
		}
		files = append(files, path)
		labels = append(labels, label)
		return nil
	}
	if len(names) == 0 {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, nil, 0, err
		}
		for _, e := range entries {
			if !hidden(e.Name()) && !e.IsDir() && IsImageFile(e.Name()) {
				if err := add(filepath.Join(dir, e.Name()), 0); err != nil {
					return nil, nil, 0, err
				}
			}
		}
		return files, labels, 0, nil
	}
	for label, class := range names {
		// WalkDir visits entries in lexical order and does not follow
		// links below the class folder.
		err := filepath.WalkDir(filepath.Join(dir, class), func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Name() != class && hidden(d.Name()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || !IsImageFile(d.Name()) {
				return nil
			}
			return add(path, label)
		})
		if err != nil {
			return nil, nil, 0, err
		}
	}
	return files, labels, len(names), nil
}

// loadImageInto decodes the file at path into dst (h·w·c values); rel
// labels the errors.
func loadImageInto(dst []float32, rel, path string, o ImageFolderOptions) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := decodeImage(rel, f, o)
	if err != nil {
		return err
	}
	return convertImage(dst, rel, img, o)
}

// DecodeImage decodes one PNG or JPEG image from r and returns it resized,
// cropped and scaled as LoadImageFolder does: h·w·c float32 values, HWC
// order. name labels the errors (a file name). The header is checked
// against opts.MaxPixels before any pixel is decoded.
func DecodeImage(name string, r io.ReadSeeker, opts ImageFolderOptions) ([]float32, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("data.DecodeImage: %w", err)
	}
	img, err := decodeImage(name, r, o)
	if err != nil {
		return nil, err
	}
	dst := make([]float32, o.ImageSize[0]*o.ImageSize[1]*o.Channels)
	if err := convertImage(dst, name, img, o); err != nil {
		return nil, err
	}
	return dst, nil
}

var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xff, 0xd8}
)

// decodeImage tells PNG from JPEG by their magic bytes (not the extension,
// which is only a filter), checks the declared size, then decodes. The
// decoders are called directly rather than through image.Decode, so the
// formats other packages register play no part.
func decodeImage(name string, r io.ReadSeeker, o ImageFolderOptions) (image.Image, error) {
	head := make([]byte, len(pngMagic))
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	head = head[:n]
	var decodeConfig func(io.Reader) (image.Config, error)
	var decode func(io.Reader) (image.Image, error)
	var format string
	switch {
	case bytes.HasPrefix(head, pngMagic):
		decodeConfig, decode, format = png.DecodeConfig, png.Decode, "png"
	case bytes.HasPrefix(head, jpegMagic):
		decodeConfig, decode, format = jpeg.DecodeConfig, jpeg.Decode, "jpeg"
	default:
		return nil, fmt.Errorf("%s: not a PNG or JPEG image (starts with % x)", name, head)
	}
	rewind := func() error {
		_, err := r.Seek(0, io.SeekStart)
		return err
	}
	if err := rewind(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// The decoders prefix their format errors ("png: invalid format") but
	// not I/O errors such as a truncated file's unexpected EOF.
	wrap := func(err error) error {
		if strings.HasPrefix(err.Error(), format+":") {
			return fmt.Errorf("%s: %w", name, err)
		}
		return fmt.Errorf("%s: %s: %w", name, format, err)
	}
	cfg, err := decodeConfig(bufio.NewReader(r))
	if err != nil {
		return nil, wrap(err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%s: empty image (%d×%d)", name, cfg.Width, cfg.Height)
	}
	if cfg.Width > o.MaxPixels/cfg.Height {
		return nil, fmt.Errorf("%s: %d×%d image is over the %d-pixel limit", name, cfg.Width, cfg.Height, o.MaxPixels)
	}
	if err := rewind(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	img, err := decode(bufio.NewReader(r))
	if err != nil {
		return nil, wrap(err)
	}
	return img, nil
}

// cropRect returns the centred window of a sw×sh source with the aspect
// ratio of a w×h target, computed in integers as Keras's
// smart_resize/crop_to_aspect_ratio does.
func cropRect(b image.Rectangle, h, w int) image.Rectangle {
	sw, sh := b.Dx(), b.Dy()
	cw, ch := sw, sh
	if sw*h > sh*w { // source wider than the target: crop columns
		cw = max(1, sh*w/h)
	} else { // source taller (or the same ratio): crop rows
		ch = max(1, sw*h/w)
	}
	x0 := b.Min.X + (sw-cw)/2
	y0 := b.Min.Y + (sh-ch)/2
	return image.Rect(x0, y0, x0+cw, y0+ch)
}

// convertImage resizes img to the target and writes its scaled pixels.
func convertImage(dst []float32, name string, img image.Image, o ImageFolderOptions) error {
	h, w, c := o.ImageSize[0], o.ImageSize[1], o.Channels
	img = opaque(img)
	sr := img.Bounds()
	if o.Crop == "center" {
		sr = cropRect(sr, h, w)
	}
	out := image.NewRGBA64(image.Rect(0, 0, w, h))
	if sr.Dx() == w && sr.Dy() == h {
		// Same size: copy, so that no resampling can blur the pixels.
		draw.Draw(out, out.Bounds(), img, sr.Min, draw.Src)
	} else {
		if w*sr.Dy() > maxResizeTmp {
			return fmt.Errorf("%s: resizing %d×%d to %d×%d needs too large a buffer (use a centre crop)",
				name, sr.Dx(), sr.Dy(), w, h)
		}
		draw.CatmullRom.Scale(out, out.Bounds(), img, sr, draw.Src, nil)
	}
	lo, hi := o.Scale.Range()
	// v/65535 for a 16-bit v = 257·k equals k/255 exactly, so 8-bit images
	// get the same values as the IDX loader's lookup table.
	scale := func(v float64) float32 { return float32(lo + (hi-lo)*v/0xffff) }
	for y := range h {
		for x := range w {
			p := out.RGBA64At(x, y)
			r, g, b := float64(p.R), float64(p.G), float64(p.B)
			i := (y*w + x) * c
			if c == 3 {
				dst[i], dst[i+1], dst[i+2] = scale(r), scale(g), scale(b)
				continue
			}
			if p.R == p.G && p.G == p.B {
				dst[i] = scale(r) // grey stays exact
			} else {
				dst[i] = scale(0.299*r + 0.587*g + 0.114*b)
			}
		}
	}
	return nil
}

// opaque drops the alpha channel of the non-premultiplied image types the
// PNG decoder returns, keeping the stored colours as TensorFlow's
// decode_png(channels=3) does; other images are composited over black.
// The decoded image is the caller's own, so it is changed in place.
func opaque(img image.Image) image.Image {
	switch m := img.(type) {
	case *image.NRGBA:
		for i := 3; i < len(m.Pix); i += 4 {
			m.Pix[i] = 0xff
		}
	case *image.NRGBA64:
		for i := 6; i < len(m.Pix); i += 8 {
			m.Pix[i], m.Pix[i+1] = 0xff, 0xff
		}
	case *image.Paletted:
		for k, c := range m.Palette {
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			n.A = 0xff
			m.Palette[k] = n
		}
	}
	return img
}
