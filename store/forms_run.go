package store

import (
	"fmt"
	"time"

	"dinsosbot/store/nikcrypt"
)

// Filling XLSForm forms (issue 15, part 3): sealing a NIK answer, and the media
// of a submission waiting for download (form_media, migration 0029).

// SealFormNIK seals the digits of a NIK answer for a submission's Data and
// returns the ciphertext and its blind index; the digits never reach the
// database.
func (tx *Tx) SealFormNIK(nik string) (sealed, index string) {
	return tx.keys.SealNIK(nik), tx.keys.Index(nik)
}

// OpenFormNIK reads back a NIK answer sealed by SealFormNIK; a text that is
// not sealed is returned as it is.
func (tx *Tx) OpenFormNIK(sealed string) (string, error) {
	if _, ok := nikcrypt.SealedKeyID(sealed); !ok {
		return sealed, nil
	}
	nik, err := tx.keys.OpenNIK(sealed)
	if err != nil {
		return "", fmt.Errorf("decrypt a form's NIK answer: %w", err)
	}
	return nik, nil
}

// FormMedia is a photo or voice note of a submission, and where it is saved.
type FormMedia struct {
	ID           int64
	SubmissionID int64
	FileID       string
	FileUniqueID string
	// LocalPath is relative to the media folder, fixed when the submission
	// is saved (FormAnswer.Files names it).
	LocalPath string
	Status    string // PhotoPending, PhotoDone or PhotoFailed
	Attempts  int
}

// SubmissionMediaDir is the folder, relative to the media folder, of the
// media of submission id.
func SubmissionMediaDir(id int64) string { return fmt.Sprintf("form-%d", id) }

// AddFormMedia records a file of a submission, waiting to be downloaded.
func (tx *Tx) AddFormMedia(m FormMedia) error {
	if _, err := tx.Exec(`INSERT INTO form_media (submission_id, file_id, file_unique_id, local_path, created_at)
		VALUES (?, ?, ?, ?, ?)`, m.SubmissionID, m.FileID, m.FileUniqueID, m.LocalPath, formatTime(tx.now)); err != nil {
		return fmt.Errorf("add media to submission %d: %w", m.SubmissionID, err)
	}
	return nil
}

// DeleteFormMedia forgets the media of submission id not yet downloaded (a
// fixed submission records its files again); downloaded ones stay listed, for
// erasure.
func (tx *Tx) DeleteFormMedia(id int64) error {
	if _, err := tx.Exec(`DELETE FROM form_media WHERE submission_id = ? AND status != 'done'`, id); err != nil {
		return fmt.Errorf("delete media of submission %d: %w", id, err)
	}
	return nil
}

const formMediaSelect = `SELECT id, submission_id, file_id, file_unique_id, local_path, status, attempts FROM form_media`

// FormMediaOf lists the media of submission id, in the order sent.
func (tx *Tx) FormMediaOf(id int64) ([]FormMedia, error) {
	rows, err := tx.Query(formMediaSelect+` WHERE submission_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("list media of submission %d: %w", id, err)
	}
	defer rows.Close()
	var out []FormMedia
	for rows.Next() {
		var m FormMedia
		if err := rows.Scan(&m.ID, &m.SubmissionID, &m.FileID, &m.FileUniqueID, &m.LocalPath, &m.Status, &m.Attempts); err != nil {
			return nil, fmt.Errorf("list media of submission %d: %w", id, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// PendingFormMedia returns up to limit files waiting for download whose next
// attempt is due at now, oldest first.
func (db *DB) PendingFormMedia(now time.Time, limit int) ([]FormMedia, error) {
	rows, err := db.db.Query(formMediaSelect+` WHERE status = 'pending' AND next_try <= ? ORDER BY id LIMIT ?`,
		now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("list form media to download: %w", err)
	}
	defer rows.Close()
	var out []FormMedia
	for rows.Next() {
		var m FormMedia
		if err := rows.Scan(&m.ID, &m.SubmissionID, &m.FileID, &m.FileUniqueID, &m.LocalPath, &m.Status, &m.Attempts); err != nil {
			return nil, fmt.Errorf("list form media to download: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// FormMediaDownloaded records that file id is saved at its path; ErrPhotoGone
// when its row is gone (the submission was erased during the download).
func (db *DB) FormMediaDownloaded(id int64) error {
	res, err := db.db.Exec(`UPDATE form_media SET status = 'done', attempts = attempts + 1, error = '' WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("mark form media %d downloaded: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mark form media %d downloaded: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("mark form media %d downloaded: %w", id, ErrPhotoGone)
	}
	return nil
}

// FormMediaRetry records a failed download, to be tried again no earlier than at.
func (db *DB) FormMediaRetry(id int64, at time.Time, reason string) error {
	if _, err := db.db.Exec(`UPDATE form_media SET attempts = attempts + 1, next_try = ?, error = ? WHERE id = ?`,
		at.UnixMilli(), reason, id); err != nil {
		return fmt.Errorf("mark form media %d for retry: %w", id, err)
	}
	return nil
}

// FormMediaFailed gives up on downloading file id, keeping the reason.
func (db *DB) FormMediaFailed(id int64, reason string) error {
	if _, err := db.db.Exec(`UPDATE form_media SET status = 'failed', attempts = attempts + 1, error = ? WHERE id = ?`,
		reason, id); err != nil {
		return fmt.Errorf("mark form media %d failed: %w", id, err)
	}
	return nil
}

// SetSubmissionData replaces the answers of submission id (its media's file
// names are known once it has an id).
func (tx *Tx) SetSubmissionData(id int64, data string) error {
	if _, err := tx.Exec(`UPDATE form_submissions SET data = ? WHERE id = ?`, data, id); err != nil {
		return fmt.Errorf("set data of submission %d: %w", id, err)
	}
	return nil
}
