package xlsform

import (
	"bytes"
	"strings"
	"testing"

	"dinsosbot/flows/region"
)

// The shipped visit form loads without a problem and asks what the office
// expects, in Indonesian and English, linked to a case.
func TestVisitFormLoads(t *testing.T) {
	f, err := Load(bytes.NewReader(VisitForm), Options{Regions: region.KotaJambi()})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if f.ID != "kunjungan_pendampingan" || f.Title != "Kunjungan pendampingan" || !f.LinkCase || f.DefaultLang != "id" {
		t.Errorf("settings: id %q title %q link %v default %q", f.ID, f.Title, f.LinkCase, f.DefaultLang)
	}
	if got := strings.Join(f.Langs, ","); got != "id,en" {
		t.Errorf("Langs = %s", got)
	}
	var got []string
	for _, q := range f.Questions {
		got = append(got, q.Name+":"+string(q.Type))
	}
	want := "mulai:start selesai:end petugas:username tanggal:date kegiatan:select_multiple kegiatan_lain:text " +
		"kondisi:select_one catatan:text perlu_tindak_lanjut:select_one tindak_lanjut:text foto:image lokasi:geopoint"
	if strings.Join(got, " ") != want {
		t.Errorf("questions\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	byName := map[string]Question{}
	for _, q := range f.Questions {
		byName[q.Name] = q
	}
	if q := byName["tindak_lanjut"]; q.Relevant == nil || q.Relevant.String() != "${perlu_tindak_lanjut} = 'ya'" {
		t.Errorf("tindak_lanjut relevant = %v", q.Relevant)
	}
	if q := byName["tanggal"]; q.Label["en"] != "Date of the visit" || q.Label["id"] != "Tanggal kunjungan" || !q.Required {
		t.Errorf("tanggal = %+v", q)
	}
	if n := len(f.Choices["kegiatan"]); n < 5 {
		t.Errorf("kegiatan has %d choices", n)
	}
	if d := f.Describe("id"); !strings.Contains(d, "tampil bila: ${perlu_tindak_lanjut} = 'ya'") {
		t.Errorf("Describe:\n%s", d)
	}
}
