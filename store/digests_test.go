package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// seedCases writes n cases over the 60 days before end, spread over 11
// kecamatan and 26 categories, a third of them with a status change, reported
// by 80 workers; in one transaction, directly, for speed.
func seedCases(tb testing.TB, n int, end time.Time) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "d.db"), store.Options{Now: func() time.Time { return end }})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	err = db.Update(context.Background(), func(tx *store.Tx) error {
		for w := 1; w <= 80; w++ {
			if _, err := tx.Exec(`INSERT INTO users (id, first_name, role, status, kecamatan, created_at, updated_at)
				VALUES (?, 'W', 'psm', 'active', ?, '', '')`, w, fmt.Sprintf("15.71.%02d", w%11+1)); err != nil {
				return err
			}
		}
		statuses := []string{store.CaseNew, store.CaseVerified, store.CaseFollowUp, store.CaseClosed}
		for i := range n {
			at := end.Add(-time.Duration(i) * 60 * 24 * time.Hour / time.Duration(n)).UTC().Format(store.TimeFormat)
			status := statuses[i%len(statuses)]
			res, err := tx.Exec(`INSERT INTO cases (code, reporter_id, category, full_name, nik, gender, address,
				kecamatan, kelurahan, description, urgency, status, created_at, updated_at)
				VALUES (?, ?, ?, 'Nama', '1571010101800001', 'L', 'alamat', ?, '', 'd', 'biasa', ?, ?, ?)`,
				fmt.Sprintf("JMB-26-%06d", i), i%80+1, fmt.Sprintf("PPKS%02d", i%26+1), fmt.Sprintf("15.71.%02d", i%11+1),
				status, at, at)
			if err != nil {
				return err
			}
			id, _ := res.LastInsertId()
			if status != store.CaseNew {
				if _, err := tx.Exec(`INSERT INTO case_events (case_id, at, user_id, action, from_status, to_status)
					VALUES (?, ?, 1, 'status', 'baru', ?)`, id, at, status); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

func TestDigestStatsScope(t *testing.T) {
	end := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	db := seedCases(t, 2200, end)
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		all, err := tx.DigestStats(nil, end.Add(-7*24*time.Hour), end)
		if err != nil {
			return err
		}
		two, err := tx.DigestStats([]string{"15.71.01", "15.71.02"}, end.Add(-7*24*time.Hour), end)
		if err != nil {
			return err
		}
		if all.NewTotal < 250 || all.NewTotal > 260 || len(all.NewByKecamatan) != 11 {
			t.Errorf("all: %d new in %d kecamatan", all.NewTotal, len(all.NewByKecamatan))
		}
		if len(two.NewByKecamatan) != 2 || two.NewTotal*11 > all.NewTotal*2+22 || two.Backlog == 0 ||
			two.Oldest.Kecamatan != "15.71.01" && two.Oldest.Kecamatan != "15.71.02" {
			t.Errorf("two kecamatan: %+v", two)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkDigest100k computes a coordinator's daily and an admin's weekly
// digest numbers, and the idle workers, over 100,000 cases.
func BenchmarkDigest100k(b *testing.B) {
	end := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	db := seedCases(b, 100_000, end)
	b.ResetTimer()
	for b.Loop() {
		err := db.Update(context.Background(), func(tx *store.Tx) error {
			if _, err := tx.DigestStats([]string{"15.71.01", "15.71.02"}, end.Add(-24*time.Hour), end); err != nil {
				return err
			}
			if _, err := tx.DigestStats(nil, end.Add(-7*24*time.Hour), end); err != nil {
				return err
			}
			_, err := tx.IdleWorkers(nil, end.Add(-30*24*time.Hour))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDigestPath100k makes BenchmarkDigest100k's two digests whole, as
// the scheduler's jobs make them over 100,000 cases: the numbers, the meeting
// lines (a coming meeting inviting the 80 workers, a past one 60 attended),
// the idle workers, the chart PNG and the text enqueued; a coordinator of two
// kecamatan gets the daily one, the admin the weekly one. Compare it with
// BenchmarkDigest100k in the same run to see what the chart and the text cost
// over the queries.
func BenchmarkDigestPath100k(b *testing.B) {
	end := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	db := seedCases(b, 100_000, end)
	const admin, coord = 1000, 1001
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		for _, id := range []int64{admin, coord} {
			if _, err := tx.TouchUser(id, "Staf", ""); err != nil {
				return err
			}
		}
		if err := tx.SetRole(admin, store.RoleAdmin, nil); err != nil {
			return err
		}
		if err := tx.SetRole(coord, store.RoleCoordinator, []string{"15.71.01", "15.71.02"}); err != nil {
			return err
		}
		if err := tx.SetDigestSetting(admin, store.DigestSetting{Weekly: true}); err != nil {
			return err
		}
		if err := tx.SetDigestSetting(coord, store.DigestSetting{Daily: true}); err != nil {
			return err
		}
		past, err := tx.AddMeeting(store.Meeting{Title: "Rakor", StartsAt: end.Add(-26 * time.Hour),
			EndsAt: end.Add(-24 * time.Hour), Place: "Aula", Audience: store.AudienceAll, Code: "past", CreatedBy: admin})
		if err != nil {
			return err
		}
		coming, err := tx.AddMeeting(store.Meeting{Title: "Rakor", StartsAt: end.Add(50 * time.Hour),
			EndsAt: end.Add(52 * time.Hour), Place: "Aula", Audience: store.AudienceAll, Code: "coming", CreatedBy: admin})
		if err != nil {
			return err
		}
		for w := int64(1); w <= 80; w++ {
			for _, m := range []int64{past, coming} {
				if err := tx.Invite(m, w); err != nil {
					return err
				}
			}
			if err := tx.SetRSVP(coming, w, []string{store.RSVPYes, store.RSVPNo, store.RSVPNone}[w%3], ""); err != nil {
				return err
			}
			if w <= 60 {
				if _, _, err := tx.CheckIn(store.Attendance{MeetingID: past, UserID: w, At: end.Add(-25 * time.Hour),
					Method: store.CheckinQR}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	jobs := map[string]func(*store.Tx, time.Time) error{}
	for _, j := range flows.New(flows.Config{}).Jobs() {
		jobs[j.Name] = j.Run
	}
	b.ResetTimer()
	for b.Loop() {
		var png, texts int
		err := db.Update(context.Background(), func(tx *store.Tx) error {
			if err := jobs[flows.JobDigestDaily](tx, end); err != nil {
				return err
			}
			if err := jobs[flows.JobDigestWeekly](tx, end); err != nil {
				return err
			}
			return tx.QueryRow(`SELECT COUNT(*) FILTER (WHERE kind = 'photo'), COUNT(*) FILTER (WHERE kind != 'photo')
				FROM outbox WHERE status = 'pending'`).Scan(&png, &texts)
		})
		if err != nil {
			b.Fatal(err)
		}
		if png == 0 || texts == 0 {
			b.Fatalf("no digest made: %d charts, %d texts pending", png, texts)
		}
	}
}
