package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Approval kinds and statuses.
const (
	ApprovalRegister = "register"
	ApprovalChange   = "change"

	ApprovalPending  = "pending"
	ApprovalApproved = "approved"
	ApprovalRejected = "rejected"
	ApprovalBlocked  = "blocked"
	// ApprovalWithdrawn: replaced by a newer request of the same person.
	ApprovalWithdrawn = "withdrawn"
	// ApprovalClosed: closed, undecided, because an admin changed the
	// person's role, status or area meanwhile; its buttons no longer act.
	ApprovalClosed = "closed"
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
	// A detail can hold what a person typed (a forged button's data, a
	// command's arguments); a NIK in it would stay for good in a log that is
	// append-only, so it is masked before it is written.
	if _, err := tx.Exec(`INSERT INTO audit_log (at, user_id, action, detail) VALUES (?, ?, ?, ?)`,
		formatTime(tx.now), userID, action, maskNIKs(detail)); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditWindow and AuditBurst bound what one person's refusals (a denied
// command, a forged or stale button) write to the append-only audit log: per
// person and action, the first AuditBurst of each AuditWindow are written in
// full, the rest only counted and summarised in one row ("<action>_repeats")
// once the window is over. A script pressing a forged button ten thousand
// times adds a handful of rows, not ten thousand, and still leaves a trace
// of how many times it tried.
const (
	AuditWindow = time.Hour
	AuditBurst  = 10
)

// AuditLimited records a refusal like Audit, within the bounds of AuditWindow
// and AuditBurst.
func (tx *Tx) AuditLimited(userID int64, action, detail string) error {
	if err := tx.flushAuditCounters(tx.now.Add(-AuditWindow)); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	now := formatTime(tx.now)
	// The counter of an expired window was just summarised and dropped, so
	// a row found here belongs to the current window.
	res, err := tx.Exec(`UPDATE audit_counters SET written = written + 1
		WHERE user_id = ? AND action = ? AND written < ?`, userID, action, AuditBurst)
	if err != nil {
		return fmt.Errorf("audit %s: count: %w", action, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("audit %s: count: %w", action, err)
	} else if n == 1 {
		return tx.Audit(userID, action, detail)
	}
	res, err = tx.Exec(`INSERT INTO audit_counters (user_id, action, window_start, written) VALUES (?, ?, ?, 1)
		ON CONFLICT (user_id, action) DO NOTHING`, userID, action, now)
	if err != nil {
		return fmt.Errorf("audit %s: count: %w", action, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("audit %s: count: %w", action, err)
	} else if n == 1 {
		return tx.Audit(userID, action, detail)
	}
	if _, err := tx.Exec(`UPDATE audit_counters SET suppressed = suppressed + 1, last_detail = ?, last_at = ?
		WHERE user_id = ? AND action = ?`, detail, now, userID, action); err != nil {
		return fmt.Errorf("audit %s: count: %w", action, err)
	}
	return nil
}

// FlushAuditCounters writes every refusal counted so far into the audit log
// (one "<action>_repeats" row per person and action), so the log an admin
// reads is complete. The windows keep running: the burst is not renewed.
func (tx *Tx) FlushAuditCounters() error {
	if err := tx.summariseAuditCounters(`suppressed > 0`); err != nil {
		return fmt.Errorf("flush audit counters: %w", err)
	}
	if _, err := tx.Exec(`UPDATE audit_counters SET suppressed = 0 WHERE suppressed > 0`); err != nil {
		return fmt.Errorf("flush audit counters: %w", err)
	}
	return nil
}

// flushAuditCounters summarises and drops the counters of windows that
// started before cutoff.
func (tx *Tx) flushAuditCounters(cutoff time.Time) error {
	at := formatTime(cutoff)
	if err := tx.summariseAuditCounters(`window_start <= ?`, at); err != nil {
		return fmt.Errorf("expire audit counters: %w", err)
	}
	if _, err := tx.Exec(`DELETE FROM audit_counters WHERE window_start <= ?`, at); err != nil {
		return fmt.Errorf("expire audit counters: %w", err)
	}
	return nil
}

// summariseAuditCounters writes one "<action>_repeats" audit row for each
// counter matching where that counted refusals it did not write.
func (tx *Tx) summariseAuditCounters(where string, args ...any) error {
	rows, err := tx.Query(`SELECT user_id, action, window_start, suppressed, last_detail, last_at
		FROM audit_counters WHERE `+where+` ORDER BY window_start, user_id, action`, args...)
	if err != nil {
		return err
	}
	counters, err := scanAuditCounters(rows)
	if err != nil {
		return err
	}
	for _, p := range counters {
		if p.suppressed == 0 {
			continue
		}
		if err := tx.Audit(p.user, p.action+"_repeats", p.summary()); err != nil {
			return err
		}
	}
	return nil
}

type auditCounter struct {
	user                          int64
	action, start, detail, lastAt string
	suppressed                    int
}

// summary is the detail of a "<action>_repeats" row: how many refusals were
// counted, since when, and the last one's detail.
func (p auditCounter) summary() string {
	return fmt.Sprintf("n=%d from=%s to=%s last=%s", p.suppressed, p.start, p.lastAt, p.detail)
}

func scanAuditCounters(rows *sql.Rows) ([]auditCounter, error) {
	defer rows.Close()
	var out []auditCounter
	for rows.Next() {
		var p auditCounter
		if err := rows.Scan(&p.user, &p.action, &p.start, &p.suppressed, &p.detail, &p.lastAt); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
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
