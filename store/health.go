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
