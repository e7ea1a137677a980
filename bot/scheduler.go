package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
	_ "time/tzdata" // schedules use the configured zone even without system zone files

	"github.com/robfig/cron/v3"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// ScheduleConfig sets up the scheduler of the handler's jobs. The zero value
// takes the documented defaults.
type ScheduleConfig struct {
	// Location is the zone cron expressions are read in; default the handler's
	// Location(), else Asia/Jakarta.
	Location *time.Location
	// CatchUp is how late a slot may still run: a slot missed while the bot was
	// down runs once on start when it is at most this old, older ones are
	// recorded as missed. Default 6 h; at least 1 min (a timer is never exact).
	CatchUp time.Duration
	// Manual turns cron's own timer off: jobs run on start and whenever RunDue
	// (or Bot.Sweep) is called. For tests that move the clock.
	Manual bool
	// Retention is how long the record of a slot is kept; default 30 days.
	Retention time.Duration
}

// scheduledJobs is implemented by handlers that declare jobs (*flows.App).
type scheduledJobs interface {
	Jobs() []flows.Job
}

// zoned is implemented by handlers that know the deployment's time zone.
type zoned interface {
	Location() *time.Location
}

// maxWalk bounds the slots of one job looked at in one pass; past it (a
// every-minute job after a long downtime) the walk jumps to the catch-up
// window.
const maxWalk = 100_000

// maxMissedRecorded bounds the missed slots recorded per job and pass: the
// newest are kept, the count of the rest is logged.
const maxMissedRecorded = 50

// ValidateSpec reports whether spec is a cron expression the scheduler accepts:
// five fields (minute hour day-of-month month day-of-week) or a descriptor
// such as @daily or @every 5m.
func ValidateSpec(spec string) error {
	_, err := cron.ParseStandard(spec)
	return err
}

// Scheduler runs the jobs the flows declare, on their cron schedules in the
// configured zone. It knows nothing of what the jobs do: it decides which slot
// is due, runs it once inside one transaction with the record of the slot, and
// records slots that were missed. A slot is never run twice, across restarts.
type Scheduler struct {
	db        *store.DB
	loc       *time.Location
	catchUp   time.Duration
	retention time.Duration
	log       *slog.Logger
	jobs      []scheduled

	mu     sync.Mutex // one pass at a time: cron's timer, RunDue, the start-up pass
	pruned time.Time
}

type scheduled struct {
	flows.Job
	schedule cron.Schedule
}

// NewScheduler checks every job's schedule and returns a Scheduler ready to
// Run. It fails, naming the job, on a bad cron expression or a name declared
// twice.
func NewScheduler(db *store.DB, jobs []flows.Job, cfg ScheduleConfig, log *slog.Logger) (*Scheduler, error) {
	if cfg.Location == nil {
		loc, err := time.LoadLocation("Asia/Jakarta")
		if err != nil {
			return nil, fmt.Errorf("scheduler: %w", err)
		}
		cfg.Location = loc
	}
	if cfg.CatchUp == 0 {
		cfg.CatchUp = 6 * time.Hour
	}
	cfg.CatchUp = max(cfg.CatchUp, time.Minute)
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Scheduler{db: db, loc: cfg.Location, catchUp: cfg.CatchUp, retention: cfg.Retention, log: log}
	seen := map[string]bool{}
	for _, j := range jobs {
		if j.Name == "" || j.Run == nil {
			return nil, fmt.Errorf("scheduler: job %q has no name or no work", j.Name)
		}
		if seen[j.Name] {
			return nil, fmt.Errorf("scheduler: job %s declared twice", j.Name)
		}
		seen[j.Name] = true
		sched, err := cron.ParseStandard(j.Spec)
		if err != nil {
			return nil, fmt.Errorf("scheduler: job %s: schedule %q: %w", j.Name, j.Spec, err)
		}
		s.jobs = append(s.jobs, scheduled{Job: j, schedule: sched})
	}
	return s, nil
}

// Run runs the slots due at start (catching up), then every job on cron's
// timer until ctx is cancelled; it waits for a job in progress before it
// returns. With manual set, only the start-up pass runs.
func (s *Scheduler) Run(ctx context.Context, manual bool) {
	if err := s.RunDue(ctx, s.db.Now()); err != nil && ctx.Err() == nil {
		s.log.Error("scheduler: start-up pass failed", "err", err)
	}
	if manual || len(s.jobs) == 0 {
		<-ctx.Done()
		return
	}
	logger := cronLogger{s.log}
	c := cron.New(cron.WithLocation(s.loc), cron.WithLogger(logger), cron.WithChain(jobChain(logger)...))
	for _, j := range s.jobs {
		c.Schedule(j.schedule, cron.FuncJob(func() {
			if err := s.runOne(ctx, j, s.db.Now()); err != nil && ctx.Err() == nil {
				s.log.Error("scheduler: job failed", "job", j.Name, "err", err)
			}
		}))
	}
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
}

// jobChain wraps every cron job: a run still in progress makes the next one
// skip, and a panic is recovered. Recover must be inside SkipIfStillRunning:
// outside it (robfig/cron v3.0.1), a panic skips the unlock and the job is
// skipped forever after.
func jobChain(logger cron.Logger) []cron.JobWrapper {
	return []cron.JobWrapper{cron.SkipIfStillRunning(logger), cron.Recover(logger)}
}

// RunDue runs, for every job, the slot due at now (if any) and records the
// slots missed before it. Tests call it after moving the clock; the timer
// calls it per job. Errors of the jobs themselves are recorded, not returned:
// an error here is the database's.
func (s *Scheduler) RunDue(ctx context.Context, now time.Time) error {
	var errs []error
	for _, j := range s.jobs {
		errs = append(errs, s.runOne(ctx, j, now))
	}
	return errors.Join(errs...)
}

// runOne considers job j's slots up to now in one transaction: the newest due
// slot within the catch-up window runs, the others are recorded as missed, and
// the checkpoint moves to now.
func (s *Scheduler) runOne(ctx context.Context, j scheduled, now time.Time) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("scheduler: job %s: panic: %v", j.Name, r)
		}
	}()
	now = now.UTC()
	var ran, missed int
	var runErr error
	var slot time.Time
	err = s.db.Update(ctx, func(tx *store.Tx) error {
		ran, missed, runErr, slot = 0, 0, nil, time.Time{}
		since, err := tx.JobCheckpoint(j.Name, j.Spec, now)
		if err != nil {
			return err
		}
		due, missedSlots := s.slots(j, since, now)
		missed = len(missedSlots)
		for _, m := range missedSlots[max(0, len(missedSlots)-maxMissedRecorded):] {
			if _, err := tx.RecordJobRun(j.Name, m, store.RunMissed, ""); err != nil {
				return err
			}
		}
		if !due.IsZero() {
			fresh, err := tx.RecordJobRun(j.Name, due, store.RunDone, "")
			if err != nil {
				return err
			}
			if fresh {
				ran, slot = 1, due
				runErr = tx.Savepoint(func() error { return j.Run(tx, due) })
				if runErr != nil {
					if err := tx.FinishJobRun(j.Name, due, store.RunFailed, runErr.Error()); err != nil {
						return err
					}
				}
			}
		}
		if now.After(since) {
			if err := tx.SetJobCheckpoint(j.Name, now); err != nil {
				return err
			}
		}
		if now.Sub(s.pruned) > 24*time.Hour {
			if err := tx.PruneJobRuns(now.Add(-s.retention)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("scheduler: job %s: %w", j.Name, err)
	}
	if now.Sub(s.pruned) > 24*time.Hour {
		s.pruned = now
	}
	if missed > 0 {
		s.log.Warn("scheduler: slots missed", "job", j.Name, "missed", missed,
			"recorded", min(missed, maxMissedRecorded))
	}
	switch {
	case runErr != nil:
		s.log.Error("scheduler: job failed; the next slot runs as usual", "job", j.Name, "slot", slot, "err", runErr)
	case ran > 0:
		s.log.Info("scheduler: job ran", "job", j.Name, "slot", slot)
	}
	return nil
}

// slots walks j's schedule from since (exclusive) to now (inclusive): due is
// the newest slot within the catch-up window, missed every other one.
func (s *Scheduler) slots(j scheduled, since, now time.Time) (due time.Time, missed []time.Time) {
	t := since
	for i := 0; ; i++ {
		if i == maxWalk {
			if edge := now.Add(-s.catchUp); edge.After(t) {
				s.log.Warn("scheduler: too many slots missed to record each", "job", j.Name, "from", t, "to", edge)
				t = edge
			}
		}
		next := j.schedule.Next(t.In(s.loc))
		if next.IsZero() || next.After(now) {
			return due, missed
		}
		next = next.UTC()
		if now.Sub(next) > s.catchUp {
			missed = append(missed, next)
		} else {
			if !due.IsZero() {
				missed = append(missed, due)
			}
			due = next
		}
		t = next
	}
}

// cronLogger sends cron's log to slog; its routine lines are debug.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}

// newBotScheduler builds the scheduler of handler's jobs (none when it
// declares none), in the configured zone or else the handler's.
func newBotScheduler(cfg Config, db *store.DB, handler Handler) (*Scheduler, error) {
	var jobs []flows.Job
	if h, ok := handler.(scheduledJobs); ok {
		jobs = h.Jobs()
	}
	sc := cfg.Schedule
	if z, ok := handler.(zoned); ok && sc.Location == nil {
		sc.Location = z.Location()
	}
	return NewScheduler(db, jobs, sc, cfg.Logger)
}
