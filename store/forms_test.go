package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"dinsosbot/store"
)

// A new version replaces the published one for new drafts, keeps the old one,
// and a submission's review moves only from the status it is in.
func TestFormVersionsAndSubmissions(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	update := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := db.Update(context.Background(), fn); err != nil {
			t.Fatal(err)
		}
	}
	var v1, v2, sub int64
	update(func(tx *store.Tx) (err error) {
		if v1, err = tx.AddFormVersion(store.FormVersion{FormID: "visit", Version: "1", Title: "Kunjungan", XLSX: []byte("x1"), UploadedBy: 7}); err != nil {
			return err
		}
		if ok, err := tx.PublishForm(v1, "psm", ""); err != nil || !ok {
			t.Fatalf("publish v1: %v %v", ok, err)
		}
		if v2, err = tx.AddFormVersion(store.FormVersion{FormID: "visit", Version: "2", Title: "Kunjungan", XLSX: []byte("x2"), UploadedBy: 7}); err != nil {
			return err
		}
		if ok, err := tx.PublishForm(v2, "", "Telanaipura"); err != nil || !ok {
			t.Fatalf("publish v2: %v %v", ok, err)
		}
		if ok, err := tx.DiscardFormVersion(v2); err != nil || ok {
			t.Fatalf("discarding a published version: %v %v", ok, err)
		}
		sub, err = tx.InsertSubmission(store.Submission{VersionID: v1, FormID: "visit", UserID: 9, Kecamatan: "Telanaipura", Data: `{"a":"b"}`})
		return err
	})
	update(func(tx *store.Tx) error {
		pub, err := tx.PublishedForms()
		if err != nil {
			return err
		}
		if len(pub) != 1 || pub[0].ID != v2 || pub[0].AudienceKecamatan != "Telanaipura" || string(pub[0].XLSX) != "x2" {
			t.Fatalf("published = %+v", pub)
		}
		old, ok, err := tx.GetFormVersion(v1)
		if err != nil || !ok || old.Status != store.FormReplaced || string(old.XLSX) != "x1" {
			t.Fatalf("old version = %+v %v %v", old, ok, err)
		}
		if ok, err := tx.SetSubmissionStatus(sub, store.SubmissionNew, store.SubmissionFix, 5, "foto buram", `["photo"]`); err != nil || !ok {
			t.Fatalf("send back: %v %v", ok, err)
		}
		if ok, err := tx.SetSubmissionStatus(sub, store.SubmissionNew, store.SubmissionVerified, 5, "", ""); err != nil || ok {
			t.Fatalf("verify from the wrong status: %v %v", ok, err)
		}
		if ok, err := tx.ResubmitSubmission(sub, `{"a":"c"}`, ""); err != nil || !ok {
			t.Fatalf("resubmit: %v %v", ok, err)
		}
		got, err := tx.ListSubmissions(store.SubmissionFilter{FormID: "visit", Kecamatan: "Telanaipura"})
		if err != nil {
			return err
		}
		if len(got) != 1 || got[0].Status != store.SubmissionNew || got[0].Data != `{"a":"c"}` || got[0].ReviewedBy != 5 {
			t.Fatalf("submissions = %+v", got)
		}
		return nil
	})
}
