package pmks

import "testing"

// The age limits and the women-only rule as read from the embedded list,
// for every category: the checks of a report rest on them.
func TestAgesAndGender(t *testing.T) {
	type want struct {
		ages  AgeRange
		has   bool
		women bool
	}
	none := want{}
	wants := map[string]want{
		"PPKS01": {AgeRange{0, 5}, true, false},
		"PPKS02": {AgeRange{6, 18}, true, false},
		"PPKS03": {AgeRange{0, 17}, true, false}, // 12-<18 as offender; any child as victim or witness
		"PPKS04": {AgeRange{5, 18}, true, false}, // 5/6-18: sources differ, the wider one
		"PPKS05": {AgeRange{0, 17}, true, false},
		"PPKS06": {AgeRange{0, 17}, true, false},
		"PPKS07": {AgeRange{6, 18}, true, false},
		"PPKS08": {AgeRange{60, NoMax}, true, false},
		"PPKS09": {AgeRange{18, 59}, true, false},
		"PPKS23": {AgeRange{18, 59}, true, true},
	}
	for _, c := range All() {
		w, ok := wants[c.Code]
		if !ok {
			w = none
		}
		got, has := c.Ages()
		if has != w.has || (has && got != w.ages) {
			t.Errorf("%s (%q): ages %v %t, want %v %t", c.Code, c.AgeLimit, got, has, w.ages, w.has)
		}
		if c.WomenOnly() != w.women {
			t.Errorf("%s: women only %t, want %t", c.Code, c.WomenOnly(), w.women)
		}
	}
}

func TestParseAges(t *testing.T) {
	for _, tc := range []struct {
		in  string
		out AgeRange
		ok  bool
	}{
		{"", AgeRange{}, false},
		{"0-5", AgeRange{0, 5}, true},
		{" >= 60 ", AgeRange{60, NoMax}, true},
		{">59", AgeRange{60, NoMax}, true},
		{"<18", AgeRange{0, 17}, true},
		{"<=17", AgeRange{0, 17}, true},
		{"<0", AgeRange{}, false},
		{"12-<18", AgeRange{12, 17}, true},
		{"5/6-18 (sumber berbeda)", AgeRange{5, 18}, true},
		{"18-59 (praktik pendataan; perlu verifikasi)", AgeRange{18, 59}, true},
		{"12-<18 (pelaku); korban/saksi anak", AgeRange{0, 17}, true},
		{"10-20; >=60", AgeRange{10, NoMax}, true},
		{"9-3", AgeRange{}, false},
		{"dewasa", AgeRange{}, false},
		{"18-59; dewasa", AgeRange{}, false},
	} {
		got, ok := parseAges(tc.in)
		if ok != tc.ok || (ok && got != tc.out) {
			t.Errorf("parseAges(%q) = %v %t, want %v %t", tc.in, got, ok, tc.out, tc.ok)
		}
	}
	if r := (AgeRange{60, NoMax}); !r.Contains(120) || r.Contains(59) {
		t.Error("Contains with no upper bound")
	}
	if r := (AgeRange{5, 18}); r.Contains(45) || !r.Contains(18) || !r.Contains(5) || r.Contains(4) {
		t.Error("Contains of 5-18")
	}
}

func TestFindGroup(t *testing.T) {
	for in, want := range map[string]string{
		"anak": GroupAnak, "Anak-anak": GroupAnak, "LANSIA": GroupLansiaDisabilitas, "lanjut usia": GroupLansiaDisabilitas,
		"disabilitas": GroupLansiaDisabilitas, "korban": GroupKorban, "miskin": GroupKemiskinan,
		"tuna sosial": GroupTunaSosial, "Kelompok rentan lainnya": GroupTunaSosial, "🚶 Kelompok rentan lainnya": GroupTunaSosial,
		"": "", "kucing": "", "anak jalanan": "",
	} {
		got, ok := FindGroup(in)
		if got != want || ok != (want != "") {
			t.Errorf("FindGroup(%q) = %q %t, want %q", in, got, ok, want)
		}
	}
	if !SameName("⚠️ Mendesak", "mendesak") || SameName("", "") || SameName("mendesak", "tidak mendesak") {
		t.Error("SameName")
	}
}
