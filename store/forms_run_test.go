package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dinsosbot/store"
)

// A NIK answer is sealed (no digits) and opens back; a submission's media wait
// for download, are marked done, retried or given up, and a file of a
// submission erased meanwhile is reported gone.
func TestFormNIKAndMedia(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const nik = "1571015205900003"
	var sub int64
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		sealed, index := tx.SealFormNIK(nik)
		if strings.Contains(sealed, nik) || sealed == "" || index == "" || strings.Contains(index, nik) {
			t.Fatalf("sealed %q index %q", sealed, index)
		}
		if got, err := tx.OpenFormNIK(sealed); err != nil || got != nik {
			t.Fatalf("open = %q %v", got, err)
		}
		if got, err := tx.OpenFormNIK("plain"); err != nil || got != "plain" {
			t.Fatalf("open plain = %q %v", got, err)
		}
		v, err := tx.AddFormVersion(store.FormVersion{FormID: "f", Title: "F", XLSX: []byte("x"), UploadedBy: 1})
		if err != nil {
			return err
		}
		if sub, err = tx.InsertSubmission(store.Submission{VersionID: v, FormID: "f", UserID: 9, Data: "{}"}); err != nil {
			return err
		}
		for _, u := range []string{"a", "b"} {
			if err := tx.AddFormMedia(store.FormMedia{SubmissionID: sub, FileID: "file-" + u, FileUniqueID: u,
				LocalPath: store.SubmissionMediaDir(sub) + "/" + u + ".jpg"}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingFormMedia(now, 10)
	if err != nil || len(pending) != 2 || pending[0].LocalPath != "form-1/a.jpg" {
		t.Fatalf("pending = %+v %v", pending, err)
	}
	if err := db.FormMediaDownloaded(pending[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := db.FormMediaRetry(pending[1].ID, now.Add(time.Minute), "timeout"); err != nil {
		t.Fatal(err)
	}
	if p, err := db.PendingFormMedia(now, 10); err != nil || len(p) != 0 {
		t.Fatalf("pending before the retry = %+v %v", p, err)
	}
	if p, err := db.PendingFormMedia(now.Add(time.Minute), 10); err != nil || len(p) != 1 || p[0].Attempts != 1 {
		t.Fatalf("pending at the retry = %+v %v", p, err)
	}
	if err := db.FormMediaFailed(pending[1].ID, "gone"); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		m, err := tx.FormMediaOf(sub)
		if err != nil || len(m) != 2 || m[0].Status != store.PhotoDone || m[1].Status != store.PhotoFailed {
			t.Fatalf("media = %+v %v", m, err)
		}
		if err := tx.DeleteFormMedia(sub); err != nil {
			return err
		}
		m, err = tx.FormMediaOf(sub)
		if err != nil || len(m) != 1 {
			t.Fatalf("media after delete = %+v %v", m, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.FormMediaDownloaded(999); !errors.Is(err, store.ErrPhotoGone) {
		t.Fatalf("downloaded unknown = %v", err)
	}
}
