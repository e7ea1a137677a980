package bottest_test

import (
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
)

// A label or hint naming an earlier answer (XLSForm's ${name}) shows that
// answer as the person sees it, escaped: typed text, a choice's label,
// several labels joined, a date as shown, a number; nothing while
// unanswered or skipped. The summary's labels are piped too.
func TestFormPipedLabels(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
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
	u.press("✅ Simpan", "terkirim")
	a := decoded(t, submissions(t, h, u.ID())[0])
	if a["nama"].Text != name || a["jk"].Text != "p" || a["umur"].Text != "45" {
		t.Errorf("answers %+v", a)
	}
	h.NoViolations()
}
