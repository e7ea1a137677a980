package flows

import (
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// ReminderOffset says when, before a meeting starts, its invitees are reminded:
// Days before at At ("08:00", in the configured zone), or Before the start.
type ReminderOffset struct {
	Days   int
	At     string // HH:MM, with Days
	Before time.Duration
}

// ParseReminderOffset reads an offset as configured: "1d 08:00" (the day before
// at 08.00) or a duration such as "2h" or "90m" before the start.
func ParseReminderOffset(s string) (ReminderOffset, error) {
	s = strings.TrimSpace(s)
	if days, at, ok := strings.Cut(s, "d "); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > 30 {
			return ReminderOffset{}, fmt.Errorf("%q: the days before must be 1 to 30 (write it like \"1d 08:00\")", s)
		}
		if _, err := time.Parse("15:04", strings.TrimSpace(at)); err != nil {
			return ReminderOffset{}, fmt.Errorf("%q: %q is not a time of day (write it like \"1d 08:00\")", s, at)
		}
		return ReminderOffset{Days: n, At: strings.TrimSpace(at)}, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Minute || d > 30*24*time.Hour {
		return ReminderOffset{}, fmt.Errorf("%q is not an offset: write a duration before the start (\"2h\", \"90m\") "+
			"or days before at a time (\"1d 08:00\")", s)
	}
	return ReminderOffset{Before: d}, nil
}

// String is the offset as it is configured; it also names the reminder's kind.
func (o ReminderOffset) String() string {
	if o.Days > 0 {
		return fmt.Sprintf("%dd %s", o.Days, o.At)
	}
	return o.Before.String()
}

// due is when the reminder of a meeting starting at start goes out.
func (o ReminderOffset) due(start time.Time, loc *time.Location) time.Time {
	if o.Days == 0 {
		return start.Add(-o.Before)
	}
	day := start.In(loc).AddDate(0, 0, -o.Days)
	t, err := time.ParseInLocation(time.DateOnly+" 15:04", day.Format(time.DateOnly)+" "+o.At, loc)
	if err != nil {
		return start // validated at start; never reached
	}
	return t
}

// lead bounds how long before the start the reminder can be due.
func (o ReminderOffset) lead() time.Duration {
	if o.Days == 0 {
		return o.Before
	}
	return time.Duration(o.Days+1) * 24 * time.Hour
}

// remindMeetings sends each meeting's due reminder to every invitee who has not
// declined: the one of the latest offset already due (an offset due before the
// meeting was created or moved is skipped), once per meeting, person and offset. Those
// who have not answered get a nudge to answer with the buttons.
func (a *App) remindMeetings(tx *store.Tx, _ time.Time) error {
	now := tx.Now()
	offsets := a.cfg.Schedules.MeetingOffsets
	var horizon time.Duration
	for _, o := range offsets {
		horizon = max(horizon, o.lead())
	}
	meetings, err := tx.MeetingsStarting(now, now.Add(horizon))
	if err != nil {
		return jobError(JobMeetings, err)
	}
	for _, pm := range meetings {
		var pick ReminderOffset
		var pickDue time.Time
		for _, o := range offsets {
			d := o.due(pm.StartsAt, a.cfg.Location)
			if d.After(now) || d.Before(pm.PlannedAt) || (!pickDue.IsZero() && !d.After(pickDue)) {
				continue
			}
			pick, pickDue = o, d
		}
		if pickDue.IsZero() {
			continue
		}
		if err := a.remindMeeting(tx, pm.Meeting, "mtg "+pick.String()); err != nil {
			return jobError(JobMeetings, err)
		}
	}
	return nil
}

func (a *App) remindMeeting(tx *store.Tx, m store.Meeting, kind string) error {
	invs, err := tx.Invitations(m.ID)
	if err != nil {
		return err
	}
	subject := strconv.FormatInt(m.ID, 10)
	for _, inv := range invs {
		if inv.RSVP == store.RSVPNo {
			continue
		}
		u, ok, err := tx.GetUser(inv.UserID)
		if err != nil {
			return err
		}
		if !ok || u.Unreachable || u.Status != store.UserActive {
			continue
		}
		fresh, err := tx.MarkReminder(kind, subject, u.ID)
		if err != nil {
			return err
		}
		if !fresh {
			continue
		}
		if _, err := tx.Enqueue(a.meetingReminder(u, m, inv)); err != nil {
			return err
		}
	}
	return nil
}

// meetingReminder is u's reminder of m: when, where and how to check in; with
// the answer buttons when u has not answered yet.
func (a *App) meetingReminder(u store.User, m store.Meeting, inv store.Invitation) store.Message {
	lang := a.lang(u)
	text := i18n.T(lang, "rem.mtg", "title", html.EscapeString(m.Title), "when", a.when(m),
		"place", html.EscapeString(m.Place), "opens", a.clock(m.CheckinOpens())+" "+a.zone(m.StartsAt))
	msg := store.Message{ChatID: u.ID, Priority: store.PriorityNotice}
	if inv.RSVP == store.RSVPNone {
		text += "\n\n" + i18n.T(lang, "rem.mtg.nudge")
		id := strconv.FormatInt(m.ID, 10)
		yes, _ := data(cbMeeting, id, opRSVPYes, "")
		no, _ := data(cbMeeting, id, opRSVPNo, "")
		msg.Buttons = [][]store.Button{{{Text: i18n.T(lang, "mtg.btn.yes"), Data: yes},
			{Text: i18n.T(lang, "mtg.btn.no"), Data: no}}}
	}
	msg.Text = text
	return msg
}

// remindCoordinators tells each coordinator how many cases of their area wait
// for verification longer than BacklogDays (admins hear of kecamatan no
// coordinator covers), and tells whoever holds a verified or followed-up case
// unchanged for FollowUpDays.
func (a *App) remindCoordinators(tx *store.Tx, _ time.Time) error {
	if err := a.remindBacklog(tx); err != nil {
		return jobError(JobCoordinators, err)
	}
	return jobError(JobCoordinators, a.remindFollowUps(tx))
}

func (a *App) remindBacklog(tx *store.Tx) error {
	days := a.cfg.Schedules.BacklogDays
	before := tx.Now().Add(-time.Duration(days) * 24 * time.Hour)
	coords, err := tx.UsersWithRole(store.RoleCoordinator)
	if err != nil {
		return err
	}
	// Who covers each kecamatan ("*": all): a case whose only coordinator
	// is its reporter is the admins' to decide (separation of duties).
	coverers := map[string][]int64{}
	for _, u := range coords {
		for _, k := range u.Covers {
			coverers[k] = append(coverers[k], u.ID)
		}
		if len(u.Covers) == 0 {
			continue
		}
		waiting, err := tx.CasesWaiting([]string{store.CaseNew}, u.Covers, before)
		if err != nil {
			return err
		}
		if err := a.sendBacklog(tx, u, notReportedBy(waiting, u.ID), days); err != nil {
			return err
		}
	}
	decidedByAnother := func(k store.Case) bool {
		for _, id := range append(slices.Clone(coverers["*"]), coverers[k.Kecamatan]...) {
			if id != k.ReporterID {
				return true
			}
		}
		return false
	}
	all, err := tx.CasesWaiting([]string{store.CaseNew}, nil, before)
	if err != nil {
		return err
	}
	uncovered := slices.DeleteFunc(all, decidedByAnother)
	if len(uncovered) == 0 {
		return nil
	}
	admins, err := tx.UsersWithRole(store.RoleAdmin)
	if err != nil {
		return err
	}
	for _, u := range admins {
		waiting := uncovered
		if len(admins) > 1 {
			// The office's sole admin decides even their own report.
			waiting = notReportedBy(uncovered, u.ID)
		}
		if err := a.sendBacklog(tx, u, waiting, days); err != nil {
			return err
		}
	}
	return nil
}

// notReportedBy is cases without those user reported, in the same order.
func notReportedBy(cases []store.Case, user int64) []store.Case {
	return slices.DeleteFunc(slices.Clone(cases), func(k store.Case) bool { return k.ReporterID == user })
}

// sendBacklog tells u of the waiting cases (oldest first), if any.
func (a *App) sendBacklog(tx *store.Tx, u store.User, waiting []store.Case, days int) error {
	if len(waiting) == 0 {
		return nil
	}
	lang, k := a.lang(u), waiting[0]
	_, err := tx.Enqueue(store.Message{ChatID: u.ID, Priority: store.PriorityNotice,
		Text: i18n.T(lang, "rem.backlog", "n", itoa(len(waiting)), "days", itoa(days), "code", k.Code,
			"kecamatan", a.kecamatanName(k.Kecamatan), "since", a.formatDate(k.UpdatedAt),
			"waited", itoa(daysBetween(k.UpdatedAt, tx.Now())))})
	return err
}

func (a *App) remindFollowUps(tx *store.Tx) error {
	days := a.cfg.Schedules.FollowUpDays
	stale, err := tx.CasesWaiting([]string{store.CaseVerified, store.CaseFollowUp}, nil,
		tx.Now().Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		return err
	}
	held := map[int64][]store.Case{}
	var order []int64
	users := map[int64]store.User{}
	for _, k := range stale {
		holders, err := a.caseHolders(tx, k)
		if err != nil {
			return err
		}
		for _, u := range holders {
			if _, seen := held[u.ID]; !seen {
				order = append(order, u.ID)
				users[u.ID] = u
			}
			held[u.ID] = append(held[u.ID], k)
		}
	}
	for _, id := range order {
		if err := a.sendFollowUps(tx, users[id], held[id], days); err != nil {
			return err
		}
	}
	return nil
}

// caseHolders is who answers for a case in follow-up: the coordinator or admin
// who last moved it, while they still may; else the coordinators of its
// kecamatan; else the admins.
func (a *App) caseHolders(tx *store.Tx, k store.Case) ([]store.User, error) {
	if k.ReviewerID != 0 {
		u, ok, err := tx.GetUser(k.ReviewerID)
		if err != nil {
			return nil, err
		}
		if ok && !u.Unreachable && a.canReview(u, k) {
			return []store.User{u}, nil
		}
	}
	coords, err := tx.CaseCoordinators(k.Kecamatan)
	if err != nil || len(coords) > 0 {
		return coords, err
	}
	return tx.UsersWithRole(store.RoleAdmin)
}

// maxListed bounds the cases listed in one reminder.
const maxListed = 20

func (a *App) sendFollowUps(tx *store.Tx, u store.User, cases []store.Case, days int) error {
	lang := a.lang(u)
	lines := []string{i18n.T(lang, "rem.followup", "n", itoa(len(cases)), "days", itoa(days))}
	for i, k := range cases {
		if i == maxListed {
			lines = append(lines, i18n.T(lang, "rem.more", "n", itoa(len(cases)-maxListed)))
			break
		}
		lines = append(lines, i18n.T(lang, "rem.followup.item", "code", k.Code,
			"status", i18n.T(lang, "case.status."+k.Status), "kecamatan", a.kecamatanName(k.Kecamatan),
			"date", a.formatDate(k.UpdatedAt)))
	}
	lines = append(lines, i18n.T(lang, "rem.followup.hint"))
	return a.enqueueLong(tx, store.Message{ChatID: u.ID, Priority: store.PriorityNotice}, lines)
}

// nudgeWorkers reminds active PSM and TKSK with no report in WorkerNudgeDays
// that /lapor exists.
func (a *App) nudgeWorkers(tx *store.Tx, _ time.Time) error {
	days := a.cfg.Schedules.WorkerNudgeDays
	idle, err := tx.IdleWorkers(nil, tx.Now().Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		return jobError(JobWorkerNudge, err)
	}
	for _, u := range idle {
		if u.Unreachable {
			continue
		}
		if _, err := tx.Enqueue(store.Message{ChatID: u.ID, Priority: store.PriorityBroadcast,
			Text: i18n.T(a.lang(u), "rem.worker", "name", html.EscapeString(displayName(u)), "days", itoa(days))}); err != nil {
			return jobError(JobWorkerNudge, err)
		}
	}
	return nil
}

// kecamatanName is the kecamatan's name (escaped), or its code when unknown.
func (a *App) kecamatanName(code string) string {
	if k, ok := a.cfg.Regions.KecamatanByCode(code); ok {
		return html.EscapeString(k.Name)
	}
	return html.EscapeString(code)
}

// formatDate shows t's day in the configured zone ("02-11-2026").
func (a *App) formatDate(t time.Time) string { return t.In(a.cfg.Location).Format("02-01-2006") }

// daysBetween is how many whole days lie between from and to.
func daysBetween(from, to time.Time) int { return int(to.Sub(from) / (24 * time.Hour)) }
