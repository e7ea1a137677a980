package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Upload statuses of form_uploads.
const (
	UploadPending = "pending"
	UploadDone    = "done"
	UploadFailed  = "failed"
)

// FormUpload is an admin's .xlsx document waiting to be fetched and checked.
type FormUpload struct {
	ID       int64
	UserID   int64
	ChatID   int64
	FileID   string
	FileName string
	Size     int
	Status   string
	Attempts int
}

// AddFormUpload records a document to fetch and returns its id.
func (tx *Tx) AddFormUpload(u FormUpload) (int64, error) {
	res, err := tx.Exec(`INSERT INTO form_uploads (user_id, chat_id, file_id, file_name, size, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, u.UserID, u.ChatID, u.FileID, u.FileName, u.Size, UploadPending, formatTime(tx.now))
	if err != nil {
		return 0, fmt.Errorf("add form upload: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add form upload: %w", err)
	}
	return id, nil
}

const uploadSelect = `SELECT id, user_id, chat_id, file_id, file_name, size, status, attempts FROM form_uploads`

func scanUpload(r scanner) (FormUpload, error) {
	var u FormUpload
	err := r.Scan(&u.ID, &u.UserID, &u.ChatID, &u.FileID, &u.FileName, &u.Size, &u.Status, &u.Attempts)
	return u, err
}

// PendingFormUploads returns up to limit uploads to fetch whose next attempt
// is due at now (wall clock), oldest first.
func (db *DB) PendingFormUploads(now time.Time, limit int) ([]FormUpload, error) {
	rows, err := db.db.Query(uploadSelect+` WHERE status = ? AND next_try <= ? ORDER BY id LIMIT ?`,
		UploadPending, now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("list form uploads: %w", err)
	}
	defer rows.Close()
	var out []FormUpload
	for rows.Next() {
		u, err := scanUpload(rows)
		if err != nil {
			return nil, fmt.Errorf("list form uploads: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// FormUploadRetry records a failed fetch of upload id, to be tried again no
// earlier than at.
func (db *DB) FormUploadRetry(id int64, at time.Time, reason string) error {
	if _, err := db.db.Exec(`UPDATE form_uploads SET attempts = attempts + 1, next_try = ?, error = ? WHERE id = ?`,
		at.UnixMilli(), reason, id); err != nil {
		return fmt.Errorf("retry form upload %d: %w", id, err)
	}
	return nil
}

// GetFormUpload returns upload id.
func (tx *Tx) GetFormUpload(id int64) (FormUpload, bool, error) {
	u, err := scanUpload(tx.QueryRow(uploadSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return FormUpload{}, false, nil
	}
	if err != nil {
		return FormUpload{}, false, fmt.Errorf("get form upload %d: %w", id, err)
	}
	return u, true, nil
}

// FinishFormUpload marks a pending upload done or failed; false when it was
// no longer pending (handled already: a replay after a crash).
func (tx *Tx) FinishFormUpload(id int64, status, reason string) (bool, error) {
	res, err := tx.Exec(`UPDATE form_uploads SET status = ?, error = ?, attempts = attempts + 1 WHERE id = ? AND status = ?`,
		status, reason, id, UploadPending)
	if err != nil {
		return false, fmt.Errorf("finish form upload %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// FormSummary is one form with its newest and published versions, for the
// admins' list.
type FormSummary struct {
	FormID            string
	Title             string
	Version           string // the published version's, else the newest's
	PublishedID       int64  // 0 when not published
	AudienceRole      string
	AudienceKecamatan string
	Submissions       int
}

// FormSummaries lists every form that was ever published, by title.
func (tx *Tx) FormSummaries() ([]FormSummary, error) {
	rows, err := tx.Query(`SELECT f.form_id, COALESCE(pv.title, lv.title, f.form_id), COALESCE(pv.version, lv.version, ''),
		COALESCE(f.published_version, 0), f.audience_role, f.audience_kecamatan,
		(SELECT COUNT(*) FROM form_submissions s WHERE s.form_id = f.form_id)
		FROM forms f
		LEFT JOIN form_versions pv ON pv.id = f.published_version
		LEFT JOIN form_versions lv ON lv.id = (SELECT MAX(id) FROM form_versions WHERE form_id = f.form_id AND status != 'discarded')
		ORDER BY 2, 1`)
	if err != nil {
		return nil, fmt.Errorf("form summaries: %w", err)
	}
	defer rows.Close()
	var out []FormSummary
	for rows.Next() {
		var s FormSummary
		if err := rows.Scan(&s.FormID, &s.Title, &s.Version, &s.PublishedID, &s.AudienceRole, &s.AudienceKecamatan,
			&s.Submissions); err != nil {
			return nil, fmt.Errorf("form summaries: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PublishedVersionOf returns the id of formID's published version, 0 when none.
func (tx *Tx) PublishedVersionOf(formID string) (int64, error) {
	var id sql.NullInt64
	err := tx.QueryRow(`SELECT published_version FROM forms WHERE form_id = ?`, formID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("published version of %s: %w", formID, err)
	}
	return id.Int64, nil
}

// SubmissionForms lists the form ids with submissions in kecamatan (nil or
// containing "*": every kecamatan), each with its newest version's id.
func (tx *Tx) SubmissionForms(kecamatan []string) ([]FormVersion, error) {
	where, args := kecamatanWhere(kecamatan)
	rows, err := tx.Query(`SELECT v.id, v.form_id, v.version, v.title FROM form_versions v
		WHERE v.id IN (SELECT MAX(version_id) FROM form_submissions WHERE `+where+` GROUP BY form_id)
		ORDER BY v.title, v.form_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("forms with submissions: %w", err)
	}
	defer rows.Close()
	var out []FormVersion
	for rows.Next() {
		var v FormVersion
		if err := rows.Scan(&v.ID, &v.FormID, &v.Version, &v.Title); err != nil {
			return nil, fmt.Errorf("forms with submissions: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func kecamatanWhere(kecamatan []string) (string, []any) {
	for _, k := range kecamatan {
		if k == "*" {
			return "1=1", nil
		}
	}
	if len(kecamatan) == 0 {
		return "0=1", nil
	}
	args := make([]any, len(kecamatan))
	for i, k := range kecamatan {
		args[i] = k
	}
	return "kecamatan IN (?" + strings.Repeat(",?", len(kecamatan)-1) + ")", args
}

// SubmissionsIn lists the submissions of formID (every form when "") in
// kecamatan (as SubmissionForms), with status (every status when ""), oldest first.
func (tx *Tx) SubmissionsIn(formID string, kecamatan []string, status string) ([]Submission, error) {
	where, args := kecamatanWhere(kecamatan)
	if formID != "" {
		where += " AND form_id = ?"
		args = append(args, formID)
	}
	if status != "" {
		where += " AND status = ?"
		args = append(args, status)
	}
	rows, err := tx.Query(submissionSelect+` WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("submissions in area: %w", err)
	}
	defer rows.Close()
	var out []Submission
	for rows.Next() {
		s, err := scanSubmission(rows)
		if err != nil {
			return nil, fmt.Errorf("submissions in area: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// AddSubmissionNotice remembers the review card outboxID sent to chatID
// about submission id.
func (tx *Tx) AddSubmissionNotice(id, chatID, outboxID int64) error {
	if _, err := tx.Exec(`INSERT OR REPLACE INTO form_submission_notices (submission_id, chat_id, outbox_id) VALUES (?, ?, ?)`,
		id, chatID, outboxID); err != nil {
		return fmt.Errorf("add submission notice %d: %w", id, err)
	}
	return nil
}

// SubmissionNotice is a review card sent about a submission.
type SubmissionNotice struct {
	ChatID, OutboxID int64
}

// SubmissionNotices lists the review cards of submission id.
func (tx *Tx) SubmissionNotices(id int64) ([]SubmissionNotice, error) {
	rows, err := tx.Query(`SELECT chat_id, outbox_id FROM form_submission_notices WHERE submission_id = ? ORDER BY chat_id`, id)
	if err != nil {
		return nil, fmt.Errorf("submission notices %d: %w", id, err)
	}
	defer rows.Close()
	var out []SubmissionNotice
	for rows.Next() {
		var n SubmissionNotice
		if err := rows.Scan(&n.ChatID, &n.OutboxID); err != nil {
			return nil, fmt.Errorf("submission notices %d: %w", id, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
