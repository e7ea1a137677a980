// Package region holds the kecamatan and kelurahan of the city a Dinas Sosial
// serves. Workers pick their area from these lists, and coordinators are scoped
// by them. Kota Jambi's list (Kepmendagri 2025) is embedded as the default;
// another city supplies its own list through configuration.
package region

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode"
)

// Kelurahan is an urban village. Code is the Kemendagri code (15.71.01.1001)
// and Variants are other spellings people type ("Simpang Empat Sipin").
type Kelurahan struct {
	Code     string
	Name     string
	Variants []string
}

// Kecamatan is a district with its kelurahan, in display order.
type Kecamatan struct {
	Code      string
	Name      string
	Variants  []string
	Kelurahan []Kelurahan
}

// Catalog is the list of a city's kecamatan. Treat it as read-only after
// construction: lookups scan it on every call (a city has tens of entries),
// so a Catalog built by New is always consistent with what it returns.
type Catalog struct {
	City      string
	Kecamatan []Kecamatan
}

// Place is a kelurahan together with the kecamatan it belongs to.
type Place struct {
	Kecamatan Kecamatan
	Kelurahan Kelurahan
}

// maxCodeLen keeps a kecamatan or kelurahan code small enough to travel in a
// button's callback_data (64 bytes in all) next to a flow's own prefix.
const maxCodeLen = 24

//go:embed data/kota_jambi_wilayah.csv
var kotaJambiCSV string

var kotaJambi = sync.OnceValue(func() *Catalog {
	c, err := ReadCSV(strings.NewReader(kotaJambiCSV))
	if err != nil {
		panic("region: embedded Kota Jambi list: " + err.Error())
	}
	return c
})

// KotaJambi returns the 11 kecamatan and 68 kelurahan of Kota Jambi. Each call
// returns a fresh copy, so a caller that changes it affects no one else.
func KotaJambi() *Catalog {
	c := kotaJambi()
	return &Catalog{City: c.City, Kecamatan: cloneKecamatan(c.Kecamatan)}
}

// New builds a catalog from a configured list, copying it. It refuses an empty
// city or list, a kecamatan without kelurahan, an empty or overlong code or
// name, a code used twice anywhere in the catalog, and two kecamatan (or two
// kelurahan of one kecamatan) whose names or variants read alike, since a
// typed answer must lead to one place only.
func New(city string, kec []Kecamatan) (*Catalog, error) {
	city = strings.TrimSpace(city)
	if city == "" {
		return nil, errors.New("region: city name is empty")
	}
	if len(kec) == 0 {
		return nil, fmt.Errorf("region: %s has no kecamatan", city)
	}
	codes := map[string]string{}
	useCode := func(code, what string) error {
		switch {
		case code == "":
			return fmt.Errorf("region: %s has no code", what)
		case len(code) > maxCodeLen:
			return fmt.Errorf("region: code %q of %s is longer than %d bytes", code, what, maxCodeLen)
		case strings.ContainsFunc(code, func(r rune) bool { return r <= ' ' || r > '~' }):
			return fmt.Errorf("region: code %q of %s has spaces or non-ASCII characters", code, what)
		case codes[code] != "":
			return fmt.Errorf("region: code %q is used by both %s and %s", code, codes[code], what)
		}
		codes[code] = what
		return nil
	}
	kecNames := map[string]string{}
	for _, k := range kec {
		what := fmt.Sprintf("kecamatan %q", k.Name)
		if strings.TrimSpace(k.Name) == "" {
			return nil, fmt.Errorf("region: kecamatan %q has no name", k.Code)
		}
		if err := useCode(k.Code, what); err != nil {
			return nil, err
		}
		if err := claimNames(kecNames, k.Code, what, k.Name, k.Variants); err != nil {
			return nil, err
		}
		if len(k.Kelurahan) == 0 {
			return nil, fmt.Errorf("region: %s has no kelurahan", what)
		}
		kelNames := map[string]string{}
		for _, l := range k.Kelurahan {
			what := fmt.Sprintf("kelurahan %q of kecamatan %q", l.Name, k.Name)
			if strings.TrimSpace(l.Name) == "" {
				return nil, fmt.Errorf("region: kelurahan %q has no name", l.Code)
			}
			if err := useCode(l.Code, what); err != nil {
				return nil, err
			}
			if err := claimNames(kelNames, l.Code, what, l.Name, l.Variants); err != nil {
				return nil, err
			}
		}
	}
	return &Catalog{City: city, Kecamatan: cloneKecamatan(kec)}, nil
}

// claimNames records the match keys of a name and its variants for owner,
// refusing a key another owner already holds.
func claimNames(seen map[string]string, owner, what, name string, variants []string) error {
	for _, n := range append([]string{name}, variants...) {
		k := Key(n)
		if k == "" {
			return fmt.Errorf("region: %s has an empty or unreadable name or variant %q", what, n)
		}
		if prev, ok := seen[k]; ok && prev != owner {
			return fmt.Errorf("region: %q of %s reads the same as another entry (%s)", n, what, prev)
		}
		seen[k] = owner
	}
	return nil
}

func cloneKecamatan(in []Kecamatan) []Kecamatan {
	out := make([]Kecamatan, len(in))
	for i, k := range in {
		k.Name = strings.TrimSpace(k.Name)
		k.Variants = append([]string(nil), k.Variants...)
		ls := make([]Kelurahan, len(k.Kelurahan))
		for j, l := range k.Kelurahan {
			l.Name = strings.TrimSpace(l.Name)
			l.Variants = append([]string(nil), l.Variants...)
			ls[j] = l
		}
		k.Kelurahan = ls
		out[i] = k
	}
	return out
}

// KelurahanCount returns the number of kelurahan in the city.
func (c *Catalog) KelurahanCount() int {
	n := 0
	for _, k := range c.Kecamatan {
		n += len(k.Kelurahan)
	}
	return n
}

// KecamatanByCode returns the kecamatan with that code.
func (c *Catalog) KecamatanByCode(code string) (Kecamatan, bool) {
	for _, k := range c.Kecamatan {
		if k.Code == code {
			return k, true
		}
	}
	return Kecamatan{}, false
}

// KelurahanByCode returns the kelurahan with that code and its kecamatan.
func (c *Catalog) KelurahanByCode(code string) (Place, bool) {
	for _, k := range c.Kecamatan {
		for _, l := range k.Kelurahan {
			if l.Code == code {
				return Place{k, l}, true
			}
		}
	}
	return Place{}, false
}

// InKecamatan reports whether the kelurahan code belongs to the kecamatan code;
// a button pressed from an old keyboard can pair them wrongly.
func (c *Catalog) InKecamatan(kecCode, kelCode string) bool {
	p, ok := c.KelurahanByCode(kelCode)
	return ok && p.Kecamatan.Code == kecCode
}

// FindKecamatan returns the kecamatan whose name or a spelling variant reads
// like text (see Key), or its code.
func (c *Catalog) FindKecamatan(text string) (Kecamatan, bool) {
	k := Key(text)
	for _, kc := range c.Kecamatan {
		if kc.Code == strings.TrimSpace(text) || matches(k, kc.Name, kc.Variants) {
			return kc, true
		}
	}
	return Kecamatan{}, false
}

// FindKelurahan returns the kelurahan of kecamatan kecCode whose name or a
// spelling variant reads like text, or whose code is text. A kelurahan of
// another kecamatan is not found; LocateKelurahan tells where it is.
func (c *Catalog) FindKelurahan(kecCode, text string) (Kelurahan, bool) {
	kc, ok := c.KecamatanByCode(kecCode)
	if !ok {
		return Kelurahan{}, false
	}
	k := Key(text)
	for _, l := range kc.Kelurahan {
		if l.Code == strings.TrimSpace(text) || matches(k, l.Name, l.Variants) {
			return l, true
		}
	}
	return Kelurahan{}, false
}

// LocateKelurahan returns every kelurahan in the city whose name or variant
// reads like text, with its kecamatan, so that a worker who names a kelurahan
// of another kecamatan can be told which one it is in. Different kecamatan may
// have kelurahan of the same name, hence a list.
func (c *Catalog) LocateKelurahan(text string) []Place {
	k := Key(text)
	var out []Place
	for _, kc := range c.Kecamatan {
		for _, l := range kc.Kelurahan {
			if matches(k, l.Name, l.Variants) {
				out = append(out, Place{kc, l})
			}
		}
	}
	return out
}

func matches(key, name string, variants []string) bool {
	if key == "" {
		return false
	}
	if Key(name) == key {
		return true
	}
	for _, v := range variants {
		if Key(v) == key {
			return true
		}
	}
	return false
}

// numberWords lets "Simpang IV Sipin", "Simpang 4 Sipin" and "Simpang Empat
// Sipin" meet: place names in Jambi mix Roman numerals, digits and words.
var numberWords = map[string]string{
	"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5",
	"vi": "6", "vii": "7", "viii": "8", "ix": "9", "x": "10",
	"satu": "1", "dua": "2", "tiga": "3", "empat": "4", "lima": "5",
	"enam": "6", "tujuh": "7", "delapan": "8", "sembilan": "9", "sepuluh": "10",
}

// Key is the form in which typed text and place names are compared: lower
// case, letters and digits only, number words and Roman numerals as digits,
// and no spaces, so "Eka Jaya" meets "Ekajaya" and "The Hok" meets "Thehok".
func Key(s string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if d, ok := numberWords[w]; ok {
			w = d
		}
		b.WriteString(w)
	}
	return b.String()
}
