package store

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// MarkReminder records that the reminder kind about subject went to user; it
// reports false, changing nothing, when it already had. Record and send in the
// same transaction, so a reminder is never sent twice nor lost.
func (tx *Tx) MarkReminder(kind, subject string, user int64) (bool, error) {
	res, err := tx.Exec(`INSERT INTO reminders_sent (kind, subject, user_id, sent_at) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, kind, subject, user, formatTime(tx.now))
	if err != nil {
		return false, fmt.Errorf("record reminder %s/%s/%d: %w", kind, subject, user, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record reminder %s/%s/%d: %w", kind, subject, user, err)
	}
	return n == 1, nil
}

// ReminderSent reports whether the reminder kind about subject went to user.
func (tx *Tx) ReminderSent(kind, subject string, user int64) (bool, error) {
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM reminders_sent WHERE kind = ? AND subject = ? AND user_id = ?`,
		kind, subject, user).Scan(&n); err != nil {
		return false, fmt.Errorf("read reminder %s/%s/%d: %w", kind, subject, user, err)
	}
	return n > 0, nil
}

// PlannedMeeting is a scheduled meeting with when it was created or last
// moved, so a reminder due before the invitation (or the notice of the move)
// went out is not sent after it.
type PlannedMeeting struct {
	Meeting
	PlannedAt time.Time
}

// MeetingsStarting lists the scheduled meetings starting in (from, to], soonest
// first.
func (tx *Tx) MeetingsStarting(from, to time.Time) ([]PlannedMeeting, error) {
	rows, err := tx.Query(`SELECT id, title, starts_at, ends_at, place, lat, lon, radius_m, checkin_lead_min,
		audience, note, code, status, created_by, COALESCE(moved_at, created_at) FROM meetings
		WHERE status = 'scheduled' AND starts_at > ? AND starts_at <= ? ORDER BY starts_at, id`,
		formatTime(from), formatTime(to))
	if err != nil {
		return nil, fmt.Errorf("meetings starting: %w", err)
	}
	defer rows.Close()
	var out []PlannedMeeting
	for rows.Next() {
		var pm PlannedMeeting
		var created string
		m := &pm.Meeting
		var starts, ends string
		var lead int
		if err := rows.Scan(&m.ID, &m.Title, &starts, &ends, &m.Place, &m.Lat, &m.Lon, &m.RadiusM, &lead,
			&m.Audience, &m.Note, &m.Code, &m.Status, &m.CreatedBy, &created); err != nil {
			return nil, fmt.Errorf("meetings starting: %w", err)
		}
		m.CheckinLead = time.Duration(lead) * time.Minute
		if m.StartsAt, err = parseTime(starts); err != nil {
			return nil, err
		}
		if m.EndsAt, err = parseTime(ends); err != nil {
			return nil, err
		}
		if pm.PlannedAt, err = parseTime(created); err != nil {
			return nil, err
		}
		out = append(out, pm)
	}
	return out, rows.Err()
}

// LastMeetingBefore returns the scheduled meeting that ended last at or before
// t, ok=false when none did.
func (tx *Tx) LastMeetingBefore(t time.Time) (Meeting, bool, error) {
	ms, err := tx.meetings(meetingSelect+` WHERE status = 'scheduled' AND ends_at <= ? ORDER BY ends_at DESC, id DESC
		LIMIT 1`, formatTime(t))
	if err != nil || len(ms) == 0 {
		return Meeting{}, false, err
	}
	return ms[0], true, nil
}

// MeetingsBetween lists the scheduled meetings starting in [from, to), soonest
// first.
func (tx *Tx) MeetingsBetween(from, to time.Time) ([]Meeting, error) {
	return tx.meetings(meetingSelect+` WHERE status = 'scheduled' AND starts_at >= ? AND starts_at < ?
		ORDER BY starts_at, id`, formatTime(from), formatTime(to))
}

// areaCond is the condition keeping rows whose column col is one of kecamatan;
// nil or a list holding "*" keeps every row.
func areaCond(col string, kecamatan []string) (string, []any) {
	if kecamatan == nil || slices.Contains(kecamatan, "*") {
		return "1=1", nil
	}
	args := make([]any, len(kecamatan))
	for i, k := range kecamatan {
		args[i] = k
	}
	return col + " IN (" + placeholders(len(kecamatan)) + ")", args
}

// CasesWaiting lists the cases in one of statuses, in kecamatan (nil or "*":
// everywhere), unchanged since before, oldest change first.
func (tx *Tx) CasesWaiting(statuses, kecamatan []string, before time.Time) ([]Case, error) {
	area, args := areaCond("kecamatan", kecamatan)
	args = append([]any{formatTime(before)}, args...)
	for _, s := range statuses {
		args = append(args, s)
	}
	return tx.listCases("list waiting cases", `updated_at <= ? AND `+area+` AND status IN (`+
		placeholders(len(statuses))+`) ORDER BY updated_at, id`, args...)
}

// IdleWorkers lists the active, reachable PSM and TKSK in kecamatan (nil or
// "*": everywhere) who reported no case since since, by name.
func (tx *Tx) IdleWorkers(kecamatan []string, since time.Time) ([]User, error) {
	area, args := areaCond("u.kecamatan", kecamatan)
	args = append([]any{formatTime(since)}, args...)
	rows, err := tx.Query(`SELECT u.id, u.first_name, u.username, u.language, u.role, u.status, u.unreachable,
		u.full_name, u.phone, u.kecamatan, u.kelurahan, u.covers FROM users u
		WHERE u.role IN ('psm', 'tksk') AND u.status = 'active'
		AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.reporter_id = u.id AND c.created_at > ?)
		AND `+area+` ORDER BY CASE u.full_name WHEN '' THEN u.first_name ELSE u.full_name END, u.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list idle workers: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list idle workers: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Staff lists the active, reachable coordinators and admins, by id.
func (tx *Tx) Staff() ([]User, error) {
	var out []User
	for _, role := range []string{RoleCoordinator, RoleAdmin} {
		us, err := tx.UsersWithRole(role)
		if err != nil {
			return nil, err
		}
		out = append(out, us...)
	}
	slices.SortFunc(out, func(a, b User) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
