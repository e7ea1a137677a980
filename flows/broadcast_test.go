package flows_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// massWorkers adds n active PSM (fake users and database rows at once),
// spread over Telanaipura and Jambi Selatan.
func massWorkers(t *testing.T, h *bottest.Harness, n int) []*telegramtest.User {
	t.Helper()
	users := make([]*telegramtest.User, n)
	for i := range users {
		users[i] = h.Server.NewUser(telegramtest.UserOptions{FirstName: fmt.Sprintf("Psm%04d", i), LanguageCode: "id"})
	}
	if err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
		for i, u := range users {
			kec := []string{kecTelanaipura, kecJambiSelatan}[i%2]
			if _, err := tx.TouchUser(u.ID(), fmt.Sprintf("Psm%04d", i), ""); err != nil {
				return err
			}
			if err := tx.SetProfile(u.ID(), store.Profile{FullName: fmt.Sprintf("Pekerja %04d", i), Phone: "+6281200000000",
				Role: store.RolePSM, Kecamatan: kec}, store.UserActive); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return users
}

func countRows(t *testing.T, h *bottest.Harness, query string, args ...any) int {
	t.Helper()
	var n int
	if err := h.DB().SQL().QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBroadcastMany sends one broadcast to 2,000 workers (the scale)
// through the rate-enforcing fake: no 429, one progress message edited in
// place, the final count naming the 50 who could not be reached, and a worker
// chatting meanwhile answered promptly, before the broadcast drains.
func TestBroadcastMany(t *testing.T) {
	const n, blockedBefore, blockedDuring = 2000, 40, 10
	fakeLimits := telegramtest.RateLimits{Global: 400, PerChat: 5, PerChatBurst: 5, PerGroupPerMinute: 600}
	h, admin := adminRig(t, bottest.Options{
		Fake: telegramtest.Options{EnforceRateLimits: true, Limits: fakeLimits},
		Bot: func(c *bot.Config) {
			c.Limits = bot.Limits{Global: 400, PerChat: 5, PerChatBurst: 5, GroupPerMinute: 600}
			c.SendWorkers = 16
		},
	})
	users := massWorkers(t, h, n)
	for _, u := range users[:blockedBefore] {
		u.Block()
	}
	h.WaitUntil(caseWait, "blocks seen", func() bool {
		return countRows(t, h, `SELECT COUNT(*) FROM users WHERE unreachable = 1`) == blockedBefore
	})

	text := "Rapat koordinasi <PSM> & TKSK: Senin 09.00 di Aula Dinsos."
	admin.send("/siaran", "Siaran untuk siapa")
	admin.press("Semua PSM dan TKSK", "isi siaran")
	admin.send(text, "Simpan")
	confirm := admin.press("✅ Simpan", "Kirim siaran di atas ke")
	if !strings.Contains(confirm.Text, fmt.Sprintf("ke %d orang", n)) || !strings.Contains(confirm.Text, fmt.Sprintf("%d di antaranya tak terjangkau", blockedBefore)) {
		t.Fatalf("confirmation: %s", confirm.Text)
	}
	msgs := admin.Messages()
	preview := msgs[len(msgs)-2]
	if preview.Text != text {
		t.Fatalf("preview %q, want %q", preview.Text, text)
	}

	// The admin's quick typing above may meet a 429 from timing jitter (the
	// bot's and the fake's buckets start at different instants); what
	// matters is the broadcast, counted from here.
	before429 := h.Server.CallsByResult("sendMessage")[429] + h.Server.CallsByResult("editMessageText")[429]
	progress := admin.press("📣 Kirim", "Siaran #1:")
	for _, u := range users[n-1-blockedDuring : n-1] {
		u.Block() // 403 while the broadcast drains
	}
	// A worker chatting meanwhile is answered before the broadcast is through.
	chatter := &tgUser{t: t, h: h, User: users[n-1]}
	start := time.Now()
	chatter.send("/bantuan", "Perintah")
	delay := time.Since(start)
	left := countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE priority = ? AND status = 'pending'`, store.PriorityBroadcast)
	t.Logf("reply to a worker during the broadcast: %v (broadcast messages still queued: %d of %d)", delay, left, n)
	if left == 0 {
		t.Errorf("the reply waited for the whole broadcast")
	}
	// Generous for -race on a loaded 2-core machine; unloaded it is tens of
	// milliseconds (replies go before broadcast rows).
	if delay > 3*time.Second {
		t.Errorf("the reply took %v during the broadcast, want under 3 s", delay)
	}

	// The runtime sweeps every minute; here the test sweeps each time another
	// fifth has gone out.
	began := time.Now()
	for step := 1; ; step++ {
		target := min(n-blockedBefore, step*n/5)
		h.WaitUntil(60*time.Second, "broadcast progress", func() bool {
			return countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE priority = ? AND status != 'pending'`,
				store.PriorityBroadcast) >= target
		})
		sweepNow(h)
		if target == n-blockedBefore {
			break
		}
	}
	final := admin.waitEditedTo(progress.ID, "selesai")
	t.Logf("broadcast of %d drained in %v", n, time.Since(began))
	want := fmt.Sprintf("Siaran #1 selesai: terkirim %d dari %d; tidak terjangkau: %d.", n-blockedBefore-blockedDuring, n,
		blockedBefore+blockedDuring)
	if !strings.Contains(final.Text, want) || !final.Edited {
		t.Fatalf("final progress %q (edited %v), want %q", final.Text, final.Edited, want)
	}
	if !strings.Contains(final.Text, "Pekerja 0000") || !strings.Contains(final.Text, "dan 20 lainnya") {
		t.Fatalf("unreachable not named: %s", final.Text)
	}
	progressMsgs := 0
	for _, m := range admin.Messages() {
		if strings.Contains(m.Text, "Siaran #1:") || strings.Contains(m.Text, "tidak terjangkau:") {
			progressMsgs++
		}
	}
	if progressMsgs != 1 {
		t.Fatalf("%d progress messages, want 1 edited in place", progressMsgs)
	}
	if _, err := admin.WaitForText(caseWait, fmt.Sprintf("Siaran #1 selesai: %d dari %d terkirim", n-blockedBefore-blockedDuring, n)); err != nil {
		t.Fatal(err)
	}
	if got := h.Server.CallsByResult("sendMessage")[429] + h.Server.CallsByResult("editMessageText")[429] - before429; got != 0 {
		t.Fatalf("the broadcast met %d × 429", got)
	}
	got := users[n/2].Messages()
	if len(got) == 0 || got[len(got)-1].Text != text {
		t.Fatalf("a recipient got %+v", got)
	}
	if !auditHas(t, h, adminID, "broadcast", fmt.Sprintf("n=%d", n)) ||
		!auditHas(t, h, adminID, "broadcast_done", fmt.Sprintf("unreached=%d", blockedBefore+blockedDuring)) {
		t.Fatal("broadcast not audited")
	}
	h.NoViolations()
}

// TestBroadcastCoordinator: a coordinator addresses only their own area.
func TestBroadcastCoordinator(t *testing.T) {
	h, _ := adminRig(t, bottest.Options{})
	coord := seed(t, h, "Rina Koordinator", store.RoleCoordinator, kecTelanaipura, kelBuluranKenali, kecTelanaipura)
	inside := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	outside := seed(t, h, "Budi Santoso", store.RoleTKSK, kecJambiSelatan, "", "")

	m := coord.send("/siaran", "Siaran untuk siapa")
	if len(m.InlineKeyboard) != 1 || m.InlineKeyboard[0][0].Text != "Kecamatan tertentu" {
		t.Fatalf("a coordinator was offered %v", m.InlineKeyboard)
	}
	coord.press("Kecamatan tertentu", "Pilih kecamatan")
	last, _ := coord.Last()
	for _, row := range last.InlineKeyboard {
		for _, b := range row {
			if b.Text == "Jambi Selatan" {
				t.Fatal("a kecamatan outside the coordinator's area was offered")
			}
		}
	}
	coord.toggle("Telanaipura")
	coord.press("✔️ Selesai", "isi siaran")
	coord.send("Posyandu lansia besok.", "Simpan")
	coord.press("✅ Simpan", "ke 1 orang")
	coord.press("📣 Kirim", "Siaran #1:")
	if _, err := inside.WaitForText(caseWait, "Posyandu lansia besok."); err != nil {
		t.Fatal(err)
	}
	h.WaitUntil(caseWait, "the send recorded", func() bool {
		return countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE priority = ? AND status = 'sent'`, store.PriorityBroadcast) == 1
	})
	sweepNow(h)
	if _, err := coord.WaitForText(caseWait, "selesai"); err != nil {
		t.Fatal(err)
	}
	for _, m := range outside.Messages() {
		if strings.Contains(m.Text, "Posyandu") {
			t.Fatal("the broadcast reached outside the coordinator's area")
		}
	}
	// Pressing "send" again changes nothing.
	n := len(coord.CallbackAnswers())
	if err := coord.Press("📣 Kirim"); err == nil {
		coord.waitCallback(n+1, "")
	}
	if got := countRows(t, h, `SELECT COUNT(*) FROM broadcast_messages`); got != 1 {
		t.Fatalf("%d broadcast messages, want 1", got)
	}
}

// TestBroadcastProgressETA: with the bot sending slowly (5 a second; the
// fake enforces its own, looser limits and would answer 429), the sweep edits the one progress message in place while the broadcast is
// under way, with what is left and an estimate of the time left at the rate
// so far; the stored progress matches what it shows.
func TestBroadcastProgressETA(t *testing.T) {
	const n = 40
	h, admin := adminRig(t, bottest.Options{
		Fake: telegramtest.Options{EnforceRateLimits: true,
			Limits: telegramtest.RateLimits{Global: 50, PerChat: 5, PerChatBurst: 5, PerGroupPerMinute: 600}},
		Bot: func(c *bot.Config) {
			c.Limits = bot.Limits{Global: 5, PerChat: 5, PerChatBurst: 5, GroupPerMinute: 600}
		},
	})
	massWorkers(t, h, n)
	admin.send("/siaran", "Siaran untuk siapa")
	admin.press("Semua PSM dan TKSK", "isi siaran")
	admin.send("Posyandu lansia besok.", "Simpan")
	admin.press("✅ Simpan", fmt.Sprintf("ke %d orang", n))
	progress := admin.press("📣 Kirim", "Siaran #1:")
	if !strings.Contains(progress.Text, "menghitung sisa waktu") {
		t.Fatalf("first progress: %s", progress.Text)
	}
	sent := func() int {
		return countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE priority = ? AND status = 'sent'`, store.PriorityBroadcast)
	}
	// The clock is the test's: ten seconds pass between the sends so far and
	// the next few, so the rate so far is known to be slow.
	h.WaitUntil(caseWait, "the first sends", func() bool { return sent() >= 2 })
	before := sent()
	if before > n-5 {
		t.Fatalf("%d of %d sent already: too fast to see progress", before, n)
	}
	h.Clock.Advance(10 * time.Second)
	h.WaitUntil(caseWait, "more sends", func() bool { return sent() >= before+2 })
	sweepNow(h)
	mid := admin.waitEditedTo(progress.ID, "perkiraan sisa waktu")
	left := regexp.MustCompile(`tersisa (\d+) dari 40`).FindStringSubmatch(mid.Text)
	if left == nil || left[1] == "0" {
		t.Fatalf("progress while sending: %s", mid.Text)
	}
	var shown string
	if err := h.DB().SQL().QueryRow(`SELECT shown FROM broadcasts WHERE id = 1`).Scan(&shown); err != nil {
		t.Fatal(err)
	}
	if parts := strings.Split(shown, "/"); len(parts) != 4 || parts[3] != left[1] {
		t.Fatalf("stored progress %q, shown left %s", shown, left[1])
	}

	h.WaitUntil(60*time.Second, "the broadcast through", func() bool { return sent() == n })
	sweepNow(h)
	final := admin.waitEditedTo(progress.ID, "selesai")
	if !strings.Contains(final.Text, fmt.Sprintf("terkirim %d dari %d", n, n)) {
		t.Fatalf("final: %s", final.Text)
	}
	count := 0
	for _, m := range admin.Messages() {
		if strings.Contains(m.Text, "Siaran #1:") || strings.Contains(m.Text, "Siaran #1 selesai: terkirim") {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("%d progress messages, want 1 edited in place", count)
	}
	if got := h.Server.CallsByResult("sendMessage")[429]; got != 0 {
		t.Fatalf("%d × 429", got)
	}
	h.NoViolations()
}

// TestCoordinatorForgedArea: a coordinator of Jambi Selatan forges the
// button of a kecamatan outside their area at the kecamatan step of /ekspor
// and /siaran: the press is refused and changes nothing. A draft that still
// names a kecamatan they no longer cover (the area changed before saving) is
// refused when saved, audited, and nothing is exported or sent.
func TestCoordinatorForgedArea(t *testing.T) {
	h, _ := adminRig(t, bottest.Options{})
	coord := seed(t, h, "Rina Koordinator", store.RoleCoordinator, kecJambiSelatan, "", kecJambiSelatan)
	worker := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	seed(t, h, "Budi Santoso", store.RoleTKSK, kecJambiSelatan, "", "")
	insertCases(t, h, worker.ID(), kecTelanaipura, kelBuluranKenali, 2)
	setCovers := func(kec string) {
		t.Helper()
		if err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
			return tx.SetCovers(coord.ID(), []string{kec})
		}); err != nil {
			t.Fatal(err)
		}
	}
	documents := func() int {
		n := 0
		for _, m := range coord.Messages() {
			if len(m.File) > 0 {
				n++
			}
		}
		return n
	}

	for _, tc := range []struct {
		name    string
		open    func() telegramtest.Message // up to the kecamatan prompt
		label   string                      // the allowed kecamatan's button
		finish  func()                      // from the kecamatan step to the summary
		denied  string                      // the audit's "denied" detail
		nothing func() int                  // what must stay 0
	}{
		{"export", func() telegramtest.Message {
			coord.send("/ekspor", "bentuk apa")
			coord.press("📊 Tabel (XLSX + CSV)", "dilaporkan kapan")
			coord.press("Semua", "Status kasus")
			coord.press("Semua", "Kategori PMKS")
			return coord.press("Semua", "Kecamatan?")
		}, "Jambi Selatan", func() { coord.press("Jambi Selatan", "Simpan") }, "export " + kecJambiSelatan, documents},
		{"broadcast", func() telegramtest.Message {
			coord.send("/siaran", "Siaran untuk siapa")
			return coord.press("Kecamatan tertentu", "Pilih kecamatan")
		}, "Jambi Selatan", func() {
			coord.toggle("Jambi Selatan")
			coord.press("✔️ Selesai", "isi siaran")
			coord.send("Posyandu besok.", "Simpan")
		}, "broadcast kecamatan:" + kecJambiSelatan, func() int {
			return countRows(t, h, `SELECT COUNT(*) FROM broadcasts`) + countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE priority = ?`,
				store.PriorityBroadcast)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setCovers(kecJambiSelatan)
			prompt := tc.open()
			forged := strings.Replace(buttonData(t, prompt, tc.label), kecJambiSelatan, kecTelanaipura, 1)
			n := len(coord.CallbackAnswers())
			coord.PressData(prompt.ID, forged)
			coord.waitCallback(n+1, "tidak berlaku")
			var data string
			if err := h.DB().SQL().QueryRow(`SELECT data FROM conversations WHERE user_id = ?`, coord.ID()).Scan(&data); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(data, kecTelanaipura) {
				t.Fatalf("the forged kecamatan was taken: %s", data)
			}
			// The area shrinks between choosing and saving: the save is refused.
			tc.finish()
			setCovers(kecTelanaipura)
			n = len(coord.CallbackAnswers())
			if err := coord.Press("✅ Simpan"); err != nil {
				t.Fatal(err)
			}
			coord.waitCallback(n+1, "")
			if _, err := coord.WaitForText(caseWait, "tidak berhak"); err != nil {
				t.Fatal(err)
			}
			if !auditHas(t, h, coord.ID(), "denied", tc.denied) {
				t.Fatalf("refusal %q not audited", tc.denied)
			}
			if got := tc.nothing(); got != 0 {
				t.Fatalf("%d things exported or sent", got)
			}
		})
	}
	for _, m := range worker.Messages() {
		if strings.Contains(m.Text, "Posyandu") {
			t.Fatal("the broadcast reached outside the area")
		}
	}
	h.NoViolations()
}
