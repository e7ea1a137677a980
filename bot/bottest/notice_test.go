package bottest_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"
)

// One message per notice (issue 13): what a reviewer's chat receives for a
// case, a meeting and a digest, counted in the fake.

// jpegOf is a small JPEG of one colour.
func jpegOf(t *testing.T, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		for y := range 30 {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	must(t, jpeg.Encode(&b, img, nil))
	return b.Bytes()
}

// reportWithLocation files a case in Telanaipura as worker, with the
// location -1.6101, 103.6131, the photos and the description given; it
// returns the case's code.
func reportWithLocation(t *testing.T, u actor, description string, photos ...[]byte) string {
	t.Helper()
	u.send("/lapor", "kelompok")
	u.press("👶 Anak", "kategori")
	u.press("Anak Telantar", "nama lengkap")
	u.send("Siti Aminah", "NIK")
	u.press("Tidak ada NIK", "Mengapa")
	u.press("Tidak tahu / tidak ingat", "jenis kelamin")
	u.press("Perempuan", "tanggal lahir")
	u.send("45 tahun", "tempat lahir")
	u.send("/lewati", "alamat")
	u.addressAndArea("Jl. Kenanga No. 7", "📍 Buluran Kenali, Telanaipura")
	u.do(func() { u.SendLocation(-1.6101, 103.6131) }, "foto")
	for i, p := range photos {
		u.do(func() { u.SendPhoto(p, "") }, "Foto ke-"+itoa(int64(i+1)))
	}
	u.press("✔️ Selesai", "keadaannya")
	u.send(description, "kebutuhan")
	must(t, u.Press("Pangan"))
	u.waitButton("✅ Pangan")
	u.press("✔️ Selesai", "mendesak")
	u.press("Biasa", "Periksa data")
	saved := u.press("✅ Simpan", "Laporan tersimpan")
	return regexpFind(t, `<b>([A-Z]+-\d+-\d+)</b>`, saved.RawText)
}

// captionUnits is a caption's length as Telegram counts it.
func captionUnits(s string) int { return len(utf16.Encode([]rune(s))) }

// A case with a photo and a location reaches its reviewer as exactly one
// message: the photo, the card as its caption with a map link. Verifying it
// edits that message's caption; no other message is added.
func TestCaseNoticeIsOneMessage(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	coord := seedPerson(t, h, "Kurnia Dewi", store.RoleCoordinator, "15.71.01", "15.71.01.1002", "15.71.01")
	worker := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, worker.User, "")
	photo := jpegOf(t, color.RGBA{200, 10, 10, 255})
	calls := func() int {
		return h.Server.Calls("sendMessage") + h.Server.Calls("sendPhoto") + h.Server.Calls("sendLocation")
	}

	before := calls()
	code := reportWithLocation(t, worker, "Tinggal sendiri sejak orang tuanya meninggal.", photo)
	notice, err := coord.WaitForText(wait, "Kasus baru")
	must(t, err)
	settle(t, h)
	msgs := coord.Messages()
	// The worker's own messages (the saved report, the prompts) are
	// counted apart: what the case cost is the reviewer's chat.
	t.Logf("messages per case notice: %d (Bot API sends to the reviewer: %d of %d in all)",
		len(msgs), len(msgs), calls()-before)
	if len(msgs) != 1 {
		t.Fatalf("the reviewer got %d messages for one case, want 1: %+v", len(msgs), msgs)
	}
	if notice.Kind != "photo" || !bytes.Equal(notice.File, photo) {
		t.Errorf("the notice is a %s of %d bytes, want the case's photo", notice.Kind, len(notice.File))
	}
	for _, want := range []string{code, "Siti Aminah", `href="https://maps.google.com/?q=-1.610100,103.613100"`} {
		if !strings.Contains(notice.RawText, want) {
			t.Errorf("the caption lacks %q: %q", want, notice.RawText)
		}
	}
	if !hasButton(notice, "✅ Verifikasi") || hasButton(notice, "📷 Semua foto (1)") {
		t.Errorf("notice buttons %v", labels(notice))
	}

	must(t, coord.PressOn(notice.ID, "✅ Verifikasi"))
	edited, err := coord.WaitFor(wait, func(msgs []telegramtest.Message) bool {
		return len(msgs) == 1 && strings.Contains(msgs[0].Caption, "Status: 🟢 Diverifikasi oleh Kurnia Dewi")
	})
	must(t, err)
	if m := edited[0]; m.ID != notice.ID || m.Kind != "photo" || !m.Edited || hasButton(m, "✅ Verifikasi") ||
		!hasButton(m, "🔵 Tindak lanjut") {
		t.Errorf("after verifying, the notice is %+v", m)
	}
	waitText(t, worker.User, "status sekarang 🟢 Diverifikasi")
	settle(t, h)
	if n := len(coord.Messages()); n != 1 {
		t.Errorf("verifying added messages to the reviewer's chat: %d", n)
	}
	if n := h.Server.Calls("editMessageCaption"); n != 1 {
		t.Errorf("%d caption edits, want 1", n)
	}
	h.NoViolations()
}

// A card too long for a caption (a 1000-character description, then a
// 1000-character note) is still one photo message: the description and the
// note are clipped to fit, the whole card a button away, and every photo
// another.
func TestCaseNoticeLongCaptionClipped(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	coord := seedPerson(t, h, "Kurnia Dewi", store.RoleCoordinator, "15.71.01", "15.71.01.1002", "15.71.01")
	worker := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, worker.User, "")
	long := strings.Repeat("Anak tinggal sendiri <tanpa> wali & tidak sekolah. ", 20)[:1000]
	p1, p2 := jpegOf(t, color.RGBA{200, 10, 10, 255}), jpegOf(t, color.RGBA{10, 10, 200, 255})
	reportWithLocation(t, worker, long, p1, p2)
	notice, err := coord.WaitForText(wait, "Kasus baru")
	must(t, err)
	settle(t, h)
	if n := len(coord.Messages()); n != 1 || notice.Kind != "photo" {
		t.Fatalf("%d messages, the notice a %s; want one photo", n, notice.Kind)
	}
	if n := captionUnits(notice.Caption); n > 1024 || !strings.Contains(notice.Caption, "…") {
		t.Errorf("caption of %d units, want at most 1024 and clipped: %q", n, notice.Caption)
	}
	if !hasButton(notice, "🔎 Detail") || !hasButton(notice, "📷 Semua foto (2)") || !hasButton(notice, "⛔ Tolak") {
		t.Fatalf("notice buttons %v", labels(notice))
	}

	// The whole card is a press away.
	detail := coord.press("🔎 Detail", "Riwayat")
	if !strings.Contains(detail.Text, strings.TrimSpace(long[900:])) {
		t.Errorf("the detail lacks the end of the description: %q", detail.Text)
	}
	// Every photo too, by file_id.
	must(t, coord.PressOn(notice.ID, "📷 Semua foto (2)"))
	got, err := coord.WaitFor(wait, func(msgs []telegramtest.Message) bool {
		n := 0
		for _, m := range msgs {
			if m.Kind == "photo" {
				n++
			}
		}
		return n == 3
	})
	must(t, err)
	var files [][]byte
	for _, m := range got[1:] {
		if m.Kind == "photo" {
			files = append(files, m.File)
		}
	}
	if len(files) != 2 || !bytes.Equal(files[0], p1) || !bytes.Equal(files[1], p2) {
		t.Errorf("the photos button sent %d photos", len(files))
	}

	// Rejecting with a 1000-character note edits the caption, clipped.
	must(t, coord.PressOn(notice.ID, "⛔ Tolak"))
	waitText(t, coord.User, "catatan/alasan")
	note := strings.Repeat("Data tidak lengkap; mohon cek ulang. ", 30)[:1000]
	coord.send(note, "Periksa data")
	must(t, coord.Press("✅ Simpan"))
	edited, err := coord.WaitFor(wait, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			if m.ID == notice.ID && strings.Contains(m.Caption, "Ditolak oleh Kurnia Dewi") {
				return true
			}
		}
		return false
	})
	must(t, err)
	for _, m := range edited {
		if m.ID == notice.ID && captionUnits(m.Caption) > 1024 {
			t.Errorf("edited caption of %d units", captionUnits(m.Caption))
		}
	}
	settle(t, h)
	h.NoViolations()
}

// With 10,000 workers none of whom reported, the admin's weekly digest is
// a few messages (chart, text, the full list as a sheet), not a hundred.
func TestDigestTenThousandUsersIsShort(t *testing.T) {
	const adminID, workers = 9001, 10000
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID},
		Flows: func(c *flows.Config) { c.Schedules.DigestDefault = "weekly" }})
	admin := startAdmin(t, h, adminID)
	// Seeded in one transaction: a registration each would take minutes.
	tx, err := h.DB().SQL().Begin()
	must(t, err)
	stmt, err := tx.Prepare(`INSERT INTO users (id, first_name, role, status, full_name, phone, kecamatan, kelurahan,
		created_at, updated_at) VALUES (?, ?, 'psm', 'active', ?, '+6281200000000', '15.71.01', '15.71.01.1002',
		'2026-10-01T00:00:00Z', '2026-10-01T00:00:00Z')`)
	must(t, err)
	for i := range workers {
		name := fmt.Sprintf("Pekerja %05d", i)
		if _, err := stmt.Exec(7_000_000+i, name, name); err != nil {
			t.Fatal(err)
		}
	}
	must(t, stmt.Close())
	must(t, tx.Commit())
	reporter := seedPerson(t, h, "Sri Wahyuni", store.RolePSM, "15.71.01", "15.71.01.1002")
	storeCase(t, h, store.Case{ReporterID: reporter.ID(), Category: "PPKS01", FullName: "Siti Aminah", Gender: "P",
		Age: 45, NoNIKReason: "unknown", Address: "Jl. Kenanga 7", Kecamatan: "15.71.01", Kelurahan: "15.71.01.1002",
		Description: "Tinggal sendiri.", Needs: []string{"pangan"}, Urgency: "biasa"}, store.CaseNew, 0)

	before := len(admin.Messages())
	admin.SendText("/ringkasan sekarang")
	var sheet telegramtest.Message
	_, err = admin.WaitFor(wait, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			if m.Kind == "document" {
				sheet = m
				return true
			}
		}
		return false
	})
	must(t, err)
	settle(t, h)
	msgs := admin.Messages()[before:]
	t.Logf("weekly digest with %d idle workers: %d messages", workers, len(msgs))
	if len(msgs) > 3 {
		t.Fatalf("the digest took %d messages, want at most 3", len(msgs))
	}
	var text string
	for _, m := range msgs {
		switch m.Kind {
		case "text":
			text = m.Text
		case "photo": // the chart, the digest its caption when it fits
			text = m.Caption
		}
	}
	if !strings.Contains(text, "Ringkasan mingguan") || !strings.Contains(text, "Petugas tanpa laporan 30 hari: 10000") ||
		!strings.Contains(text, "… dan 9990 lainnya") || strings.Count(text, "Pekerja 0") != 10 {
		t.Errorf("digest text:\n%s", text)
	}
	f, err := excelize.OpenReader(bytes.NewReader(sheet.File))
	must(t, err)
	rows, err := f.GetRows(f.GetSheetName(0))
	must(t, err)
	if len(rows) != workers+1 {
		t.Errorf("the sheet lists %d rows, want %d and a head", len(rows)-1, workers)
	}
	h.NoViolations()
}
