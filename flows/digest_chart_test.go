package flows

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"testing"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/region"
	"dinsosbot/store"
)

// Every count gets a bar whose length is in proportion to it: the value axis
// starts at zero (an axis starting at the smallest count drew that bar with no
// length at all).
func TestDigestChartBars(t *testing.T) {
	a := &App{cfg: Config{Regions: region.KotaJambi()}}
	kec := a.cfg.Regions.Kecamatan
	st := store.DigestStats{
		NewByKecamatan: []store.DigestCount{{Key: kec[0].Code, N: 7}, {Key: kec[3].Code, N: 3}},
		NewByCategory:  []store.DigestCount{{Key: "anak_telantar", N: 5}, {Key: "lansia_telantar", N: 4}, {Key: "x", N: 1}},
	}
	b, err := a.digestChart(i18n.ID, st)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if w := img.Bounds().Dx(); w != chartWidth {
		t.Errorf("width %d, want %d", w, chartWidth)
	}
	bars := barLengths(img)
	want := []float64{7, 3, 5, 4, 1}
	if len(bars) != len(want) {
		t.Fatalf("%d bars %v, want %d", len(bars), bars, len(want))
	}
	// Within each chart, length per count is the same for every bar.
	for _, chart := range [][2]int{{0, 2}, {2, 5}} {
		unit := float64(bars[chart[0]]) / want[chart[0]]
		for i := chart[0]; i < chart[1]; i++ {
			if got := float64(bars[i]) / want[i]; math.Abs(got-unit)/unit > 0.1 {
				t.Errorf("bar %d: %d px for %v, want about %.0f px", i, bars[i], want[i], unit*want[i])
			}
		}
	}
}

// barLengths finds the bars of img top to bottom (runs of rows holding the
// bars' blue) and returns the length in pixels of each.
func barLengths(img image.Image) []int {
	var out []int
	inBar := false
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		n := 0
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if b>>8 > r>>8+60 && b>>8 > g>>8+30 {
				n++
			}
		}
		switch {
		case n > 0 && !inBar:
			out = append(out, n)
			inBar = true
		case n > 0:
			out[len(out)-1] = max(out[len(out)-1], n)
		default:
			inBar = false
		}
	}
	return out
}
