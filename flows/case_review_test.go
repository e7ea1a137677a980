package flows_test

import (
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

func buttonData(t *testing.T, m telegramtest.Message, label string) string {
	t.Helper()
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == label {
				return b.CallbackData
			}
		}
	}
	t.Fatalf("no button %q on %q", label, m.Text)
	return ""
}

func caseStatus(t *testing.T, h *bottest.Harness) string {
	t.Helper()
	return cases(t, h)[0].Status
}

// The whole review loop in chat: needs fixing -> the worker fixes it ->
// verified -> follow-up -> closed, the reporter told at every step, the history
// holding each; forged buttons of a worker or of another area's coordinator
// change nothing.
func TestCaseReviewLoop(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	other := seed(t, h, "Budi Santoso", store.RoleCoordinator, kecJambiSelatan, "", kecJambiSelatan)

	reportUpToNIK(worker, "Siti Aminah")
	worker.send(nikSiti, "jenis kelamin")
	reportFromGender(worker, "Perempuan (sesuai NIK)", "", "12-05-1990")
	worker.press("✅ Simpan", "JMB-26-00001")
	notice, err := coord.WaitForText(caseWait, "Kasus baru")
	if err != nil {
		t.Fatal(err)
	}
	verify := buttonData(t, notice, "✅ Verifikasi")

	// Forged presses: the reporter, and a coordinator of another kecamatan.
	last, _ := worker.Last()
	worker.PressData(last.ID, verify)
	worker.waitCallback(len(worker.CallbackAnswers())+1, "tidak berhak")
	otherMsg := other.send("/start", "Halo")
	other.PressData(otherMsg.ID, verify)
	other.waitCallback(1, "tidak berhak")
	other.PressData(otherMsg.ID, "cs:1:a:x")
	other.waitCallback(2, "tidak berlaku")
	if got := caseStatus(t, h); got != store.CaseNew {
		t.Fatalf("status after forged presses = %s", got)
	}

	// Needs fixing, with a comment and no field marked: the worker's form
	// opens at the summary, as before fields could be marked.
	coord.press("✏️ Perlu perbaikan", "catatan/alasan")
	coord.send("Alamat kurang lengkap, tambahkan RW.", "bagian yang perlu diperbaiki")
	coord.press("⏭ Lewati", "Periksa data")
	coord.press("✅ Simpan", "Status diubah: 🟠 Perlu perbaikan")
	told, err := worker.WaitForText(caseWait, "status sekarang 🟠 Perlu perbaikan")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(told.Text, "Alamat kurang lengkap, tambahkan RW.") || strings.Contains(told.Text, "Perlu diperbaiki:") {
		t.Errorf("reporter not given the comment alone: %q", told.Text)
	}
	if summary := worker.press("✏️ Perbaiki laporan", "Periksa data"); strings.Contains(summary.Text, "⚠️") {
		t.Errorf("a field flagged with none marked:\n%s", summary.Text)
	}
	worker.press("✏️ Alamat", "alamat")
	worker.send("Jl. Kapt. Pattimura RT 05 RW 02", "Periksa data")
	worker.press("✅ Simpan", "dikirim kembali ke koordinator")
	if k := cases(t, h)[0]; k.Status != store.CaseNew || k.Address != "Jl. Kapt. Pattimura RT 05 RW 02" || k.NIK != nikSiti {
		t.Fatalf("case after the fix = %+v", k)
	}

	// Back to the same coordinator: verify, follow up, close.
	if back, err := coord.WaitForText(caseWait, "Kasus sudah diperbaiki"); err != nil {
		t.Fatal(err)
	} else if !strings.Contains(back.Text, "Diubah: Alamat") {
		t.Errorf("resubmission does not say what changed:\n%s", back.Text)
	}
	n := len(coord.CallbackAnswers())
	if err := coord.Press("✅ Verifikasi"); err != nil {
		t.Fatal(err)
	}
	coord.waitCallback(n+1, "Status diubah: 🟢 Diverifikasi")
	if _, err := worker.WaitForText(caseWait, "status sekarang 🟢 Diverifikasi"); err != nil {
		t.Fatal(err)
	}
	// A second press of the same (now stale) button changes nothing.
	coord.PressData(notice.ID, verify)
	coord.waitCallback(n+2, "status kasus sekarang 🟢 Diverifikasi")

	coord.press("🔵 Tindak lanjut", "catatan/alasan")
	coord.send("Dirujuk ke Puskesmas Putri Ayu.", "Periksa data")
	coord.press("✅ Simpan", "Status diubah: 🔵 Ditindaklanjuti")
	if _, err := worker.WaitForText(caseWait, "Dirujuk ke Puskesmas Putri Ayu."); err != nil {
		t.Fatal(err)
	}

	coord.press("🏁 Selesai", "catatan penutupan")
	coord.send("/lewati", "Periksa data")
	coord.press("✅ Simpan", "Status diubah: ✅ Selesai")
	if _, err := worker.WaitForText(caseWait, "status sekarang ✅ Selesai"); err != nil {
		t.Fatal(err)
	}

	ev := caseEvents(t, h, cases(t, h)[0].ID)
	var steps []string
	for _, e := range ev {
		steps = append(steps, e.Action+":"+e.From+">"+e.To)
	}
	want := "create:>baru status:baru>perlu_perbaikan resubmit:perlu_perbaikan>baru status:baru>diverifikasi " +
		"status:diverifikasi>ditindaklanjuti status:ditindaklanjuti>selesai"
	if got := strings.Join(steps, " "); got != want {
		t.Errorf("history = %s\nwant      %s", got, want)
	}
	if ev[1].Note != "Alamat kurang lengkap, tambahkan RW." || ev[1].UserID != coord.ID() {
		t.Errorf("needs-fix event = %+v", ev[1])
	}

	// /kasus: the worker's own list and the detail with its history.
	worker.send("/kasus", "Kasus yang Anda laporkan")
	worker.press("🔎 JMB-26-00001 · Siti Aminah", "Riwayat")
	detail, err := worker.WaitForText(caseWait, "Riwayat")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Dilaporkan", "Status → 🟠 Perlu perbaikan", "Diperbaiki dan dikirim ulang",
		"Dirujuk ke Puskesmas Putri Ayu.", nikSitiMask} {
		if !strings.Contains(detail.Text, w) {
			t.Errorf("detail lacks %q:\n%s", w, detail.Text)
		}
	}
	// The coordinator of another kecamatan sees nothing of it.
	other.send("/kasus", "Belum ada kasus yang dapat Anda tinjau")
	coord.send("/verifikasi", "Tidak ada kasus yang menunggu verifikasi")
	noFullNIK(t, nikSiti, worker, coord, other)
	h.NoViolations()
}
