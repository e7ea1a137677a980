// Package bottest runs the whole bot for tests: the fake Telegram server of
// bot/telegramtest, the real runtime and flows, and a real SQLite file in a temp
// dir, with an injected clock. Tests talk to it as users do.
package bottest

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"
)

// Options tune a Harness. The zero value is a working bot with fast retries and
// raised rate limits.
type Options struct {
	// Admins are seeded as admins.
	Admins []int64
	// Fake configures the fake Telegram server.
	Fake telegramtest.Options
	// Bot adjusts the runtime's configuration after the harness's defaults.
	Bot func(*bot.Config)
	// Flows adjusts the flows' configuration.
	Flows func(*flows.Config)
	// Handler, when set, replaces the flows (for runtime tests); it gets the
	// flows the harness would have used, to wrap.
	Handler func(app *flows.App) bot.Handler
	// Replica, when set, gives the bot a replica of the database just opened
	// (bot.Config.Replica), at every launch; the test closes it.
	Replica func(db *store.DB) bot.Replica
	// Start is the clock's first reading; default 2026-11-02 09:00 WIB.
	Start time.Time
}

// Harness is a running bot with its fake Telegram and database.
type Harness struct {
	T      testing.TB
	Server *telegramtest.Server
	Clock  *Clock
	DBPath string
	// Log collects the bot's log lines (to check, for example, that the token
	// never appears).
	Log *LogBuffer

	opts Options
	mu   sync.Mutex
	db   *store.DB
	bot  *bot.Bot
	stop context.CancelFunc
	done chan error
}

// Start starts the fake server and the bot; both stop when the test ends.
func Start(t testing.TB, opts Options) *Harness {
	t.Helper()
	if opts.Start.IsZero() {
		opts.Start = time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	}
	h := &Harness{
		T:      t,
		Server: telegramtest.NewServer(opts.Fake),
		Clock:  NewClock(opts.Start),
		DBPath: filepath.Join(t.TempDir(), "dinsosbot.db"),
		Log:    &LogBuffer{},
		opts:   opts,
	}
	t.Cleanup(h.Server.Close)
	t.Cleanup(func() { h.Stop() })
	h.Launch()
	return h
}

// Launch opens the database and starts the bot; it must not be running.
func (h *Harness) Launch() {
	h.T.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.bot != nil {
		h.T.Fatal("bottest: Launch while the bot runs")
	}
	ctx, cancel := context.WithCancel(context.Background())
	db, err := store.Open(ctx, h.DBPath, store.Options{Now: h.Clock.Now})
	if err != nil {
		cancel()
		h.T.Fatalf("bottest: open store: %v", err)
	}
	cfg := bot.Config{
		Token:           h.Server.Token(),
		APIBase:         h.Server.URL(),
		PollTimeout:     5 * time.Second,
		MinPollInterval: 50 * time.Millisecond,
		MinBackoff:      20 * time.Millisecond,
		MaxBackoff:      200 * time.Millisecond,
		DrainTimeout:    2 * time.Second,
		// Jobs run when a test moves the clock and calls Sweep, never on
		// cron's real timer: a real minute boundary must not change a test.
		Schedule: bot.ScheduleConfig{Manual: true},
		Limits:   bot.Limits{Global: 1000, PerChat: 200, PerChatBurst: 20, GroupPerMinute: 6000},
		Logger:   slog.New(slog.NewTextHandler(h.Log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		// Tests act far faster than people; flood control gets out of
		// their way unless a test sets it (bot/bottest/hostile_test.go).
		Flood: bot.FloodLimits{PerMinute: 60000, Burst: 1000},
	}
	if h.opts.Replica != nil {
		cfg.Replica = h.opts.Replica(db)
	}
	if h.opts.Bot != nil {
		h.opts.Bot(&cfg)
	}
	b, err := bot.New(ctx, cfg, db, func(username string) bot.Handler {
		fc := flows.Config{BotUsername: username, Admins: h.opts.Admins, MediaDir: cfg.Media.Dir}
		if h.opts.Flows != nil {
			h.opts.Flows(&fc)
		}
		app := flows.New(fc)
		if h.opts.Handler != nil {
			return h.opts.Handler(app)
		}
		return app
	})
	if err != nil {
		cancel()
		db.Close()
		h.T.Fatalf("bottest: start bot: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	h.db, h.bot, h.stop, h.done = db, b, cancel, done
}

// Stop stops the bot as SIGTERM would (drain, close) and returns Run's error.
// It is a no-op when the bot is not running.
func (h *Harness) Stop() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.bot == nil {
		return nil
	}
	h.stop()
	err := <-h.done
	if cerr := h.db.Close(); cerr != nil {
		err = errors.Join(err, cerr)
	}
	h.db, h.bot = nil, nil
	return err
}

// Wait waits for the bot's Run to return by itself (a crash through a test
// hook, an invalid token) and closes the database.
func (h *Harness) Wait(timeout time.Duration) error {
	h.T.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.bot == nil {
		return nil
	}
	var err error
	select {
	case err = <-h.done:
	case <-time.After(timeout):
		h.T.Fatalf("bottest: bot still running after %v", timeout)
	}
	h.stop()
	h.db.Close()
	h.db, h.bot = nil, nil
	return err
}

// Restart stops the bot and starts it again on the same database file.
func (h *Harness) Restart() {
	h.T.Helper()
	if err := h.Stop(); err != nil {
		h.T.Fatalf("bottest: stop: %v", err)
	}
	h.Launch()
}

// DB is the open database; valid while the bot runs.
func (h *Harness) DB() *store.DB {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.db
}

// Sweep runs the bot's time-driven work now (after moving the clock).
func (h *Harness) Sweep() {
	h.T.Helper()
	h.mu.Lock()
	b := h.bot
	h.mu.Unlock()
	if err := b.Sweep(context.Background()); err != nil {
		h.T.Fatalf("bottest: sweep: %v", err)
	}
}

// NewUser adds a simulated Telegram user.
func (h *Harness) NewUser(firstName string) *telegramtest.User {
	return h.Server.NewUser(telegramtest.UserOptions{FirstName: firstName, LanguageCode: "id"})
}

// Bot is the running bot (for its HTTPAddr or Health); nil when stopped.
func (h *Harness) Bot() *bot.Bot {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.bot
}

// NoViolations fails the test if the fake rejected any request as the real Bot
// API would.
func (h *Harness) NoViolations() {
	h.T.Helper()
	if v := h.Server.Violations(); len(v) > 0 {
		h.T.Fatalf("the bot sent %d requests Telegram would reject:\n%v", len(v), v)
	}
}

// WaitUntil polls cond until it is true or the deadline passes; for conditions
// on the database, which has no notifications.
func (h *Harness) WaitUntil(timeout time.Duration, what string, cond func() bool) {
	h.T.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			h.T.Fatalf("bottest: timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
