package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Meeting is a meeting an organiser created, with its check-in rules.
type Meeting struct {
	ID       int64
	Title    string
	StartsAt time.Time // UTC
	EndsAt   time.Time // UTC
	Place    string
	// Lat, Lon and RadiusM restrict check-in to a circle; RadiusM 0 means no
	// location check.
	Lat, Lon float64
	RadiusM  int
	// CheckinLead is how long before the start check-in opens; 0 means 60 min.
	CheckinLead time.Duration
	Audience    string // see the Audience constants
	Note        string
	// Code is the random check-in code of the QR deep link.
	Code      string
	Status    string // MeetingScheduled or MeetingCancelled
	CreatedBy int64
}

// Meeting statuses.
const (
	MeetingScheduled = "scheduled"
	MeetingCancelled = "cancelled"
)

// Audiences of a meeting.
const (
	AudienceAll       = "all"
	AudiencePSM       = "psm"
	AudienceTKSK      = "tksk"
	AudienceKecamatan = "kecamatan"
	AudiencePeople    = "people"
)

// RSVP answers; RSVPNone is not answered yet.
const (
	RSVPNone = ""
	RSVPYes  = "yes"
	RSVPNo   = "no"
)

// Check-in methods.
const (
	CheckinQR       = "qr"
	CheckinLocation = "location"
	CheckinManual   = "manual"
)

// CheckinOpens is when check-in opens: CheckinLead (default 60 min) before the start.
func (m Meeting) CheckinOpens() time.Time {
	lead := m.CheckinLead
	if lead <= 0 {
		lead = time.Hour
	}
	return m.StartsAt.Add(-lead)
}

// InWindow reports whether t lies in the check-in window [CheckinOpens, EndsAt].
func (m Meeting) InWindow(t time.Time) bool {
	return !t.Before(m.CheckinOpens()) && !t.After(m.EndsAt)
}

// AddMeeting stores m (its ID and Status are ignored) and returns its id.
func (tx *Tx) AddMeeting(m Meeting) (int64, error) {
	lead := int(m.CheckinLead / time.Minute)
	if lead <= 0 {
		lead = 60
	}
	res, err := tx.Exec(`INSERT INTO meetings (title, starts_at, ends_at, place, lat, lon, radius_m,
		checkin_lead_min, audience, note, code, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.Title, formatTime(m.StartsAt), formatTime(m.EndsAt), m.Place, m.Lat, m.Lon, m.RadiusM, lead,
		m.Audience, m.Note, m.Code, m.CreatedBy, formatTime(tx.now))
	if err != nil {
		return 0, fmt.Errorf("add meeting: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add meeting: %w", err)
	}
	return id, nil
}

const meetingSelect = `SELECT id, title, starts_at, ends_at, place, lat, lon, radius_m, checkin_lead_min,
	audience, note, code, status, created_by FROM meetings`

func scanMeeting(row scanner) (Meeting, error) {
	var m Meeting
	var starts, ends string
	var lead int
	if err := row.Scan(&m.ID, &m.Title, &starts, &ends, &m.Place, &m.Lat, &m.Lon, &m.RadiusM, &lead,
		&m.Audience, &m.Note, &m.Code, &m.Status, &m.CreatedBy); err != nil {
		return Meeting{}, err
	}
	m.CheckinLead = time.Duration(lead) * time.Minute
	var err error
	if m.StartsAt, err = parseTime(starts); err != nil {
		return Meeting{}, err
	}
	if m.EndsAt, err = parseTime(ends); err != nil {
		return Meeting{}, err
	}
	return m, nil
}

// MeetingByID returns meeting id, ok=false when there is none.
func (tx *Tx) MeetingByID(id int64) (Meeting, bool, error) {
	return tx.oneMeeting(`id = ?`, id)
}

// MeetingByCode returns the meeting whose check-in code is code, ok=false when
// no meeting has it.
func (tx *Tx) MeetingByCode(code string) (Meeting, bool, error) {
	return tx.oneMeeting(`code = ?`, code)
}

func (tx *Tx) oneMeeting(where string, arg any) (Meeting, bool, error) {
	m, err := scanMeeting(tx.QueryRow(meetingSelect+` WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Meeting{}, false, nil
	}
	if err != nil {
		return Meeting{}, false, fmt.Errorf("read meeting: %w", err)
	}
	return m, true, nil
}

// MeetingsCreatedBy lists the meetings user created that end after since,
// soonest first.
func (tx *Tx) MeetingsCreatedBy(user int64, since time.Time) ([]Meeting, error) {
	return tx.meetings(meetingSelect+` WHERE created_by = ? AND ends_at > ? ORDER BY starts_at, id`,
		user, formatTime(since))
}

func (tx *Tx) meetings(query string, args ...any) ([]Meeting, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	defer rows.Close()
	var out []Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, fmt.Errorf("list meetings: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	return out, nil
}

// Invitation is one invitee's answer to a meeting.
type Invitation struct {
	MeetingID int64
	UserID    int64
	RSVP      string // RSVPNone, RSVPYes, RSVPNo
	Reason    string
	// OutboxID is the invitation message's outbox row, to edit it.
	OutboxID int64
}

// Workers lists active users whose role is one of roles, optionally only in
// kecamatan (nil: anywhere) or only ids (nil: anyone), reachable or not, by id.
func (tx *Tx) Workers(roles, kecamatan []string, ids []int64) ([]User, error) {
	q := userSelect + ` WHERE status = 'active'`
	var args []any
	in := func(col string, n int) {
		q += ` AND ` + col + ` IN (?` + strings.Repeat(`, ?`, n-1) + `)`
	}
	if len(roles) > 0 {
		in("role", len(roles))
		for _, r := range roles {
			args = append(args, r)
		}
	}
	if kecamatan != nil {
		if len(kecamatan) == 0 {
			return nil, nil
		}
		in("kecamatan", len(kecamatan))
		for _, k := range kecamatan {
			args = append(args, k)
		}
	}
	if ids != nil {
		if len(ids) == 0 {
			return nil, nil
		}
		in("id", len(ids))
		for _, id := range ids {
			args = append(args, id)
		}
	}
	rows, err := tx.Query(q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list workers: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list workers: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list workers: %w", err)
	}
	return out, nil
}

// Invite records user as invited to meeting; inviting twice changes nothing.
func (tx *Tx) Invite(meeting, user int64) error {
	if _, err := tx.Exec(`INSERT INTO meeting_invitations (meeting_id, user_id) VALUES (?, ?)
		ON CONFLICT DO NOTHING`, meeting, user); err != nil {
		return fmt.Errorf("invite user %d to meeting %d: %w", user, meeting, err)
	}
	return nil
}

// SetInvitationMessage records the outbox row of the invitation message.
func (tx *Tx) SetInvitationMessage(meeting, user, outboxID int64) error {
	if _, err := tx.Exec(`UPDATE meeting_invitations SET outbox_id = ? WHERE meeting_id = ? AND user_id = ?`,
		outboxID, meeting, user); err != nil {
		return fmt.Errorf("invitation %d/%d: %w", meeting, user, err)
	}
	return nil
}

// GetInvitation returns user's invitation to meeting, ok=false when not invited.
func (tx *Tx) GetInvitation(meeting, user int64) (Invitation, bool, error) {
	inv := Invitation{MeetingID: meeting, UserID: user}
	err := tx.QueryRow(`SELECT rsvp, reason, outbox_id FROM meeting_invitations WHERE meeting_id = ? AND user_id = ?`,
		meeting, user).Scan(&inv.RSVP, &inv.Reason, &inv.OutboxID)
	if errors.Is(err, sql.ErrNoRows) {
		return Invitation{}, false, nil
	}
	if err != nil {
		return Invitation{}, false, fmt.Errorf("invitation %d/%d: %w", meeting, user, err)
	}
	return inv, true, nil
}

// SetRSVP records user's answer to meeting; reason is kept for RSVPNo only.
func (tx *Tx) SetRSVP(meeting, user int64, rsvp, reason string) error {
	if rsvp != RSVPNo {
		reason = ""
	}
	if _, err := tx.Exec(`UPDATE meeting_invitations SET rsvp = ?, reason = ?, answered_at = ?
		WHERE meeting_id = ? AND user_id = ?`, rsvp, reason, formatTime(tx.now), meeting, user); err != nil {
		return fmt.Errorf("rsvp %d/%d: %w", meeting, user, err)
	}
	return nil
}

// SetRSVPReason records why user cannot come to meeting; it changes nothing
// when their answer is no longer RSVPNo (they changed it meanwhile) and then
// returns false.
func (tx *Tx) SetRSVPReason(meeting, user int64, reason string) (bool, error) {
	res, err := tx.Exec(`UPDATE meeting_invitations SET reason = ? WHERE meeting_id = ? AND user_id = ? AND rsvp = ?`,
		reason, meeting, user, RSVPNo)
	if err != nil {
		return false, fmt.Errorf("rsvp reason %d/%d: %w", meeting, user, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("rsvp reason %d/%d: %w", meeting, user, err)
	}
	return n == 1, nil
}

// Attendance is one check-in.
type Attendance struct {
	MeetingID int64
	UserID    int64
	At        time.Time
	Method    string // CheckinQR, CheckinLocation, CheckinManual
	WalkIn    bool
	DistanceM int
	MarkedBy  int64 // the organiser for CheckinManual
}

// CheckIn records a; when the user already checked in it changes nothing and
// returns the first check-in with added=false.
func (tx *Tx) CheckIn(a Attendance) (first Attendance, added bool, err error) {
	res, err := tx.Exec(`INSERT INTO meeting_attendance (meeting_id, user_id, at, method, walk_in, distance_m, marked_by)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		a.MeetingID, a.UserID, formatTime(a.At), a.Method, a.WalkIn, a.DistanceM, a.MarkedBy)
	if err != nil {
		return Attendance{}, false, fmt.Errorf("check in %d/%d: %w", a.MeetingID, a.UserID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return Attendance{}, false, fmt.Errorf("check in %d/%d: %w", a.MeetingID, a.UserID, err)
	}
	if n == 1 {
		return a, true, nil
	}
	first, _, err = tx.GetAttendance(a.MeetingID, a.UserID)
	return first, false, err
}

// GetAttendance returns user's check-in at meeting, ok=false when none.
func (tx *Tx) GetAttendance(meeting, user int64) (Attendance, bool, error) {
	a := Attendance{MeetingID: meeting, UserID: user}
	var at string
	err := tx.QueryRow(`SELECT at, method, walk_in, distance_m, marked_by FROM meeting_attendance
		WHERE meeting_id = ? AND user_id = ?`, meeting, user).Scan(&at, &a.Method, &a.WalkIn, &a.DistanceM, &a.MarkedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return Attendance{}, false, nil
	}
	if err != nil {
		return Attendance{}, false, fmt.Errorf("attendance %d/%d: %w", meeting, user, err)
	}
	if a.At, err = parseTime(at); err != nil {
		return Attendance{}, false, err
	}
	return a, true, nil
}

// RosterEntry is one person of a meeting's roster: invited, checked in, or both.
type RosterEntry struct {
	User    User
	Invited bool
	RSVP    string
	Reason  string
	// Attended is set when the person checked in; Attendance holds how.
	Attended   bool
	Attendance Attendance
}

// Roster lists everyone invited to or checked in at meeting: attendees first
// in check-in order, then the others by name.
func (tx *Tx) Roster(meeting int64) ([]RosterEntry, error) {
	rows, err := tx.Query(`SELECT u.id, u.first_name, u.username, u.language, u.role, u.status, u.unreachable,
			u.full_name, u.phone, u.kecamatan, u.kelurahan, u.covers,
			i.user_id IS NOT NULL, COALESCE(i.rsvp, ''), COALESCE(i.reason, ''),
			a.user_id IS NOT NULL, COALESCE(a.at, ''), COALESCE(a.method, ''), COALESCE(a.walk_in, 0),
			COALESCE(a.distance_m, 0), COALESCE(a.marked_by, 0)
		FROM users u
		LEFT JOIN meeting_invitations i ON i.meeting_id = ? AND i.user_id = u.id
		LEFT JOIN meeting_attendance a ON a.meeting_id = ? AND a.user_id = u.id
		WHERE i.user_id IS NOT NULL OR a.user_id IS NOT NULL
		ORDER BY a.user_id IS NULL, a.at, CASE u.full_name WHEN '' THEN u.first_name ELSE u.full_name END, u.id`,
		meeting, meeting)
	if err != nil {
		return nil, fmt.Errorf("roster of meeting %d: %w", meeting, err)
	}
	defer rows.Close()
	var out []RosterEntry
	for rows.Next() {
		var e RosterEntry
		var covers, at string
		u := &e.User
		if err := rows.Scan(&u.ID, &u.FirstName, &u.Username, &u.Language, &u.Role, &u.Status, &u.Unreachable,
			&u.FullName, &u.Phone, &u.Kecamatan, &u.Kelurahan, &covers,
			&e.Invited, &e.RSVP, &e.Reason,
			&e.Attended, &at, &e.Attendance.Method, &e.Attendance.WalkIn, &e.Attendance.DistanceM,
			&e.Attendance.MarkedBy); err != nil {
			return nil, fmt.Errorf("roster of meeting %d: %w", meeting, err)
		}
		u.Profile.Role = u.Role
		u.Covers = splitCovers(covers)
		if e.Attended {
			e.Attendance.MeetingID, e.Attendance.UserID = meeting, u.ID
			if e.Attendance.At, err = parseTime(at); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("roster of meeting %d: %w", meeting, err)
	}
	return out, nil
}

// UpcomingFor lists the scheduled meetings user is invited to that end after
// now, soonest first, with their answers.
func (tx *Tx) UpcomingFor(user int64, now time.Time) ([]Meeting, []Invitation, error) {
	rows, err := tx.Query(`SELECT m.id, m.title, m.starts_at, m.ends_at, m.place, m.lat, m.lon, m.radius_m,
			m.checkin_lead_min, m.audience, m.note, m.code, m.status, m.created_by, i.rsvp, i.reason, i.outbox_id
		FROM meetings m JOIN meeting_invitations i ON i.meeting_id = m.id AND i.user_id = ?
		WHERE m.ends_at > ? AND m.status = 'scheduled' ORDER BY m.starts_at, m.id`, user, formatTime(now))
	if err != nil {
		return nil, nil, fmt.Errorf("upcoming meetings of %d: %w", user, err)
	}
	defer rows.Close()
	var ms []Meeting
	var invs []Invitation
	for rows.Next() {
		var m Meeting
		var starts, ends string
		var lead int
		inv := Invitation{UserID: user}
		if err := rows.Scan(&m.ID, &m.Title, &starts, &ends, &m.Place, &m.Lat, &m.Lon, &m.RadiusM, &lead,
			&m.Audience, &m.Note, &m.Code, &m.Status, &m.CreatedBy, &inv.RSVP, &inv.Reason, &inv.OutboxID); err != nil {
			return nil, nil, fmt.Errorf("upcoming meetings of %d: %w", user, err)
		}
		m.CheckinLead = time.Duration(lead) * time.Minute
		if m.StartsAt, err = parseTime(starts); err != nil {
			return nil, nil, err
		}
		if m.EndsAt, err = parseTime(ends); err != nil {
			return nil, nil, err
		}
		inv.MeetingID = m.ID
		ms, invs = append(ms, m), append(invs, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("upcoming meetings of %d: %w", user, err)
	}
	return ms, invs, nil
}

// CancelMeeting marks meeting cancelled; false when it already was.
func (tx *Tx) CancelMeeting(meeting int64) (bool, error) {
	res, err := tx.Exec(`UPDATE meetings SET status = 'cancelled' WHERE id = ? AND status != 'cancelled'`, meeting)
	if err != nil {
		return false, fmt.Errorf("cancel meeting %d: %w", meeting, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("cancel meeting %d: %w", meeting, err)
	}
	return n == 1, nil
}

// MoveMeeting sets a scheduled meeting's time and place and forgets the
// meeting reminders already sent, which named the old time, so the reminders
// of the new time go out. It reports false, changing nothing, when the meeting
// is cancelled or someone has already checked in (its day has begun).
func (tx *Tx) MoveMeeting(meeting int64, starts, ends time.Time, place string) (bool, error) {
	res, err := tx.Exec(`UPDATE meetings SET starts_at = ?, ends_at = ?, place = ?, moved_at = ?
		WHERE id = ? AND status = 'scheduled'
		AND NOT EXISTS (SELECT 1 FROM meeting_attendance WHERE meeting_id = meetings.id)`,
		formatTime(starts), formatTime(ends), place, formatTime(tx.now), meeting)
	if err != nil {
		return false, fmt.Errorf("move meeting %d: %w", meeting, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("move meeting %d: %w", meeting, err)
	}
	if n == 0 {
		return false, nil
	}
	if _, err := tx.Exec(`DELETE FROM reminders_sent WHERE subject = ? AND kind LIKE 'mtg %'`,
		strconv.FormatInt(meeting, 10)); err != nil {
		return false, fmt.Errorf("move meeting %d: forget reminders: %w", meeting, err)
	}
	return true, nil
}

// HasAttendance reports whether anyone has checked in to meeting.
func (tx *Tx) HasAttendance(meeting int64) (bool, error) {
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM meeting_attendance WHERE meeting_id = ?`, meeting).Scan(&n); err != nil {
		return false, fmt.Errorf("attendance of meeting %d: %w", meeting, err)
	}
	return n > 0, nil
}

// Invitations lists meeting's invitations by user id.
func (tx *Tx) Invitations(meeting int64) ([]Invitation, error) {
	rows, err := tx.Query(`SELECT user_id, rsvp, reason, outbox_id FROM meeting_invitations WHERE meeting_id = ?
		ORDER BY user_id`, meeting)
	if err != nil {
		return nil, fmt.Errorf("invitations of meeting %d: %w", meeting, err)
	}
	defer rows.Close()
	var out []Invitation
	for rows.Next() {
		inv := Invitation{MeetingID: meeting}
		if err := rows.Scan(&inv.UserID, &inv.RSVP, &inv.Reason, &inv.OutboxID); err != nil {
			return nil, fmt.Errorf("invitations of meeting %d: %w", meeting, err)
		}
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("invitations of meeting %d: %w", meeting, err)
	}
	return out, nil
}

// InvitationMessage tells where user's invitation to meeting is: msgID is its
// Telegram message id once sent; pending is true while it waits in the outbox.
// Both are zero when it was never sent (the invitee was unreachable) or failed.
func (tx *Tx) InvitationMessage(meeting, user int64) (msgID int, pending bool, err error) {
	var status string
	err = tx.QueryRow(`SELECT o.tg_message_id, o.status FROM meeting_invitations i JOIN outbox o ON o.id = i.outbox_id
		WHERE i.meeting_id = ? AND i.user_id = ?`, meeting, user).Scan(&msgID, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("invitation message %d/%d: %w", meeting, user, err)
	}
	switch status {
	case StatusSent:
		return msgID, false, nil
	case StatusPending:
		return 0, true, nil
	}
	return 0, false, nil
}
