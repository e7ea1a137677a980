package flows

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-analyze/charts"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// chartWidth is the digest chart's width in pixels; its height grows with the
// number of bars.
const chartWidth = 900

// chartHeadingHeight is the band on top of the chart holding the period: a
// photo forwarded or saved without its caption still says what it counts.
const chartHeadingHeight = 48

// chartLabelRunes bounds a bar's label, so that long category names leave
// the bars room.
const chartLabelRunes = 40

// chartSpec is what the digest chart shows, decided apart from the drawing
// so that each decision is testable without reading pixels.
type chartSpec struct {
	Heading string // the period, written on the image
	Parts   []barSpec
}

// barSpec is one horizontal bar chart: a label and a count a bar, and a value
// axis from 0 to Max in whole steps.
type barSpec struct {
	Title  string
	Labels []string
	Values []float64
	Max    int // a multiple of Step, at least the largest value
	Step   int // between two ticks, at least 1
}

// ticks is the number of ticks on the value axis, 0 and Max included.
func (b barSpec) ticks() int { return b.Max/b.Step + 1 }

// digestChartSpec is the chart of st's new cases by kecamatan and by
// category under heading; false when there are no new cases, as a chart of
// nothing tells nothing.
func (a *App) digestChartSpec(lang i18n.Lang, st store.DigestStats, heading string) (chartSpec, bool) {
	if st.NewTotal == 0 {
		return chartSpec{}, false
	}
	kec := barSpec{Title: i18n.T(lang, "dig.chart.kecamatan")}
	for _, c := range st.NewByKecamatan {
		name := c.Key
		if k, ok := a.cfg.Regions.KecamatanByCode(c.Key); ok {
			name = k.Name
		}
		kec.Labels, kec.Values = append(kec.Labels, shortLabel(name, chartLabelRunes)), append(kec.Values, float64(c.N))
	}
	cat := barSpec{Title: i18n.T(lang, "dig.chart.category")}
	for _, c := range st.NewByCategory {
		cat.Labels = append(cat.Labels, shortLabel(categoryName(c.Key), chartLabelRunes))
		cat.Values = append(cat.Values, float64(c.N))
	}
	spec := chartSpec{Heading: heading}
	for _, b := range []barSpec{kec, cat} {
		b.Max, b.Step = countAxis(slices.Max(append(b.Values, 1)))
		spec.Parts = append(spec.Parts, b)
	}
	return spec, true
}

// countAxis is a value axis for counts up to top: whole steps of 1, 2 or 5
// times a power of ten, at most 10 of them, ending at or above top.
func countAxis(top float64) (end, step int) {
	n := max(1, int(math.Ceil(top)))
	step = 1
	for mult := 1; ; mult *= 10 {
		for _, s := range []int{1, 2, 5} {
			step = s * mult
			if (n+step-1)/step <= 10 {
				return (n + step - 1) / step * step, step
			}
		}
	}
}

// shortLabel cuts s to at most n characters at a word boundary, with an
// ellipsis; when that would keep less than half of n (a long first word),
// it cuts inside the word.
func shortLabel(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n] // room for the ellipsis: the cut drops at least the space
	cut := strings.LastIndexFunc(string(r), func(c rune) bool { return c == ' ' || c == '/' || c == '-' })
	if utf8.RuneCountInString(string(r)[:max(cut, 0)]) < n/2 {
		return string(r[:n-1]) + "…"
	}
	return strings.TrimRight(string(r)[:cut], " /-,") + "…"
}

// digestChart draws the period's new cases by kecamatan and by category as
// horizontal bars, one chart above the other under the period, on one canvas
// encoded once as PNG; nil when there is nothing to draw (digestChartSpec).
// The charting library brings its own font: no system fonts, no cgo.
func (a *App) digestChart(lang i18n.Lang, st store.DigestStats, heading string) ([]byte, error) {
	spec, ok := a.digestChartSpec(lang, st, heading)
	if !ok {
		return nil, nil
	}
	height := chartHeadingHeight
	for _, b := range spec.Parts {
		height += barChartHeight(len(b.Labels))
	}
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputPNG, Width: chartWidth, Height: height})
	p.FilledRect(0, 0, chartWidth, height, charts.ColorWhite, charts.ColorWhite, 0)
	p.Text(spec.Heading, 20, chartHeadingHeight-14, 0, charts.FontStyle{FontSize: 15, FontColor: charts.ColorBlack})
	top := chartHeadingHeight
	for _, b := range spec.Parts {
		h := barChartHeight(len(b.Labels))
		if err := barChart(p.Child(charts.PainterBoxOption(charts.NewBox(0, top, chartWidth, top+h))), b); err != nil {
			return nil, err
		}
		top += h
	}
	png, err := p.Bytes()
	if err != nil {
		return nil, fmt.Errorf("digest chart: %w", err)
	}
	return png, nil
}

// barChartHeight is the height of a chart of n bars: room for the title and
// the axis, and 32 px a bar.
func barChartHeight(n int) int { return 80 + 32*n }

// barChart draws one horizontal bar chart on p, the largest value on top.
func barChart(p *charts.Painter, b barSpec) error {
	labels, values := slices.Clone(b.Labels), slices.Clone(b.Values)
	slices.Reverse(labels) // the library draws the first label at the bottom
	slices.Reverse(values)
	series := charts.NewSeriesListBar([][]float64{values})
	for i := range series {
		series[i].Label.Show = charts.Ptr(true)
	}
	// The axis is fixed from zero (an axis from the smallest count would draw
	// that bar with no length at all) to a whole multiple of a whole step:
	// "2.5 cases" is not a count.
	whole := func(v float64) string { return strconv.Itoa(int(math.Round(v))) }
	if err := p.BarChart(charts.BarChartOption{Horizontal: true, Padding: charts.NewBoxEqual(20),
		ValueAxis: []charts.ValueAxisOption{{Min: charts.Ptr(0.0), Max: charts.Ptr(float64(b.Max)),
			LabelCount: b.ticks(), PreferNiceIntervals: charts.Ptr(false), ValueFormatter: whole}},
		Title: charts.TitleOption{Text: b.Title}, CategoryAxis: charts.CategoryAxisOption{Labels: labels},
		SeriesList: series}); err != nil {
		return fmt.Errorf("digest chart %q: %w", b.Title, err)
	}
	return nil
}
