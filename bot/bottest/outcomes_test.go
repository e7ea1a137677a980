package bottest_test

import (
	"context"
	"fmt"
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

// numberedEcho answers every text with "diterima: " and the text, in the
// update's transaction: the runtime's cost, not a flow's. It has no jobs,
// so every transaction is an update's or the sender's.
type numberedEcho struct{}

func (numberedEcho) Handle(tx *store.Tx, ev flows.Event) error {
	_, err := tx.Enqueue(store.Message{ChatID: ev.ChatID, Text: "diterima: " + ev.Text})
	return err
}

func (numberedEcho) Apologize(*store.Tx, flows.Event) error { return nil }

func startEcho(t *testing.T, tune func(*bot.Config)) *bottest.Harness {
	return bottest.Start(t, bottest.Options{
		Handler: func(*flows.App) bot.Handler { return numberedEcho{} },
		Bot:     tune,
	})
}

// roundTrip sends text and waits for its echo.
func roundTrip(t *testing.T, u *telegramtest.User, text string) {
	t.Helper()
	waitText(t, u, "diterima: "+text)
}

// TestOneFsyncPerReply: a person who waits for each reply costs one
// committed transaction (one fsync) per reply: the reply's outcome rides on
// the transaction of their next update instead of one of its own. The
// outcomes still reach the outbox, with Telegram's message ids, when the bot
// stops.
func TestOneFsyncPerReply(t *testing.T) {
	h := startEcho(t, func(c *bot.Config) { c.RecordDelay = time.Minute })
	u := h.NewUser("Tunggal")
	u.SendText("0")
	roundTrip(t, u, "0")
	const n = 20
	before := h.DB().Commits()
	for i := 1; i <= n; i++ {
		u.SendText(fmt.Sprint(i))
		roundTrip(t, u, fmt.Sprint(i))
	}
	if got := h.DB().Commits() - before; got > n {
		t.Errorf("%d round trips committed %d transactions, want at most %d", n, got, n)
	}
	must(t, h.Stop())
	db, err := store.Open(context.Background(), h.DBPath, store.Options{})
	must(t, err)
	defer db.Close()
	var sent, withIDs int
	must(t, db.SQL().QueryRow(`SELECT COUNT(*), COUNT(NULLIF(tg_message_id, 0)) FROM outbox WHERE status = 'sent'`).Scan(&sent, &withIDs))
	if sent != n+1 || withIDs != n+1 {
		t.Errorf("after the stop %d rows sent, %d with a message id; want %d", sent, withIDs, n+1)
	}
	if msgs := u.Messages(); len(msgs) != n+1 {
		t.Errorf("the chat holds %d replies, want %d", len(msgs), n+1)
	}
}

// TestOutcomeOfAnAbortedBatch: outcomes handed to a batch whose transaction
// fails are not lost with it: they are recorded before the bot stops, so the
// reply is not sent twice when the update after it is handled again.
func TestOutcomeOfAnAbortedBatch(t *testing.T) {
	var abort atomic.Bool
	h := startEcho(t, func(c *bot.Config) {
		c.RecordDelay = time.Minute
		c.BeforeCommit = func(int) error {
			if abort.CompareAndSwap(true, false) {
				return fmt.Errorf("injected crash")
			}
			return nil
		}
	})
	u := h.NewUser("Tunggal")
	u.SendText("1")
	roundTrip(t, u, "1")
	abort.Store(true)
	u.SendText("2")
	if err := h.Wait(wait); err == nil || !strings.Contains(err.Error(), "injected crash") {
		t.Fatalf("Run returned %v, want the injected crash", err)
	}
	h.Launch()
	// A resent first reply would come before this one: rows of a chat go
	// in order.
	roundTrip(t, u, "2")
	var texts []string
	for _, m := range u.Messages() {
		texts = append(texts, m.Text)
	}
	if got, want := strings.Join(texts, " | "), "diterima: 1 | diterima: 2"; got != want {
		t.Errorf("the chat holds %q, want %q", got, want)
	}
}
