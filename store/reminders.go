package store

import (
	"cmp"
	"database/sql"
	"errors"
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

// MeetingAnswers is a meeting with its invitees' answers so far, counted among
// the people of an area.
type MeetingAnswers struct {
	Meeting
	Yes, No, None int
}

// meetingCols are meetingSelect's columns for a query over meetings m.
const meetingCols = `m.id, m.title, m.starts_at, m.ends_at, m.place, m.lat, m.lon, m.radius_m, m.checkin_lead_min,
	m.audience, m.note, m.code, m.status, m.created_by`

// tailScanner lets scanMeeting read a row with more columns after the
// meeting's: they go to tail.
type tailScanner struct {
	row  scanner
	tail []any
}

func (s tailScanner) Scan(dest ...any) error { return s.row.Scan(append(dest, s.tail...)...) }

// UpcomingAnswers lists the scheduled meetings starting in [from, to), soonest
// first, that invite someone living in kecamatan (nil or "*": every meeting),
// with the answers of those invitees only: a coordinator sees their area's
// meetings and how their own workers answered.
func (tx *Tx) UpcomingAnswers(kecamatan []string, from, to time.Time) ([]MeetingAnswers, error) {
	area, args := areaCond("u.kecamatan", kecamatan)
	all := kecamatan == nil || slices.Contains(kecamatan, "*")
	// The area is tested in the users join, so u.id is NULL for an invitee
	// outside it. Grouping by starts_at too (id alone is unique) lets the plan
	// walk meetings_starts for the period, in order, then each meeting's
	// invitations and their users by primary key; by id alone it scans every
	// meeting ever held.
	args = append(args, formatTime(from), formatTime(to), all)
	rows, err := tx.Query(`SELECT `+meetingCols+`, COUNT(u.id),
			COALESCE(SUM(u.id IS NOT NULL AND i.rsvp = 'yes'), 0), COALESCE(SUM(u.id IS NOT NULL AND i.rsvp = 'no'), 0)
		FROM meetings m
		LEFT JOIN meeting_invitations i ON i.meeting_id = m.id
		LEFT JOIN users u ON u.id = i.user_id AND `+area+`
		WHERE m.status = 'scheduled' AND m.starts_at >= ? AND m.starts_at < ?
		GROUP BY m.starts_at, m.id HAVING ? OR COUNT(u.id) > 0
		ORDER BY m.starts_at, m.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("upcoming meetings' answers: %w", err)
	}
	defer rows.Close()
	var out []MeetingAnswers
	for rows.Next() {
		var ma MeetingAnswers
		var invited int
		if ma.Meeting, err = scanMeeting(tailScanner{rows, []any{&invited, &ma.Yes, &ma.No}}); err != nil {
			return nil, fmt.Errorf("upcoming meetings' answers: %w", err)
		}
		ma.None = invited - ma.Yes - ma.No
		out = append(out, ma)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("upcoming meetings' answers: %w", err)
	}
	return out, nil
}

// MeetingTurnout is a past meeting with, among the people of an area, how many
// were invited and how many came by role (walk-ins too).
type MeetingTurnout struct {
	Meeting
	Invited int
	Present map[string]int
}

// LastTurnout returns the last scheduled meeting over by t (the one that
// started last among those ended at or before t) that invited or saw someone
// living in kecamatan (nil or "*": any meeting), with its turnout among them;
// ok=false when there is none.
func (tx *Tx) LastTurnout(kecamatan []string, t time.Time) (MeetingTurnout, bool, error) {
	area, areaArgs := areaCond("u.kecamatan", kecamatan)
	all := kecamatan == nil || slices.Contains(kecamatan, "*")
	// By starts_at, not ends_at: meetings_starts is walked backwards from t
	// and the first meeting of the area ends the walk, where ordering by
	// ends_at would test every past meeting and sort them.
	args := append([]any{formatTime(t), formatTime(t), all}, areaArgs...)
	args = append(args, areaArgs...)
	m, err := scanMeeting(tx.QueryRow(meetingSelect+` WHERE status = 'scheduled' AND starts_at <= ? AND ends_at <= ?
		AND (? OR EXISTS (SELECT 1 FROM meeting_invitations i JOIN users u ON u.id = i.user_id
				WHERE i.meeting_id = meetings.id AND `+area+`)
			OR EXISTS (SELECT 1 FROM meeting_attendance a JOIN users u ON u.id = a.user_id
				WHERE a.meeting_id = meetings.id AND `+area+`))
		ORDER BY starts_at DESC, id DESC LIMIT 1`, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return MeetingTurnout{}, false, nil
	}
	if err != nil {
		return MeetingTurnout{}, false, fmt.Errorf("last meeting: %w", err)
	}
	mt := MeetingTurnout{Meeting: m, Present: map[string]int{}}
	if err := tx.QueryRow(`SELECT COUNT(*) FROM meeting_invitations i JOIN users u ON u.id = i.user_id
		WHERE i.meeting_id = ? AND `+area, append([]any{m.ID}, areaArgs...)...).Scan(&mt.Invited); err != nil {
		return MeetingTurnout{}, false, fmt.Errorf("invitees of meeting %d: %w", m.ID, err)
	}
	rows, err := tx.Query(`SELECT u.role, COUNT(*) FROM meeting_attendance a JOIN users u ON u.id = a.user_id
		WHERE a.meeting_id = ? AND `+area+` GROUP BY u.role`, append([]any{m.ID}, areaArgs...)...)
	if err != nil {
		return MeetingTurnout{}, false, fmt.Errorf("attendance of meeting %d: %w", m.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var role string
		var n int
		if err := rows.Scan(&role, &n); err != nil {
			return MeetingTurnout{}, false, fmt.Errorf("attendance of meeting %d: %w", m.ID, err)
		}
		mt.Present[role] = n
	}
	if err := rows.Err(); err != nil {
		return MeetingTurnout{}, false, fmt.Errorf("attendance of meeting %d: %w", m.ID, err)
	}
	return mt, true, nil
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
