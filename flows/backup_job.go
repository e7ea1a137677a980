package flows

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"dinsosbot/store"
)

// Backups sets the scheduled backups to a folder on the server. The zero
// value takes none.
type Backups struct {
	// Dir is the folder the copies go to (created 0700); "" turns scheduled
	// backups off.
	Dir string
	// Keep is how many of the newest copies stay; older ones are deleted
	// after each backup. Below 1 keeps every copy.
	Keep int
	// Spec is the cron expression; default "0 2 * * *" (02.00 every day);
	// Off turns them off.
	Spec string
}

// JobBackup is the scheduled backup's name in job_runs.
const JobBackup = "backup"

// SystemUser is the audit log's actor for what the bot does by itself on a
// schedule (backups).
const SystemUser = 0

// backupSpec is the scheduled backup's cron expression, Off when none.
func (b Backups) backupSpec() string {
	if b.Dir == "" {
		return Off
	}
	if b.Spec == "" {
		return "0 2 * * *"
	}
	return b.Spec
}

// backupJob writes a consistent copy of the database into Backups.Dir
// (VACUUM INTO through a reader beside the writer: what was committed before
// this slot), deletes the copies past Keep or older than the retention, and
// records both in the audit
// log. A failure leaves the copies as they were and is recorded with the slot.
func (a *App) backupJob(tx *store.Tx, _ time.Time) error {
	b := a.cfg.Backups
	path, err := tx.Backup(b.Dir)
	if err != nil {
		return jobError(JobBackup, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return jobError(JobBackup, err)
	}
	removed, err := store.PruneBackups(b.Dir, b.Keep)
	if err != nil {
		return jobError(JobBackup, err)
	}
	// Copies older than the retention go too, however few there are: an
	// erasure must not live on in a copy for longer than the retention.
	if a.cfg.Retention.spec() != Off {
		old, err := store.PruneBackupsBefore(b.Dir, tx.Now().AddDate(0, 0, -a.cfg.Retention.days()))
		if err != nil {
			return jobError(JobBackup, err)
		}
		removed = append(removed, old...)
	}
	detail := fmt.Sprintf("scheduled file=%s size=%s pruned=%s", filepath.Base(path),
		strconv.FormatInt(st.Size(), 10), strconv.Itoa(len(removed)))
	return jobError(JobBackup, tx.Audit(SystemUser, "backup", detail))
}
