package store

import (
	"database/sql"
	"errors"
	"fmt"
)

// User is a person who has talked to the bot.
type User struct {
	ID          int64
	FirstName   string
	Username    string
	Language    string // "" = the deployment default
	Role        string
	Status      string
	Unreachable bool
}

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

// SetUnreachable records that the bot cannot message the user (blocked, left).
func (tx *Tx) SetUnreachable(id int64, unreachable bool) error {
	if _, err := tx.Exec(`UPDATE users SET unreachable = ?, updated_at = ? WHERE id = ?`,
		unreachable, formatTime(tx.now), id); err != nil {
		return fmt.Errorf("mark user %d unreachable: %w", id, err)
	}
	return nil
}

// MarkUnreachable is SetUnreachable(id, true) in a transaction of its own, for
// the sender when Telegram answers 403.
func (db *DB) MarkUnreachable(id int64) error {
	_, err := db.db.Exec(`UPDATE users SET unreachable = 1, updated_at = ? WHERE id = ?`, formatTime(db.now()), id)
	if err != nil {
		return fmt.Errorf("mark user %d unreachable: %w", id, err)
	}
	return nil
}

const userSelect = `SELECT id, first_name, username, language, role, status, unreachable FROM users`

func scanUser(row *sql.Row) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.FirstName, &u.Username, &u.Language, &u.Role, &u.Status, &u.Unreachable)
	return u, err
}
