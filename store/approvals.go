package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// Approval kinds and statuses.
const (
	ApprovalRegister = "register"
	ApprovalChange   = "change"

	ApprovalPending  = "pending"
	ApprovalApproved = "approved"
	ApprovalRejected = "rejected"
	ApprovalBlocked  = "blocked"
)

// Approval is a registration or profile change waiting for (or decided by) an admin.
type Approval struct {
	ID        int64
	UserID    int64
	Kind      string
	Profile   Profile
	Status    string
	DecidedBy int64
}

// AddApproval records a pending request for user and returns its id. Older
// pending requests of the same user are withdrawn: only the latest one counts.
func (tx *Tx) AddApproval(userID int64, kind string, p Profile) (int64, error) {
	data, err := json.Marshal(p)
	if err != nil {
		return 0, fmt.Errorf("add approval: %w", err)
	}
	if _, err := tx.Exec(`UPDATE approvals SET status = 'withdrawn', decided_at = ?
		WHERE user_id = ? AND status = 'pending'`, formatTime(tx.now), userID); err != nil {
		return 0, fmt.Errorf("add approval: withdraw older: %w", err)
	}
	res, err := tx.Exec(`INSERT INTO approvals (user_id, kind, data, created_at) VALUES (?, ?, ?, ?)`,
		userID, kind, string(data), formatTime(tx.now))
	if err != nil {
		return 0, fmt.Errorf("add approval: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add approval: %w", err)
	}
	return id, nil
}

// GetApproval returns approval id, ok=false when there is none.
func (tx *Tx) GetApproval(id int64) (a Approval, ok bool, err error) {
	var data string
	err = tx.QueryRow(`SELECT id, user_id, kind, data, status, decided_by FROM approvals WHERE id = ?`, id).
		Scan(&a.ID, &a.UserID, &a.Kind, &data, &a.Status, &a.DecidedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return Approval{}, false, nil
	}
	if err != nil {
		return Approval{}, false, fmt.Errorf("get approval %d: %w", id, err)
	}
	if err := json.Unmarshal([]byte(data), &a.Profile); err != nil {
		return Approval{}, false, fmt.Errorf("get approval %d: %w", id, err)
	}
	return a, true, nil
}

// DecideApproval sets the status of a pending approval. It reports false when the
// approval was no longer pending (decided by someone else, or a double press), in
// which case nothing changed.
func (tx *Tx) DecideApproval(id int64, status string, by int64) (bool, error) {
	res, err := tx.Exec(`UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?
		WHERE id = ? AND status = 'pending'`, status, by, formatTime(tx.now), id)
	if err != nil {
		return false, fmt.Errorf("decide approval %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("decide approval %d: %w", id, err)
	}
	return n == 1, nil
}

// AddApprovalNotice remembers the outbox row that showed approval id in chat.
func (tx *Tx) AddApprovalNotice(id, chatID, outboxID int64) error {
	if _, err := tx.Exec(`INSERT OR REPLACE INTO approval_notices (approval_id, chat_id, outbox_id)
		VALUES (?, ?, ?)`, id, chatID, outboxID); err != nil {
		return fmt.Errorf("add approval notice: %w", err)
	}
	return nil
}

// ApprovalNotice is one admin's copy of an approval request.
type ApprovalNotice struct {
	ChatID   int64
	OutboxID int64
}

// ApprovalNotices lists the notices of approval id.
func (tx *Tx) ApprovalNotices(id int64) ([]ApprovalNotice, error) {
	rows, err := tx.Query(`SELECT chat_id, outbox_id FROM approval_notices WHERE approval_id = ? ORDER BY chat_id`, id)
	if err != nil {
		return nil, fmt.Errorf("list approval notices: %w", err)
	}
	defer rows.Close()
	var out []ApprovalNotice
	for rows.Next() {
		var n ApprovalNotice
		if err := rows.Scan(&n.ChatID, &n.OutboxID); err != nil {
			return nil, fmt.Errorf("list approval notices: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Audit records an action of user (an approval, a refused command) in the audit log.
func (tx *Tx) Audit(userID int64, action, detail string) error {
	if _, err := tx.Exec(`INSERT INTO audit_log (at, user_id, action, detail) VALUES (?, ?, ?, ?)`,
		formatTime(tx.now), userID, action, detail); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	UserID int64
	Action string
	Detail string
}

// AuditLog returns the last n entries, oldest first.
func (tx *Tx) AuditLog(n int) ([]AuditEntry, error) {
	rows, err := tx.Query(`SELECT user_id, action, detail FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT ?)
		ORDER BY id`, n)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.UserID, &e.Action, &e.Detail); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
