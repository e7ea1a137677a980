package store

import (
	"context"
	"fmt"
	"regexp"
)

// LastUpdateID is the highest update_id whose effects are committed; polling
// resumes at LastUpdateID+1.
func (db *DB) LastUpdateID(ctx context.Context) (int, error) {
	var id int
	if err := db.db.QueryRowContext(ctx, `SELECT last_update_id FROM poll_state WHERE id = 1`).Scan(&id); err != nil {
		return 0, fmt.Errorf("read poll offset: %w", err)
	}
	return id, nil
}

// SetLastUpdateID records update id as handled, in the same transaction as its
// effects. It never moves backwards.
func (tx *Tx) SetLastUpdateID(id int) error {
	if _, err := tx.Exec(`UPDATE poll_state SET last_update_id = MAX(last_update_id, ?) WHERE id = 1`, id); err != nil {
		return fmt.Errorf("record update %d: %w", id, err)
	}
	return nil
}

// RecordFailedUpdate keeps an update whose handling failed, with the error, so it
// can be looked at later while polling goes on. A NIK typed at the NIK step
// must not outlive the case it was typed for, so 16-digit numbers are masked
// in both; the rest stays for debugging.
func (tx *Tx) RecordFailedUpdate(id int, payload []byte, cause string) error {
	if _, err := tx.Exec(`INSERT OR REPLACE INTO failed_updates (update_id, payload, error, created_at)
		VALUES (?, ?, ?, ?)`, id, maskNIKs(string(payload)), maskNIKs(cause), formatTime(tx.now)); err != nil {
		return fmt.Errorf("record failed update %d: %w", id, err)
	}
	return nil
}

// digitRun is a run of digits, possibly grouped by single spaces, dots or
// dashes, as people type a NIK ("1571 0152 0590 0003").
var digitRun = regexp.MustCompile(`[0-9](?:[ .\-]?[0-9])*`)

// maskNIKs masks every run of 16 or more digits in s (a NIK or a family card
// number, however grouped) as flows/nik.Mask shows a NIK: the first and last
// four digits kept, the rest starred. Shorter numbers (phone numbers, ids,
// dates) stay. A JSON number is never joined to the next one: a comma or
// quote stands between them.
func maskNIKs(s string) string {
	return digitRun.ReplaceAllStringFunc(s, func(run string) string {
		n := 0
		for _, r := range run {
			if r >= '0' && r <= '9' {
				n++
			}
		}
		if n < 16 {
			return run
		}
		b := []byte(run)
		seen := 0
		for i, c := range b {
			if c >= '0' && c <= '9' {
				if seen >= 4 && seen < n-4 {
					b[i] = '*'
				}
				seen++
			}
		}
		return string(b)
	})
}

// FailedUpdate is an update whose handling failed.
type FailedUpdate struct {
	UpdateID int
	Error    string
}

// FailedUpdates lists recorded failed updates, oldest first.
func (db *DB) FailedUpdates(ctx context.Context) ([]FailedUpdate, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT update_id, error FROM failed_updates ORDER BY update_id`)
	if err != nil {
		return nil, fmt.Errorf("list failed updates: %w", err)
	}
	defer rows.Close()
	var out []FailedUpdate
	for rows.Next() {
		var f FailedUpdate
		if err := rows.Scan(&f.UpdateID, &f.Error); err != nil {
			return nil, fmt.Errorf("list failed updates: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
