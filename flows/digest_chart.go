package flows

import (
	"fmt"
	"slices"

	"github.com/go-analyze/charts"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// chartWidth is the digest chart's width in pixels; its height grows with the
// number of bars.
const chartWidth = 900

// digestChart draws the period's new cases by kecamatan and by category as
// horizontal bars, one chart above the other, on one canvas encoded once as
// PNG. The charting library brings its own font: no system fonts, no cgo.
func (a *App) digestChart(lang i18n.Lang, st store.DigestStats) ([]byte, error) {
	var kecLabels, catLabels []string
	var kecValues, catValues []float64
	for _, c := range st.NewByKecamatan {
		k, ok := a.cfg.Regions.KecamatanByCode(c.Key)
		name := c.Key
		if ok {
			name = k.Name
		}
		kecLabels, kecValues = append(kecLabels, name), append(kecValues, float64(c.N))
	}
	for _, c := range st.NewByCategory {
		catLabels, catValues = append(catLabels, clip(categoryName(c.Key), 40)), append(catValues, float64(c.N))
	}
	topHeight, bottomHeight := barChartHeight(len(kecLabels)), barChartHeight(len(catLabels))
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputPNG, Width: chartWidth,
		Height: topHeight + bottomHeight})
	p.FilledRect(0, 0, chartWidth, topHeight+bottomHeight, charts.ColorWhite, charts.ColorWhite, 0)
	if err := barChart(p.Child(charts.PainterBoxOption(charts.NewBox(0, 0, chartWidth, topHeight))),
		i18n.T(lang, "dig.chart.kecamatan"), kecLabels, kecValues); err != nil {
		return nil, err
	}
	if err := barChart(p.Child(charts.PainterBoxOption(charts.NewBox(0, topHeight, chartWidth, topHeight+bottomHeight))),
		i18n.T(lang, "dig.chart.category"), catLabels, catValues); err != nil {
		return nil, err
	}
	b, err := p.Bytes()
	if err != nil {
		return nil, fmt.Errorf("digest chart: %w", err)
	}
	return b, nil
}

// barChartHeight is the height of a chart of n bars: room for the title and
// the axis, and 32 px a bar.
func barChartHeight(n int) int { return 80 + 32*n }

// barChart draws one horizontal bar chart on p, the largest value on top.
func barChart(p *charts.Painter, title string, labels []string, values []float64) error {
	labels, values = slices.Clone(labels), slices.Clone(values)
	slices.Reverse(labels) // the library draws the first label at the bottom
	slices.Reverse(values)
	series := charts.NewSeriesListBar([][]float64{values})
	for i := range series {
		series[i].Label.Show = charts.Ptr(true)
	}
	// Counts start at zero: an axis from the smallest count would draw that
	// bar with no length at all.
	if err := p.BarChart(charts.BarChartOption{Horizontal: true, Padding: charts.NewBoxEqual(20),
		ValueAxis: []charts.ValueAxisOption{{Min: charts.Ptr(0.0)}},
		Title:     charts.TitleOption{Text: title}, CategoryAxis: charts.CategoryAxisOption{Labels: labels},
		SeriesList: series}); err != nil {
		return fmt.Errorf("digest chart %q: %w", title, err)
	}
	return nil
}
