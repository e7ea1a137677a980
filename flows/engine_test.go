package flows_test

import (
	"strings"
	"testing"
	"time"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// formFlow declares one step of every input kind (reusing catalogue texts) and
// records what Save got.
func formFlow(saved *flows.Answers) *flows.Flow {
	opts := []flows.Option{{Value: "a", Key: "role.psm"}, {Value: "b", Key: "role.tksk"}, {Value: "c", Key: "role.admin"}}
	return &flows.Flow{Name: "form", Title: "profile.title", Steps: []flows.Step{
		{Key: "note", Prompt: "reg.name", Label: "cmd.start", Input: flows.InputText, Min: 2, Max: 100, Optional: true},
		{Key: "count", Prompt: "invite.uses", Label: "invite.uses.label", Input: flows.InputNumber, Min: 1, Max: 50},
		{Key: "born", Prompt: "reg.role", Label: "cmd.help", Input: flows.InputDate, PastOnly: true},
		{Key: "at", Prompt: "reg.kecamatan", Label: "cmd.edit", Input: flows.InputTime},
		{Key: "ok", Prompt: "reg.kelurahan", Label: "cmd.profile", Input: flows.InputYesNo},
		{Key: "needs", Prompt: "invite.role", Label: "cmd.invite", Input: flows.InputMulti, Options: opts, Min: 1, Max: 2},
		{Key: "where", Prompt: "reg.phone", Label: "cmd.language", Input: flows.InputLocation},
		{Key: "pics", Prompt: "invite.days", Label: "cmd.cancel", Input: flows.InputPhotos, Max: 2, Optional: true},
	}, Save: func(c *flows.Ctx) error {
		*saved = c.Answers
		return c.Reply(c.T("profile.saved"))
	}}
}

func formWorld(t *testing.T) (*world, *flows.Answers) {
	w := newWorld(t, flows.Config{})
	saved := new(flows.Answers)
	if err := w.app.AddCommand(flows.FlowCommand{Name: "form", Group: flows.GroupPrivate, Flow: formFlow(saved)}); err != nil {
		t.Fatal(err)
	}
	return w, saved
}

// A step refused an answer: the reason was given, the step is asked again and
// nothing was stored.
func refused(t *testing.T, p *person, step, reason string) {
	t.Helper()
	p.expect("⚠️").expect(reason)
	c, ok := p.w.conversation(p.id)
	if !ok || c.Step != step {
		t.Fatalf("step = %q, want %q", c.Step, step)
	}
	if strings.Contains(c.Data, `"`+step+`":`) {
		t.Fatalf("answer to %s stored: %s", step, c.Data)
	}
}

func TestEveryInputKind(t *testing.T) {
	w, saved := formWorld(t)
	p := w.person(1, "Sri")
	p.send("/form").expect("/lewati")

	p.send(strings.Repeat("x", 5000))
	refused(t, p, "note", "Terlalu panjang: 5000 karakter, maksimal 100.")
	p.send("x")
	refused(t, p, "note", "Terlalu pendek")
	p.location(1, 2)
	refused(t, p, "note", "Mohon jawab dengan teks")
	p.send("/lewati").expect("Untuk berapa orang")

	p.send("abc")
	refused(t, p, "count", "Tulis dengan angka saja.")
	p.send("99")
	refused(t, p, "count", "Angka harus dari 1 sampai 50.")
	p.send("7")

	p.send("31-02-2000")
	refused(t, p, "born", "Tanggal 31-2-2000 tidak ada di kalender.")
	p.send("21-11-2099")
	refused(t, p, "born", "belum terjadi")
	p.send("🙂")
	refused(t, p, "born", "Contoh: <code>21-11-2023</code>")
	p.send("21 Nov 2023")

	p.send("25.00")
	refused(t, p, "at", "Jam 25 tidak ada")
	p.send("9:00")

	p.send("mungkin")
	refused(t, p, "ok", "Ya atau Tidak")
	p.press("Ya")

	p.send("PSM")
	refused(t, p, "needs", "pilih dengan tombol")
	p.press("Selesai")
	if got := p.callbackAnswer(); got != "Pilih paling sedikit 1." {
		t.Fatalf("done with nothing: %q", got)
	}
	p.press("PSM").press("TKSK").press("Admin")
	if got := p.callbackAnswer(); got != "Paling banyak 2 pilihan." {
		t.Fatalf("third pick: %q", got)
	}
	p.press("✅ TKSK") // untoggle
	p.press("Admin").press("Selesai")

	p.send("Jl. Sudirman no. 5")
	refused(t, p, "where", "Kirim lokasi saya")
	p.location(-1.6, 103.6).expect("✅ Ganti bahasa: <b>-1.60000, 103.60000</b>")

	p.do(flows.Event{Kind: flows.EventMessage, Photo: &flows.Photo{FileID: "f1", FileUniqueID: "u1"}})
	p.expect("Foto ke-1 diterima")
	p.press("Selesai").expect("Profil")
	p.expect("21-11-2023").expect("09.00").expect("PSM, Admin").expect("1 foto").expect("—")

	p.press("Simpan").expect("Profil disimpan")
	a := *saved
	if a.Text("count") != "7" || a.Text("born") != "2023-11-21" || a.Text("at") != "09:00" || a.Text("ok") != "yes" ||
		strings.Join(a["needs"].List, ",") != "a,c" || a["where"].Lat != -1.6 || len(a["pics"].Photos) != 1 ||
		!a["note"].Skipped {
		t.Fatalf("saved %+v", a)
	}
	if p.step() != "" {
		t.Fatal("conversation not closed")
	}
}

func TestRegistrationBadInputs(t *testing.T) {
	w := newWorld(t, flows.Config{})
	p := w.person(1, "Sri")
	p.send("/start").press("Setuju")
	p.do(flows.Event{Kind: flows.EventMessage}) // a sticker: no text at all
	refused(t, p, "name", "jawab dengan teks")
	p.send("   ")
	refused(t, p, "name", "Nama masih kosong")
	p.send(strings.Repeat("a", 5000))
	refused(t, p, "name", "Nama terlalu panjang")
	p.send("Budi123")
	refused(t, p, "name", "tidak boleh berisi angka")
	p.send("Budi 🙂")
	refused(t, p, "name", "tidak boleh berisi \"🙂\"")
	p.send("/lewati")
	refused(t, p, "name", "wajib diisi")
	p.send("Sri Wahyuni").press("PSM")
	p.send("Kecamatan Antah")
	refused(t, p, "kecamatan", "tidak ada dalam daftar")
	p.send("telanaipura") // typed, not pressed
	p.send("Pasir Putih")
	refused(t, p, "kelurahan", "Kelurahan Pasir Putih ada di Kecamatan Jambi Selatan, bukan Telanaipura")
	p.send("simpang empat sipin") // a spelling variant
	p.send("081234567890")
	refused(t, p, "phone", "nomor tidak perlu diketik")
	p.contact("+628111111111", 2)
	refused(t, p, "phone", "kontak orang lain")
	p.location(-1.6, 103.6)
	refused(t, p, "phone", "Kirim nomor HP saya")
	p.contact("628129999999", 1).expect("Simpang IV Sipin").expect("+628129999999")
}

func TestBackSkipEditCancel(t *testing.T) {
	w := newWorld(t, flows.Config{})
	p := w.person(1, "Sri")
	p.send("/kembali").expect("Tidak ada isian")
	p.send("/start").press("Setuju")
	p.send("/kembali").expect("Kembali satu langkah").expect("Lanjutkan?")
	p.press("Setuju")
	p.send("Sri Wahyun")
	p.send("/kembali").expect("Jawaban sebelumnya: <b>Sri Wahyun</b>")
	p.send("Sri Wahyuni").expect("peran")
	// A double press: the second is answered and changes nothing.
	data, id, _ := p.find("PSM")
	p.pressData(data, id).expect("kecamatan")
	p.pressData(data, id)
	if got := p.callbackAnswer(); got != "Tombol ini sudah tidak berlaku." {
		t.Fatalf("double press answer = %q", got)
	}
	if p.step() != "kecamatan" {
		t.Fatalf("step = %s", p.step())
	}
	p.press("Telanaipura").press("Buluran Kenali").contact("081234567890", 1)

	// Edit from the summary: a new kecamatan drops the kelurahan, which is asked
	// before returning to the summary.
	p.press("✏️ Kecamatan").expect("Jawaban sebelumnya: <b>Telanaipura</b>")
	p.press("Jambi Selatan").expect("kelurahan")
	p.reject("Buluran")
	p.press("Pasir Putih").expect("Kelurahan: <b>Pasir Putih</b>").expect("Kecamatan: <b>Jambi Selatan</b>")
	p.press("✏️ Nama")
	p.send("Sri Wahyuningsih").expect("Nama: <b>Sri Wahyuningsih</b>")
	if p.step() != "_summary" {
		t.Fatalf("step = %s, want the summary", p.step())
	}

	// Cancel, then the old summary's button is stale.
	save, sid, _ := p.find("Simpan")
	p.send("/batal").expect("Isian dibatalkan")
	if p.step() != "" {
		t.Fatal("conversation kept after /batal")
	}
	p.pressData(save, sid)
	if got := p.callbackAnswer(); got != "Tombol ini sudah tidak berlaku." {
		t.Fatalf("stale press answer = %q", got)
	}
	if u := w.user(1); u.Status != store.UserNew || u.FullName != "" {
		t.Fatalf("cancelled registration stored: %+v", u)
	}
}

func TestExpiryWithReminder(t *testing.T) {
	w := newWorld(t, flows.Config{})
	p := w.person(1, "Sri")
	p.send("/start").press("Setuju")
	w.now = w.now.Add(21 * time.Hour)
	if rows := w.sweep(); len(rows) != 0 {
		t.Fatalf("early sweep sent %d", len(rows))
	}
	w.now = w.now.Add(61 * time.Minute)
	p.w.sweep()
	p.expect("belum selesai").expect("03-11-2026 09.00 WIB")
	if rows := w.sweep(); len(rows) != 0 {
		t.Fatalf("second reminder: %d rows", len(rows))
	}
	w.now = w.now.Add(2 * time.Hour)
	w.sweep()
	p.expect("kedaluwarsa")
	if p.step() != "" {
		t.Fatal("expired draft kept")
	}
	p.send("Sri").expect("belum terdaftar") // no flow any more
}

func TestActivityPostponesExpiry(t *testing.T) {
	w := newWorld(t, flows.Config{DraftExpiry: time.Hour, ReminderLead: 10 * time.Minute})
	p := w.person(1, "Sri")
	p.send("/start").press("Setuju")
	w.now = w.now.Add(55 * time.Minute)
	p.send("Sri Wahyuni")
	w.now = w.now.Add(55 * time.Minute)
	w.sweep()
	p.expect("belum selesai")
	if p.step() != "role" {
		t.Fatalf("step = %q", p.step())
	}
}

func TestRestartResumes(t *testing.T) {
	w := newWorld(t, flows.Config{})
	p := w.person(1, "Sri")
	p.send("/start").press("Setuju")
	p.send("Sri Wahyuni").press("TKSK")
	w.restart()
	// The button sent before the restart still works.
	p.press("Kota Baru").expect("kelurahan")
	w.restart()
	p.send("/start").expect("Melanjutkan isian").expect("kelurahan")
	p.press("Paal Lima").contact("081234567890", 1).expect("Peran: <b>TKSK</b>").expect("Nama: <b>Sri Wahyuni</b>")
}

// toPhotos answers the form up to its photos step.
func toPhotos(p *person) {
	p.send("/form").send("/lewati").send("7").send("21 Nov 2023").send("9:00")
	p.press("Ya").press("PSM").press("Selesai")
	p.location(-1.6, 103.6).expect("Berapa lama") // the photos step's (borrowed) prompt
}

// A pressed button's message becomes the next question: one edit with the
// answer's echo first and the new keyboard, and nothing else in the chat; its
// old keyboard is then stale. When the next question needs a message of its
// own (a location keyboard), the pressed message keeps its question without
// buttons and the question comes new, the echo on top.
func TestChosenButtonEdited(t *testing.T) {
	w, _ := formWorld(t)
	p := w.person(1, "Sri")
	p.send("/form").send("/lewati").send("7").send("21 Nov 2023").send("9:00")

	data, msg, _ := p.find("Ya")
	p.pressData(data, msg)
	var kinds []store.Kind
	var edit store.Message
	for _, r := range w.got {
		kinds = append(kinds, r.Message.Kind)
		if r.Message.Kind == store.KindEditText {
			edit = r.Message
		}
	}
	if len(kinds) != 2 || kinds[0] != store.KindAnswerCallback || kinds[1] != store.KindEditText {
		t.Fatalf("a press sent %v, want an answer and one edit", kinds)
	}
	if edit.MessageID != msg || !strings.HasPrefix(edit.Text, "✅ Lihat profil saya: <b>Ya</b>\n\n") ||
		!strings.Contains(edit.Text, "Undangan untuk peran apa?") || len(edit.Buttons) != 3 {
		t.Fatalf("pressed message %d edited to %+v, want the next question with its 3 button rows", msg, edit)
	}
	p.pressData(data, msg) // the keyboard it had before the edit
	if got := p.callbackAnswer(); got != "Tombol ini sudah tidak berlaku." || len(w.got) != 1 {
		t.Fatalf("old keyboard: answered %q, sent %d rows", got, len(w.got))
	}

	p.press("PSM")
	data, msg2, _ := p.find("Selesai")
	if msg2 != msg {
		t.Fatalf("the several-choice was not drawn in the pressed message: %d, want %d", msg2, msg)
	}
	p.pressData(data, msg2)
	var closed, next *store.Message
	for _, r := range w.got {
		switch r.Message.Kind {
		case store.KindEditText:
			closed = &r.Message
		case store.KindSend:
			next = &r.Message
		}
	}
	if closed == nil || closed.MessageID != msg || closed.Text != edit.Text || len(closed.Buttons) != 0 {
		t.Fatalf("pressed message before a location step: %+v, want its question without buttons", closed)
	}
	if next == nil || next.Reply == nil || !strings.HasPrefix(next.Text, "✅ Buat, lihat atau cabut tautan undangan: <b>PSM</b>\n\n") {
		t.Fatalf("location step: %+v, want a new message with the keyboard and the echo", next)
	}
	if p.step() != "where" {
		t.Fatalf("step = %q", p.step())
	}
}

// Pressing (sending the callback data of) another person's form button is
// answered "no longer active" and changes neither form; so is forged data
// carrying the presser's own nonce with a value no button offered.
func TestForgedFlowPress(t *testing.T) {
	w := newWorld(t, flows.Config{})
	a, b, c := w.person(1, "Sri"), w.person(2, "Tono"), w.person(3, "Ani")
	for _, p := range []*person{a, b} {
		p.send("/start").press("Setuju")
		p.send(p.name + " Wibowo").expect("peran")
	}
	aData, aMsg, _ := a.find("PSM")
	bData, _, _ := b.find("PSM")
	convA, _ := w.conversation(1)
	convB, _ := w.conversation(2)
	forged := strings.TrimSuffix(bData, "psm") + "admin"
	for _, tc := range []struct {
		name string
		by   *person
		data string
	}{
		{"another person's button", b, aData},
		{"someone with no form", c, aData},
		{"own nonce, a value never offered", b, forged},
	} {
		tc.by.pressData(tc.data, aMsg)
		if got := tc.by.callbackAnswer(); got != "Tombol ini sudah tidak berlaku." {
			t.Fatalf("%s: answered %q", tc.name, got)
		}
		for _, r := range w.got {
			if r.Message.Kind != store.KindAnswerCallback {
				t.Fatalf("%s: sent %+v", tc.name, r.Message)
			}
		}
		if now, _ := w.conversation(1); now.Step != convA.Step || now.Data != convA.Data || now.Nonce != convA.Nonce {
			t.Fatalf("%s: owner's form changed: %+v", tc.name, now)
		}
		if now, _ := w.conversation(2); now.Step != convB.Step || now.Data != convB.Data || now.Nonce != convB.Nonce {
			t.Fatalf("%s: presser's form changed: %+v", tc.name, now)
		}
	}
	if _, ok := w.conversation(3); ok {
		t.Fatal("a form opened for the person with none")
	}
	// The owner's button still works for the owner.
	a.pressData(aData, aMsg).expect("kecamatan")
}

// Text where photos are asked is refused with what to do, and the draft (the
// answers and the photos sent so far) survives it.
func TestTextAtPhotosStep(t *testing.T) {
	w, saved := formWorld(t)
	p := w.person(1, "Sri")
	toPhotos(p)
	p.do(flows.Event{Kind: flows.EventMessage, Photo: &flows.Photo{FileID: "f1", FileUniqueID: "u1"}})
	p.expect("Foto ke-1 diterima")
	p.send("ini foto rumahnya")
	p.expect("⚠️").expect("Kirim foto, atau tekan Selesai.")
	conv, ok := w.conversation(1)
	if !ok || conv.Step != "pics" || !strings.Contains(conv.Data, `"f1"`) || !strings.Contains(conv.Data, `"7"`) {
		t.Fatalf("draft after the text: %+v", conv)
	}
	p.press("Selesai").expect("1 foto").expect("-1.60000, 103.60000")
	p.press("Simpan").expect("Profil disimpan")
	if a := *saved; len(a["pics"].Photos) != 1 || a["pics"].Photos[0].FileID != "f1" || a.Text("count") != "7" {
		t.Fatalf("saved %+v", a)
	}
}

// rowsIn is what the last action sent to or edited in p's chat, by kind,
// callback answers left out.
func rowsIn(p *person) []store.Message {
	var out []store.Message
	for _, r := range p.w.got {
		if r.Message.ChatID == p.id && r.Message.Kind != store.KindAnswerCallback {
			out = append(out, r.Message)
		}
	}
	return out
}

// Every step of the common path costs one call: a typed answer (or a
// location) one new prompt with the answer's echo as its first line, a press
// one edit of the pressed question. The location keyboard, used up, is taken
// away by the form's last message rather than by a message of its own.
func TestOneCallPerStep(t *testing.T) {
	w, _ := formWorld(t)
	p := w.person(1, "Sri")
	p.send("/form")
	one := func(what string, kind store.Kind, echo string) store.Message {
		t.Helper()
		got := rowsIn(p)
		if len(got) != 1 || got[0].Kind != kind || !strings.HasPrefix(got[0].Text, echo) {
			t.Fatalf("%s: sent %+v, want one %s starting %q", what, got, kind, echo)
		}
		return got[0]
	}
	p.send("Sri Wahyuni")
	one("typed text", store.KindSend, "✅ Mulai: <b>Sri Wahyuni</b>\n\n")
	p.send("7")
	one("typed number", store.KindSend, "✅ Jumlah orang: <b>7</b>\n\n")
	p.send("21 Nov 2023")
	one("typed date", store.KindSend, "✅ Daftar perintah: <b>21-11-2023</b>\n\n")
	p.send("9:00")
	p.press("Ya")
	one("a yes/no press", store.KindEditText, "✅ Lihat profil saya: <b>Ya</b>")
	p.press("PSM").press("Selesai")
	p.location(-1.6, 103.6)
	if m := one("a location", store.KindSend, "✅ Ganti bahasa: <b>-1.60000, 103.60000</b>\n\n"); m.RemoveReply ||
		len(m.Buttons) == 0 {
		t.Fatalf("the photos prompt after a location: %+v, want its Done button", m)
	}
	p.press("Selesai")
	one("done with the photos", store.KindEditText, "<b>")
	p.expect("Periksa data")
	p.press("Simpan")
	var saved *store.Message
	for _, m := range rowsIn(p) {
		if m.Kind == store.KindSend {
			saved = &m
		}
	}
	if saved == nil || !strings.Contains(saved.Text, "Profil disimpan") || !saved.RemoveReply {
		t.Fatalf("after Simpan: %+v, want the saved message taking the location keyboard away", rowsIn(p))
	}
}

// A press carrying the live nonce but on another message than the prompt on
// screen (whose id the engine knows once it edited or was pressed) is stale
// and changes nothing; on the prompt itself it acts.
func TestPressOnOtherMessageStale(t *testing.T) {
	w, _ := formWorld(t)
	p := w.person(1, "Sri")
	p.send("/form").send("/lewati").send("7").send("21 Nov 2023").send("9:00")
	p.press("Ya")
	data, msg, _ := p.find("PSM")
	before, _ := w.conversation(1)
	p.pressData(data, msg-1)
	if got := p.callbackAnswer(); got != "Tombol ini sudah tidak berlaku." || len(rowsIn(p)) != 0 {
		t.Fatalf("press on message %d: answered %q, sent %+v", msg-1, got, rowsIn(p))
	}
	if now, _ := w.conversation(1); now.Data != before.Data {
		t.Fatalf("the draft changed: %s", now.Data)
	}
	p.pressData(data, msg)
	if m := rowsIn(p); len(m) != 1 || m[0].Kind != store.KindEditButtons {
		t.Fatalf("press on the prompt: %+v, want its keyboard redrawn", m)
	}
}

// Leaving a contact or location step without using its keyboard (/lewati,
// /kembali) takes the keyboard away at once: in the next prompt when it is a
// plain message, else in a short message of its own before it (a step
// answered before has buttons: its keep button).
func TestLeaveRequestKeyboard(t *testing.T) {
	w := newWorld(t, flows.Config{})
	f := &flows.Flow{Name: "where", Title: "profile.title", Steps: []flows.Step{
		{Key: "note", Prompt: "reg.name", Label: "cmd.start", Input: flows.InputText, Min: 2, Max: 100},
		{Key: "loc", Prompt: "reg.phone", Label: "cmd.language", Input: flows.InputLocation, Optional: true},
		{Key: "more", Prompt: "reg.name", Label: "cmd.help", Input: flows.InputText, Min: 2, Max: 100},
		{Key: "loc2", Prompt: "reg.phone", Label: "cmd.language", Input: flows.InputLocation, Optional: true},
		{Key: "ok", Prompt: "reg.kelurahan", Label: "cmd.profile", Input: flows.InputYesNo},
	}, Save: func(c *flows.Ctx) error { return c.Reply(c.T("profile.saved")) }}
	if err := w.app.AddCommand(flows.FlowCommand{Name: "where", Group: flows.GroupPrivate, Flow: f}); err != nil {
		t.Fatal(err)
	}
	p := w.person(1, "Sri")
	p.send("/where").send("Sri Wahyuni")
	if m := rowsIn(p); len(m) != 1 || m[0].Reply == nil {
		t.Fatalf("location step: %+v", m)
	}
	p.send("/kembali")
	if m := rowsIn(p); len(m) != 2 || !m[0].RemoveReply || !strings.Contains(m[0].Text, "Kembali satu langkah") ||
		len(m[1].Buttons) != 1 || !strings.Contains(m[1].Text, "Sri Wahyuni") {
		t.Fatalf("back to an answered text step: %+v, want the removal alone, then the prompt with its keep button", m)
	}
	p.send("Sri Wahyuni").send("/lewati")
	if m := rowsIn(p); len(m) != 1 || !m[0].RemoveReply || !strings.Contains(m[0].Text, "dilewati") || len(m[0].Buttons) != 0 {
		t.Fatalf("skip to a plain text step: %+v, want one prompt taking the keyboard away", m)
	}
	p.send("catatan").send("/lewati")
	m := rowsIn(p)
	if len(m) != 2 || !m[0].RemoveReply || !strings.Contains(m[0].Text, "dilewati") || len(m[1].Buttons) == 0 ||
		strings.Contains(m[1].Text, "dilewati") {
		t.Fatalf("skip to a step with buttons: %+v, want the removal alone, then the prompt", m)
	}
}
