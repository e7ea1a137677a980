package bottest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/flows/xlsform"
	"dinsosbot/store"
)

// Filling XLSForm forms in chat (issue 15), from the worker's side: the
// shipped visit form and a form of every supported type, through the fake
// Telegram, with what is stored.

// publishForm stores workbook xlsx as a new version of its form and publishes
// it to everyone, as the admin's upload does; it returns the version id.
func publishForm(t *testing.T, h *bottest.Harness, formID, version string, xlsx []byte) int64 {
	t.Helper()
	var id int64
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) (err error) {
		id, err = tx.AddFormVersion(store.FormVersion{FormID: formID, Version: version, Title: formID, XLSX: xlsx,
			UploadedBy: 1})
		if err != nil {
			return err
		}
		if ok, err := tx.PublishForm(id, "", ""); err != nil || !ok {
			t.Fatalf("publish %s: %v %v", formID, ok, err)
		}
		return nil
	}))
	return id
}

// seedCase adds a case reported by worker in Telanaipura and returns its id
// and code.
func seedCase(t *testing.T, h *bottest.Harness, worker int64, name string) (int64, string) {
	t.Helper()
	var id int64
	var code string
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) (err error) {
		if code, err = tx.NextCaseCode("JMB", 2026); err != nil {
			return err
		}
		id, err = tx.InsertCase(store.Case{Code: code, ReporterID: worker, Category: "PPKS01", FullName: name,
			Gender: "P", BirthDate: "1950-01-05", Address: "Jl. Mawar 1", Kecamatan: "15.71.01",
			Kelurahan: "15.71.01.1002", Description: "Tinggal sendiri.", Needs: []string{"pangan"}, Urgency: "biasa"})
		return err
	}))
	return id, code
}

// submissions lists the stored submissions of user.
func submissions(t *testing.T, h *bottest.Harness, user int64) []store.Submission {
	t.Helper()
	var subs []store.Submission
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) (err error) {
		subs, err = tx.ListSubmissions(store.SubmissionFilter{UserID: user})
		return err
	}))
	return subs
}

func decoded(t *testing.T, s store.Submission) map[string]store.FormAnswer {
	t.Helper()
	a, err := store.DecodeFormAnswers(s.Data)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// startVisit opens the visit form from /formulir and links the case.
func startVisit(u actor, caseLabel string) {
	u.t.Helper()
	u.send("/formulir", "Pilih formulir")
	u.press("📝 Kunjungan pendampingan", "kasus yang mana")
	u.press(caseLabel, "Tanggal kunjungan")
}

// A PSM fills the shipped visit form end to end: the case link, a date
// refused by the form's constraint with the form's own message, a required
// question that cannot be skipped, several choices, a question shown only
// for one of them, back, yes/no skip logic, a photo and a location. The
// submission is stored with choice names, the case and its kecamatan, the
// photo's file downloaded into the media folder, and the worker finds it in
// "Kiriman saya".
func TestFormVisitEndToEnd(t *testing.T) {
	media := t.TempDir()
	h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) {
		c.Media = bot.MediaConfig{Dir: media, Interval: 20 * time.Millisecond}
	}})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	caseID, code := seedCase(t, h, u.ID(), "Siti Rahma")
	v := publishForm(t, h, "kunjungan_pendampingan", "2026120401", xlsform.VisitForm)

	menu := u.send("/formulir", "Pilih formulir")
	if !hasButton(menu, "📝 Kunjungan pendampingan") || !hasButton(menu, "📄 Kiriman saya") {
		t.Fatalf("menu buttons %v", menu.InlineKeyboard)
	}
	u.press("📝 Kunjungan pendampingan", "kasus yang mana")
	u.press(code+" · S*** R***", "Tanggal kunjungan")
	// The clock is 2026-11-02: tomorrow is refused with the form's message.
	u.send("03-11-2026", "Tanggal kunjungan tidak boleh di masa depan.")
	u.send("01-11-2026", "Apa yang dilakukan?")
	u.toggle("Konseling")
	u.toggle("Lainnya")
	u.press("✔️ Selesai", "Kegiatan lain apa?")
	u.send("/kembali", "Apa yang dilakukan?")
	u.toggle("Konseling")
	u.toggle("Lainnya")
	u.press("✔️ Selesai", "Kegiatan lain apa?")
	u.send("Mengantar ke puskesmas", "kondisi penerima manfaat")
	u.send("/lewati", "wajib diisi")
	u.press("Membaik", "Catatan kunjungan")
	u.send("/lewati", "Perlu tindak lanjut?")
	u.press("Ya", "Tindak lanjut apa")
	u.send("Cek ulang minggu depan", "Foto kunjungan")
	u.do(func() { u.SendPhoto(smallJPEG(t), "") }, "Lokasi kunjungan")
	sum := u.do(func() { u.SendLocation(-1.6101, 103.6131) }, "Periksa data")
	for _, want := range []string{"Konseling, Lainnya", "Membaik", "Cek ulang minggu depan", "01-11-2026"} {
		if !strings.Contains(sum.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.Text)
		}
	}
	u.press("✅ Simpan", "terkirim, nomor #")

	subs := submissions(t, h, u.ID())
	if len(subs) != 1 {
		t.Fatalf("%d submissions", len(subs))
	}
	s := subs[0]
	if s.VersionID != v || s.CaseID != caseID || s.Kecamatan != "15.71.01" || s.Status != store.SubmissionNew {
		t.Errorf("submission %+v", s)
	}
	a := decoded(t, s)
	if a["tanggal"].Text != "2026-11-01" || a["kondisi"].Text != "membaik" || a["perlu_tindak_lanjut"].Text != "ya" ||
		strings.Join(a["kegiatan"].List, ",") != "konseling,lainnya" || a["kegiatan_lain"].Text != "Mengantar ke puskesmas" {
		t.Errorf("answers %+v", a)
	}
	if !a["catatan"].Skipped || !a["lokasi"].Located || a["lokasi"].Lat != -1.6101 || !a["petugas"].Computed ||
		!a["mulai"].Computed || a["mulai"].Text == "" {
		t.Errorf("answers %+v", a)
	}
	files := a["foto"].Files
	if len(files) != 1 || !strings.HasPrefix(files[0], "form-"+itoa(s.ID)+"/") {
		t.Fatalf("photo files %v", files)
	}
	h.WaitUntil(wait, "the photo downloaded", func() bool {
		_, err := os.Stat(filepath.Join(media, filepath.FromSlash(files[0])))
		return err == nil
	})

	u.send("/formulir", "Pilih formulir")
	list := u.press("📄 Kiriman saya", "#"+itoa(s.ID))
	if !strings.Contains(list.Text, "Kunjungan pendampingan") || !strings.Contains(list.Text, "Baru") {
		t.Errorf("my submissions:\n%s", list.Text)
	}
	view := u.press("Lihat #"+itoa(s.ID), "Apa yang dilakukan?")
	if !strings.Contains(view.Text, "Konseling, Lainnya") || hasButton(view, "✏️ Perbaiki") {
		t.Errorf("view:\n%s %v", view.Text, view.InlineKeyboard)
	}
}

// Cancelling keeps nothing; the form's "no" answer leaves its follow-up
// question out, stored as skipped.
func TestFormVisitNoFollowUpAndCancel(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	_, code := seedCase(t, h, u.ID(), "Siti Rahma")
	publishForm(t, h, "kunjungan_pendampingan", "1", xlsform.VisitForm)

	startVisit(u, code+" · S*** R***")
	u.send("/batal", "dibatalkan")
	if n := len(submissions(t, h, u.ID())); n != 0 {
		t.Fatalf("%d submissions after cancel", n)
	}
	startVisit(u, code+" · S*** R***")
	u.send("01-11-2026", "Apa yang dilakukan?")
	u.toggle("Konseling")
	u.press("✔️ Selesai", "kondisi penerima manfaat")
	u.press("Tetap", "Catatan kunjungan")
	u.send("Rumah bersih", "Perlu tindak lanjut?")
	u.press("Tidak", "Foto kunjungan")
	u.send("/lewati", "Lokasi kunjungan")
	sum := u.send("/lewati", "Periksa data")
	if strings.Contains(sum.Text, "Tindak lanjut apa") {
		t.Errorf("summary shows the follow-up not asked:\n%s", sum.Text)
	}
	u.press("✅ Simpan", "terkirim")
	a := decoded(t, submissions(t, h, u.ID())[0])
	if !a["tindak_lanjut"].Skipped || !a["foto"].Skipped || len(a["foto"].Files) != 0 || a["kegiatan_lain"].Text != "" {
		t.Errorf("answers %+v", a)
	}
}

// A draft survives a restart, and finishes on the version it started after
// a new version is published; a new draft uses the new version.
func TestFormDraftRestartAndNewVersion(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	_, code := seedCase(t, h, u.ID(), "Siti Rahma")
	v1 := publishForm(t, h, "kunjungan_pendampingan", "1", xlsform.VisitForm)

	startVisit(u, code+" · S*** R***")
	u.send("01-11-2026", "Apa yang dilakukan?")
	h.Restart()
	v2 := publishForm(t, h, "kunjungan_pendampingan", "2", xlsform.VisitForm)
	u.toggle("Rujukan")
	u.press("✔️ Selesai", "kondisi penerima manfaat")
	u.press("Memburuk", "Catatan kunjungan")
	u.send("/lewati", "Perlu tindak lanjut?")
	u.press("Tidak", "Foto kunjungan")
	u.send("/lewati", "Lokasi kunjungan")
	u.send("/lewati", "Periksa data")
	u.press("✅ Simpan", "terkirim")
	startVisit(u, code+" · S*** R***")
	d, ok := storedDraft(t, h, u.ID())
	if !ok || !strings.HasSuffix(d.Flow, ":"+itoa(v2)) {
		t.Errorf("new draft on flow %q, want version %d", d.Flow, v2)
	}
	subs := submissions(t, h, u.ID())
	if len(subs) != 1 || subs[0].VersionID != v1 {
		t.Fatalf("submissions %+v, want one on version %d", subs, v1)
	}
}

// A submission sent back for fixing reopens, from "Kiriman saya", at its
// summary with the field to fix flagged; saving stores the new answer and
// makes it new again. Nobody else can open it.
func TestFormFixSentBack(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	_, code := seedCase(t, h, u.ID(), "Siti Rahma")
	publishForm(t, h, "kunjungan_pendampingan", "1", xlsform.VisitForm)
	startVisit(u, code+" · S*** R***")
	u.send("01-11-2026", "Apa yang dilakukan?")
	u.toggle("Konseling")
	u.press("✔️ Selesai", "kondisi penerima manfaat")
	u.press("Tetap", "Catatan kunjungan")
	u.send("/lewati", "Perlu tindak lanjut?")
	u.press("Tidak", "Foto kunjungan")
	u.send("/lewati", "Lokasi kunjungan")
	u.send("/lewati", "Periksa data")
	u.press("✅ Simpan", "terkirim")
	s := submissions(t, h, u.ID())[0]
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		ok, err := tx.SetSubmissionStatus(s.ID, store.SubmissionNew, store.SubmissionFix, 1, "kondisi <salah>", `["kondisi"]`)
		if !ok {
			t.Fatal("not sent back")
		}
		return err
	}))

	// Someone else pressing the fix button gets nothing.
	other := actor{t, h.NewUser("Budi"), wait}
	seedWorker(t, h, other.User, "")
	other.send("/formulir", "Pilih formulir")
	last, _ := other.Last()
	other.PressData(last.ID, "xfix:"+itoa(s.ID))
	if got := answers(t, h, other.User, 1); !strings.Contains(got[0].Text, "tidak berhak") {
		t.Errorf("another worker's fix press answered %+v", got)
	}
	if _, open := storedDraft(t, h, other.ID()); open {
		t.Fatal("another worker opened the submission")
	}

	u.send("/formulir", "Pilih formulir")
	u.press("📄 Kiriman saya", "Perlu perbaikan")
	view := u.press("Lihat #"+itoa(s.ID), "kondisi <salah>")
	if !strings.Contains(view.Text, "⚠️ Bagaimana kondisi") {
		t.Errorf("view does not flag the field:\n%s", view.Text)
	}
	sum := u.press("✏️ Perbaiki", "Periksa data")
	if !strings.Contains(sum.Text, "⚠️ Bagaimana kondisi") || !hasButton(sum, "✏️ ⚠️ Bagaimana kondisi penerima manfaat?") {
		t.Fatalf("summary does not flag the field:\n%s %v", sum.Text, sum.InlineKeyboard)
	}
	u.press("✏️ ⚠️ Bagaimana kondisi penerima manfaat?", "kondisi penerima manfaat")
	u.press("Membaik", "Periksa data")
	u.press("✅ Simpan", "Perbaikan")
	subs := submissions(t, h, u.ID())
	if len(subs) != 1 || subs[0].Status != store.SubmissionNew || decoded(t, subs[0])["kondisi"].Text != "membaik" {
		t.Fatalf("after the fix %+v", subs)
	}
	// The old button no longer opens it.
	u.do(func() { u.PressData(sum.ID, "xfix:"+itoa(s.ID)) }, "tidak menunggu perbaikan")
}

// A form outside the worker's audience is not listed, and its button (kept
// from before) does not start it; /formulir in a group points to the
// private chat.
func TestFormAudience(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	var id int64
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) (err error) {
		if id, err = tx.AddFormVersion(store.FormVersion{FormID: "kunjungan_pendampingan", Version: "1",
			Title: "Kunjungan pendampingan", XLSX: xlsform.VisitForm, UploadedBy: 1}); err != nil {
			return err
		}
		_, err = tx.PublishForm(id, store.RoleTKSK, "")
		return err
	}))
	m := u.send("/formulir", "Belum ada formulir")
	if hasButton(m, "📝 Kunjungan pendampingan") {
		t.Fatal("a TKSK form listed for a PSM")
	}
	u.do(func() { u.PressData(m.ID, "fm:"+itoa(id)+":o:") }, "tidak tersedia lagi")
	if _, open := storedDraft(t, h, u.ID()); open {
		t.Fatal("form outside the audience started")
	}
	// Published to everyone, a visit form needs a case of the worker's own.
	publishForm(t, h, "kunjungan_pendampingan", "2", xlsform.VisitForm)
	u.send("/formulir", "Pilih formulir")
	u.press("📝 Kunjungan pendampingan", "Laporkan kasus dulu dengan /lapor")
	if _, open := storedDraft(t, h, u.ID()); open {
		t.Fatal("a visit form started without a case to link")
	}
}

// buildForm writes a test workbook of survey and choices rows with settings
// form_title title and form_id id.
func buildForm(t *testing.T, id, title string, survey, choices [][]string) []byte {
	t.Helper()
	settings := [][]string{{"form_title", "form_id", "version", "default_language"}, {title, id, "1", "Indonesian (id)"}}
	b, err := xlsform.Build(xlsform.Sheet{Name: "survey", Rows: survey}, xlsform.Sheet{Name: "choices", Rows: choices},
		xlsform.Sheet{Name: "settings", Rows: settings})
	must(t, err)
	return b
}

// A NIK question works as the case form's NIK step: the message is deleted,
// the NIK shown masked, stored sealed (not in the database file), readable
// back; the office's kecamatan then lists only that kecamatan's kelurahan;
// a choice_filter cascade lists only the chosen province's regencies; an
// integer refused by its constraint; a calculation stored computed.
func TestFormNIKRegionsCascade(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	survey := [][]string{
		{"type", "name", "label::Indonesian (id)", "label::English (en)", "required", "relevant", "constraint",
			"constraint_message::Indonesian (id)", "calculation", "choice_filter"},
		{"nik", "nik_warga", "NIK warga", "Resident's NIK", "yes"},
		{"kecamatan", "kec", "Kecamatan warga", "Kecamatan", "yes"},
		{"kelurahan", "kel", "Kelurahan warga", "Kelurahan", "yes"},
		{"integer", "umur", "Umur warga", "Age", "yes", "", ". >= 0 and . <= 120", "Umur 0 sampai 120."},
		{"calculate", "umur_bulan", "", "", "", "", "", "", "${umur} * 12"},
		{"select_one jk", "jk", "Jenis kelamin", "Sex", "yes"},
		{"text", "hamil", "Sedang hamil?", "Pregnant?", "no", "${jk} = 'p'"},
		{"select_one prov", "prov", "Provinsi asal", "Province", "yes"},
		{"select_one kab", "kab", "Kabupaten/kota asal", "Regency", "yes", "", "", "", "", "prov=${prov}"},
		{"time", "jam", "Jam pulang", "Time home", "no"},
	}
	choices := [][]string{
		{"list_name", "name", "label::Indonesian (id)", "label::English (en)", "prov"},
		{"jk", "l", "Laki-laki", "Male"},
		{"jk", "p", "Perempuan", "Female"},
		{"prov", "jambi", "Jambi", "Jambi"},
		{"prov", "riau", "Riau", "Riau"},
		{"kab", "kota_jambi", "Kota Jambi", "Jambi City", "jambi"},
		{"kab", "muaro_jambi", "Muaro Jambi", "Muaro Jambi", "jambi"},
		{"kab", "pekanbaru", "Pekanbaru", "Pekanbaru", "riau"},
	}
	publishForm(t, h, "uji_nik", "1", buildForm(t, "uji_nik", "Uji NIK", survey, choices))

	u.send("/formulir", "Pilih formulir")
	u.press("📝 Uji NIK", "NIK warga")
	const nik = "1571015205900003"
	id := u.SendText(nik)
	if err := u.WaitDeleted(wait, id); err != nil {
		t.Fatalf("the NIK message stays in the chat: %v", err)
	}
	kec, err := u.WaitForText(wait, "Kecamatan warga")
	must(t, err)
	if !strings.Contains(kec.Text, "1571********0003") || strings.Contains(kec.Text, nik) {
		t.Errorf("NIK not shown masked:\n%s", kec.Text)
	}
	kel := u.press("Telanaipura", "Kelurahan warga")
	if !hasButton(kel, "Buluran Kenali") || hasButton(kel, "Orang Kayo Hitam") {
		t.Errorf("kelurahan of Telanaipura: %v", kel.InlineKeyboard)
	}
	u.press("Buluran Kenali", "Umur warga")
	u.send("130", "Umur 0 sampai 120.")
	u.send("45", "Jenis kelamin")
	u.press("Perempuan", "Sedang hamil?")
	u.send("Tidak", "Provinsi asal")
	kab := u.press("Riau", "Kabupaten/kota asal")
	if !hasButton(kab, "Pekanbaru") || hasButton(kab, "Kota Jambi") {
		t.Errorf("regencies of Riau: %v", kab.InlineKeyboard)
	}
	u.press("Pekanbaru", "Jam pulang")
	sum := u.send("16.30", "Periksa data")
	if strings.Contains(sum.Text, nik) || !strings.Contains(sum.Text, "1571********0003") {
		t.Errorf("summary:\n%s", sum.Text)
	}
	u.press("✅ Simpan", "terkirim")

	s := submissions(t, h, u.ID())[0]
	a := decoded(t, s)
	if a["kec"].Text != "Telanaipura" || a["kel"].Text != "Buluran Kenali" || a["umur"].Text != "45" ||
		a["umur_bulan"].Text != "540" || !a["umur_bulan"].Computed || a["jk"].Text != "p" || a["hamil"].Text != "Tidak" ||
		a["prov"].Text != "riau" || a["kab"].Text != "pekanbaru" || a["jam"].Text != "16:30" {
		t.Errorf("answers %+v", a)
	}
	if s.Kecamatan != "15.71.01" || s.NIKIndex == "" {
		t.Errorf("submission kecamatan %q index %q", s.Kecamatan, s.NIKIndex)
	}
	sealed := a["nik_warga"].Text
	if strings.Contains(sealed, nik) || strings.Contains(s.NIKIndex, nik) {
		t.Fatalf("NIK stored in plaintext: %q", sealed)
	}
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		got, err := tx.OpenFormNIK(sealed)
		if got != nik {
			t.Errorf("sealed NIK opens to %q", got)
		}
		return err
	}))
	must(t, h.Stop())
	noNIKOnDisk(t, h, nik, "after a form with a NIK")
}

// everyTypeForm is a form with every supported type: a note, an
// acknowledgement, a NIK, the office's kecamatan and kelurahan, a decimal
// with a constraint, a calculation, an integer, a question relevant to one
// choice, a dateTime, a time, a choice_filter cascade, a voice note and a
// read-only text with a default.
func everyTypeForm(t *testing.T) []byte {
	t.Helper()
	survey := [][]string{
		{"type", "name", "label::Indonesian (id)", "label::English (en)", "required", "relevant", "constraint",
			"constraint_message::Indonesian (id)", "calculation", "choice_filter", "read_only", "default"},
		{"note", "pembuka", "Formulir uji semua jenis.", "Test form of every type."},
		{"acknowledge", "setuju", "Saya paham data ini rahasia.", "I understand this data is confidential.", "yes"},
		{"nik", "nik_warga", "NIK warga", "Resident's NIK", "yes"},
		{"kecamatan", "kec", "Kecamatan warga", "Kecamatan", "yes"},
		{"kelurahan", "kel", "Kelurahan warga", "Kelurahan", "yes"},
		{"decimal", "berat", "Berat badan (kg)", "Weight (kg)", "yes", "", ". > 0 and . < 300", "Berat harus di antara 0 dan 300 kg."},
		{"calculate", "berat_g", "", "", "", "", "", "", "${berat} * 1000"},
		{"integer", "umur", "Umur warga", "Age", "yes", "", ". >= 0 and . <= 120", "Umur 0 sampai 120."},
		{"select_one jk", "jk", "Jenis kelamin", "Sex", "yes"},
		{"text", "hamil", "Sedang hamil?", "Pregnant?", "no", "${jk} = 'p'"},
		{"dateTime", "waktu", "Waktu kejadian", "Time of the event", "yes"},
		{"time", "jam", "Jam pulang", "Time home", "no"},
		{"select_one prov", "prov", "Provinsi asal", "Province", "yes"},
		{"select_one kab", "kab", "Kabupaten/kota asal", "Regency", "yes", "", "", "", "", "prov=${prov}"},
		{"audio", "suara", "Rekaman suara", "Voice note", "no"},
		{"text", "kode", "Kode wilayah", "Area code", "", "", "", "", "", "", "yes", "'JMB'"},
	}
	choices := [][]string{
		{"list_name", "name", "label::Indonesian (id)", "label::English (en)", "prov"},
		{"jk", "l", "Laki-laki", "Male"},
		{"jk", "p", "Perempuan", "Female"},
		{"prov", "jambi", "Jambi", "Jambi"},
		{"prov", "riau", "Riau", "Riau"},
		{"kab", "kota_jambi", "Kota Jambi", "Jambi City", "jambi"},
		{"kab", "muaro_jambi", "Muaro Jambi", "Muaro Jambi", "jambi"},
		{"kab", "pekanbaru", "Pekanbaru", "Pekanbaru", "riau"},
	}
	settings := [][]string{
		{"form_title", "form_id", "version", "default_language"},
		{"Uji semua jenis", "uji_semua", "1", "Indonesian (id)"},
	}
	b, err := xlsform.Build(xlsform.Sheet{Name: "survey", Rows: survey}, xlsform.Sheet{Name: "choices", Rows: choices},
		xlsform.Sheet{Name: "settings", Rows: settings})
	must(t, err)
	return b
}

// The form of every type, filled through the fake Telegram: a note and an
// acknowledgement by their buttons, a decimal refused by its constraint and
// typed with a comma, a calculation from it, a question left out by its
// relevant, a dateTime, an optional time and voice note skipped, a
// choice_filter cascade and a read-only text shown, not asked.
func TestFormEveryType(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	publishForm(t, h, "uji_semua", "1", everyTypeForm(t))

	u.send("/formulir", "Pilih formulir")
	u.press("📝 Uji semua jenis", "Formulir uji semua jenis.")
	u.press("Lanjut ➡️", "Saya paham data ini rahasia.")
	u.press("✅ Saya mengerti", "NIK warga")
	u.send("1571015205900003", "Kecamatan warga")
	u.press("Telanaipura", "Kelurahan warga")
	u.press("Buluran Kenali", "Berat badan (kg)")
	u.send("500", "Berat harus di antara 0 dan 300 kg.")
	u.send("52,5", "Umur warga")
	u.send("45", "Jenis kelamin")
	u.press("Laki-laki", "Waktu kejadian")
	u.send("01-11-2026 08.30", "Jam pulang")
	u.send("/lewati", "Provinsi asal")
	u.press("Jambi", "Kabupaten/kota asal")
	u.press("Kota Jambi", "Rekaman suara")
	u.send("/lewati", "Kode wilayah")
	sum := u.press("Lanjut ➡️", "Periksa data")
	if strings.Contains(sum.Text, "Sedang hamil") || strings.Contains(sum.Text, "Formulir uji semua jenis.") {
		t.Errorf("summary shows what was not asked:\n%s", sum.Text)
	}
	u.press("✅ Simpan", "terkirim")

	a := decoded(t, submissions(t, h, u.ID())[0])
	if a["berat"].Text != "52.5" || a["berat_g"].Text != "52500" || !a["berat_g"].Computed ||
		a["waktu"].Text != "2026-11-01T08:30" || a["setuju"].Text != "OK" || !a["hamil"].Skipped ||
		!a["suara"].Skipped || !a["jam"].Skipped || a["kab"].Text != "kota_jambi" || a["jk"].Text != "l" {
		t.Errorf("answers %+v", a)
	}
	if _, ok := a["pembuka"]; ok {
		t.Errorf("a note stored: %+v", a["pembuka"])
	}
}

// A kelurahan question without a kecamatan before it lists the city's
// kelurahan a page at a time; a typed name still finds one on another page.
func TestFormLongListPaged(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	survey := [][]string{{"type", "name", "label::Indonesian (id)", "required"}, {"kelurahan", "kel", "Kelurahan tujuan", "yes"}}
	publishForm(t, h, "uji_kel", "1", buildForm(t, "uji_kel", "Uji kelurahan", survey, [][]string{{"list_name", "name", "label"}}))
	u.send("/formulir", "Pilih formulir")
	m := u.press("📝 Uji kelurahan", "Kelurahan tujuan")
	n := 0
	for _, row := range m.InlineKeyboard {
		n += len(row)
	}
	if n > 16 || !hasButton(m, "2/6 ▶") {
		t.Errorf("%d buttons, want one page of 12 with a next page: %v", n, m.InlineKeyboard)
	}
	u.send("Orang Kayo Hitam", "Periksa data")
	u.press("✅ Simpan", "terkirim")
	if a := decoded(t, submissions(t, h, u.ID())[0]); a["kel"].Text != "Orang Kayo Hitam" {
		t.Errorf("answers %+v", a)
	}
}
