package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// Moving a meeting: only its organiser or an admin may; a past day or an end
// before the start is refused as at creation; every invitee is told with
// their answer kept, and their invitation shows the new time; the check-in
// window follows; once someone has checked in, or the meeting has started, it
// no longer moves.
func TestMeetingMove(t *testing.T) {
	r := newMtRig(t)
	siti := r.worker("Siti Aminah", store.RolePSM, 0)
	budi := r.worker("Budi Santoso", store.RoleTKSK, 1)
	a := r.admin
	_, payload := r.createMeeting("Rakor Bulanan", "03-11-2026", "09.00", "12.00", "Semua PSM dan TKSK")
	inv, err := siti.WaitForText(mtWait, "Undangan rapat")
	if err != nil {
		t.Fatal(err)
	}
	must2(t, siti.Press("✅ Hadir"))
	r.waitEdited(siti, inv.ID, "Jawaban Anda: Hadir")
	if _, err := budi.WaitForText(mtWait, "Undangan rapat"); err != nil {
		t.Fatal(err)
	}

	r.say(siti, "/rapat 1 pindah", "tidak berhak")
	r.say(a, "/rapat 1", "/rapat 1 pindah")
	r.say(a, "/rapat 1 pindah", "Tanggal rapat")
	r.say(a, "01-11-2026", "sudah lewat")
	r.say(a, "05-11-2026", "Jam mulai")
	r.say(a, "13.00", "Jam selesai")
	r.say(a, "12.00", "harus sesudah jam mulai")
	r.say(a, "15.00", "Tempat baru")
	r.say(a, "/lewati", "Simpan")
	r.press(a, "✅ Simpan", "dipindah ke 05-11-2026, 13.00–15.00 WIB, Aula Dinsos Kota Jambi; 2 orang diberi tahu")

	for _, c := range []struct {
		who    *telegramtest.User
		answer string
	}{{siti, "Jawaban Anda: Hadir."}, {budi, "Jawaban Anda: belum dijawab."}} {
		notice, err := c.who.WaitForText(mtWait, "dipindah")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Sebelumnya: 03-11-2026, 09.00–12.00 WIB", "Sekarang: 05-11-2026, 13.00–15.00 WIB",
			c.answer} {
			if !strings.Contains(notice.Text, want) {
				t.Errorf("%d's notice lacks %q: %q", c.who.ID(), want, notice.Text)
			}
		}
	}
	if m := r.waitEdited(siti, inv.ID, "05-11-2026, 13.00–15.00 WIB"); len(m.InlineKeyboard) == 0 {
		t.Error("the moved invitation lost its answer buttons")
	}

	var starts, ends, place string
	if err := r.h.DB().SQL().QueryRow(`SELECT starts_at, ends_at, place FROM meetings WHERE id = 1`).
		Scan(&starts, &ends, &place); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 5, 13, 0, 0, 0, wib).UTC().Format(store.TimeFormat); starts != want {
		t.Errorf("stored start %s, want %s", starts, want)
	}
	if want := time.Date(2026, 11, 5, 15, 0, 0, 0, wib).UTC().Format(store.TimeFormat); ends != want {
		t.Errorf("stored end %s, want %s", ends, want)
	}
	if place != "Aula Dinsos Kota Jambi" {
		t.Errorf("place %q changed on /lewati", place)
	}
	if got := rsvpOf(t, r, 1, siti); got != store.RSVPYes {
		t.Errorf("siti's answer became %q after the move", got)
	}
	var audits int
	if err := r.h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'meeting_move'`).Scan(&audits); err != nil || audits != 1 {
		t.Errorf("%d meeting_move audit rows, %v", audits, err)
	}

	// The old time's check-in window is shut; the new one opens an hour early.
	r.set(time.Date(2026, 11, 3, 9, 30, 0, 0, wib))
	r.say(siti, "/start "+payload, "belum dibuka")
	r.set(time.Date(2026, 11, 5, 12, 30, 0, 0, wib))
	r.say(siti, "/start "+payload, "Presensi tercatat")

	r.say(a, "/rapat 1 pindah", "Sudah ada yang presensi")
	r.set(time.Date(2026, 11, 5, 13, 30, 0, 0, wib))
	r.say(a, "/rapat 1 pindah", "sudah dimulai")
	if err := r.h.DB().SQL().QueryRow(`SELECT starts_at FROM meetings WHERE id = 1`).Scan(&starts); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 5, 13, 0, 0, 0, wib).UTC().Format(store.TimeFormat); starts != want {
		t.Errorf("a refused move changed the start to %s", starts)
	}
	r.h.NoViolations()
}

// A move's form left open while the meeting is cancelled saves nothing.
func TestMeetingMoveAfterCancel(t *testing.T) {
	r := newMtRig(t)
	r.worker("Siti Aminah", store.RolePSM, 0)
	a := r.admin
	r.createMeeting("Rakor Bulanan", "03-11-2026", "09.00", "12.00", "Semua PSM dan TKSK")
	r.say(a, "/rapat 1 pindah", "Tanggal rapat")
	r.say(a, "04-11-2026", "Jam mulai")
	r.say(a, "09.00", "Jam selesai")
	r.say(a, "12.00", "Tempat baru")
	r.say(a, "Kantor Camat Telanaipura", "Simpan")
	if err := r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.CancelMeeting(1)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	r.press(a, "✅ Simpan", "Rapat ini dibatalkan")
	var place string
	if err := r.h.DB().SQL().QueryRow(`SELECT place FROM meetings WHERE id = 1`).Scan(&place); err != nil {
		t.Fatal(err)
	}
	if place != "Aula Dinsos Kota Jambi" {
		t.Errorf("a cancelled meeting moved to %q", place)
	}
	r.say(a, "/rapat 1 pindah", "Rapat ini dibatalkan")
	r.h.NoViolations()
}

// After a move the reminders follow the new time: the day-before reminder
// already sent for the old day goes again for the new one, and one due
// before the move is not sent late.
func TestMeetingReminderAfterMove(t *testing.T) {
	r := newSchedRig(t, nil)
	yes := r.user("Sri Wahyuni", store.RolePSM, 0)
	r.set(nov(2, 10, 0))
	id := r.meeting("Rakor PSM TKSK", nov(4, 9, 0), nov(4, 12, 0), yes)
	r.rsvp(id, yes, store.RSVPYes)
	r.tick(nov(3, 8, 0))
	if n := len(texts(yes, "Pengingat rapat")); n != 1 {
		t.Fatalf("%d day-before reminders, want 1", n)
	}
	move := func(start, end time.Time) {
		t.Helper()
		if err := r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
			ok, err := tx.MoveMeeting(id, start, end, "Aula Dinsos Kota Jambi")
			if err == nil && !ok {
				t.Error("the move was refused")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	r.set(nov(3, 10, 0))
	move(nov(6, 9, 0), nov(6, 12, 0))
	r.tick(nov(4, 7, 0)) // the old 2 h mark
	if n := len(texts(yes, "Pengingat rapat")); n != 1 {
		t.Fatalf("%d reminders at the old time, want still 1", n)
	}
	r.tick(nov(5, 8, 0))
	got := texts(yes, "Pengingat rapat")
	if len(got) != 2 || !strings.Contains(got[1], "06-11-2026, 09.00–12.00 WIB") {
		t.Fatalf("day before the new day: %q", got)
	}
	// Moved again on the day, after its 2 h mark: that reminder is not sent late.
	r.set(nov(6, 8, 0))
	move(nov(6, 9, 30), nov(6, 12, 0))
	r.tick(nov(6, 8, 5))
	if n := len(texts(yes, "Pengingat rapat")); n != 2 {
		t.Fatalf("%d reminders after a move past the 2 h mark, want 2", n)
	}
	r.h.NoViolations()
}
