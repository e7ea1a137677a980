// Package nik reads the Indonesian population number (Nomor Induk
// Kependudukan) that case reports record. A NIK is PP KK CC DD MM YY SSSS:
// province, regency/city and district where it was first issued, birth day
// (plus 40 for women), month and two-digit year, and a serial. Only the safe
// checks of nik_struktur.txt are made; there is no checksum, so a NIK that
// passes may still not exist.
//
// The region digits say where the NIK was first issued, not where the person
// lives, so this package deliberately offers no domicile: ask for kecamatan
// and kelurahan separately. The birth date inside a NIK may differ from the
// real one; use it as a default or a cross-check, never to reject.
//
// A NIK is personal data (UU 27/2022): show Masked wherever the full digits
// are not needed. Errors never carry the full number.
package nik

import (
	_ "embed"
	"encoding/csv"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"dinsosbot/flows/parse"
)

// Reason codes of the *parse.Error values Parse returns.
const (
	CodeEmpty    = "nik.empty"
	CodeChars    = "nik.chars"    // Param char: something other than digits, spaces, dots, dashes
	CodeLength   = "nik.length"   // Param got, want
	CodeProvince = "nik.province" // Param code: no such province
	CodeDay      = "nik.day"      // Param day: not 01–31 or 41–71
	CodeMonth    = "nik.month"    // Param month: not 01–12
	CodeDate     = "nik.date"     // Param day, month, year: no such date
	CodeSerial   = "nik.serial"   // serial 0000
)

// Length is the number of digits in a NIK.
const Length = 16

// NIK is a NIK that passed Parse. The zero value is no NIK.
type NIK struct {
	digits string
	birth  parse.Day
}

//go:embed data/provinsi_kode_kemendagri.csv
var provincesCSV string

var provinces = sync.OnceValue(func() map[string]string {
	rows, err := csv.NewReader(strings.NewReader(provincesCSV)).ReadAll()
	if err != nil || len(rows) < 2 {
		panic("nik: embedded province list unreadable")
	}
	m := make(map[string]string, len(rows)-1)
	for _, r := range rows[1:] {
		m[r[0]] = r[1]
	}
	return m
})

// Province returns the name of a two-digit province code ("15" → "Jambi").
func Province(code string) (string, bool) {
	n, ok := provinces()[code]
	return n, ok
}

// Parse reads a NIK typed with or without spaces, dots or dashes between the
// digits. The year has two digits, so the century is chosen relative to now:
// 20YY unless that lies after now's date, then 19YY. Pass now in the
// configured zone. A person over 100 therefore reads as a child; the decoded
// birth date is a default the worker confirms, not a fact.
func Parse(s string, now time.Time) (NIK, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if b.Len() < 4*Length { // enough to report the length without storing a flood
				b.WriteRune(r)
			}
		case r == '.' || r == '-' || unicode.IsSpace(r):
		default:
			if r == utf8.RuneError {
				return NIK{}, parse.Fail(CodeChars)
			}
			return NIK{}, parse.Fail(CodeChars, "char", string(r))
		}
	}
	d := b.String()
	switch {
	case d == "":
		return NIK{}, parse.Fail(CodeEmpty)
	case len(d) != Length:
		got := strconv.Itoa(len(d))
		if len(d) >= 4*Length {
			got = strconv.Itoa(4*Length) + "+"
		}
		return NIK{}, parse.Fail(CodeLength, "got", got, "want", strconv.Itoa(Length))
	}
	if _, ok := Province(d[0:2]); !ok {
		return NIK{}, parse.Fail(CodeProvince, "code", d[0:2])
	}
	day, _ := strconv.Atoi(d[6:8])
	month, _ := strconv.Atoi(d[8:10])
	yy, _ := strconv.Atoi(d[10:12])
	if day > 40 {
		day -= 40
	}
	if day < 1 || day > 31 {
		return NIK{}, parse.Fail(CodeDay, "day", d[6:8])
	}
	if month < 1 || month > 12 {
		return NIK{}, parse.Fail(CodeMonth, "month", d[8:10])
	}
	birth := parse.Day{Year: 2000 + yy, Month: time.Month(month), Day: day}
	if birth.After(parse.DayOf(now)) {
		birth.Year -= 100
	}
	if t := birth.Time(); t.Day() != day {
		return NIK{}, parse.Fail(CodeDate,
			"day", strconv.Itoa(day), "month", strconv.Itoa(month), "year", strconv.Itoa(birth.Year))
	}
	if d[12:] == "0000" {
		return NIK{}, parse.Fail(CodeSerial)
	}
	return NIK{digits: d, birth: birth}, nil
}

// String returns the 16 digits. Use it only where the full number is needed
// (the case record itself); everywhere else use Masked.
func (n NIK) String() string { return n.digits }

// Masked returns the NIK with its middle hidden: 1571********0003.
func (n NIK) Masked() string { return Mask(n.digits) }

// LogValue keeps the full number out of structured logs.
func (n NIK) LogValue() slog.Value { return slog.StringValue(n.Masked()) }

// IsZero reports whether n holds no NIK.
func (n NIK) IsZero() bool { return n.digits == "" }

// BirthDate returns the birth date encoded in the NIK, with the century
// chosen by Parse. It may differ from the real birth date.
func (n NIK) BirthDate() parse.Day { return n.birth }

// Female reports whether the day digits carry the +40 that marks a woman.
func (n NIK) Female() bool { return n.digits != "" && n.digits[6] >= '4' }

// ProvinceCode returns the first two digits, the province of first issue.
func (n NIK) ProvinceCode() string {
	if n.digits == "" {
		return ""
	}
	return n.digits[:2]
}

// Mask hides the middle of a stored string that may hold a NIK, for lists,
// digests, notifications and logs. A NIK written with separators is masked in
// canonical form (1571********0003). Any other string keeps at most four
// characters at each end and never more than a quarter of it at either end,
// so a short or malformed number is not revealed either.
func Mask(s string) string {
	if d := digitsOnly(s); len(d) == Length {
		return d[:4] + "********" + d[Length-4:]
	}
	r := []rune(s)
	keep := min(4, len(r)/4)
	var b strings.Builder
	b.WriteString(string(r[:keep]))
	b.WriteString(strings.Repeat("*", len(r)-2*keep))
	b.WriteString(string(r[len(r)-keep:]))
	return b.String()
}

// digitsOnly returns the digits of s when s holds nothing but digits and the
// separators Parse accepts, and "" otherwise.
func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '.' || r == '-' || unicode.IsSpace(r):
		default:
			return ""
		}
		if b.Len() > Length {
			return ""
		}
	}
	return b.String()
}
