package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Invite is an invite link's stored record; the code itself is never stored.
type Invite struct {
	ID        int64
	Role      string // "" = the worker chooses
	CreatedBy int64
	ExpiresAt time.Time
	MaxUses   int
	Uses      int
}

// Usable reports whether the invite can still be used at now.
func (i Invite) Usable(now time.Time) bool { return now.Before(i.ExpiresAt) && i.Uses < i.MaxUses }

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

// AddInvite stores an invite for code (kept only as its SHA-256) and returns its id.
func (tx *Tx) AddInvite(code string, inv Invite) (int64, error) {
	res, err := tx.Exec(`INSERT INTO invites (code_hash, role, created_by, expires_at, max_uses, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, hashCode(code), inv.Role, inv.CreatedBy, formatTime(inv.ExpiresAt),
		inv.MaxUses, formatTime(tx.now))
	if err != nil {
		return 0, fmt.Errorf("add invite: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add invite: %w", err)
	}
	return id, nil
}

// InviteByCode finds the invite for code, ok=false when no invite has it.
func (tx *Tx) InviteByCode(code string) (Invite, bool, error) {
	return tx.scanInvite(`code_hash = ?`, hashCode(code))
}

// InviteByID returns invite id, ok=false when there is none.
func (tx *Tx) InviteByID(id int64) (Invite, bool, error) { return tx.scanInvite(`id = ?`, id) }

func (tx *Tx) scanInvite(where string, arg any) (Invite, bool, error) {
	var inv Invite
	var expires string
	err := tx.QueryRow(`SELECT id, role, created_by, expires_at, max_uses, uses FROM invites WHERE `+where, arg).
		Scan(&inv.ID, &inv.Role, &inv.CreatedBy, &expires, &inv.MaxUses, &inv.Uses)
	if errors.Is(err, sql.ErrNoRows) {
		return Invite{}, false, nil
	}
	if err != nil {
		return Invite{}, false, fmt.Errorf("read invite: %w", err)
	}
	if inv.ExpiresAt, err = parseTime(expires); err != nil {
		return Invite{}, false, fmt.Errorf("read invite %d: %w", inv.ID, err)
	}
	return inv, true, nil
}

// UseInvite counts one use of invite id if it is still usable at the
// transaction's time; false means it expired or was used up meanwhile.
func (tx *Tx) UseInvite(id int64) (bool, error) {
	res, err := tx.Exec(`UPDATE invites SET uses = uses + 1 WHERE id = ? AND uses < max_uses AND expires_at > ?`,
		id, formatTime(tx.now))
	if err != nil {
		return false, fmt.Errorf("use invite %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("use invite %d: %w", id, err)
	}
	return n == 1, nil
}
