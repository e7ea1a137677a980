package nik

import (
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"dinsosbot/flows/parse"
)

var wib = time.FixedZone("WIB", 7*3600)

// now is a fixed "today" for the century choice: 10 June 2024, WIB.
var now = time.Date(2024, 6, 10, 9, 0, 0, 0, wib)

func TestParseValid(t *testing.T) {
	for _, c := range []struct {
		in     string
		digits string
		birth  parse.Day
		female bool
	}{
		{"1571091208900003", "1571091208900003", parse.Day{Year: 1990, Month: 8, Day: 12}, false},
		{"1571095208900003", "1571095208900003", parse.Day{Year: 1990, Month: 8, Day: 12}, true},
		{"15 71 09 52 08 90 0003", "1571095208900003", parse.Day{Year: 1990, Month: 8, Day: 12}, true},
		{"1571.0952.0890.0003", "1571095208900003", parse.Day{Year: 1990, Month: 8, Day: 12}, true},
		{" 1571-0952-0890-0003\n", "1571095208900003", parse.Day{Year: 1990, Month: 8, Day: 12}, true},
		{"1101010101000001", "1101010101000001", parse.Day{Year: 2000, Month: 1, Day: 1}, false},
		{"9601017112990001", "9601017112990001", parse.Day{Year: 1999, Month: 12, Day: 31}, true},
		// 29 Feb 2000 is real (2000 is a leap year).
		{"3201012902000009", "3201012902000009", parse.Day{Year: 2000, Month: 2, Day: 29}, false},
		// Century: 10 June 2024 is today, 11 June 2024 not yet, so 1924.
		{"1571011006240001", "1571011006240001", parse.Day{Year: 2024, Month: 6, Day: 10}, false},
		{"1571011106240001", "1571011106240001", parse.Day{Year: 1924, Month: 6, Day: 11}, false},
		{"1571015106240001", "1571015106240001", parse.Day{Year: 1924, Month: 6, Day: 11}, true},
		{"1571010101300001", "1571010101300001", parse.Day{Year: 1930, Month: 1, Day: 1}, false},
	} {
		n, err := Parse(c.in, now)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if n.String() != c.digits || n.BirthDate() != c.birth || n.Female() != c.female || n.ProvinceCode() != c.digits[:2] {
			t.Errorf("Parse(%q) = %s born %v female %v province %s", c.in, n, n.BirthDate(), n.Female(), n.ProvinceCode())
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, c := range []struct {
		in    string
		code  string
		param map[string]string
	}{
		{"", CodeEmpty, nil},
		{" - . ", CodeEmpty, nil},
		{"1571O95208900003", CodeChars, map[string]string{"char": "O"}},
		{"1571/0952/0890/0003", CodeChars, map[string]string{"char": "/"}},
		{"NIK 1571095208900003", CodeChars, map[string]string{"char": "N"}},
		{"1571\xff", CodeChars, nil},
		{"157109520890003", CodeLength, map[string]string{"got": "15", "want": "16"}},
		{"15710952089000031", CodeLength, map[string]string{"got": "17", "want": "16"}},
		{strings.Repeat("1", 5000), CodeLength, map[string]string{"got": "64+", "want": "16"}},
		{"9971095208900003", CodeProvince, map[string]string{"code": "99"}},
		{"2071095208900003", CodeProvince, map[string]string{"code": "20"}},
		{"0071095208900003", CodeProvince, map[string]string{"code": "00"}},
		{"1571090008900003", CodeDay, map[string]string{"day": "00"}},
		{"1571093208900003", CodeDay, map[string]string{"day": "32"}},
		{"1571094008900003", CodeDay, map[string]string{"day": "40"}},
		{"1571097208900003", CodeDay, map[string]string{"day": "72"}},
		{"1571099908900003", CodeDay, map[string]string{"day": "99"}},
		{"1571091200900003", CodeMonth, map[string]string{"month": "00"}},
		{"1571091213900003", CodeMonth, map[string]string{"month": "13"}},
		{"1571093102900003", CodeDate, map[string]string{"day": "31", "month": "2", "year": "1990"}},
		{"1571097102900003", CodeDate, map[string]string{"day": "31", "month": "2", "year": "1990"}},
		{"1571093104900003", CodeDate, map[string]string{"day": "31", "month": "4", "year": "1990"}},
		// 29 Feb of a year that reads as 1923 (2023 is not leap either).
		{"1571092902230003", CodeDate, map[string]string{"day": "29", "month": "2", "year": "2023"}},
		{"1571091208900000", CodeSerial, nil},
	} {
		_, err := Parse(c.in, now)
		var e *parse.Error
		if !errors.As(err, &e) || e.Code != c.code || (c.param != nil && !reflect.DeepEqual(e.Param, c.param)) {
			t.Errorf("Parse(%.20q) = %v, want %s %v", c.in, err, c.code, c.param)
		}
		if err != nil && strings.Contains(err.Error(), "08900") {
			t.Errorf("error %q shows the NIK", err)
		}
	}
}

func TestMask(t *testing.T) {
	n, err := Parse("1571095208900003", now)
	if err != nil {
		t.Fatal(err)
	}
	if got := n.Masked(); got != "1571********0003" {
		t.Errorf("Masked = %q", got)
	}
	for in, want := range map[string]string{
		"1571095208900003":        "1571********0003",
		"1571 0952 0890 0003":     "1571********0003",
		"157109520890":            "157******890",
		"12345678":                "12****78",
		"123":                     "***",
		"":                        "",
		"Budi Santoso":            "Bud******oso",
		"tanpa NIK (gelandangan)": "tanp***************gan)",
		"15710952089000031":       "1571*********0031",
		"١٢٣٤٥٦٧٨":                "١٢****٧٨",
	} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
	var zero NIK
	if !zero.IsZero() || zero.Female() || zero.ProvinceCode() != "" || zero.Masked() != "" || n.IsZero() {
		t.Error("zero NIK")
	}
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("case", "nik", n)
	if strings.Contains(b.String(), "1571095208900003") || !strings.Contains(b.String(), "1571********0003") {
		t.Errorf("log line %q", b.String())
	}
}

func TestProvince(t *testing.T) {
	if name, ok := Province("15"); !ok || name != "Jambi" {
		t.Errorf("Province(15) = %q, %v", name, ok)
	}
	if len(provinces()) != 38 {
		t.Errorf("%d provinces, want 38", len(provinces()))
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1571095208900003", "15 71 09 52 08 90 0003", "1571091208900000", "9971095208900003", "1571093102900003", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s, now)
		masked := Mask(s)
		if len([]rune(masked)) != len([]rune(s)) && len(masked) != Length {
			t.Fatalf("Mask(%q) = %q changes the length", s, masked)
		}
		if err != nil {
			var e *parse.Error
			if !errors.As(err, &e) || !strings.HasPrefix(e.Code, "nik.") {
				t.Fatalf("unexpected error %#v", err)
			}
			return
		}
		d := n.String()
		if len(d) != Length || strings.Trim(d, "0123456789") != "" || d[12:] == "0000" {
			t.Fatalf("%q gave %q", s, d)
		}
		if m := n.Masked(); m != d[:4]+"********"+d[12:] {
			t.Fatalf("Masked = %q", m)
		}
		b := n.BirthDate()
		if b.After(parse.DayOf(now)) || b.Time().Day() != b.Day || b.Year%100 != int(d[10]-'0')*10+int(d[11]-'0') {
			t.Fatalf("%q born %v", s, b)
		}
		if again, err := Parse(d, now); err != nil || again != n {
			t.Fatalf("%q not stable: %v, %v", d, again, err)
		}
	})
}
