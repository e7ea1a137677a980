package flows_test

import (
	"context"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

const (
	nikSiti     = "1571015205900003" // female (52 = 12 + 40), born 12-05-1990, province 15 Jambi
	nikSitiMask = "1571********0003"
)

// reportUpToNIK opens /lapor and answers category and name.
func reportUpToNIK(u *tgUser, name string) {
	u.t.Helper()
	u.send("/lapor", "kelompok")
	u.press("👶 Anak", "kategori")
	u.press("Anak Telantar", "nama lengkap")
	u.send(name, "NIK")
}

// reportFromGender answers gender (pressing genderLabel) to the summary with
// the reporter's own area, no location and no photos.
func reportFromGender(u *tgUser, genderLabel, birthLabel, birthText string) {
	u.t.Helper()
	u.press(genderLabel, "tanggal lahir")
	if birthLabel != "" {
		u.press(birthLabel, "tempat lahir")
	} else {
		u.send(birthText, "tempat lahir")
	}
	u.send("/lewati", "alamat")
	u.send("Jl. Kapt. Pattimura RT 05", "RT/RW")
	u.send("/lewati", "No. KK")
	u.send("/lewati", "wilayah")
	u.press("📍 Buluran Kenali, Telanaipura", "lokasi")
	u.send("/lewati", "foto")
	u.press("✔️ Selesai", "keadaannya")
	u.send("Tinggal sendiri sejak orang tuanya meninggal.", "kebutuhan")
	u.toggle("Pangan")
	u.press("✔️ Selesai", "mendesak")
	u.press("Biasa", "Periksa data")
}

func outboxCount(t *testing.T, h *bottest.Harness, where string, args ...any) int {
	t.Helper()
	var n int
	if err := h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE `+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func noFullNIK(t *testing.T, nik string, users ...*tgUser) {
	t.Helper()
	for _, u := range users {
		for _, m := range u.Messages() {
			if strings.Contains(m.Text, nik) || strings.Contains(m.RawText, nik) {
				t.Errorf("user %d saw the full NIK in %q", u.ID(), m.Text)
			}
			for _, row := range m.InlineKeyboard {
				for _, b := range row {
					if strings.Contains(b.CallbackData, nik) {
						t.Errorf("full NIK in callback data %q", b.CallbackData)
					}
				}
			}
		}
	}
}

// A full report as the worker meets it: every step, a NIK (deleted, masked),
// location and photos; the stored case matches; the coordinator of the case's
// kecamatan (not another one) is told; the photos reach the media folder
// through getFile, one of them after a 500.
func TestCaseReportFull(t *testing.T) {
	media := t.TempDir()
	h := caseHarness(t, media, bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	other := seed(t, h, "Budi Santoso", store.RoleCoordinator, kecJambiSelatan, "", kecJambiSelatan)

	reportUpToNIK(worker, "Siti Aminah")
	var nikMsg int
	worker.do(func() { nikMsg = worker.SendText("1571 0152 0590 0003") }, nikSitiMask)
	if _, err := worker.WaitForText(caseWait, "jenis kelamin"); err != nil {
		t.Fatal(err)
	}
	h.WaitUntil(caseWait, "the NIK message deleted", func() bool {
		return outboxCount(t, h, `kind = 'delete' AND status = 'sent' AND chat_id = ? AND payload LIKE ?`,
			worker.ID(), fmt.Sprintf(`%%"message_id":%d%%`, nikMsg)) == 1
	})
	// The NIK's gender and birth date are offered as defaults.
	worker.press("Perempuan (sesuai NIK)", "tanggal lahir")
	worker.press("12-05-1990 (sesuai NIK)", "tempat lahir")
	worker.send("Muara Bulian", "alamat")
	worker.send("Jl. Kapt. Pattimura RT 05 <No. 12>", "RT/RW")
	worker.send("/lewati", "No. KK")
	worker.send("/lewati", "wilayah")
	worker.press("📍 Buluran Kenali, Telanaipura", "lokasi")
	worker.do(func() { worker.SendLocation(-1.6101, 103.6131) }, "foto")
	photo1, photo2 := jpegBytes(t, color.RGBA{200, 10, 10, 255}), jpegBytes(t, color.RGBA{10, 10, 200, 255})
	worker.do(func() { worker.SendPhoto(photo1, "") }, "Foto ke-1")
	worker.do(func() { worker.SendPhoto(photo2, "") }, "Foto ke-2")
	worker.press("✔️ Selesai", "keadaannya")
	worker.send("Anak tinggal sendiri sejak orang tuanya meninggal & tidak sekolah.", "kebutuhan")
	worker.toggle("Pangan")
	worker.toggle("Pendidikan")
	worker.press("✔️ Selesai", "mendesak")
	sum := worker.press("⚠️ Mendesak", "Periksa data")
	for _, want := range []string{"Anak Telantar", "Siti Aminah", nikSitiMask, "Perempuan", "12-05-1990",
		"Tempat lahir: <b>Muara Bulian</b>", "Jl. Kapt. Pattimura RT 05 &lt;No. 12&gt;", "2 foto", "Pangan, Pendidikan"} {
		if !strings.Contains(sum.RawText, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.RawText)
		}
	}
	h.Server.FailNext("getFile", 1, telegramtest.Fault{Kind: telegramtest.Fault500})
	worker.press("✅ Simpan", "JMB-26-00001")

	all := cases(t, h)
	if len(all) != 1 {
		t.Fatalf("%d cases stored", len(all))
	}
	k := all[0]
	want := store.Case{ID: k.ID, Code: "JMB-26-00001", ReporterID: worker.ID(), Category: "PPKS02", FullName: "Siti Aminah",
		NIK: nikSiti, Gender: "P", BirthDate: "1990-05-12", BirthPlace: "Muara Bulian", Address: "Jl. Kapt. Pattimura RT 05 <No. 12>",
		Kecamatan: kecTelanaipura, Kelurahan: kelBuluranKenali, HasLocation: true, Latitude: -1.6101, Longitude: 103.6131,
		Description: "Anak tinggal sendiri sejak orang tuanya meninggal & tidak sekolah.",
		Needs:       []string{"pangan", "pendidikan"}, Urgency: "mendesak", Status: store.CaseNew,
		CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt}
	if fmt.Sprint(k) != fmt.Sprint(want) {
		t.Errorf("case =\n%+v\nwant\n%+v", k, want)
	}
	if got := k.CreatedAt.Location().String(); got != "UTC" {
		t.Errorf("created_at in %s", got)
	}
	if ev := caseEvents(t, h, k.ID); len(ev) != 1 || ev[0].To != store.CaseNew || ev[0].UserID != worker.ID() {
		t.Errorf("history = %+v", ev)
	}

	notice, err := coord.WaitForText(caseWait, "Kasus baru")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"JMB-26-00001", nikSitiMask, "Siti Aminah", "Tempat lahir: Muara Bulian", "Sri Wahyuni",
		"⚠️ Mendesak", "2 foto"} {
		if !strings.Contains(notice.Caption, w) {
			t.Errorf("notice lacks %q:\n%s", w, notice.Caption)
		}
	}
	if n := outboxCount(t, h, `chat_id = ?`, other.ID()); n != 0 {
		t.Errorf("the coordinator of another kecamatan got %d messages", n)
	}
	noFullNIK(t, nikSiti, worker, coord)

	// Both photos downloaded, the first after getFile answered 500 once.
	var paths []string
	h.WaitUntil(caseWait, "photos downloaded", func() bool {
		paths = nil
		rows, err := h.DB().SQL().Query(`SELECT local_path FROM case_photos WHERE status = 'done' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var p string
			rows.Scan(&p)
			paths = append(paths, p)
		}
		return len(paths) == 2
	})
	for i, want := range [][]byte{photo1, photo2} {
		got, err := os.ReadFile(filepath.Join(media, paths[i]))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("photo %d: %d bytes on disk differ from the %d sent", i, len(got), len(want))
		}
	}
	if got := h.Server.CallsByResult("getFile")[500]; got != 1 {
		t.Errorf("getFile answered 500 %d times, want 1 (then retried)", got)
	}
	h.NoViolations()
}

// NIK rules at the step: each bad number is refused with its reason; a good one
// with a different gender or birth date only warns.
func TestCaseNIKRules(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	reportUpToNIK(worker, "Siti Aminah")
	for _, tc := range []struct{ in, want string }{
		{"15710152059000", "NIK harus 16 angka; yang dikirim 14 angka"},
		{"1571-0152-0590-00031", "yang dikirim 17 angka"},
		{"9971015205900003", "Kode provinsi 99"},
		{"1571019905900003", "Tanggal lahir di NIK (99) tidak mungkin"},
		{"1571011513900003", "Bulan lahir di NIK (13) tidak mungkin"},
		{"1571013102900003", "(31-2-1990) tidak ada di kalender"},
		{"1571015205900000", "tidak boleh 0000"},
		{"1571O15205900003", "hanya berisi angka"},
	} {
		worker.send(tc.in, tc.want)
	}
	// Every message that held (most of) a NIK was deleted.
	h.WaitUntil(caseWait, "NIK messages deleted", func() bool {
		return outboxCount(t, h, `kind = 'delete' AND status = 'sent'`) == 8
	})
	worker.send(nikSiti, "jenis kelamin")
	worker.press("Laki-laki", "berbeda dengan NIK (NIK menunjukkan Perempuan)")
	worker.send("13-05-1990", "berbeda dengan NIK (12-05-1990)")
	worker.send("/batal", "dibatalkan")

	// No NIK: a reason instead, and neither gender nor date is marked.
	reportUpToNIK(worker, "Budi")
	worker.press("Tidak ada NIK", "Mengapa tidak ada NIK")
	worker.press("Tidak punya / belum terdaftar", "jenis kelamin")
	worker.press("Laki-laki", "tanggal lahir")
	worker.send("tahun lalu", "Tanggal tidak terbaca")
	worker.send("130 tahun", "Umur harus 0 sampai 120")
	worker.send("45 tahun", "tempat lahir")
	worker.send("/lewati", "alamat")
	worker.send("Bawah jembatan Makalam", "RT/RW")
	worker.send("/lewati", "No. KK")
	worker.send("/lewati", "wilayah")
	worker.press("Wilayah lain", "kecamatan")
	worker.press("Jambi Selatan", "kelurahan")
	worker.press("Pasir Putih", "lokasi")
	worker.send("/lewati", "foto")
	worker.press("✔️ Selesai", "keadaannya")
	worker.send("Tidur di bawah jembatan.", "kebutuhan")
	worker.toggle("Tempat tinggal")
	worker.press("✔️ Selesai", "mendesak")
	sum := worker.press("🚨 Darurat", "Periksa data")
	for _, want := range []string{"Tidak ada NIK", "Tidak punya / belum terdaftar", "45 tahun", "Pasir Putih"} {
		if !strings.Contains(sum.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.Text)
		}
	}
	worker.press("✅ Simpan", "JMB-26-00001")
	k := cases(t, h)[0]
	if k.NIK != "" || k.NoNIKReason != "tidak_punya" || k.Age != 45 || k.BirthDate != "" ||
		k.Kecamatan != kecJambiSelatan || k.Urgency != "darurat" || k.HasLocation {
		t.Errorf("case = %+v", k)
	}
	h.NoViolations()
}

// insertCase stores a case directly, as an earlier report would have.
func insertCase(t *testing.T, h *bottest.Harness, k store.Case) store.Case {
	t.Helper()
	if err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
		code, err := tx.NextCaseCode("JMB", 2026)
		if err != nil {
			return err
		}
		k.Code = code
		k.ID, err = tx.InsertCase(k)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return k
}

// A NIK already on record in the worker's kecamatan offers a follow-up note
// or a new case; the same name, kelurahan and birth date warn.
func TestCaseDuplicates(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	first := insertCase(t, h, store.Case{ReporterID: coord.ID(), Category: "PPKS02", FullName: "Siti Aminah", NIK: nikSiti,
		Gender: "P", BirthDate: "1990-05-12", Address: "Jl. A", Kecamatan: kecTelanaipura, Kelurahan: kelBuluranKenali,
		Description: "Laporan pertama.", Needs: []string{"pangan"}, Urgency: "biasa"})

	// Follow-up note.
	reportUpToNIK(worker, "Siti Aminah")
	worker.send(nikSiti, "Apa yang ingin dilakukan")
	dup, err := worker.WaitForText(caseWait, "sudah ada di kasus")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{first.Code, "Baru", "kecamatan Anda"} {
		if !strings.Contains(dup.Text, want) {
			t.Errorf("duplicate notice lacks %q: %s", want, dup.Text)
		}
	}
	// A colleague's report: its category and the name stay with its
	// reporter and reviewers.
	for _, secret := range []string{"Anak Telantar", "S*** A***"} {
		if strings.Contains(dup.Text, secret) {
			t.Errorf("duplicate notice shows %q to a colleague: %s", secret, dup.Text)
		}
	}
	worker.press("📝 Tambah catatan ke kasus itu", "catatan lanjutan")
	worker.send("Sekarang tinggal di rumah neneknya.", "Periksa data")
	worker.press("✅ Simpan", "Catatan ditambahkan ke kasus "+first.Code)
	if _, err := coord.WaitForText(caseWait, "Sekarang tinggal di rumah neneknya."); err != nil {
		t.Fatal(err)
	}
	if ev := caseEvents(t, h, first.ID); len(ev) != 2 || ev[1].Action != store.CaseActionNote ||
		ev[1].Note != "Sekarang tinggal di rumah neneknya." || ev[1].UserID != worker.ID() {
		t.Errorf("history = %+v", ev)
	}
	if n := len(cases(t, h)); n != 1 {
		t.Fatalf("%d cases after a follow-up note", n)
	}

	// A new case anyway; the same name, kelurahan and birth date also warn.
	reportUpToNIK(worker, "Siti Aminah")
	worker.send(nikSiti, "Apa yang ingin dilakukan")
	worker.press("➕ Tetap buat kasus baru", "jenis kelamin")
	worker.press("Perempuan (sesuai NIK)", "tanggal lahir")
	worker.press("12-05-1990 (sesuai NIK)", "tempat lahir")
	worker.send("/lewati", "alamat")
	worker.send("Jl. Kapt. Pattimura RT 05", "RT/RW")
	worker.send("/lewati", "No. KK")
	worker.send("/lewati", "wilayah")
	worker.press("📍 Buluran Kenali, Telanaipura", "Mungkin sudah dilaporkan: kasus "+first.Code)
	worker.send("/lewati", "foto")
	worker.press("✔️ Selesai", "keadaannya")
	worker.send("Laporan kedua untuk orang yang sama.", "kebutuhan")
	worker.toggle("Pangan")
	worker.press("✔️ Selesai", "mendesak")
	worker.press("Biasa", "Periksa data")
	worker.press("✅ Simpan", "JMB-26-00002")
	if n := len(cases(t, h)); n != 2 {
		t.Fatalf("%d cases, want 2", n)
	}
	if _, err := coord.WaitForText(caseWait, "Mirip kasus "+first.Code); err != nil {
		t.Fatal(err)
	}
	h.NoViolations()
}

// A restart in the middle of the form resumes it where it was, NIK included.
func TestCaseRestartResumes(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	reportUpToNIK(worker, "Siti Aminah")
	worker.send(nikSiti, "jenis kelamin")
	h.Restart()
	worker.send("/start", "Melanjutkan isian")
	reportFromGender(worker, "Perempuan (sesuai NIK)", "12-05-1990 (sesuai NIK)", "")
	worker.press("✅ Simpan", "JMB-26-00001")
	if k := cases(t, h)[0]; k.NIK != nikSiti || k.FullName != "Siti Aminah" || k.BirthDate != "1990-05-12" {
		t.Errorf("case = %+v", k)
	}
	h.NoViolations()
}

// A report abandoned half-way expires with the other drafts, NIK and all.
func TestCaseAbandonedExpires(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	reportUpToNIK(worker, "Siti Aminah")
	worker.send(nikSiti, "jenis kelamin")
	h.Clock.Advance(25 * time.Hour)
	h.Sweep()
	if _, err := worker.WaitForText(caseWait, "kedaluwarsa"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM conversations WHERE data LIKE ?`, "%"+nikSiti+"%").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 || len(cases(t, h)) != 0 {
		t.Fatalf("%d drafts hold the NIK, %d cases", n, len(cases(t, h)))
	}
}
