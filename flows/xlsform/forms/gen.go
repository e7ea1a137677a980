//go:build ignore

// gen writes kunjungan_pendampingan.xlsx, the office's visit log shipped as
// an example XLSForm. Run by go generate ./flows/xlsform/ (the directive is in
// forms.go: a file behind an ignore tag is not scanned by go generate), or here
// as go run gen.go.
package main

import (
	"log"
	"os"

	"dinsosbot/flows/xlsform"
)

func main() {
	survey := [][]string{
		{"type", "name", "label::Indonesian (id)", "label::English (en)", "hint::Indonesian (id)", "hint::English (en)",
			"required", "relevant", "constraint", "constraint_message::Indonesian (id)", "constraint_message::English (en)", "default"},
		{"start", "mulai"},
		{"end", "selesai"},
		{"username", "petugas"},
		{"date", "tanggal", "Tanggal kunjungan", "Date of the visit", "", "", "yes", "", ". <= today()",
			"Tanggal kunjungan tidak boleh di masa depan.", "The visit date cannot be in the future.", "today()"},
		{"select_multiple kegiatan", "kegiatan", "Apa yang dilakukan?", "What was done?",
			"Pilih semua yang dilakukan.", "Choose everything that was done.", "yes"},
		{"text", "kegiatan_lain", "Kegiatan lain apa?", "What other activity?", "", "", "yes", "selected(${kegiatan}, 'lainnya')"},
		{"select_one kondisi", "kondisi", "Bagaimana kondisi penerima manfaat?", "How is the beneficiary?", "", "", "yes"},
		{"text", "catatan", "Catatan kunjungan", "Notes of the visit", "Apa yang dilihat dan dibicarakan.", "What was seen and discussed."},
		{"select_one ya_tidak", "perlu_tindak_lanjut", "Perlu tindak lanjut?", "Is follow-up needed?", "", "", "yes"},
		{"text", "tindak_lanjut", "Tindak lanjut apa yang diperlukan?", "What follow-up is needed?", "", "", "yes",
			"${perlu_tindak_lanjut} = 'ya'"},
		{"image", "foto", "Foto kunjungan", "Photo of the visit", "Boleh dilewati bila tidak pantas memotret.", "May be skipped when a photo is not appropriate."},
		{"geopoint", "lokasi", "Lokasi kunjungan", "Location of the visit"},
	}
	choices := [][]string{
		{"list_name", "name", "label::Indonesian (id)", "label::English (en)"},
		{"kegiatan", "kunjungan_rumah", "Kunjungan rumah", "Home visit"},
		{"kegiatan", "konseling", "Konseling", "Counselling"},
		{"kegiatan", "rujukan", "Rujukan", "Referral"},
		{"kegiatan", "bantuan_sosial", "Bantuan sosial", "Social assistance"},
		{"kegiatan", "pendampingan_dokumen", "Pendampingan dokumen (KTP, KK, BPJS)", "Help with documents (KTP, KK, BPJS)"},
		{"kegiatan", "lainnya", "Lainnya", "Other"},
		{"kondisi", "membaik", "Membaik", "Improving"},
		{"kondisi", "tetap", "Tetap", "Unchanged"},
		{"kondisi", "memburuk", "Memburuk", "Worsening"},
		{"kondisi", "darurat", "Darurat, perlu segera ditangani", "Emergency, needs help now"},
		{"ya_tidak", "ya", "Ya", "Yes"},
		{"ya_tidak", "tidak", "Tidak", "No"},
	}
	settings := [][]string{
		{"form_title", "form_id", "version", "default_language", "link_case"},
		{"Kunjungan pendampingan", "kunjungan_pendampingan", "2026120401", "Indonesian (id)", "yes"},
	}
	data, err := xlsform.Build(
		xlsform.Sheet{Name: "survey", Rows: survey},
		xlsform.Sheet{Name: "choices", Rows: choices},
		xlsform.Sheet{Name: "settings", Rows: settings})
	if err != nil {
		log.Fatal(err)
	}
	out := "kunjungan_pendampingan.xlsx"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		log.Fatal(err)
	}
}
