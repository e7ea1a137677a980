package flows_test

import (
	"bytes"
	"fmt"
	"image/color"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/store"
)

// TestBroadcastPhoto: the text step also takes a photo with a caption; the
// preview is that photo with that caption, and every recipient gets the same
// photo (sent by file_id: the fake serves the same bytes) and caption, with
// the progress and final count right.
func TestBroadcastPhoto(t *testing.T) {
	const n = 36
	h, admin := adminRig(t, bottest.Options{})
	users := massWorkers(t, h, n)
	users[0].Block()
	h.WaitUntil(caseWait, "the block seen", func() bool {
		return countRows(t, h, `SELECT COUNT(*) FROM users WHERE unreachable = 1`) == 1
	})

	photo := jpegBytes(t, color.RGBA{30, 160, 60, 255})
	caption := "Posyandu <lansia> & balita 🩺: Sabtu 08.00 di Aula Dinsos."
	admin.send("/siaran", "Siaran untuk siapa")
	admin.press("Semua PSM dan TKSK", "foto dengan keterangan")
	// Telegram's caption limit: 1024, counted as Telegram counts (an emoji is two).
	admin.do(func() { admin.SendPhoto(photo, strings.Repeat("a", 1025)) }, "Keterangan foto terlalu panjang: 1025")
	admin.do(func() { admin.SendPhoto(photo, strings.Repeat("😀", 600)) }, "Keterangan foto terlalu panjang: 1200")
	sum := admin.do(func() { admin.SendPhoto(photo, caption) }, "Simpan")
	if !strings.Contains(sum.Text, "🖼 Foto; keterangan: "+caption) {
		t.Fatalf("summary: %s", sum.Text)
	}
	confirm := admin.press("✅ Simpan", "Kirim siaran di atas ke")
	if !strings.Contains(confirm.Text, fmt.Sprintf("ke %d orang", n)) || !strings.Contains(confirm.Text, "1 di antaranya") {
		t.Fatalf("confirmation: %s", confirm.Text)
	}
	msgs := admin.Messages()
	preview := msgs[len(msgs)-2]
	if preview.Kind != "photo" || preview.Caption != caption || !bytes.Equal(preview.File, photo) {
		t.Fatalf("preview is a %s with caption %q and %d bytes, want the photo (%d bytes) with %q",
			preview.Kind, preview.Caption, len(preview.File), len(photo), caption)
	}

	progress := admin.press("📣 Kirim", "Siaran #1:")
	h.WaitUntil(caseWait, "the broadcast sent", func() bool {
		return countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE priority = ? AND status != 'pending'`,
			store.PriorityBroadcast) == n-1
	})
	sweepNow(h)
	final := admin.waitEditedTo(progress.ID, "selesai")
	want := fmt.Sprintf("Siaran #1 selesai: terkirim %d dari %d; tidak terjangkau: 1.", n-1, n)
	if !strings.Contains(final.Text, want) || !strings.Contains(final.Text, "Pekerja 0000") {
		t.Fatalf("final progress %q, want %q naming Pekerja 0000", final.Text, want)
	}
	for i, u := range users {
		got := u.Messages()
		if i == 0 {
			if len(got) != 0 {
				t.Fatalf("the blocked worker got %+v", got)
			}
			continue
		}
		if len(got) != 1 || got[0].Kind != "photo" || got[0].Caption != caption || !bytes.Equal(got[0].File, photo) {
			t.Fatalf("worker %d got %+v", i, got)
		}
	}
	if got := countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE priority = ? AND kind = 'photo' AND status = 'sent'`,
		store.PriorityBroadcast); got != n-1 {
		t.Fatalf("%d photo rows sent, want %d", got, n-1)
	}
	if !auditHas(t, h, adminID, "broadcast", fmt.Sprintf("n=%d", n)) || !auditHas(t, h, adminID, "broadcast_done", "sent=35") {
		t.Fatal("photo broadcast not audited")
	}
	h.NoViolations()
}

// TestBroadcastTextLimit: plain text up to Telegram's 4096 characters (after
// the HTML is parsed, so escaping does not count; an emoji counts two).
func TestBroadcastTextLimit(t *testing.T) {
	h, admin := adminRig(t, bottest.Options{})
	worker := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	admin.send("/siaran", "Siaran untuk siapa")
	admin.press("Semua PSM dan TKSK", "isi siaran")
	admin.send(strings.Repeat("a", 4097), "Terlalu panjang: 4097")
	admin.send(strings.Repeat("😀", 2049), "Terlalu panjang: 4098")
	text := strings.Repeat("<a & b> ", 512) // 4096 characters, far more once escaped
	admin.send(text, "Simpan")
	admin.press("✅ Simpan", "ke 1 orang")
	msgs := admin.Messages()
	if preview := msgs[len(msgs)-2]; preview.Kind != "text" || preview.Text != strings.TrimSpace(text) {
		t.Fatalf("preview %s of %d characters", preview.Kind, len(preview.Text))
	}
	admin.press("📣 Kirim", "Siaran #1:")
	got, err := worker.WaitForText(caseWait, "<a & b>")
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != strings.TrimSpace(text) {
		t.Fatalf("worker got %d characters", len(got.Text))
	}
	h.NoViolations()
}
