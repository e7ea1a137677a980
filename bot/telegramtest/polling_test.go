package telegramtest

import (
	"errors"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

type pollResult struct {
	updates []tgbotapi.Update
	err     error
	took    time.Duration
}

func startPoll(bot *tgbotapi.BotAPI, cfg tgbotapi.UpdateConfig) <-chan pollResult {
	done := make(chan pollResult, 1)
	go func() {
		start := time.Now()
		ups, err := bot.GetUpdates(cfg)
		done <- pollResult{ups, err, time.Since(start)}
	}()
	return done
}

func TestLongPollWakesOnUpdate(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	done := startPoll(bot, tgbotapi.UpdateConfig{Timeout: 5})
	waitState(t, srv, func() bool { return srv.polling })
	u.SendText("halo")
	r := <-done
	if r.err != nil || len(r.updates) != 1 || r.updates[0].Message.Text != "halo" {
		t.Fatalf("poll = %+v", r)
	}
	if r.took > 2*time.Second {
		t.Errorf("poll returned after %v; it should wake when the update arrives", r.took)
	}
	assertNoViolations(t, srv)
}

func TestLongPollTimesOutEmpty(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	r := <-startPoll(bot, tgbotapi.UpdateConfig{Timeout: 1})
	if r.err != nil || len(r.updates) != 0 {
		t.Fatalf("poll = %+v", r)
	}
	if r.took < 900*time.Millisecond || r.took > 3*time.Second {
		t.Errorf("poll with timeout 1 took %v", r.took)
	}

	srv.IgnorePollTimeout(true)
	r = <-startPoll(bot, tgbotapi.UpdateConfig{Timeout: 30})
	if r.err != nil || r.took > time.Second {
		t.Errorf("with IgnorePollTimeout the poll took %v (%v)", r.took, r.err)
	}
	assertNoViolations(t, srv)
}

func TestOffsetConfirmsAndRedelivers(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	for _, text := range []string{"satu", "dua", "tiga"} {
		u.SendText(text)
	}
	first, err := bot.GetUpdates(tgbotapi.UpdateConfig{Limit: 2})
	if err != nil || len(first) != 2 || first[0].Message.Text != "satu" || first[1].UpdateID != first[0].UpdateID+1 {
		t.Fatalf("first poll = %+v, %v", first, err)
	}
	// Not confirmed yet: a new poller (a restarted bot) gets them again.
	other, err := tgbotapi.NewBotAPIWithAPIEndpoint(srv.Token(), srv.APIEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	again := pollOnce(t, other, 0)
	if len(again) != 3 || again[0].UpdateID != first[0].UpdateID {
		t.Fatalf("redelivery = %d updates", len(again))
	}
	rest := pollOnce(t, bot, first[1].UpdateID+1)
	if len(rest) != 1 || rest[0].Message.Text != "tiga" {
		t.Fatalf("after confirming two: %+v", rest)
	}
	if n := srv.PendingUpdates(); n != 1 {
		t.Errorf("PendingUpdates = %d, want 1", n)
	}
	if ups := pollOnce(t, bot, rest[0].UpdateID+1); len(ups) != 0 || srv.PendingUpdates() != 0 {
		t.Errorf("after confirming all: %d updates, %d pending", len(ups), srv.PendingUpdates())
	}

	u.SendText("empat")
	u.SendText("lima")
	if ups := pollOnce(t, bot, -1); len(ups) != 1 || ups[0].Message.Text != "lima" {
		t.Errorf("offset -1 = %+v", ups)
	}
	assertNoViolations(t, srv)
}

func TestOverlappingPollGets409(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	done := startPoll(bot, tgbotapi.UpdateConfig{Timeout: 5})
	waitState(t, srv, func() bool { return srv.polling })
	_, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	var tgErr *tgbotapi.Error
	if !errors.As(err, &tgErr) || tgErr.Code != 409 || tgErr.Message != "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" {
		t.Fatalf("overlapping poll: %v", err)
	}
	u.SendText("halo")
	if r := <-done; r.err != nil || len(r.updates) != 1 {
		t.Errorf("first poll = %+v", r)
	}
	if got := srv.CallsByResult("getUpdates"); got[409] != 1 || got[200] != 1 {
		t.Errorf("CallsByResult = %v", got)
	}
	assertNoViolations(t, srv)
}

func TestAllowedUpdatesFilter(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	pollOnce(t, bot, 0) // no allowed_updates: go-telegram-bot-api sends "null"
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{AllowedUpdates: []string{"callback_query"}}); err != nil {
		t.Fatal(err)
	}
	u.SendText("ignored")
	u.PressData(1, "x")
	ups := pollOnce(t, bot, 0)
	if len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("with allowed_updates [callback_query]: %+v", ups)
	}
	// The list is remembered by polls that omit it, and [] resets it.
	u.SendText("still ignored")
	if ups := pollOnce(t, bot, ups[0].UpdateID+1); len(ups) != 0 {
		t.Fatalf("filter forgotten: %+v", ups)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{AllowedUpdates: []string{}}); err != nil {
		t.Fatal(err)
	}
	u.SendText("seen")
	if ups := pollOnce(t, bot, 0); len(ups) != 1 || ups[0].Message.Text != "seen" {
		t.Fatalf("after reset: %+v", ups)
	}
	assertNoViolations(t, srv)
}

// A poller restored from an older copy asks from below the confirmed point:
// Telegram has forgotten those updates, and the fake counts them as lost.
func TestRewoundCountsConfirmedUpdatesAskedAgain(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	for _, s := range []string{"satu", "dua", "tiga"} {
		u.SendText(s)
	}
	ups := pollOnce(t, bot, 0)
	if len(ups) != 3 {
		t.Fatalf("updates = %d", len(ups))
	}
	first, last := ups[0].UpdateID, ups[2].UpdateID
	if srv.LastUpdateID() != last || srv.ConfirmedUpTo() != 0 {
		t.Fatalf("before confirming: last %d, confirmed %d", srv.LastUpdateID(), srv.ConfirmedUpTo())
	}
	pollOnce(t, bot, last+1) // the primary confirms all three
	if srv.ConfirmedUpTo() != last || srv.Rewound() != 0 {
		t.Fatalf("after confirming: confirmed %d, rewound %d", srv.ConfirmedUpTo(), srv.Rewound())
	}
	// The standby's copy holds only the first.
	if got := pollOnce(t, bot, first+1); len(got) != 0 {
		t.Errorf("confirmed updates came back: %+v", got)
	}
	if srv.Rewound() != 2 {
		t.Errorf("rewound = %d, want 2 (dua, tiga)", srv.Rewound())
	}
}
