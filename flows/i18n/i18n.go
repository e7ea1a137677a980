// Package i18n holds every text a user sees, one catalogue per language
// (id.go, en.go), and fills their {placeholders}.
package i18n

import (
	"fmt"
	"strings"
)

// Lang is a catalogue language code.
type Lang string

// The languages the bot speaks. Indonesian is the default everywhere.
const (
	ID Lang = "id"
	EN Lang = "en"
)

// Langs lists the languages with a complete catalogue, the default first.
var Langs = []Lang{ID, EN}

// Parse maps a stored or Telegram language code ("en-GB", "id") to a catalogue
// language, falling back to def.
func Parse(code string, def Lang) Lang {
	code = strings.ToLower(code)
	for _, l := range Langs {
		if code == string(l) || strings.HasPrefix(code, string(l)+"-") {
			return l
		}
	}
	return def
}

func catalogue(l Lang) map[string]string {
	if l == EN {
		return en
	}
	return id
}

// T returns the text for key in lang with {name} placeholders replaced from
// args, given as name, value pairs. Values are inserted as given: callers escape
// user input for HTML first. An unknown key returns the key itself, so a missing
// text shows up in tests instead of panicking in a user's chat.
func T(lang Lang, key string, args ...string) string {
	s, ok := catalogue(lang)[key]
	if !ok {
		s, ok = id[key]
		if !ok {
			return key
		}
	}
	if len(args) == 0 {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+args[i]+"}", args[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// Has reports whether key exists in the default catalogue.
func Has(key string) bool {
	_, ok := id[key]
	return ok
}

// Keys returns every key of lang's catalogue, for completeness checks.
func Keys(lang Lang) []string {
	c := catalogue(lang)
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// Placeholders lists the {names} used in s, for checks that translations agree.
func Placeholders(s string) []string {
	var names []string
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return names
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return names
		}
		names = append(names, s[i+1:i+j])
		s = s[i+j+1:]
	}
}

// Must is T that panics on an unknown key; for declarations checked at start.
func Must(lang Lang, key string) string {
	if _, ok := catalogue(lang)[key]; !ok {
		panic(fmt.Sprintf("i18n: no text %q in %s", key, lang))
	}
	return T(lang, key)
}
