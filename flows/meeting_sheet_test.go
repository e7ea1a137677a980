package flows_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// The daftar hadir is laid out as an office prints and signs it: kop surat
// with the logo, "DAFTAR HADIR", the meeting, its day in Indonesian, time and
// place; every invitee (present with the check-in time, absent blank to sign
// on paper), numbered signature places alternating left and right; the
// signatory; A4 portrait, fit to width, the table's header on every page.
func TestDaftarHadirLayout(t *testing.T) {
	r := newMtRigWith(t, bottest.Options{Flows: officeConfig})
	siti := r.worker("Siti Aminah", store.RolePSM, 0)
	budi := r.worker("Budi Santoso", store.RoleTKSK, 1)
	ani := r.worker("Ani Lestari", store.RolePSM, 2)
	dewi := r.worker("Dewi Sartika", store.RolePSM, 0)
	start := time.Date(2026, 11, 3, 9, 0, 0, 0, wib)
	r.addMeeting(store.Meeting{Title: "Rapat Koordinasi PSM & TKSK", StartsAt: start, EndsAt: start.Add(3 * time.Hour),
		Place: "Aula Dinsos Kota Jambi", Code: "kodelayout"}, siti, budi, ani, dewi)
	for _, at := range []struct {
		u *telegramtest.User
		t time.Time
	}{{siti, start.Add(-30 * time.Minute)}, {budi, start.Add(-20 * time.Minute)}} {
		r.set(at.t)
		at.u.OpenDeepLink("hadir_kodelayout")
		if _, err := at.u.WaitForText(mtWait, "Presensi tercatat"); err != nil {
			t.Fatal(err)
		}
	}
	report := r.say(r.admin, "/rapat 1", "Rapat #1")
	doc := r.after(r.admin, "Daftar hadir", func() { must2(t, r.admin.PressOn(report.ID, "📄 Daftar hadir (XLSX)")) })
	if !strings.Contains(doc.Caption, "hadir 2 dari 4 orang") {
		t.Errorf("caption %q", doc.Caption)
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.File))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const sheet = "Daftar Hadir"
	cell := func(ref string) string {
		v, err := f.GetCellValue(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for ref, want := range map[string]string{
		"A1": "PEMERINTAH KOTA JAMBI", "A2": "DINAS SOSIAL KOTA JAMBI",
		"A3": "Jl. Contoh No. 1, Telanaipura, Kota Jambi 36122 · Telp. (0741) 000000",
		"A5": "DAFTAR HADIR", "A6": "Rapat Koordinasi PSM & TKSK",
		"B8": "Hari/Tanggal", "C8": ": Selasa, 3 November 2026", "B9": "Waktu", "C9": ": 09.00–12.00 WIB",
		"B10": "Tempat", "C10": ": Aula Dinsos Kota Jambi",
		"A18": "Hadir 2 dari 4 orang.", "E18": "Mengetahui,", "E19": "Kepala Dinas Sosial Kota Jambi",
		"E23": "Drs. H. Contoh Nama, M.Si", "E24": "NIP. 19700101 199503 1 001",
	} {
		if got := cell(ref); got != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
	}
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	header := []string{"No", "Nama", "Peran", "Kecamatan / Kelurahan", "Jam hadir", "Keterangan", "Tanda tangan"}
	if !slices.Equal(rows[11], header) {
		t.Errorf("table header %q, want %q", rows[11], header)
	}
	k0, k1, k2 := r.kec[0], r.kec[1], r.kec[2]
	// By role, then kecamatan, then name; the absent without a time.
	want := [][]string{
		{"1", "Dewi Sartika", "PSM", k0.Name + " / " + k0.Kelurahan[0].Name, "", "", "1."},
		{"2", "Siti Aminah", "PSM", k0.Name + " / " + k0.Kelurahan[0].Name, "08.30", "QR", "", "2."},
		{"3", "Ani Lestari", "PSM", k2.Name + " / " + k2.Kelurahan[0].Name, "", "", "3."},
		{"4", "Budi Santoso", "TKSK", k1.Name + " / " + k1.Kelurahan[0].Name, "08.40", "QR", "", "4."},
	}
	for i, w := range want {
		if got := rows[12+i]; !slices.Equal(got, w) {
			t.Errorf("row %d = %q, want %q", 13+i, got, w)
		}
	}
	merged, err := f.GetMergeCells(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var areas []string
	for _, m := range merged {
		areas = append(areas, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	for _, want := range []string{"A1:H1", "A2:H2", "A3:H3", "A5:H5", "A6:H6", "C8:H8", "G12:H12", "E18:H18", "E23:H23"} {
		if !slices.Contains(areas, want) {
			t.Errorf("%s is not merged (merged: %q)", want, areas)
		}
	}
	if pics, err := f.GetPictures(sheet, "A1"); err != nil || len(pics) != 1 || pics[0].Extension != ".png" {
		t.Errorf("logo in A1: %d pictures, %v", len(pics), err)
	}
	layout, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if layout.Size == nil || *layout.Size != 9 || layout.Orientation == nil || *layout.Orientation != "portrait" ||
		layout.FitToWidth == nil || *layout.FitToWidth != 1 || layout.FitToHeight == nil || *layout.FitToHeight != 0 {
		t.Errorf("page layout %+v, want A4 (9) portrait, 1 page wide, any number tall", layout)
	}
	if props, err := f.GetSheetProps(sheet); err != nil || props.FitToPage == nil || !*props.FitToPage {
		t.Errorf("fit to page is off (%v)", err)
	}
	if m, err := f.GetPageMargins(sheet); err != nil || m.Left == nil || *m.Left < 0.4 || m.Horizontally == nil || !*m.Horizontally {
		t.Errorf("margins %+v (%v), want set and centred", m, err)
	}
	names := map[string]string{}
	for _, d := range f.GetDefinedName() {
		names[d.Name] = d.RefersTo
	}
	if got := names["_xlnm.Print_Titles"]; got != "'Daftar Hadir'!$12:$12" {
		t.Errorf("print titles %q, want the table's header row", got)
	}
	if got := names["_xlnm.Print_Area"]; got != "'Daftar Hadir'!$A$1:$H$24" {
		t.Errorf("print area %q", got)
	}

	// As printed: one A4 page with all of it.
	p := printSheet(t, doc.File, artefacts(t), "daftar-hadir")
	if len(p.pages) != 1 || !strings.Contains(p.size, "A4") {
		t.Fatalf("%d pages of %s, want 1 A4 page", len(p.pages), p.size)
	}
	for _, want := range []string{"PEMERINTAH KOTA JAMBI", "DINAS SOSIAL KOTA JAMBI", "DAFTAR HADIR", "Selasa, 3 November 2026",
		"Tanda tangan", "Dewi Sartika", "Budi Santoso", "08.40", "Mengetahui,", "Drs. H. Contoh Nama, M.Si",
		"NIP. 19700101 199503 1 001", "Rapat Koordinasi PSM & TKSK · halaman 1 dari 1"} {
		if !strings.Contains(p.pages[0], want) {
			t.Errorf("printed page lacks %q:\n%s", want, p.pages[0])
		}
	}
	if len(p.pngs) != 1 {
		t.Errorf("page PNGs %q", p.pngs)
	}
	r.h.NoViolations()
}
