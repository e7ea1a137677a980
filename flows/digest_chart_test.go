package flows

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"slices"
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
	st := store.DigestStats{NewTotal: 10,
		NewByKecamatan: []store.DigestCount{{Key: kec[0].Code, N: 7}, {Key: kec[3].Code, N: 3}},
		NewByCategory:  []store.DigestCount{{Key: "anak_telantar", N: 5}, {Key: "lansia_telantar", N: 4}, {Key: "x", N: 1}},
	}
	b, err := a.digestChart(i18n.ID, st, "Ringkasan harian")
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
	bars := barLengths(img.(subImager).SubImage(image.Rect(0, chartHeadingHeight, chartWidth, img.Bounds().Max.Y)))
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

type subImager interface {
	SubImage(r image.Rectangle) image.Image
}

// The value axis of counts ends at a whole multiple of a whole step, with at
// most 11 ticks: no "2.5 cases".
func TestCountAxis(t *testing.T) {
	for _, tc := range []struct {
		top       float64
		end, step int
	}{
		{0, 1, 1}, {1, 1, 1}, {3, 3, 1}, {7, 7, 1}, {10, 10, 1}, {11, 12, 2}, {13, 14, 2}, {20, 20, 2},
		{21, 25, 5}, {47, 50, 5}, {51, 60, 10}, {100, 100, 10}, {101, 120, 20}, {999, 1000, 100},
	} {
		end, step := countAxis(tc.top)
		if end != tc.end || step != tc.step {
			t.Errorf("countAxis(%v) = %d, %d; want %d, %d", tc.top, end, step, tc.end, tc.step)
		}
		if ticks := (barSpec{Max: end, Step: step}).ticks(); end%step != 0 || float64(end) < tc.top || ticks > 11 || ticks < 2 {
			t.Errorf("countAxis(%v) = %d, %d: %d ticks", tc.top, end, step, ticks)
		}
	}
}

// Labels are cut at a word boundary, never inside a word unless the first
// word alone is too long.
func TestShortLabel(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"Anak Telantar", 40, "Anak Telantar"},
		{"Anak yang Memerlukan Perlindungan Khusus", 40, "Anak yang Memerlukan Perlindungan Khusus"},
		{"Anak yang Menjadi Korban Tindak Kekerasan atau Diperlakukan Salah", 40, "Anak yang Menjadi Korban Tindak…"},
		{"Bekas Warga Binaan Lembaga Pemasyarakatan", 40, "Bekas Warga Binaan Lembaga…"},
		{"Orang dengan HIV/AIDS (ODHA)", 20, "Orang dengan HIV…"},
		{"Pemasyarakatan Lembaga", 10, "Pemasyara…"},
		{"", 10, ""},
	} {
		got := shortLabel(tc.in, tc.n)
		if got != tc.want {
			t.Errorf("shortLabel(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
		if n := len([]rune(got)); n > tc.n {
			t.Errorf("shortLabel(%q, %d) has %d characters", tc.in, tc.n, n)
		}
	}
}

// What the chart shows: the period as its heading, labels shortened, axes of
// whole steps; no chart at all for a period without new cases.
func TestDigestChartSpec(t *testing.T) {
	a := &App{cfg: Config{Regions: region.KotaJambi()}}
	kec := a.cfg.Regions.Kecamatan
	const heading = "Ringkasan harian 02-11-2026 07.00 WIB – 03-11-2026 07.00 WIB"
	if _, ok := a.digestChartSpec(i18n.ID, store.DigestStats{StatusChanges: []store.DigestCount{{Key: "verified", N: 2}},
		Backlog: 4}, heading); ok {
		t.Error("a chart for a period without new cases")
	}
	if png, err := a.digestChart(i18n.ID, store.DigestStats{Backlog: 4}, heading); png != nil || err != nil {
		t.Errorf("digestChart without new cases = %d bytes, %v", len(png), err)
	}
	st := store.DigestStats{NewTotal: 14,
		NewByKecamatan: []store.DigestCount{{Key: kec[0].Code, N: 13}, {Key: kec[3].Code, N: 1}},
		NewByCategory:  []store.DigestCount{{Key: "PPKS06", N: 3}, {Key: "PPKS02", N: 11}},
	}
	spec, ok := a.digestChartSpec(i18n.ID, st, heading)
	if !ok || spec.Heading != heading || len(spec.Parts) != 2 {
		t.Fatalf("spec = %+v, %v", spec, ok)
	}
	want := []barSpec{
		{Title: "Kasus baru per kecamatan", Labels: []string{kec[0].Name, kec[3].Name}, Values: []float64{13, 1}, Max: 14, Step: 2},
		{Title: "Kasus baru per kategori", Labels: []string{"Anak yang Menjadi Korban Tindak…", "Anak Telantar"},
			Values: []float64{3, 11}, Max: 12, Step: 2},
	}
	for i, w := range want {
		g := spec.Parts[i]
		if g.Title != w.Title || !slices.Equal(g.Labels, w.Labels) || !slices.Equal(g.Values, w.Values) || g.Max != w.Max || g.Step != w.Step {
			t.Errorf("part %d = %+v, want %+v", i, g, w)
		}
	}
}

// The period is written on the image itself: the band above the bars holds
// text (dark pixels), so a chart saved or forwarded without its caption still
// says what it counts.
func TestDigestChartHeading(t *testing.T) {
	a := &App{cfg: Config{Regions: region.KotaJambi()}}
	st := store.DigestStats{NewTotal: 1, NewByKecamatan: []store.DigestCount{{Key: a.cfg.Regions.Kecamatan[0].Code, N: 1}},
		NewByCategory: []store.DigestCount{{Key: "PPKS02", N: 1}}}
	dark := func(heading string) int {
		b, err := a.digestChart(i18n.ID, st, heading)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for y := range chartHeadingHeight {
			for x := range chartWidth {
				if r, g, b, _ := img.At(x, y).RGBA(); r>>8 < 100 && g>>8 < 100 && b>>8 < 100 {
					n++
				}
			}
		}
		return n
	}
	short, long := dark("Ringkasan"), dark("Ringkasan mingguan 26-10-2026 07.00 WIB – 02-11-2026 07.00 WIB")
	if short < 50 || long < 3*short {
		t.Errorf("dark pixels in the heading band: %d for a word, %d for the period; want text there", short, long)
	}
}
