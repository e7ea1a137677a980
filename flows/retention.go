package flows

import (
	"fmt"
	"time"

	"dinsosbot/store"
)

// Retention sets how long what the bot keeps beyond the cases themselves
// stays: the texts of messages already sent, failed updates kept for
// debugging, the details of audit entries, and scheduled backups. Cases,
// users and meetings are not touched: they are the office's records, erased
// on request (/hapus_kasus, /hapus_data_saya).
type Retention struct {
	// Days is the retention period; default DefaultRetentionDays.
	Days int
	// Spec is the daily job's cron expression; default "30 3 * * *" (03.30,
	// after the 02.00 backup); Off turns retention off.
	Spec string
}

// DefaultRetentionDays is the default retention: three months, long enough to
// answer a question about a message or a failed update, short enough that a
// leak of the server does not reach years of them.
const DefaultRetentionDays = 90

// JobRetention is the retention job's name in job_runs.
const JobRetention = "retention"

func (r Retention) days() int {
	if r.Days <= 0 {
		return DefaultRetentionDays
	}
	return r.Days
}

func (r Retention) spec() string {
	if r.Spec == "" {
		return "30 3 * * *"
	}
	return r.Spec
}

// retentionJob scrubs what is older than the retention (store.ScrubOlderThan)
// and deletes scheduled backups older than it, so an erasure or a scrub is
// not kept alive in a copy for longer than the retention. It audits itself
// first: the audit log's triggers let details be blanked only well behind the
// newest entry.
func (a *App) retentionJob(tx *store.Tx, _ time.Time) error {
	days := a.cfg.Retention.days()
	cutoff := tx.Now().AddDate(0, 0, -days)
	if err := tx.Audit(SystemUser, "retention", fmt.Sprintf("days=%d", days)); err != nil {
		return jobError(JobRetention, err)
	}
	r, err := tx.ScrubOlderThan(cutoff)
	if err != nil {
		return jobError(JobRetention, err)
	}
	var pruned []string
	if dir := a.cfg.Backups.Dir; dir != "" {
		if pruned, err = store.PruneBackupsBefore(dir, cutoff); err != nil {
			return jobError(JobRetention, err)
		}
	}
	detail := fmt.Sprintf("outbox=%d failed_updates=%d audit=%d backups=%d", r.Outbox, r.FailedUpdates, r.Audit,
		len(pruned))
	return jobError(JobRetention, tx.Audit(SystemUser, "retention_done", detail))
}
