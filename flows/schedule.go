package flows

import (
	"fmt"
	"time"

	"dinsosbot/store"
)

// Job is time-driven work the flows declare and the runtime's scheduler runs:
// at every slot of Spec (a cron expression in Config.Location), once, inside
// one transaction together with the record of the slot. A slot missed while the
// bot was down runs once on start when it is recent enough; see bot.Scheduler.
type Job struct {
	// Name identifies the job in the record of its runs; never rename a
	// deployed job (its slots would run again).
	Name string
	// Spec is a standard 5-field cron expression ("0 7 * * 1") or a descriptor
	// (@daily, @every 5m).
	Spec string
	// Run does the work of slot, the scheduled time (UTC), at tx.Now(). An error
	// or a panic rolls back its writes and is recorded; the next slot runs as
	// usual.
	Run func(tx *store.Tx, slot time.Time) error
}

// Off, as a schedule, disables a job.
const Off = "off"

// Schedules sets when the time-driven work runs. Zero fields take the
// defaults given per field; a schedule Off disables its job.
type Schedules struct {
	// Sweep runs App.Sweep (reminding and expiring stale drafts, and other
	// housekeeping); default every minute.
	Sweep string
	// Meetings sends meeting reminders that are due; default every 5 minutes.
	Meetings string
	// MeetingOffsets say when, before a meeting starts, invitees are reminded;
	// default the day before at 08:00 and 2 hours before (see
	// ParseReminderOffset).
	MeetingOffsets []ReminderOffset
	// Coordinators reminds coordinators of the verification backlog and of
	// stale follow-ups; default weekdays at 08:00.
	Coordinators string
	// BacklogDays: a case waiting for verification longer is reminded; default 3.
	BacklogDays int
	// FollowUpDays: a verified or followed-up case without an update for
	// longer is reminded to who holds it; default 7.
	FollowUpDays int
	// WorkerNudge nudges workers with no report in WorkerNudgeDays; default
	// Off (a suggestion: "0 9 1 * *", monthly).
	WorkerNudge string
	// WorkerNudgeDays is the nudge's period; default 30.
	WorkerNudgeDays int
	// DigestDaily and DigestWeekly send the digests; default 07:00 every day
	// and 07:00 on Mondays.
	DigestDaily  string
	DigestWeekly string
	// DigestDefault is what a coordinator or admin receives before choosing
	// with /ringkasan: "daily", "weekly", "both" or "none"; default "daily".
	DigestDefault string
}

// withDefaults fills the zero fields.
func (s Schedules) withDefaults() Schedules {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&s.Sweep, "* * * * *")
	def(&s.Meetings, "*/5 * * * *")
	def(&s.Coordinators, "0 8 * * 1-5")
	def(&s.WorkerNudge, Off)
	def(&s.DigestDaily, "0 7 * * *")
	def(&s.DigestWeekly, "0 7 * * 1")
	def(&s.DigestDefault, digestDaily)
	if s.MeetingOffsets == nil {
		s.MeetingOffsets = []ReminderOffset{{Days: 1, At: "08:00"}, {Before: 2 * time.Hour}}
	}
	if s.BacklogDays <= 0 {
		s.BacklogDays = 3
	}
	if s.FollowUpDays <= 0 {
		s.FollowUpDays = 7
	}
	if s.WorkerNudgeDays <= 0 {
		s.WorkerNudgeDays = 30
	}
	return s
}

// Job names, as recorded in job_runs.
const (
	JobSweep        = "sweep"
	JobMeetings     = "meeting_reminders"
	JobCoordinators = "coordinator_reminders"
	JobWorkerNudge  = "worker_nudge"
	JobDigestDaily  = "digest_daily"
	JobDigestWeekly = "digest_weekly"
)

// Jobs are the scheduled jobs of the flows, for the runtime's scheduler; jobs
// whose schedule is Off are left out.
func (a *App) Jobs() []Job {
	s := a.cfg.Schedules
	all := []Job{
		{Name: JobSweep, Spec: s.Sweep, Run: func(tx *store.Tx, _ time.Time) error { return a.Sweep(tx) }},
		{Name: JobMeetings, Spec: s.Meetings, Run: a.remindMeetings},
		{Name: JobCoordinators, Spec: s.Coordinators, Run: a.remindCoordinators},
		{Name: JobWorkerNudge, Spec: s.WorkerNudge, Run: a.nudgeWorkers},
		{Name: JobDigestDaily, Spec: s.DigestDaily, Run: a.digestJob(digestDaily)},
		{Name: JobDigestWeekly, Spec: s.DigestWeekly, Run: a.digestJob(digestWeekly)},
		{Name: JobBackup, Spec: a.cfg.Backups.backupSpec(), Run: a.backupJob},
		{Name: JobRetention, Spec: a.cfg.Retention.spec(), Run: a.retentionJob},
	}
	var out []Job
	for _, j := range all {
		if j.Spec != Off {
			out = append(out, j)
		}
	}
	return out
}

// Location is the configured time zone, which schedules use too.
func (a *App) Location() *time.Location { return a.cfg.Location }

// jobError names the job in an error from its work.
func jobError(job string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", job, err)
}
