package main

import (
	"fmt"
	"slices"
	"time"

	"dinsosbot/bot"
	"dinsosbot/flows"
)

// SchedulesConfig sets when reminders and digests run. Schedules are cron
// expressions (minute hour day-of-month month day-of-week) in time_zone, or
// "off".
type SchedulesConfig struct {
	CatchUp         Duration `yaml:"catch_up"`
	Sweep           string   `yaml:"sweep"`
	Meetings        string   `yaml:"meeting_reminders"`
	MeetingOffsets  []string `yaml:"meeting_offsets"`
	Coordinators    string   `yaml:"coordinator_reminders"`
	BacklogDays     int      `yaml:"backlog_days"`
	FollowUpDays    int      `yaml:"followup_days"`
	WorkerNudge     string   `yaml:"worker_nudge"`
	WorkerNudgeDays int      `yaml:"worker_nudge_days"`
	DigestDaily     string   `yaml:"digest_daily"`
	DigestWeekly    string   `yaml:"digest_weekly"`
	DigestDefault   string   `yaml:"digest_default"`
}

// defaultSchedules is Kota Jambi's: digests at 07.00 (Mondays for the weekly),
// coordinator reminders on weekdays at 08.00, meeting reminders the day before
// at 08.00 and 2 hours before, no worker nudge.
func defaultSchedules() SchedulesConfig {
	return SchedulesConfig{
		CatchUp:         Duration(6 * time.Hour),
		Sweep:           "* * * * *",
		Meetings:        "*/5 * * * *",
		MeetingOffsets:  []string{"1d 08:00", "2h"},
		Coordinators:    "0 8 * * 1-5",
		BacklogDays:     3,
		FollowUpDays:    7,
		WorkerNudge:     flows.Off,
		WorkerNudgeDays: 30,
		DigestDaily:     "0 7 * * *",
		DigestWeekly:    "0 7 * * 1",
		DigestDefault:   "daily",
	}
}

// validate checks every schedule and number, naming the key of the first
// that is wrong.
func (s SchedulesConfig) validate() error {
	specs := []struct{ key, spec string }{
		{"sweep", s.Sweep}, {"meeting_reminders", s.Meetings}, {"coordinator_reminders", s.Coordinators},
		{"worker_nudge", s.WorkerNudge}, {"digest_daily", s.DigestDaily}, {"digest_weekly", s.DigestWeekly},
	}
	for _, sp := range specs {
		if sp.spec == flows.Off {
			continue
		}
		if err := bot.ValidateSpec(sp.spec); err != nil {
			return fmt.Errorf("schedules.%s: %q is not a cron expression (write five fields, minute hour "+
				"day-of-month month day-of-week, like \"0 7 * * 1\", or off): %v", sp.key, sp.spec, err)
		}
	}
	for i, o := range s.MeetingOffsets {
		if _, err := flows.ParseReminderOffset(o); err != nil {
			return fmt.Errorf("schedules.meeting_offsets[%d]: %v", i, err)
		}
	}
	days := []struct {
		key string
		n   int
	}{{"backlog_days", s.BacklogDays}, {"followup_days", s.FollowUpDays}, {"worker_nudge_days", s.WorkerNudgeDays}}
	for _, d := range days {
		if d.n < 1 || d.n > 365 {
			return fmt.Errorf("schedules.%s: %d must be 1 to 365 days", d.key, d.n)
		}
	}
	if s.CatchUp < Duration(time.Minute) {
		return fmt.Errorf("schedules.catch_up: must be at least 1m")
	}
	if !slices.Contains(flows.DigestChoices, s.DigestDefault) {
		return fmt.Errorf("schedules.digest_default: %q is not one of %v", s.DigestDefault, flows.DigestChoices)
	}
	return nil
}

// flows maps the validated schedules to the flows' configuration.
func (s SchedulesConfig) flows() flows.Schedules {
	out := flows.Schedules{Sweep: s.Sweep, Meetings: s.Meetings, Coordinators: s.Coordinators,
		BacklogDays: s.BacklogDays, FollowUpDays: s.FollowUpDays, WorkerNudge: s.WorkerNudge,
		WorkerNudgeDays: s.WorkerNudgeDays, DigestDaily: s.DigestDaily, DigestWeekly: s.DigestWeekly,
		DigestDefault: s.DigestDefault, MeetingOffsets: []flows.ReminderOffset{}}
	for _, o := range s.MeetingOffsets {
		off, _ := flows.ParseReminderOffset(o) // validated in LoadConfig
		out.MeetingOffsets = append(out.MeetingOffsets, off)
	}
	return out
}

// schedule maps the validated schedules to the runtime's scheduler.
func (s SchedulesConfig) schedule(loc *time.Location) bot.ScheduleConfig {
	return bot.ScheduleConfig{Location: loc, CatchUp: time.Duration(s.CatchUp)}
}
