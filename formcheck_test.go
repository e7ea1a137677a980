package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dinsosbot/flows/xlsform"
	"dinsosbot/flows/xlsform/xlsformtest"
)

func TestFormCheck(t *testing.T) {
	dir := t.TempDir()
	visit := filepath.Join(dir, "kunjungan.xlsx")
	if err := os.WriteFile(visit, xlsform.VisitForm, 0o600); err != nil {
		t.Fatal(err)
	}
	refused := filepath.Join(dir, "repeat.xlsx")
	data := xlsformtest.Form(t, [][]string{{"type", "name", "label"}, {"begin repeat", "anggota", "Anggota"},
		{"geoshape", "batas", "Batas"}, {"end repeat"}}, nil, xlsformtest.Settings("uji"))
	if err := os.WriteFile(refused, data, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		refused bool
		wantErr bool
		want    []string
	}{
		{"visit form", []string{"form", "check", visit}, false, false, []string{
			"Formulir Kunjungan pendampingan (form_id kunjungan_pendampingan",
			"10. tindak_lanjut [text] Tindak lanjut apa yang diperlukan? (wajib)",
			"tampil bila: ${perlu_tindak_lanjut} = 'ya'"}},
		{"visit form in English", []string{"form", "check", "-lang", "en", visit}, false, false, []string{
			"12 questions:", "11. foto [image] Photo of the visit"}},
		{"flag after the file", []string{"form", "check", visit, "-lang", "en"}, false, false, []string{"12 questions:"}},
		{"refused", []string{"form", "check", refused}, true, true, []string{
			"Formulir ditolak (2 masalah):",
			"sheet survey, baris 2: begin repeat: pengulangan (repeat) tidak didukung",
			"sheet survey, baris 3: jenis pertanyaan geoshape tidak didukung bot"}},
		{"refused in English", []string{"form", "check", "-lang", "en", refused}, true, true, []string{
			"Form refused, problems found: 2", "sheet survey, row 3: the question type geoshape is not supported by the bot"}},
		{"no such file", []string{"form", "check", filepath.Join(dir, "none.xlsx")}, false, true, nil},
		{"no file", []string{"form", "check"}, false, true, nil},
		{"no check", []string{"form", visit}, false, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errs strings.Builder
			err := run(t.Context(), tc.args, strings.NewReader(""), &out, &errs, func(string) string { return "" })
			if (err != nil) != tc.wantErr || errors.Is(err, errFormRefused) != tc.refused {
				t.Fatalf("err = %v, want error %v (refused %v)\n%s", err, tc.wantErr, tc.refused, errs.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}
