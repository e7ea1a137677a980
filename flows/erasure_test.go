package flows_test

import (
	"bytes"
	"errors"
	"image/color"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"
)

// bytesHolding lists which needles occur (ignoring ASCII case) in the bytes
// of the database file, its -wal file and every file under media: what an
// attacker copying the server's disk would find.
func bytesHolding(t *testing.T, h *bottest.Harness, media string, needles ...string) []string {
	t.Helper()
	files := []string{h.DBPath, h.DBPath + "-wal"}
	if media != "" {
		if err := filepath.WalkDir(media, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	var found []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.ToLower(b)
		for _, n := range needles {
			if bytes.Contains(b, bytes.ToLower([]byte(n))) {
				found = append(found, filepath.Base(f)+" holds "+n)
			}
		}
	}
	return found
}

// settled waits until nothing is left to send.
func settled(t *testing.T, h *bottest.Harness) {
	t.Helper()
	h.WaitUntil(caseWait, "the outbox drained", func() bool {
		return countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE status = 'pending'`) == 0
	})
}

// TestEraseCaseLeavesNoBytes: a worker reports a case with a distinctive
// name, NIK and address, a location and a photo; the coordinator gets the
// notice, the map point and the photo. An admin erases the case: the notices
// already delivered are deleted from the coordinator's and the worker's
// chats, the photo file goes, and neither the database file, nor its
// write-ahead log, nor the media folder holds the name, the NIK (plain or
// masked) or the address any more.
func TestEraseCaseLeavesNoBytes(t *testing.T) {
	const (
		name    = "Zubaidah Kartosoewirjo"
		address = "Lorong Kenanga Wangi Nomor 77"
	)
	media := t.TempDir()
	h, admin := adminRig(t, mediaOpts(media))
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, kelBuluranKenali, kecTelanaipura)
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")

	reportUpToNIK(worker, name)
	worker.do(func() { worker.SendText("1571 0152 0590 0003") }, nikSitiMask)
	if _, err := worker.WaitForText(caseWait, "jenis kelamin"); err != nil {
		t.Fatal(err)
	}
	worker.press("Perempuan (sesuai NIK)", "tanggal lahir")
	worker.press("12-05-1990 (sesuai NIK)", "tempat lahir")
	worker.send("/lewati", "alamat")
	worker.send(address, "RT/RW")
	worker.send("/lewati", "No. KK")
	worker.send("/lewati", "wilayah")
	worker.press("📍 Buluran Kenali, Telanaipura", "lokasi")
	worker.do(func() { worker.SendLocation(-1.6101, 103.6131) }, "foto")
	worker.do(func() { worker.SendPhoto(jpegBytes(t, color.RGBA{10, 200, 10, 255}), "") }, "Foto ke-1")
	worker.press("✔️ Selesai", "keadaannya")
	worker.send("Tinggal sendiri di gubuk.", "kebutuhan")
	worker.toggle("Pangan")
	worker.press("✔️ Selesai", "mendesak")
	summary := worker.press("Biasa", "Periksa data")
	worker.press("✅ Simpan", "JMB-26-00001")
	notice, err := coord.WaitForText(caseWait, name)
	if err != nil {
		t.Fatal(err)
	}
	h.WaitUntil(caseWait, "the photo downloaded and sent", func() bool {
		return countRows(t, h, `SELECT COUNT(*) FROM case_photos WHERE status = 'done'`) == 1 &&
			countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND kind = 'photo' AND status = 'sent'`,
				coord.ID()) == 1
	})
	settled(t, h)
	needles := []string{name, nikSiti, nikSitiMask, address}
	if found := bytesHolding(t, h, media, needles...); len(found) == 0 {
		t.Fatal("the scan finds nothing before the erasure: it checks nothing")
	}

	m := admin.send("/hapus_kasus JMB-26-00001", "tidak bisa dibatalkan")
	if err := admin.Press("🗑 Hapus data pribadi"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(m.ID, "sudah dihapus")

	// The copies in chats go: the coordinator's notice (the photo, with the
	// map link in its caption), the worker's summary.
	if notice.Kind != "photo" || !strings.Contains(notice.RawText, "https://maps.google.com/?q=") {
		t.Errorf("notice is a %s: %q", notice.Kind, notice.Caption)
	}
	for _, id := range []int{notice.ID} {
		if err := coord.WaitDeleted(caseWait, id); err != nil {
			t.Error(err)
		}
	}
	if err := worker.WaitDeleted(caseWait, summary.ID); err != nil {
		t.Error(err)
	}
	settled(t, h)
	for _, cm := range append(coord.Messages(), worker.Messages()...) {
		if !cm.Deleted && (strings.Contains(cm.Text+cm.Caption, name) || strings.Contains(cm.Text, address)) {
			t.Errorf("a message still shows the case: %q", cm.Text)
		}
	}
	// No byte of it is left on disk.
	for _, f := range bytesHolding(t, h, media, needles...) {
		t.Error(f)
	}
	if !auditHas(t, h, adminID, "erase_case", "JMB-26-00001 photos=1") {
		t.Error("erasure not audited")
	}
	h.NoViolations()
}

// TestEraseMeLeavesNoBytes: a worker erases their own data from their chat;
// neither the database file nor its write-ahead log keeps their name or
// phone number.
func TestEraseMeLeavesNoBytes(t *testing.T) {
	const name = "Wiraguna Setiabudhi"
	h, _ := adminRig(t, bottest.Options{})
	worker := seed(t, h, name, store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	worker.send("/data_saya", name)
	settled(t, h)
	if found := bytesHolding(t, h, "", name, "6281234567890"); len(found) == 0 {
		t.Fatal("the scan finds nothing before the erasure")
	}
	worker.send("/hapus_data_saya", "tidak bisa dibatalkan")
	if err := worker.Press("🗑 Ya, hapus data saya"); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.WaitForText(caseWait, "Data pribadi Anda sudah dihapus"); err != nil {
		t.Fatal(err)
	}
	settled(t, h)
	for _, f := range bytesHolding(t, h, "", name, "6281234567890") {
		t.Error(f)
	}
}

// TestEraseCaseDropsOnlyItsDrafts: two coordinators are writing the note of
// a decision, one on Budi's case, one on Budiman's (whose note names
// Budiman). Erasing Budi's case closes the first draft, and its owner is told;
// the draft about Budiman is untouched and can be finished.
func TestEraseCaseDropsOnlyItsDrafts(t *testing.T) {
	h, admin := adminRig(t, bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	first := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	second := seed(t, h, "Hendra Gunawan", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	newCase := func(name string) store.Case {
		return insertCase(t, h, store.Case{ReporterID: worker.ID(), Category: "PPKS02", FullName: name,
			Gender: "L", Age: 40, NoNIKReason: "tidak_tahu", Address: "Jl. Sumantri RT 02", Kecamatan: kecTelanaipura,
			Kelurahan: kelBuluranKenali, Description: "Tidak punya tempat tinggal tetap.", Needs: []string{"pangan"},
			Urgency: "biasa"})
	}
	budi, budiman := newCase("Budi"), newCase("Budiman Hartono")
	openNote := func(u *tgUser, k store.Case, note string) {
		t.Helper()
		u.send("/verifikasi", "Kasus menunggu verifikasi")
		detail := u.press("🔎 "+k.Code+" · "+k.FullName, "Riwayat")
		u.do(func() {
			if err := u.PressOn(detail.ID, "✏️ Perlu perbaikan"); err != nil {
				t.Fatal(err)
			}
		}, "catatan/alasan")
		u.send(note, "bagian yang perlu diperbaiki")
	}
	openNote(first, budiman, "Alamat Budiman Hartono kurang RW.")
	openNote(second, budi, "Umur Budi perlu dicek.")
	caseOf := func(u *tgUser) (int64, bool) {
		t.Helper()
		var id int64
		err := h.DB().SQL().QueryRow(`SELECT case_id FROM conversations WHERE user_id = ?`, u.ID()).Scan(&id)
		return id, err == nil
	}
	if id, ok := caseOf(first); !ok || id != budiman.ID {
		t.Fatalf("the note draft on Budiman's case carries case %d (%v), want %d", id, ok, budiman.ID)
	}

	m := admin.send("/hapus_kasus "+budi.Code, "tidak bisa dibatalkan")
	if err := admin.Press("🗑 Hapus data pribadi"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(m.ID, "sudah dihapus")
	if _, err := second.WaitForText(caseWait, "ditutup"); err != nil {
		t.Fatal(err)
	}
	if _, ok := caseOf(second); ok {
		t.Error("the draft about the erased case is still stored")
	}
	if id, ok := caseOf(first); !ok || id != budiman.ID {
		t.Fatalf("the draft about Budiman was dropped (%d, %v)", id, ok)
	}
	first.toggle("Alamat")
	first.press("✔️ Selesai", "Periksa data")
	first.press("✅ Simpan", "Status diubah")
	if got := caseByCode(t, h, budiman.Code); got.Status != store.CaseNeedsFix {
		t.Errorf("Budiman's case is %s after the note, want %s", got.Status, store.CaseNeedsFix)
	}
	if got := caseByCode(t, h, budi.Code); got.FullName == "Budi" {
		t.Error("Budi's case was not erased")
	}
}

func caseByCode(t *testing.T, h *bottest.Harness, code string) store.Case {
	t.Helper()
	for _, k := range cases(t, h) {
		if k.Code == code {
			return k
		}
	}
	t.Fatalf("no case %s", code)
	return store.Case{}
}

// TestFreeTextNIKMasked: a NIK typed into the description (grouped with
// dashes) is deleted from the chat, the worker is told to type it only at
// the NIK step, and the summary, the stored case and the coordinator's notice
// hold it masked; shorter numbers (a phone, an RT) stay as typed.
func TestFreeTextNIKMasked(t *testing.T) {
	const typed = "Anak dengan NIK 1571-0152-0590-0003 tinggal di RT 05, HP ibu 081234567890."
	const stored = "Anak dengan NIK 1571-****-****-0003 tinggal di RT 05, HP ibu 081234567890."
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	reportUpToNIK(worker, "Siti Aminah")
	worker.press("Tidak ada NIK", "Mengapa")
	worker.press("Tidak tahu / tidak ingat", "jenis kelamin")
	worker.press("Perempuan", "tanggal lahir")
	worker.send("45 tahun", "tempat lahir")
	worker.send("/lewati", "alamat")
	// Bad input first: a NIK in the address is masked too, and a short
	// number is not a NIK.
	var msgID int
	told := worker.do(func() { msgID = worker.SendText("Jl. Sumantri 1571015205900003") }, "berisi NIK")
	if !strings.Contains(told.Text, "1571********0003") || strings.Contains(told.Text, nikSiti) {
		t.Errorf("the warning: %q", told.Text)
	}
	if err := worker.WaitDeleted(caseWait, msgID); err != nil {
		t.Error(err)
	}
	if _, err := worker.WaitForText(caseWait, "RT/RW"); err != nil {
		t.Fatal(err)
	}
	worker.send("/lewati", "No. KK")
	worker.send("/lewati", "wilayah")
	worker.press("📍 Buluran Kenali, Telanaipura", "lokasi")
	worker.send("/lewati", "foto")
	worker.press("✔️ Selesai", "keadaannya")
	worker.do(func() { msgID = worker.SendText(typed) }, "berisi NIK")
	if err := worker.WaitDeleted(caseWait, msgID); err != nil {
		t.Error(err)
	}
	if _, err := worker.WaitForText(caseWait, "kebutuhan"); err != nil {
		t.Fatal(err)
	}
	worker.toggle("Pangan")
	worker.press("✔️ Selesai", "mendesak")
	sum := worker.press("Biasa", "Periksa data")
	if !strings.Contains(sum.Text, stored) || strings.Contains(sum.Text, "0152") {
		t.Errorf("summary:\n%s", sum.Text)
	}
	worker.press("✅ Simpan", "Laporan tersimpan")
	notice, err := coord.WaitForText(caseWait, "HP ibu 081234567890")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(notice.Text, "0152") || !strings.Contains(notice.Text, "1571-****-****-0003") {
		t.Errorf("the coordinator's notice:\n%s", notice.Text)
	}
	k := cases(t, h)[0]
	if k.Description != stored || k.Address != "Jl. Sumantri 1571********0003" || k.NIK != "" {
		t.Errorf("stored description %q, address %q, NIK %q", k.Description, k.Address, k.NIK)
	}
	if found := tablesHolding(t, h, nikSiti, "1571-0152-0590-0003"); len(found) > 0 {
		t.Errorf("the typed NIK is stored: %v", found)
	}
	// A phone number alone is no NIK: nothing deleted, nothing said.
	if n := countText(worker.User, "berisi NIK"); n != 2 {
		t.Errorf("%d NIK warnings, want 2", n)
	}
	h.NoViolations()
}

func countText(u *telegramtest.User, substr string) int {
	n := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text+m.Caption, substr) {
			n++
		}
	}
	return n
}

// TestRetentionJob: the daily retention job (injected clock) deletes backups
// older than the retention at once, and once a message the bot sent is older
// than it, the stored copy loses its text (chat and message id stay), while
// the audit keeps that the job ran and what it did.
func TestRetentionJob(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "backups")
	r := newSchedRig(t, func(c *flows.Config) {
		c.Backups = flows.Backups{Dir: dir, Keep: 10, Spec: "0 2 * * *"}
		c.Retention = flows.Retention{Days: 30}
	})
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "dinsosbot-20260101-020000.db")
	if err := os.WriteFile(old, []byte("old copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	greeting := func() (payload string, mid int) {
		t.Helper()
		if err := r.h.DB().SQL().QueryRow(`SELECT payload, tg_message_id FROM outbox WHERE chat_id = ? AND kind = 'send'
			ORDER BY id LIMIT 1`, adminID).Scan(&payload, &mid); err != nil {
			t.Fatal(err)
		}
		return payload, mid
	}
	if p, _ := greeting(); !strings.Contains(p, "Halo") {
		t.Fatalf("the greeting as sent: %s", p)
	}

	r.tick(nov(3, 3, 30))
	if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a backup older than the retention is still there: %v", err)
	}
	if p, _ := greeting(); !strings.Contains(p, "Halo") {
		t.Errorf("a message younger than the retention was scrubbed: %s", p)
	}

	r.tick(time.Date(2026, 12, 10, 3, 30, 0, 0, wib))
	p, mid := greeting()
	if strings.Contains(p, "Halo") || mid == 0 {
		t.Errorf("a message older than the retention: %s (message %d), want no text and the message id", p, mid)
	}
	if !auditHas(t, r.h, flows.SystemUser, "retention", "days=30") ||
		!auditHas(t, r.h, flows.SystemUser, "retention_done", "backups=") {
		t.Error("the retention job is not audited")
	}
}
