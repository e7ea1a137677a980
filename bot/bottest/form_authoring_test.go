package bottest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/flows/xlsform/xlsformtest"
	"dinsosbot/store"
)

// TestFormDefaultsKept: defaults of date, time, dateTime and number
// questions, typed ("08:30", "2026-11-01 08:30") or computed (today(),
// now()), are stored in the layouts a worker's own answers use; the worker
// keeps each with one button, or types another; a default that is no answer
// of its kind (an integer "banyak") is dropped, not shown.
func TestFormDefaultsKept(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	wb := xlsformtest.Form(t, [][]string{
		{"type", "name", "label", "default", "constraint"},
		{"date", "tgl", "Tanggal", "today()"},
		{"time", "jam", "Jam", "08:30"},
		{"time", "jam2", "Jam kedua", "7:05:00"},
		{"dateTime", "waktu", "Waktu", "now()"},
		{"dateTime", "waktu2", "Waktu kedua", "2026-11-01 08:30"},
		{"integer", "jumlah", "Jumlah", "banyak"},
		{"decimal", "berat", "Berat", "2.5", ". < 2"},
		{"text", "catatan", "Catatan", "tidak ada"},
	}, nil, xlsformtest.Settings("bawaan"))
	publishForm(t, h, "bawaan", "1", wb)
	now := h.Clock.Now().In(time.FixedZone("WIB", 7*3600))

	u.send("/formulir", "Pilih formulir")
	p := u.press("📝 Uji bawaan", "Tanggal")
	if !strings.Contains(p.Text, now.Format("02-01-2006")) {
		t.Errorf("today() default not shown day first:\n%s", p.Text)
	}
	p = u.press("✔️ Pakai jawaban sebelumnya", "Jam")
	if !strings.Contains(p.Text, "08.30") {
		t.Errorf("time default:\n%s", p.Text)
	}
	p = u.press("✔️ Pakai jawaban sebelumnya", "Jam kedua")
	if !strings.Contains(p.Text, "07.05") {
		t.Errorf("time default with seconds:\n%s", p.Text)
	}
	p = u.send("10.15", "Waktu")
	if !strings.Contains(p.Text, now.Format("02-01-2006 15.04")) {
		t.Errorf("now() default:\n%s", p.Text)
	}
	p = u.press("✔️ Pakai jawaban sebelumnya", "Waktu kedua")
	if !strings.Contains(p.Text, "01-11-2026 08.30") {
		t.Errorf("typed dateTime default:\n%s", p.Text)
	}
	p = u.press("✔️ Pakai jawaban sebelumnya", "Jumlah")
	if strings.Contains(p.Text, "banyak") || strings.Contains(p.Text, "sebelumnya") {
		t.Errorf("a default that is no number is offered:\n%s", p.Text)
	}
	// A forged keep press where there is nothing to keep changes nothing.
	conv, _, err := conversationOf(h, u.ID())
	must(t, err)
	u.PressData(p.ID, "f:"+conv.Nonce+":v:")
	settle(t, h)
	if after, _, err := conversationOf(h, u.ID()); err != nil || after.Step != conv.Step || after.Data != conv.Data {
		t.Errorf("a forged keep moved the form: %+v (%v)", after, err)
	}
	u.send("3", "Berat")
	// The kept default goes through the question's constraint like a typed answer.
	if p = u.press("✔️ Pakai jawaban sebelumnya", "Berat"); !strings.Contains(p.Text, "⚠️") {
		t.Errorf("a kept default past its constraint was taken:\n%s", p.Text)
	}
	u.send("1,5", "Catatan")
	sum := u.press("✔️ Pakai jawaban sebelumnya", "Periksa data")
	for _, want := range []string{"08.30", "10.15", "01-11-2026 08.30", "1,5", "tidak ada"} {
		if !strings.Contains(sum.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.Text)
		}
	}
	u.press("✅ Simpan", "terkirim")

	a := decoded(t, submissions(t, h, u.ID())[0])
	want := map[string]string{"tgl": now.Format(time.DateOnly), "jam": "08:30", "jam2": "10:15",
		"waktu": now.Format("2006-01-02T15:04"), "waktu2": "2026-11-01T08:30", "jumlah": "3", "berat": "1.5",
		"catatan": "tidak ada"}
	for k, v := range want {
		if a[k].Text != v {
			t.Errorf("stored %s = %q, want %q", k, a[k].Text, v)
		}
	}
}

func conversationOf(h *bottest.Harness, user int64) (c store.Conversation, ok bool, err error) {
	err = h.DB().Update(context.Background(), func(tx *store.Tx) error {
		c, ok, err = tx.Conversation(user, user)
		return err
	})
	return c, ok, err
}

// TestFormRequiredIf: a required column holding an expression (ODK's
// conditional required) lets the worker skip the question while it is false
// and refuses the skip, with the form's required_message, while it is true.
func TestFormRequiredIf(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	wb := xlsformtest.Form(t, [][]string{
		{"type", "name", "label", "required", "required_message"},
		{"select_one yt", "punya_kk", "Punya KK?", "yes"},
		{"text", "no_kk", "Nomor KK", "${punya_kk} = 'ya'", "Nomor KK wajib bila punya KK"},
	}, [][]string{
		{"list_name", "name", "label"},
		{"yt", "ya", "Ya"},
		{"yt", "tidak", "Tidak"},
	}, xlsformtest.Settings("kk"))
	publishForm(t, h, "kk", "1", wb)

	u.send("/formulir", "Pilih formulir")
	u.press("📝 Uji kk", "Punya KK?")
	p := u.press("Ya", "Nomor KK")
	if strings.Contains(p.Text, "Boleh dilewati") {
		t.Errorf("a question required now is offered to skip:\n%s", p.Text)
	}
	u.send("/lewati", "Nomor KK wajib bila punya KK")
	u.send("/kembali", "Punya KK?")
	p = u.press("Tidak", "Nomor KK")
	if !strings.Contains(p.Text, "Boleh dilewati") {
		t.Errorf("a question not required now is not offered to skip:\n%s", p.Text)
	}
	u.send("/lewati", "Periksa data")
	u.press("✅ Simpan", "terkirim")
	a := decoded(t, submissions(t, h, u.ID())[0])
	if a["punya_kk"].Text != "tidak" || !a["no_kk"].Skipped {
		t.Errorf("answers %+v", a)
	}
}

// TestFormLongTexts: a note and a question as long as a form may hold, the
// question with a long default, still reach the worker in one message each
// (the fake refuses a text over Telegram's 4096 characters).
func TestFormLongTexts(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	long := strings.Repeat("Persetujuan warga. ", 183) // 3,477 characters
	wb := xlsformtest.Form(t, [][]string{
		{"type", "name", "label", "default"},
		{"note", "izin", "Izin " + long},
		{"text", "cerita", "Cerita " + long, strings.Repeat("panjang ", 240)},
	}, nil, xlsformtest.Settings("panjang"))
	publishForm(t, h, "panjang", "1", wb)

	u.send("/formulir", "Pilih formulir")
	u.press("📝 Uji panjang", "Izin Persetujuan")
	p := u.press("Lanjut ➡️", "Cerita Persetujuan")
	if !strings.Contains(p.Text, "Jawaban sebelumnya") {
		t.Errorf("the long default is not shown:\n%.200s", p.Text)
	}
	u.press("✔️ Pakai jawaban sebelumnya", "Periksa data")
	u.press("✅ Simpan", "terkirim")
	if a := decoded(t, submissions(t, h, u.ID())[0]); len(a["cerita"].Text) < 1900 {
		t.Errorf("the kept default was cut: %d bytes", len(a["cerita"].Text))
	}
	h.NoViolations()
}

// TestFormMarkdownLabels: an author's markdown and ODK's <span> tags show
// as Telegram formatting in the question, and as plain text on the
// summary; markup that does not nest is shown as written, never refused by
// Telegram.
func TestFormMarkdownLabels(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	wb := xlsformtest.Form(t, [][]string{
		{"type", "name", "label", "hint"},
		{"note", "judul", "# Bagian A\n**Penting:** <span style=\"color:red\">isi</span> dengan *jujur*"},
		{"text", "nama", "**Nama** kepala keluarga", "Tulis _sesuai KTP_"},
		{"text", "salah", "**tebal *miring** salah*"},
	}, nil, xlsformtest.Settings("markdown"))
	publishForm(t, h, "markdown", "1", wb)

	u.send("/formulir", "Pilih formulir")
	note := u.press("📝 Uji markdown", "Penting")
	if !strings.Contains(note.RawText, "<b>Bagian A</b>") || !strings.Contains(note.RawText, "<b>Penting:</b> isi dengan <i>jujur</i>") ||
		strings.Contains(note.Text, "**") || strings.Contains(note.Text, "span") {
		t.Errorf("note:\nraw %q\nshown %q", note.RawText, note.Text)
	}
	p := u.press("Lanjut ➡️", "Nama kepala keluarga")
	if !strings.Contains(p.RawText, "<b>Nama</b> kepala keluarga\n<i>Tulis <i>sesuai KTP</i></i>") {
		t.Errorf("question: raw %q", p.RawText)
	}
	p = u.send("Budi", "tebal")
	if !strings.Contains(p.Text, "**tebal *miring** salah*") {
		t.Errorf("markup that does not nest: %q", p.Text)
	}
	sum := u.send("x", "Periksa data")
	if !strings.Contains(sum.Text, "Nama kepala keluarga: Budi") {
		t.Errorf("summary:\n%s", sum.Text)
	}
	h.NoViolations()
}
