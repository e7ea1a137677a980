// Package parse reads what a field worker typed (dates, times, numbers, phone
// numbers, names) into values. A rejection is an *Error carrying a reason code
// and parameters rather than English text, so the conversation engine can say
// exactly what is wrong in the user's language from its text catalogue.
package parse

import (
	"errors"
	"sort"
	"strings"
)

// Reason codes of an *Error. The part before the dot names the kind of input.
const (
	CodeDateEmpty      = "date.empty"       // nothing typed
	CodeDateFormat     = "date.format"      // not a shape we read as a date
	CodeDateYearDigits = "date.year_digits" // Param year: the year was not written with 4 digits
	CodeDateMonth      = "date.month"       // Param month: month number outside 1–12
	CodeDateMonthName  = "date.month_name"  // Param text: a word that is no month name
	CodeDateDay        = "date.day"         // Param day: day outside 1–31
	CodeDateImpossible = "date.impossible"  // Param day, month, year: the month has no such day
	CodeDateFuture     = "date.future"      // Param today: after today
	CodeDateAfter      = "date.after"       // Param max: after the latest allowed date
	CodeDateBefore     = "date.before"      // Param min: before the earliest allowed date
	CodeDateTooOld     = "date.too_old"     // Param min (DD-MM-YYYY), max_age: a birth date over MaxAge years ago

	CodeTimeEmpty  = "time.empty"
	CodeTimeFormat = "time.format"
	CodeTimeHour   = "time.hour"   // Param hour
	CodeTimeMinute = "time.minute" // Param minute

	CodeNumberEmpty  = "number.empty"
	CodeNumberFormat = "number.format"
	CodeNumberRange  = "number.range" // Param min, max, and value when it fits an int

	CodePhoneEmpty   = "phone.empty"
	CodePhoneChars   = "phone.chars"   // Param char
	CodePhoneCountry = "phone.country" // not an Indonesian (+62) number
	CodePhoneMobile  = "phone.mobile"  // Indonesian but not a mobile (08…) number
	CodePhoneLength  = "phone.length"  // Param got, min, max: digits counted from the leading 0

	CodeLocationRange = "location.range" // a latitude outside ±90 or a longitude outside ±180

	CodeNameEmpty     = "name.empty"
	CodeNameEncoding  = "name.encoding"  // invalid UTF-8
	CodeNameControl   = "name.control"   // Param position
	CodeNameInvisible = "name.invisible" // Param position: zero-width or other invisible character
	CodeNameDigit     = "name.digit"     // Param char, position
	CodeNameChar      = "name.char"      // Param char, position: emoji or symbol
	CodeNameNoLetter  = "name.no_letter" // only punctuation
	CodeNameShort     = "name.short"     // Param min, got
	CodeNameLong      = "name.long"      // Param max, got
)

// Error is a rejected input: Code says why and Param holds the values a message
// needs (for example day and month of an impossible date).
type Error struct {
	Code  string
	Param map[string]string
}

// Error renders the code and parameters for logs; users see catalogue texts instead.
func (e *Error) Error() string {
	if len(e.Param) == 0 {
		return "parse: " + e.Code
	}
	keys := make([]string, 0, len(e.Param))
	for k := range e.Param {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("parse: ")
	b.WriteString(e.Code)
	b.WriteString(" (")
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(e.Param[k])
	}
	b.WriteByte(')')
	return b.String()
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, &parse.Error{Code: parse.CodeDateFuture}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Fail builds an *Error from a code and key/value pairs; other packages of the
// project use it so that all input errors share one type.
func Fail(code string, kv ...string) *Error {
	e := &Error{Code: code}
	if len(kv) >= 2 {
		e.Param = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			e.Param[kv[i]] = kv[i+1]
		}
	}
	return e
}

// CodeOf returns the reason code of err, or "" when err is not an *Error.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
