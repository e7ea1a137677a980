package bottest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/store"
)

// A label or hint naming an earlier answer (XLSForm's ${name}) shows that
// answer as the person sees it, escaped: typed text, a choice's label,
// several labels joined, a date as shown, a number; nothing while
// unanswered or skipped. The summary's labels are piped too.
func TestFormPipedLabels(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	coord := seedPerson(t, h, "Kurnia Dewi", store.RoleCoordinator, "15.71.01", "", "15.71.01")
	survey := [][]string{
		{"type", "name", "label::Indonesian (id)", "hint::Indonesian (id)", "required"},
		{"text", "panggilan", "Nama panggilan", "", "no"},
		{"text", "nama", "Nama warga${panggilan}", "", "yes"},
		{"select_one jk", "jk", "Jenis kelamin ${nama}", "", "yes"},
		{"integer", "umur", "Berapa umur ${nama}?", "${nama} adalah ${jk}.", "yes"},
		{"date", "lahir", "Tanggal lahir ${nama}", "", "yes"},
		{"select_multiple bantuan", "bantuan", "Bantuan untuk ${nama}", "", "yes"},
		{"text", "catatan", "Catatan: ${umur} tahun, lahir ${lahir}, bantuan ${bantuan}", "", "yes"},
	}
	choices := [][]string{
		{"list_name", "name", "label::Indonesian (id)", "label::English (en)"},
		{"jk", "l", "Laki-laki", "Male"},
		{"jk", "p", "Perempuan", "Female"},
		{"bantuan", "pangan", "Pangan", "Food"},
		{"bantuan", "obat", "Obat", "Medicine"},
	}
	publishForm(t, h, "uji_pipa", "1", buildForm(t, "uji_pipa", "Uji pipa", survey, choices))

	u.send("/formulir", "Pilih formulir")
	u.press("📝 Uji pipa", "Nama panggilan")
	// Skipped: pipes as nothing, not as "(dilewati)" nor ${panggilan}.
	if m := u.send("/lewati", "Nama warga"); !strings.Contains(m.Text, "Nama warga\n") && !strings.HasSuffix(m.Text, "Nama warga") {
		t.Errorf("a skipped answer piped:\n%s", m.Text)
	}
	const name = `Siti <b>"Ani"</b> & co`
	m := u.send(name, "Jenis kelamin "+name)
	if want := "Jenis kelamin Siti &lt;b&gt;&#34;Ani&#34;&lt;/b&gt; &amp; co"; !strings.Contains(m.RawText, want) {
		t.Errorf("the name is not piped escaped:\n%s", m.RawText)
	}
	m = u.press("Perempuan", "Berapa umur "+name+"?")
	if !strings.Contains(m.Text, name+" adalah Perempuan.") {
		t.Errorf("the hint does not show the choice's label:\n%s", m.Text)
	}
	u.send("45", "Tanggal lahir "+name)
	u.send("05-01-1981", "Bantuan untuk "+name)
	u.toggle("Pangan")
	u.toggle("Obat")
	u.press("✔️ Selesai", "Catatan: 45 tahun, lahir 05-01-1981, bantuan Pangan, Obat")
	sum := u.send("Sehat.", "Periksa data")
	for _, want := range []string{"Berapa umur " + name + "?: 45", "Jenis kelamin " + name + ": Perempuan"} {
		if !strings.Contains(sum.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.Text)
		}
	}
	if strings.Contains(sum.Text, "${") {
		t.Errorf("summary shows a ${name}:\n%s", sum.Text)
	}
	card := coord.do(func() { u.press("✅ Simpan", "terkirim") }, "Kiriman formulir baru")
	a := decoded(t, submissions(t, h, u.ID())[0])
	if a["nama"].Text != name || a["jk"].Text != "p" || a["umur"].Text != "45" {
		t.Errorf("answers %+v", a)
	}
	// The reviewer reads the questions as the worker read them.
	for _, want := range []string{"Berapa umur " + name + "?: 45", "Catatan: 45 tahun, lahir 05-01-1981, bantuan Pangan, Obat: Sehat."} {
		if !strings.Contains(card.Text, want) {
			t.Errorf("review card lacks %q:\n%s", want, card.Text)
		}
	}
	if strings.Contains(card.Text, "${") {
		t.Errorf("review card shows a ${name}:\n%s", card.Text)
	}
	coord.do(func() { must(t, coord.PressOn(card.ID, "✏️ Perlu perbaikan")) }, "perlu diperbaiki")
	coord.toggle(`Berapa umur Siti <b>"Ani"</b…`)
	coord.press("✔️ Selesai", "catatan")
	coord.send("Umur tidak sesuai KTP", "Simpan")
	coord.press("✅ Simpan", "Perlu perbaikan")
	if told := waitText(t, u.User, "Umur tidak sesuai KTP"); !strings.Contains(told.Text, "Berapa umur "+name+"?") {
		t.Errorf("the worker is not told the piped question:\n%s", told.Text)
	}
	h.NoViolations()
}

// An audio question answered by a voice note: the worker sees it taken
// (its length), a text instead is refused, the submission names the file,
// and the media downloader writes the note's bytes into the media folder.
func TestFormVoiceNote(t *testing.T) {
	media := t.TempDir()
	h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) {
		c.Media = bot.MediaConfig{Dir: media, Interval: 20 * time.Millisecond}
	}})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	survey := [][]string{
		{"type", "name", "label::Indonesian (id)", "required"},
		{"audio", "suara", "Rekam keluhan warga", "yes"},
		{"text", "catatan", "Catatan", "yes"},
	}
	publishForm(t, h, "uji_suara", "1", buildForm(t, "uji_suara", "Uji suara", survey, [][]string{{"list_name", "name", "label"}}))

	u.send("/formulir", "Pilih formulir")
	u.press("📝 Uji suara", "Rekam keluhan warga")
	u.send("halo", "Kirim pesan suara")
	note := []byte("OggS\x00\x02 voice note of the test")
	m := u.do(func() { u.SendVoice(note, 12) }, "Catatan")
	if !strings.Contains(m.Text, "Rekam keluhan warga: 🎤 rekaman 12 detik") {
		t.Errorf("the voice note is not echoed:\n%s", m.Text)
	}
	sum := u.send("Atap bocor.", "Periksa data")
	if !strings.Contains(sum.Text, "🎤 rekaman 12 detik") {
		t.Errorf("summary:\n%s", sum.Text)
	}
	u.press("✅ Simpan", "terkirim")

	s := submissions(t, h, u.ID())[0]
	files := decoded(t, s)["suara"].Files
	if len(files) != 1 || !strings.HasPrefix(files[0], "form-"+itoa(s.ID)+"/") {
		t.Fatalf("voice note files %v", files)
	}
	path := filepath.Join(media, filepath.FromSlash(files[0]))
	h.WaitUntil(wait, "the voice note downloaded", func() bool {
		got, err := os.ReadFile(path)
		return err == nil && bytes.Equal(got, note)
	})
	h.NoViolations()
}
