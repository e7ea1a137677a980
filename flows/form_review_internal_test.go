package flows

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/region"
	"dinsosbot/flows/xlsform"
	"dinsosbot/store"
)

// TestSubmissionSavedNotifiesArea: the card of a saved submission goes to
// the coordinators covering its kecamatan, never to a coordinator who sent
// it; where no other coordinator covers it, to the admins. Each card is
// recorded, so a decision edits it.
func TestSubmissionSavedNotifiesArea(t *testing.T) {
	const (
		admin     = int64(901)
		coordA    = int64(910)
		coordA2   = int64(911)
		coordB    = int64(912)
		workerA   = int64(920)
		kecA      = "15.71.01"
		kecB      = "15.71.02"
		kecOrphan = "15.71.03"
	)
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "bot.db"), store.Options{
		Now: func() time.Time { return time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := New(Config{Admins: []int64{admin}})
	form, err := xlsform.Load(strings.NewReader(string(xlsform.VisitForm)), xlsform.Options{Regions: region.KotaJambi()})
	if err != nil {
		t.Fatal(err)
	}
	var vid int64
	if err := db.Update(ctx, func(tx *store.Tx) error {
		people := []struct {
			id     int64
			role   string
			kec    string
			covers []string
		}{
			{admin, store.RoleAdmin, "", []string{"*"}},
			{coordA, store.RoleCoordinator, "", []string{kecA}},
			{coordA2, store.RoleCoordinator, "", []string{kecA}},
			{coordB, store.RoleCoordinator, "", []string{kecB}},
			{workerA, store.RolePSM, kecA, nil},
		}
		for _, p := range people {
			if _, err := tx.TouchUser(p.id, "U", ""); err != nil {
				return err
			}
			if err := tx.SetProfile(p.id, store.Profile{FullName: "U", Phone: "+62812", Role: p.role, Kecamatan: p.kec},
				store.UserActive); err != nil {
				return err
			}
			if p.covers != nil {
				if err := tx.SetRole(p.id, p.role, p.covers); err != nil {
					return err
				}
			}
		}
		vid, err = tx.AddFormVersion(store.FormVersion{FormID: form.ID, Version: form.Version, Title: form.Title,
			XLSX: xlsform.VisitForm, UploadedBy: admin})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		by       int64
		kec      string
		wantTold []int64
	}{
		{"worker in A", workerA, kecA, []int64{coordA, coordA2}},
		{"a coordinator of A", coordA, kecA, []int64{coordA2}},
		{"nobody covers it", workerA, kecOrphan, []int64{admin}},
		{"B", workerA, kecB, []int64{coordB}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var told []int64
			if err := db.Update(ctx, func(tx *store.Tx) error {
				id, err := tx.InsertSubmission(store.Submission{VersionID: vid, FormID: form.ID, UserID: tc.by,
					Kecamatan: tc.kec, Data: `{}`})
				if err != nil {
					return err
				}
				sub, _, err := tx.GetSubmission(id)
				if err != nil {
					return err
				}
				u, _, err := tx.GetUser(tc.by)
				if err != nil {
					return err
				}
				c := &Ctx{Tx: tx, Ev: Event{ChatID: tc.by, ChatType: "private", UserID: tc.by}, User: u, Lang: i18n.ID, Env: a}
				if err := a.submissionSaved(c, sub); err != nil {
					return err
				}
				notices, err := tx.SubmissionNotices(id)
				for _, n := range notices {
					told = append(told, n.ChatID)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			slices.Sort(told)
			if !slices.Equal(told, tc.wantTold) {
				t.Errorf("cards went to %v, want %v", told, tc.wantTold)
			}
		})
	}
	rows, err := db.PendingOutbox(100)
	if err != nil {
		t.Fatal(err)
	}
	cards := 0
	for _, r := range rows {
		if strings.Contains(r.Message.Text, form.Title) {
			cards++
			if r.Message.ChatID == workerA {
				t.Errorf("the worker got a review card: %q", r.Message.Text)
			}
		}
	}
	if cards != 5 {
		t.Errorf("%d cards sent, want 5", cards)
	}
}
