package flows_test

import (
	"image/color"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/store"
)

// Bad input at every step of /lapor (issue 5): each is refused with a clear
// Indonesian message naming what is wrong, the same step is asked again, and
// nothing answered before is lost: the summary and the stored case hold every
// good answer.
func TestCaseBadInputEveryStep(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	photo := jpegBytes(t, color.RGBA{10, 200, 10, 255})
	press := func(label string) func(u *tgUser) {
		return func(u *tgUser) {
			if err := u.Press(label); err != nil {
				t.Fatal(err)
			}
		}
	}
	typed := func(text string) func(u *tgUser) { return func(u *tgUser) { u.SendText(text) } }

	worker.send("/lapor", "kelompok")
	for _, tc := range []struct {
		step      string
		bad       string // typed
		want      string // in the refusal
		good      func(u *tgUser)
		next      string // in the next step's prompt
		afterGood func(u *tgUser)
	}{
		{step: "group", bad: "kucing liar", want: "\"kucing liar\" tidak dikenal",
			good: typed("anak telantar"), next: "kategori"},
		{step: "category", bad: "lansia terlantar", want: "ada di kelompok 🧓 Lansia & disabilitas",
			good: typed("Anak Terlantar"), next: "nama lengkap"},
		{step: "name", bad: "S", want: "Nama terlalu pendek", good: typed("Budi Santoso"), next: "NIK"},
		{step: "nik", bad: "1571 0152", want: "NIK harus 16 angka", good: press("Tidak ada NIK"), next: "Mengapa"},
		{step: "no_nik", bad: "lupa", want: "\"lupa\" bukan salah satu pilihan",
			good: press("Tidak tahu / tidak ingat"), next: "jenis kelamin"},
		{step: "gender", bad: "cowok", want: "\"cowok\" bukan salah satu pilihan", good: press("Laki-laki"),
			next: "tanggal lahir"},
		{step: "birth", bad: "kemarin sore", want: "Tanggal tidak terbaca", good: typed("45 tahun"),
			next: "tempat lahir"},
		{step: "birth_place", bad: "12-05-1980", want: "Tempat lahir cukup nama kota atau kabupaten, tanpa angka",
			good: typed("Muara Bulian"), next: "alamat"},
		{step: "address", bad: "Jl", want: "Terlalu pendek: 2 karakter, minimal 5",
			good: typed("Jl. Sultan Thaha RT 03"), next: "RT/RW"},
		{step: "rt_rw", bad: "tiga", want: "RT/RW ditulis dua angka", good: typed("RT 3 RW 11"), next: "No. KK"},
		{step: "no_kk", bad: "1571 0112 3456 789", want: "No. KK harus 16 angka; yang dikirim 15 angka",
			good: typed("1571011234560007"), next: "wilayah"},
		{step: "area", bad: "di sini", want: "\"di sini\" bukan salah satu pilihan", good: press("Wilayah lain"),
			next: "kecamatan"},
		{step: "kecamatan", bad: "Kebayoran", want: "Kecamatan \"Kebayoran\" tidak ada dalam daftar",
			good: press("Telanaipura"), next: "kelurahan"},
		{step: "kelurahan", bad: "Pasir Putih",
			want: "Kelurahan Pasir Putih ada di Kecamatan Jambi Selatan, bukan Telanaipura",
			good: press("Buluran Kenali"), next: "lokasi"},
		{step: "location", bad: "dekat masjid", want: "Tekan tombol \"📍 Kirim lokasi saya\"",
			good: func(u *tgUser) { u.SendLocation(-1.6101, 103.6131) }, next: "foto"},
		{step: "photos", bad: "fotonya nanti", want: "Kirim foto, atau tekan Selesai",
			good: func(u *tgUser) { u.SendPhoto(photo, "") }, next: "Foto ke-1",
			afterGood: func(u *tgUser) { u.press("✔️ Selesai", "keadaannya") }},
		{step: "description", bad: "sakit", want: "Terlalu pendek: 5 karakter, minimal 10",
			good: typed("Tidur di emperan toko sejak bulan lalu."), next: "kebutuhan"},
		{step: "urgency", bad: "sangat penting", want: "\"sangat penting\" bukan salah satu pilihan",
			good: press("🚨 Darurat"), next: "Periksa data"},
	} {
		if tc.step == "urgency" {
			// Needs with nothing picked: "done" is refused (a toast), the step stays.
			n := len(worker.CallbackAnswers())
			if err := worker.Press("✔️ Selesai"); err != nil {
				t.Fatal(err)
			}
			worker.waitCallback(n+1, "Pilih paling sedikit 1")
			worker.toggle("Pangan")
			worker.press("✔️ Selesai", "mendesak")
		}
		refusal := worker.send(tc.bad, tc.want)
		if strings.Contains(refusal.Text, "Maaf, terjadi gangguan") {
			t.Errorf("%s: %q answered with an apology: %q", tc.step, tc.bad, refusal.Text)
		}
		worker.do(func() { tc.good(worker) }, tc.next)
		if tc.afterGood != nil {
			tc.afterGood(worker)
		}
	}

	sum, ok := worker.Last()
	if !ok {
		t.Fatal("no summary")
	}
	for _, want := range []string{"Anak Telantar", "Budi Santoso", "Tidak ada NIK", "Tidak tahu / tidak ingat",
		"Laki-laki", "45 tahun", "Tempat lahir: Muara Bulian", "Jl. Sultan Thaha RT 03", "RT/RW: 003/011",
		"No. KK: 1571********0007", "Buluran Kenali", "1 foto",
		"Pangan", "Darurat"} {
		if !strings.Contains(sum.Text, want) {
			t.Errorf("summary lacks %q after the refusals:\n%s", want, sum.Text)
		}
	}
	worker.press("✅ Simpan", "JMB-26-00001")
	k := cases(t, h)[0]
	if k.Category != "PPKS02" || k.FullName != "Budi Santoso" || k.NIK != "" || k.NoNIKReason != "tidak_tahu" ||
		k.Gender != "L" || k.Age != 45 || k.BirthPlace != "Muara Bulian" || k.Address != "Jl. Sultan Thaha RT 03" ||
		k.Kecamatan != kecTelanaipura || k.Kelurahan != kelBuluranKenali || !k.HasLocation ||
		k.Description != "Tidur di emperan toko sejak bulan lalu." || strings.Join(k.Needs, ",") != "pangan" ||
		k.Urgency != "darurat" || k.RT != "003" || k.RW != "011" || k.NoKK != "1571011234560007" {
		t.Errorf("stored case = %+v", k)
	}
	h.NoViolations()
}
