package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ganlab/ganlab/core/tensor"
)

// Scale is the range pixel values are mapped to when a dataset loads.
type Scale int

const (
	// Signed maps 0..255 to [-1, 1] (x/127.5 - 1), the range of a tanh
	// generator as in the Keras WGAN-GP and DCGAN-on-MNIST examples.
	Signed Scale = iota
	// Unit maps 0..255 to [0, 1] (x/255), for sigmoid generators.
	Unit
)

// Range returns the interval [lo, hi] the scale maps pixels to.
func (s Scale) Range() (lo, hi float64) {
	if s == Unit {
		return 0, 1
	}
	return -1, 1
}

func (s Scale) String() string {
	if s == Unit {
		return "[0,1]"
	}
	return "[-1,1]"
}

// Option changes how a dataset loads.
type Option func(*options)

type options struct {
	scale Scale
}

// WithScale sets the pixel range; the default is Signed ([-1, 1]).
func WithScale(s Scale) Option { return func(o *options) { o.scale = s } }

// Dataset is a labelled image set held in memory.
type Dataset struct {
	// Name says where the data came from, e.g. "mnist/train".
	Name string
	// Images is float32 NHWC (n, h, w, c), scaled to Scale.Range().
	Images *tensor.Tensor
	// Labels holds one class index per image.
	Labels []int
	// Classes is the number of classes (max label + 1).
	Classes int
	// Scale is the pixel range of Images.
	Scale Scale
}

// Len returns the number of examples.
func (d *Dataset) Len() int { return len(d.Labels) }

// ImageShape returns (h, w, c) of one example.
func (d *Dataset) ImageShape() []int { return d.Images.Shape()[1:] }

// Histogram returns how many examples carry each label.
func (d *Dataset) Histogram() []int {
	h := make([]int, d.Classes)
	for _, l := range d.Labels {
		h[l]++
	}
	return h
}

// idxNames returns the image and label file names of a split, without
// ".gz"; both spellings are accepted and the contents decide whether a file
// is compressed.
func idxNames(split string) (images, labels string, ok bool) {
	switch split {
	case "train":
		return "train-images-idx3-ubyte", "train-labels-idx1-ubyte", true
	case "test":
		return "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", true
	}
	return "", "", false
}

// LoadIDX loads split ("train" or "test") from a directory holding the
// MNIST-layout IDX files (train-images-idx3-ubyte[.gz] and so on).
func LoadIDX(dir, split string, opts ...Option) (*Dataset, error) {
	imgName, lblName, ok := idxNames(split)
	if !ok {
		return nil, fmt.Errorf("data.LoadIDX: split %q, want \"train\" or \"test\"", split)
	}
	o := options{scale: Signed}
	for _, opt := range opts {
		opt(&o)
	}
	imgPath, err := findIDX(dir, imgName)
	if err != nil {
		return nil, err
	}
	lblPath, err := findIDX(dir, lblName)
	if err != nil {
		return nil, err
	}
	img, err := ReadIDX(imgPath, MagicImages)
	if err != nil {
		return nil, err
	}
	lbl, err := ReadIDX(lblPath, MagicLabels)
	if err != nil {
		return nil, err
	}
	if img.Dims[0] != lbl.Dims[0] {
		return nil, fmt.Errorf("%s: %d images but %s has %d labels",
			filepath.Base(imgPath), img.Dims[0], filepath.Base(lblPath), lbl.Dims[0])
	}
	ds := fromBytes(img, lbl, o.scale)
	ds.Name = filepath.Base(filepath.Clean(dir)) + "/" + split
	return ds, nil
}

// findIDX returns dir/base.gz or dir/base, whichever exists.
func findIDX(dir, base string) (string, error) {
	for _, name := range []string{base + ".gz", base} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("%s: no %s.gz or %s: %w", dir, base, base, os.ErrNotExist)
}

// fromBytes converts IDX images (n, rows, cols) and labels to a Dataset.
func fromBytes(img, lbl *IDX, s Scale) *Dataset {
	n, h, w := img.Dims[0], img.Dims[1], img.Dims[2]
	lo, hi := s.Range()
	// One lookup table for the 256 byte values keeps the mapping exact and
	// identical for every pixel.
	var lut [256]float32
	for v := range lut {
		lut[v] = float32(lo + (hi-lo)*float64(v)/255)
	}
	pix := make([]float32, len(img.Data))
	for i, v := range img.Data {
		pix[i] = lut[v]
	}
	labels := make([]int, n)
	classes := 0
	for i, v := range lbl.Data {
		labels[i] = int(v)
		classes = max(classes, int(v)+1)
	}
	return &Dataset{
		Images:  tensor.FromFloat32(pix, n, h, w, 1),
		Labels:  labels,
		Classes: classes,
		Scale:   s,
	}
}
