package flows_test

import (
	"slices"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/store"
)

// A coordinator sends a case back marking the NIK and the address: the worker
// is told both by name, the fix button opens the form at the NIK, the summary
// flags the address until it is changed, and the fix goes back to that
// coordinator (not the other one of the kecamatan) saying what changed. The
// case and its history hold the marked and the changed fields; the old fix
// button is stale once the fix is sent.
func TestCaseFixMarkedFields(t *testing.T) {
	const nikFixed, nikFixedMask = "1571015205900007", "1571********0007"
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	other := seed(t, h, "Hendra Gunawan", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	k := insertCase(t, h, store.Case{ReporterID: worker.ID(), Category: "PPKS02", FullName: "Siti Aminah", NIK: nikSiti,
		NoKK: "1571011234560007", RT: "005", RW: "002",
		Gender: "P", BirthDate: "1990-05-12", Address: "Jl. Kapt. Pattimura RT 05", Kecamatan: kecTelanaipura,
		Kelurahan: kelBuluranKenali, Description: "Tinggal sendiri sejak orang tuanya meninggal.",
		Needs: []string{"pangan"}, Urgency: "biasa"})

	// The coordinator marks NIK and address (pressed in the other order).
	coord.send("/verifikasi", "Kasus menunggu verifikasi")
	detail := coord.press("🔎 "+k.Code+" · Siti Aminah", "Riwayat")
	coord.do(func() {
		if err := coord.PressOn(detail.ID, "✏️ Perlu perbaikan"); err != nil {
			t.Fatal(err)
		}
	}, "catatan/alasan")
	marking := coord.send("NIK salah ketik, alamat kurang RW.", "bagian yang perlu diperbaiki")
	for _, want := range []string{"Nama", "NIK", "Tanggal lahir/umur", "Alamat", "Kecamatan", "Foto", "Tingkat",
		"✔️ Selesai", "⏭ Lewati"} {
		if !hasButton(marking, want) {
			t.Errorf("marking lacks the button %q: %q", want, caseButtons(marking))
		}
	}
	for _, not := range []string{"Kelompok", "NIK sudah tercatat", "Catatan lanjutan", "Wilayah"} {
		if hasButton(marking, not) {
			t.Errorf("marking offers %q", not)
		}
	}
	coord.toggle("Alamat")
	coord.toggle("NIK")
	summary := coord.press("✔️ Selesai", "Periksa data")
	if !strings.Contains(summary.Text, "Perlu diperbaiki: Alamat, NIK") { // as pressed
		t.Errorf("coordinator's summary:\n%s", summary.Text)
	}
	told := worker.do(func() { coord.press("✅ Simpan", "Status diubah: 🟠 Perlu perbaikan") },
		"status sekarang 🟠 Perlu perbaikan")
	for _, want := range []string{"NIK salah ketik, alamat kurang RW.", "Perlu diperbaiki: NIK, Alamat"} {
		if !strings.Contains(told.Text, want) {
			t.Errorf("the worker's notice lacks %q:\n%s", want, told.Text)
		}
	}
	if ev := caseEvents(t, h, k.ID); !slices.Equal(ev[len(ev)-1].Fields, []string{"nik", "address"}) {
		t.Errorf("needs-fix event %+v", ev[len(ev)-1])
	}

	// The fix button opens the NIK step; a new NIK re-asks gender and birth
	// (they depend on it), then the summary flags the address alone.
	open := worker.do(func() {
		if err := worker.PressOn(told.ID, "✏️ Perbaiki laporan"); err != nil {
			t.Fatal(err)
		}
	}, "Koordinator meminta perbaikan")
	if !strings.Contains(open.Text, "NIK, Alamat") || !strings.Contains(open.Text, "Tulis NIK") ||
		strings.Contains(open.Text, "Periksa data") {
		t.Errorf("the fix did not open at the NIK:\n%s", open.Text)
	}
	worker.send(nikFixed, nikFixedMask)
	if _, err := worker.WaitForText(caseWait, "jenis kelamin"); err != nil {
		t.Fatal(err)
	}
	worker.press("Perempuan (sesuai NIK)", "tanggal lahir")
	flagged := worker.press("12-05-1990 (sesuai NIK)", "Periksa data")
	if !strings.Contains(flagged.Text, "⚠️ Alamat:") || strings.Contains(flagged.Text, "⚠️ NIK") ||
		!strings.Contains(flagged.Text, "NIK: "+nikFixedMask) || !strings.Contains(flagged.Text, "⚠️ = perlu diperbaiki") {
		t.Errorf("summary after fixing the NIK:\n%s", flagged.Text)
	}
	if !hasButton(flagged, "✏️ ⚠️ Alamat") || !hasButton(flagged, "✏️ NIK") {
		t.Errorf("summary buttons %q", caseButtons(flagged))
	}
	// The same address again is no change: still flagged.
	worker.press("✏️ ⚠️ Alamat", "alamat")
	if again := worker.send("Jl. Kapt. Pattimura RT 05", "Periksa data"); !strings.Contains(again.Text, "⚠️ Alamat:") {
		t.Errorf("an unchanged address lost its flag:\n%s", again.Text)
	}
	worker.press("✏️ ⚠️ Alamat", "alamat")
	if done := worker.send("Jl. Kapt. Pattimura RT 05 RW 02", "Periksa data"); strings.Contains(done.Text, "⚠️") {
		t.Errorf("flags left after fixing both:\n%s", done.Text)
	}
	worker.press("✅ Simpan", "dikirim kembali ke koordinator")

	// Back to the same coordinator, saying what changed; not to the other one.
	back, err := coord.WaitForText(caseWait, "Kasus sudah diperbaiki")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(back.Text, "Diubah: NIK, Alamat") || strings.Contains(back.Text, "tidak diubah") ||
		!hasButton(back, "✅ Verifikasi") {
		t.Errorf("resubmission notice:\n%s", back.Text)
	}
	if _, err := other.WaitForText(caseWait/10, "Kasus sudah diperbaiki"); err == nil {
		t.Error("the other coordinator was sent the resubmission")
	}
	got := cases(t, h)[0]
	if got.Status != store.CaseNew || got.NIK != nikFixed || got.Address != "Jl. Kapt. Pattimura RT 05 RW 02" ||
		got.Gender != "P" || got.BirthDate != "1990-05-12" || got.ReviewerID != coord.ID() ||
		got.NoKK != "1571011234560007" || got.RT != "005" || got.RW != "002" {
		t.Errorf("case after the fix %+v", got)
	}
	var steps []string
	for _, e := range caseEvents(t, h, k.ID) {
		steps = append(steps, e.Action+":"+e.To+":"+strings.Join(e.Fields, ","))
	}
	if want := "create:baru: status:perlu_perbaikan:nik,address resubmit:baru:nik,address"; strings.Join(steps, " ") != want {
		t.Errorf("history %q, want %q", strings.Join(steps, " "), want)
	}
	coord.send("/kasus", "Kasus yang dapat Anda tinjau")
	hist := coord.press("🔎 "+k.Code+" · Siti Aminah", "Riwayat")
	for _, want := range []string{"Perlu diperbaiki: NIK, Alamat", "Diubah: NIK, Alamat"} {
		if !strings.Contains(hist.Text, want) {
			t.Errorf("history view lacks %q:\n%s", want, hist.Text)
		}
	}

	// The old fix button, now that the case waits for review again.
	n := len(worker.CallbackAnswers())
	if err := worker.PressOn(told.ID, "✏️ Perbaiki laporan"); err != nil {
		t.Fatal(err)
	}
	worker.waitCallback(n+1, "tidak lagi menunggu perbaikan")
	noFullNIK(t, nikSiti, worker, coord, other)
	noFullNIK(t, nikFixed, worker, coord, other)
	h.NoViolations()
}

// A fix that leaves a marked field as it was is still sent, and the
// coordinator is told which marked field was not changed.
func TestCaseFixUnchangedField(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	k := insertCase(t, h, store.Case{ReporterID: worker.ID(), Category: "PPKS02", FullName: "Siti Aminah",
		Gender: "P", BirthDate: "1990-05-12", Address: "Jl. Kapt. Pattimura RT 05", Kecamatan: kecTelanaipura,
		Kelurahan: kelBuluranKenali, Description: "Tinggal sendiri.", Needs: []string{"pangan"}, Urgency: "biasa"})
	coord.send("/verifikasi", "Kasus menunggu verifikasi")
	detail := coord.press("🔎 "+k.Code+" · Siti Aminah", "Riwayat")
	coord.do(func() {
		if err := coord.PressOn(detail.ID, "✏️ Perlu perbaikan"); err != nil {
			t.Fatal(err)
		}
	}, "catatan/alasan")
	coord.send("Tambahkan foto dan tingkat kedaruratan.", "bagian yang perlu diperbaiki")
	coord.toggle("Tingkat")
	coord.toggle("Nama")
	coord.press("✔️ Selesai", "Periksa data")
	told := worker.do(func() { coord.press("✅ Simpan", "Status diubah") }, "Perlu diperbaiki: Nama, Tingkat")

	open := worker.do(func() {
		if err := worker.PressOn(told.ID, "✏️ Perbaiki laporan"); err != nil {
			t.Fatal(err)
		}
	}, "Koordinator meminta perbaikan")
	if !strings.Contains(open.Text, "nama lengkap") {
		t.Errorf("the fix did not open at the name:\n%s", open.Text)
	}
	sum := worker.send("Siti Aminah Putri", "Periksa data")
	if !strings.Contains(sum.Text, "⚠️ Tingkat:") || strings.Contains(sum.Text, "⚠️ Nama") {
		t.Errorf("summary:\n%s", sum.Text)
	}
	worker.press("✅ Simpan", "dikirim kembali ke koordinator")
	back, err := coord.WaitForText(caseWait, "Kasus sudah diperbaiki")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(back.Text, "Diubah: Nama") || !strings.Contains(back.Text, "tidak diubah: Tingkat") {
		t.Errorf("resubmission notice:\n%s", back.Text)
	}
	h.NoViolations()
}
