package parse

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// wantErr checks that err is an *Error with the code and, when given, params.
func wantErr(t *testing.T, err error, code string, param map[string]string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *Error %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%v), want %s", e.Code, e, code)
	}
	if param != nil && !reflect.DeepEqual(e.Param, param) {
		t.Fatalf("param = %v, want %v", e.Param, param)
	}
}

func TestDateAccepted(t *testing.T) {
	nov21 := Day{2023, time.November, 21}
	for _, in := range []string{
		"21-11-2023", "21/11/2023", "21 11 2023", "21.11.2023", "2023-11-21",
		"  21  11   2023 ", "21 - 11 - 2023", "21-11/2023", "21\t11\n2023",
		"21 Nov 2023", "21 November 2023", "21 nov 2023", "21 NOVEMBER 2023",
		"21 Nop 2023", "21 nopember 2023", "21-Nov-2023", "21nov2023",
		"November 21, 2023", "Nov 21 2023", "Selasa, 21 November 2023",
		"tuesday 21 nov 2023", "2023 Nov 21",
	} {
		got, err := Date(in)
		if err != nil || got != nov21 {
			t.Errorf("Date(%q) = %v, %v; want %v", in, got, err, nov21)
		}
	}
	months := map[string]time.Month{
		"januari": 1, "jan": 1, "January": 1,
		"februari": 2, "feb": 2, "peb": 2, "pebruari": 2, "February": 2,
		"maret": 3, "mar": 3, "march": 3,
		"april": 4, "apr": 4,
		"mei": 5, "may": 5,
		"juni": 6, "jun": 6, "june": 6,
		"juli": 7, "jul": 7, "july": 7,
		"agustus": 8, "agu": 8, "agt": 8, "ags": 8, "august": 8, "aug": 8,
		"september": 9, "sep": 9, "sept": 9,
		"oktober": 10, "okt": 10, "october": 10, "oct": 10,
		"november": 11, "nov": 11, "nop": 11,
		"desember": 12, "des": 12, "december": 12, "dec": 12,
	}
	for name, m := range months {
		got, err := Date("1 " + name + " 2024")
		if err != nil || got != (Day{2024, m, 1}) {
			t.Errorf("month %q: %v, %v", name, got, err)
		}
	}
	if d, err := Date("29-02-2024"); err != nil || d != (Day{2024, 2, 29}) {
		t.Errorf("leap day: %v, %v", d, err)
	}
	if d, err := Date("jum'at 1 des 2023"); err != nil || d != (Day{2023, 12, 1}) {
		t.Errorf("jum'at: %v, %v", d, err)
	}
}

func TestDateRejected(t *testing.T) {
	for _, c := range []struct {
		in    string
		code  string
		param map[string]string
	}{
		{"", CodeDateEmpty, nil},
		{"   ", CodeDateEmpty, nil},
		{"kemarin", CodeDateFormat, nil},
		{"21-11", CodeDateFormat, nil},
		{"21112023", CodeDateFormat, nil},
		{"21-11-2023-1", CodeDateFormat, nil},
		{"21_11_2023", CodeDateFormat, nil},
		{"21 🎉 11 2023", CodeDateFormat, nil},
		{"21 nov des", CodeDateFormat, nil},
		{"21-11-23", CodeDateYearDigits, map[string]string{"year": "23"}},
		{"21 nov 23", CodeDateYearDigits, map[string]string{"year": "23"}},
		{"21-11-02023", CodeDateYearDigits, map[string]string{"year": "02023"}},
		{"21-11-0999", CodeDateYearDigits, map[string]string{"year": "0999"}},
		{"31-02-2023", CodeDateImpossible, map[string]string{"day": "31", "month": "2", "year": "2023"}},
		{"31 Februari 2023", CodeDateImpossible, map[string]string{"day": "31", "month": "2", "year": "2023"}},
		{"29-02-2023", CodeDateImpossible, map[string]string{"day": "29", "month": "2", "year": "2023"}},
		{"31-04-2023", CodeDateImpossible, map[string]string{"day": "31", "month": "4", "year": "2023"}},
		{"21-13-2023", CodeDateMonth, map[string]string{"month": "13"}},
		{"21-00-2023", CodeDateMonth, map[string]string{"month": "00"}},
		{"21-123-2023", CodeDateMonth, map[string]string{"month": "123"}},
		{"32-11-2023", CodeDateDay, map[string]string{"day": "32"}},
		{"0-11-2023", CodeDateDay, map[string]string{"day": "0"}},
		{"21 Novembre 2023", CodeDateMonthName, map[string]string{"text": "novembre"}},
		{"selasa 21 11", CodeDateYearDigits, map[string]string{"year": "11"}},
		{"21 selasa 2023", CodeDateMonthName, map[string]string{"text": "selasa"}},
	} {
		_, err := Date(c.in)
		t.Run(c.in, func(t *testing.T) { wantErr(t, err, c.code, c.param) })
	}
}

func TestDayRanges(t *testing.T) {
	today := DayOf(time.Date(2024, 3, 10, 23, 30, 0, 0, time.FixedZone("WIB", 7*3600)))
	if today != (Day{2024, 3, 10}) {
		t.Fatalf("DayOf = %v", today)
	}
	if err := NotFuture(today, today); err != nil {
		t.Error(err)
	}
	wantErr(t, NotFuture(Day{2024, 3, 11}, today), CodeDateFuture, map[string]string{"today": "10-03-2024"})
	wantErr(t, NotAfter(Day{2025, 1, 1}, Day{2024, 12, 31}), CodeDateAfter, map[string]string{"max": "31-12-2024"})
	wantErr(t, NotBefore(Day{1899, 12, 31}, Day{1900, 1, 1}), CodeDateBefore, map[string]string{"min": "01-01-1900"})
	if err := NotBefore(Day{1900, 1, 1}, Day{1900, 1, 1}); err != nil {
		t.Error(err)
	}
	if got := (Day{2023, 11, 21}).Time(); !got.Equal(time.Date(2023, 11, 21, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Time = %v", got)
	}
	if !errors.Is(NotFuture(Day{2030, 1, 1}, today), &Error{Code: CodeDateFuture}) {
		t.Error("errors.Is by code failed")
	}
	if CodeOf(NotFuture(Day{2030, 1, 1}, today)) != CodeDateFuture || CodeOf(errors.New("x")) != "" {
		t.Error("CodeOf")
	}
}

func TestTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		h, m int
	}{
		{"09.00", 9, 0}, {"9:00", 9, 0}, {"9.00", 9, 0}, {"0900", 9, 0}, {"9", 9, 0},
		{"09:30 WIB", 9, 30}, {"09.30wib", 9, 30}, {" 13.45 ", 13, 45}, {"930", 9, 30},
		{"00:00", 0, 0}, {"23:59", 23, 59}, {"pukul 09.00", 9, 0}, {"jam 9", 9, 0},
		{"Pkl. 14.00 WIB", 14, 0}, {"2 pm", 14, 0}, {"12am", 0, 0}, {"12 PM", 12, 0}, {"9.15am", 9, 15},
	} {
		h, m, err := Time(c.in)
		if err != nil || h != c.h || m != c.m {
			t.Errorf("Time(%q) = %d, %d, %v; want %d:%02d", c.in, h, m, err, c.h, c.m)
		}
	}
	for _, c := range []struct {
		in    string
		code  string
		param map[string]string
	}{
		{"", CodeTimeEmpty, nil},
		{"24:00", CodeTimeHour, map[string]string{"hour": "24"}},
		{"2400", CodeTimeHour, map[string]string{"hour": "24"}},
		{"25", CodeTimeHour, map[string]string{"hour": "25"}},
		{"13 pm", CodeTimeHour, map[string]string{"hour": "13"}},
		{"0 am", CodeTimeHour, map[string]string{"hour": "0"}},
		{"9:60", CodeTimeMinute, map[string]string{"minute": "60"}},
		{"0975", CodeTimeMinute, map[string]string{"minute": "75"}},
		{"9.5", CodeTimeFormat, nil},
		{"9.000", CodeTimeFormat, nil},
		{"09.00 WITA", CodeTimeFormat, nil},
		{"9 30", CodeTimeFormat, nil},
		{"pagi", CodeTimeFormat, nil},
		{"jam", CodeTimeFormat, nil},
		{"12345", CodeTimeFormat, nil},
		{"-9", CodeTimeFormat, nil},
		{"9:00:00", CodeTimeFormat, nil},
		{"٩:٠٠", CodeTimeFormat, nil},
	} {
		_, _, err := Time(c.in)
		t.Run(c.in, func(t *testing.T) { wantErr(t, err, c.code, c.param) })
	}
}

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		in       string
		min, max int
		want     int
	}{
		{"12", 0, 120, 12}, {" 7 ", 0, 10, 7}, {"0", 0, 0, 0}, {"+5", 0, 10, 5},
		{"-3", -10, 10, -3}, {"1.500", 0, 5000, 1500}, {"1 500 000", 0, 2000000, 1500000},
		{"007", 0, 10, 7},
	} {
		got, err := Number(c.in, c.min, c.max)
		if err != nil || got != c.want {
			t.Errorf("Number(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, c := range []struct {
		in    string
		code  string
		param map[string]string
	}{
		{"", CodeNumberEmpty, nil},
		{"dua", CodeNumberFormat, nil},
		{"1.5", CodeNumberFormat, nil},
		{"1,5", CodeNumberFormat, nil},
		{"1.50.000", CodeNumberFormat, nil},
		{"1.500 000", CodeNumberFormat, nil},
		{"12a", CodeNumberFormat, nil},
		{"--1", CodeNumberFormat, nil},
		{"+", CodeNumberFormat, nil},
		{"１２", CodeNumberFormat, nil},
		{"121", CodeNumberRange, map[string]string{"min": "0", "max": "120", "value": "121"}},
		{"-1", CodeNumberRange, map[string]string{"min": "0", "max": "120", "value": "-1"}},
		{"99999999999999999999999", CodeNumberRange, map[string]string{"min": "0", "max": "120"}},
	} {
		_, err := Number(c.in, 0, 120)
		t.Run(c.in, func(t *testing.T) { wantErr(t, err, c.code, c.param) })
	}
}

func TestPhone(t *testing.T) {
	for _, in := range []string{
		"0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890",
		"+62 (0) 812 3456 7890", "+6281234567890", "(0812) 3456.7890", "81234567890",
		" 0812 3456 7890 ",
	} {
		got, err := Phone(in)
		if err != nil || got != "+6281234567890" {
			t.Errorf("Phone(%q) = %q, %v", in, got, err)
		}
	}
	for in, want := range map[string]string{
		"0812345678":    "+62812345678",    // 10 digits, the shortest
		"0812345678901": "+62812345678901", // 13 digits, the longest
	} {
		if got, err := Phone(in); err != nil || got != want {
			t.Errorf("Phone(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, c := range []struct {
		in    string
		code  string
		param map[string]string
	}{
		{"", CodePhoneEmpty, nil},
		{" - ", CodePhoneEmpty, nil},
		{"+", CodePhoneEmpty, nil},
		{"0812 abc", CodePhoneChars, map[string]string{"char": "a"}},
		{"0812+3456", CodePhoneChars, map[string]string{"char": "+"}},
		{"+60 12 345 6789", CodePhoneCountry, nil},
		{"0741 123456", CodePhoneMobile, nil},
		{"62741123456", CodePhoneMobile, nil},
		{"12345", CodePhoneMobile, nil},
		{"081234567", CodePhoneLength, map[string]string{"got": "9", "min": "10", "max": "13"}},
		{"08123456789012", CodePhoneLength, map[string]string{"got": "14", "min": "10", "max": "13"}},
		{"+62", CodePhoneLength, map[string]string{"got": "1", "min": "10", "max": "13"}},
	} {
		_, err := Phone(c.in)
		t.Run(c.in, func(t *testing.T) { wantErr(t, err, c.code, c.param) })
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"Siti Aminah":              "Siti Aminah",
		"  siti   aminah\t":        "siti aminah",
		"Drs. H. Abd. Rahman, S.H": "Drs. H. Abd. Rahman, S.H",
		"Ma’ruf Amin":              "Ma'ruf Amin",
		"Siti Nur-Aini":            "Siti Nur-Aini",
		"José Müller":              "José Müller",
		"Jose\u0301":               "Jose\u0301",
		"محمد":                     "محمد",
		"Budi\u00a0Santoso":        "Budi Santoso",
	} {
		got, err := Name(in, 2, 60)
		if err != nil || got != want {
			t.Errorf("Name(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, c := range []struct {
		in    string
		code  string
		param map[string]string
	}{
		{"", CodeNameEmpty, nil},
		{" \n ", CodeNameEmpty, nil},
		{"\xff\xfe", CodeNameEncoding, nil},
		{"Budi\x00", CodeNameControl, map[string]string{"position": "5"}},
		{"Bu\u200bdi", CodeNameInvisible, map[string]string{"position": "3"}},
		{"Budi\ufeff", CodeNameInvisible, map[string]string{"position": "5"}},
		{"Bu\u200ddi", CodeNameInvisible, map[string]string{"position": "3"}},
		{"Budi\u202e", CodeNameInvisible, map[string]string{"position": "5"}},
		{"Bud\u3164", CodeNameInvisible, map[string]string{"position": "4"}},
		{"Budi2", CodeNameDigit, map[string]string{"char": "2", "position": "5"}},
		{"Budi ²", CodeNameDigit, map[string]string{"char": "²", "position": "6"}},
		{"Budi 😀", CodeNameChar, map[string]string{"char": "😀", "position": "6"}},
		{"Budi ❤\ufe0f", CodeNameChar, map[string]string{"char": "❤", "position": "6"}},
		{"Budi @ Ani", CodeNameChar, map[string]string{"char": "@", "position": "6"}},
		{"Budi_Ani", CodeNameChar, map[string]string{"char": "_", "position": "5"}},
		{"<b>Budi</b>", CodeNameChar, map[string]string{"char": "<", "position": "1"}},
		{"...", CodeNameNoLetter, nil},
		{"B", CodeNameShort, map[string]string{"min": "2", "got": "1"}},
		{strings.Repeat("a", 61), CodeNameLong, map[string]string{"max": "60", "got": "61"}},
		{strings.Repeat("é", 61), CodeNameLong, map[string]string{"max": "60", "got": "61"}},
		{strings.Repeat("ab ", 2000), CodeNameLong, nil},
	} {
		_, err := Name(c.in, 2, 60)
		t.Run(c.in[:min(len(c.in), 20)], func(t *testing.T) { wantErr(t, err, c.code, c.param) })
	}
}

func TestErrorString(t *testing.T) {
	e := Fail(CodeDateImpossible, "month", "2", "day", "31")
	if got := e.Error(); got != "parse: date.impossible (day=31 month=2)" {
		t.Errorf("Error() = %q", got)
	}
	if got := Fail(CodeDateEmpty).Error(); got != "parse: date.empty" {
		t.Errorf("Error() = %q", got)
	}
}

// checkError fails unless err is nil or an *Error with a code of the kind.
func checkError(t *testing.T, err error, kind string) {
	t.Helper()
	if err == nil {
		return
	}
	var e *Error
	if !errors.As(err, &e) || !strings.HasPrefix(e.Code, kind+".") {
		t.Fatalf("unexpected error %#v", err)
	}
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"21-11-2023", "2023-11-21", "21 Nov 2023", "Selasa, 21 November 2023", "31/02/2023", "21 11 23", "jum'at 1 des 2023", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Date(s)
		checkError(t, err, "date")
		if err != nil {
			return
		}
		// What was accepted is a real day and reads back as itself.
		if d.Time().Year() != d.Year || d.Time().Month() != d.Month || d.Time().Day() != d.Day {
			t.Fatalf("%q gave unnormalised %v", s, d)
		}
		if again, err := Date(d.String()); err != nil || again != d {
			t.Fatalf("%q -> %v -> %v, %v", s, d, again, err)
		}
	})
}

func FuzzTime(f *testing.F) {
	for _, s := range []string{"09.00", "9:00", "0900", "9", "09:30 WIB", "jam 9", "12pm", "24:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, m, err := Time(s)
		checkError(t, err, "time")
		if err == nil && (h < 0 || h > 23 || m < 0 || m > 59) {
			t.Fatalf("%q gave %d:%d", s, h, m)
		}
	})
}

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"12", "1.500", "-3", "99999999999999999999", "1 500"} {
		f.Add(s, -100, 100000)
	}
	f.Fuzz(func(t *testing.T, s string, lo, hi int) {
		n, err := Number(s, lo, hi)
		checkError(t, err, "number")
		if err == nil && (n < lo || n > hi) {
			t.Fatalf("%q in [%d,%d] gave %d", s, lo, hi, n)
		}
	})
}

func FuzzName(f *testing.F) {
	for _, s := range []string{"Siti Aminah", "Ma’ruf", "Bu\u200bdi", "😀", "\xff", "José"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Name(s, 2, 60)
		checkError(t, err, "name")
		if err != nil {
			return
		}
		n := utf8.RuneCountInString(got)
		if !utf8.ValidString(got) || n < 2 || n > 60 || got != strings.Join(strings.Fields(got), " ") {
			t.Fatalf("%q gave %q", s, got)
		}
		if again, err := Name(got, 2, 60); err != nil || again != got {
			t.Fatalf("%q not stable: %q, %v", got, again, err)
		}
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"0812-3456-7890", "+62 812 3456 7890", "6281234567890", "+62 0812", "0741 123456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Phone(s)
		checkError(t, err, "phone")
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "+628") || len(got) < 12 || len(got) > 15 || !allDigits(got[1:]) {
			t.Fatalf("%q gave %q", s, got)
		}
		if again, err := Phone(got); err != nil || again != got {
			t.Fatalf("%q not stable: %q, %v", got, again, err)
		}
	})
}
