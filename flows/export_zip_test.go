package flows_test

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"
)

// mediaOpts gives the bot a media folder (photos downloaded through the
// fake); bottest passes it on to flows.Config.MediaDir.
func mediaOpts(media string) bottest.Options {
	return bottest.Options{Bot: func(c *bot.Config) {
		c.Media = bot.MediaConfig{Dir: media, Interval: 20 * time.Millisecond,
			MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	}}
}

// addPhoto records a photo of case id in the given state at once: "done"
// with data written into the media folder as bot/media.go names it,
// "pending" (next try far away), or "failed".
func addPhoto(t *testing.T, h *bottest.Harness, media string, caseID int64, status string, data []byte) {
	t.Helper()
	uid := fmt.Sprintf("T%d-%d", caseID, countRows(t, h, `SELECT COUNT(*) FROM case_photos`))
	rel := ""
	if status == store.PhotoDone {
		rel = fmt.Sprintf("case-%d/%s.jpg", caseID, uid)
		if err := os.MkdirAll(filepath.Join(media, filepath.Dir(rel)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(media, rel), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.DB().SQL().Exec(`INSERT INTO case_photos (case_id, file_id, file_unique_id, status, local_path,
		next_try, created_at) VALUES (?, ?, ?, ?, ?, ?, '2026-11-02T02:00:00Z')`, caseID, "FILE-"+uid, uid, status, rel,
		time.Now().Add(time.Hour).UnixMilli()); err != nil {
		t.Fatal(err)
	}
}

// exportWithPhotos drives /ekspor with every filter at "all" and photos
// answered yes, and returns the ZIP documents once want of them arrived.
func exportWithPhotos(t *testing.T, u *tgUser, want int) []telegramtest.Message {
	t.Helper()
	before := len(zips(u))
	u.send("/ekspor", "bentuk apa")
	u.press("📊 Tabel (XLSX + CSV)", "dilaporkan kapan")
	u.press("Semua", "Status kasus")
	u.press("Semua", "Kategori PMKS")
	u.press("Semua", "Kecamatan?")
	u.press("Semua (wilayah saya)", "Sertakan foto kasus (ZIP)?")
	u.press("Ya", "Simpan")
	u.pressFor("✅ Simpan", "kasus (XLSX")
	var got []telegramtest.Message
	if _, err := u.WaitFor(caseWait, func([]telegramtest.Message) bool {
		got = zips(u)[before:]
		return len(got) >= want
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func zips(u *tgUser) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range u.Messages() {
		if m.Kind == "document" && strings.HasSuffix(m.FileName, ".zip") {
			out = append(out, m)
		}
	}
	return out
}

func documents(u *tgUser) int {
	n := 0
	for _, m := range u.Messages() {
		if m.Kind == "document" {
			n++
		}
	}
	return n
}

// readZip returns a ZIP's entries by name.
func readZip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

func names(entries map[string][]byte) []string {
	var out []string
	for n := range entries {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// TestExportPhotosZip: photos reported through the fake and downloaded by
// the runtime, and others written into the media folder, come back in the
// ZIP as <case code>/<n>.jpg; those not downloaded are listed in
// MISSING.txt; a coordinator gets their area's only; both audited.
func TestExportPhotosZip(t *testing.T) {
	media := t.TempDir()
	h, admin := adminRig(t, mediaOpts(media))
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Rina Koordinator", store.RoleCoordinator, kecJambiSelatan, "", kecJambiSelatan)

	// JMB-26-00001: reported with two photos, which the runtime downloads.
	reportUpToNIK(worker, "Siti Aminah")
	worker.do(func() { worker.SendText(nikSiti) }, nikSitiMask)
	if _, err := worker.WaitForText(caseWait, "jenis kelamin"); err != nil {
		t.Fatal(err)
	}
	worker.press("Perempuan (sesuai NIK)", "tanggal lahir")
	worker.press("12-05-1990 (sesuai NIK)", "tempat lahir")
	worker.send("/lewati", "alamat")
	worker.send("Jl. Kapt. Pattimura RT 05", "RT/RW")
	worker.send("/lewati", "No. KK")
	worker.send("/lewati", "wilayah")
	worker.press("📍 Buluran Kenali, Telanaipura", "lokasi")
	worker.do(func() { worker.SendLocation(-1.6101, 103.6131) }, "foto")
	photo1, photo2 := jpegBytes(t, color.RGBA{200, 10, 10, 255}), jpegBytes(t, color.RGBA{10, 10, 200, 255})
	worker.do(func() { worker.SendPhoto(photo1, "") }, "Foto ke-1")
	worker.do(func() { worker.SendPhoto(photo2, "") }, "Foto ke-2")
	worker.press("✔️ Selesai", "keadaannya")
	worker.send("Anak tinggal sendiri sejak orang tuanya meninggal.", "kebutuhan")
	worker.toggle("Pangan")
	worker.press("✔️ Selesai", "mendesak")
	worker.press("Biasa", "Periksa data")
	worker.press("✅ Simpan", "JMB-26-00001")
	h.WaitUntil(caseWait, "photos downloaded", func() bool {
		return countRows(t, h, `SELECT COUNT(*) FROM case_photos WHERE status = 'done'`) == 2
	})
	// JMB-26-00002: one photo still waiting, one given up on.
	pending := insertCases(t, h, worker.ID(), kecTelanaipura, kelBuluranKenali, 1)[0]
	addPhoto(t, h, media, pending.ID, store.PhotoPending, nil)
	addPhoto(t, h, media, pending.ID, store.PhotoFailed, nil)
	// JMB-26-00003 in Jambi Selatan: a photo on disk; JMB-26-00004: none.
	js := insertCases(t, h, worker.ID(), kecJambiSelatan, "15.71.02.1001", 2)
	photo3 := jpegBytes(t, color.RGBA{10, 200, 10, 255})
	addPhoto(t, h, media, js[0].ID, store.PhotoDone, photo3)

	docs := exportWithPhotos(t, admin, 1)
	if len(docs) != 1 || !strings.HasSuffix(docs[0].FileName, "-foto.zip") || !strings.Contains(docs[0].Caption, "3 foto.") ||
		!strings.Contains(docs[0].Caption, "2 foto belum tersedia: lihat MISSING.txt") {
		t.Fatalf("ZIP documents %+v", docs)
	}
	entries := readZip(t, docs[0].File)
	wantNames := []string{"JMB-26-00001/1.jpg", "JMB-26-00001/2.jpg", "JMB-26-00003/1.jpg", "MISSING.txt"}
	if got := names(entries); !slices.Equal(got, wantNames) {
		t.Fatalf("ZIP holds %v, want %v", got, wantNames)
	}
	for name, want := range map[string][]byte{"JMB-26-00001/1.jpg": photo1, "JMB-26-00001/2.jpg": photo2, "JMB-26-00003/1.jpg": photo3} {
		if !bytes.Equal(entries[name], want) {
			t.Errorf("%s: %d bytes, want the %d sent", name, len(entries[name]), len(want))
		}
	}
	missing := string(entries["MISSING.txt"])
	for _, want := range []string{"JMB-26-00002/1.jpg: belum diunduh", "JMB-26-00002/2.jpg: gagal diunduh"} {
		if !strings.Contains(missing, want) {
			t.Errorf("MISSING.txt lacks %q:\n%s", want, missing)
		}
	}
	if !auditHas(t, h, adminID, "export_photos", "photos=5 missing=2") || !auditHas(t, h, adminID, "export_photos", "parts=1") {
		t.Fatal("photo export not audited")
	}

	// A coordinator gets the photos of their area only, by the rows' filter.
	docs = exportWithPhotos(t, coord, 1)
	if got := names(readZip(t, docs[0].File)); !slices.Equal(got, []string{"JMB-26-00003/1.jpg"}) ||
		strings.Contains(docs[0].Caption, "MISSING") {
		t.Fatalf("coordinator's ZIP holds %v, caption %q", got, docs[0].Caption)
	}
	if !auditHas(t, h, coord.ID(), "export_photos", "photos=1 missing=0 bytes="+fmt.Sprint(len(photo3))) ||
		!auditHas(t, h, coord.ID(), "export_photos", "kecamatan="+kecJambiSelatan) {
		t.Fatal("coordinator's photo export not audited")
	}

	// Answering no sends no ZIP.
	coord.send("/ekspor", "bentuk apa")
	coord.press("📊 Tabel (XLSX + CSV)", "dilaporkan kapan")
	coord.press("Semua", "Status kasus")
	coord.press("Semua", "Kategori PMKS")
	coord.press("Semua", "Kecamatan?")
	coord.press("Semua (wilayah saya)", "Sertakan foto")
	coord.press("Tidak", "Simpan")
	docsBefore := documents(coord)
	if err := coord.Press("✅ Simpan"); err != nil {
		t.Fatal(err)
	}
	if _, err := coord.WaitFor(caseWait, func([]telegramtest.Message) bool {
		return documents(coord) == docsBefore+2 // XLSX and CSV
	}); err != nil {
		t.Fatal(err)
	}

	// Once sent, the documents' bytes leave the outbox.
	h.WaitUntil(caseWait, "the documents sent", func() bool {
		return countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE kind = 'document' AND status = 'pending'`) == 0
	})
	if n := countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE kind = 'document' AND file IS NOT NULL`); n == 0 {
		t.Fatal("document bytes gone before the sweep")
	}
	sweepNow(h)
	if n := countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE kind = 'document' AND file IS NOT NULL`); n != 0 {
		t.Fatalf("%d sent documents keep their bytes", n)
	}
	if len(zips(coord)) != 1 {
		t.Fatal("a ZIP was sent after answering no")
	}
	h.NoViolations()
}

// TestExportPhotosZipParts: a ZIP over the part size is split into complete
// archives, each under the limit; one needing more than four parts is refused
// as too big, and that is audited too.
func TestExportPhotosZipParts(t *testing.T) {
	const limit = 30 << 10
	defer flows.SetZipPartLimit(limit)()
	media := t.TempDir()
	h, admin := adminRig(t, mediaOpts(media))
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	photo := func() []byte {
		b := make([]byte, 20<<10)
		rand.Read(b)
		return b
	}
	want := map[string][]byte{}
	for _, k := range insertCases(t, h, worker.ID(), kecTelanaipura, kelBuluranKenali, 3) {
		p := photo()
		addPhoto(t, h, media, k.ID, store.PhotoDone, p)
		want[k.Code+"/1.jpg"] = p
	}
	docs := exportWithPhotos(t, admin, 3)
	got := map[string][]byte{}
	for i, d := range docs {
		if len(d.File) > limit || !strings.HasSuffix(d.FileName, fmt.Sprintf("-foto-%d.zip", i+1)) ||
			!strings.Contains(d.Caption, fmt.Sprintf("Bagian %d dari 3", i+1)) {
			t.Fatalf("part %d: %s, %d bytes, caption %q", i+1, d.FileName, len(d.File), d.Caption)
		}
		for name, b := range readZip(t, d.File) {
			got[name] = b
		}
	}
	if len(got) != len(want) {
		t.Fatalf("parts hold %v, want %d photos", names(got), len(want))
	}
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Fatalf("%s differs", name)
		}
	}

	for _, k := range insertCases(t, h, worker.ID(), kecTelanaipura, kelBuluranKenali, 3) {
		addPhoto(t, h, media, k.ID, store.PhotoDone, photo())
	}
	admin.send("/ekspor", "bentuk apa")
	admin.press("📊 Tabel (XLSX + CSV)", "dilaporkan kapan")
	admin.press("Semua", "Status kasus")
	admin.press("Semua", "Kategori PMKS")
	admin.press("Semua", "Kecamatan?")
	admin.press("Semua (wilayah saya)", "Sertakan foto")
	admin.press("Ya", "Simpan")
	admin.pressFor("✅ Simpan", "terlalu besar")
	if len(zips(admin)) != 3 {
		t.Fatal("a ZIP too big was sent")
	}
	if !auditHas(t, h, adminID, "export_photos", "photos=6 missing=0") || !auditHas(t, h, adminID, "export_photos", "refused=too_big") {
		t.Fatal("refused photo export not audited")
	}
	h.NoViolations()
}
