package parse

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Name reads a person's name: surrounding space trimmed, inner runs of space
// collapsed to one, typographic apostrophes (’ ‘ from phone keyboards) turned
// into ', and the length in characters (runes) between min and max. Letters of
// any script and combining accents are accepted, with . ' - , as the only
// punctuation ("Drs. H. Abd. Rahman", "Ma'ruf", "Siti Nur-Aini"). Digits,
// emoji, other symbols, control characters and zero-width characters are
// refused and the first one is named, so the worker knows what to remove.
func Name(s string, min, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", Fail(CodeNameEncoding)
	}
	var b strings.Builder
	pendingSpace := false
	letters := 0
	pos := 0
	for _, r := range s {
		pos++
		if unicode.IsSpace(r) {
			pendingSpace = b.Len() > 0
			continue
		}
		switch r {
		case '’', '‘', 'ʼ':
			r = '\''
		}
		if err := nameRune(r, pos); err != nil {
			return "", err
		}
		if unicode.IsLetter(r) {
			letters++
		}
		if pendingSpace {
			b.WriteByte(' ')
			pendingSpace = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if out == "" {
		return "", Fail(CodeNameEmpty)
	}
	if letters == 0 {
		return "", Fail(CodeNameNoLetter)
	}
	n := utf8.RuneCountInString(out)
	if n < min {
		return "", Fail(CodeNameShort, "min", strconv.Itoa(min), "got", strconv.Itoa(n))
	}
	if n > max {
		return "", Fail(CodeNameLong, "max", strconv.Itoa(max), "got", strconv.Itoa(n))
	}
	return out, nil
}

// nameRune rejects a character that has no place in a name; pos is its
// 1-based position in what was typed.
func nameRune(r rune, pos int) error {
	p := strconv.Itoa(pos)
	switch {
	case r == '.' || r == '\'' || r == '-' || r == ',':
		return nil
	case unicode.IsControl(r):
		return Fail(CodeNameControl, "position", p)
	case invisible(r):
		return Fail(CodeNameInvisible, "position", p)
	case unicode.IsDigit(r) || unicode.IsNumber(r):
		return Fail(CodeNameDigit, "char", string(r), "position", p)
	case unicode.IsLetter(r) || unicode.In(r, unicode.Mn, unicode.Mc):
		return nil
	}
	return Fail(CodeNameChar, "char", string(r), "position", p)
}

// invisible reports format characters (zero-width space and joiners, BOM,
// bidi controls, tag characters) and variation selectors: they print as
// nothing, so a name holding them looks right but never matches a search.
func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Variation_Selector, r) ||
		r == '\u115F' || r == '\u1160' || r == '\u3164' || r == '\uFFA0' // Hangul fillers render blank
}
