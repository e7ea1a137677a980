package bot_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"
)

const wait = 10 * time.Second

func TestStartGreets(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := h.NewUser("Siti")
	u.SendText("/start")
	m, err := u.WaitForText(wait, "Halo, Siti")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "PMKS") {
		t.Errorf("greeting %q does not say what the bot does", m.Text)
	}
	h.NoViolations()
	// Menus are set beside polling, not before it.
	h.WaitUntil(wait, "setMyCommands at start", func() bool { return len(h.Server.CommandsSet()["default"]) > 0 })
}

// countReplies counts the bot messages in u's chat that contain substr.
func countReplies(u *telegramtest.User, substr string) int {
	n := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text, substr) {
			n++
		}
	}
	return n
}

// A crash before the batch commits leaves nothing behind: the update is handled
// exactly once after restart.
func TestCrashBeforeCommitReplaysOnce(t *testing.T) {
	var crash atomic.Bool
	crash.Store(true)
	h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) {
		c.BeforeCommit = func(int) error {
			if crash.Load() {
				return errors.New("simulated crash")
			}
			return nil
		}
	}})
	u := h.NewUser("Budi")
	u.SendText("/bantuan")
	if err := h.Wait(wait); err == nil || !strings.Contains(err.Error(), "simulated crash") {
		t.Fatalf("Run returned %v, want the simulated crash", err)
	}
	if n := countReplies(u, "Perintah"); n != 0 {
		t.Fatalf("got %d replies from a rolled-back transaction", n)
	}
	crash.Store(false)
	h.Launch()
	if _, err := u.WaitForText(wait, "Perintah"); err != nil {
		t.Fatal(err)
	}
	u.SendText("/start")
	if _, err := u.WaitForText(wait, "Halo"); err != nil {
		t.Fatal(err)
	}
	if n := countReplies(u, "Perintah"); n != 1 {
		t.Errorf("update handled %d times, want exactly 1", n)
	}
}

// A bot stopped after committing update N (before Telegram was told) resumes
// at N+1 and never handles N again.
func TestRestartAfterCommitSkipsHandled(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := h.NewUser("Ani")
	u.SendText("/bantuan")
	if _, err := u.WaitForText(wait, "Perintah"); err != nil {
		t.Fatal(err)
	}
	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}
	h.Launch()
	u.SendText("/start")
	if _, err := u.WaitForText(wait, "Halo"); err != nil {
		t.Fatal(err)
	}
	if n := countReplies(u, "Perintah"); n != 1 {
		t.Errorf("update handled %d times after restart, want 1", n)
	}
	if p := h.Server.PendingUpdates(); p > 1 {
		t.Errorf("%d updates still unconfirmed", p)
	}
}

// Outbox rows written before a stop are delivered after the restart: the send
// hangs, shutdown gives up on it after the drain timeout, the row stays pending.
func TestOutboxSurvivesRestart(t *testing.T) {
	h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) { c.DrainTimeout = 200 * time.Millisecond }})
	u := h.NewUser("Rina")
	h.Server.FailNext("sendMessage", 1, telegramtest.Fault{Kind: telegramtest.FaultHang})
	u.SendText("/bantuan")
	h.WaitUntil(wait, "the send to hang", func() bool { return h.Server.Calls("sendMessage") > 0 })
	if err := h.Stop(); err != nil {
		t.Fatal(err)
	}
	if n := countReplies(u, "Perintah"); n != 0 {
		t.Fatalf("%d replies delivered before restart, want 0", n)
	}
	h.Launch()
	if _, err := u.WaitForText(wait, "Perintah"); err != nil {
		t.Fatal(err)
	}
	if n := countReplies(u, "Perintah"); n != 1 {
		t.Errorf("delivered %d times, want 1", n)
	}
}

func TestSendFaults(t *testing.T) {
	tests := []struct {
		name     string
		fault    telegramtest.Fault
		n        int
		minDelay time.Duration
	}{
		{"429 retry_after 2", telegramtest.Fault{Kind: telegramtest.Fault429, RetryAfter: 2}, 1, 2 * time.Second},
		{"500", telegramtest.Fault{Kind: telegramtest.Fault500}, 3, 0},
		{"502 html", telegramtest.Fault{Kind: telegramtest.Fault502}, 2, 0},
		{"dropped connection", telegramtest.Fault{Kind: telegramtest.FaultDrop}, 2, 0},
		{"hang past timeout", telegramtest.Fault{Kind: telegramtest.FaultHang}, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) {
				c.HTTPClient = &http.Client{Timeout: c.PollTimeout + time.Second}
			}})
			u := h.NewUser("Dewi")
			h.Server.FailNext("sendMessage", tc.n, tc.fault)
			start := time.Now()
			u.SendText("/bantuan")
			if _, err := u.WaitForText(wait+tc.minDelay, "Perintah"); err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d < tc.minDelay {
				t.Errorf("delivered after %v, want at least %v", d, tc.minDelay)
			}
			if n := countReplies(u, "Perintah"); n != 1 {
				t.Errorf("delivered %d times, want exactly once", n)
			}
			h.NoViolations()
		})
	}
}

func TestBlockedUserMarkedUnreachable(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := h.NewUser("Yanti")
	u.SendText("/start")
	if _, err := u.WaitForText(wait, "Halo"); err != nil {
		t.Fatal(err)
	}
	// Block without the my_chat_member update reaching the bot first: enqueue
	// a message directly, as a broadcast would.
	h.WaitUntil(wait, "the greeting's rows to be sent", func() bool {
		c, _ := h.DB().OutboxCounts()
		return c[store.StatusPending] == 0
	})
	u.Block()
	before, _ := h.DB().OutboxCounts()
	enqueue(t, h, store.Message{ChatID: u.ID(), Text: "pengumuman"})
	h.WaitUntil(wait, "the row to fail", func() bool {
		c, _ := h.DB().OutboxCounts()
		return c[store.StatusFailed] == before[store.StatusFailed]+1 && c[store.StatusPending] == 0
	})
	var unreachable bool
	if err := h.DB().SQL().QueryRow(`SELECT unreachable FROM users WHERE id = ?`, u.ID()).Scan(&unreachable); err != nil {
		t.Fatal(err)
	}
	if !unreachable {
		t.Error("user not marked unreachable")
	}
	if n := h.Server.CallsByResult("sendMessage")[403]; n != 1 {
		t.Errorf("403 answered %d times, want 1 (no retries of a permanent failure)", n)
	}
}

func enqueue(t testing.TB, h *bottest.Harness, msgs ...store.Message) {
	t.Helper()
	err := h.DB().Update(t.Context(), func(tx *store.Tx) error {
		for _, m := range msgs {
			if _, err := tx.Enqueue(m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// poison panics on one text, to show one bad update never blocks the queue.
type poison struct{ *flows.App }

func (p poison) Handle(tx *store.Tx, ev flows.Event) error {
	if ev.Text == "boom" {
		panic("poison update")
	}
	return p.App.Handle(tx, ev)
}

func TestPoisonUpdate(t *testing.T) {
	h := bottest.Start(t, bottest.Options{Handler: func(a *flows.App) bot.Handler { return poison{a} }})
	u := h.NewUser("Tono")
	u.SendText("boom")
	u.SendText("/bantuan")
	if _, err := u.WaitForText(wait, "Perintah"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.WaitForText(wait, "Maaf, terjadi gangguan"); err != nil {
		t.Fatal(err)
	}
	failed, err := h.DB().FailedUpdates(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(failed) != 1 || !strings.Contains(failed[0].Error, "poison update") {
		t.Errorf("failed updates = %+v, want the poison one", failed)
	}
}

// An API that answers getUpdates at once despite the timeout must not make the
// bot spin.
func TestPollPacedWhenTimeoutIgnored(t *testing.T) {
	const interval = 100 * time.Millisecond
	h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) { c.MinPollInterval = interval }})
	h.Server.IgnorePollTimeout(true)
	c0 := h.Server.Calls("getUpdates")
	start := time.Now()
	h.WaitUntil(wait, "ten more polls", func() bool { return h.Server.Calls("getUpdates") >= c0+10 })
	if d := time.Since(start); d < 9*interval {
		t.Errorf("10 getUpdates in %v: the loop spins (want ≥ %v)", d, 9*interval)
	}
}

func TestTokenNeverLogged(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	h.Server.FailNext("getUpdates", 3, telegramtest.Fault{Kind: telegramtest.FaultDrop})
	h.Server.FailNext("sendMessage", 2, telegramtest.Fault{Kind: telegramtest.FaultDrop})
	u := h.NewUser("Eko")
	u.SendText("/bantuan")
	if _, err := u.WaitForText(wait, "Perintah"); err != nil {
		t.Fatal(err)
	}
	log := h.Log.String()
	if !strings.Contains(log, "failed") {
		t.Fatalf("expected failures in the log, got:\n%s", log)
	}
	if strings.Contains(log, h.Server.Token()) || strings.Contains(log, strings.Split(h.Server.Token(), ":")[1]) {
		t.Errorf("the token appears in the log:\n%s", log)
	}
}

// With the fake enforcing the same limits the bot is configured with, bursts
// are delivered with no 429, in order per chat.
func TestRateLimitedBurstsDeliverInOrder(t *testing.T) {
	// Telegram tolerates a small burst per chat; the bot never relies on it.
	limits := telegramtest.RateLimits{Global: 300, PerChat: 20, PerChatBurst: 3, PerGroupPerMinute: 1200}
	h := bottest.Start(t, bottest.Options{
		Fake: telegramtest.Options{EnforceRateLimits: true, Limits: limits},
		Bot: func(c *bot.Config) {
			c.Limits = bot.Limits{Global: 300, PerChat: 20, PerChatBurst: 1, GroupPerMinute: 1200}
			c.SendWorkers = 16
		},
	})
	one := h.NewUser("Satu")
	users := make([]*telegramtest.User, 500)
	for i := range users {
		users[i] = h.NewUser(fmt.Sprintf("U%d", i))
	}
	var msgs []store.Message
	for i := range 100 {
		msgs = append(msgs, store.Message{ChatID: one.ID(), Text: fmt.Sprintf("pesan %d", i)})
	}
	for i := range 6 {
		for _, u := range users {
			msgs = append(msgs, store.Message{ChatID: u.ID(), Text: fmt.Sprintf("pesan %d", i)})
		}
	}
	enqueue(t, h, msgs...)
	h.WaitUntil(60*time.Second, "3,100 deliveries", func() bool {
		c, _ := h.DB().OutboxCounts()
		return c[store.StatusSent] == len(msgs)
	})
	if n := h.Server.CallsByResult("sendMessage")[429]; n != 0 {
		t.Errorf("%d × 429", n)
	}
	checkOrder(t, one, 100)
	for _, u := range users {
		checkOrder(t, u, 6)
	}
}

func checkOrder(t *testing.T, u *telegramtest.User, n int) {
	t.Helper()
	got := u.Messages()
	if len(got) != n {
		t.Fatalf("user %d got %d messages, want %d", u.ID(), len(got), n)
	}
	for i, m := range got {
		if want := fmt.Sprintf("pesan %d", i); m.Text != want {
			t.Fatalf("user %d message %d = %q, want %q", u.ID(), i, m.Text, want)
		}
	}
}

func TestInvalidToken(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	cfg := bot.Config{Token: "999:WRONGTOKEN", APIBase: h.Server.URL()}
	_, err := bot.New(t.Context(), cfg, h.DB(), func(string) bot.Handler { return nil })
	if !errors.Is(err, bot.ErrUnauthorized) {
		t.Fatalf("New with a wrong token = %v, want ErrUnauthorized", err)
	}
}
