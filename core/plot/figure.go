package plot

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/ganlab/ganlab/core/imageio"
)

// Default picture size in pixels.
const (
	DefaultWidth  = 900
	DefaultHeight = 540
)

// dpi is the resolution the pixel sizes are converted with.
const dpi = 96

// markersUpTo is the longest series drawn with a marker on each point:
// per-epoch curves are short and read better with points, per-step ones
// would turn into a smear.
const markersUpTo = 60

// Figure is a line chart of named series against a shared x axis.
type Figure struct {
	// Title, XLabel and YLabel label the chart.
	Title, XLabel, YLabel string
	// X holds the x value of each point; nil means 1, 2, ..., n.
	X []float64
	// Series maps each name to its y values, one per x.
	Series map[string][]float64
	// Keys are the series drawn, in legend order; nil draws all, sorted.
	Keys []string
	// Width and Height are the picture's size in pixels; 0 means the
	// defaults.
	Width, Height int
}

// Plot builds the chart.
func (f Figure) Plot() (*plot.Plot, error) {
	keys := f.Keys
	if keys == nil {
		for k := range f.Series {
			keys = append(keys, k)
		}
		slices.Sort(keys)
	}
	if len(keys) == 0 {
		return nil, errors.New("plot: no series to draw")
	}
	p := plot.New()
	p.Title.Text = f.Title
	p.Title.TextStyle.Font.Size = vg.Points(14)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = f.XLabel
	p.Y.Label.Text = f.YLabel
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	finite := 0
	for i, k := range keys {
		ys, ok := f.Series[k]
		if !ok {
			return nil, fmt.Errorf("plot: no series %q; have %v", k, sortedKeys(f.Series))
		}
		if f.X != nil && len(f.X) != len(ys) {
			return nil, fmt.Errorf("plot: series %q has %d values for %d x values", k, len(ys), len(f.X))
		}
		n, err := addSeries(p, k, f.xs(len(ys)), ys, i)
		if err != nil {
			return nil, fmt.Errorf("plot: series %q: %w", k, err)
		}
		finite += n
	}
	if finite == 0 {
		return nil, fmt.Errorf("plot: series %v hold no finite value", keys)
	}
	legendHeadroom(p, len(keys))
	p.X.Tick.Marker = integerTicks{}
	return p, nil
}

// legendHeadroom raises the y axis's top so that the legend, drawn in the
// top right corner, sits above the curves rather than on them.
func legendHeadroom(p *plot.Plot, entries int) {
	span := p.Y.Max - p.Y.Min
	if span <= 0 {
		span = math.Max(math.Abs(p.Y.Max)*0.1, 1)
		p.Y.Min -= span / 2
	}
	p.Y.Max += span * (0.04 + 0.05*float64(entries))
}

// integerTicks labels the x axis (epochs, steps) as integers whenever
// every labelled tick is one: "250", not "250.00".
type integerTicks struct{}

// Ticks returns gonum's default ticks, relabelled.
func (integerTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(lo, hi)
	for _, t := range ticks {
		if t.Label != "" && t.Value != math.Trunc(t.Value) {
			return ticks
		}
	}
	for i, t := range ticks {
		if t.Label != "" {
			ticks[i].Label = strconv.FormatFloat(t.Value, 'f', -1, 64)
		}
	}
	return ticks
}

// Image renders the chart.
func (f Figure) Image() (image.Image, error) {
	p, err := f.Plot()
	if err != nil {
		return nil, err
	}
	w, h := f.Width, f.Height
	if w == 0 {
		w = DefaultWidth
	}
	if h == 0 {
		h = DefaultHeight
	}
	if w < 100 || h < 100 {
		return nil, fmt.Errorf("plot: %d×%d pixels is too small to draw a chart, want at least 100×100", w, h)
	}
	px := func(n int) vg.Length { return vg.Length(n) * vg.Inch / dpi }
	c := vgimg.NewWith(vgimg.UseWH(px(w), px(h)), vgimg.UseDPI(dpi))
	// A margin keeps the last point's marker and the title off the edge.
	pad := px(14)
	p.Draw(draw.Crop(draw.New(c), pad, -pad, pad/2, -pad/2))
	return c.Image(), nil
}

// WritePNG renders the chart to path atomically.
func (f Figure) WritePNG(path string) error {
	img, err := f.Image()
	if err != nil {
		return err
	}
	return imageio.WritePNG(path, img)
}

// xs returns the x values for n points.
func (f Figure) xs(n int) []float64 {
	if f.X != nil {
		return f.X
	}
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	return xs
}

// addSeries draws one series in style i: a line per run of finite points
// (a lone point as a marker), one legend entry. It returns the number of
// finite points.
func addSeries(p *plot.Plot, name string, xs, ys []float64, i int) (int, error) {
	style := draw.LineStyle{Color: plotutil.Color(i), Width: vg.Points(1.5), Dashes: plotutil.Dashes(i / len(plotutil.DefaultColors))}
	glyph := draw.GlyphStyle{Color: plotutil.Color(i), Radius: vg.Points(2.5), Shape: plotutil.Shape(i)}
	markers := len(ys) <= markersUpTo
	var legend plot.Thumbnailer
	finite := 0
	for _, run := range finiteRuns(xs, ys) {
		finite += len(run)
		if len(run) > 1 {
			l, err := plotter.NewLine(run)
			if err != nil {
				return 0, err
			}
			l.LineStyle = style
			p.Add(l)
			if legend == nil {
				legend = l
			}
		}
		if markers || len(run) == 1 {
			s, err := plotter.NewScatter(run)
			if err != nil {
				return 0, err
			}
			s.GlyphStyle = glyph
			p.Add(s)
		}
	}
	if legend == nil { // no run of two points: show the style all the same
		l := &plotter.Line{LineStyle: style}
		legend = l
	}
	p.Legend.Add(name, legend)
	return finite, nil
}

// finiteRuns splits the points into maximal runs of finite values.
func finiteRuns(xs, ys []float64) []plotter.XYs {
	var runs []plotter.XYs
	var cur plotter.XYs
	for j, y := range ys {
		if math.IsNaN(y) || math.IsInf(y, 0) || math.IsNaN(xs[j]) || math.IsInf(xs[j], 0) {
			if len(cur) > 0 {
				runs = append(runs, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, plotter.XY{X: xs[j], Y: y})
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

func sortedKeys(m map[string][]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
