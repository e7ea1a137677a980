// Package pmks lists the 26 national categories of people with social-welfare
// problems (PMKS, Permensos 08/2012; called PPKS since Permensos 5/2019) that a
// case report is filed under, grouped into five menus small enough for a
// phone screen. The list is embedded: it is national and changes only with a
// new regulation, so it ships with the code rather than in configuration.
package pmks

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// Category is one PMKS/PPKS category. Code (PPKS01..PPKS26) and Abbrev are
// working proposals, not official identifiers; stored cases keep Code.
type Category struct {
	No         int      // position in the regulation, 1..26
	Code       string   // PPKS01..PPKS26
	Abbrev     string   // as commonly written, alternatives separated by "/": "AJ/Anjal"
	Name       string   // official name (Permensos 08/2012)
	Variants   []string // other names and spellings, former names included
	Kelompok   string   // the source's population column: Anak, Lansia, Dewasa, Semua usia, …
	AgeLimit   string   // age range as text, empty where unknown ("0-5", ">=60")
	Definition string   // short paraphrased definition, Indonesian
	Group      string   // menu group key, one of the Group… constants
}

// Menu group keys. They are stable: they appear in callback data and text
// catalogue keys, so rename the label, never the key.
const (
	GroupAnak              = "anak"               // children
	GroupLansiaDisabilitas = "lansia_disabilitas" // elderly and people with disabilities
	GroupTunaSosial        = "tuna_sosial"        // other vulnerable groups (the key keeps the label's former name)
	GroupKorban            = "korban"             // victims
	GroupKemiskinan        = "kemiskinan_lainnya" // poverty and others
)

// groupOrder is the order of the menus.
var groupOrder = []string{GroupAnak, GroupLansiaDisabilitas, GroupTunaSosial, GroupKorban, GroupKemiskinan}

// groupByCode places the adult and all-ages categories, whose kelompok column
// gives an age band rather than a theme. Children and elderly follow from the
// kelompok column itself (see groupOf).
var groupByCode = map[string]string{
	"PPKS09": GroupLansiaDisabilitas, // Penyandang Disabilitas
	"PPKS10": GroupTunaSosial,        // Tuna Susila
	"PPKS11": GroupTunaSosial,        // Gelandangan
	"PPKS12": GroupTunaSosial,        // Pengemis
	"PPKS14": GroupTunaSosial,        // Kelompok Minoritas
	"PPKS15": GroupTunaSosial,        // Bekas Warga Binaan Lembaga Pemasyarakatan
	"PPKS16": GroupTunaSosial,        // Orang dengan HIV/AIDS
	"PPKS17": GroupKorban,            // Korban Penyalahgunaan NAPZA
	"PPKS18": GroupKorban,            // Korban Trafficking
	"PPKS19": GroupKorban,            // Korban Tindak Kekerasan
	"PPKS20": GroupKorban,            // Pekerja Migran Bermasalah Sosial
	"PPKS21": GroupKorban,            // Korban Bencana Alam
	"PPKS22": GroupKorban,            // Korban Bencana Sosial
	"PPKS13": GroupKemiskinan,        // Pemulung
	"PPKS23": GroupKemiskinan,        // Perempuan Rawan Sosial Ekonomi
	"PPKS24": GroupKemiskinan,        // Fakir Miskin
	"PPKS25": GroupKemiskinan,        // Keluarga Bermasalah Sosial Psikologis
	"PPKS26": GroupKemiskinan,        // Komunitas Adat Terpencil
}

func groupOf(code, kelompok string) string {
	switch strings.ToLower(kelompok) {
	case "anak":
		return GroupAnak
	case "lansia":
		return GroupLansiaDisabilitas
	}
	if g, ok := groupByCode[code]; ok {
		return g
	}
	return GroupKemiskinan
}

//go:embed data/pmks_ppks_26_kategori.csv
var categoriesCSV string

var categories = sync.OnceValue(func() []Category {
	cs, err := parseCSV(categoriesCSV)
	if err != nil {
		panic("pmks: embedded category list: " + err.Error())
	}
	return cs
})

func parseCSV(text string) ([]Category, error) {
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("no rows")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	need := []string{"no", "kode_usulan", "singkatan_umum", "nama_resmi_permensos_08_2012",
		"nama_varian", "kelompok", "batas_usia_tahun", "definisi_ringkas_parafrase"}
	for _, n := range need {
		if _, ok := col[n]; !ok {
			return nil, fmt.Errorf("no column %q", n)
		}
	}
	var out []Category
	for _, r := range rows[1:] {
		get := func(name string) string { return strings.TrimSpace(r[col[name]]) }
		no, err := strconv.Atoi(get("no"))
		if err != nil {
			return nil, fmt.Errorf("row %v: %w", r, err)
		}
		c := Category{
			No:         no,
			Code:       get("kode_usulan"),
			Abbrev:     get("singkatan_umum"),
			Name:       get("nama_resmi_permensos_08_2012"),
			Variants:   splitVariants(get("nama_varian")),
			Kelompok:   get("kelompok"),
			AgeLimit:   get("batas_usia_tahun"),
			Definition: get("definisi_ringkas_parafrase"),
		}
		c.Group = groupOf(c.Code, c.Kelompok)
		out = append(out, c)
	}
	return out, nil
}

// splitVariants reads the nama_varian column: alternatives separated by ";"
// or "/", former names marked "(dulu: …)".
// "(dulu: Wanita Rawan Sosial Ekonomi/WRSE)" gives two variants.
func splitVariants(s string) []string {
	var out []string
	for _, v := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '/' }) {
		v = strings.Trim(strings.TrimSpace(v), "()")
		if low := strings.ToLower(v); strings.HasPrefix(low, "dulu") {
			v = strings.TrimLeft(v[len("dulu"):], ": ")
		}
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// All returns the 26 categories in the regulation's order. The slice is the
// caller's own; the Variants inside are shared and must not be changed.
func All() []Category { return append([]Category(nil), categories()...) }

// ByCode returns the category with code PPKS01..PPKS26, in any case.
func ByCode(code string) (Category, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	for _, c := range categories() {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}

// Group is one menu: a key and its categories in the regulation's order.
type Group struct {
	Key        string
	Categories []Category
}

// Groups returns the five menus in display order; every category is in exactly one.
func Groups() []Group {
	gs := make([]Group, len(groupOrder))
	for i, k := range groupOrder {
		gs[i] = Group{Key: k, Categories: InGroup(k)}
	}
	return gs
}

// InGroup returns the categories of the menu group key, nil for an unknown key.
func InGroup(key string) []Category {
	var out []Category
	for _, c := range categories() {
		if c.Group == key {
			out = append(out, c)
		}
	}
	return out
}

// Find returns the category that text names exactly: its code ("PPKS08",
// "ppks 8"), an abbreviation ("LUT", "Anjal"), its official name or a variant,
// ignoring case, spacing and punctuation, and reading "terlantar" as
// "telantar" since both spellings are in daily use.
func Find(text string) (Category, bool) {
	k := key(text)
	if k == "" {
		return Category{}, false
	}
	if n, ok := codeNumber(k); ok {
		return ByCode(fmt.Sprintf("PPKS%02d", n))
	}
	for _, c := range categories() {
		for _, n := range names(c) {
			if key(n) == k {
				return c, true
			}
		}
	}
	return Category{}, false
}

// Search returns the categories whose name, variant or abbreviation contains
// text (at least three letters), for suggestions when Find finds nothing:
// "lansia" or "korban" lead to a short list to choose from.
func Search(text string) []Category {
	k := key(text)
	if len([]rune(k)) < 3 {
		return nil
	}
	var out []Category
	for _, c := range categories() {
		for _, n := range names(c) {
			if strings.Contains(key(n), k) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func names(c Category) []string {
	ns := append([]string{c.Name}, c.Variants...)
	return append(ns, strings.Split(c.Abbrev, "/")...)
}

// codeNumber reads "ppks8", "ppks08", "pmks08" (a key) as 8.
func codeNumber(k string) (int, bool) {
	for _, p := range []string{"ppks", "pmks"} {
		if rest, ok := strings.CutPrefix(k, p); ok && len(rest) >= 1 && len(rest) <= 2 {
			n, err := strconv.Atoi(rest)
			return n, err == nil && n >= 1
		}
	}
	return 0, false
}

// stopWords are dropped when comparing because workers leave them out
// ("Anak Berhadapan Hukum").
var stopWords = map[string]bool{"yang": true, "dengan": true}

// key is the form in which names are compared: lower case, letters and digits
// only, without spaces or stop words, "terlantar" spelled "telantar".
func key(s string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if stopWords[w] {
			continue
		}
		b.WriteString(strings.ReplaceAll(w, "terlantar", "telantar"))
	}
	return b.String()
}
