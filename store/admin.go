package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// UserErased is the status of the stand-in row that keeps an erased user's
// cases attributed (see EraseUser). It never logs in: its id is negative.
const UserErased = "erased"

// UserFilter selects users for the admin's list. The zero value selects
// everyone who ever registered.
type UserFilter struct {
	// Status: "" any, a User status, or "unreachable" (active but unreachable).
	Status string
	// Role: "" any, or a Role.
	Role string
	// Kecamatan: "" any, or a kecamatan code.
	Kecamatan string
}

// UserFilterUnreachable is the UserFilter.Status of users the bot cannot reach.
const UserFilterUnreachable = "unreachable"

func (f UserFilter) where() (string, []any) {
	conds, args := []string{"id > 0", "status NOT IN ('new', 'erased')"}, []any{}
	switch f.Status {
	case "":
	case UserFilterUnreachable:
		conds = append(conds, "unreachable = 1")
	default:
		conds, args = append(conds, "status = ?"), append(args, f.Status)
	}
	if f.Role != "" {
		conds, args = append(conds, "role = ?"), append(args, f.Role)
	}
	if f.Kecamatan != "" {
		conds, args = append(conds, "kecamatan = ?"), append(args, f.Kecamatan)
	}
	return strings.Join(conds, " AND "), args
}

// ListUsers returns up to limit users matching f after skipping offset, pending
// users first, then by name, and how many match in all.
func (tx *Tx) ListUsers(f UserFilter, offset, limit int) ([]User, int, error) {
	where, args := f.where()
	var total int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM users WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	rows, err := tx.Query(userSelect+` WHERE `+where+` ORDER BY status != 'pending',
		lower(COALESCE(NULLIF(full_name, ''), first_name)), id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// PendingApproval returns the id of user's pending approval, 0 when none.
func (tx *Tx) PendingApproval(user int64) (int64, error) {
	var id int64
	err := tx.QueryRow(`SELECT id FROM approvals WHERE user_id = ? AND status = 'pending' ORDER BY id DESC LIMIT 1`,
		user).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pending approval of user %d: %w", user, err)
	}
	return id, nil
}

// SetCovers sets the kecamatan a coordinator covers (["*"]: all).
func (tx *Tx) SetCovers(id int64, covers []string) error {
	if _, err := tx.Exec(`UPDATE users SET covers = ?, updated_at = ? WHERE id = ?`,
		strings.Join(covers, ","), formatTime(tx.now), id); err != nil {
		return fmt.Errorf("set covers of user %d: %w", id, err)
	}
	return nil
}

// AuditRecord is one audit log entry with its time and the actor's name.
type AuditRecord struct {
	ID     int64
	At     time.Time
	UserID int64
	Name   string // the actor's registered or first name, "" when unknown or erased
	Action string
	Detail string
}

// AuditRecent returns up to limit entries, newest first, after skipping
// offset, and the total count.
func (tx *Tx) AuditRecent(offset, limit int) ([]AuditRecord, int, error) {
	var total int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit log: %w", err)
	}
	rows, err := tx.Query(`SELECT a.id, a.at, a.user_id, COALESCE(NULLIF(u.full_name, ''), u.first_name, ''),
		a.action, a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
		ORDER BY a.id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		var r AuditRecord
		var at string
		if err := rows.Scan(&r.ID, &at, &r.UserID, &r.Name, &r.Action, &r.Detail); err != nil {
			return nil, 0, fmt.Errorf("read audit log: %w", err)
		}
		if r.At, err = parseTime(at); err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// EraseUser removes user id's personal data (UU 27/2022): the user row, their
// conversations, registration requests and their notices, their outbox
// messages and failed updates are deleted. What they did that the office must
// keep (cases reported, case history, meeting invitations and attendance,
// broadcasts) is moved to a new stand-in row with a negative id, the same
// role and kecamatan, no name, no phone and status erased, so counts by role
// and area still add up. It returns the stand-in's id; ok is false when the
// user does not exist.
func (tx *Tx) EraseUser(id int64, standInName string) (standIn int64, ok bool, err error) {
	u, found, err := tx.GetUser(id)
	if err != nil || !found {
		return 0, false, err
	}
	if err := tx.QueryRow(`SELECT MIN(MIN(id), 0) - 1 FROM users`).Scan(&standIn); err != nil {
		return 0, false, fmt.Errorf("erase user: %w", err)
	}
	now := formatTime(tx.now)
	if _, err := tx.Exec(`INSERT INTO users (id, first_name, role, status, unreachable, full_name, kecamatan,
		created_at, updated_at) VALUES (?, '', ?, ?, 1, ?, ?, ?, ?)`,
		standIn, u.Role, UserErased, standInName, u.Kecamatan, now, now); err != nil {
		return 0, false, fmt.Errorf("erase user: stand-in: %w", err)
	}
	steps := []struct{ what, q string }{
		{"cases", `UPDATE cases SET reporter_id = ? WHERE reporter_id = ?`},
		{"reviews", `UPDATE cases SET reviewer_id = ? WHERE reviewer_id = ?`},
		{"case history", `UPDATE case_events SET user_id = ? WHERE user_id = ?`},
		{"meetings", `UPDATE meetings SET created_by = ? WHERE created_by = ?`},
		{"invitations", `UPDATE meeting_invitations SET user_id = ?, outbox_id = 0 WHERE user_id = ?`},
		{"attendance", `UPDATE meeting_attendance SET user_id = ? WHERE user_id = ?`},
		{"attendance marks", `UPDATE meeting_attendance SET marked_by = ? WHERE marked_by = ?`},
		{"invites", `UPDATE invites SET created_by = ? WHERE created_by = ?`},
		{"broadcasts", `UPDATE broadcasts SET created_by = ?, chat_id = 0 WHERE created_by = ?`},
		{"broadcast messages", `UPDATE broadcast_messages SET user_id = ?, outbox_id = 0 WHERE user_id = ?`},
		{"backups", `UPDATE backups SET created_by = ? WHERE created_by = ?`},
	}
	for _, s := range steps {
		if _, err := tx.Exec(s.q, standIn, id); err != nil {
			return 0, false, fmt.Errorf("erase user: %s: %w", s.what, err)
		}
	}
	deletes := []struct {
		what, q string
		args    []any
	}{
		{"case notices", `DELETE FROM case_notices WHERE chat_id = ?`, []any{id}},
		{"approval notices", `DELETE FROM approval_notices WHERE chat_id = ?
			OR approval_id IN (SELECT id FROM approvals WHERE user_id = ?)`, []any{id, id}},
		{"approvals", `DELETE FROM approvals WHERE user_id = ?`, []any{id}},
		{"pending check-ins", `DELETE FROM pending_checkins WHERE user_id = ?`, []any{id}},
		{"digest settings", `DELETE FROM digest_settings WHERE user_id = ?`, []any{id}},
		{"reminders sent", `DELETE FROM reminders_sent WHERE user_id = ?`, []any{id}},
		{"conversations", `DELETE FROM conversations WHERE user_id = ? OR chat_id = ?`, []any{id, id}},
		{"outbox", `DELETE FROM outbox WHERE chat_id = ?`, []any{id}},
		// The raw update JSON holds names and phone numbers; match the user's
		// id as a JSON number.
		{"failed updates", `DELETE FROM failed_updates WHERE payload LIKE ? OR payload LIKE ?`,
			[]any{fmt.Sprintf(`%%"id":%d,%%`, id), fmt.Sprintf(`%%"id":%d}%%`, id)}},
		{"user", `DELETE FROM users WHERE id = ?`, []any{id}},
	}
	for _, d := range deletes {
		if _, err := tx.Exec(d.q, d.args...); err != nil {
			return 0, false, fmt.Errorf("erase user: %s: %w", d.what, err)
		}
	}
	return standIn, true, nil
}

// EraseCasePersonalData replaces the personal data of case id (name, NIK,
// birth date, address, location, description) on a lawful request, keeping
// category, area, status and dates for statistics, and deletes its photo
// records. It returns the local paths of the photos (relative to the media
// folder) for the caller to delete, and ok=false when there is no such case.
func (tx *Tx) EraseCasePersonalData(id int64, by int64, placeholder string) (photos []string, ok bool, err error) {
	c, found, err := tx.GetCase(id)
	if err != nil || !found {
		return nil, false, err
	}
	ps, err := tx.CasePhotos(id)
	if err != nil {
		return nil, false, err
	}
	for _, p := range ps {
		if p.LocalPath != "" {
			photos = append(photos, p.LocalPath)
		}
	}
	if _, err := tx.Exec(`UPDATE cases SET full_name = ?, nik = '', no_nik_reason = 'erased', birth_date = '',
		address = '', latitude = NULL, longitude = NULL, description = ?, updated_at = ? WHERE id = ?`,
		placeholder, placeholder, formatTime(tx.now), id); err != nil {
		return nil, false, fmt.Errorf("erase case %d: %w", id, err)
	}
	if _, err := tx.Exec(`DELETE FROM case_photos WHERE case_id = ?`, id); err != nil {
		return nil, false, fmt.Errorf("erase photos of case %d: %w", id, err)
	}
	if _, err := tx.Exec(`UPDATE case_events SET note = '' WHERE case_id = ?`, id); err != nil {
		return nil, false, fmt.Errorf("erase history notes of case %d: %w", id, err)
	}
	return photos, true, tx.AddCaseEvent(id, by, CaseActionNote, c.Status, c.Status, "erased")
}

// CaseIDByCode returns the id of the case with code (JMB-26-00042), 0 when none.
func (tx *Tx) CaseIDByCode(code string) (int64, error) {
	var id int64
	err := tx.QueryRow(`SELECT id FROM cases WHERE code = ?`, strings.ToUpper(strings.TrimSpace(code))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find case %q: %w", code, err)
	}
	return id, nil
}
