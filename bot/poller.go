package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dinsosbot/store"
)

// poll is the long-polling loop. It asks for updates after the last committed
// one, handles a batch in one transaction, and only then asks again: the next
// getUpdates confirms the batch to Telegram, so nothing is confirmed before it is
// durably stored.
//
// With a replica (Config.Replica), durably stored means on the replica too:
// the next getUpdates confirms a batch only once Replica.Confirm allows. While
// the replica lags, the poller asks Telegram again without confirming
// (offset stays at the last confirmed update): the replies to what it
// handled still go out, updates it handled already come again and are
// skipped, and new ones are handled; Telegram keeps what is not confirmed
// for 24 hours, so a machine lost meanwhile loses nothing a restore from
// the replica cannot fetch again.
func (b *Bot) poll(ctx context.Context, api *tgbotapi.BotAPI) error {
	last, err := b.db.LastUpdateID(ctx)
	if err != nil {
		return err
	}
	// confirmed is the last update_id Telegram was told of (0: unknown; the
	// store's last one may not be on the replica yet after a crash).
	confirmed := last
	if b.cfg.Replica != nil {
		confirmed = 0
	}
	backoff := newBackoff(b.cfg.MinBackoff, b.cfg.MaxBackoff)
	behind := newBackoff(b.cfg.MinBackoff, b.cfg.MaxBackoff)
	var lastCall time.Time
	for ctx.Err() == nil {
		if confirmed < last {
			if err := b.confirmBatch(ctx); err == nil {
				confirmed = last
				behind.reset()
			} else if ctx.Err() != nil {
				break
			}
		}
		offset := 0 // confirms nothing
		if confirmed > 0 {
			offset = confirmed + 1
		}
		lastCall = time.Now()
		updates, err := getUpdates(api, tgbotapi.UpdateConfig{
			Offset:         offset,
			Limit:          100,
			Timeout:        int(b.cfg.PollTimeout / time.Second),
			AllowedUpdates: allowedUpdates,
		})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if err := b.pollFailed(ctx, err, backoff); err != nil {
				return err
			}
			continue
		}
		backoff.reset()
		received := len(updates)
		// Updates handled but not yet confirmed come again: skip them.
		for len(updates) > 0 && updates[0].UpdateID <= last {
			updates = updates[1:]
		}
		if len(updates) == 0 {
			wait := b.cfg.MinPollInterval - time.Since(lastCall)
			if received > 0 {
				// Only updates handled already: the replica is behind.
				// Wait before asking again, so the loop does not spin.
				wait = behind.next()
			}
			// An API that answers at once despite the timeout must not make
			// the loop spin.
			if err := Sleep(ctx, wait); err != nil {
				break
			}
			continue
		}
		if err := b.handleBatch(ctx, updates); err != nil {
			if ctx.Err() != nil {
				break
			}
			return fmt.Errorf("handle updates %d..%d: %w", updates[0].UpdateID, updates[len(updates)-1].UpdateID, err)
		}
		last = updates[len(updates)-1].UpdateID
		if b.cfg.Replica == nil {
			confirmed = last
		}
	}
	return ctx.Err()
}

// confirmBatch waits, for at most confirmTimeout, until the replica allows
// confirming what is committed.
func (b *Bot) confirmBatch(ctx context.Context) error {
	wctx, cancel := context.WithTimeout(ctx, b.confirmTimeout())
	defer cancel()
	err := b.cfg.Replica.Confirm(wctx)
	if err != nil && ctx.Err() == nil {
		b.log.Debug("batch not confirmed to Telegram: the replica does not hold it yet", "err", err)
	}
	return err
}

// pollFailed logs a failed getUpdates and waits before the next try; it returns
// an error when polling must stop.
func (b *Bot) pollFailed(ctx context.Context, err error, backoff *backoff) error {
	kind, retryAfter := classify(err)
	wait := backoff.next()
	switch kind {
	case failUnauthorized:
		return ErrUnauthorized
	case failConflict:
		if b.cfg.Fence != nil {
			b.log.Error("getUpdates conflict: another machine is polling with this token; stopping polling and sending at once",
				"err", description(err))
			return ErrConflict
		}
		b.log.Error("getUpdates conflict: another instance of this bot is polling with the same token, or a webhook is set; retrying",
			"err", description(err), "retry_in", wait)
	case failFlood:
		wait = max(wait, retryAfter)
		b.log.Warn("getUpdates rate limited", "retry_in", wait)
	default:
		b.log.Warn("getUpdates failed", "err", description(err), "retry_in", wait)
	}
	return Sleep(ctx, wait)
}

// handleBatch handles updates in order in one transaction: one SAVEPOINT per
// update so a failing update rolls back alone, one fsync for the batch.
//
// The outcomes of the sends since the last batch are recorded in the same
// transaction, so a person waiting for each reply costs one fsync per reply,
// not two.
func (b *Bot) handleBatch(ctx context.Context, updates []tgbotapi.Update) error {
	settle := func(bool) {}
	err := b.db.Update(ctx, func(tx *store.Tx) error {
		var err error
		if settle, err = b.sender.outcomes.recordIn(tx); err != nil {
			b.log.Error("record sends; they wait for the next transaction", "err", err)
		}
		for _, u := range updates {
			if err := b.handleOne(tx, u); err != nil {
				return err
			}
		}
		if b.cfg.BeforeCommit != nil {
			if err := b.cfg.BeforeCommit(updates[len(updates)-1].UpdateID); err != nil {
				return err
			}
		}
		return nil
	})
	settle(err == nil)
	return err
}

// handleOne runs the flows for u. A flow's failure or panic is recorded and
// apologised for, and the update still counts as handled: one bad update must
// never block the queue. Only a store failure is returned.
func (b *Bot) handleOne(tx *store.Tx, u tgbotapi.Update) error {
	ev, ok := toEvent(u, b.api.Self.UserName, tx.Now())
	if ok && b.admit(tx, ev) {
		herr := tx.Savepoint(func() error { return b.handler.Handle(tx, ev) })
		if herr != nil {
			b.log.Error("update failed", "update_id", u.UpdateID, "user", ev.UserID, "err", herr)
			payload, _ := json.Marshal(u)
			if err := tx.Savepoint(func() error {
				if err := tx.RecordFailedUpdate(u.UpdateID, payload, herr.Error()); err != nil {
					return err
				}
				return b.handler.Apologize(tx, ev)
			}); err != nil {
				b.log.Error("recording a failed update failed", "update_id", u.UpdateID, "err", err)
			}
		}
	}
	return tx.SetLastUpdateID(u.UpdateID)
}

// backoff is exponential with full jitter, capped.
type backoff struct {
	min, max, cur time.Duration
}

func newBackoff(min, max time.Duration) *backoff { return &backoff{min: min, max: max} }

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(b.cur*2, b.max)
	}
	// Half fixed, half random: spread restarts of many bots, never zero.
	return b.cur/2 + rand.N(b.cur/2+1)
}

func (b *backoff) reset() { b.cur = 0 }

// Sleep waits d or until ctx is done, and says which (the load test
// paces itself with it too).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
