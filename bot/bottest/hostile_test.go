package bottest_test

import (
	"context"
	"fmt"
	"html"
	"strings"
	"sync"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// Hostile input through the fake Telegram: what people (or scripts) can type
// must be refused with a reason or stored exactly as typed, never break a
// message the bot sends, never reach SQL as code, and one person flooding the
// bot must not starve everyone else.

// seedWorker adds u as an active PSM of Buluran Kenali, Telanaipura.
func seedWorker(t *testing.T, h *bottest.Harness, u *telegramtest.User, lang string) {
	t.Helper()
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.TouchUser(u.ID(), "Sri", ""); err != nil {
			return err
		}
		if lang != "" {
			if err := tx.SetLanguage(u.ID(), lang); err != nil {
				return err
			}
		}
		return tx.SetProfile(u.ID(), store.Profile{FullName: "Sri Wahyuni", Phone: "+6281234567890", Role: store.RolePSM,
			Kecamatan: "15.71.01", Kelurahan: "15.71.01.1002"}, store.UserActive)
	}))
}

// actor waits for the bot's answer to each action, with a deadline.
type actor struct {
	t *testing.T
	*telegramtest.User
	timeout time.Duration
}

// do acts and returns the first bot message new or changed by the action
// (a prompt edited into the pressed one counts) whose text contains want
// ("" = any).
func (a actor) do(act func(), want string) telegramtest.Message {
	a.t.Helper()
	before := a.Messages()
	act()
	var found telegramtest.Message
	if _, err := a.WaitFor(a.timeout, func(msgs []telegramtest.Message) bool {
		for _, m := range telegramtest.Fresh(before, msgs) {
			if strings.Contains(m.Text+m.Caption, want) {
				found = m
				return true
			}
		}
		return false
	}); err != nil {
		a.t.Fatalf("waiting for %q: %v", want, err)
	}
	return found
}

func (a actor) send(text, want string) telegramtest.Message {
	a.t.Helper()
	return a.do(func() { a.SendText(text) }, want)
}

func (a actor) press(label, want string) telegramtest.Message {
	a.t.Helper()
	return a.do(func() { must(a.t, a.Press(label)) }, want)
}

// addressAndArea answers the case form's address with address, skips its
// optional RT/RW and No. KK, and picks the area by its button label.
func (a actor) addressAndArea(address, area string) {
	a.t.Helper()
	a.send(address, "RT/RW")
	a.send("/lewati", "No. KK")
	a.send("/lewati", "wilayah")
	a.press(area, "lokasi")
}

// toggle presses a several-choice option and waits until the keyboard,
// redrawn in place, shows it chosen.
func (a actor) toggle(label string) {
	a.t.Helper()
	before := a.Messages()
	must(a.t, a.Press(label))
	if _, err := a.WaitFor(a.timeout, func(msgs []telegramtest.Message) bool {
		for _, m := range telegramtest.Fresh(before, msgs) {
			if hasButton(m, "✅ "+label) {
				return true
			}
		}
		return false
	}); err != nil {
		a.t.Fatalf("%s not toggled: %v", label, err)
	}
}

func TestHostileInput(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")

	u.send("/lapor", "kelompok")
	u.press("👶 Anak", "kategori")
	u.press("Anak Telantar", "nama lengkap")
	// Names: each refused with its reason, the step stays.
	for _, tc := range []struct{ in, want string }{
		{strings.Repeat("Siti ", 900), "Nama"},            // 4500 characters, over the name's 80
		{"Siti\xff\xfeAminah", "Nama tidak boleh berisi"}, // invalid UTF-8 arrives as U+FFFD
		{"Siti\u200bAminah", "tak terlihat"},              // zero-width space
		{"\u202eSiti Aminah", "tak terlihat"},             // right-to-left override
		{"Siti <b>Aminah</b>", "Nama tidak boleh berisi \"&lt;\""},
		{"Robert'); DROP TABLE cases;--", "Nama tidak boleh berisi"},
		{"*Siti* _Aminah_ [x](http://evil.example)", "Nama tidak boleh berisi"},
	} {
		got := u.send(tc.in, "")
		if !strings.Contains(got.RawText, tc.want) || strings.Contains(got.Text, "NIK") {
			t.Errorf("name %.40q: reply %q, want a refusal with %q", tc.in, got.RawText, tc.want)
		}
	}
	u.send("Siti Aminah", "NIK")
	u.press("Tidak ada NIK", "Mengapa")
	u.press("Tidak tahu / tidak ingat", "jenis kelamin")
	u.press("Perempuan", "tanggal lahir")
	u.send("'; DELETE FROM users;--", "tanggal lahir") // not a date: refused, asked again
	u.send("45 tahun", "tempat lahir")
	u.send("/lewati", "alamat")
	// Free text is stored as typed (trimmed) and shown escaped, except the
	// bidi overrides, which would reverse the rest of a notice's line.
	address := "<script>alert('x')</script> & *tebal* _miring_ [tautan](http://evil.example) '; DROP TABLE cases;-- RTL\u200b"
	u.addressAndArea("  "+strings.Replace(address, "RTL", "\u202eRTL\u2066", 1)+"  ", "📍 Buluran Kenali, Telanaipura")
	u.send("/lewati", "foto")
	u.press("✔️ Selesai", "keadaannya")
	long := strings.Repeat("Keadaan memprihatinkan. ", 170) // 4080 characters: a full Telegram message
	if got := u.send(long, ""); !strings.Contains(got.Text, "1000") {
		t.Errorf("a 4080-character description: reply %q, want the 1000-character limit", got.Text)
	}
	desc := "Tinggal sendiri </i></b><a href=\"javascript:x\">klik</a> \u200f\u200e sejak 2019; SELECT * FROM users;"
	u.send(desc, "kebutuhan")
	u.toggle("Pangan")
	u.press("✔️ Selesai", "mendesak")
	sum := u.press("Biasa", "Periksa data")
	if want := html.EscapeString(address); !strings.Contains(sum.RawText, want) {
		t.Errorf("summary does not show the address escaped:\n%s", sum.RawText)
	}
	u.press("✅ Simpan", "Laporan tersimpan")

	var name, gotAddr, gotDesc string
	var n int
	db := h.DB().SQL()
	must(t, db.QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&n))
	must(t, db.QueryRow(`SELECT full_name, address, description FROM cases`).Scan(&name, &gotAddr, &gotDesc))
	if n != 1 || name != "Siti Aminah" || gotAddr != address || gotDesc != desc {
		t.Errorf("stored %d cases: name %q, address %q, description %q", n, name, gotAddr, gotDesc)
	}
	must(t, db.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n))
	if n != 1 {
		t.Errorf("%d users after SQL-looking input, want 1", n)
	}
	must(t, db.QueryRow(`SELECT COUNT(*) FROM failed_updates`).Scan(&n))
	if n != 0 {
		t.Errorf("%d updates failed", n)
	}
	h.NoViolations()
}

// One user sending thousands of messages a minute is told once, politely and
// in their language, to slow down; everyone else keeps being answered at once,
// and the flood costs one transaction per batch, not a reply per message.
func TestHostileFlood(t *testing.T) {
	// The production default: 60 a minute, 30 at once.
	h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) { c.Flood = bot.FloodLimits{} }})
	flooder := h.Server.NewUser(telegramtest.UserOptions{FirstName: "Banjir", LanguageCode: "en"})
	seedWorker(t, h, flooder, "en")
	other := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, other.User, "")

	const flood = 3000
	var wg sync.WaitGroup
	wg.Add(1)
	start := time.Now()
	go func() {
		defer wg.Done()
		for i := range flood {
			flooder.SendText(fmt.Sprintf("spam %d", i))
		}
	}()
	// Meanwhile the other worker fills a case report; each answer comes
	// within the actor's deadline, flood or not.
	other.send("/lapor", "kelompok")
	other.press("👶 Anak", "kategori")
	other.press("Anak Telantar", "nama lengkap")
	other.send("Siti Aminah", "NIK")
	other.press("Tidak ada NIK", "Mengapa")
	wg.Wait()
	sent := time.Since(start)
	h.WaitUntil(30*time.Second, "the flood handled", func() bool { return h.Server.PendingUpdates() == 0 })
	other.press("Tidak tahu / tidak ingat", "jenis kelamin")
	t.Logf("%d messages from one user and a worker's 6 steps in %v", flood, time.Since(start))

	msgs, err := flooder.WaitFor(wait, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			if strings.Contains(m.Text, "arriving too fast") {
				return true
			}
		}
		return false
	})
	must(t, err)
	polite := 0
	for _, m := range msgs {
		if strings.Contains(m.Text, "too fast") {
			polite++
		}
	}
	// The burst (30) is answered, then one polite message; while the flood
	// goes on the bucket refills one a second, each refill admitting one
	// message and starting a new episode (one more polite message).
	refills := int(sent.Seconds()) + 1
	if polite < 1 || polite > 1+refills || len(msgs) > 31+2*refills {
		t.Errorf("the flooder got %d messages, %d of them asking to slow down, sending for %v; want about 31 and 1",
			len(msgs), polite, sent)
	}
	h.NoViolations()
}
