package nn

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ganlab/ganlab/core/tensor"
)

// summaryRow is one line of the table: "name (Class)", output shape, and
// the parameter count.
type summaryRow struct{ name, shape, params string }

func layerRow(l Layer, shape string) summaryRow {
	r := summaryRow{name: fmt.Sprintf("%s (%s)", l.Name(), className(l)), shape: shape}
	if b := baseOf(l); b != nil && !b.built && !isModel(l) {
		r.params = "0 (unbuilt)"
	} else {
		r.params = commas(countParams(l.Weights()))
	}
	return r
}

func countParams(ws []*Weight) int {
	n := 0
	for _, w := range ws {
		n += w.Value().Len()
	}
	return n
}

func memorySize(ws []*Weight) float64 {
	n := 0.0
	for _, w := range ws {
		size := 4.0
		if w.Value().DType() == tensor.Float64 {
			size = 8
		}
		n += size * float64(w.Value().Len())
	}
	return n
}

// readableSize prints bytes as Keras's summary does: "3.53 MB".
func readableSize(b float64) string {
	for _, unit := range []string{"B", "KB", "MB", "GB", "TB"} {
		if b/1024 < 1 {
			return fmt.Sprintf("%.2f %s", b, unit)
		}
		b /= 1024
	}
	return fmt.Sprintf("%.2f PB", b)
}

// commas prints n with thousands separators: 926,083.
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// renderSummary draws Keras's summary table in its box characters, then
// the totals. connected, when not nil, adds the "Connected to" column.
func renderSummary(name string, rows []summaryRow, connected []string, trainable, nonTrainable []*Weight) string {
	header := []string{"Layer (type)", "Output Shape", "Param #"}
	widths := []int{37, 29, 16} // Keras's 88 columns split 0.45 / 0.80 / 1.0
	if connected != nil {
		header = append(header, "Connected to")
		widths = []int{30, 26, 17, 27} // 108 columns split 0.3 / 0.56 / 0.74 / 1.0
	}
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = []string{r.name, r.shape, r.params}
		if connected != nil {
			cells[i] = append(cells[i], connected[i])
		}
	}
	for _, row := range append([][]string{header}, cells...) {
		for j, c := range row {
			widths[j] = max(widths[j], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	rule := func(left, fill, mid, right string) {
		b.WriteString(left)
		for j, w := range widths {
			if j > 0 {
				b.WriteString(mid)
			}
			b.WriteString(strings.Repeat(fill, w+2))
		}
		b.WriteString(right + "\n")
	}
	line := func(bar string, row []string) {
		b.WriteString(bar)
		for j, c := range row {
			pad := strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c))
			if j == 2 { // Param # is right-aligned
				b.WriteString(" " + pad + c + " " + bar)
			} else {
				b.WriteString(" " + c + pad + " " + bar)
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Model: %q\n", name)
	rule("┏", "━", "┳", "┓")
	line("┃", header)
	rule("┡", "━", "╇", "┩")
	for i, row := range cells {
		if i > 0 {
			rule("├", "─", "┼", "┤")
		}
		line("│", row)
	}
	rule("└", "─", "┴", "┘")
	all := append(append([]*Weight(nil), trainable...), nonTrainable...)
	fmt.Fprintf(&b, " Total params: %s (%s)\n", commas(countParams(all)), readableSize(memorySize(all)))
	fmt.Fprintf(&b, " Trainable params: %s (%s)\n", commas(countParams(trainable)), readableSize(memorySize(trainable)))
	fmt.Fprintf(&b, " Non-trainable params: %s (%s)\n", commas(countParams(nonTrainable)), readableSize(memorySize(nonTrainable)))
	return b.String()
}
