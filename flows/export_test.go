package flows_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// runExport drives /ekspor with every filter at "all" and returns the XLSX
// and CSV documents.
func runExport(t *testing.T, u *tgUser) (xlsx, csvDoc telegramtest.Message) {
	t.Helper()
	u.send("/ekspor", "bentuk apa")
	u.press("📊 Tabel (XLSX + CSV)", "dilaporkan kapan")
	u.press("Semua", "Status kasus")
	u.press("Semua", "Kategori PMKS")
	u.press("Semua", "Kecamatan?")
	u.press("Semua (wilayah saya)", "Simpan")
	xlsx = u.pressFor("✅ Simpan", "kasus (XLSX")
	doc, err := u.WaitForText(caseWait, "CSV (UTF-8)")
	if err != nil {
		t.Fatal(err)
	}
	return xlsx, doc
}

func readXLSX(t *testing.T, data []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	// Row 1 is the note naming PPKS once; the table starts at row 2.
	if len(rows) < 2 || len(rows[0]) != 1 || !strings.Contains(rows[0][0], "disebut PPKS") {
		t.Fatalf("xlsx note row %q", rows[:min(len(rows), 1)])
	}
	return rows[1:]
}

func TestExport(t *testing.T) {
	h, admin := adminRig(t, bottest.Options{})
	worker := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Rina Koordinator", store.RoleCoordinator, kecJambiSelatan, "", kecJambiSelatan)
	inT := insertCases(t, h, worker.ID(), kecTelanaipura, kelBuluranKenali, 3)
	inJS := insertCases(t, h, worker.ID(), kecJambiSelatan, "15.71.02.1001", 2)

	xlsx, csvDoc := runExport(t, admin)
	rows := readXLSX(t, xlsx.File)
	if len(rows) != 6 {
		t.Fatalf("%d rows, want header + 5", len(rows))
	}
	head := rows[0]
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("no column %q in %v", name, head)
		}
		return i
	}
	first := rows[1]
	for name, want := range map[string]string{"Kode Kasus": inT[0].Code, "NIK": inT[0].NIK, "Nama Lengkap": inT[0].FullName,
		"Tanggal Lahir": "01-01-1990", "Jenis Kelamin": "L", "Kode Kecamatan": kecTelanaipura, "Kecamatan": "Telanaipura",
		"Kode Kelurahan": kelBuluranKenali, "Kelurahan": "Buluran Kenali", "Kode Kategori": "PPKS09", "Status": "Baru",
		"Pelapor": "Tono Wibowo", "Peran Pelapor": "PSM", "Alamat": inT[0].Address} {
		if got := first[col(name)]; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if len(first[col("NIK")]) != 16 {
		t.Fatalf("NIK not kept as 16 digits: %q", first[col("NIK")])
	}
	if !strings.HasSuffix(xlsx.FileName, ".xlsx") || !strings.HasSuffix(csvDoc.FileName, ".csv") {
		t.Fatalf("file names %q %q", xlsx.FileName, csvDoc.FileName)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvDoc.File, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 6 || !slices.Equal(recs[0], head) || recs[5][col("NIK")] != "'"+inJS[1].NIK {
		t.Fatalf("csv %v", recs)
	}
	if !auditHas(t, h, adminID, "export", "n=5") {
		t.Fatal("export not audited")
	}
	// The full NIK is in the export only: the case list shows it masked.
	m := worker.send("/kasus", "Kasus yang Anda laporkan")
	if strings.Contains(m.Text, inT[0].NIK) {
		t.Fatal("full NIK outside the export")
	}

	// A coordinator exports their own area only, and is offered no other.
	coord.send("/ekspor", "bentuk apa")
	coord.press("📊 Tabel (XLSX + CSV)", "dilaporkan kapan")
	coord.press("Semua", "Status kasus")
	coord.press("Semua", "Kategori PMKS")
	k := coord.press("Semua", "Kecamatan?")
	for _, row := range k.InlineKeyboard {
		for _, b := range row {
			if b.Text == "Telanaipura" {
				t.Fatal("a coordinator was offered a kecamatan outside their area")
			}
		}
	}
	coord.press("Semua (wilayah saya)", "Simpan")
	cx := coord.pressFor("✅ Simpan", "kasus (XLSX")
	rows = readXLSX(t, cx.File)
	if len(rows) != 3 || rows[1][col("Kode Kecamatan")] != kecJambiSelatan || rows[2][col("Kode Kecamatan")] != kecJambiSelatan {
		t.Fatalf("coordinator export %v", rows)
	}
	if !auditHas(t, h, coord.ID(), "export", "kecamatan="+kecJambiSelatan) {
		t.Fatal("coordinator export not audited")
	}
	h.NoViolations()
}

func TestBackup(t *testing.T) {
	h, admin := adminRig(t, bottest.Options{})
	worker := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	insertCases(t, h, worker.ID(), kecTelanaipura, kelBuluranKenali, 4)
	worker.send("/cadangan", "tidak berhak")

	admin.SendText("/cadangan")
	var db *store.DB
	doc, err := admin.WaitForText(caseWait, "Cadangan database")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "restored.db")
	if err := os.WriteFile(path, doc.File, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err = store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.SQL().QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	for table, want := range map[string]int{"cases": 4, "users": countRows(t, h, `SELECT COUNT(*) FROM users`)} {
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil || n != want {
			t.Fatalf("restored %s: %d rows (%v), want %d", table, n, err, want)
		}
	}
	if !auditHas(t, h, adminID, "backup", "size=") {
		t.Fatal("backup not audited")
	}
	// Once sent, the backup's bytes leave the outbox.
	h.WaitUntil(caseWait, "the document recorded as sent", func() bool {
		return countRows(t, h, `SELECT COUNT(*) FROM outbox o JOIN backups b ON b.outbox_id = o.id WHERE o.status = 'sent'`) == 1
	})
	sweepNow(h)
	if n := countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE kind = 'document' AND file IS NOT NULL`); n != 0 {
		t.Fatalf("%d backup copies left in the outbox", n)
	}

	// Scheduled backups: Backup into a folder, PruneBackups keeps the newest.
	dir := t.TempDir()
	for range 3 {
		if _, err := h.DB().Backup(context.Background(), dir); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := store.PruneBackups(dir, 2)
	if err != nil || len(removed) != 1 {
		t.Fatalf("pruned %v, %v", removed, err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 2 {
		t.Fatalf("%d backups left, want 2", len(left))
	}
	if info, err := os.Stat(filepath.Join(dir, left[0].Name())); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode %v, %v", info.Mode(), err)
	}
}

// pressFor presses label and waits for a document whose caption has want.
func (u *tgUser) pressFor(label, want string) telegramtest.Message {
	u.t.Helper()
	if err := u.Press(label); err != nil {
		u.t.Fatal(err)
	}
	m, err := u.WaitForText(caseWait, want)
	if err != nil {
		u.t.Fatal(err)
	}
	return m
}

// exportCase stores a case reported at the harness clock's time with status.
func exportCase(t *testing.T, h *bottest.Harness, k store.Case, status string) store.Case {
	t.Helper()
	k = insertCase(t, h, k)
	if status != store.CaseNew {
		if err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
			_, err := tx.SetCaseStatus(k.ID, store.CaseNew, status, adminID, "")
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

// Each /ekspor filter read back from the XLSX: status, category and a date
// range (both ends inclusive, in WIB); the birth place in its SIKS-NG column;
// the sheet and file named from the catalogue; each export audited with its
// filters.
func TestExportFilters(t *testing.T) {
	h, admin := adminRig(t, bottest.Options{Start: time.Date(2026, 10, 5, 2, 0, 0, 0, time.UTC)})
	worker := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	base := store.Case{ReporterID: worker.ID(), Gender: "P", BirthDate: "1990-05-12", Address: "Jl. Sumantri 1",
		Kecamatan: kecTelanaipura, Kelurahan: kelBuluranKenali, Description: "Keterangan.", Needs: []string{"pangan"},
		Urgency: "biasa"}
	a, b, c := base, base, base
	a.Category, a.FullName, a.BirthPlace = "PPKS02", "Anak Oktober", "Muara Bulian" // 5 Oct, baru
	b.Category, b.FullName = "PPKS09", "Lansia Oktober"                             // 20 Oct, diverifikasi
	c.Category, c.FullName, c.BirthPlace = "PPKS02", "Anak November", "Jambi"       // 2 Nov, ditolak
	c.Kecamatan, c.Kelurahan = kecJambiSelatan, "15.71.02.1001"
	a = exportCase(t, h, a, store.CaseNew)
	h.Clock.Advance(15 * 24 * time.Hour)
	b = exportCase(t, h, b, store.CaseVerified)
	h.Clock.Advance(13 * 24 * time.Hour)
	c = exportCase(t, h, c, store.CaseRejected)

	for _, tc := range []struct {
		name         string
		period       []string // typed dates after "Pilih tanggal", or nil for "Semua"
		status, cat  string   // button labels
		want         []store.Case
		auditDetails string
	}{
		{"all", nil, "Semua", "Semua", []store.Case{a, b, c}, "n=3 period=all"},
		{"status", nil, "🟢 Diverifikasi", "Semua", []store.Case{b}, "n=1 period=all from= to= status=diverifikasi"},
		{"category", nil, "Semua", "Anak Telantar", []store.Case{a, c}, "n=2 period=all from= to= status=all category=PPKS02"},
		{"range early", []string{"01-10-2026", "05-10-2026"}, "Semua", "Semua", []store.Case{a},
			"n=1 period=range from=2026-10-01 to=2026-10-06"},
		{"range late", []string{"06-10-2026", "02-11-2026"}, "Semua", "Semua", []store.Case{b, c},
			"n=2 period=range from=2026-10-06 to=2026-11-03"},
		{"range empty", []string{"21-10-2026", "01-11-2026"}, "Semua", "Semua", nil, "n=0 period=range"},
	} {
		admin.send("/ekspor", "bentuk apa")
		admin.press("📊 Tabel (XLSX + CSV)", "dilaporkan kapan")
		if tc.period == nil {
			admin.press("Semua", "Status kasus")
		} else {
			admin.press("Pilih tanggal", "Dari tanggal")
			admin.send(tc.period[0], "Sampai tanggal")
			admin.send(tc.period[1], "Status kasus")
		}
		admin.press(tc.status, "Kategori PMKS")
		admin.press(tc.cat, "Kecamatan?")
		admin.press("Semua (wilayah saya)", "Simpan")
		// This round's documents, not the last round's.
		last := lastMessageID(admin.Messages())
		if err := admin.Press("✅ Simpan"); err != nil {
			t.Fatal(err)
		}
		var xlsx telegramtest.Message
		if _, err := admin.WaitFor(caseWait, func(msgs []telegramtest.Message) bool {
			csvSent := false
			for _, m := range msgs {
				if m.ID > last && strings.HasSuffix(m.FileName, ".xlsx") {
					xlsx = m
				}
				csvSent = csvSent || m.ID > last && strings.HasSuffix(m.FileName, ".csv")
			}
			return xlsx.ID > last && csvSent
		}); err != nil {
			t.Fatal(err)
		}
		rows := readXLSX(t, xlsx.File)
		head := rows[0]
		var codes, want []string
		for _, r := range rows[1:] {
			codes = append(codes, r[slices.Index(head, "Kode Kasus")])
		}
		for _, k := range tc.want {
			want = append(want, k.Code)
		}
		if !slices.Equal(codes, want) {
			t.Errorf("%s: exported %v, want %v", tc.name, codes, want)
		}
		if !auditHas(t, h, adminID, "export", tc.auditDetails) {
			t.Errorf("%s: no export audited with %q", tc.name, tc.auditDetails)
		}
		if tc.name != "all" {
			continue
		}
		// The birth place fills SIKS-NG's Tempat Lahir column, beside the date.
		place, date := slices.Index(head, "Tempat Lahir"), slices.Index(head, "Tanggal Lahir")
		if place < 0 || date != place+1 {
			t.Fatalf("columns %v", head)
		}
		for i, want := range []string{"Muara Bulian", "", "Jambi"} {
			if got := cell(rows[i+1], place); got != want || rows[i+1][date] != "12-05-1990" {
				t.Errorf("row %d: Tempat Lahir %q, Tanggal Lahir %q; want %q, 12-05-1990", i+1, got, rows[i+1][date], want)
			}
		}
		f, err := excelize.OpenReader(bytes.NewReader(xlsx.File))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.GetSheetList(); !slices.Equal(got, []string{"Kasus PMKS"}) {
			t.Errorf("sheets %v", got)
		}
		f.Close()
		if want := "kasus-pmks-20261102-0900.xlsx"; xlsx.FileName != want {
			t.Errorf("file name %q, want %q", xlsx.FileName, want)
		}
	}
	h.NoViolations()
}

// cell is row[i], "" past a row's end (excelize drops trailing empty cells).
func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}
