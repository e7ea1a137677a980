package store

import "fmt"

// What an admin's change of someone's role, status or area undoes (issue 12):
// their copies of case notices they may no longer act on, and their requests
// still waiting for a decision.

// UserCaseNotice is one case notice in a reviewer's chat.
type UserCaseNotice struct {
	CaseID   int64
	OutboxID int64
}

// UserCaseNotices lists the case notices sent to chat, oldest first.
func (tx *Tx) UserCaseNotices(chat int64) ([]UserCaseNotice, error) {
	rows, err := tx.Query(`SELECT case_id, outbox_id FROM case_notices WHERE chat_id = ? ORDER BY outbox_id`, chat)
	if err != nil {
		return nil, fmt.Errorf("list case notices of %d: %w", chat, err)
	}
	defer rows.Close()
	var out []UserCaseNotice
	for rows.Next() {
		var n UserCaseNotice
		if err := rows.Scan(&n.CaseID, &n.OutboxID); err != nil {
			return nil, fmt.Errorf("list case notices of %d: %w", chat, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// DropCaseNotice forgets chat's notice of case id, so later changes of the
// case are no longer sent there.
func (tx *Tx) DropCaseNotice(id, chat int64) error {
	if _, err := tx.Exec(`DELETE FROM case_notices WHERE case_id = ? AND chat_id = ?`, id, chat); err != nil {
		return fmt.Errorf("drop case notice of case %d in %d: %w", id, chat, err)
	}
	return nil
}

// CaseMediaMessages lists the outbox rows, sent (or still to send) to chat
// from outbox row after onward, that show case id's photos or its location:
// the messages that follow a case notice.
func (tx *Tx) CaseMediaMessages(id, chat, after int64) ([]int64, error) {
	rows, err := tx.Query(`SELECT o.id FROM outbox o, cases k WHERE k.id = ? AND o.chat_id = ? AND o.id > ?
		AND o.status != 'failed' AND (
			(o.kind = 'photo' AND json_extract(o.payload, '$.file_id') IN
				(SELECT file_id FROM case_photos WHERE case_id = k.id))
			OR (o.kind = 'location' AND k.latitude IS NOT NULL
				AND json_extract(o.payload, '$.latitude') = k.latitude
				AND json_extract(o.payload, '$.longitude') = k.longitude))
		ORDER BY o.id`, id, chat, after)
	if err != nil {
		return nil, fmt.Errorf("list media of case %d in %d: %w", id, chat, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var o int64
		if err := rows.Scan(&o); err != nil {
			return nil, fmt.Errorf("list media of case %d in %d: %w", id, chat, err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// PendingApprovals lists the ids of user's requests still waiting for an
// admin, oldest first.
func (tx *Tx) PendingApprovals(user int64) ([]int64, error) {
	rows, err := tx.Query(`SELECT id FROM approvals WHERE user_id = ? AND status = 'pending' ORDER BY id`, user)
	if err != nil {
		return nil, fmt.Errorf("pending approvals of user %d: %w", user, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("pending approvals of user %d: %w", user, err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
