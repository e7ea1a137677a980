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
	CreatedAt time.Time
	ExpiresAt time.Time
	MaxUses   int
	Uses      int
	// Revoked is set when an admin withdrew the link (RevokedBy, at RevokedAt).
	Revoked   bool
	RevokedAt time.Time
	RevokedBy int64
}

// Usable reports whether the invite can still be used at now.
func (i Invite) Usable(now time.Time) bool {
	return !i.Revoked && now.Before(i.ExpiresAt) && i.Uses < i.MaxUses
}

// Why an invite cannot be used, for telling the person who opened it.
const (
	InviteOK      = ""
	InviteRevoked = "revoked"
	InviteExpired = "expired"
	InviteUsedUp  = "used_up"
)

// Unusable says why the invite cannot be used at now (InviteOK when it can);
// a withdrawn link says so even when it has also expired since.
func (i Invite) Unusable(now time.Time) string {
	switch {
	case i.Revoked:
		return InviteRevoked
	case !now.Before(i.ExpiresAt):
		return InviteExpired
	case i.Uses >= i.MaxUses:
		return InviteUsedUp
	}
	return InviteOK
}

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

const inviteSelect = `SELECT id, role, created_by, created_at, expires_at, max_uses, uses, revoked_at, revoked_by
	FROM invites`

func (tx *Tx) scanInvite(where string, arg any) (Invite, bool, error) {
	inv, err := scanInviteRow(tx.QueryRow(inviteSelect+` WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Invite{}, false, nil
	}
	if err != nil {
		return Invite{}, false, fmt.Errorf("read invite: %w", err)
	}
	return inv, true, nil
}

func scanInviteRow(row scanner) (Invite, error) {
	var inv Invite
	var created, expires, revoked string
	if err := row.Scan(&inv.ID, &inv.Role, &inv.CreatedBy, &created, &expires, &inv.MaxUses, &inv.Uses, &revoked,
		&inv.RevokedBy); err != nil {
		return Invite{}, err
	}
	var err error
	if inv.CreatedAt, err = parseTime(created); err != nil {
		return Invite{}, fmt.Errorf("invite %d: %w", inv.ID, err)
	}
	if inv.ExpiresAt, err = parseTime(expires); err != nil {
		return Invite{}, fmt.Errorf("invite %d: %w", inv.ID, err)
	}
	if revoked != "" {
		inv.Revoked = true
		if inv.RevokedAt, err = parseTime(revoked); err != nil {
			return Invite{}, fmt.Errorf("invite %d: %w", inv.ID, err)
		}
	}
	return inv, nil
}

// ActiveInvites lists the invites usable at the transaction's time, newest
// first.
func (tx *Tx) ActiveInvites() ([]Invite, error) {
	rows, err := tx.Query(inviteSelect+` WHERE revoked_at = '' AND uses < max_uses AND expires_at > ?
		ORDER BY id DESC`, formatTime(tx.now))
	if err != nil {
		return nil, fmt.Errorf("list active invites: %w", err)
	}
	defer rows.Close()
	var out []Invite
	for rows.Next() {
		inv, err := scanInviteRow(rows)
		if err != nil {
			return nil, fmt.Errorf("list active invites: %w", err)
		}
		out = append(out, inv)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list active invites: %w", err)
	}
	return out, nil
}

// RevokeInvite withdraws invite id on behalf of by; false when there is no
// such invite or it was already revoked. An expired or used-up link may still
// be revoked: nothing changes for it but the record.
func (tx *Tx) RevokeInvite(id, by int64) (bool, error) {
	res, err := tx.Exec(`UPDATE invites SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at = ''`,
		formatTime(tx.now), by, id)
	if err != nil {
		return false, fmt.Errorf("revoke invite %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("revoke invite %d: %w", id, err)
	}
	return n == 1, nil
}

// UseInvite counts one use of invite id if it is still usable at the
// transaction's time; false means it expired, was used up or was revoked
// meanwhile.
func (tx *Tx) UseInvite(id int64) (bool, error) {
	res, err := tx.Exec(`UPDATE invites SET uses = uses + 1 WHERE id = ? AND uses < max_uses AND expires_at > ?
		AND revoked_at = ''`,
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
