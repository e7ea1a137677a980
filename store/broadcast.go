package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Broadcast statuses.
const (
	BroadcastDraft     = "draft"
	BroadcastRunning   = "running"
	BroadcastDone      = "done"
	BroadcastCancelled = "cancelled"
)

// Broadcast is a message to many workers at once, sent through the outbox at
// PriorityBroadcast.
type Broadcast struct {
	ID        int64
	CreatedBy int64
	ChatID    int64 // where its preview and progress are shown
	Audience  string
	Kecamatan []string
	Text      string // HTML, exactly as sent; the caption of a photo
	// FileID, when set, makes the broadcast a photo: its Telegram file_id,
	// sent to every recipient by id, with Text as the caption.
	FileID string
	Status string
	// ProgressRef is the outbox row of the progress message; Shown is what it
	// last showed.
	ProgressRef int64
	Shown       string
	CreatedAt   time.Time
	StartedAt   time.Time // zero while a draft
}

// AddBroadcast stores b as a draft and returns its id.
func (tx *Tx) AddBroadcast(b Broadcast) (int64, error) {
	res, err := tx.Exec(`INSERT INTO broadcasts (created_by, chat_id, audience, kecamatan, text, file_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, b.CreatedBy, b.ChatID, b.Audience, strings.Join(b.Kecamatan, ","), b.Text,
		b.FileID, formatTime(tx.now))
	if err != nil {
		return 0, fmt.Errorf("add broadcast: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add broadcast: %w", err)
	}
	return id, nil
}

const broadcastSelect = `SELECT id, created_by, chat_id, audience, kecamatan, text, file_id, status, progress_ref, shown,
	created_at, COALESCE(started_at, '') FROM broadcasts`

func scanBroadcast(row scanner) (Broadcast, error) {
	var b Broadcast
	var kec, created, started string
	if err := row.Scan(&b.ID, &b.CreatedBy, &b.ChatID, &b.Audience, &kec, &b.Text, &b.FileID, &b.Status, &b.ProgressRef,
		&b.Shown, &created, &started); err != nil {
		return Broadcast{}, err
	}
	b.Kecamatan = splitCovers(kec)
	var err error
	if b.CreatedAt, err = parseTime(created); err != nil {
		return Broadcast{}, err
	}
	if started != "" {
		if b.StartedAt, err = parseTime(started); err != nil {
			return Broadcast{}, err
		}
	}
	return b, nil
}

// GetBroadcast returns broadcast id, ok=false when there is none.
func (tx *Tx) GetBroadcast(id int64) (Broadcast, bool, error) {
	b, err := scanBroadcast(tx.QueryRow(broadcastSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Broadcast{}, false, nil
	}
	if err != nil {
		return Broadcast{}, false, fmt.Errorf("get broadcast %d: %w", id, err)
	}
	return b, true, nil
}

// RunningBroadcasts lists the broadcasts still being sent, oldest first.
func (tx *Tx) RunningBroadcasts() ([]Broadcast, error) {
	rows, err := tx.Query(broadcastSelect + ` WHERE status = 'running' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list running broadcasts: %w", err)
	}
	defer rows.Close()
	var out []Broadcast
	for rows.Next() {
		b, err := scanBroadcast(rows)
		if err != nil {
			return nil, fmt.Errorf("list running broadcasts: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// SetBroadcastStatus moves broadcast id from status from to to. It reports
// false, changing nothing, when it was no longer in from (a double press).
// Moving to running records the start, to done the end.
func (tx *Tx) SetBroadcastStatus(id int64, from, to string) (bool, error) {
	now := formatTime(tx.now)
	res, err := tx.Exec(`UPDATE broadcasts SET status = ?,
		started_at = CASE WHEN ? = 'running' THEN ? ELSE started_at END,
		finished_at = CASE WHEN ? IN ('done', 'cancelled') THEN ? ELSE finished_at END
		WHERE id = ? AND status = ?`, to, to, now, to, now, id, from)
	if err != nil {
		return false, fmt.Errorf("set status of broadcast %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("set status of broadcast %d: %w", id, err)
	}
	return n == 1, nil
}

// SetBroadcastProgress records the progress message's outbox row and what it shows.
func (tx *Tx) SetBroadcastProgress(id, ref int64, shown string) error {
	if _, err := tx.Exec(`UPDATE broadcasts SET progress_ref = ?, shown = ? WHERE id = ?`, ref, shown, id); err != nil {
		return fmt.Errorf("set progress of broadcast %d: %w", id, err)
	}
	return nil
}

// AddBroadcastMessage records that user gets broadcast id through outbox row
// outboxID (0: not sent, the user was unreachable).
func (tx *Tx) AddBroadcastMessage(id, user, outboxID int64) error {
	if _, err := tx.Exec(`INSERT OR IGNORE INTO broadcast_messages (broadcast_id, user_id, outbox_id) VALUES (?, ?, ?)`,
		id, user, outboxID); err != nil {
		return fmt.Errorf("add message of broadcast %d: %w", id, err)
	}
	return nil
}

// BroadcastCounts is where a broadcast's messages are.
type BroadcastCounts struct {
	Total   int
	Sent    int
	Failed  int // Telegram refused (blocked the bot, deactivated)
	Skipped int // unreachable before it started: not sent
	Pending int
	// FirstSent and LastSent bound the sends so far (for the rate).
	FirstSent, LastSent time.Time
}

// Left is how many messages are still to go.
func (c BroadcastCounts) Left() int { return c.Pending }

// BroadcastCounts reads the delivery state of broadcast id from its outbox rows.
func (tx *Tx) BroadcastCounts(id int64) (BroadcastCounts, error) {
	var c BroadcastCounts
	var first, last string
	err := tx.QueryRow(`SELECT COUNT(*),
		COALESCE(SUM(o.status = 'sent'), 0), COALESCE(SUM(o.status = 'failed'), 0),
		COALESCE(SUM(m.outbox_id = 0), 0), COALESCE(SUM(o.status = 'pending'), 0),
		COALESCE(MIN(o.sent_at), ''), COALESCE(MAX(o.sent_at), '')
		FROM broadcast_messages m LEFT JOIN outbox o ON o.id = m.outbox_id WHERE m.broadcast_id = ?`, id).
		Scan(&c.Total, &c.Sent, &c.Failed, &c.Skipped, &c.Pending, &first, &last)
	if err != nil {
		return c, fmt.Errorf("count messages of broadcast %d: %w", id, err)
	}
	if first != "" {
		if c.FirstSent, err = parseTime(first); err != nil {
			return c, err
		}
		if c.LastSent, err = parseTime(last); err != nil {
			return c, err
		}
	}
	return c, nil
}

// BroadcastUnreached lists the users broadcast id did not reach (refused by
// Telegram, or unreachable before it started), by id.
func (tx *Tx) BroadcastUnreached(id int64) ([]User, error) {
	rows, err := tx.Query(`SELECT u.id, u.first_name, u.username, u.language, u.role, u.status, u.unreachable,
		u.full_name, u.phone, u.kecamatan, u.kelurahan, u.covers
		FROM broadcast_messages m JOIN users u ON u.id = m.user_id LEFT JOIN outbox o ON o.id = m.outbox_id
		WHERE m.broadcast_id = ? AND (m.outbox_id = 0 OR o.status = 'failed') ORDER BY u.id`, id)
	if err != nil {
		return nil, fmt.Errorf("list unreached of broadcast %d: %w", id, err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list unreached of broadcast %d: %w", id, err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
