package imageio

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"github.com/ganlab/ganlab/core/tensor"
)

// Grid tiles images, a tensor (n, h, w, c) with c = 1 (grey) or 3 (RGB), into
// one picture of cols columns (cols <= 0 picks ceil(sqrt(n)), a square-ish
// grid) and as many rows as needed, with one black pixel between tiles.
// Values map linearly from valueRange [lo, hi] to 0..255, rounded and
// clipped, so a generator's tanh output uses {-1, 1} and a sigmoid's {0, 1}.
// Empty cells of the last row stay black.
//
// Grid panics with a *tensor.Error on a bad shape or range; WriteGrid is the
// error-returning form.
func Grid(images *tensor.Tensor, valueRange [2]float64, cols int) image.Image {
	const op = "imageio.Grid"
	shape := images.Shape()
	if len(shape) != 4 || (shape[3] != 1 && shape[3] != 3) {
		panic(&tensor.Error{Op: op, Msg: fmt.Sprintf("images of shape %v, want (n, h, w, 1 or 3)", shape)})
	}
	lo, hi := valueRange[0], valueRange[1]
	if !(hi > lo) || math.IsInf(hi-lo, 0) {
		panic(&tensor.Error{Op: op, Msg: fmt.Sprintf("value range [%v, %v], want lo < hi", lo, hi)})
	}
	n, h, w, c := shape[0], shape[1], shape[2], shape[3]
	if cols <= 0 {
		cols = int(math.Ceil(math.Sqrt(float64(n))))
	}
	cols = max(1, min(cols, n))
	rows := (n + cols - 1) / cols
	W, H := max(0, cols*(w+1)-1), max(0, rows*(h+1)-1)
	bounds := image.Rect(0, 0, W, H)
	vals := images.Values()
	scale := 255 / (hi - lo)
	toByte := func(v float64) uint8 {
		y := math.Round((v - lo) * scale)
		switch {
		case !(y > 0): // also NaN
			return 0
		case y > 255:
			return 255
		}
		return uint8(y)
	}
	var gray *image.Gray
	var rgba *image.RGBA
	if c == 1 {
		gray = image.NewGray(bounds)
	} else {
		rgba = image.NewRGBA(bounds)
		// Opaque black everywhere, padding included.
		for i := 3; i < len(rgba.Pix); i += 4 {
			rgba.Pix[i] = 255
		}
	}
	for k := 0; k < n; k++ {
		x0, y0 := (k%cols)*(w+1), (k/cols)*(h+1)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p := ((k*h+y)*w + x) * c
				if c == 1 {
					gray.SetGray(x0+x, y0+y, color.Gray{Y: toByte(vals[p])})
					continue
				}
				rgba.SetRGBA(x0+x, y0+y, color.RGBA{R: toByte(vals[p]), G: toByte(vals[p+1]), B: toByte(vals[p+2]), A: 255})
			}
		}
	}
	if c == 1 {
		return gray
	}
	return rgba
}

// WriteGrid writes Grid(images, valueRange, cols) to path as a PNG.
func WriteGrid(path string, images *tensor.Tensor, valueRange [2]float64, cols int) (err error) {
	defer tensor.Recover(&err)
	return WritePNG(path, Grid(images, valueRange, cols))
}
