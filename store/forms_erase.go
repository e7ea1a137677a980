package store

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Erasure of form submissions. A submission linked to a case is about the
// case's person: erasing the case erases it (the case row stays, so ON DELETE
// CASCADE never fires). A worker erasing themself keeps what they submitted
// for the office, as their cases are kept, under their stand-in, without the
// answers the bot filled from their account (username).

// eraseSubmissions deletes the submissions where (SQL on form_submissions)
// selects, with their review cards: it returns the media files to delete
// (relative to the media folder) and the cards already delivered, to be taken
// out of their chats. The rows that sent the cards (and edited them) are
// emptied in the outbox.
func (tx *Tx) eraseSubmissions(where string, args ...any) (files []string, delivered []Delivered, n int, err error) {
	rows, err := tx.Query(`SELECT id, data FROM form_submissions WHERE `+where, args...)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("erase submissions: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var data string
		if err := rows.Scan(&id, &data); err != nil {
			rows.Close()
			return nil, nil, 0, fmt.Errorf("erase submissions: %w", err)
		}
		ids = append(ids, id)
		if answers, err := DecodeFormAnswers(data); err == nil {
			for _, a := range answers {
				files = append(files, a.Files...)
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, 0, fmt.Errorf("erase submissions: %w", err)
	}
	for _, id := range ids {
		notices, err := tx.SubmissionNotices(id)
		if err != nil {
			return nil, nil, 0, err
		}
		for _, nt := range notices {
			d, err := tx.scrubNoticeRows(nt.OutboxID)
			if err != nil {
				return nil, nil, 0, err
			}
			delivered = append(delivered, d...)
		}
		if _, err := tx.Exec(`DELETE FROM form_submissions WHERE id = ?`, id); err != nil {
			return nil, nil, 0, fmt.Errorf("erase submission %d: %w", id, err)
		}
	}
	if len(ids) > 0 {
		tx.MarkErased()
	}
	return files, delivered, len(ids), nil
}

// scrubNoticeRows empties the outbox row id and the rows that edited it,
// returning the message they put in a chat when it was sent.
func (tx *Tx) scrubNoticeRows(id int64) ([]Delivered, error) {
	rows, err := tx.Query(`SELECT id, status, payload, tg_message_id FROM outbox
		WHERE id = ? OR json_extract(payload, '$.edit_of') = ? ORDER BY id`, id, id)
	if err != nil {
		return nil, fmt.Errorf("scrub notice %d: %w", id, err)
	}
	type row struct {
		id              int64
		status, payload string
		tgID            int
	}
	var found []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.status, &r.payload, &r.tgID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scrub notice %d: %w", id, err)
		}
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("scrub notice %d: %w", id, err)
	}
	var out []Delivered
	for _, r := range found {
		var m Message
		if err := json.Unmarshal([]byte(r.payload), &m); err != nil {
			return nil, fmt.Errorf("scrub notice row %d: %w", r.id, err)
		}
		if r.status == StatusSent {
			if d, ok := deliveredBy(r.id, m, r.tgID); ok && r.id == id {
				out = append(out, d)
			}
		}
		blank := Message{Kind: m.Kind, ChatID: m.ChatID, Priority: m.Priority, MessageID: m.MessageID, EditOf: m.EditOf}
		payload, err := json.Marshal(blank)
		if err != nil {
			return nil, fmt.Errorf("scrub notice row %d: %w", r.id, err)
		}
		status := r.status
		if status == StatusPending {
			status = StatusFailed
		}
		if _, err := tx.Exec(`UPDATE outbox SET payload = ?, file = NULL, status = ?, scrubbed = 1,
			error = CASE WHEN status = 'pending' THEN 'erased' ELSE error END WHERE id = ?`,
			string(payload), status, r.id); err != nil {
			return nil, fmt.Errorf("scrub notice row %d: %w", r.id, err)
		}
	}
	return out, nil
}

// eraseCaseSubmissions erases the submissions linked to case id into er.
func (tx *Tx) eraseCaseSubmissions(id int64, er *Erasure) error {
	files, delivered, _, err := tx.eraseSubmissions(`case_id = ?`, id)
	if err != nil {
		return fmt.Errorf("erase submissions of case %d: %w", id, err)
	}
	er.Photos = append(er.Photos, files...)
	er.Delivered = append(er.Delivered, delivered...)
	return nil
}

// handOverSubmissions moves what user u submitted, reviewed and uploaded to
// their stand-in, blanking the answers the bot filled from their account.
func (tx *Tx) handOverSubmissions(u User, standIn int64) error {
	for _, q := range []string{
		`UPDATE form_submissions SET user_id = ? WHERE user_id = ?`,
		`UPDATE form_submissions SET reviewed_by = ? WHERE reviewed_by = ?`,
		`UPDATE form_versions SET uploaded_by = ? WHERE uploaded_by = ?`,
		`UPDATE form_uploads SET user_id = ?, chat_id = 0, file_name = '' WHERE user_id = ?`,
	} {
		if _, err := tx.Exec(q, standIn, u.ID); err != nil {
			return fmt.Errorf("erase user %d: submissions: %w", u.ID, err)
		}
	}
	if _, err := tx.Exec(`DELETE FROM form_submission_notices WHERE chat_id = ?`, u.ID); err != nil {
		return fmt.Errorf("erase user %d: submission notices: %w", u.ID, err)
	}
	own := map[string]bool{}
	for _, s := range []string{u.Username, "@" + u.Username, u.FullName, u.FirstName} {
		if s = strings.TrimSpace(s); s != "" && s != "@" {
			own[strings.ToLower(s)] = true
		}
	}
	subs, err := tx.ListSubmissions(SubmissionFilter{UserID: standIn})
	if err != nil {
		return err
	}
	for _, s := range subs {
		answers, err := DecodeFormAnswers(s.Data)
		if err != nil {
			continue // not ours to repair; nothing of the account can be told apart in it
		}
		changed := false
		for name, a := range answers {
			if a.Computed && own[strings.ToLower(strings.TrimSpace(a.Text))] {
				a.Text = ""
				answers[name], changed = a, true
			}
		}
		if !changed {
			continue
		}
		data, err := EncodeFormAnswers(answers)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE form_submissions SET data = ? WHERE id = ?`, data, s.ID); err != nil {
			return fmt.Errorf("erase user %d: submission %d: %w", u.ID, s.ID, err)
		}
	}
	return nil
}
