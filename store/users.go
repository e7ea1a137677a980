package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// User is a person who has talked to the bot.
type User struct {
	ID          int64
	FirstName   string
	Username    string
	Language    string // "" = the deployment default
	Role        string // see the Role constants
	Status      string // see the Status constants
	Unreachable bool
	// Covers lists the kecamatan codes a coordinator covers; ["*"] is all.
	Covers []string
	Profile
}

// Profile is what a worker registers and an admin approves.
type Profile struct {
	FullName  string `json:"full_name"`
	Phone     string `json:"phone"`
	Role      string `json:"role"`
	Kecamatan string `json:"kecamatan"` // catalogue code
	Kelurahan string `json:"kelurahan"` // catalogue code
}

// Roles. RoleNone is someone who never registered.
const (
	RoleNone        = "none"
	RolePSM         = "psm"
	RoleTKSK        = "tksk"
	RoleCoordinator = "coordinator"
	RoleAdmin       = "admin"
)

// User statuses: new (never registered), pending (waiting for an admin), active,
// rejected (may register again) and blocked (ignored).
const (
	UserNew      = "new"
	UserPending  = "pending"
	UserActive   = "active"
	UserRejected = "rejected"
	UserBlocked  = "blocked"
)

// TouchUser creates the user on first contact and refreshes the Telegram profile
// fields; it marks a user who writes again as reachable.
func (tx *Tx) TouchUser(id int64, firstName, username string) (User, error) {
	now := formatTime(tx.now)
	if _, err := tx.Exec(`INSERT INTO users (id, first_name, username, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, username = excluded.username,
			unreachable = 0, updated_at = CASE WHEN users.first_name != excluded.first_name
				OR users.username != excluded.username OR users.unreachable != 0
				THEN excluded.updated_at ELSE users.updated_at END`,
		id, firstName, username, now, now); err != nil {
		return User{}, fmt.Errorf("touch user %d: %w", id, err)
	}
	u, err := scanUser(tx.QueryRow(userSelect+` WHERE id = ?`, id))
	if err != nil {
		return User{}, fmt.Errorf("touch user %d: %w", id, err)
	}
	return u, nil
}

// GetUser returns the user, or ok=false when the bot has never seen them.
func (tx *Tx) GetUser(id int64) (u User, ok bool, err error) {
	u, err = scanUser(tx.QueryRow(userSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, true, nil
}

// NotePrivateChat records that user id has written to the bot in a private
// chat, so answers may go there.
func (tx *Tx) NotePrivateChat(id int64) error {
	if _, err := tx.Exec(`UPDATE users SET private_chat = 1 WHERE id = ? AND private_chat = 0`, id); err != nil {
		return fmt.Errorf("note private chat of user %d: %w", id, err)
	}
	return nil
}

// HasPrivateChat reports whether user id has written to the bot in a private
// chat (see NotePrivateChat).
func (tx *Tx) HasPrivateChat(id int64) (bool, error) {
	var ok bool
	err := tx.QueryRow(`SELECT private_chat FROM users WHERE id = ?`, id).Scan(&ok)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("private chat of user %d: %w", id, err)
	}
	return ok, nil
}

// SetUnreachable records that the bot cannot message the user (blocked, left).
func (tx *Tx) SetUnreachable(id int64, unreachable bool) error {
	if _, err := tx.Exec(`UPDATE users SET unreachable = ?, updated_at = ? WHERE id = ?`,
		unreachable, formatTime(tx.now), id); err != nil {
		return fmt.Errorf("mark user %d unreachable: %w", id, err)
	}
	return nil
}

const userSelect = `SELECT id, first_name, username, language, role, status, unreachable,
	full_name, phone, kecamatan, kelurahan, covers FROM users`

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner) (User, error) {
	var u User
	var covers string
	err := row.Scan(&u.ID, &u.FirstName, &u.Username, &u.Language, &u.Role, &u.Status, &u.Unreachable,
		&u.FullName, &u.Phone, &u.Kecamatan, &u.Kelurahan, &covers)
	u.Profile.Role = u.Role
	u.Covers = splitCovers(covers)
	return u, err
}

// SetProfile stores p as the user's approved profile with role p.Role and status.
func (tx *Tx) SetProfile(id int64, p Profile, status string) error {
	if _, err := tx.Exec(`UPDATE users SET full_name = ?, phone = ?, role = ?, kecamatan = ?, kelurahan = ?,
		status = ?, blocked_notified = (? = 'blocked' AND blocked_notified), updated_at = ? WHERE id = ?`,
		p.FullName, p.Phone, p.Role, p.Kecamatan, p.Kelurahan, status, status, formatTime(tx.now), id); err != nil {
		return fmt.Errorf("set profile of user %d: %w", id, err)
	}
	return nil
}

// SetStatus changes the user's status only (a change away from blocked also
// forgets that they were told they are blocked).
func (tx *Tx) SetStatus(id int64, status string) error {
	if _, err := tx.Exec(`UPDATE users SET status = ?, blocked_notified = (? = 'blocked' AND blocked_notified),
		updated_at = ? WHERE id = ?`,
		status, status, formatTime(tx.now), id); err != nil {
		return fmt.Errorf("set status of user %d: %w", id, err)
	}
	return nil
}

// SetRole grants role with status active; covers is for coordinators (nil for
// others, ["*"] for all kecamatan).
func (tx *Tx) SetRole(id int64, role string, covers []string) error {
	if _, err := tx.Exec(`UPDATE users SET role = ?, covers = ?, status = 'active', blocked_notified = 0,
		updated_at = ? WHERE id = ?`,
		role, strings.Join(covers, ","), formatTime(tx.now), id); err != nil {
		return fmt.Errorf("set role of user %d: %w", id, err)
	}
	return nil
}

// NoteBlockedNotice records that blocked user id has been told so, and reports
// whether this is the first time since they were blocked: a blocked user gets
// one short message and is otherwise ignored.
func (tx *Tx) NoteBlockedNotice(id int64) (first bool, err error) {
	res, err := tx.Exec(`UPDATE users SET blocked_notified = 1 WHERE id = ? AND blocked_notified = 0`, id)
	if err != nil {
		return false, fmt.Errorf("note blocked notice of user %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("note blocked notice of user %d: %w", id, err)
	}
	return n == 1, nil
}

// SetLanguage records the user's language choice.
func (tx *Tx) SetLanguage(id int64, lang string) error {
	if _, err := tx.Exec(`UPDATE users SET language = ?, updated_at = ? WHERE id = ?`,
		lang, formatTime(tx.now), id); err != nil {
		return fmt.Errorf("set language of user %d: %w", id, err)
	}
	return nil
}

// UsersWithRole lists active, reachable users with role, by id.
func (tx *Tx) UsersWithRole(role string) ([]User, error) {
	rows, err := tx.Query(userSelect+` WHERE role = ? AND status = 'active' AND unreachable = 0 ORDER BY id`, role)
	if err != nil {
		return nil, fmt.Errorf("list users with role %s: %w", role, err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users with role %s: %w", role, err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users with role %s: %w", role, err)
	}
	return out, nil
}

// CountInArea counts active users with role in kecamatan, leaving out user except
// (to flag a second TKSK for one kecamatan).
func (tx *Tx) CountInArea(role, kecamatan string, except int64) (int, error) {
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM users WHERE role = ? AND kecamatan = ? AND status = 'active'
		AND id != ?`, role, kecamatan, except).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s in %s: %w", role, kecamatan, err)
	}
	return n, nil
}

func splitCovers(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
