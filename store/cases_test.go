package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
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

// The lifecycle of issue 5, pair by pair: baru -> diverifikasi |
// perlu_perbaikan | ditolak; perlu_perbaikan -> ditindaklanjuti | selesai |
// ditolak (a worker who never fixes a case does not keep it open);
// diverifikasi -> ditindaklanjuti | selesai | ditolak; ditindaklanjuti ->
// ditindaklanjuti (one more note) | selesai | ditolak; selesai and ditolak are
// final. Every other pair is refused.
func TestCaseTransitions(t *testing.T) {
	all := []string{store.CaseNew, store.CaseVerified, store.CaseNeedsFix, store.CaseFollowUp, store.CaseClosed,
		store.CaseRejected}
	allowed := map[[2]string]bool{
		{store.CaseNew, store.CaseVerified}:      true,
		{store.CaseNew, store.CaseNeedsFix}:      true,
		{store.CaseNew, store.CaseRejected}:      true,
		{store.CaseNeedsFix, store.CaseFollowUp}: true,
		{store.CaseNeedsFix, store.CaseClosed}:   true,
		{store.CaseNeedsFix, store.CaseRejected}: true,
		{store.CaseVerified, store.CaseFollowUp}: true,
		{store.CaseVerified, store.CaseClosed}:   true,
		{store.CaseVerified, store.CaseRejected}: true,
		{store.CaseFollowUp, store.CaseFollowUp}: true,
		{store.CaseFollowUp, store.CaseClosed}:   true,
		{store.CaseFollowUp, store.CaseRejected}: true,
	}
	for _, from := range all {
		for _, to := range all {
			if got, want := store.CanTransition(from, to), allowed[[2]string{from, to}]; got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
	}
	for from, tos := range store.CaseTransitions {
		for _, to := range tos {
			if !allowed[[2]string{from, to}] {
				t.Errorf("CaseTransitions offers %s -> %s", from, to)
			}
		}
	}
}

// The birth place is stored with the case, replaced by a fix, and erased with
// the rest of the personal data on a lawful request.
func TestCaseBirthPlace(t *testing.T) {
	db := openCases(t)
	ctx := context.Background()
	var id int64
	get := func() store.Case {
		t.Helper()
		var k store.Case
		if err := db.Update(ctx, func(tx *store.Tx) error {
			var err error
			k, _, err = tx.GetCase(id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return k
	}
	k := store.Case{Code: "JMB-26-00001", ReporterID: 1, Category: "PPKS02", FullName: "Siti Aminah",
		Gender: "P", BirthDate: "1990-05-12", BirthPlace: "Muara Bulian", Address: "Jl. A", Kecamatan: "15.71.01",
		Kelurahan: "15.71.01.1002", Description: "d", Urgency: "biasa"}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.TouchUser(1, "Sri", ""); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertCase(k)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := get().BirthPlace; got != "Muara Bulian" {
		t.Fatalf("stored birth place %q", got)
	}
	k.ID, k.BirthPlace = id, "Jambi"
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.SetCaseStatus(id, store.CaseNew, store.CaseNeedsFix, 7, "tempat lahir salah"); err != nil {
			return err
		}
		ok, err := tx.ResubmitCase(k, 1, "", []string{"birth_place"})
		if !ok {
			t.Error("resubmit refused")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		ev, err := tx.CaseEvents(id)
		if err != nil {
			return err
		}
		if last := ev[len(ev)-1]; last.Action != store.CaseActionResubmit || !slices.Equal(last.Fields, []string{"birth_place"}) {
			t.Errorf("resubmit event %+v", last)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := get().BirthPlace; got != "Jambi" {
		t.Fatalf("birth place after the fix %q", got)
	}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		_, ok, err := tx.EraseCasePersonalData(id, 7, "(dihapus)")
		if !ok {
			t.Error("erase found no case")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := get(); got.BirthPlace != "" || got.BirthDate != "" || got.FullName != "(dihapus)" {
		t.Fatalf("after erasure: %+v", got)
	}
}

// The fields a coordinator marks to fix are kept with the move to
// perlu_perbaikan; CaseFixFields reads those of the latest such move.
func TestCaseFixFields(t *testing.T) {
	db := openCases(t)
	ctx := context.Background()
	var id int64
	fields := func() []string {
		t.Helper()
		var out []string
		if err := db.Update(ctx, func(tx *store.Tx) error {
			var err error
			out, err = tx.CaseFixFields(id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	k := store.Case{Code: "JMB-26-00001", ReporterID: 1, Category: "PPKS02", FullName: "Siti Aminah",
		Gender: "P", BirthDate: "1990-05-12", Address: "Jl. A", Kecamatan: "15.71.01",
		Kelurahan: "15.71.01.1002", Description: "d", Urgency: "biasa"}
	if err := db.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.TouchUser(1, "Sri", ""); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertCase(k)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got := fields(); got != nil {
		t.Fatalf("fields of a new case %q", got)
	}
	k.ID = id
	for _, marked := range [][]string{{"nik", "address"}, nil} {
		if err := db.Update(ctx, func(tx *store.Tx) error {
			if ok, err := tx.SetCaseStatusFields(id, store.CaseNew, store.CaseNeedsFix, 7, "periksa", marked); err != nil || !ok {
				return fmt.Errorf("needs fix: %v %w", ok, err)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got := fields(); !slices.Equal(got, marked) {
			t.Errorf("fields %q, want %q", got, marked)
		}
		if err := db.Update(ctx, func(tx *store.Tx) error {
			_, err := tx.ResubmitCase(k, 1, "", nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
}
