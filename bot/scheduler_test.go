package bot

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"dinsosbot/flows"
	"dinsosbot/store"
)

var wib = time.FixedZone("WIB", 7*3600)

// schedRig is a scheduler on a real SQLite file with a settable clock; open
// again (reopen) as a restarted bot would.
type schedRig struct {
	t    *testing.T
	path string
	now  time.Time
	db   *store.DB
	jobs []flows.Job
	s    *Scheduler
}

func newSchedRig(t *testing.T, start time.Time, jobs ...flows.Job) *schedRig {
	t.Helper()
	r := &schedRig{t: t, path: filepath.Join(t.TempDir(), "s.db"), now: start, jobs: jobs}
	r.reopen()
	t.Cleanup(func() { r.db.Close() })
	return r
}

func (r *schedRig) reopen() {
	r.t.Helper()
	if r.db != nil {
		r.db.Close()
	}
	db, err := store.Open(context.Background(), r.path, store.Options{Now: func() time.Time { return r.now }})
	if err != nil {
		r.t.Fatal(err)
	}
	s, err := NewScheduler(db, r.jobs, ScheduleConfig{Location: wib, CatchUp: 2 * time.Hour},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		r.t.Fatal(err)
	}
	r.db, r.s = db, s
}

// at sets the clock and runs what is due.
func (r *schedRig) at(t time.Time) {
	r.t.Helper()
	r.now = t
	if err := r.s.RunDue(context.Background(), t); err != nil {
		r.t.Fatal(err)
	}
}

func (r *schedRig) runs(job string) map[string]string {
	r.t.Helper()
	rs, err := r.db.JobRuns(context.Background(), job)
	if err != nil {
		r.t.Fatal(err)
	}
	out := map[string]string{}
	for _, x := range rs {
		out[x.Slot.In(wib).Format("01-02 15:04")] = x.Status
	}
	return out
}

func counting(name, spec string, n *atomic.Int32, slots *[]time.Time) flows.Job {
	return flows.Job{Name: name, Spec: spec, Run: func(tx *store.Tx, slot time.Time) error {
		n.Add(1)
		if slots != nil {
			*slots = append(*slots, slot)
		}
		return nil
	}}
}

func day(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, wib) }

// A slot runs once at its time, never again: not on a second pass, not after a
// restart.
func TestSchedulerSlotNeverTwice(t *testing.T) {
	var n atomic.Int32
	var slots []time.Time
	r := newSchedRig(t, day(2, 6, 0), counting("digest", "0 7 * * *", &n, &slots))
	r.at(day(2, 6, 0)) // registers the job
	r.at(day(2, 6, 59))
	if n.Load() != 0 {
		t.Fatalf("ran %d times before its slot", n.Load())
	}
	r.at(day(2, 7, 0))
	r.at(day(2, 7, 0))
	r.at(day(2, 7, 30))
	r.reopen()
	r.at(day(2, 7, 31))
	if got := n.Load(); got != 1 {
		t.Fatalf("ran %d times, want 1", got)
	}
	if !slots[0].Equal(day(2, 7, 0)) {
		t.Errorf("slot = %v, want 07:00 WIB", slots[0])
	}
	r.at(day(3, 7, 0))
	if got := n.Load(); got != 2 {
		t.Fatalf("the next day's slot: ran %d times, want 2", got)
	}
	if got := r.runs("digest"); got["11-02 07:00"] != store.RunDone || got["11-03 07:00"] != store.RunDone || len(got) != 2 {
		t.Errorf("runs = %v", got)
	}
}

// Down over a slot: back within the catch-up window, it runs once on start;
// back after it, the slot is recorded as missed and not run.
func TestSchedulerCatchUp(t *testing.T) {
	var n atomic.Int32
	r := newSchedRig(t, day(2, 6, 0), counting("digest", "0 7 * * *", &n, nil))
	r.at(day(2, 6, 0))
	// Down from 06.30 to 08.30: 07.00 is 1h30 old, inside the 2 h window.
	r.reopen()
	r.at(day(2, 8, 30))
	if got := n.Load(); got != 1 {
		t.Fatalf("within the window: ran %d times, want 1", got)
	}
	// Down from the 3rd 06.00 to 10.00: 07.00 is 3 h old.
	r.reopen()
	r.at(day(3, 10, 0))
	if got := n.Load(); got != 1 {
		t.Fatalf("after the window: ran %d times, want still 1", got)
	}
	// Down for three days: the older slots are missed, the one in the window runs.
	r.reopen()
	r.at(day(7, 8, 0))
	if got := n.Load(); got != 2 {
		t.Fatalf("after three days: ran %d times, want 2", got)
	}
	want := map[string]string{"11-02 07:00": store.RunDone, "11-03 07:00": store.RunMissed,
		"11-04 07:00": store.RunMissed, "11-05 07:00": store.RunMissed, "11-06 07:00": store.RunMissed,
		"11-07 07:00": store.RunDone}
	got := r.runs("digest")
	for k, v := range want {
		if got[k] != v {
			t.Errorf("slot %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

// Several slots inside the window: only the newest runs, the others are
// recorded as missed.
func TestSchedulerRunsNewestSlotOnly(t *testing.T) {
	var n atomic.Int32
	var slots []time.Time
	r := newSchedRig(t, day(2, 6, 0), counting("quarter", "*/15 * * * *", &n, &slots))
	r.at(day(2, 6, 0))
	r.at(day(2, 7, 0))
	if n.Load() != 1 || !slots[0].Equal(day(2, 7, 0)) {
		t.Fatalf("ran %d times, slots %v; want once, at 07:00", n.Load(), slots)
	}
	if got := r.runs("quarter"); got["11-02 06:15"] != store.RunMissed || got["11-02 06:45"] != store.RunMissed {
		t.Errorf("runs = %v", got)
	}
}

// A job that panics or fails is recorded as failed, its writes rolled back, and
// the scheduler goes on: other jobs run, and its next slot runs.
func TestSchedulerPanickingJob(t *testing.T) {
	var calls, other atomic.Int32
	boom := flows.Job{Name: "boom", Spec: "0 * * * *", Run: func(tx *store.Tx, slot time.Time) error {
		calls.Add(1)
		if _, err := tx.Exec(`INSERT INTO reminders_sent (kind, subject, user_id, sent_at) VALUES ('x', ?, 1, '')`,
			slot.String()); err != nil {
			return err
		}
		switch calls.Load() {
		case 1:
			panic("kaboom")
		case 2:
			return errors.New("database on fire")
		}
		return nil
	}}
	r := newSchedRig(t, day(2, 6, 30), boom, counting("other", "0 * * * *", &other, nil))
	r.at(day(2, 6, 30))
	r.at(day(2, 7, 0))
	r.at(day(2, 8, 0))
	r.at(day(2, 9, 0))
	if calls.Load() != 3 || other.Load() != 3 {
		t.Fatalf("boom ran %d times, other %d; want 3 and 3", calls.Load(), other.Load())
	}
	rs, err := r.db.JobRuns(context.Background(), "boom")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[0].Status != store.RunFailed || !strings.Contains(rs[0].Error, "kaboom") ||
		rs[1].Status != store.RunFailed || !strings.Contains(rs[1].Error, "on fire") || rs[2].Status != store.RunDone {
		t.Fatalf("runs = %+v", rs)
	}
	var n int
	if err := r.db.SQL().QueryRow(`SELECT COUNT(*) FROM reminders_sent`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d rows written, want 1 (the failed runs' writes rolled back)", n)
	}
}

// The chain keeps Recover inside SkipIfStillRunning: after a panic the job is
// not skipped forever (robfig/cron v3.0.1's trap with the other order).
func TestJobChainRecoversInsideSkip(t *testing.T) {
	var runs atomic.Int32
	logger := cronLogger{slog.New(slog.NewTextHandler(io.Discard, nil))}
	job := cron.NewChain(jobChain(logger)...).Then(cron.FuncJob(func() {
		if runs.Add(1) == 1 {
			panic("first run panics")
		}
	}))
	job.Run()
	job.Run()
	job.Run()
	if got := runs.Load(); got != 3 {
		t.Fatalf("the job ran %d times after a panic, want 3", got)
	}
}

// Cron's own timer drives the jobs too, through the same records: a job with a
// slot every second runs (no test clock: real time here).
func TestSchedulerTimer(t *testing.T) {
	ran := make(chan time.Time, 10)
	job := flows.Job{Name: "tick", Spec: "@every 1s", Run: func(tx *store.Tx, slot time.Time) error {
		select {
		case ran <- slot:
		default:
		}
		return nil
	}}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := NewScheduler(db, []flows.Job{job}, ScheduleConfig{Location: wib}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx, false); close(done) }()
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("the timer never ran the job")
	}
	cancel()
	<-done
}

func TestNewSchedulerRefusesBadSpec(t *testing.T) {
	_, err := NewScheduler(nil, []flows.Job{{Name: "digest_daily", Spec: "0 25 * * *",
		Run: func(*store.Tx, time.Time) error { return nil }}}, ScheduleConfig{Location: wib}, nil)
	if err == nil || !strings.Contains(err.Error(), "digest_daily") {
		t.Fatalf("err = %v, want one naming the job", err)
	}
	if ValidateSpec("*/5 * * * *") != nil || ValidateSpec("@daily") != nil || ValidateSpec("60 * * * *") == nil {
		t.Error("ValidateSpec disagrees with cron")
	}
}
