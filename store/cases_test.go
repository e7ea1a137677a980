package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"dinsosbot/store"
)

func openCases(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"),
		store.Options{Now: func() time.Time { return time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Codes count up per year, restart with a new year, and a rolled-back
// transaction gives its number back.
func TestNextCaseCode(t *testing.T) {
	db := openCases(t)
	next := func(year int) string {
		t.Helper()
		var code string
		if err := db.Update(context.Background(), func(tx *store.Tx) error {
			var err error
			code, err = tx.NextCaseCode("JMB", year)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return code
	}
	for _, want := range []string{"JMB-26-00001", "JMB-26-00002"} {
		if got := next(2026); got != want {
			t.Fatalf("code = %s, want %s", got, want)
		}
	}
	if got := next(2027); got != "JMB-27-00001" {
		t.Fatalf("new year: %s", got)
	}
	_ = db.Update(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.NextCaseCode("JMB", 2026); err != nil {
			return err
		}
		return context.Canceled // roll back
	})
	if got := next(2026); got != "JMB-26-00003" {
		t.Fatalf("after a rollback: %s", got)
	}
}

// A status change happens once: the second of two racing reviewers changes
// nothing, and every change is in the history.
func TestSetCaseStatusOnce(t *testing.T) {
	db := openCases(t)
	ctx := context.Background()
	var id int64
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.TouchUser(1, "Sri", ""); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertCase(store.Case{Code: "JMB-26-00001", ReporterID: 1, Category: "PPKS02", FullName: "A",
			Gender: "P", Address: "x", Kecamatan: "k", Kelurahan: "l", Description: "d", Urgency: "biasa"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []bool{true, false} {
		if err := db.Update(ctx, func(tx *store.Tx) error {
			ok, err := tx.SetCaseStatus(id, store.CaseNew, store.CaseVerified, 7, "")
			if ok != want {
				t.Errorf("change %d: ok = %v, want %v", i, ok, want)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		ev, err := tx.CaseEvents(id)
		if len(ev) != 2 || ev[1].From != store.CaseNew || ev[1].To != store.CaseVerified || ev[1].UserID != 7 {
			t.Errorf("history = %+v", ev)
		}
		k, _, _ := tx.GetCase(id)
		if k.ReviewerID != 7 || k.Status != store.CaseVerified {
			t.Errorf("case = %+v", k)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
