package bottest_test

import (
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// Checks a verifier expects (issue 14), from the person's side: a category
// that does not fit the person's age or sex, and a typed age that does not
// fit the NIK, are warned to the worker and shown on the verifier's card,
// never refused; dates in errors read DD-MM-YYYY; typed group and urgency
// words are understood; a newcomer's /lapor says how to register.

// domainRig is a PSM of Buluran Kenali (Telanaipura) who reports, and the
// coordinator of Telanaipura who receives the cards.
type domainRig struct {
	h             *bottest.Harness
	worker, coord actor
}

func newDomainRig(t *testing.T) domainRig {
	t.Helper()
	h := bottest.Start(t, bottest.Options{})
	return domainRig{h: h,
		worker: seedPerson(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluran),
		coord:  seedPerson(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)}
}

// since returns u's bot messages newer than message id last, as one text.
func since(u *telegramtest.User, last int) string {
	var b strings.Builder
	for _, m := range u.Messages() {
		if m.ID > last {
			b.WriteString(m.Text + m.Caption + "\n")
		}
	}
	return b.String()
}

func lastMessage(u *telegramtest.User) int {
	last := 0
	for _, m := range u.Messages() {
		last = max(last, m.ID)
	}
	return last
}

// reportFrom answers the rest of the form from the birth place (skipped) to
// the save, typing urgency at its step; it returns the new case's code.
func reportFrom(u actor, urgency string) string {
	u.t.Helper()
	u.send("/lewati", "alamat")
	u.addressAndArea("Jl. Kapt. Pattimura RT 05", "📍 Buluran Kenali, Telanaipura")
	u.send("/lewati", "foto")
	u.press("✔️ Selesai", "keadaannya")
	u.send("Tinggal sendiri, tidak bekerja.", "kebutuhan")
	u.toggle("Pangan")
	u.press("✔️ Selesai", "mendesak")
	u.send(urgency, "Periksa data")
	saved := u.press("✅ Simpan", "Laporan tersimpan")
	return regexpFind(u.t, `kode (\S+-\d+-\d+)`, saved.Text)
}

func caseByCode(t *testing.T, h *bottest.Harness, code string) store.Case {
	t.Helper()
	var id int64
	must(t, h.DB().SQL().QueryRow(`SELECT id FROM cases WHERE code = ?`, code).Scan(&id))
	return getCase(t, h, id)
}

// cardOf waits for the coordinator's notice of case code and returns its text.
func cardOf(t *testing.T, coord actor, code string) string {
	t.Helper()
	m, err := coord.WaitFor(wait, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			if strings.Contains(m.Text, "Kasus baru") && strings.Contains(m.Text, code) {
				return true
			}
		}
		return false
	})
	must(t, err)
	for _, x := range m {
		if strings.Contains(x.Text, "Kasus baru") && strings.Contains(x.Text, code) {
			return x.Text
		}
	}
	return ""
}

// A category that does not fit the person: warned to the worker at the step
// that shows it, with the reason; the case is saved as answered; the
// verifier's card names it. A person who fits gets no warning.
func TestDomainCategoryAgainstPerson(t *testing.T) {
	r := newDomainRig(t)
	for _, tc := range []struct {
		name, group, category, gender, age, urgency string
		// worker: the warning in the form ("" = none); card: on the card.
		worker, card string
		// stored: the urgency saved from the typed word.
		stored string
	}{
		{"a street child aged 45", "👶 Anak", "Anak Jalanan", "Laki-laki", "45 tahun", "mendesak",
			"Anak Jalanan untuk umur 5–18 tahun, sedangkan umurnya 45 tahun. Jawaban tetap disimpan",
			"⚠️ Umur 45 tahun di luar batas Anak Jalanan (5–18 tahun).", "mendesak"},
		{"an elderly person aged 30", "🧓 Lansia & disabilitas", "Lanjut Usia Telantar", "Perempuan", "30", "darurat",
			"Lanjut Usia Telantar untuk umur 60 tahun ke atas, sedangkan umurnya 30 tahun.",
			"⚠️ Umur 30 tahun di luar batas Lanjut Usia Telantar (60 tahun ke atas).", "darurat"},
		{"a man as Perempuan Rawan Sosial Ekonomi", "🏚 Kemiskinan & lainnya", "Perempuan Rawan Sosial Ekonomi",
			"Laki-laki", "35 tahun", "biasa",
			"Perempuan Rawan Sosial Ekonomi hanya untuk perempuan, sedangkan yang dilaporkan laki-laki. Jawaban tetap disimpan",
			"⚠️ Perempuan Rawan Sosial Ekonomi untuk perempuan, tetapi yang dilaporkan laki-laki.", "biasa"},
		{"a child under 18 with a disability", "👶 Anak", "Anak dengan Kedisabilitasan", "Perempuan", "12 tahun",
			"gawat", "", "", "darurat"},
		{"a street child aged 18", "👶 Anak", "Anak Jalanan", "Laki-laki", "18 tahun", "⚠️ Mendesak", "", "",
			"mendesak"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := actor{t, r.worker.User, wait}
			start := lastMessage(u.User)
			u.send("/lapor", "kelompok")
			u.press(tc.group, "kategori")
			u.press(tc.category, "nama lengkap")
			u.send("Rahmawati Putri", "NIK")
			u.press("Tidak ada NIK", "Mengapa")
			u.press("Tidak punya / belum terdaftar", "jenis kelamin")
			u.press(tc.gender, "tanggal lahir")
			u.send(tc.age, "tempat lahir")
			code := reportFrom(u, tc.urgency)
			form := since(u.User, start)
			if tc.worker != "" && !strings.Contains(form, "⚠️ "+tc.worker) {
				t.Errorf("the worker was not warned %q:\n%s", tc.worker, form)
			}
			for _, no := range []string{"di luar batas", "hanya untuk perempuan", "untuk umur"} {
				if tc.worker == "" && strings.Contains(form, no) {
					t.Errorf("a person who fits was warned (%q):\n%s", no, form)
				}
			}
			k := caseByCode(t, r.h, code)
			wantAge := strings.Fields(tc.age)[0]
			if itoa(int64(k.Age)) != wantAge || k.Urgency != tc.stored || k.BirthDate != "" {
				t.Errorf("stored age %d urgency %q birth %q, want %s %q", k.Age, k.Urgency, k.BirthDate, wantAge, tc.stored)
			}
			card := cardOf(t, r.coord, code)
			if tc.card != "" && !strings.Contains(card, tc.card) {
				t.Errorf("the card lacks %q:\n%s", tc.card, card)
			}
			if tc.card == "" && strings.Contains(card, "\n⚠️") {
				t.Errorf("the card warns of a person who fits:\n%s", card)
			}
		})
	}
}

// A typed age is held against the NIK's birth date: more than a year apart
// is warned (not refused) and named on the card; a year apart is not. A
// birth date in the future is refused with today's date as DD-MM-YYYY.
func TestDomainAgeAgainstNIK(t *testing.T) {
	r := newDomainRig(t)
	u := r.worker
	u.send("/lapor", "kelompok")
	u.press("🏚 Kemiskinan & lainnya", "kategori")
	u.press("Fakir Miskin", "nama lengkap")
	u.send("Rahmat Hidayat", "NIK")
	afterNIK(u, nikFresh) // a man born 01-01-1980: 46 on 02-11-2026
	u.press("Laki-laki (sesuai NIK)", "tanggal lahir")

	future := u.send("01-01-2027", "belum terjadi")
	if !strings.Contains(future.Text, "Tanggal itu belum terjadi (hari ini 02-11-2026).") ||
		strings.Contains(future.Text, "2026-11-02") {
		t.Errorf("future date error = %q, want today as 02-11-2026", future.Text)
	}

	before := lastMessage(u.User)
	u.send("45 tahun", "tempat lahir")
	if got := since(u.User, before); strings.Contains(got, "berbeda dengan NIK") {
		t.Errorf("an age a year off the NIK's was warned:\n%s", got)
	}
	u.send("/kembali", "tanggal lahir")
	before = lastMessage(u.User)
	u.send("30 tahun", "tempat lahir")
	const warn = "⚠️ Umur 30 tahun berbeda dengan NIK (lahir 01-01-1980, jadi umur 46 tahun). Jawaban tetap disimpan"
	if got := since(u.User, before); !strings.Contains(got, warn) {
		t.Errorf("no warning %q in:\n%s", warn, got)
	}
	code := reportFrom(u, "biasa")
	if k := caseByCode(t, r.h, code); k.Age != 30 || k.BirthDate != "" || k.NIK != nikFresh {
		t.Errorf("stored age %d birth %q NIK %q, want the typed 30 and the NIK", k.Age, k.BirthDate, k.NIK)
	}
	card := cardOf(t, r.coord, code)
	if want := "⚠️ Umur 30 tahun, tetapi menurut NIK 46 tahun (lahir 01-01-1980)."; !strings.Contains(card, want) {
		t.Errorf("the card lacks %q:\n%s", want, card)
	}
}

// Words typed instead of pressing: a group's word at the group step, a word
// that names one category of the group at the category step.
func TestDomainTypedGroupWords(t *testing.T) {
	r := newDomainRig(t)
	u := r.worker
	u.send("/lapor", "kelompok")
	cat := u.send("lansia", "kategori")
	if !hasButton(cat, "Lanjut Usia Telantar") || !hasButton(cat, "Penyandang Disabilitas") {
		t.Fatalf("typing lansia did not open the elderly group: %+v", cat)
	}
	u.send("lansia", "nama lengkap")
	d, ok := storedDraft(t, r.h, u.ID())
	if !ok || d.Answers.Text("group") != "lansia_disabilitas" || d.Answers.Text("category") != "PPKS08" {
		t.Fatalf("draft answers = %+v", d.Answers)
	}
	u.send("/batal", "dibatalkan")

	u.send("/lapor", "kelompok")
	if cat := u.send("Anak", "kategori"); !hasButton(cat, "Anak Jalanan") {
		t.Fatalf("typing Anak did not open the children's group: %+v", cat)
	}
	// "anak" names seven categories of the group: asked again, with the reason.
	u.send("anak", "Silakan pilih dengan tombol")
	u.send("/kembali", "kelompok")
	if cat := u.send("kelompok rentan lainnya", "kategori"); !hasButton(cat, "Orang dengan HIV/AIDS") {
		t.Fatalf("the renamed group's label typed: %+v", cat)
	}
	u.send("/kembali", "kelompok")
	u.send("kucing liar", "\"kucing liar\" tidak dikenal")
}

// A newcomer's /lapor says how to register; a pending one's says it waits
// for approval; neither reads "tidak berhak", and a staff command still does.
func TestDomainNewcomerLapor(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	nu := actor{t, h.NewUser("Rudi"), wait}
	got := nu.send("/lapor", "daftar dulu")
	for _, want := range []string{"Untuk memakai /lapor, daftar dulu sebagai petugas (PSM atau TKSK): ketik /start"} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("newcomer's /lapor = %q, want %q", got.Text, want)
		}
	}
	if strings.Contains(got.Text, "tidak berhak") {
		t.Errorf("newcomer told they have no right: %q", got.Text)
	}
	nu.send("/kasus", "Untuk memakai /kasus, daftar dulu")
	nu.send("/pengguna", "tidak berhak")
	if n := auditCount(t, h, "denied", nu.ID(), "/lapor"); n != 1 {
		t.Errorf("%d audit rows of the refused /lapor, want 1", n)
	}

	pending := actor{t, h.NewUser("Ani"), wait}
	toSummary(pending, "Ani Suryani")
	pending.press("✅ Simpan", "dikirim ke admin")
	got = pending.send("/lapor", "menunggu persetujuan")
	if !strings.Contains(got.Text, "Setelah disetujui, /lapor bisa dipakai") || strings.Contains(got.Text, "tidak berhak") {
		t.Errorf("pending /lapor = %q", got.Text)
	}
	if _, ok := storedDraft(t, h, nu.ID()); ok {
		t.Error("a newcomer's /lapor opened a form")
	}
}

// A category changed from the summary is checked against the sex and age
// already answered, with the same warning, and the case is saved as changed.
func TestDomainCategoryEditedFromSummary(t *testing.T) {
	r := newDomainRig(t)
	u := r.worker
	u.send("/lapor", "kelompok")
	u.press("🏚 Kemiskinan & lainnya", "kategori")
	u.press("Fakir Miskin", "nama lengkap")
	u.send("Rahmat Hidayat", "NIK")
	u.press("Tidak ada NIK", "Mengapa")
	u.press("Tidak punya / belum terdaftar", "jenis kelamin")
	u.press("Laki-laki", "tanggal lahir")
	u.send("70 tahun", "tempat lahir")
	u.send("/lewati", "alamat")
	u.addressAndArea("Jl. Kapt. Pattimura RT 05", "📍 Buluran Kenali, Telanaipura")
	u.send("/lewati", "foto")
	u.press("✔️ Selesai", "keadaannya")
	u.send("Tinggal sendiri, tidak bekerja.", "kebutuhan")
	u.toggle("Pangan")
	u.press("✔️ Selesai", "mendesak")
	u.press("Biasa", "Periksa data")
	u.press("✏️ Kategori", "kategori")
	// The warnings come folded into the next prompt, which may be an edit of
	// the pressed question: read what is new or changed since the press.
	before := u.Messages()
	u.press("Perempuan Rawan Sosial Ekonomi", "Periksa data")
	var got string
	for _, m := range telegramtest.Fresh(before, u.Messages()) {
		got += m.Text + m.Caption + "\n"
	}
	for _, want := range []string{
		"⚠️ Perempuan Rawan Sosial Ekonomi hanya untuk perempuan, sedangkan yang dilaporkan laki-laki.",
		"⚠️ Perempuan Rawan Sosial Ekonomi untuk umur 18–59 tahun, sedangkan umurnya 70 tahun.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q after the edit:\n%s", want, got)
		}
	}
	saved := u.press("✅ Simpan", "Laporan tersimpan")
	k := caseByCode(t, r.h, regexpFind(t, `kode (\S+-\d+-\d+)`, saved.Text))
	if k.Category != "PPKS23" || k.Gender != "L" || k.Age != 70 {
		t.Errorf("stored %s %s %d", k.Category, k.Gender, k.Age)
	}
}
