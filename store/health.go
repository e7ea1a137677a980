package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Ping checks, for /healthz, that the writer connection is usable and that
// the database file answers a read through the read pool.
func (db *DB) Ping(ctx context.Context) error {
	// The writer first: it is what every update needs, and with its single
	// connection a ping also says whether a write could start within ctx.
	if err := db.db.PingContext(ctx); err != nil {
		return fmt.Errorf("database writer: %w", err)
	}
	var last int
	if err := db.ro.QueryRowContext(ctx, `SELECT last_update_id FROM poll_state WHERE id = 1`).Scan(&last); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	return nil
}

// OutboxBacklog returns how many outbox rows are pending and when the oldest
// of them was enqueued (zero when none is pending).
func (db *DB) OutboxBacklog() (pending int, oldest time.Time, err error) {
	var first sql.NullString
	if err := db.ro.QueryRow(`SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending'`).Scan(&pending, &first); err != nil {
		return 0, time.Time{}, fmt.Errorf("outbox backlog: %w", err)
	}
	if first.Valid {
		if oldest, err = parseTime(first.String); err != nil {
			return 0, time.Time{}, fmt.Errorf("outbox backlog: %w", err)
		}
	}
	return pending, oldest, nil
}

// StuckChat is a chat whose messages wait behind a row that keeps failing.
type StuckChat struct {
	ChatID int64
	// Kind, HTTPStatus, Error and Attempts are the failing row's: what it
	// is, what its last attempt got, how often it was tried.
	Kind       Kind
	HTTPStatus int
	Error      string
	Attempts   int
	// FailingSince is when the row first failed (store clock).
	FailingSince time.Time
	// Waiting counts the chat's pending rows, the failing one included.
	Waiting int
}

// Delivery is the outbox as /healthz judges it.
type Delivery struct {
	Pending int
	// Oldest is when the oldest pending row was enqueued; OldestUrgent the
	// same for replies and notices (broadcasts drain over minutes by design,
	// and cosmetic rows hold nobody back). Zero when none.
	Oldest, OldestUrgent time.Time
	// Stuck lists the chats whose head row has been failing for stuckAfter
	// or longer (cosmetic rows aside), the longest-failing first, at most
	// maxStuck of them.
	Stuck []StuckChat
}

// maxStuck bounds the stuck chats Delivery lists.
const maxStuck = 50

// Delivery reads the outbox's health at the store clock's reading.
func (db *DB) Delivery(stuckAfter time.Duration) (Delivery, error) {
	var d Delivery
	var oldest, urgent sql.NullString
	if err := db.ro.QueryRow(`SELECT COUNT(*), MIN(created_at),
		MIN(CASE WHEN priority < ? AND kind NOT IN `+cosmeticKinds+` THEN created_at END)
		FROM outbox WHERE status = 'pending'`, PriorityBroadcast).Scan(&d.Pending, &oldest, &urgent); err != nil {
		return Delivery{}, fmt.Errorf("outbox delivery: %w", err)
	}
	for _, t := range []struct {
		s   sql.NullString
		dst *time.Time
	}{{oldest, &d.Oldest}, {urgent, &d.OldestUrgent}} {
		if t.s.Valid {
			v, err := parseTime(t.s.String)
			if err != nil {
				return Delivery{}, fmt.Errorf("outbox delivery: %w", err)
			}
			*t.dst = v
		}
	}
	cutoff := db.now().Add(-stuckAfter).UnixMilli()
	rows, err := db.ro.Query(`SELECT o.chat_id, o.kind, o.http_status, o.error, o.attempts, o.failing_since,
		(SELECT COUNT(*) FROM outbox w WHERE w.status = 'pending' AND w.chat_id = o.chat_id)
		FROM outbox o WHERE o.status = 'pending' AND o.failing_since > 0 AND o.failing_since <= ?
		AND o.kind NOT IN `+cosmeticKinds+` ORDER BY o.failing_since, o.id LIMIT ?`, cutoff, 4*maxStuck)
	if err != nil {
		return Delivery{}, fmt.Errorf("outbox stuck chats: %w", err)
	}
	defer rows.Close()
	seen := map[int64]bool{}
	for rows.Next() {
		var c StuckChat
		var since int64
		if err := rows.Scan(&c.ChatID, &c.Kind, &c.HTTPStatus, &c.Error, &c.Attempts, &since, &c.Waiting); err != nil {
			return Delivery{}, fmt.Errorf("outbox stuck chats: %w", err)
		}
		if seen[c.ChatID] || len(d.Stuck) == maxStuck {
			continue
		}
		seen[c.ChatID] = true
		c.FailingSince = time.UnixMilli(since).UTC()
		d.Stuck = append(d.Stuck, c)
	}
	if err := rows.Err(); err != nil {
		return Delivery{}, fmt.Errorf("outbox stuck chats: %w", err)
	}
	return d, nil
}
