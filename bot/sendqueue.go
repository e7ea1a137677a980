package bot

import (
	"slices"
	"time"

	"golang.org/x/time/rate"

	"dinsosbot/store"
)

// chatState is what the sender knows of one chat between sends.
type chatState struct {
	limiter    *rate.Limiter
	cooldown   time.Time // after a 429 for this chat
	inflightID int64     // the row being sent, 0 when none
	cosmeticID int64     // the cosmetic row being sent, 0 when none
}

// sendQueue is the sender's view of the pending outbox: rows not in flight, in
// send order (priority, then id), and what it knows of each chat.
type sendQueue struct {
	rows       []store.OutboxRow
	chats      map[int64]*chatState
	newLimiter func(chat int64) *rate.Limiter
	// cursors are the highest row ids read of urgent (replies, notices) and
	// bulk (broadcast) rows; they are read apart so that a broadcast filling
	// the window never keeps a reply waiting.
	urgentCursor, bulkCursor int64
	inflight                 int
	cosmetic                 int  // cosmetic rows in flight (counted in inflight too)
	taken                    int  // rows dispatched but still in rows (ID 0)
	more                     bool // the last bulk read was cut at the window
}

// load reads pending rows: all of them (full) or those enqueued since the last
// read. Urgent rows are always read; bulk rows fill what is left of the window.
func (q *sendQueue) load(db *store.DB, full bool) error {
	q.compact()
	if full {
		q.rows, q.urgentCursor, q.bulkCursor = q.rows[:0], 0, 0
	}
	urgent, err := db.PendingOutboxAfter(q.urgentCursor, fetchWindow, false)
	if err != nil {
		return err
	}
	q.add(urgent, &q.urgentCursor)
	room := max(0, fetchWindow-len(q.rows))
	q.more = false
	if room > 0 {
		bulk, err := db.PendingOutboxAfter(q.bulkCursor, room, true)
		if err != nil {
			return err
		}
		q.more = len(bulk) == room
		q.add(bulk, &q.bulkCursor)
	} else {
		q.more = true
	}
	// Replies before broadcasts; the sort is stable, so id order holds within a
	// priority and within a chat.
	slices.SortStableFunc(q.rows, func(a, b store.OutboxRow) int { return a.Message.Priority - b.Message.Priority })
	return nil
}

func (q *sendQueue) add(rows []store.OutboxRow, cursor *int64) {
	for _, r := range rows {
		*cursor = r.ID
		if c := q.chats[r.Message.ChatID]; c != nil && (c.inflightID == r.ID || c.cosmeticID == r.ID) {
			continue
		}
		q.rows = append(q.rows, r)
	}
}

// dispatch hands the head row of every chat that may send now to send, up to
// workers in flight, and returns when the next held-back row becomes due.
func (q *sendQueue) dispatch(now time.Time, workers int, send func(job)) (nextAt time.Time) {
	if q.inflight == workers {
		// A finishing send wakes the loop; nothing can go before that.
		return time.Time{}
	}
	blocked := map[int64]bool{}
	// Cosmetic rows (menus, chat actions) go in a lane of their own: never
	// behind or ahead of a chat's messages, at most cosmeticLane at a time
	// so a failing menu cannot take the workers, each chat's in order so an
	// older menu never lands after a newer one.
	cosmeticBlocked := map[int64]bool{}
	for i := range q.rows {
		if q.inflight == workers {
			break
		}
		r := &q.rows[i]
		if r.ID == 0 {
			continue // taken earlier
		}
		chat := r.Message.ChatID
		c := q.chats[chat]
		if c == nil {
			c = &chatState{limiter: q.newLimiter(chat)}
			q.chats[chat] = c
		}
		if r.Message.Kind.Cosmetic() {
			if q.cosmetic >= cosmeticLane || cosmeticBlocked[chat] || c.cosmeticID != 0 {
				cosmeticBlocked[chat] = true
				continue
			}
			cosmeticBlocked[chat] = true
			if r.NotBefore.After(now) {
				nextAt = earliest(nextAt, r.NotBefore)
				continue
			}
			c.cosmeticID = r.ID
			q.cosmetic++
			q.take(r, send)
			continue
		}
		if blocked[chat] || c.inflightID != 0 {
			blocked[chat] = true
			continue
		}
		if wait := later(r.NotBefore, c.cooldown); wait.After(now) {
			blocked[chat] = true
			nextAt = earliest(nextAt, wait)
			continue
		}
		// The chat's own limit is taken here, not waited for in a worker: a
		// worker blocked on one chat's 1/s would leave the global rate unused
		// while other chats wait.
		if counted(r.Message.Kind) {
			res := c.limiter.ReserveN(now, 1)
			if d := res.DelayFrom(now); d > 0 {
				res.CancelAt(now)
				blocked[chat] = true
				nextAt = earliest(nextAt, now.Add(d))
				continue
			}
		}
		c.inflightID = r.ID
		blocked[chat] = true
		q.take(r, send)
	}
	if q.taken > len(q.rows)/2 {
		q.compact()
	}
	return nextAt
}

// cosmeticLane is how many cosmetic rows may be in flight at once.
const cosmeticLane = 1

// take hands r to send and leaves a tombstone in its place.
func (q *sendQueue) take(r *store.OutboxRow, send func(job)) {
	q.inflight++
	send(job{row: *r})
	// Taken rows become tombstones, removed in bulk by dispatch: removing
	// each at once copied the rest of a long broadcast after every send.
	r.ID = 0
	q.taken++
}

// pending is the number of rows not yet dispatched.
func (q *sendQueue) pending() int { return len(q.rows) - q.taken }

// compact drops the taken rows, keeping the order of the rest.
func (q *sendQueue) compact() {
	kept := q.rows[:0]
	for _, r := range q.rows {
		if r.ID != 0 {
			kept = append(kept, r)
		}
	}
	clear(q.rows[len(kept):]) // let the GC have the payloads and files
	q.rows, q.taken = kept, 0
}

// done records that a send finished.
func (q *sendQueue) done(res result) {
	q.inflight--
	c := q.chats[res.row.Message.ChatID]
	if res.row.Message.Kind.Cosmetic() {
		// A refused menu says nothing about the chat's messages: no cooldown.
		c.cosmeticID = 0
		q.cosmetic--
	} else {
		c.inflightID = 0
		if res.flood > 0 {
			c.cooldown = time.Now().Add(res.flood)
		}
	}
	if len(q.chats) > 10000 {
		pruneChats(q.chats)
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(cur, t time.Time) time.Time {
	if cur.IsZero() || t.Before(cur) {
		return t
	}
	return cur
}

// pruneChats forgets idle chats so a city-wide broadcast does not keep ten
// thousand limiters alive.
func pruneChats(chats map[int64]*chatState) {
	now := time.Now()
	for id, c := range chats {
		// A limiter with tokens spent must stay, or a new one would grant a
		// fresh burst.
		if c.inflightID == 0 && c.cosmeticID == 0 && c.cooldown.Before(now) && c.limiter.TokensAt(now) >= float64(c.limiter.Burst()) {
			delete(chats, id)
		}
	}
}
