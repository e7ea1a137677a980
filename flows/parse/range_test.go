package parse

import (
	"math"
	"testing"
	"time"
)

func TestBirth(t *testing.T) {
	today := Day{2026, time.November, 2}
	tests := []struct {
		d    Day
		code string // "" = accepted
		min  string
	}{
		{Day{1980, time.November, 21}, "", ""},
		{today, "", ""},
		{Day{1905, time.November, 3}, "", ""},                       // 120 today, 121 tomorrow
		{Day{1905, time.November, 2}, CodeDateTooOld, "03-11-1905"}, // 121 today
		{Day{1900, time.January, 1}, CodeDateTooOld, "03-11-1905"},
		{Day{1899, time.December, 31}, CodeDateTooOld, "03-11-1905"},
		{Day{1000, time.January, 1}, CodeDateTooOld, "03-11-1905"},
		{Day{2026, time.November, 3}, CodeDateFuture, ""},
	}
	for _, tc := range tests {
		err := Birth(tc.d, today)
		if tc.code == "" {
			if err != nil {
				t.Errorf("Birth(%v) = %v, want accepted", tc.d, err)
			}
			continue
		}
		var param map[string]string
		if tc.min != "" {
			param = map[string]string{"min": tc.min, "max_age": "120"}
		}
		wantErr(t, err, tc.code, param)
	}
	// Early in the century 1900 is the floor, not today minus 121 years.
	wantErr(t, Birth(Day{1899, time.December, 31}, Day{2010, time.June, 1}), CodeDateTooOld,
		map[string]string{"min": "01-01-1900", "max_age": "120"})
	if err := Birth(Day{1900, time.January, 1}, Day{2010, time.June, 1}); err != nil {
		t.Errorf("1 January 1900 in 2010: %v", err)
	}
}

func TestCoordinates(t *testing.T) {
	for _, ok := range [][2]float64{{-1.6101, 103.6131}, {0, 0}, {90, 180}, {-90, -180}, {-89.999999, 179.999999}} {
		if err := Coordinates(ok[0], ok[1]); err != nil {
			t.Errorf("Coordinates(%v, %v) = %v", ok[0], ok[1], err)
		}
	}
	for _, bad := range [][2]float64{{90.000001, 0}, {-91, 103}, {0, 180.5}, {-1.6, -200}, {95, 200},
		{math.NaN(), 0}, {0, math.NaN()}, {math.Inf(1), 0}, {0, math.Inf(-1)}} {
		wantErr(t, Coordinates(bad[0], bad[1]), CodeLocationRange, nil)
	}
}
