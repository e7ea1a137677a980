package flows_test

import (
	"errors"
	"fmt"
	"image/color"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// tablesHolding lists "table.column: n" for every text column of every table
// whose values contain any of needles (ignoring ASCII case).
func tablesHolding(t *testing.T, h *bottest.Harness, needles ...string) []string {
	t.Helper()
	db := h.DB().SQL()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	var found []string
	for _, table := range tables {
		cols, err := db.Query(`SELECT name, type FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for cols.Next() {
			var n, typ string
			if err := cols.Scan(&n, &typ); err != nil {
				t.Fatal(err)
			}
			if typ == "TEXT" || typ == "BLOB" || typ == "" {
				names = append(names, n)
			}
		}
		cols.Close()
		for _, col := range names {
			for _, needle := range needles {
				n := countRows(t, h, `SELECT COUNT(*) FROM "`+table+`" WHERE instr(lower(CAST("`+col+`" AS TEXT)), lower(?)) > 0`, needle)
				if n > 0 {
					found = append(found, fmt.Sprintf("%s.%s holds %q in %d rows", table, col, needle, n))
				}
			}
		}
	}
	return found
}

// TestEraseMyData: a worker who registered (their profile went to the
// admins), reported a case with a photo (its notice went to a coordinator)
// and was named in a broadcast's "not reached" list erases their data: no
// table keeps their name or phone, what they reported stays under a removed
// worker, and the audit has it. Then an admin erases that case's personal
// data: its photo file goes from the media folder and no table keeps its
// name, NIK, address or photo.
func TestEraseMyData(t *testing.T) {
	media := t.TempDir()
	h, admin := adminRig(t, mediaOpts(media))
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, kelBuluranKenali, kecTelanaipura)
	other := seed(t, h, "Budi Santoso", store.RoleTKSK, kecJambiSelatan, "", "")
	const name, phone, phoneDigits = "Tono Wibowo", "+6285266001122", "85266001122"

	// Registration: the profile, with the phone, goes to the admin.
	worker := &tgUser{t: t, h: h, User: h.Server.NewUser(telegramtest.UserOptions{FirstName: "Tono", Username: "tono_w",
		LanguageCode: "id"})}
	worker.send("/start", "Lanjutkan?")
	worker.press("✅ Setuju, lanjut", "nama lengkap")
	worker.send(name, "peran")
	worker.press("PSM", "kecamatan")
	worker.press("Telanaipura", "kelurahan")
	worker.press("Buluran Kenali", "nomor HP")
	worker.do(func() { worker.SendContact(phone, worker.ID(), "Tono") }, "Periksa data")
	worker.press("✅ Simpan", "dikirim ke admin")
	notice, err := admin.WaitForText(caseWait, phone)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.Press("✅ Setujui"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(notice.ID, "Disetujui")
	if _, err := worker.WaitForText(caseWait, "PSM"); err != nil {
		t.Fatal(err)
	}
	id := worker.ID()

	// A case with a location and a photo: the coordinator's notice names the reporter.
	reportUpToNIK(worker, "Siti Aminah")
	worker.do(func() { worker.SendText("1571 0152 0590 0003") }, nikSitiMask)
	if _, err := worker.WaitForText(caseWait, "jenis kelamin"); err != nil {
		t.Fatal(err)
	}
	worker.press("Perempuan (sesuai NIK)", "tanggal lahir")
	worker.press("12-05-1990 (sesuai NIK)", "tempat lahir")
	worker.send("/lewati", "alamat")
	worker.send("Jl. Kapt. Pattimura RT 05 <No. 12>", "RT/RW")
	worker.send("/lewati", "No. KK")
	worker.send("/lewati", "wilayah")
	worker.press("📍 Buluran Kenali, Telanaipura", "lokasi")
	worker.do(func() { worker.SendLocation(-1.6101, 103.6131) }, "foto")
	worker.do(func() { worker.SendPhoto(jpegBytes(t, color.RGBA{200, 10, 10, 255}), "") }, "Foto ke-1")
	worker.press("✔️ Selesai", "keadaannya")
	worker.send("Anak tinggal sendiri.", "kebutuhan")
	worker.toggle("Pangan")
	worker.press("✔️ Selesai", "mendesak")
	worker.press("Biasa", "Periksa data")
	worker.press("✅ Simpan", "JMB-26-00001")
	if _, err := coord.WaitForText(caseWait, name); err != nil {
		t.Fatal(err)
	}
	var photoPath, fileID string
	h.WaitUntil(caseWait, "the photo downloaded", func() bool {
		return h.DB().SQL().QueryRow(`SELECT local_path, file_id FROM case_photos WHERE status = 'done'`).
			Scan(&photoPath, &fileID) == nil
	})
	if _, err := os.Stat(filepath.Join(media, photoPath)); err != nil {
		t.Fatal(err)
	}
	h.WaitUntil(caseWait, "the coordinator's photo sent", func() bool {
		return countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND kind = 'photo' AND status = 'sent'`,
			coord.ID()) == 1
	})
	cs := insertCases(t, h, id, kecTelanaipura, kelBuluranKenali, 2)

	// A broadcast they could not be reached by lists them by name.
	worker.Block()
	admin.send("/siaran", "Siaran untuk siapa")
	admin.press("Semua PSM dan TKSK", "isi siaran")
	admin.send("Rapat koordinasi Senin.", "Simpan")
	admin.press("✅ Simpan", "Kirim siaran di atas ke")
	progress := admin.press("📣 Kirim", "Siaran #1:")
	h.WaitUntil(caseWait, "the broadcast through", func() bool {
		return countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE priority = ? AND status = 'pending'`,
			store.PriorityBroadcast) == 0
	})
	sweepNow(h)
	admin.waitEditedTo(progress.ID, name)
	worker.Unblock()
	if found := tablesHolding(t, h, name, phoneDigits); len(found) == 0 {
		t.Fatal("the scan finds nothing before the erasure: it checks nothing")
	}

	worker.send("/data_saya", "Data Anda di bot ini")
	// Someone else's erase button does nothing but an audited refusal.
	m := other.send("/hapus_data_saya", "Hapus data saya")
	other.PressData(m.ID, "ad:"+strconv.FormatInt(id, 10)+":ex:")
	other.waitCallback(1, "tidak berhak")
	if u := userRow(t, h, id); u.FullName != name {
		t.Fatalf("forged erase changed %+v", u)
	}
	if err := other.Press("Tidak jadi"); err != nil {
		t.Fatal(err)
	}
	other.waitEditedTo(m.ID, "tidak dihapus")

	worker.send("/hapus_data_saya", "tidak bisa dibatalkan")
	if err := worker.Press("🗑 Ya, hapus data saya"); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.WaitForText(caseWait, "Data pribadi Anda sudah dihapus"); err != nil {
		t.Fatal(err)
	}
	// Gone from every table that held it, the admins' and coordinator's
	// copies included...
	for _, q := range []string{
		`SELECT COUNT(*) FROM users WHERE id = ?`,
		`SELECT COUNT(*) FROM cases WHERE reporter_id = ?`,
		`SELECT COUNT(*) FROM case_events WHERE user_id = ?`,
		`SELECT COUNT(*) FROM approvals WHERE user_id = ?`,
		`SELECT COUNT(*) FROM conversations WHERE user_id = ?`,
		`SELECT COUNT(*) FROM broadcast_messages WHERE user_id = ?`,
		`SELECT COUNT(*) FROM audit_log WHERE user_id = ? AND action = 'erase_user'`,
	} {
		if n := countRows(t, h, q, id); n != 0 {
			t.Errorf("%s: %d rows left", q, n)
		}
	}
	for _, f := range tablesHolding(t, h, name, phoneDigits, "tono_w") {
		t.Error(f)
	}
	// ...while what later edits need stays: the admin's approval notice keeps
	// its Telegram message id.
	if n := countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND status = 'sent' AND tg_message_id != 0
		AND payload NOT LIKE '%"text"%'`, adminID); n == 0 {
		t.Error("no scrubbed row kept for later edits")
	}
	// The cases stay, attributed to a removed worker with the same role and area...
	var standIn int64
	var sName, sPhone, role, kec, status string
	if err := h.DB().SQL().QueryRow(`SELECT u.id, u.full_name, u.phone, u.role, u.kecamatan, u.status FROM cases c
		JOIN users u ON u.id = c.reporter_id WHERE c.code = ?`, cs[0].Code).Scan(&standIn, &sName, &sPhone, &role, &kec, &status); err != nil {
		t.Fatal(err)
	}
	if standIn >= 0 || sName != "Petugas yang dihapus" || sPhone != "" || role != store.RolePSM || kec != kecTelanaipura ||
		status != store.UserErased {
		t.Fatalf("stand-in %d %q %q %s %s %s", standIn, sName, sPhone, role, kec, status)
	}
	if n := countRows(t, h, `SELECT COUNT(*) FROM cases`); n != 3 {
		t.Fatalf("%d cases left, want 3", n)
	}
	// ...and the audit has it, under the stand-in.
	if !auditHas(t, h, standIn, "erase_user", "self") {
		t.Fatal("erasure not audited")
	}
	m = admin.send("/kasus", "Kasus yang dapat Anda tinjau")
	if strings.Contains(m.Text, "Tono") {
		t.Fatalf("the erased name is still shown: %s", m.Text)
	}

	// An admin erases the reported case's personal data; the case stays.
	m = admin.send("/hapus_kasus JMB-26-00001", "tidak bisa dibatalkan")
	if err := admin.Press("🗑 Hapus data pribadi"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(m.ID, "sudah dihapus")
	var nik, fullName, address, category string
	if err := h.DB().SQL().QueryRow(`SELECT nik, full_name, address, category FROM cases WHERE code = 'JMB-26-00001'`).
		Scan(&nik, &fullName, &address, &category); err != nil {
		t.Fatal(err)
	}
	if nik != "" || fullName == "Siti Aminah" || address != "" || category != "PPKS02" {
		t.Fatalf("case still holds %q %q %q (%s)", nik, fullName, address, category)
	}
	if _, err := os.Stat(filepath.Join(media, photoPath)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the photo file is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(media, filepath.Dir(photoPath))); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the case's empty photo folder is still there: %v", err)
	}
	for _, f := range tablesHolding(t, h, "Siti Aminah", nikSiti, nikSitiMask, "Pattimura", fileID) {
		t.Error(f)
	}
	if n := countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE kind = 'location' AND payload LIKE '%103.6131%'`); n != 0 {
		t.Errorf("%d location messages still hold the case's coordinates", n)
	}
	if !auditHas(t, h, adminID, "erase_case", "JMB-26-00001 photos=1") {
		t.Fatal("case erasure not audited")
	}
	h.NoViolations()
}
