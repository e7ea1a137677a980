package lease

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Keeper holds a lease for a serving machine.
type Keeper struct {
	Leaser Leaser
	// Every is the time between renewals; the TTL should be three of them
	// or more, so two renewals may fail before the lease is in danger.
	Every time.Duration
	// Margin is how long before the expiry a holder that could not renew
	// gives up: it must have stopped sending before a standby may take over.
	Margin time.Duration
	Log    *slog.Logger
	Now    func() time.Time // nil: time.Now
}

// retryEvery bounds the pause between two tries of a failed renewal.
const retryEvery = 500 * time.Millisecond

// Keep renews l until ctx ends, then releases it and returns nil; or until
// the lease is lost (taken by another machine, or not renewed by Margin
// before its expiry), and then returns why, at once: the caller must stop
// serving.
func (k Keeper) Keep(ctx context.Context, l *Lease) error {
	now := k.Now
	if now == nil {
		now = time.Now
	}
	wait := k.Every
	var lastErr error
	for {
		giveUp := l.ExpiresAt.Add(-k.Margin)
		if !now().Before(giveUp) {
			return fmt.Errorf("lease generation %d not renewed %v before its expiry: %w", l.Generation, k.Margin, lastErr)
		}
		t := time.NewTimer(min(wait, giveUp.Sub(now())))
		select {
		case <-ctx.Done():
			t.Stop()
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := k.Leaser.Release(rctx, l); err != nil {
				k.Log.Warn("lease: release failed; the standby waits for its expiry", "generation", l.Generation, "err", err)
			}
			return nil
		case <-t.C:
		}
		if !now().Before(giveUp) {
			continue // the loop's check says why
		}
		rctx, cancel := context.WithDeadline(ctx, giveUp)
		next, err := k.Leaser.Renew(rctx, l)
		cancel()
		switch {
		case err == nil:
			l, lastErr, wait = next, nil, k.Every
		case errors.Is(err, ErrLost):
			return fmt.Errorf("lease generation %d: %w", l.Generation, err)
		case ctx.Err() != nil:
			// Ending: the loop releases.
		default:
			lastErr, wait = err, min(retryEvery, k.Every)
			k.Log.Warn("lease: renewal failed; retrying", "generation", l.Generation, "expires_at", l.ExpiresAt, "err", err)
		}
	}
}

// Take waits until the lease is free and takes it, trying every poll; in
// between it calls between (the standby keeps its copy warm there), whose
// error ends the wait. A storage error is logged and tried again: the
// standby waits out an outage of the replica's storage.
func Take(ctx context.Context, lsr Leaser, poll time.Duration, log *slog.Logger, between func(context.Context) error) (*Lease, error) {
	for {
		l, err := lsr.Acquire(ctx)
		if err == nil {
			return l, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if held := (*ErrHeld)(nil); !errors.As(err, &held) {
			log.Warn("lease: could not read or take the lease; trying again", "err", err)
		}
		if between != nil {
			if err := between(ctx); err != nil {
				return nil, err
			}
		}
		t := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}
