package bottest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/store"
)

// Issue 12: rights a block does not take away, user text that must not
// break a message, and an audit log one person cannot flood.

// TestBlockedPersonKeepsDataRights: a blocked worker can still see what the
// bot keeps about them (/data_saya) and have it erased (/hapus_data_saya,
// confirmation button included), in their private chat; everything else
// stays blocked, and nothing is answered for them in a group.
func TestBlockedPersonKeepsDataRights(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		return tx.SetStatus(u.ID(), store.UserBlocked)
	}))

	u.send("/kasus", "Akun Anda diblokir")
	u.send("/data_saya", "Data Anda di bot ini")
	if got := u.send("/my_data", "Data Anda di bot ini"); !strings.Contains(got.Text, "Sri Wahyuni") {
		t.Errorf("/my_data shows %q, want the stored profile", got.Text)
	}
	// Everything else: silence after the one notice.
	for _, text := range []string{"/lapor", "/profil", "/rapat", "halo"} {
		u.SendText(text)
	}
	settle(t, h)
	if n := countText(u.User, "Akun Anda diblokir"); n != 1 {
		t.Errorf("%d blocked notices, want 1", n)
	}
	if n := countText(u.User, "kelompok"); n != 0 {
		t.Error("a blocked worker opened a case report")
	}
	// Not in a group.
	g := h.Server.NewGroup("PSM", u.User)
	g.SendText(u.User, "/data_saya")
	settle(t, h)
	if msgs := g.Messages(); len(msgs) != 0 {
		t.Errorf("the group got %d messages for a blocked person", len(msgs))
	}
	// Erasure, confirmation included.
	u.send("/hapus_data_saya", "Lanjutkan?")
	// Both answers edit the question in place.
	must(t, u.Press("Tidak jadi"))
	if _, err := u.WaitForText(wait, "tidak dihapus"); err != nil {
		t.Fatal(err)
	}
	u.send("/hapus_data_saya", "Lanjutkan?")
	must(t, u.Press("🗑 Ya, hapus data saya"))
	if _, err := u.WaitForText(wait, "sudah dihapus"); err != nil {
		t.Fatal(err)
	}
	settle(t, h)
	// Only the bare id stays, still blocked: erasing is not a way back in.
	if left, ok := storedUser(t, h, u.ID()); !ok || left.Status != store.UserBlocked || left.FullName != "" ||
		left.Phone != "" || left.Kecamatan != "" {
		t.Errorf("after their erasure the blocked person is %+v (found %v), want a bare blocked id", left, ok)
	}
	var n int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM users WHERE full_name = 'Sri Wahyuni' OR phone != ''`).Scan(&n))
	if n != 0 {
		t.Errorf("%d rows still hold the name or a phone", n)
	}
	if auditCount(t, h, "erase_user", 0, "self") != 1 {
		t.Error("the erasure was not audited")
	}
	h.NoViolations()
}

// TestUserTextInRepliesIsEscaped: commands and arguments people type come
// back in replies escaped, so Telegram accepts every reply (the fake rejects
// bad HTML with 400 as Telegram does, and the person would get no answer).
func TestUserTextInRepliesIsEscaped(t *testing.T) {
	const adminID = 777
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}})
	admin := startAdmin(t, h, adminID)
	for _, tc := range []struct{ text, want string }{
		{"/<b>hai", "Perintah /&lt;b&gt;hai tidak dikenal"},
		{"/a&b", "Perintah /a&amp;b tidak dikenal"},
		{"/x<y>z", "tidak dikenal"},
		{"/<i", "tidak dikenal"},
		{"/" + strings.Repeat("<", 60), "tidak dikenal"},
		{"/pengguna <b>tebal", "&lt;b&gt;tebal"},
		{"/hapus_kasus <b>JMB</b>", "&lt;b&gt;JMB"},
		{"/rapat <b>", "/rapat"},
		{"/hadir 1 <b>Sri</b>", "Rapat #1"},
		{"/ringkasan <i>x", "ringkasan"},
		{"/start <b>kode</b>", ""},
	} {
		got := admin.send(tc.text, "")
		if !strings.Contains(got.RawText, tc.want) {
			t.Errorf("%q: reply %q, want %q", tc.text, got.RawText, tc.want)
		}
	}
	settle(t, h)
	h.NoViolations()
}

// TestDeniedPressesAreCounted: one person pressing a forged admin button ten
// thousand times adds a bounded number of audit rows; the rest are counted,
// and the count reaches the log once the window is over.
func TestDeniedPressesAreCounted(t *testing.T) {
	const adminID = 778
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}, Bot: func(c *bot.Config) {
		c.Flood = bot.FloodLimits{PerMinute: 1_000_000, Burst: 20_000}
	}})
	u := actor{t, h.NewUser("Budi"), wait}
	seedWorker(t, h, u.User, "")
	msg := u.send("/bantuan", "")
	// A thousand presses show the bound (2 × AuditBurst rows, not 1,000) at
	// a cost the suite can pay on every run.
	const presses = 1_000
	for i := range presses {
		data := "ad:1:bl:"
		if i%2 == 1 {
			data = "zz:" + itoa(int64(i)) // malformed: a bad callback
		}
		u.PressData(msg.ID, data)
	}
	h.WaitUntil(time.Minute, "every press answered", func() bool { return len(u.CallbackAnswers()) >= presses })
	settle(t, h)
	var rows int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE user_id = ?`, u.ID()).Scan(&rows))
	if rows > 2*store.AuditBurst {
		t.Errorf("%d presses wrote %d audit rows, want at most %d", presses, rows, 2*store.AuditBurst)
	}
	if n := auditCount(t, h, "denied", u.ID(), "admin bl"); n != store.AuditBurst {
		t.Errorf("%d denied rows in full, want the burst of %d", n, store.AuditBurst)
	}
	// An hour later the next refusal brings the count into the log.
	h.Clock.Advance(store.AuditWindow + time.Minute)
	n := len(u.CallbackAnswers())
	u.PressData(msg.ID, "ad:1:bl:")
	answers(t, h, u.User, n+1)
	settle(t, h)
	repeats := fmt.Sprintf("n=%d ", presses/2-store.AuditBurst)
	for action, want := range map[string]string{"denied_repeats": repeats, "bad_callback_repeats": repeats} {
		var detail string
		must(t, h.DB().SQL().QueryRow(`SELECT detail FROM audit_log WHERE user_id = ? AND action = ?`,
			u.ID(), action).Scan(&detail))
		if !strings.HasPrefix(detail, want) {
			t.Errorf("%s: %q, want the count %q", action, detail, want)
		}
	}
	if n := auditCount(t, h, "denied", u.ID(), "admin bl"); n != store.AuditBurst+1 {
		t.Errorf("%d denied rows after the window, want %d", n, store.AuditBurst+1)
	}
	// Within the new window, what was counted so far shows when an admin
	// reads the log.
	n = len(u.CallbackAnswers())
	for range 15 {
		u.PressData(msg.ID, "ad:1:bl:")
	}
	answers(t, h, u.User, n+15)
	admin := startAdmin(t, h, adminID)
	if got := admin.send("/audit", "Catatan audit"); !strings.Contains(got.Text, "denied_repeats n=6 ") {
		t.Errorf("/audit shows %q, want the 6 counted refusals", got.Text)
	}
	h.NoViolations()
}
