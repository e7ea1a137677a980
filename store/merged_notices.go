package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MergedNotice is the one message that stands for the case notices of a
// reviewer's chat while that chat is backed up (issue 13).
type MergedNotice struct {
	ChatID int64
	// OutboxID is the merged message's row; edits name it in EditOf.
	OutboxID int64
	// LastRow is the newest row showing the message: the message itself or
	// its latest edit. At most one of them waits at a time.
	LastRow int64
	// Merged counts the cases merged into the message.
	Merged int
	// Shown is the text LastRow shows.
	Shown     string
	CreatedAt time.Time
	// UpdatedAt is when a case was last merged into it.
	UpdatedAt time.Time
}

const mergedCols = `chat_id, outbox_id, last_row, merged, shown, created_at, updated_at`

func scanMerged(s interface{ Scan(...any) error }) (MergedNotice, error) {
	var m MergedNotice
	var created, updated string
	if err := s.Scan(&m.ChatID, &m.OutboxID, &m.LastRow, &m.Merged, &m.Shown, &created, &updated); err != nil {
		return MergedNotice{}, err
	}
	var err error
	if m.CreatedAt, err = parseTime(created); err != nil {
		return MergedNotice{}, err
	}
	if m.UpdatedAt, err = parseTime(updated); err != nil {
		return MergedNotice{}, err
	}
	return m, nil
}

// MergedNotice is chat's open merged notice, if any.
func (tx *Tx) MergedNotice(chat int64) (MergedNotice, bool, error) {
	m, err := scanMerged(tx.QueryRow(`SELECT `+mergedCols+` FROM merged_notices WHERE chat_id = ?`, chat))
	if errors.Is(err, sql.ErrNoRows) {
		return MergedNotice{}, false, nil
	}
	if err != nil {
		return MergedNotice{}, false, fmt.Errorf("read merged notice of %d: %w", chat, err)
	}
	return m, true, nil
}

// MergedNotices lists every open merged notice, by chat.
func (tx *Tx) MergedNotices() ([]MergedNotice, error) {
	rows, err := tx.Query(`SELECT ` + mergedCols + ` FROM merged_notices ORDER BY chat_id`)
	if err != nil {
		return nil, fmt.Errorf("list merged notices: %w", err)
	}
	defer rows.Close()
	var out []MergedNotice
	for rows.Next() {
		m, err := scanMerged(rows)
		if err != nil {
			return nil, fmt.Errorf("list merged notices: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list merged notices: %w", err)
	}
	return out, nil
}

// SaveMergedNotice stores m as its chat's open merged notice; a zero
// CreatedAt or UpdatedAt is now.
func (tx *Tx) SaveMergedNotice(m MergedNotice) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = tx.now
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = tx.now
	}
	if _, err := tx.Exec(`INSERT INTO merged_notices (`+mergedCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (chat_id) DO UPDATE SET outbox_id = excluded.outbox_id, last_row = excluded.last_row,
		merged = excluded.merged, shown = excluded.shown, created_at = excluded.created_at,
		updated_at = excluded.updated_at`,
		m.ChatID, m.OutboxID, m.LastRow, m.Merged, m.Shown, formatTime(m.CreatedAt), formatTime(m.UpdatedAt)); err != nil {
		return fmt.Errorf("save merged notice of %d: %w", m.ChatID, err)
	}
	return nil
}

// CloseMergedNotice forgets chat's merged notice: its message stays in the
// chat as it is, and the chat's next case has a notice of its own.
func (tx *Tx) CloseMergedNotice(chat int64) error {
	if _, err := tx.Exec(`DELETE FROM merged_notices WHERE chat_id = ?`, chat); err != nil {
		return fmt.Errorf("close merged notice of %d: %w", chat, err)
	}
	return nil
}
