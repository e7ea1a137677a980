package store

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CasePhoto is a photo of a case as Telegram identifies it, and where it was
// saved once downloaded.
type CasePhoto struct {
	ID           int64
	CaseID       int64
	FileID       string
	FileUniqueID string
	Width        int
	Height       int
	Size         int
	// Status is PhotoPending until downloaded (PhotoDone) or given up on
	// (PhotoFailed).
	Status string
	// LocalPath is relative to the media folder; "" until downloaded.
	LocalPath string
	Attempts  int
}

// Photo download statuses.
const (
	PhotoPending = "pending"
	PhotoDone    = "done"
	PhotoFailed  = "failed"
	// PhotoReplaced: a fixed report no longer shows the photo. The row and
	// its file stay until the case is erased, so erasure finds every file
	// ever downloaded for the case (CaseMediaFiles).
	PhotoReplaced = "replaced"
)

// ErrPhotoGone is PhotoDownloaded's answer for a photo whose row no longer
// exists (its case was erased during the download): the file just written
// must be deleted.
var ErrPhotoGone = errors.New("photo no longer recorded")

// CaseMediaDir is the folder, relative to the media folder, where the photos
// of case id are downloaded. Erasing the case removes it whole.
func CaseMediaDir(id int64) string { return fmt.Sprintf("case-%d", id) }

// SafeFileName keeps letters, digits, '-' and '_' of s (a Telegram file id, a
// form id) for a file name; fallback names what is left empty.
func SafeFileName(s, fallback string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
	if s == "" {
		return fallback
	}
	return s
}

// AddCasePhoto records a photo of case id, waiting to be downloaded.
func (tx *Tx) AddCasePhoto(id int64, p CasePhoto) error {
	if _, err := tx.Exec(`INSERT INTO case_photos (case_id, file_id, file_unique_id, width, height, size, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, id, p.FileID, p.FileUniqueID, p.Width, p.Height, p.Size,
		formatTime(tx.now)); err != nil {
		return fmt.Errorf("add photo to case %d: %w", id, err)
	}
	return nil
}

// DeleteCasePhotos takes the photos of case id off the case (before a fixed
// report stores its photos again). They are marked replaced, not deleted:
// their downloaded files stay in the media folder until the case is erased,
// and erasure must find them. A replaced photo not yet downloaded never is.
func (tx *Tx) DeleteCasePhotos(id int64) error {
	if _, err := tx.Exec(`UPDATE case_photos SET status = 'replaced' WHERE case_id = ? AND status != 'replaced'`,
		id); err != nil {
		return fmt.Errorf("delete photos of case %d: %w", id, err)
	}
	return nil
}

// CaseMediaFiles lists every file ever downloaded for case id (relative to
// the media folder), the replaced photos' included, and the Telegram file ids
// of all its photos.
func (tx *Tx) CaseMediaFiles(id int64) (paths, fileIDs []string, err error) {
	rows, err := tx.Query(`SELECT local_path, file_id FROM case_photos WHERE case_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, nil, fmt.Errorf("list media of case %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var p, f string
		if err := rows.Scan(&p, &f); err != nil {
			return nil, nil, fmt.Errorf("list media of case %d: %w", id, err)
		}
		if p != "" && !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
		if f != "" && !slices.Contains(fileIDs, f) {
			fileIDs = append(fileIDs, f)
		}
	}
	return paths, fileIDs, rows.Err()
}

const photoSelect = `SELECT id, case_id, file_id, file_unique_id, width, height, size, status, local_path, attempts
	FROM case_photos`

func scanPhoto(row scanner) (CasePhoto, error) {
	var p CasePhoto
	err := row.Scan(&p.ID, &p.CaseID, &p.FileID, &p.FileUniqueID, &p.Width, &p.Height, &p.Size, &p.Status,
		&p.LocalPath, &p.Attempts)
	return p, err
}

// CasePhotos lists the photos of case id in the order they were sent
// (replaced ones left out).
func (tx *Tx) CasePhotos(id int64) ([]CasePhoto, error) {
	rows, err := tx.Query(photoSelect+` WHERE case_id = ? AND status != 'replaced' ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("list photos of case %d: %w", id, err)
	}
	defer rows.Close()
	var out []CasePhoto
	for rows.Next() {
		p, err := scanPhoto(rows)
		if err != nil {
			return nil, fmt.Errorf("list photos of case %d: %w", id, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PendingPhotos returns up to limit photos waiting for download whose next
// attempt is due at now, oldest first.
func (db *DB) PendingPhotos(now time.Time, limit int) ([]CasePhoto, error) {
	rows, err := db.db.Query(photoSelect+` WHERE status = 'pending' AND next_try <= ? ORDER BY id LIMIT ?`,
		now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("list photos to download: %w", err)
	}
	defer rows.Close()
	var out []CasePhoto
	for rows.Next() {
		p, err := scanPhoto(rows)
		if err != nil {
			return nil, fmt.Errorf("list photos to download: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PhotoDownloaded records that photo id is saved at path (relative to the
// media folder). A photo replaced during the download stays replaced (with
// its path, for erasure); one whose row is gone gives ErrPhotoGone.
func (db *DB) PhotoDownloaded(id int64, path string) error {
	res, err := db.db.Exec(`UPDATE case_photos SET status = CASE status WHEN 'replaced' THEN 'replaced' ELSE 'done' END,
		local_path = ?, attempts = attempts + 1, error = '' WHERE id = ?`, path, id)
	if err != nil {
		return fmt.Errorf("mark photo %d downloaded: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("mark photo %d downloaded: %w", id, err)
	} else if n == 0 {
		return fmt.Errorf("mark photo %d downloaded: %w", id, ErrPhotoGone)
	}
	return nil
}

// PhotoRetry records a failed download of photo id, to be tried again no
// earlier than at.
func (db *DB) PhotoRetry(id int64, at time.Time, reason string) error {
	if _, err := db.db.Exec(`UPDATE case_photos SET attempts = attempts + 1, next_try = ?, error = ? WHERE id = ?`,
		at.UnixMilli(), reason, id); err != nil {
		return fmt.Errorf("mark photo %d for retry: %w", id, err)
	}
	return nil
}

// PhotoFailed gives up on downloading photo id, keeping the reason.
func (db *DB) PhotoFailed(id int64, reason string) error {
	if _, err := db.db.Exec(`UPDATE case_photos SET status = 'failed', attempts = attempts + 1, error = ?
		WHERE id = ?`, reason, id); err != nil {
		return fmt.Errorf("mark photo %d failed: %w", id, err)
	}
	return nil
}
