package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"dinsosbot/store"
)

func TestMeetingWindowCheckInRoster(t *testing.T) {
	now := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := now.Add(2 * time.Hour)
	m := store.Meeting{Title: "Rakor", StartsAt: start, EndsAt: start.Add(3 * time.Hour), Place: "Aula",
		Audience: store.AudienceAll, Code: "abc", CreatedBy: 1}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{start.Add(-61 * time.Minute), false}, {start.Add(-time.Hour), true}, {start, true},
		{m.EndsAt, true}, {m.EndsAt.Add(time.Second), false},
	} {
		if got := m.InWindow(tc.at); got != tc.want {
			t.Errorf("InWindow(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
	err = db.Update(context.Background(), func(tx *store.Tx) error {
		for _, id := range []int64{1, 2, 3} {
			if _, err := tx.TouchUser(id, "U", ""); err != nil {
				return err
			}
		}
		if err := tx.SetProfile(2, store.Profile{FullName: "Siti", Role: store.RolePSM, Kecamatan: "k1"}, store.UserActive); err != nil {
			return err
		}
		if err := tx.SetProfile(3, store.Profile{FullName: "Budi", Role: store.RoleTKSK, Kecamatan: "k2"}, store.UserActive); err != nil {
			return err
		}
		id, err := tx.AddMeeting(m)
		if err != nil {
			return err
		}
		if got, ok, err := tx.MeetingByCode("abc"); err != nil || !ok || got.ID != id || !got.StartsAt.Equal(start) ||
			got.CheckinLead != time.Hour || got.Status != store.MeetingScheduled {
			t.Fatalf("MeetingByCode = %+v, %v, %v", got, ok, err)
		}
		ws, err := tx.Workers([]string{store.RolePSM, store.RoleTKSK}, []string{"k2"}, nil)
		if err != nil || len(ws) != 1 || ws[0].ID != 3 {
			t.Fatalf("Workers in k2 = %+v, %v", ws, err)
		}
		if err := tx.Invite(id, 2); err != nil {
			return err
		}
		if err := tx.Invite(id, 2); err != nil {
			return err
		}
		if err := tx.SetRSVP(id, 2, store.RSVPNo, "sakit"); err != nil {
			return err
		}
		first := store.Attendance{MeetingID: id, UserID: 3, At: start, Method: store.CheckinQR, WalkIn: true}
		if _, added, err := tx.CheckIn(first); err != nil || !added {
			t.Fatalf("first check-in added=%v err=%v", added, err)
		}
		got, added, err := tx.CheckIn(store.Attendance{MeetingID: id, UserID: 3, At: start.Add(time.Hour), Method: store.CheckinManual})
		if err != nil || added || !got.At.Equal(start) || got.Method != store.CheckinQR {
			t.Fatalf("second check-in = %+v added=%v err=%v", got, added, err)
		}
		roster, err := tx.Roster(id)
		if err != nil {
			return err
		}
		if len(roster) != 2 || roster[0].User.ID != 3 || !roster[0].Attended || roster[0].Invited ||
			roster[1].User.ID != 2 || roster[1].Attended || roster[1].RSVP != store.RSVPNo || roster[1].Reason != "sakit" {
			t.Fatalf("roster %+v", roster)
		}
		ms, invs, err := tx.UpcomingFor(2, now)
		if err != nil || len(ms) != 1 || invs[0].RSVP != store.RSVPNo {
			t.Fatalf("UpcomingFor = %+v %+v %v", ms, invs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
