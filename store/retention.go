package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Retained counts what one retention pass scrubbed.
type Retained struct {
	// Outbox rows sent or given up on whose texts, buttons, files and
	// coordinates were removed (chat and Telegram message id stay, for
	// later edits).
	Outbox int
	// FailedUpdates deleted (raw updates kept for debugging).
	FailedUpdates int
	// Audit entries whose detail was blanked (who, what and when stay).
	Audit int
}

// scrubbedPayload is what a scrubbed outbox row keeps of its message: what an
// edit of the message, or the sender reading an old row, still needs.
const scrubbedPayload = `json_remove(payload, '$.text', '$.buttons', '$.reply', '$.file_name', '$.file_id',
	'$.latitude', '$.longitude', '$.commands')`

// ScrubOlderThan applies the retention to what was recorded before cutoff:
// the outbox rows already sent or given up on lose their payloads' personal
// texts and their files, failed updates are deleted, and audit entries lose
// their detail. Pending outbox rows are never touched. The audit log's
// triggers allow only this change, only for entries before the cutoff
// recorded in audit_scrub (see migration 0016).
func (tx *Tx) ScrubOlderThan(cutoff time.Time) (Retained, error) {
	var r Retained
	at := formatTime(cutoff)
	res, err := tx.Exec(`UPDATE outbox SET payload = `+scrubbedPayload+`, file = NULL, scrubbed = 1
		WHERE scrubbed = 0 AND status != 'pending' AND created_at < ?`, at)
	if err != nil {
		return r, fmt.Errorf("retention: outbox: %w", err)
	}
	r.Outbox = affected(res)
	if res, err = tx.Exec(`DELETE FROM failed_updates WHERE created_at < ?`, at); err != nil {
		return r, fmt.Errorf("retention: failed updates: %w", err)
	}
	r.FailedUpdates = affected(res)
	if _, err := tx.Exec(`UPDATE audit_scrub SET cutoff = ? WHERE id = 1 AND cutoff < ?`, at, at); err != nil {
		return r, fmt.Errorf("retention: audit cutoff: %w", err)
	}
	if res, err = tx.Exec(`UPDATE audit_log SET detail = '' WHERE detail != '' AND at < ?`, at); err != nil {
		return r, fmt.Errorf("retention: audit details: %w", err)
	}
	r.Audit = affected(res)
	if r != (Retained{}) {
		tx.MarkErased()
	}
	return r, nil
}

func affected(res interface{ RowsAffected() (int64, error) }) int {
	n, err := res.RowsAffected()
	if err != nil {
		return 0
	}
	return int(n)
}

// PruneBackupsBefore deletes the backup files in dir (named by
// Backup, dinsosbot-YYYYMMDD-HHMMSS.db) taken before cutoff, and returns
// their paths. A missing folder has nothing to prune; other files are never
// touched.
func PruneBackupsBefore(dir string, cutoff time.Time) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("prune old backups: %w", err)
	}
	var removed []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasPrefix(n, backupPrefix) || !strings.HasSuffix(n, backupSuffix) {
			continue
		}
		stamp := strings.TrimPrefix(n, backupPrefix)
		if len(stamp) < len("20060102-150405") {
			continue
		}
		t, err := time.Parse("20060102-150405", stamp[:len("20060102-150405")])
		if err != nil || !t.Before(cutoff) {
			continue
		}
		p := filepath.Join(dir, n)
		if err := os.Remove(p); err != nil {
			return removed, fmt.Errorf("prune old backups: %w", err)
		}
		removed = append(removed, p)
	}
	return removed, nil
}
