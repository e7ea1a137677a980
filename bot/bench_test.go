package bot_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"
)

// echo is the lightest real handler: it records the user and enqueues one reply
// in the update's transaction, so the benchmark measures the runtime (poll →
// transaction → outbox → send), not a particular flow.
type echo struct{ *flows.App }

func (echo) Handle(tx *store.Tx, ev flows.Event) error {
	if _, err := tx.TouchUser(ev.UserID, ev.FirstName, ev.Username); err != nil {
		return err
	}
	_, err := tx.Enqueue(store.Message{ChatID: ev.ChatID, Text: "diterima: " + ev.Text})
	return err
}

const benchUsers = 200

// unlimited raises every rate limit out of the way: the pipeline benchmarks
// measure processing, not Telegram's limits.
func unlimited(c *bot.Config) {
	c.Limits = bot.Limits{Global: 1e6, PerChat: 1e6, PerChatBurst: 1000, GroupPerMinute: 1e6}
	c.SendWorkers = 16
	c.Flood.Off = true // the benchmark replays many updates per user at once
}

// BenchmarkPipeline is updates/s through the whole bot with many users.
func BenchmarkPipeline(b *testing.B) {
	h := bottest.Start(b, bottest.Options{
		Handler: func(a *flows.App) bot.Handler { return echo{a} },
		Bot:     unlimited,
	})
	users := newUsers(h.Server, benchUsers)
	b.ResetTimer()
	sendAndWait(b, h.Server, users, b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkBaseline is the same traffic answered by the library alone: a loop
// of getUpdates and sendMessage, no database, one update at a time.
func BenchmarkBaseline(b *testing.B) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	stop := echoLoop(b, srv)
	defer stop()
	users := newUsers(srv, benchUsers)
	b.ResetTimer()
	sendAndWait(b, srv, users, b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	b.StopTimer()
}

// BenchmarkTrickle is round trips/s with one user who waits for each reply
// before sending the next message: the latency of one update, fsyncs
// included, not the throughput of a batch.
func BenchmarkTrickle(b *testing.B) {
	h := bottest.Start(b, bottest.Options{
		Handler: func(a *flows.App) bot.Handler { return echo{a} },
		Bot:     unlimited,
	})
	user := h.Server.NewUser(telegramtest.UserOptions{FirstName: "Tunggal"})
	b.ResetTimer()
	sendOneByOne(b, h.Server, user, b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
}

// BenchmarkTrickleBaseline is BenchmarkTrickle's traffic answered by the
// library's loop of getUpdates and sendMessage, without a database.
func BenchmarkTrickleBaseline(b *testing.B) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	stop := echoLoop(b, srv)
	defer stop()
	user := srv.NewUser(telegramtest.UserOptions{FirstName: "Tunggal"})
	b.ResetTimer()
	sendOneByOne(b, srv, user, b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	b.StopTimer()
}

// sendOneByOne has user send n messages, each after the reply to the one
// before arrived.
func sendOneByOne(b *testing.B, srv *telegramtest.Server, user *telegramtest.User, n int) {
	base := srv.Calls("sendMessage")
	for i := range n {
		user.SendText(fmt.Sprintf("laporan %d", i))
		if err := srv.WaitUntil(time.Minute, func() bool { return srv.Calls("sendMessage") > base+i }); err != nil {
			b.Fatalf("no reply to message %d: %v", i, err)
		}
	}
}

// echoLoop answers every message on srv with the library alone, one update
// at a time, until the returned stop is called.
func echoLoop(b *testing.B, srv *telegramtest.Server) (stop func()) {
	api, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.APIEndpoint(), &http.Client{Timeout: time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		offset := 0
		for {
			select {
			case <-quit:
				return
			default:
			}
			ups, err := api.GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: 100, Timeout: 1})
			if err != nil {
				continue
			}
			for _, u := range ups {
				offset = u.UpdateID + 1
				if u.Message != nil {
					if _, err := api.Send(tgbotapi.NewMessage(u.Message.Chat.ID, "diterima: "+u.Message.Text)); err != nil {
						b.Error(err)
					}
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

func newUsers(srv *telegramtest.Server, n int) []*telegramtest.User {
	users := make([]*telegramtest.User, n)
	for i := range users {
		users[i] = srv.NewUser(telegramtest.UserOptions{FirstName: fmt.Sprintf("U%d", i)})
	}
	return users
}

// sendAndWait has the users send n messages round-robin and waits until the bot
// has sent n replies.
func sendAndWait(b *testing.B, srv *telegramtest.Server, users []*telegramtest.User, n int) {
	base := srv.Calls("sendMessage")
	for i := range n {
		users[i%len(users)].SendText(fmt.Sprintf("laporan %d", i))
	}
	if err := srv.WaitUntil(5*time.Minute, func() bool { return srv.Calls("sendMessage") >= base+n }); err != nil {
		b.Fatalf("only %d of %d replies: %v", srv.Calls("sendMessage")-base, n, err)
	}
}

// BenchmarkSenderBroadcast sends a 10,000-message broadcast against the fake
// enforcing the same global limit the bot is configured with, and reports the
// achieved rate as a fraction of the limit.
func BenchmarkSenderBroadcast(b *testing.B) {
	const limit, n = 1000.0, 10000
	for range b.N {
		h := bottest.Start(b, bottest.Options{
			Fake: telegramtest.Options{EnforceRateLimits: true,
				Limits: telegramtest.RateLimits{Global: limit, PerChat: 1, PerChatBurst: 3, PerGroupPerMinute: 20}},
			Bot: func(c *bot.Config) {
				c.Limits = bot.Limits{Global: limit, PerChat: 1, PerChatBurst: 1, GroupPerMinute: 20}
				c.SendWorkers = 32
			},
		})
		users := newUsers(h.Server, n)
		msgs := make([]store.Message, n)
		for i, u := range users {
			msgs[i] = store.Message{ChatID: u.ID(), Text: "pengumuman rapat koordinasi", Priority: store.PriorityBroadcast}
		}
		start := time.Now()
		enqueue(b, h, msgs...)
		if err := h.Server.WaitUntil(5*time.Minute, func() bool { return h.Server.CallsByResult("sendMessage")[200] >= n }); err != nil {
			b.Fatalf("broadcast incomplete: %v", err)
		}
		elapsed := time.Since(start)
		b.ReportMetric(float64(n)/elapsed.Seconds()/limit, "rate/limit")
		b.ReportMetric(float64(h.Server.CallsByResult("sendMessage")[429]), "429s")
		h.Stop()
	}
}
