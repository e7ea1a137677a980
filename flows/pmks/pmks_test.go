package pmks

import (
	"fmt"
	"strings"
	"testing"
)

func TestAll(t *testing.T) {
	cs := All()
	if len(cs) != 26 {
		t.Fatalf("%d categories, want 26", len(cs))
	}
	abbrevs := map[string]bool{}
	for i, c := range cs {
		if c.No != i+1 || c.Code != fmt.Sprintf("PPKS%02d", i+1) {
			t.Errorf("row %d: No %d Code %s", i, c.No, c.Code)
		}
		if c.Name == "" || c.Abbrev == "" || c.Definition == "" || c.Kelompok == "" {
			t.Errorf("%s: empty field in %+v", c.Code, c)
		}
		if abbrevs[c.Abbrev] {
			t.Errorf("abbreviation %s twice", c.Abbrev)
		}
		abbrevs[c.Abbrev] = true
	}
	if cs[0].Name != "Anak Balita Telantar" || cs[0].AgeLimit != "0-5" {
		t.Errorf("first = %+v", cs[0])
	}
	cs[0].Name = "changed"
	if All()[0].Name != "Anak Balita Telantar" {
		t.Error("All shares its slice")
	}
}

func TestVariants(t *testing.T) {
	for code, want := range map[string]string{
		"PPKS01": "Anak Balita Terlantar",
		"PPKS04": "",
		"PPKS08": "Lanjut Usia Terlantar|Lansia Telantar",
		"PPKS09": "Penyandang Cacat",
		"PPKS15": "Eks Narapidana|BWBLK",
		"PPKS17": "Korban Penyalahgunaan Narkotika, Psikotropika dan Zat Adiktif",
		"PPKS23": "Wanita Rawan Sosial Ekonomi|WRSE",
	} {
		c, _ := ByCode(code)
		if got := strings.Join(c.Variants, "|"); got != want {
			t.Errorf("%s variants = %q, want %q", code, got, want)
		}
	}
}

func TestGroups(t *testing.T) {
	gs := Groups()
	want := []struct {
		key   string
		codes string
	}{
		{GroupAnak, "01 02 03 04 05 06 07"},
		{GroupLansiaDisabilitas, "08 09"},
		{GroupTunaSosial, "10 11 12 14 15 16"},
		{GroupKorban, "17 18 19 20 21 22"},
		{GroupKemiskinan, "13 23 24 25 26"},
	}
	if len(gs) != len(want) {
		t.Fatalf("%d groups", len(gs))
	}
	seen := map[string]int{}
	for i, g := range gs {
		var codes []string
		for _, c := range g.Categories {
			codes = append(codes, strings.TrimPrefix(c.Code, "PPKS"))
			seen[c.Code]++
		}
		if g.Key != want[i].key || strings.Join(codes, " ") != want[i].codes {
			t.Errorf("group %d = %s [%s], want %s [%s]", i, g.Key, strings.Join(codes, " "), want[i].key, want[i].codes)
		}
		// A menu of more than 8 buttons no longer fits a phone screen.
		if len(g.Categories) > 8 {
			t.Errorf("group %s has %d categories", g.Key, len(g.Categories))
		}
	}
	if len(seen) != 26 {
		t.Errorf("groups cover %d categories, want 26", len(seen))
	}
	for code, n := range seen {
		if n != 1 {
			t.Errorf("%s in %d groups", code, n)
		}
	}
	if InGroup("nope") != nil {
		t.Error("unknown group has categories")
	}
}

func TestFind(t *testing.T) {
	for in, want := range map[string]string{
		"Anak Balita Telantar":        "PPKS01",
		"anak balita terlantar":       "PPKS01",
		"ANAK TERLANTAR":              "PPKS02",
		"anak telantar":               "PPKS02",
		"lanjut usia terlantar":       "PPKS08",
		"Lansia Terlantar":            "PPKS08",
		"lut":                         "PPKS08",
		"PPKS08":                      "PPKS08",
		"ppks 8":                      "PPKS08",
		"pmks-08":                     "PPKS08",
		"Anjal":                       "PPKS04",
		"aj":                          "PPKS04",
		"Anak Berhadapan Hukum":       "PPKS03",
		"tuna susila":                 "PPKS10",
		"tunasusila":                  "PPKS10",
		"Orang dengan HIV/AIDS":       "PPKS16",
		"odha":                        "PPKS16",
		"Penyandang Cacat":            "PPKS09",
		"eks narapidana":              "PPKS15",
		"WRSE":                        "PPKS23",
		"  fakir   miskin ":           "PPKS24",
		"Komunitas Adat Terpencil":    "PPKS26",
		"Korban Perdagangan Orang":    "PPKS18",
		"korban penyalahgunaan napza": "PPKS17",
		"Anak dengan Disabilitas":     "PPKS05",
		"Anak yang Memerlukan Perlindungan Khusus": "PPKS07",
	} {
		c, ok := Find(in)
		if !ok || c.Code != want {
			t.Errorf("Find(%q) = %s, %v; want %s", in, c.Code, ok, want)
		}
	}
	for _, in := range []string{"", "   ", "anak", "ppks27", "ppks0", "ppks", "ppks123", "8", "😀"} {
		if c, ok := Find(in); ok {
			t.Errorf("Find(%q) = %s", in, c.Code)
		}
	}
}

func TestSearch(t *testing.T) {
	codes := func(cs []Category) string {
		var s []string
		for _, c := range cs {
			s = append(s, c.Code)
		}
		return strings.Join(s, " ")
	}
	if got := codes(Search("lansia")); got != "PPKS08" {
		t.Errorf("Search(lansia) = %s", got)
	}
	if got := codes(Search("bencana")); got != "PPKS21 PPKS22" {
		t.Errorf("Search(bencana) = %s", got)
	}
	if got := Search("an"); got != nil {
		t.Errorf("Search of two letters = %v", codes(got))
	}
}

func TestByCode(t *testing.T) {
	if c, ok := ByCode(" ppks26 "); !ok || c.Abbrev != "KAT" {
		t.Errorf("ByCode = %+v, %v", c, ok)
	}
	if _, ok := ByCode("PPKS00"); ok {
		t.Error("PPKS00 found")
	}
}
