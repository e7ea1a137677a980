package bottest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
)

// Issue 13: an outage of Telegram or the network (no HTTP answer at all)
// must not drop replies. Such failures count only towards the outage's age
// budget; answers from a server keep their attempts and age budget.

// outageRig is the echo bot with the fake's clock tied to the bot's and
// small budgets: 3 answered attempts in 10 min, outages for 2 h.
type outageRig struct {
	h   *bottest.Harness
	clk *bottest.Clock // the fake's
	u   *telegramtest.User
}

func newOutageRig(t *testing.T) *outageRig {
	t.Helper()
	start := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	clk := bottest.NewClock(start)
	h := bottest.Start(t, bottest.Options{Start: start, Fake: telegramtest.Options{Now: clk.Now},
		Handler: func(*flows.App) bot.Handler { return numberedEcho{} },
		Bot: func(c *bot.Config) {
			c.Retry = bot.RetryConfig{Temporary: bot.RetryBudget{Attempts: 3, Age: 10 * time.Minute}, OutageAge: 2 * time.Hour}
		}})
	r := &outageRig{h: h, clk: clk, u: h.NewUser("Sri")}
	r.u.SendText("1")
	roundTrip(t, r.u, "1")
	return r
}

func (r *outageRig) advance(d time.Duration) {
	r.h.Clock.Advance(d)
	r.clk.Advance(d)
}

// dropsAtLeast waits until n sendMessage calls got no answer.
func (r *outageRig) dropsAtLeast(t *testing.T, n int) {
	t.Helper()
	if err := r.h.Server.WaitUntil(wait, func() bool { return r.h.Server.CallsByResult("sendMessage")[0] >= n }); err != nil {
		t.Fatalf("waiting for %d dropped sends (%d so far): %v", n, r.h.Server.CallsByResult("sendMessage")[0], err)
	}
}

// chat is the texts of the bot's messages to the rig's user, in order.
func (r *outageRig) chat() string {
	var texts []string
	for _, m := range r.u.Messages() {
		texts = append(texts, m.Text)
	}
	return strings.Join(texts, " | ")
}

// TestOutageDelaysRepliesInOrder: the connection drops on every send for
// more attempts and longer than the budget for answers, an hour in all;
// then the network heals and every reply arrives, once, in order, and no
// row failed.
func TestOutageDelaysRepliesInOrder(t *testing.T) {
	r := newOutageRig(t)
	r.h.Server.FailAlways("sendMessage", telegramtest.Fault{Kind: telegramtest.FaultDrop})
	for i := 2; i <= 4; i++ {
		r.u.SendText(fmt.Sprint(i))
	}
	r.dropsAtLeast(t, 4)
	r.advance(time.Hour)
	r.dropsAtLeast(t, r.h.Server.CallsByResult("sendMessage")[0]+6)
	r.h.Server.Heal("sendMessage")
	roundTrip(t, r.u, "4")
	settle(t, r.h)
	if got, want := r.chat(), "diterima: 1 | diterima: 2 | diterima: 3 | diterima: 4"; got != want {
		t.Errorf("the chat holds %q, want %q", got, want)
	}
	if failed := outboxRows(t, r.h, `status = 'failed'`); len(failed) > 0 {
		t.Errorf("rows failed during the outage: %+v", failed)
	}
	r.h.NoViolations()
}

// TestOutageThenAnswersKeepTheirBudget: after an hour without answers, the
// first answers from a server (HTTP 500 pages) get their own attempts and
// age, not the outage's hour: the reply still goes once they stop.
func TestOutageThenAnswersKeepTheirBudget(t *testing.T) {
	r := newOutageRig(t)
	r.h.Server.FailAlways("sendMessage", telegramtest.Fault{Kind: telegramtest.FaultDrop})
	r.u.SendText("2")
	r.dropsAtLeast(t, 4)
	r.advance(time.Hour)
	r.dropsAtLeast(t, r.h.Server.CallsByResult("sendMessage")[0]+2)
	r.h.Server.FailNext("sendMessage", 2, telegramtest.Fault{Kind: telegramtest.FaultHTML, Status: 500})
	r.h.Server.Heal("sendMessage")
	roundTrip(t, r.u, "2")
	if got := r.h.Server.CallsByResult("sendMessage")[500]; got != 2 {
		t.Errorf("%d attempts answered 500, want 2", got)
	}
	if got, want := r.chat(), "diterima: 1 | diterima: 2"; got != want {
		t.Errorf("the chat holds %q, want %q", got, want)
	}
}

// TestOutageOutlivesItsBudget: past the outage's age budget a reply fails
// for good, with no HTTP status and the reason recorded, and the chat's next
// reply goes when the network is back.
func TestOutageOutlivesItsBudget(t *testing.T) {
	r := newOutageRig(t)
	r.h.Server.FailAlways("sendMessage", telegramtest.Fault{Kind: telegramtest.FaultDrop})
	r.u.SendText("2")
	r.u.SendText("3")
	r.dropsAtLeast(t, 3)
	r.advance(3 * time.Hour)
	r.h.WaitUntil(wait, "the first reply to fail", func() bool {
		return len(outboxRows(t, r.h, `status = 'failed'`)) > 0
	})
	r.h.Server.Heal("sendMessage")
	roundTrip(t, r.u, "3")
	failed := outboxRows(t, r.h, `status = 'failed'`)
	if len(failed) != 1 || failed[0].HTTPStatus != 0 || !strings.Contains(failed[0].Error, "without an HTTP answer") {
		t.Fatalf("failed rows %+v, want the first reply, without an HTTP answer", failed)
	}
	if got, want := r.chat(), "diterima: 1 | diterima: 3"; got != want {
		t.Errorf("the chat holds %q, want %q", got, want)
	}
}
