package parse

import (
	"strconv"
	"strings"
	"unicode"
)

// Indonesian mobile numbers are 08 followed by 8 to 11 digits: 10 to 13 digits
// when written nationally with the leading 0.
const (
	phoneMinNational = 9  // digits after the 0
	phoneMaxNational = 12 // digits after the 0
)

// Phone reads an Indonesian mobile number written in any common way
// (0812-3456-7890, +62 812 3456 7890, 6281234567890, (0812) 3456.7890, and the
// frequent slip +62 0812…) and returns it in E.164 form: "+6281234567890".
// Landline numbers are refused: the number a worker gives is the one their
// Telegram and WhatsApp run on, which is always a mobile number.
func Phone(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0:
			b.WriteRune(r)
		case r == '-' || r == '.' || r == '(' || r == ')' || unicode.IsSpace(r):
		default:
			return "", Fail(CodePhoneChars, "char", string(r))
		}
	}
	d := b.String()
	if d == "" || d == "+" {
		return "", Fail(CodePhoneEmpty)
	}
	var national string
	switch {
	case strings.HasPrefix(d, "+62"):
		national = d[3:]
	case strings.HasPrefix(d, "+"):
		return "", Fail(CodePhoneCountry)
	case strings.HasPrefix(d, "62"):
		national = d[2:]
	case strings.HasPrefix(d, "0"):
		national = d[1:]
	case strings.HasPrefix(d, "8"):
		// The leading 0 is sometimes dropped when the 62 is forgotten too.
		national = d
	default:
		return "", Fail(CodePhoneMobile)
	}
	if strings.HasPrefix(national, "0") && !strings.HasPrefix(d, "0") {
		national = national[1:]
	}
	if !strings.HasPrefix(national, "8") {
		if national == "" {
			return "", phoneLength(0)
		}
		return "", Fail(CodePhoneMobile)
	}
	if len(national) < phoneMinNational || len(national) > phoneMaxNational {
		return "", phoneLength(len(national))
	}
	return "+62" + national, nil
}

func phoneLength(national int) error {
	return Fail(CodePhoneLength,
		"got", strconv.Itoa(national+1),
		"min", strconv.Itoa(phoneMinNational+1),
		"max", strconv.Itoa(phoneMaxNational+1))
}
