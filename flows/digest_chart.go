package flows

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"slices"

	"github.com/go-analyze/charts"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// chartWidth is the digest chart's width in pixels; its height grows with the
// number of bars.
const chartWidth = 900

// digestChart draws the period's new cases by kecamatan and by category as
// horizontal bars, one chart above the other, in one PNG. The charting library
// brings its own font: no system fonts, no cgo.
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
	top, err := barChart(i18n.T(lang, "dig.chart.kecamatan"), kecLabels, kecValues)
	if err != nil {
		return nil, err
	}
	bottom, err := barChart(i18n.T(lang, "dig.chart.category"), catLabels, catValues)
	if err != nil {
		return nil, err
	}
	out := image.NewRGBA(image.Rect(0, 0, chartWidth, top.Bounds().Dy()+bottom.Bounds().Dy()))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(out, top.Bounds(), top, image.Point{}, draw.Src)
	draw.Draw(out, bottom.Bounds().Add(image.Pt(0, top.Bounds().Dy())), bottom, image.Point{}, draw.Src)
	var b bytes.Buffer
	if err := png.Encode(&b, out); err != nil {
		return nil, fmt.Errorf("digest chart: %w", err)
	}
	return b.Bytes(), nil
}

// barChart draws one horizontal bar chart, the largest value on top.
func barChart(title string, labels []string, values []float64) (image.Image, error) {
	labels, values = slices.Clone(labels), slices.Clone(values)
	slices.Reverse(labels) // the library draws the first label at the bottom
	slices.Reverse(values)
	height := 80 + 32*len(labels)
	p, err := charts.HorizontalBarRender([][]float64{values},
		charts.PNGOutputOptionFunc(),
		charts.TitleTextOptionFunc(title),
		charts.YAxisLabelsOptionFunc(labels),
		charts.DimensionsOptionFunc(chartWidth, height),
		charts.SeriesShowLabel(true),
	)
	if err != nil {
		return nil, fmt.Errorf("digest chart %q: %w", title, err)
	}
	raw, err := p.Bytes()
	if err != nil {
		return nil, fmt.Errorf("digest chart %q: %w", title, err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("digest chart %q: %w", title, err)
	}
	return img, nil
}
