package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"
)

// meeting stores a meeting from start to end inviting invitees, created at the
// current clock.
func (r *schedRig) meeting(title string, start, end time.Time, invitees ...*tgUser) int64 {
	r.t.Helper()
	users := make([]*telegramtest.User, len(invitees))
	for i, u := range invitees {
		users[i] = u.User
	}
	return storeMeeting(r.t, r.h, store.Meeting{Title: title, StartsAt: start, EndsAt: end, Place: "Aula Dinsos Kota Jambi",
		Code: "kode" + strings.ToLower(strings.ReplaceAll(title, " ", ""))}, users...)
}

func (r *schedRig) rsvp(meeting int64, u *tgUser, answer string) {
	r.t.Helper()
	if err := r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		return tx.SetRSVP(meeting, u.ID(), answer, "")
	}); err != nil {
		r.t.Fatal(err)
	}
}

// Meeting reminders go the day before at 08.00 and 2 hours before, to those
// who have not declined; those who have not answered are nudged to answer
// with the buttons. None goes twice: not on later passes, not after restarts.
func TestMeetingReminders(t *testing.T) {
	r := newSchedRig(t, nil)
	yes := r.user("Sri Wahyuni", store.RolePSM, 0)
	no := r.user("Ahmad Fauzi", store.RoleTKSK, 1)
	silent := r.user("Dewi Lestari", store.RolePSM, 2)
	r.set(nov(2, 10, 0))
	id := r.meeting("Rakor PSM TKSK", nov(4, 9, 0), nov(4, 12, 0), yes, no, silent)
	r.rsvp(id, yes, store.RSVPYes)
	r.rsvp(id, no, store.RSVPNo)

	count := func(u *tgUser) int { return len(texts(u, "Pengingat rapat")) }
	r.tick(nov(3, 7, 55))
	if count(yes)+count(silent) != 0 {
		t.Fatal("a reminder before the day-before 08.00")
	}
	r.tick(nov(3, 8, 0))
	if count(yes) != 1 || count(silent) != 1 || count(no) != 0 {
		t.Fatalf("day before: yes %d, silent %d, declined %d; want 1, 1, 0", count(yes), count(silent), count(no))
	}
	got := texts(yes, "Pengingat rapat")[0]
	for _, want := range []string{"Rakor PSM TKSK", "04-11-2026, 09.00–12.00 WIB", "Aula Dinsos Kota Jambi", "pindai kode QR", "08.00 WIB"} {
		if !strings.Contains(got, want) {
			t.Errorf("reminder lacks %q: %q", want, got)
		}
	}
	if m, _ := yes.Last(); len(m.InlineKeyboard) != 0 {
		t.Error("who answered yes got answer buttons")
	}
	if m, _ := silent.Last(); !strings.Contains(m.Text, "belum menjawab") || len(m.InlineKeyboard) == 0 {
		t.Errorf("the nudge to answer: %q, buttons %v", m.Text, m.InlineKeyboard)
	}
	r.tick(nov(3, 8, 5))
	r.restart(nov(3, 9, 0))
	r.tick(nov(4, 6, 55))
	if count(yes) != 1 || count(silent) != 1 {
		t.Fatalf("the day-before reminder went again: yes %d, silent %d", count(yes), count(silent))
	}
	r.tick(nov(4, 7, 0))
	if count(yes) != 2 || count(silent) != 2 || count(no) != 0 {
		t.Fatalf("2 h before: yes %d, silent %d, declined %d; want 2, 2, 0", count(yes), count(silent), count(no))
	}
	r.restart(nov(4, 7, 10))
	r.tick(nov(4, 8, 0))
	if count(yes) != 2 || count(silent) != 2 {
		t.Fatalf("after a restart: yes %d, silent %d, want 2 and 2", count(yes), count(silent))
	}
	// The nudge's buttons answer the invitation.
	if err := silent.Press("✅ Hadir"); err != nil {
		t.Fatal(err)
	}
	silent.waitCallback(1, "Tercatat")
	var rsvp string
	if err := r.h.DB().SQL().QueryRow(`SELECT rsvp FROM meeting_invitations WHERE meeting_id = ? AND user_id = ?`,
		id, silent.ID()).Scan(&rsvp); err != nil || rsvp != store.RSVPYes {
		t.Fatalf("rsvp after the nudge = %q, %v", rsvp, err)
	}
	r.h.NoViolations()
}

// A meeting created after a reminder's time skips that reminder: the
// invitation was just sent.
func TestMeetingReminderNotBeforeCreation(t *testing.T) {
	r := newSchedRig(t, nil)
	yes := r.user("Sri Wahyuni", store.RolePSM, 0)
	r.set(nov(3, 12, 0))
	id := r.meeting("Rapat mendadak", nov(4, 9, 0), nov(4, 10, 0), yes)
	r.rsvp(id, yes, store.RSVPYes)
	r.tick(nov(3, 12, 5))
	if n := len(texts(yes, "Pengingat rapat")); n != 0 {
		t.Fatalf("%d reminders for an offset before the meeting existed", n)
	}
	r.tick(nov(4, 7, 0))
	if n := len(texts(yes, "Pengingat rapat")); n != 1 {
		t.Fatalf("%d reminders 2 h before, want 1", n)
	}
}

// Coordinators hear of their area's cases waiting for verification longer
// than 3 days (only their area), and of the cases they hold with no update
// for 7 days.
func TestCoordinatorReminders(t *testing.T) {
	r := newSchedRig(t, nil)
	worker := r.user("Sri Wahyuni", store.RolePSM, 0)
	coord := r.user("Budi Santoso", store.RoleCoordinator, 0, r.kec[0].Code)
	other := r.user("Rina Marlina", store.RoleCoordinator, 2, r.kec[2].Code)
	r.set(nov(2, 10, 0))
	old1 := r.addCase(worker, 0, "PPKS01", nikA)
	r.addCase(worker, 0, "PPKS02", "")
	held := r.addCase(worker, 0, "PPKS03", "")
	r.setStatus(held, store.CaseNew, store.CaseVerified, coord)
	r.set(nov(4, 10, 0))
	r.addCase(worker, 0, "PPKS04", "") // only 2 days old on the 6th

	r.tick(nov(5, 8, 0)) // Thursday: 2 days 22 h, not yet
	if n := len(texts(coord, "menunggu verifikasi")); n != 0 {
		t.Fatalf("%d backlog reminders before 3 days", n)
	}
	r.tick(nov(6, 8, 0)) // Friday
	got := texts(coord, "menunggu verifikasi")
	if len(got) != 1 || !strings.Contains(got[0], "2 kasus") || !strings.Contains(got[0], old1.Code) {
		t.Fatalf("backlog reminder = %q", got)
	}
	if n := len(texts(other, "menunggu verifikasi")); n != 0 {
		t.Errorf("a coordinator of another kecamatan got %d backlog reminders", n)
	}
	if n := len(texts(coord, "belum diperbarui")); n != 0 {
		t.Fatalf("%d follow-up reminders before 7 days", n)
	}
	r.tick(nov(9, 8, 0)) // Monday: 6 days 22 h since the verification
	if n := len(texts(coord, "belum diperbarui")); n != 0 {
		t.Fatalf("%d follow-up reminders before 7 days", n)
	}
	r.tick(nov(10, 8, 0))
	fu := texts(coord, "belum diperbarui")
	if len(fu) != 1 || !strings.Contains(fu[0], held.Code) || strings.Contains(fu[0], old1.Code) {
		t.Fatalf("follow-up reminder = %q", fu)
	}
	r.restart(nov(10, 9, 0))
	if n := len(texts(coord, "belum diperbarui")); n != 1 {
		t.Fatalf("%d follow-up reminders after a restart, want 1", n)
	}
	r.h.NoViolations()
}

// The worker nudge is off by default; configured, it reaches workers with no
// report in the period only.
func TestWorkerNudge(t *testing.T) {
	r := newSchedRig(t, func(c *flows.Config) { c.Schedules.WorkerNudge = "0 9 1 * *" })
	busy := r.user("Sri Wahyuni", store.RolePSM, 0)
	idle := r.user("Ahmad Fauzi", store.RoleTKSK, 1)
	r.set(nov(20, 10, 0))
	r.addCase(busy, 0, "PPKS01", "")
	r.tick(time.Date(2026, 12, 1, 9, 0, 0, 0, wib))
	if n := len(texts(idle, "belum ada laporan")); n != 1 {
		t.Fatalf("idle worker got %d nudges, want 1", n)
	}
	if n := len(texts(busy, "belum ada laporan")); n != 0 {
		t.Fatalf("busy worker got %d nudges", n)
	}
}
