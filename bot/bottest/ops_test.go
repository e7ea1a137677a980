package bottest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
)

// getOps fetches path from the bot's operations listener over real HTTP.
func getOps(t *testing.T, h *bottest.Harness, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + h.Bot().HTTPAddr() + path)
	must(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp.StatusCode, string(body)
}

func healthz(t *testing.T, h *bottest.Harness) (int, bot.Health) {
	t.Helper()
	code, body := getOps(t, h, "/healthz")
	var got bot.Health
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("/healthz: %v in %q", err, body)
	}
	return code, got
}

// metric sums the samples of name whose labels include every one of labels
// (`type="command"`), from Prometheus text format.
func metric(body, name string, labels ...string) float64 {
	var sum float64
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err == nil {
			sum += v
		}
	}
	return sum
}

func TestOpsHealthAndMetrics(t *testing.T) {
	const admin = 777001
	h := bottest.Start(t, bottest.Options{Admins: []int64{admin}, Bot: func(c *bot.Config) {
		c.HTTP.Listen = "127.0.0.1:0"
	}})
	if h.Bot().HTTPAddr() == "" {
		t.Fatal("no operations listener")
	}
	h.WaitUntil(wait, "a successful getUpdates", func() bool {
		_, got := healthz(t, h)
		return got.Polled
	})
	code, got := healthz(t, h)
	if code != http.StatusOK || !got.OK || got.Database != "ok" {
		t.Fatalf("/healthz = %d %+v, want 200 and ok", code, got)
	}
	if got.LastPollSeconds > 10 {
		t.Errorf("last poll %.1f s ago, want recent", got.LastPollSeconds)
	}

	code, before := getOps(t, h, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	for _, name := range []string{"dinsosbot_outbox_pending", "dinsosbot_polls_total", "dinsosbot_last_poll_age_seconds"} {
		if !strings.Contains(before, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}

	// Activity: a worker registers (a flow completed), another starts and
	// cancels (a flow cancelled).
	w := h.NewUser("Siti")
	registerE2E(t, w, "Siti Aminah")
	q := h.NewUser("Budi")
	q.SendText("/start")
	waitText(t, q, "Data yang disimpan")
	q.SendText("/batal")
	h.WaitUntil(wait, "the cancel answered", func() bool {
		_, after := getOps(t, h, "/metrics")
		return metric(after, "dinsosbot_flows_ended_total", `outcome="cancelled"`) >= 1
	})

	_, after := getOps(t, h, "/metrics")
	checks := []struct {
		name   string
		labels []string
		min    float64
	}{
		{"dinsosbot_updates_handled_total", []string{`type="command"`, `result="ok"`}, 2},
		{"dinsosbot_updates_handled_total", []string{`type="callback"`}, 4},
		{"dinsosbot_updates_handled_total", []string{`type="contact"`}, 1},
		{"dinsosbot_update_handling_seconds_count", nil, 8},
		{"dinsosbot_telegram_requests_total", []string{`method="sendMessage"`, `result="ok"`, `code="200"`}, 5},
		{"dinsosbot_flows_ended_total", []string{`outcome="completed"`}, 1},
		{"dinsosbot_flows_ended_total", []string{`outcome="cancelled"`}, 1},
		{"dinsosbot_polls_total", []string{`result="ok"`}, 2},
	}
	for _, c := range checks {
		b, a := metric(before, c.name, c.labels...), metric(after, c.name, c.labels...)
		if a-b < c.min {
			t.Errorf("%s%v went %v -> %v, want at least +%v", c.name, c.labels, b, a, c.min)
		}
	}

	// A reply Telegram refuses with 429 for a while stays in the outbox:
	// the backlog shows in both endpoints, and the 429 in the send counts.
	h.Server.FailNext("sendMessage", 1, telegramtest.Fault{Kind: telegramtest.Fault429, RetryAfter: 30})
	late := h.NewUser("Rina")
	late.SendText("/bantuan")
	h.WaitUntil(wait, "the 429 counted", func() bool {
		_, m := getOps(t, h, "/metrics")
		return metric(m, "dinsosbot_telegram_requests_total", `code="429"`) >= 1
	})
	h.WaitUntil(wait, "the backlog seen", func() bool {
		_, got := healthz(t, h)
		return got.OutboxPending >= 1
	})
	h.Clock.Advance(time.Minute) // the row's age is on the database clock
	code, got = healthz(t, h)
	if code != http.StatusOK || got.OutboxPending < 1 || got.OutboxOldestSeconds < 60 {
		t.Errorf("/healthz with a held reply = %d %+v, want 200, backlog >= 1, oldest >= 60 s", code, got)
	}
	_, m := getOps(t, h, "/metrics")
	if v := metric(m, "dinsosbot_outbox_pending"); v < 1 {
		t.Errorf("dinsosbot_outbox_pending = %v, want >= 1", v)
	}
	if v := metric(m, "dinsosbot_outbox_oldest_pending_seconds"); v < 60 {
		t.Errorf("dinsosbot_outbox_oldest_pending_seconds = %v, want >= 60", v)
	}
	h.NoViolations()
}

// TestOpsHealthStalePolling: with a threshold no poll can meet, /healthz
// answers 503 and says why; the metrics still answer.
func TestOpsHealthStalePolling(t *testing.T) {
	h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) {
		c.HTTP.Listen = "127.0.0.1:0"
		c.HTTP.PollStale = time.Nanosecond
	}})
	code, got := healthz(t, h)
	if code != http.StatusServiceUnavailable || got.OK || len(got.Problems) == 0 ||
		!strings.Contains(got.Problems[0], "getUpdates") {
		t.Fatalf("/healthz = %d %+v, want 503 naming getUpdates", code, got)
	}
	if got.Database != "ok" {
		t.Errorf("database = %q, want ok", got.Database)
	}
	if code, _ := getOps(t, h, "/metrics"); code != http.StatusOK {
		t.Errorf("/metrics = %d, want 200", code)
	}
}

// TestOpsHealthDatabaseDown: when the database stops answering, /healthz
// answers 503 naming the database, so a supervisor restarts the bot; the
// metrics still answer.
func TestOpsHealthDatabaseDown(t *testing.T) {
	h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) { c.HTTP.Listen = "127.0.0.1:0" }})
	h.WaitUntil(wait, "a healthy answer", func() bool {
		code, got := healthz(t, h)
		return code == http.StatusOK && got.OK
	})
	// Closing the handle under the running bot is what a vanished volume or a
	// file-descriptor limit looks like from inside: every query fails.
	must(t, h.DB().SQL().Close())
	code, got := healthz(t, h)
	if code != http.StatusServiceUnavailable || got.OK || got.Database == "ok" ||
		!slices.ContainsFunc(got.Problems, func(p string) bool { return strings.Contains(p, "database") }) {
		t.Fatalf("/healthz = %d %+v, want 503 naming the database", code, got)
	}
	if code, _ := getOps(t, h, "/metrics"); code != http.StatusOK {
		t.Errorf("/metrics = %d with the database down", code)
	}
	_ = h.Stop() // the bot's own work fails too; its error is not what this test is about
}
