package engine

import (
	"strings"
	"testing"
	"time"
)

// FuzzReadTyped types anything at a decimal and a date-and-time step: the
// readers answer or refuse with a reason, never panic, and what they accept
// is stored in the one form the summary reads back.
func FuzzReadTyped(f *testing.F) {
	for _, s := range []string{"12,5", "-3", "1.234,5", "1e3", "NaN", "+Inf", "0x1p3", "", " ", ",", ".5", "9999999999999999999999",
		"21-11-2026 09.30", "21 Nov 2026, jam 9:30", "jam 09.30", "31-02-2026 09.30", "\xff\xfe 09.30", "21-11-2026 24:00"} {
		f.Add(s)
	}
	lo, hi := -5.0, 1e6
	step := &Step{Input: InputDecimal, MinFloat: &lo, MaxFloat: &hi}
	f.Fuzz(func(t *testing.T, s string) {
		if d, err := readDecimal(s, step); err == nil {
			if !decimalForm.MatchString(strings.TrimPrefix(d, "-")) && !decimalForm.MatchString(d) {
				t.Fatalf("decimal %q stored as %q", s, d)
			}
		} else if _, ok := err.(*InputError); !ok {
			t.Fatalf("decimal %q: %v is not a refusal", s, err)
		}
		if dt, err := readDateTime(s); err == nil {
			if _, perr := time.Parse(dateTimeLayout, dt); perr != nil {
				t.Fatalf("date and time %q stored as %q", s, dt)
			}
		} else if _, ok := err.(*InputError); !ok {
			t.Fatalf("date and time %q: %v is not a refusal", s, err)
		}
	})
}
