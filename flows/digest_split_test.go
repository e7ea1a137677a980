package flows

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitLines(t *testing.T) {
	long := strings.Repeat("é", 25)
	tests := []struct {
		name  string
		lines []string
		limit int
		want  []string
	}{
		{"fits", []string{"a", "b"}, 10, []string{"a\nb"}},
		{"breaks between lines", []string{"aaaa", "bbbb", "cccc"}, 9, []string{"aaaa\nbbbb", "cccc"}},
		{"exact limit", []string{"aaaa", "bbbb"}, 9, []string{"aaaa\nbbbb"}},
		{"blank lines at a break vanish", []string{"aaaa", "", "bbbb"}, 5, []string{"aaaa", "bbbb"}},
		{"a line over the limit is cut", []string{long}, 10, []string{long[:20], long[20:40], long[40:]}},
		{"empty", nil, 10, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := splitLines(tc.lines, tc.limit)
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Fatalf("splitLines = %q, want %q", got, tc.want)
			}
			for _, p := range got {
				if n := utf8.RuneCountInString(p); n > tc.limit {
					t.Errorf("part of %d characters over %d", n, tc.limit)
				}
			}
		})
	}
}
