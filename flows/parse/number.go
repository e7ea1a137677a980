package parse

import (
	"strconv"
	"strings"
)

// Number reads a whole number between min and max inclusive. Besides plain
// digits with an optional sign it accepts thousands grouped by dots or spaces
// in threes ("1.500", "1 500"), as Indonesians write them; a dot not followed
// by exactly three digits is refused, because "1.5" could be a decimal.
func Number(s string, min, max int) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, Fail(CodeNumberEmpty)
	}
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	digits, ok := ungroup(s)
	if !ok {
		return 0, Fail(CodeNumberFormat)
	}
	if neg {
		digits = "-" + digits
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		// Only overflow is left: the digits were checked. Such a number is
		// outside any range a form asks for.
		return 0, Fail(CodeNumberRange, "min", strconv.Itoa(min), "max", strconv.Itoa(max))
	}
	if n < min || n > max {
		return 0, Fail(CodeNumberRange, "min", strconv.Itoa(min), "max", strconv.Itoa(max), "value", strconv.Itoa(n))
	}
	return n, nil
}

// ungroup returns the digits of s with thousands separators removed, or false
// when s is not digits, grouped consistently in threes.
func ungroup(s string) (string, bool) {
	if s == "" || !isDigit(s[0]) {
		return "", false
	}
	sep := byte(0)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '.' || c == ' ' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return s, allDigits(s)
	}
	groups := strings.Split(s, string(sep))
	if len(groups[0]) > 3 || !allDigits(groups[0]) {
		return "", false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !allDigits(g) {
			return "", false
		}
	}
	return strings.Join(groups, ""), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
