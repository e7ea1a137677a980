package pmks

import (
	"regexp"
	"strconv"
	"strings"
)

// NoMax is an AgeRange's Max when the range has no upper bound (">=60").
const NoMax = -1

// AgeRange is the ages, in whole years, a category is meant for.
type AgeRange struct {
	Min, Max int // Max is NoMax when there is no upper bound
}

// Contains reports whether age is in r.
func (r AgeRange) Contains(age int) bool {
	return age >= r.Min && (r.Max == NoMax || age <= r.Max)
}

// childAges: a child is under 18 (UU 35/2014 Pasal 1).
var childAges = AgeRange{0, 17}

// Ages is the range of the category's age limit column, ok false when the
// column gives none (most adult and all-ages categories). The column is
// free text from several sources: "0-5", "<18", ">=60", "5/6-18 (sumber
// berbeda)" (sources disagree: the widest reading is taken), "12-<18
// (pelaku); korban/saksi anak" (alternatives after ";" widen the range; a
// child victim or witness is any child). A limit checks a report, it never
// refuses one, so a reading that could wrong a real case is avoided: what
// is not understood gives no range at all.
func (c Category) Ages() (AgeRange, bool) { return parseAges(c.AgeLimit) }

// WomenOnly reports whether the category is for women only (its kelompok
// says "perempuan": Perempuan Rawan Sosial Ekonomi).
func (c Category) WomenOnly() bool {
	return strings.Contains(strings.ToLower(c.Kelompok), "perempuan")
}

var (
	note         = regexp.MustCompile(`\([^)]*\)`)
	rangeAtLeast = regexp.MustCompile(`^(>=|>)\s*(\d{1,3})$`)
	rangeBelow   = regexp.MustCompile(`^(<=|<)\s*(\d{1,3})$`)
	rangeBetween = regexp.MustCompile(`^(\d{1,3}(?:/\d{1,3})*)\s*-\s*(<)?\s*(\d{1,3})$`)
)

func parseAges(s string) (AgeRange, bool) {
	if strings.TrimSpace(s) == "" {
		return AgeRange{}, false
	}
	var out AgeRange
	for i, alt := range strings.Split(note.ReplaceAllString(s, ""), ";") {
		alt = strings.ToLower(strings.TrimSpace(alt))
		r, ok := parseRange(alt)
		if !ok && strings.Contains(alt, "anak") {
			r, ok = childAges, true
		}
		if !ok {
			return AgeRange{}, false
		}
		if i == 0 {
			out = r
			continue
		}
		out.Min = min(out.Min, r.Min)
		if out.Max != NoMax && (r.Max == NoMax || r.Max > out.Max) {
			out.Max = r.Max
		}
	}
	return out, out.Max == NoMax || out.Min <= out.Max
}

func parseRange(s string) (AgeRange, bool) {
	if m := rangeAtLeast.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		if m[1] == ">" {
			n++
		}
		return AgeRange{n, NoMax}, true
	}
	if m := rangeBelow.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "<" {
			n--
		}
		return AgeRange{0, n}, n >= 0
	}
	if m := rangeBetween.FindStringSubmatch(s); m != nil {
		lo := -1
		for _, f := range strings.Split(m[1], "/") {
			n, _ := strconv.Atoi(f)
			if lo < 0 || n < lo {
				lo = n
			}
		}
		hi, _ := strconv.Atoi(m[3])
		if m[2] == "<" {
			hi--
		}
		return AgeRange{lo, hi}, lo <= hi
	}
	return AgeRange{}, false
}

// groupWords are words for a whole menu group that workers type instead of
// pressing its button: the group's own words, the people it is for, and
// the group's former label ("tuna sosial").
var groupWords = map[string]string{
	"anak": GroupAnak, "anakanak": GroupAnak, "balita": GroupAnak, "bayi": GroupAnak,
	"lansia": GroupLansiaDisabilitas, "lanjutusia": GroupLansiaDisabilitas, "manula": GroupLansiaDisabilitas,
	"jompo": GroupLansiaDisabilitas, "disabilitas": GroupLansiaDisabilitas, "difabel": GroupLansiaDisabilitas,
	"cacat": GroupLansiaDisabilitas, "lansiadisabilitas": GroupLansiaDisabilitas,
	"elderly": GroupLansiaDisabilitas, "disability": GroupLansiaDisabilitas, "children": GroupAnak,
	"child":      GroupAnak,
	"tunasosial": GroupTunaSosial, "rentan": GroupTunaSosial, "kelompokrentan": GroupTunaSosial,
	"kelompokrentanlainnya": GroupTunaSosial,
	"korban":                GroupKorban, "bencana": GroupKorban, "victim": GroupKorban, "victims": GroupKorban,
	"miskin": GroupKemiskinan, "kemiskinan": GroupKemiskinan, "kemiskinanlainnya": GroupKemiskinan,
	"lainnya": GroupKemiskinan, "poverty": GroupKemiskinan,
}

// FindGroup returns the menu group that text names by a word for the whole
// group ("anak", "Lansia", "korban"), compared as Find compares names.
func FindGroup(text string) (string, bool) {
	g, ok := groupWords[key(text)]
	return g, ok
}

// SameName reports whether a and b are the same name as Find compares
// names: ignoring case, spacing, punctuation and emoji.
func SameName(a, b string) bool {
	ka := key(a)
	return ka != "" && ka == key(b)
}
