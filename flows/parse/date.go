package parse

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Day is a calendar date without a time or a zone: a birth date or a meeting day
// means the same day wherever the server runs.
type Day struct {
	Year  int
	Month time.Month
	Day   int
}

// DayOf returns the calendar day of t in t's own location; pass a time already
// converted to the configured zone (WIB) to get "today" as the users see it.
func DayOf(t time.Time) Day {
	y, m, d := t.Date()
	return Day{y, m, d}
}

// Time returns the start of the day in UTC, the form the store keeps.
func (d Day) Time() time.Time { return d.In(time.UTC) }

// In returns the start of the day in loc.
func (d Day) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// String returns the date as YYYY-MM-DD.
func (d Day) String() string { return d.Time().Format(time.DateOnly) }

// Text returns the date as people read it in every message: DD-MM-YYYY.
func (d Day) Text() string { return d.Time().Format("02-01-2006") }

// IsZero reports whether d is the zero Day.
func (d Day) IsZero() bool { return d == Day{} }

// Compare returns -1, 0 or +1 as d is before, equal to or after o.
func (d Day) Compare(o Day) int {
	switch {
	case d.Year != o.Year:
		return sign(d.Year - o.Year)
	case d.Month != o.Month:
		return sign(int(d.Month) - int(o.Month))
	default:
		return sign(d.Day - o.Day)
	}
}

// Before reports whether d is an earlier day than o.
func (d Day) Before(o Day) bool { return d.Compare(o) < 0 }

// After reports whether d is a later day than o.
func (d Day) After(o Day) bool { return d.Compare(o) > 0 }

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// NotFuture rejects a day after today (date.future). Today is passed in rather
// than read from the clock so that tests and the configured zone decide it.
func NotFuture(d, today Day) error {
	if d.After(today) {
		return Fail(CodeDateFuture, "today", today.Text())
	}
	return nil
}

// NotAfter rejects a day after max (date.after).
func NotAfter(d, max Day) error {
	if d.After(max) {
		return Fail(CodeDateAfter, "max", max.Text())
	}
	return nil
}

// NotBefore rejects a day before min (date.before).
func NotBefore(d, min Day) error {
	if d.Before(min) {
		return Fail(CodeDateBefore, "min", min.Text())
	}
	return nil
}

// MaxAge is the oldest a person can be: an older age or birth date is a
// typo (a wrong century, a year for an age), never someone the office serves.
const MaxAge = 120

// minBirthYear: no birth date before it is real, whatever the day.
const minBirthYear = 1900

// Birth checks d as a birth date on today: not after today, not before 1900,
// and not more than MaxAge years ago (date.future, date.too_old).
func Birth(d, today Day) error {
	if err := NotFuture(d, today); err != nil {
		return err
	}
	// Born on this day or later, one is at most MaxAge today.
	earliest := DayOf(today.Time().AddDate(-(MaxAge + 1), 0, 1))
	if floor := (Day{minBirthYear, time.January, 1}); earliest.Before(floor) {
		earliest = floor
	}
	if d.Before(earliest) {
		return Fail(CodeDateTooOld, "min", earliest.Text(), "max_age", strconv.Itoa(MaxAge))
	}
	return nil
}

// Date reads a day as people in Indonesia write it: day first with any of
// "-", "/", "." or spaces between the parts (21-11-2023, 21/11/2023, 21 11 2023,
// 21.11.2023), ISO year first (2023-11-21), or with a month name in Indonesian
// or English, full or short, in any case (21 Nov 2023, 21 Nopember 2023,
// November 21, 2023). A leading weekday ("Selasa, 21 Nov 2023") is skipped,
// not checked against the date.
// The year must have four digits: a two-digit year is refused rather than
// guessed, because a wrong century on a birth date is worse than a second question.
func Date(s string) (Day, error) {
	toks, err := dateTokens(s)
	if err != nil {
		return Day{}, err
	}
	if len(toks) == 0 {
		return Day{}, Fail(CodeDateEmpty)
	}
	if len(toks) == 4 && !toks[0].num && weekdays[toks[0].text] {
		toks = toks[1:]
	}
	if len(toks) != 3 {
		return Day{}, Fail(CodeDateFormat)
	}
	a, b, c := toks[0], toks[1], toks[2]
	switch {
	case a.num && c.num && len(a.text) == 4:
		return makeDate(a.text, b, c.text)
	case a.num && c.num:
		return makeDate(c.text, b, a.text)
	case !a.num && b.num && c.num:
		return makeDate(c.text, a, b.text)
	}
	return Day{}, Fail(CodeDateFormat)
}

type dateToken struct {
	text string
	num  bool
}

// dateTokens splits s into runs of ASCII digits and runs of letters; a change
// from digits to letters also splits, so "21nov2023" reads like "21 nov 2023".
func dateTokens(s string) ([]dateToken, error) {
	var toks []dateToken
	var cur strings.Builder
	curNum := false
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, dateToken{cur.String(), curNum})
			cur.Reset()
		}
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= '0' && r <= '9':
			if !curNum {
				flush()
			}
			curNum = true
			cur.WriteRune(r)
		case unicode.IsLetter(r):
			if curNum {
				flush()
			}
			curNum = false
			cur.WriteRune(r)
		case (r == '\'' || r == '’') && !curNum && cur.Len() > 0:
			// "Jum'at": the apostrophe belongs to the word.
		case r == '-' || r == '/' || r == '.' || r == ',' || unicode.IsSpace(r):
			flush()
		default:
			return nil, Fail(CodeDateFormat)
		}
		if len(toks) > 8 {
			return nil, Fail(CodeDateFormat)
		}
	}
	flush()
	return toks, nil
}

func makeDate(year string, month dateToken, day string) (Day, error) {
	if len(year) != 4 {
		return Day{}, Fail(CodeDateYearDigits, "year", year)
	}
	y, _ := strconv.Atoi(year)
	if y < 1000 {
		return Day{}, Fail(CodeDateYearDigits, "year", year)
	}
	var m int
	if month.num {
		m = atoiSmall(month.text)
		if m < 1 || m > 12 {
			return Day{}, Fail(CodeDateMonth, "month", month.text)
		}
	} else {
		m = monthNames[month.text]
		if m == 0 {
			return Day{}, Fail(CodeDateMonthName, "text", month.text)
		}
	}
	d := atoiSmall(day)
	if d < 1 || d > 31 {
		return Day{}, Fail(CodeDateDay, "day", day)
	}
	if d > daysIn(y, time.Month(m)) {
		return Day{}, Fail(CodeDateImpossible,
			"day", strconv.Itoa(d), "month", strconv.Itoa(m), "year", strconv.Itoa(y))
	}
	return Day{y, time.Month(m), d}, nil
}

// atoiSmall reads at most two digits; anything longer is out of every range
// we check, so it returns -1 instead of risking overflow.
func atoiSmall(s string) int {
	if len(s) == 0 || len(s) > 2 {
		return -1
	}
	n, _ := strconv.Atoi(s)
	return n
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

var monthNames = func() map[string]int {
	names := [12][]string{
		{"januari", "jan", "january"},
		{"februari", "feb", "peb", "pebruari", "febuari", "february"},
		{"maret", "mar", "march"},
		{"april", "apr"},
		{"mei", "may"},
		{"juni", "jun", "june"},
		{"juli", "jul", "july"},
		{"agustus", "agu", "agt", "ags", "agst", "agus", "august", "aug"},
		{"september", "sep", "sept"},
		{"oktober", "okt", "october", "oct"},
		{"november", "nov", "nop", "nopember"},
		{"desember", "des", "december", "dec"},
	}
	m := make(map[string]int)
	for i, ns := range names {
		for _, n := range ns {
			m[n] = i + 1
		}
	}
	return m
}()

var weekdays = map[string]bool{
	"senin": true, "selasa": true, "rabu": true, "kamis": true, "jumat": true,
	"sabtu": true, "minggu": true, "ahad": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true,
	"friday": true, "saturday": true, "sunday": true,
}
