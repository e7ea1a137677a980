package i18n

import (
	"slices"
	"testing"
)

// Every language must have every key of the default catalogue with the same
// placeholders, so no user ever sees a raw key or an unfilled {name}.
func TestCataloguesComplete(t *testing.T) {
	for _, lang := range Langs[1:] {
		for _, key := range Keys(ID) {
			other, ok := catalogue(lang)[key]
			if !ok {
				t.Errorf("%s: missing %q", lang, key)
				continue
			}
			a, b := Placeholders(id[key]), Placeholders(other)
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Errorf("%s: %q placeholders %v, want %v", lang, key, b, a)
			}
		}
		for _, key := range Keys(lang) {
			if _, ok := id[key]; !ok {
				t.Errorf("%s: key %q not in the default catalogue", lang, key)
			}
		}
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		lang Lang
		key  string
		args []string
		want string
	}{
		{ID, "group.private", []string{"link", "X"}, "Silakan bicara dengan saya lewat chat pribadi: X"},
		{EN, "group.private", []string{"link", "X"}, "Please talk to me in a private chat: X"},
		{ID, "no.such.key", nil, "no.such.key"},
	}
	for _, tc := range tests {
		if got := T(tc.lang, tc.key, tc.args...); got != tc.want {
			t.Errorf("T(%s, %s) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	tests := map[string]Lang{"en": EN, "en-GB": EN, "id": ID, "ID": ID, "fr": ID, "": ID}
	for code, want := range tests {
		if got := Parse(code, ID); got != want {
			t.Errorf("Parse(%q) = %s, want %s", code, got, want)
		}
	}
}
