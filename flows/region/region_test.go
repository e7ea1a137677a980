package region

import (
	"strings"
	"testing"
)

func TestKotaJambiCounts(t *testing.T) {
	c := KotaJambi()
	if c.City != "Kota Jambi" {
		t.Errorf("City = %q", c.City)
	}
	if len(c.Kecamatan) != 11 {
		t.Fatalf("%d kecamatan, want 11", len(c.Kecamatan))
	}
	if n := c.KelurahanCount(); n != 68 {
		t.Fatalf("%d kelurahan, want 68", n)
	}
	// Per kecamatan, as in kota_jambi_kecamatan.csv (jumlah_kelurahan).
	want := map[string]int{
		"Telanaipura": 7, "Jambi Selatan": 5, "Jambi Timur": 9, "Pasar Jambi": 4,
		"Pelayangan": 6, "Danau Teluk": 5, "Kota Baru": 7, "Jelutung": 7,
		"Alam Barajo": 7, "Danau Sipin": 5, "Paal Merah": 6,
	}
	owner := map[string]string{}
	for i, k := range c.Kecamatan {
		if wantCode := "15.71." + twoDigits(i+1); k.Code != wantCode {
			t.Errorf("kecamatan %d code %q, want %q", i, k.Code, wantCode)
		}
		if len(k.Kelurahan) != want[k.Name] {
			t.Errorf("%s: %d kelurahan, want %d", k.Name, len(k.Kelurahan), want[k.Name])
		}
		for _, l := range k.Kelurahan {
			if prev, dup := owner[l.Code]; dup {
				t.Errorf("kelurahan %s in both %s and %s", l.Code, prev, k.Code)
			}
			owner[l.Code] = k.Code
			if !strings.HasPrefix(l.Code, k.Code+".") {
				t.Errorf("kelurahan %s %s not under kecamatan %s", l.Code, l.Name, k.Code)
			}
		}
	}
}

func twoDigits(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

func TestKotaJambiIsACopy(t *testing.T) {
	a := KotaJambi()
	a.Kecamatan[0].Kelurahan[0].Name = "changed"
	a.Kecamatan[0].Kelurahan[0].Variants[0] = "changed"
	b := KotaJambi()
	if b.Kecamatan[0].Kelurahan[0].Name != "Simpang IV Sipin" || b.Kecamatan[0].Kelurahan[0].Variants[0] != "Simpang Empat Sipin" {
		t.Error("a caller's change leaked into the shared catalog")
	}
}

func TestLookups(t *testing.T) {
	c := KotaJambi()
	if k, ok := c.KecamatanByCode("15.71.11"); !ok || k.Name != "Paal Merah" {
		t.Errorf("KecamatanByCode = %v, %v", k.Name, ok)
	}
	if _, ok := c.KecamatanByCode("15.71.12"); ok {
		t.Error("found a kecamatan that does not exist")
	}
	if p, ok := c.KelurahanByCode("15.71.07.1011"); !ok || p.Kelurahan.Name != "Talang Gulo" || p.Kecamatan.Name != "Kota Baru" {
		t.Errorf("KelurahanByCode = %+v, %v", p, ok)
	}
	if !c.InKecamatan("15.71.07", "15.71.07.1011") || c.InKecamatan("15.71.01", "15.71.07.1011") {
		t.Error("InKecamatan")
	}
	for _, tc := range []struct {
		kec, text, want string
	}{
		{"15.71.01", "Simpang IV Sipin", "15.71.01.1001"},
		{"15.71.01", "simpang empat sipin", "15.71.01.1001"},
		{"15.71.01", "SIMPANG 4 SIPIN", "15.71.01.1001"},
		{"15.71.01", "  simpang   iv  sipin ", "15.71.01.1001"},
		{"15.71.01", "15.71.01.1002", "15.71.01.1002"},
		{"15.71.02", "The Hok", "15.71.02.1004"},
		{"15.71.02", "thehok", "15.71.02.1004"},
		{"15.71.03", "Sijinjang", "15.71.03.1001"},
		{"15.71.03", "Sulan Jana", "15.71.03.1005"},
		{"15.71.07", "Simpang Tiga Sipin", "15.71.07.1002"},
		{"15.71.07", "Pal Lima", "15.71.07.1004"},
		{"15.71.07", "paal 5", "15.71.07.1004"},
		{"15.71.11", "Payo Silincah", "15.71.11.1002"},
		{"15.71.11", "ekajaya", "15.71.11.1003"},
		{"15.71.11", "Pal Merah", "15.71.11.1005"},
		{"15.71.05", "Orang Kayo Hitam", ""}, // belongs to Pasar Jambi
		{"15.71.01", "", ""},
		{"15.71.01", "😀", ""},
		{"15.71.99", "Telanaipura", ""},
	} {
		l, ok := c.FindKelurahan(tc.kec, tc.text)
		if ok != (tc.want != "") || l.Code != tc.want {
			t.Errorf("FindKelurahan(%s, %q) = %q, %v; want %q", tc.kec, tc.text, l.Code, ok, tc.want)
		}
	}
	if k, ok := c.FindKecamatan("pal merah"); !ok || k.Code != "15.71.11" {
		t.Errorf("FindKecamatan = %v, %v", k.Code, ok)
	}
	if k, ok := c.FindKecamatan("15.71.04"); !ok || k.Name != "Pasar Jambi" {
		t.Errorf("FindKecamatan by code = %v, %v", k.Name, ok)
	}
	places := c.LocateKelurahan("orang kayo hitam")
	if len(places) != 1 || places[0].Kecamatan.Name != "Pasar Jambi" {
		t.Errorf("LocateKelurahan = %+v", places)
	}
	if got := c.LocateKelurahan("nowhere"); len(got) != 0 {
		t.Errorf("LocateKelurahan(nowhere) = %+v", got)
	}
}

func TestNew(t *testing.T) {
	kel := func(code, name string, v ...string) Kelurahan { return Kelurahan{code, name, v} }
	good := []Kecamatan{
		{Code: "A", Name: "Satu", Kelurahan: []Kelurahan{kel("A1", "Ujung"), kel("A2", "Pangkal")}},
		{Code: "B", Name: "Dua", Kelurahan: []Kelurahan{kel("B1", "Ujung")}}, // same name elsewhere is fine
	}
	c, err := New("  Kota Contoh ", good)
	if err != nil {
		t.Fatal(err)
	}
	if c.City != "Kota Contoh" || c.KelurahanCount() != 3 {
		t.Errorf("got %+v", c)
	}
	good[0].Kelurahan[0].Name = "changed"
	if c.Kecamatan[0].Kelurahan[0].Name != "Ujung" {
		t.Error("New did not copy its input")
	}
	if got := c.LocateKelurahan("ujung"); len(got) != 2 {
		t.Errorf("LocateKelurahan found %d, want 2", len(got))
	}

	for _, tc := range []struct {
		name string
		city string
		kec  []Kecamatan
		want string
	}{
		{"no city", " ", good, "city"},
		{"no kecamatan", "X", nil, "no kecamatan"},
		{"no kelurahan", "X", []Kecamatan{{Code: "A", Name: "Satu"}}, "no kelurahan"},
		{"empty code", "X", []Kecamatan{{Name: "Satu", Kelurahan: []Kelurahan{kel("A1", "U")}}}, "no code"},
		{"empty name", "X", []Kecamatan{{Code: "A", Kelurahan: []Kelurahan{kel("A1", "U")}}}, "no name"},
		{"empty kelurahan name", "X", []Kecamatan{{Code: "A", Name: "S", Kelurahan: []Kelurahan{kel("A1", " ")}}}, "no name"},
		{"long code", "X", []Kecamatan{{Code: strings.Repeat("9", 25), Name: "S", Kelurahan: []Kelurahan{kel("A1", "U")}}}, "longer"},
		{"space in code", "X", []Kecamatan{{Code: "A B", Name: "S", Kelurahan: []Kelurahan{kel("A1", "U")}}}, "spaces"},
		{"duplicate code", "X", []Kecamatan{{Code: "A", Name: "S", Kelurahan: []Kelurahan{kel("A", "U")}}}, "used by both"},
		{"duplicate kecamatan", "X", []Kecamatan{
			{Code: "A", Name: "Pal Merah", Kelurahan: []Kelurahan{kel("A1", "U")}},
			{Code: "B", Name: "PAL  MERAH", Kelurahan: []Kelurahan{kel("B1", "U")}},
		}, "reads the same"},
		{"variant clash", "X", []Kecamatan{{Code: "A", Name: "S", Kelurahan: []Kelurahan{
			kel("A1", "Simpang IV"), kel("A2", "Lain", "Simpang Empat"),
		}}}, "reads the same"},
		{"empty variant", "X", []Kecamatan{{Code: "A", Name: "S", Kelurahan: []Kelurahan{kel("A1", "U", "--")}}}, "empty or unreadable"},
	} {
		if _, err := New(tc.city, tc.kec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestReadCSV(t *testing.T) {
	const ok = "tingkat,kode_kemendagri,nama,kode_kecamatan,catatan\n" +
		"kota,99.01,Kota Contoh,,\n" +
		"kecamatan,99.01.01,Hulu,99.01.01,\"ejaan lain: Hulu Lama, Ulu / Huluan (BPS); catatan lain\"\n" +
		"kelurahan,99.01.01.1001,Tepi,99.01.01,\n"
	c, err := ReadCSV(strings.NewReader(ok))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Kecamatan[0].Variants, "|"); got != "Hulu Lama|Ulu|Huluan" {
		t.Errorf("variants = %q", got)
	}
	for name, in := range map[string]string{
		"empty":          "",
		"missing column": "tingkat,nama\nkota,X\n",
		"orphan":         "tingkat,kode_kemendagri,nama,kode_kecamatan,catatan\nkota,1,K,,\nkelurahan,1.1.1,T,1.1,\n",
		"unknown level":  "tingkat,kode_kemendagri,nama,kode_kecamatan,catatan\nprovinsi,1,P,,\n",
		"bad quoting":    "tingkat,kode_kemendagri,nama,kode_kecamatan,catatan\nkota,\"1,K,,\n",
		"no city":        "tingkat,kode_kemendagri,nama,kode_kecamatan,catatan\nkecamatan,1.1,H,1.1,\nkelurahan,1.1.1,T,1.1,\n",
		"two cities":     "tingkat,kode_kemendagri,nama,kode_kecamatan,catatan\nkota,1,K,,\nkabupaten,2,B,,\n",
		"duplicate code": "tingkat,kode_kemendagri,nama,kode_kecamatan,catatan\nkota,1,K,,\nkecamatan,1.1,H,1.1,\nkelurahan,1.1,T,1.1,\n",
	} {
		if _, err := ReadCSV(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"Simpang IV Sipin":    "simpang4sipin",
		"simpang empat sipin": "simpang4sipin",
		"The Hok":             "thehok",
		"Eka-Jaya":            "ekajaya",
		"":                    "",
		"...":                 "",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}
