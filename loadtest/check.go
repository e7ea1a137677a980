package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"dinsosbot/bot/telegramtest"
)

// loadCounts are the effects the simulated people saw confirmed, next to
// what the database holds, and the delivery tallies.
type loadCounts struct {
	registered, registeredDB, inviteUses int
	cases, casesDB, caseCreates          int
	rsvps, rsvpsDB                       int
	checkins, checkinsDB                 int
	invited, invitationsDB               int
	failedUpdates                        int
	openConversations                    int
	stuck                                int
	outbox                               map[string]int
	outboxSends                          int // outbox rows that are Telegram messages, sent
	botMessages                          int // messages the fake shows from the bot
	duplicates                           int // botMessages − outboxSends: sent twice (at least once)
	consecutive                          int // identical consecutive bot messages in a chat
	missing                              int // sent rows whose message the user never got
	integrity                            string
}

// check compares what the people did with what the bot stored and sent, and
// returns one line per failed invariant. The bot must have stopped.
func check(ctx context.Context, srv *telegramtest.Server, dbPath string, p *people, c *loadCounts) []string {
	var fail []string
	failf := func(format string, args ...any) { fail = append(fail, fmt.Sprintf(format, args...)) }
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return []string{err.Error()}
	}
	defer db.Close()
	q := func(dst any, query string, args ...any) {
		if err := db.QueryRowContext(ctx, query, args...).Scan(dst); err != nil {
			failf("query %q: %v", query, err)
		}
	}

	// No conversation stuck: every worker finished, every form closed.
	for _, w := range p.workers {
		if w.err != nil {
			c.stuck++
			if c.stuck <= 5 {
				failf("stuck: worker %d (%s): %v", w.i, w.name, firstLine(w.err.Error()))
			}
		}
	}
	if p.adminErr != nil {
		c.stuck++
		failf("stuck: the admin: %v", firstLine(p.adminErr.Error()))
	}
	q(&c.openConversations, `SELECT COUNT(*) FROM conversations`)
	if c.openConversations > 0 && c.stuck == 0 {
		failf("%d conversations still open although every person finished", c.openConversations)
	}

	// Exactly once: each effect the people saw confirmed is stored once,
	// nothing they did not see is stored.
	ids := map[int64]*worker{}
	for _, w := range p.workers {
		ids[w.u.ID()] = w
		if w.registered {
			c.registered++
		}
		c.cases += len(w.cases)
		if w.rsvp != "" {
			c.rsvps++
		}
		if w.checkedIn {
			c.checkins++
		}
	}
	active := map[int64]string{} // role
	rows(ctx, db, &fail, `SELECT id, role FROM users WHERE status = 'active' AND role IN ('psm', 'tksk')`, func(s scanner) error {
		var id int64
		var role string
		err := s.Scan(&id, &role)
		active[id] = role
		return err
	})
	c.registeredDB = len(active)
	for _, w := range p.workers {
		if role, ok := active[w.u.ID()]; w.registered != ok || ok && role != w.role {
			failf("registration of worker %d as %s: confirmed %v, stored active %v as %q", w.i, w.role, w.registered, ok, role)
		}
	}
	q(&c.inviteUses, `SELECT COALESCE(SUM(uses), 0) FROM invites`)
	if c.inviteUses != c.registered {
		failf("invite used %d times for %d registrations", c.inviteUses, c.registered)
	}

	stored := map[int64][]string{}
	rows(ctx, db, &fail, `SELECT reporter_id, code FROM cases ORDER BY id`, func(s scanner) error {
		var id int64
		var code string
		err := s.Scan(&id, &code)
		stored[id] = append(stored[id], code)
		c.casesDB++
		return err
	})
	for _, w := range p.workers {
		got, want := stored[w.u.ID()], w.cases
		if !slices.Equal(got, want) {
			failf("cases of worker %d: stored %v, confirmed %v", w.i, got, want)
		}
	}
	q(&c.caseCreates, `SELECT COUNT(*) FROM case_events WHERE action = 'create'`)
	if c.caseCreates != c.casesDB {
		failf("%d case histories start with 'create' for %d cases", c.caseCreates, c.casesDB)
	}

	c.invited = p.invited
	rows(ctx, db, &fail, `SELECT user_id, rsvp FROM meeting_invitations`, func(s scanner) error {
		var id int64
		var rsvp string
		if err := s.Scan(&id, &rsvp); err != nil {
			return err
		}
		c.invitationsDB++
		if rsvp != "" {
			c.rsvpsDB++
		}
		if w := ids[id]; w != nil && w.rsvp != rsvp {
			failf("RSVP of worker %d: stored %q, confirmed %q", w.i, rsvp, w.rsvp)
		}
		return nil
	})
	if c.invitationsDB != c.registered || p.invited != c.registered {
		failf("invitations: %d stored, %d announced, for %d registered workers", c.invitationsDB, p.invited, c.registered)
	}
	checkedIn := map[int64]bool{}
	rows(ctx, db, &fail, `SELECT user_id FROM meeting_attendance`, func(s scanner) error {
		var id int64
		err := s.Scan(&id)
		checkedIn[id] = true
		c.checkinsDB++
		return err
	})
	for _, w := range p.workers {
		if w.checkedIn != checkedIn[w.u.ID()] {
			failf("check-in of worker %d: confirmed %v, stored %v", w.i, w.checkedIn, checkedIn[w.u.ID()])
		}
	}
	q(&c.failedUpdates, `SELECT COUNT(*) FROM failed_updates`)
	if c.failedUpdates > 0 {
		failf("%d updates failed in the flows (failed_updates)", c.failedUpdates)
	}
	if n := srv.PendingUpdates(); n > 0 {
		failf("%d updates never confirmed by the bot", n)
	}

	// At least once: every message the bot meant to send is in the user's
	// chat; duplicates are counted.
	c.outbox = map[string]int{}
	rows(ctx, db, &fail, `SELECT status, COUNT(*) FROM outbox GROUP BY status`, func(s scanner) error {
		var st string
		var n int
		err := s.Scan(&st, &n)
		c.outbox[st] = n
		return err
	})
	for st, n := range c.outbox {
		if st != "sent" && n > 0 {
			failf("%d outbox rows %s", n, st)
		}
	}
	sentIDs := map[int64][]int{}
	rows(ctx, db, &fail, `SELECT chat_id, tg_message_id FROM outbox
		WHERE status = 'sent' AND kind IN ('send', 'photo', 'document', 'location')`, func(s scanner) error {
		var chat int64
		var id int
		err := s.Scan(&chat, &id)
		sentIDs[chat] = append(sentIDs[chat], id)
		c.outboxSends++
		return err
	})
	for _, x := range p.all() {
		msgs := x.u.Messages()
		c.botMessages += len(msgs)
		have := map[int]bool{}
		for i, m := range msgs {
			have[m.ID] = true
			if i > 0 && m.RawText == msgs[i-1].RawText && m.Caption == msgs[i-1].Caption && m.Kind == msgs[i-1].Kind {
				c.consecutive++
			}
		}
		for _, id := range sentIDs[x.u.ID()] {
			if !have[id] {
				c.missing++
			}
		}
	}
	c.duplicates = c.botMessages - c.outboxSends
	if c.missing > 0 {
		failf("%d messages recorded as sent are not in the users' chats", c.missing)
	}
	if c.duplicates < 0 {
		failf("the users hold %d fewer messages than the outbox sent", -c.duplicates)
	}

	q(&c.integrity, `PRAGMA integrity_check`)
	if c.integrity != "ok" {
		failf("PRAGMA integrity_check: %s", c.integrity)
	}
	return fail
}

type scanner interface{ Scan(dest ...any) error }

func rows(ctx context.Context, db *sql.DB, fail *[]string, query string, each func(scanner) error) {
	r, err := db.QueryContext(ctx, query)
	if err != nil {
		*fail = append(*fail, fmt.Sprintf("query %q: %v", query, err))
		return
	}
	defer r.Close()
	for r.Next() {
		if err := each(r); err != nil {
			*fail = append(*fail, fmt.Sprintf("query %q: %v", query, err))
			return
		}
	}
	if err := r.Err(); err != nil {
		*fail = append(*fail, fmt.Sprintf("query %q: %v", query, err))
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// percentile is the p-th percentile (0..100) of sorted d, nearest rank.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(float64(len(d))*p/100+0.5) - 1
	return d[min(max(i, 0), len(d)-1)]
}

// print writes the run's report: the invariants, then the figures.
func (r *loadResult) print(w io.Writer) {
	o, c := r.opts, r.counts
	lat := slices.Clone(r.latencies)
	slices.Sort(lat)
	secs := r.elapsed.Seconds()
	fmt.Fprintf(w, "loadtest: %d users (%d PSM, %d TKSK), %v window, faults %.3f (%v), %d kills (%d planned), seed %d\n",
		o.Users, o.Users-o.TKSK, o.TKSK, o.Duration, o.FaultMix.total(), o.FaultMix, r.kills, o.Crashes, o.Seed)
	fmt.Fprintf(w, "  limits: send %g/s global, %g/s per chat (burst %d); think %v\n", o.GlobalRate, o.ChatRate, o.ChatBurst, o.Think)
	fmt.Fprintf(w, "invariants:\n")
	fmt.Fprintf(w, "  registrations  confirmed %d, stored %d, invite uses %d\n", c.registered, c.registeredDB, c.inviteUses)
	fmt.Fprintf(w, "  cases          confirmed %d, stored %d, histories %d\n", c.cases, c.casesDB, c.caseCreates)
	fmt.Fprintf(w, "  invitations    announced %d, stored %d; RSVPs confirmed %d, stored %d\n", c.invited, c.invitationsDB, c.rsvps, c.rsvpsDB)
	fmt.Fprintf(w, "  check-ins      confirmed %d, stored %d\n", c.checkins, c.checkinsDB)
	fmt.Fprintf(w, "  updates        %d failed in the flows\n", c.failedUpdates)
	fmt.Fprintf(w, "  delivery       outbox %v; %d messages sent, %d in chats, missing %d, duplicates %d (identical consecutive %d)\n",
		c.outbox, c.outboxSends, c.botMessages, c.missing, c.duplicates, c.consecutive)
	fmt.Fprintf(w, "  conversations  stuck people %d, open forms %d\n", c.stuck, c.openConversations)
	fmt.Fprintf(w, "  database       integrity_check %s\n", c.integrity)
	fmt.Fprintf(w, "figures:\n")
	fmt.Fprintf(w, "  elapsed        %.1f s; bot restarts: %s, %d self-exits\n", secs, killsString(r.kills, r.killsBy), r.selfExits)
	fmt.Fprintf(w, "  drain          %.1f s from the last worker's last answer to every update confirmed and message sent (limit -drain %v)\n",
		r.drained.Seconds(), o.Drain)
	fmt.Fprintf(w, "  throughput     %d updates, %.1f updates/s\n", r.updates, float64(r.updates)/secs)
	fmt.Fprintf(w, "  reply latency  p50 %v  p95 %v  p99 %v  max %v (%d replies)\n",
		percentile(lat, 50).Round(time.Millisecond), percentile(lat, 95).Round(time.Millisecond),
		percentile(lat, 99).Round(time.Millisecond), percentile(lat, 100).Round(time.Millisecond), len(lat))
	fmt.Fprintf(w, "  sends          %d messages, %.1f/s (limit %g/s); %d API calls, %d failed by injection\n",
		r.sends, float64(r.sends)/secs, o.GlobalRate, r.calls, r.faulted)
	fmt.Fprintf(w, "  case notices   %.2f messages per case notice (%d messages for %d notices to reviewers)\n",
		ratio(r.cost.noticeMessages, r.cost.notices), r.cost.noticeMessages, r.cost.notices)
	fmt.Fprintf(w, "  case forms     %.1f API calls per completed case form: %.1f messages, %.1f edits, %.1f callback answers (%d calls in the workers' chats for %d forms; retries not counted)\n",
		ratio(r.cost.formCalls, r.cost.forms), ratio(r.cost.formMessages, r.cost.forms), ratio(r.cost.formEdits, r.cost.forms),
		ratio(r.cost.formAnswers, r.cost.forms), r.cost.formCalls, r.cost.forms)
	fmt.Fprintf(w, "  faults         injected %v\n", r.injected)
	fmt.Fprintf(w, "  bot peak RSS   %.1f MB (VmHWM of the bot's own processes; the children's rusage maxrss says %.1f MB, the load test's own peak included)\n",
		mb(r.peakRSSKB), mb(r.maxrssKB))
	if len(r.failures) == 0 {
		fmt.Fprintf(w, "PASS\n")
		return
	}
	for i, f := range r.failures {
		if i == 20 {
			fmt.Fprintf(w, "FAIL: ... and %d more\n", len(r.failures)-i)
			break
		}
		fmt.Fprintf(w, "FAIL: %s\n", f)
	}
	if r.dir != "" {
		fmt.Fprintf(w, "kept: %s (dinsosbot.db, bot.log)\n", r.dir)
	}
}
