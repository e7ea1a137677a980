package store

import (
	"fmt"
	"time"
)

// PendingCheckin is a check-in QR scanned by someone not registered yet, kept
// until an admin decides on them.
type PendingCheckin struct {
	UserID    int64
	MeetingID int64
	// ScannedAt is the scan message's own date (UTC).
	ScannedAt time.Time
}

// AddPendingCheckin remembers that user scanned meeting's code at scannedAt;
// a second scan of the same meeting keeps the first.
func (tx *Tx) AddPendingCheckin(user, meeting int64, scannedAt time.Time) error {
	if _, err := tx.Exec(`INSERT INTO pending_checkins (user_id, meeting_id, scanned_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, user, meeting, formatTime(scannedAt)); err != nil {
		return fmt.Errorf("pending check-in %d/%d: %w", meeting, user, err)
	}
	return nil
}

// TakePendingCheckins returns user's pending check-ins, oldest scan first, and
// forgets them.
func (tx *Tx) TakePendingCheckins(user int64) ([]PendingCheckin, error) {
	rows, err := tx.Query(`SELECT meeting_id, scanned_at FROM pending_checkins WHERE user_id = ?
		ORDER BY scanned_at, meeting_id`, user)
	if err != nil {
		return nil, fmt.Errorf("pending check-ins of %d: %w", user, err)
	}
	var out []PendingCheckin
	for rows.Next() {
		p := PendingCheckin{UserID: user}
		var at string
		if err := rows.Scan(&p.MeetingID, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("pending check-ins of %d: %w", user, err)
		}
		if p.ScannedAt, err = parseTime(at); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, fmt.Errorf("pending check-ins of %d: %w", user, err)
	}
	rows.Close()
	if _, err := tx.Exec(`DELETE FROM pending_checkins WHERE user_id = ?`, user); err != nil {
		return nil, fmt.Errorf("pending check-ins of %d: %w", user, err)
	}
	return out, nil
}
