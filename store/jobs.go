package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Job run statuses: every slot of a scheduled job ends in exactly one.
const (
	RunDone   = "done"   // the job ran and its effects committed
	RunFailed = "failed" // the job returned an error or panicked; its effects were rolled back
	RunMissed = "missed" // the slot passed while the bot was down, or a newer slot ran instead
)

// JobRun is the record of one slot of a scheduled job.
type JobRun struct {
	Job        string
	Slot       time.Time // the scheduled time, UTC
	Status     string    // RunDone, RunFailed or RunMissed
	Error      string
	RecordedAt time.Time
}

// JobCheckpoint returns the time up to which job name's slots were considered.
// A job seen for the first time, or whose spec changed, is registered with now:
// its slots before now were never due.
func (tx *Tx) JobCheckpoint(name, spec string, now time.Time) (time.Time, error) {
	var stored, checked string
	err := tx.QueryRow(`SELECT spec, checked_until FROM jobs WHERE name = ?`, name).Scan(&stored, &checked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && stored != spec) {
		if _, err := tx.Exec(`INSERT INTO jobs (name, spec, checked_until) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET spec = excluded.spec, checked_until = excluded.checked_until`,
			name, spec, formatTime(now)); err != nil {
			return time.Time{}, fmt.Errorf("register job %s: %w", name, err)
		}
		return now.UTC(), nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read job %s: %w", name, err)
	}
	return parseTime(checked)
}

// SetJobCheckpoint records that job name's slots up to t were considered.
func (tx *Tx) SetJobCheckpoint(name string, t time.Time) error {
	if _, err := tx.Exec(`UPDATE jobs SET checked_until = ? WHERE name = ?`, formatTime(t), name); err != nil {
		return fmt.Errorf("checkpoint job %s: %w", name, err)
	}
	return nil
}

// RecordJobRun records slot of job with status; it reports false, changing
// nothing, when the slot was already recorded.
func (tx *Tx) RecordJobRun(job string, slot time.Time, status, errText string) (bool, error) {
	res, err := tx.Exec(`INSERT INTO job_runs (job, slot, status, error, recorded_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, job, formatTime(slot), status, errText, formatTime(tx.now))
	if err != nil {
		return false, fmt.Errorf("record run of %s at %s: %w", job, formatTime(slot), err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("record run of %s at %s: %w", job, formatTime(slot), err)
	}
	return n == 1, nil
}

// FinishJobRun sets the status of a recorded slot.
func (tx *Tx) FinishJobRun(job string, slot time.Time, status, errText string) error {
	if _, err := tx.Exec(`UPDATE job_runs SET status = ?, error = ?, recorded_at = ? WHERE job = ? AND slot = ?`,
		status, errText, formatTime(tx.now), job, formatTime(slot)); err != nil {
		return fmt.Errorf("finish run of %s at %s: %w", job, formatTime(slot), err)
	}
	return nil
}

// PruneJobRuns deletes the records of slots before t: they only matter until
// the checkpoint has passed them.
func (tx *Tx) PruneJobRuns(before time.Time) error {
	if _, err := tx.Exec(`DELETE FROM job_runs WHERE slot < ?`, formatTime(before)); err != nil {
		return fmt.Errorf("prune job runs: %w", err)
	}
	return nil
}

// JobRuns lists the recorded slots of job (every job when job is ""), oldest
// first; for tests and inspection.
func (db *DB) JobRuns(ctx context.Context, job string) ([]JobRun, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT job, slot, status, error, recorded_at FROM job_runs
		WHERE ? = '' OR job = ? ORDER BY slot, job`, job, job)
	if err != nil {
		return nil, fmt.Errorf("list job runs: %w", err)
	}
	defer rows.Close()
	var out []JobRun
	for rows.Next() {
		var r JobRun
		var slot, at string
		if err := rows.Scan(&r.Job, &slot, &r.Status, &r.Error, &at); err != nil {
			return nil, fmt.Errorf("list job runs: %w", err)
		}
		if r.Slot, err = parseTime(slot); err != nil {
			return nil, err
		}
		if r.RecordedAt, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
