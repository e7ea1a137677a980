package bot_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
)

// connectConfig is a bot.Config for New against the harness's fake, with a
// backoff short enough for a test.
func connectConfig(h *bottest.Harness, token string) bot.Config {
	return bot.Config{Token: token, APIBase: h.Server.URL(), MinBackoff: time.Millisecond, MaxBackoff: 4 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(h.Log, nil)), Schedule: bot.ScheduleConfig{Manual: true}}
}

func noHandler(string) bot.Handler { return nil }

// A bot started while Telegram fails (5xx, dropped connections) retries getMe
// with backoff instead of exiting.
func TestNewRetriesGetMe(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	before := h.Server.Calls("getMe")
	h.Server.FailNext("getMe", 3, telegramtest.Fault{Kind: telegramtest.Fault500})
	h.Server.FailNext("getMe", 1, telegramtest.Fault{Kind: telegramtest.FaultDrop})
	b, err := bot.New(t.Context(), connectConfig(h, h.Server.Token()), h.DB(), noHandler)
	if err != nil {
		t.Fatalf("New after 3 × 500 and a dropped connection: %v", err)
	}
	if b.Username() != h.Server.BotUsername() {
		t.Errorf("username %q, want %q", b.Username(), h.Server.BotUsername())
	}
	if got := h.Server.Calls("getMe") - before; got != 5 {
		t.Errorf("%d getMe calls, want 5 (4 failed, 1 answered)", got)
	}
	if got := h.Server.CallsByResult("getMe")[500]; got != 3 {
		t.Errorf("%d getMe calls answered 500, want 3", got)
	}
	if n := strings.Count(h.Log.String(), "getMe failed; retrying"); n != 4 {
		t.Errorf("%d retries logged, want 4", n)
	}
}

// A refused token fails at once: a 401 is never retried.
func TestNewUnauthorizedNotRetried(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	before := h.Server.Calls("getMe")
	_, err := bot.New(t.Context(), connectConfig(h, "999:WRONGTOKEN"), h.DB(), noHandler)
	if !errors.Is(err, bot.ErrUnauthorized) {
		t.Fatalf("New with a wrong token = %v, want ErrUnauthorized", err)
	}
	if got := h.Server.Calls("getMe") - before; got != 1 {
		t.Errorf("%d getMe calls, want 1", got)
	}
}

// The retries end with the context: a stopped bot does not hang in New.
func TestNewRetryStopsWithContext(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	h.Server.FailNext("getMe", 1_000_000, telegramtest.Fault{Kind: telegramtest.Fault500})
	cfg := connectConfig(h, h.Server.Token())
	cfg.MinBackoff, cfg.MaxBackoff = time.Hour, time.Hour // only the context can end the wait
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := bot.New(ctx, cfg, h.DB(), noHandler)
		done <- err
	}()
	// Cancel once the first attempt has failed and New is waiting.
	h.WaitUntil(10*time.Second, "a failed getMe", func() bool { return h.Server.CallsByResult("getMe")[500] > 0 })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("New after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("New did not return within 10 s of cancel")
	}
}
