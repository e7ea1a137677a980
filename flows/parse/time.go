package parse

import (
	"strconv"
	"strings"
	"unicode"
)

// Time reads a time of day: 09.00, 9:00, 9.00, 0900, 930, 9, with an optional
// "pukul"/"jam"/"pkl" before it and "WIB" or am/pm after it, in any case.
// Other zone names (WITA, WIT) are refused rather than silently read as WIB,
// since the bot schedules in its one configured zone.
func Time(s string) (hour, minute int, err error) {
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 0 {
		return 0, 0, Fail(CodeTimeEmpty)
	}
	if len(f) > 1 {
		switch strings.TrimSuffix(f[0], ".") {
		case "pukul", "jam", "pkl":
			f = f[1:]
		}
	}
	if len(f) == 0 || len(f) > 2 {
		return 0, 0, Fail(CodeTimeFormat)
	}
	// The suffix may stand apart ("9.00 wib") or be glued on ("9.00wib").
	clock := strings.Join(f, "")
	suffix := strings.TrimLeftFunc(clock, func(r rune) bool { return !unicode.IsLetter(r) })
	clock = strings.TrimSuffix(clock, suffix)
	if len(f) == 2 && suffix != f[1] {
		return 0, 0, Fail(CodeTimeFormat)
	}
	var h, m int
	var hs, ms string
	if i := strings.IndexAny(clock, ".:"); i >= 0 {
		hs, ms = clock[:i], clock[i+1:]
		if len(hs) < 1 || len(hs) > 2 || len(ms) != 2 || !allDigits(hs) || !allDigits(ms) {
			return 0, 0, Fail(CodeTimeFormat)
		}
	} else {
		if !allDigits(clock) {
			return 0, 0, Fail(CodeTimeFormat)
		}
		switch len(clock) {
		case 1, 2:
			hs, ms = clock, "00"
		case 3, 4:
			hs, ms = clock[:len(clock)-2], clock[len(clock)-2:]
		default:
			return 0, 0, Fail(CodeTimeFormat)
		}
	}
	h, _ = strconv.Atoi(hs)
	m, _ = strconv.Atoi(ms)
	switch suffix {
	case "", "wib":
		if h > 23 {
			return 0, 0, Fail(CodeTimeHour, "hour", hs)
		}
	case "am", "pm":
		if h < 1 || h > 12 {
			return 0, 0, Fail(CodeTimeHour, "hour", hs)
		}
		h %= 12
		if suffix == "pm" {
			h += 12
		}
	default:
		return 0, 0, Fail(CodeTimeFormat)
	}
	if m > 59 {
		return 0, 0, Fail(CodeTimeMinute, "minute", ms)
	}
	return h, m, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
