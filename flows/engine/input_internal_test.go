package engine

import "testing"

func TestStripBidiControls(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Jl. Sudirman", "Jl. Sudirman"},
		{"\u202eRT 05\u202c", "RT 05"},
		{"a\u202ab\u202bc\u202dd", "abcd"},
		{"\u2066isolated\u2069 \u2067x\u2068", "isolated x"},
		{"marks \u200e\u200f stay, zero-width \u200b too", "marks \u200e\u200f stay, zero-width \u200b too"},
		{"emoji 👩\u200d👧 and عربى", "emoji 👩\u200d👧 and عربى"},
	} {
		if got := stripBidiControls(tc.in); got != tc.want {
			t.Errorf("stripBidiControls(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
