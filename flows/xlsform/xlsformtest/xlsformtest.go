// Package xlsformtest builds XLSForm workbooks for tests: the loader's own
// and the chat runtime's end-to-end tests share these forms.
package xlsformtest

import (
	"testing"

	"dinsosbot/flows/xlsform"
)

// Workbook builds sheets into .xlsx bytes, failing t on error.
func Workbook(t testing.TB, sheets ...xlsform.Sheet) []byte {
	t.Helper()
	data, err := xlsform.Build(sheets...)
	if err != nil {
		t.Fatalf("build workbook: %v", err)
	}
	return data
}

// Form builds a workbook of a survey, choices and settings sheet (a nil
// sheet is left out).
func Form(t testing.TB, survey, choices, settings [][]string) []byte {
	t.Helper()
	var sheets []xlsform.Sheet
	if survey != nil {
		sheets = append(sheets, xlsform.Sheet{Name: xlsform.SheetSurvey, Rows: survey})
	}
	if choices != nil {
		sheets = append(sheets, xlsform.Sheet{Name: xlsform.SheetChoices, Rows: choices})
	}
	if settings != nil {
		sheets = append(sheets, xlsform.Sheet{Name: xlsform.SheetSettings, Rows: settings})
	}
	return Workbook(t, sheets...)
}

// Settings is a settings sheet with form_id id and default language id.
func Settings(id string) [][]string {
	return [][]string{
		{"form_title", "form_id", "version", "default_language"},
		{"Uji " + id, id, "1", "Indonesian (id)"},
	}
}

// AllTypesSurvey uses every supported type, every expression column and
// every supported function, in Indonesian and English (rows 2 onwards; row
// numbers matter to tests that check them).
var AllTypesSurvey = [][]string{
	{"type", "name", "label::Indonesian (id)", "label::English (en)", "hint::Indonesian (id)", "hint::English (en)",
		"required", "required_message::Indonesian (id)", "required_message::English (en)", "relevant", "constraint",
		"constraint_message::Indonesian (id)", "constraint_message::English (en)", "default", "choice_filter",
		"calculation", "read_only", "appearance", "media::image"},
	{"start", "mulai"},
	{"end", "selesai"},
	{"today", "hari_ini"},
	{"username", "pengguna"},
	{"note", "pembuka", "Formulir uji semua jenis", "A test form of every type"},
	{"text", "nama", "Nama", "Name", "Nama lengkap", "Full name", "yes", "Nama wajib diisi", "Name is required",
		"", "string-length(.) >= 3 and regex(., '^[A-Za-z ]+$')", "Minimal 3 karakter, huruf saja", "At least 3 characters, letters only"},
	{"nik", "nik", "NIK", "NIK", "", "", "yes"},
	{"integer", "umur", "Umur", "Age", "", "", "yes", "", "", "", ". >= 0 and . < 121", "Umur 0 sampai 120", "Age 0 to 120"},
	{"decimal", "berat", "Berat (kg)", "Weight (kg)", "", "", "", "", "", "${umur} > 0", ". > 0"},
	{"date", "tgl_lahir", "Tanggal lahir", "Date of birth", "", "", "", "", "", "", ". <= today()", "", "", "", "", "", "", "no-calendar"},
	{"time", "jam", "Jam kunjungan", "Time of the visit"},
	{"dateTime", "waktu", "Waktu lapor", "Time of report", "", "", "", "", "", "", ". <= now()"},
	{"begin group", "alamat", "Alamat", "Address", "", "", "", "", "", "${umur} >= 17", "", "", "", "", "", "", "", "field-list"},
	{"kecamatan", "kec", "Kecamatan", "District", "", "", "yes"},
	{"kelurahan", "kel", "Kelurahan", "Village", "", "", "yes"},
	{"select_one kota", "kota", "Kota", "City"},
	{"select_one wilayah", "wil", "Wilayah", "Area", "", "", "", "", "", "", "", "", "", "", "kota = ${kota}"},
	{"end group"},
	{"select_one ya_tidak", "setuju", "Setuju?", "Agree?", "", "", "yes", "", "", "", "", "", "", "ya"},
	{"select_multiple bantuan", "bantuan", "Bantuan diterima", "Assistance received", "", "", "", "", "", "${setuju} = 'ya'",
		"count-selected(.) <= 3", "Paling banyak 3", "At most 3"},
	{"text", "bantuan_lain", "Bantuan lain", "Other assistance", "", "", "yes", "", "", "selected(${bantuan}, 'lain') or not(${setuju} != 'ya')"},
	{"geopoint", "lokasi", "Lokasi", "Location"},
	{"image", "foto", "Foto", "Photo", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "foto.jpg"},
	{"audio", "suara", "Pesan suara", "Voice note"},
	{"acknowledge", "paham", "Saya paham", "I understand", "", "", "yes"},
	{"calculate", "umur_bulan", "", "", "", "", "", "", "", "", "", "", "", "", "", "round(${umur} * 12 + int(${berat}) mod 1 - 0 div 1, 0)"},
	{"calculate", "label_setuju", "", "", "", "", "", "", "", "", "", "", "", "", "", "jr:choice-name(${setuju}, '${setuju}')"},
	{"calculate", "ringkas", "", "", "", "", "", "", "", "", "", "", "", "", "",
		"concat(coalesce(${nama}, '-'), ' ', if(number(${berat}) > 50, 'berat', 'ringan'), ' ', ${label_setuju})"},
	{"text", "komentar", "Komentar", "Comment", "", "", "", "", "", "", "", "", "", "Tidak ada (kosong)", "", "", "yes"},
	{"note", "penutup", "Terima kasih, ${nama}", "Thank you, ${nama}"},
}

// AllTypesChoices holds the lists of AllTypesSurvey; wilayah cascades on kota.
var AllTypesChoices = [][]string{
	{"list_name", "name", "label::Indonesian (id)", "label::English (en)", "kota"},
	{"ya_tidak", "ya", "Ya", "Yes"},
	{"ya_tidak", "tidak", "Tidak", "No"},
	{"kota", "jambi", "Kota Jambi", "Jambi City"},
	{"kota", "muaro", "Muaro Jambi", "Muaro Jambi"},
	{"wilayah", "telanai", "Telanaipura", "Telanaipura", "jambi"},
	{"wilayah", "sengeti", "Sengeti", "Sengeti", "muaro"},
	{"bantuan", "pkh", "PKH", "PKH"},
	{"bantuan", "bpnt", "BPNT", "BPNT"},
	{"bantuan", "pbi", "PBI JK", "PBI JK"},
	{"bantuan", "lain", "Lainnya", "Other"},
}

// AllTypes is the form of every supported type and function.
func AllTypes(t testing.TB) []byte {
	t.Helper()
	return Form(t, AllTypesSurvey, AllTypesChoices, Settings("semua_jenis"))
}
