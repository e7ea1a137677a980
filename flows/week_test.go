package flows_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// week follows what every person of a simulated week receives: at each slot
// the messages that arrived since the previous one are checked against what
// is expected, and every message is logged per person for the final
// comparison with the full transcript.
type week struct {
	t      *testing.T
	r      *schedRig
	people []string
	users  map[string]*tgUser
	seen   map[string]int
	log    map[string][]string
	ids    map[string][]int
}

// want is what one message must contain, or not contain when a part starts
// with "!"; a first element "[foto]" means a photo, whose caption is matched.
type want []string

func newWeek(r *schedRig, users map[string]*tgUser) *week {
	w := &week{t: r.t, r: r, users: users, seen: map[string]int{}, log: map[string][]string{},
		ids: map[string][]int{}}
	for name := range users {
		w.people = append(w.people, name)
	}
	slices.Sort(w.people)
	return w
}

// render is a message as the test matches it.
func render(kind, text, caption string) string {
	if kind == "photo" {
		return "[foto] " + caption
	}
	return text
}

// fresh returns what name received since last asked, and logs it.
func (w *week) fresh(name string) []string {
	msgs := w.users[name].Messages()
	var out []string
	for _, m := range msgs[w.seen[name]:] {
		out = append(out, render(m.Kind, m.Text, m.Caption))
		w.ids[name] = append(w.ids[name], m.ID)
	}
	w.seen[name] = len(msgs)
	w.log[name] = append(w.log[name], out...)
	return out
}

// absorb logs what an interaction brought (its replies are not the subject).
func (w *week) absorb() {
	w.r.drained()
	for _, name := range w.people {
		w.fresh(name)
	}
}

// check asserts that, at slot, each person received exactly the expected
// messages, in order; a person not in expect received nothing.
func (w *week) check(slot time.Time, expect map[string][]want) {
	w.t.Helper()
	for name := range expect {
		if _, ok := w.users[name]; !ok {
			w.t.Fatalf("%s: unknown person %q in the script", slot.Format("Mon 02 15:04"), name)
		}
	}
	for _, name := range w.people {
		got, exp := w.fresh(name), expect[name]
		ok := len(got) == len(exp)
		for i := 0; ok && i < len(got); i++ {
			photo := strings.HasPrefix(got[i], "[foto] ")
			ok = len(exp[i]) > 0 && (exp[i][0] == "[foto]") == photo
			for _, part := range exp[i] {
				if not, found := strings.CutPrefix(part, "!"); found {
					ok = ok && !strings.Contains(got[i], not)
				} else {
					ok = ok && strings.Contains(got[i], part)
				}
			}
		}
		if !ok {
			w.t.Errorf("%s, %s received %d message(s), want %d matching %q:\n%s", slot.Format("Mon 02 15:04"), name,
				len(got), len(exp), exp, strings.Join(got, "\n---\n"))
		}
	}
}

// A simulated week of the real schedules (daily and weekly digests, meeting
// reminders, the coordinators' backlog and follow-ups, draft reminder and
// expiry, the worker nudge), the clock moved hour by hour from Monday 2 to
// Monday 9 November 2026 and the bot restarted once over Thursday's 07.00:
// at every hour, who receives what, with which numbers; at the end, every
// chat's full transcript is exactly what the hours received, each message
// sent once as stored in the outbox, and each slot recorded once.
func TestSimulatedWeek(t *testing.T) {
	r := newSchedRig(t, func(c *flows.Config) {
		c.Schedules = flows.Schedules{Sweep: "* * * * *", Meetings: "*/5 * * * *", Coordinators: "0 8 * * 1-5",
			BacklogDays: 3, FollowUpDays: 7, WorkerNudge: "0 9 * * 3", WorkerNudgeDays: 30,
			DigestDaily: "0 7 * * *", DigestWeekly: "0 7 * * 1", DigestDefault: "daily"}
		c.DraftExpiry, c.ReminderLead = 24*time.Hour, 2*time.Hour
	})
	k := r.kec
	sri := r.user("Sri Wahyuni", store.RolePSM, 0)
	ahmad := r.user("Ahmad Fauzi", store.RoleTKSK, 1)
	joko := r.user("Joko Susilo", store.RolePSM, 1) // never reports
	dewi := r.user("Dewi Lestari", store.RolePSM, 2)
	eka := r.user("Eka Putri", store.RolePSM, 3) // in a kecamatan no coordinator covers
	budi := r.user("Budi Santoso", store.RoleCoordinator, 0, k[0].Code, k[1].Code)
	rina := r.user("Rina Marlina", store.RoleCoordinator, 2, k[2].Code)
	w := newWeek(r, map[string]*tgUser{"admin": r.admin, "sri": sri, "ahmad": ahmad, "joko": joko, "dewi": dewi,
		"eka": eka, "budi": budi, "rina": rina})

	// A case Budi verified a week before, waiting for its follow-up.
	r.set(time.Date(2026, 10, 26, 10, 0, 0, 0, wib))
	k0 := r.addCase(sri, 0, "PPKS01", "")
	r.setStatus(k0, store.CaseNew, store.CaseVerified, budi)

	// Monday 10.00: three cases, a meeting on Thursday, a draft left open,
	// and the digests chosen.
	r.set(nov(2, 10, 0))
	a1 := r.addCase(sri, 0, "PPKS01", "")
	a2 := r.addCase(ahmad, 1, "PPKS09", "")
	a3 := r.addCase(eka, 3, "PPKS01", "")
	rakor := r.meeting("Rakor PSM TKSK", nov(5, 9, 0), nov(5, 12, 0), sri, ahmad, joko, dewi, eka)
	r.rsvp(rakor, sri, store.RSVPYes)
	r.rsvp(rakor, ahmad, store.RSVPNo)
	eka.send("/lapor", "kelompok")
	r.admin.send("/ringkasan keduanya", "Tersimpan")
	rina.send("/ringkasan mingguan", "Tersimpan")
	w.absorb()

	title := func(period string, from, to time.Time) string {
		const at = "02-01-2006 15.04 WIB"
		return "Ringkasan " + period + " " + from.Format(at) + " – " + to.Format(at)
	}
	daily := func(d int) string { return title("harian", nov(d-1, 7, 0), nov(d, 7, 0)) }
	// A digest that fits a caption is one message: the chart, the text its caption.
	chart := func(w want) want { return append(want{"[foto]", "📊 "}, w...) }
	budiArea := k[0].Name + ", " + k[1].Name
	upcoming := func(yes, no, none int) string {
		return fmt.Sprintf("• Rakor PSM TKSK, 05-11-2026, 09.00–12.00 WIB: hadir %d · tidak bisa %d · belum menjawab %d",
			yes, no, none)
	}
	last := func(present, invited int) string {
		return fmt.Sprintf("Rapat terakhir: Rakor PSM TKSK (05-11-2026): hadir %d dari %d yang diundang", present, invited)
	}
	idle := func(n int) string { return fmt.Sprintf("Petugas tanpa laporan 30 hari: %d", n) }
	mtgReminder := func(nudge bool) want {
		m := want{"Pengingat rapat", "Rakor PSM TKSK", "05-11-2026, 09.00–12.00 WIB", "Aula Dinsos Kota Jambi"}
		if nudge {
			return append(m, "belum menjawab undangan")
		}
		return append(m, "!belum menjawab")
	}
	followUp := want{"1 kasus", "belum diperbarui lebih dari 7 hari", k0.Code, "Diverifikasi", "26-10-2026"}

	// What arrives, by slot; every other hour nothing does.
	script := map[time.Time]map[string][]want{
		nov(3, 7, 0): {
			"budi": {chart(want{daily(3), "Wilayah: " + budiArea, "Kasus baru: 2", k[0].Name + ": 1",
				k[1].Name + ": 1", "Perubahan status: 0", "Menunggu verifikasi: 2", "Paling lama: " + a1.Code,
				"Rapat 7 hari ke depan: 1", upcoming(1, 1, 1), "!Rapat terakhir", idle(1), "Joko Susilo"})},
			"admin": {chart(want{daily(3), "semua kecamatan", "Kasus baru: 3", k[3].Name + ": 1",
				"Perubahan status: 0", "Menunggu verifikasi: 3", "Rapat 7 hari ke depan: 1", upcoming(1, 1, 3), idle(2),
				"Dewi Lestari", "Joko Susilo"})},
		},
		nov(3, 8, 0):  {"budi": {followUp}},
		nov(3, 9, 0):  {"eka": {{"Isian Laporan kasus PMKS belum selesai", "03-11-2026 10.00 WIB"}}},
		nov(3, 10, 0): {"eka": {{"kedaluwarsa"}}},
		nov(4, 7, 0): {
			"budi": {{daily(4), "tidak ada kasus baru dan tidak ada perubahan status di " + budiArea}},
			"admin": {chart(want{daily(4), "Kasus baru: 1", k[2].Name + ": 1", "Perubahan status: 0",
				"Menunggu verifikasi: 4", upcoming(1, 1, 3), idle(1)})},
		},
		nov(4, 8, 0): {"budi": {followUp}, "sri": {mtgReminder(false)}, "joko": {mtgReminder(true)},
			"dewi": {mtgReminder(true)}, "eka": {mtgReminder(true)}},
		nov(4, 9, 0): {"joko": {{"Halo Joko Susilo", "belum ada laporan kasus dari Anda dalam 30 hari"}}},
		// The bot is down from 06.00 to 07.30: the digest and the reminder of
		// 07.00 go at the restart, once.
		nov(5, 7, 30): {
			"sri": {mtgReminder(false)}, "joko": {mtgReminder(true)}, "dewi": {mtgReminder(false)},
			"eka": {mtgReminder(true)},
			"budi": {{daily(5), "Kasus baru: 0", "Perubahan status: 1", "Ditindaklanjuti: 1",
				"Menunggu verifikasi: 2", upcoming(1, 1, 1), idle(1)}},
			"admin": {{daily(5), "Kasus baru: 0", "Perubahan status: 1", "Ditindaklanjuti: 1",
				"Menunggu verifikasi: 4", upcoming(2, 1, 2), idle(1)}},
		},
		nov(6, 7, 0): {
			"budi": {chart(want{daily(6), "Kasus baru: 1", k[1].Name + ": 1", "Perubahan status: 0",
				"Menunggu verifikasi: 3", "Rapat 7 hari ke depan: 0", last(1, 3), "• PSM 1", idle(1)})},
			"admin": {chart(want{daily(6), "Kasus baru: 1", "Menunggu verifikasi: 5", "Rapat 7 hari ke depan: 0",
				last(2, 5), "• PSM 2", idle(1)})},
		},
		nov(6, 8, 0): {
			"budi":  {{"2 kasus", "menunggu verifikasi lebih dari 3 hari", "Paling lama: " + a1.Code, "(3 hari)"}},
			"admin": {{"1 kasus", "menunggu verifikasi lebih dari 3 hari", "Paling lama: " + a3.Code, k[3].Name, "(3 hari)"}},
		},
		nov(7, 7, 0): {
			"budi": {{daily(7), "Kasus baru: 0", "Perubahan status: 1", "Diverifikasi: 1",
				"Menunggu verifikasi: 2", last(1, 3), idle(1)}},
			"admin": {{daily(7), "Kasus baru: 0", "Perubahan status: 1", "Diverifikasi: 1", "Menunggu verifikasi: 4",
				last(2, 5), idle(1)}},
		},
		nov(8, 7, 0): {
			"budi":  {{daily(8), "tidak ada kasus baru"}},
			"admin": {{daily(8), "tidak ada kasus baru"}},
		},
		nov(9, 7, 0): {
			"budi": {{daily(9), "tidak ada kasus baru"}},
			"admin": {{daily(9), "tidak ada kasus baru"}, chart(want{title("mingguan", nov(2, 7, 0), nov(9, 7, 0)), "Kasus baru: 5", k[1].Name + ": 2",
				"Perubahan status: 2", "Diverifikasi: 1", "Ditindaklanjuti: 1", "Menunggu verifikasi: 4", last(2, 5), "• PSM 2",
				idle(1)})},
			"rina": {chart(want{title("mingguan", nov(2, 7, 0), nov(9, 7, 0)), "Wilayah: " + k[2].Name, "Kasus baru: 1",
				"Perubahan status: 0", "Menunggu verifikasi: 1", "Rapat 7 hari ke depan: 0", last(1, 1), "• PSM 1",
				idle(0)})},
		},
		nov(9, 8, 0): {
			"budi":  {{"2 kasus", "Paling lama: " + a2.Code, "(6 hari)"}},
			"rina":  {{"1 kasus", "Paling lama: ", k[2].Name, "(5 hari)"}},
			"admin": {{"1 kasus", "Paling lama: " + a3.Code, "(6 hari)"}},
		},
	}
	// What people do, right after the slot's check.
	actions := map[time.Time]func(){
		nov(3, 10, 0): func() { r.addCase(dewi, 2, "PPKS02", "") },
		nov(4, 8, 0): func() {
			if err := dewi.Press("✅ Hadir"); err != nil {
				t.Fatal(err)
			}
			dewi.waitCallback(1, "Tercatat")
			var rsvp string
			if err := r.h.DB().SQL().QueryRow(`SELECT rsvp FROM meeting_invitations WHERE meeting_id = ? AND user_id = ?`,
				rakor, dewi.ID()).Scan(&rsvp); err != nil || rsvp != store.RSVPYes {
				t.Fatalf("Dewi's stored answer = %q, %v", rsvp, err)
			}
		},
		nov(4, 10, 0): func() { r.setStatus(k0, store.CaseVerified, store.CaseFollowUp, budi) },
		nov(5, 9, 0): func() {
			r.attend(rakor, sri, false)
			r.attend(rakor, dewi, false)
		},
		nov(5, 14, 0): func() { r.addCase(ahmad, 1, "PPKS09", "") },
		nov(6, 10, 0): func() { r.setStatus(a1, store.CaseNew, store.CaseVerified, budi) },
	}

	for at := nov(2, 11, 0); !at.After(nov(9, 9, 0)); at = at.Add(time.Hour) {
		slot := at
		if at.Equal(nov(5, 7, 0)) {
			slot = nov(5, 7, 30)
			r.restart(slot)
		} else {
			r.tick(at)
		}
		w.check(slot, script[slot])
		if act := actions[at]; act != nil {
			act()
			w.absorb()
		}
		if t.Failed() {
			t.FailNow()
		}
	}

	// Once more at the last hour: nothing new.
	r.tick(nov(9, 9, 30))
	w.check(nov(9, 9, 30), nil)

	// The full transcripts are what the hours received, nothing more: no
	// message came twice, not even later. (A message edited since, as the
	// reminder whose button Dewi pressed, is compared by id only.)
	for _, name := range w.people {
		var ids []int
		for i, m := range w.users[name].Messages() {
			ids = append(ids, m.ID)
			if i < len(w.log[name]) && !m.Edited && render(m.Kind, m.Text, m.Caption) != w.log[name][i] {
				t.Errorf("%s's message %d is now %q, was %q", name, m.ID, render(m.Kind, m.Text, m.Caption), w.log[name][i])
			}
		}
		if !slices.Equal(ids, w.ids[name]) {
			t.Errorf("%s's transcript has messages %v, the slots received %v", name, ids, w.ids[name])
		}
	}
	// Stored: each message sent once, in one attempt; each meeting reminder
	// recorded once per person and offset; each slot recorded once, done.
	for _, name := range w.people {
		var rows, attempts int
		if err := r.h.DB().SQL().QueryRow(`SELECT COUNT(*), COALESCE(SUM(attempts), 0) FROM outbox
			WHERE chat_id = ? AND kind IN ('send', 'photo') AND status = 'sent'`, w.users[name].ID()).
			Scan(&rows, &attempts); err != nil {
			t.Fatal(err)
		}
		if n := len(w.log[name]); rows != n || attempts != n {
			t.Errorf("%s: %d messages received, %d sent rows stored with %d attempts", name, n, rows, attempts)
		}
	}
	var reminders []string
	rows, err := r.h.DB().SQL().Query(`SELECT kind || ' ' || user_id FROM reminders_sent WHERE subject = ? ORDER BY 1`,
		fmt.Sprint(rakor))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		reminders = append(reminders, s)
	}
	rows.Close()
	var wantReminders []string
	for _, kind := range []string{"mtg 1d 08:00", "mtg 2h0m0s"} {
		for _, u := range []*tgUser{sri, joko, dewi, eka} {
			wantReminders = append(wantReminders, fmt.Sprintf("%s %d", kind, u.ID()))
		}
	}
	slices.Sort(wantReminders)
	if !slices.Equal(reminders, wantReminders) {
		t.Errorf("meeting reminders recorded = %q, want %q", reminders, wantReminders)
	}
	done := map[string][]time.Time{
		flows.JobDigestDaily:  {nov(3, 7, 0), nov(4, 7, 0), nov(5, 7, 0), nov(6, 7, 0), nov(7, 7, 0), nov(8, 7, 0), nov(9, 7, 0)},
		flows.JobDigestWeekly: {nov(9, 7, 0)},
		flows.JobCoordinators: {nov(3, 8, 0), nov(4, 8, 0), nov(5, 8, 0), nov(6, 8, 0), nov(9, 8, 0)},
		flows.JobWorkerNudge:  {nov(4, 9, 0)},
	}
	for job, slots := range done {
		runs, err := r.h.DB().JobRuns(context.Background(), job)
		if err != nil {
			t.Fatal(err)
		}
		var got []time.Time
		for _, run := range runs {
			if run.Status != store.RunDone {
				t.Errorf("%s slot %s: %s %s", job, run.Slot.In(wib).Format("Mon 02 15:04"), run.Status, run.Error)
				continue
			}
			got = append(got, run.Slot)
		}
		slices.SortFunc(got, time.Time.Compare)
		if !slices.EqualFunc(got, slots, time.Time.Equal) {
			t.Errorf("%s ran at %v, want %v", job, got, slots)
		}
	}
	r.h.NoViolations()
}
