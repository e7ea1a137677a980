package bot_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
)

// Issue 16: two machines must never send for the same bot. A bot with a
// fence stops polling and sending at once, without the drain, when the
// fence closes (its lease lost) or when Telegram answers 409 to getUpdates
// (another machine polls); what it had not sent stays in the outbox for
// whoever serves next.

// fenceRig is a fenced bot whose replies fail (500) so they stay pending,
// with one reply pending in the outbox.
func fenceRig(t *testing.T, setup func(*bot.Config)) (*bottest.Harness, *telegramtest.User) {
	t.Helper()
	h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) {
		c.DrainTimeout = 5 * time.Second // longer than the tests wait for Run
		setup(c)
	}})
	u := h.NewUser("Sri")
	u.SendText("/start")
	if _, err := u.WaitForText(wait, "Halo, Sri"); err != nil {
		t.Fatal(err)
	}
	h.Server.FailAlways("sendMessage", telegramtest.Fault{Kind: telegramtest.Fault500})
	u.SendText("/bantuan")
	h.WaitUntil(wait, "the reply to fail once", func() bool { return h.Server.CallsByResult("sendMessage")[500] > 0 })
	return h, u
}

// stoppedSoon waits for Run's return, which must come well before the drain
// time would have ended it.
func stoppedSoon(t *testing.T, h *bottest.Harness) error {
	t.Helper()
	start := time.Now()
	err := h.Wait(wait)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Run took %v to stop; the fence must stop it at once, not after the drain", took)
	}
	return err
}

func TestFenceStopsPollingAndSendingAtOnce(t *testing.T) {
	fence := make(chan struct{})
	h, u := fenceRig(t, func(c *bot.Config) { c.Fence = fence })
	close(fence)
	fence = make(chan struct{}) // the next launch holds a lease of its own
	if err := stoppedSoon(t, h); !errors.Is(err, bot.ErrFenced) {
		t.Fatalf("Run = %v, want ErrFenced", err)
	}
	if !strings.Contains(h.Log.String(), "lease lost") {
		t.Errorf("log does not say the lease was lost:\n%s", h.Log.String())
	}
	polls, sends := h.Server.Calls("getUpdates"), h.Server.Calls("sendMessage")
	h.Server.Heal("sendMessage")
	u.SendText("/start")
	// Nobody serves: the update stays with Telegram, the reply in the
	// outbox; a fenced machine calls nothing more.
	if h.Server.Calls("getUpdates") != polls || h.Server.Calls("sendMessage") != sends {
		t.Errorf("calls after the fence: getUpdates %d -> %d, sendMessage %d -> %d",
			polls, h.Server.Calls("getUpdates"), sends, h.Server.Calls("sendMessage"))
	}
	if n := countReplies(u, "Perintah"); n != 0 {
		t.Errorf("the pending reply was sent after the fence closed (%d)", n)
	}
	// /start was not even fetched. /bantuan was handled; whether the
	// getUpdates that confirms it went out before the fence closed is a
	// race the poller may win, so it may or may not still be pending.
	if p := h.Server.PendingUpdates(); p < 1 || p > 2 {
		t.Errorf("pending updates = %d, want /start unserved (and /bantuan at most unconfirmed)", p)
	}
	// The next machine to serve (here: the same database) sends it.
	h.Launch()
	if _, err := u.WaitForText(wait, "Perintah"); err != nil {
		t.Fatalf("the reply left in the outbox never went: %v", err)
	}
}

// conflictOnce answers getUpdates with Telegram's 409 once armed.
type conflictOnce struct {
	next  http.RoundTripper
	armed atomic.Bool
}

func (c *conflictOnce) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/getUpdates") && c.armed.CompareAndSwap(true, false) {
		body := `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}`
		return &http.Response{StatusCode: http.StatusConflict, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewBufferString(body)), Request: r}, nil
	}
	return c.next.RoundTrip(r)
}

func TestConflictStopsAFencedBot(t *testing.T) {
	tr := &conflictOnce{next: http.DefaultTransport}
	h, u := fenceRig(t, func(c *bot.Config) {
		c.Fence = make(chan struct{}) // never closed: only the 409 stops it
		c.HTTPClient = &http.Client{Timeout: c.PollTimeout + 15*time.Second, Transport: tr}
	})
	tr.armed.Store(true)
	u.SendText("/start") // ends the long poll, so the next one meets the 409
	if err := stoppedSoon(t, h); !errors.Is(err, bot.ErrConflict) {
		t.Fatalf("Run = %v, want ErrConflict", err)
	}
	if !strings.Contains(h.Log.String(), "another machine is polling with this token") {
		t.Errorf("log does not name the conflict:\n%s", h.Log.String())
	}
	if n := countReplies(u, "Perintah"); n != 0 {
		t.Errorf("a reply went after the conflict (%d)", n)
	}
}

func TestConflictWithoutFenceRetries(t *testing.T) {
	tr := &conflictOnce{next: http.DefaultTransport}
	h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) {
		c.HTTPClient = &http.Client{Timeout: c.PollTimeout + 15*time.Second, Transport: tr}
	}})
	u := h.NewUser("Sri")
	tr.armed.Store(true)
	u.SendText("/start")
	// One machine only (no standby): a 409 is logged and polling goes on.
	if _, err := u.WaitForText(wait, "Halo, Sri"); err != nil {
		t.Fatal(err)
	}
	if tr.armed.Load() {
		t.Fatal("the 409 was never answered")
	}
}
