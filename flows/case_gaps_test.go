package flows_test

import (
	"bytes"
	"image/color"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// waitMessage waits until message id in u's chat satisfies ok.
func (u *tgUser) waitMessage(id int, what string, ok func(m telegramtest.Message) bool) telegramtest.Message {
	u.t.Helper()
	var got telegramtest.Message
	if _, err := u.WaitFor(caseWait, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			if m.ID == id && ok(m) {
				got = m
				return true
			}
		}
		return false
	}); err != nil {
		u.t.Fatalf("waiting for message %d: %s: %v", id, what, err)
	}
	return got
}

func hasButton(m telegramtest.Message, label string) bool {
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == label {
				return true
			}
		}
	}
	return false
}

// The coordinator's notice is the case's first photo, re-sent by Telegram
// file_id (nothing uploaded again); its button sends every photo.
func TestCaseNoticeCarriesPhotos(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)

	reportUpToNIK(worker, "Siti Aminah")
	worker.send(nikSiti, "jenis kelamin")
	worker.press("Perempuan (sesuai NIK)", "tanggal lahir")
	worker.press("12-05-1990 (sesuai NIK)", "tempat lahir")
	worker.send("/lewati", "alamat")
	worker.send("Jl. Kapt. Pattimura RT 05", "RT/RW")
	worker.send("/lewati", "No. KK")
	worker.send("/lewati", "wilayah")
	worker.press("📍 Buluran Kenali, Telanaipura", "lokasi")
	worker.send("/lewati", "foto")
	photo1, photo2 := jpegBytes(t, color.RGBA{200, 10, 10, 255}), jpegBytes(t, color.RGBA{10, 10, 200, 255})
	worker.do(func() { worker.SendPhoto(photo1, "") }, "Foto ke-1")
	worker.do(func() { worker.SendPhoto(photo2, "") }, "Foto ke-2")
	worker.press("✔️ Selesai", "keadaannya")
	worker.send("Tinggal sendiri sejak orang tuanya meninggal.", "kebutuhan")
	worker.toggle("Pangan")
	worker.press("✔️ Selesai", "mendesak")
	worker.press("Biasa", "Periksa data")
	worker.press("✅ Simpan", "JMB-26-00001")

	notice, err := coord.WaitForText(caseWait, "Kasus baru")
	if err != nil {
		t.Fatal(err)
	}
	if notice.Kind != "photo" || !bytes.Equal(notice.File, photo1) {
		t.Fatalf("notice is a %s of %d bytes, want the first photo", notice.Kind, len(notice.File))
	}
	if err := coord.Press("📷 Semua foto (2)"); err != nil {
		t.Fatal(err)
	}
	var photos []telegramtest.Message
	h.WaitUntil(caseWait, "two photos for the coordinator", func() bool {
		photos = nil
		for _, m := range coord.Messages() {
			if m.Kind == "photo" {
				photos = append(photos, m)
			}
		}
		return len(photos) == 3
	})
	for i, want := range [][]byte{photo1, photo2} {
		m := photos[i+1]
		if wantCap := "📷 JMB-26-00001 · foto " + string(rune('1'+i)) + " dari 2"; m.Caption != wantCap {
			t.Errorf("photo %d caption %q, want %q", i+1, m.Caption, wantCap)
		}
		if !bytes.Equal(m.File, want) {
			t.Errorf("photo %d: %d bytes, not the %d the worker sent", i+1, len(m.File), len(want))
		}
	}
	if n := outboxCount(t, h, `kind = 'photo' AND chat_id = ? AND payload LIKE '%"file_id":%'`, coord.ID()); n != 3 {
		t.Errorf("%d photos sent by file_id, want 3", n)
	}
	h.NoViolations()
}

// A coordinator acting from the /kasus detail view: the original notice is
// edited to the new status too, and the detail is redrawn with its history.
func TestCaseActFromDetailEditsNotice(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	reportUpToNIK(worker, "Siti Aminah")
	worker.send(nikSiti, "jenis kelamin")
	reportFromGender(worker, "Perempuan (sesuai NIK)", "", "12-05-1990")
	worker.press("✅ Simpan", "JMB-26-00001")
	notice, err := coord.WaitForText(caseWait, "Kasus baru")
	if err != nil {
		t.Fatal(err)
	}

	coord.send("/kasus", "Kasus yang dapat Anda tinjau")
	detail := coord.press("🔎 JMB-26-00001 · Siti Aminah", "Riwayat")
	n := len(coord.CallbackAnswers())
	if err := coord.PressOn(detail.ID, "✅ Verifikasi"); err != nil {
		t.Fatal(err)
	}
	coord.waitCallback(n+1, "Status diubah: 🟢 Diverifikasi")
	coord.waitMessage(notice.ID, "the notice to show the verification", func(m telegramtest.Message) bool {
		return strings.Contains(m.Text, "Status: 🟢 Diverifikasi oleh Kurnia Dewi") && hasButton(m, "🔵 Tindak lanjut")
	})
	coord.waitMessage(detail.ID, "the detail redrawn", func(m telegramtest.Message) bool {
		return strings.Contains(m.Text, "Status → 🟢 Diverifikasi") && hasButton(m, "🔵 Tindak lanjut")
	})
	if _, err := worker.WaitForText(caseWait, "status sekarang 🟢 Diverifikasi"); err != nil {
		t.Fatal(err)
	}

	// An action with a note, from the detail view.
	if err := coord.PressOn(detail.ID, "🔵 Tindak lanjut"); err != nil {
		t.Fatal(err)
	}
	if _, err := coord.WaitForText(caseWait, "catatan/alasan"); err != nil {
		t.Fatal(err)
	}
	coord.send("Dirujuk ke Puskesmas Putri Ayu.", "Periksa data")
	coord.press("✅ Simpan", "Status diubah: 🔵 Ditindaklanjuti")
	coord.waitMessage(notice.ID, "the notice to show the follow-up", func(m telegramtest.Message) bool {
		return strings.Contains(m.Text, "Status: 🔵 Ditindaklanjuti oleh Kurnia Dewi") &&
			strings.Contains(m.Text, "Dirujuk ke Puskesmas Putri Ayu.")
	})
	coord.waitMessage(detail.ID, "the detail redrawn", func(m telegramtest.Message) bool {
		return strings.Contains(m.Text, "Status → 🔵 Ditindaklanjuti") && hasButton(m, "🏁 Selesai")
	})
	if got := cases(t, h)[0].Status; got != store.CaseFollowUp {
		t.Fatalf("status %s", got)
	}
	h.NoViolations()
}
