package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoOtherCity runs "dinsosbot -config FILE demo </dev/null" with the
// regions_file of another city: the scripted story registers Siti, files her
// case and calls the meeting in that city's kecamatan and kelurahan, and with
// stdin not a terminal the demo ends after the script instead of prompting.
func TestDemoOtherCity(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo; skipped with -short")
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "wilayah.csv")
	if err := os.WriteFile(csv, []byte(`tingkat,kode_kemendagri,nama,kode_kecamatan,catatan
kota,16.71,Kota Palembang,,
kecamatan,16.71.03,Ilir Barat I,16.71.03,
kelurahan,16.71.03.1001,Bukit Lama,16.71.03,
kelurahan,16.71.03.1002,Lorok Pakjo,16.71.03,
kecamatan,16.71.08,Seberang Ulu I,16.71.08,
kelurahan,16.71.08.1001,Silaberanti,16.71.08,
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := writeConfig(t, "regions_file: "+csv+"\nmedia_dir: "+filepath.Join(dir, "media")+"\n")
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	var out, errs strings.Builder
	err = run(t.Context(), []string{"-config", cfg, "-db", filepath.Join(dir, "demo.db"), "demo"}, devNull, &out, &errs,
		func(string) string { return "" })
	transcript := out.String()
	if err != nil {
		t.Fatalf("demo: %v\n%s\n%s", err, transcript, errs.String())
	}
	for _, want := range []string{
		"👤 Siti: #Ilir Barat I",        // her kecamatan, pressed in registration
		"👤 Siti: #Lorok Pakjo",         // her kelurahan
		"#📍 Lorok Pakjo, Ilir Barat I", // the case in her own area
		"Aula Dinsos Kota Palembang",   // the meeting's place
		"Laporan tersimpan",            // the case was filed
		"demo finished",
	} {
		if !strings.Contains(transcript, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, transcript)
		}
	}
	for _, bad := range []string{"Telanaipura", "Buluran Kenali", "Kota Jambi", "Now you are Siti"} {
		if strings.Contains(transcript, bad) {
			t.Errorf("the transcript has %q:\n%s", bad, transcript)
		}
	}
}
