package bot

import (
	"time"

	"golang.org/x/time/rate"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// FloodLimits is the per-user flood control: how fast one person's updates are
// handled before the rest are dropped. A person filling a form answers far
// slower; a stuck key, a script or a hostile client does not, and without a
// limit their thousands of updates would each cost a transaction and a reply
// while everyone else waits in the same queue.
type FloodLimits struct {
	// PerMinute is the sustained rate of updates handled per user; default 60.
	PerMinute float64
	// Burst is how many updates a user may send at once (an album of photos,
	// quick button presses); default 30.
	Burst int
	// Off disables flood control (benchmarks that replay traffic from few
	// users).
	Off bool
}

// throttler is implemented by handlers that tell a flooding user to slow down.
// The runtime calls Throttled once per flood episode, for the first update it
// drops, inside the batch's transaction; *flows.App implements it.
type throttler interface {
	Throttled(tx *store.Tx, ev flows.Event) error
}

// floodGate keeps one token bucket per user. Only the poller goroutine uses
// it, so it needs no lock. Time is the real clock, not the store's: a frozen
// test clock must not starve users.
type floodGate struct {
	limit rate.Limit
	burst int
	users map[int64]*floodState
	calls int
}

type floodState struct {
	lim       *rate.Limiter
	throttled bool // the user was told to slow down and has not been admitted since
}

// floodPruneEvery is how many admissions pass between sweeps of users whose
// bucket has refilled, which keeps the map as small as the set of recently
// active users.
const floodPruneEvery = 4096

func newFloodGate(l FloodLimits) *floodGate {
	if l.Off {
		return nil
	}
	if l.PerMinute <= 0 {
		l.PerMinute = 60
	}
	if l.Burst <= 0 {
		l.Burst = 30
	}
	return &floodGate{limit: rate.Limit(l.PerMinute / 60), burst: l.Burst, users: map[int64]*floodState{}}
}

// admit reports whether user's update at now may be handled; first is true for
// the first refused update of a flood episode (an episode ends when an update
// is admitted again).
func (g *floodGate) admit(user int64, now time.Time) (ok, first bool) {
	g.calls++
	if g.calls%floodPruneEvery == 0 {
		g.prune(now)
	}
	st := g.users[user]
	if st == nil {
		st = &floodState{lim: rate.NewLimiter(g.limit, g.burst)}
		g.users[user] = st
	}
	if st.lim.AllowN(now, 1) {
		st.throttled = false
		return true, false
	}
	first = !st.throttled
	st.throttled = true
	return false, first
}

// prune forgets users whose bucket is full again: a new bucket is the same.
func (g *floodGate) prune(now time.Time) {
	for id, st := range g.users {
		if !st.throttled && st.lim.TokensAt(now) >= float64(g.burst) {
			delete(g.users, id)
		}
	}
}

// admit applies flood control to ev inside tx: it returns false when the
// update must be dropped (it still counts as handled). The first dropped
// update of an episode is logged and answered through the handler's
// Throttled, in its own savepoint so a failure there drops nothing else.
func (b *Bot) admit(tx *store.Tx, ev flows.Event) bool {
	if b.flood == nil || ev.UserID == 0 || ev.Kind == flows.EventMember {
		return true
	}
	ok, first := b.flood.admit(ev.UserID, time.Now())
	if ok {
		return true
	}
	if first {
		b.log.Warn("flood control: dropping updates from a user until they slow down",
			"user", ev.UserID, "update_id", ev.UpdateID)
		if t, ok := b.handler.(throttler); ok {
			if err := tx.Savepoint(func() error { return t.Throttled(tx, ev) }); err != nil {
				b.log.Error("telling a flooding user to slow down failed", "user", ev.UserID, "err", err)
			}
		}
	}
	return false
}
