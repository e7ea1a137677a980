package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dinsosbot/store"
)

// openAt opens a database whose clock the test moves.
func openAt(t *testing.T, now *time.Time) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"),
		store.Options{Now: func() time.Time { return *now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Photos a fix replaced leave the case (lists, notices, the fix form) but
// stay recorded until the case is erased, and the erasure names every file
// ever downloaded for it; a download that finishes after the erasure is told
// its photo is gone.
func TestErasureFindsReplacedPhotos(t *testing.T) {
	db := openCases(t)
	var id int64
	update(t, db, func(tx *store.Tx) error {
		if _, err := tx.TouchUser(1, "Sri", ""); err != nil {
			return err
		}
		var err error
		id, err = tx.InsertCase(store.Case{Code: "JMB-26-00001", ReporterID: 1, Category: "PPKS02", FullName: "Budi",
			Gender: "L", Address: "x", Kecamatan: "k", Kelurahan: "l", Description: "d", Urgency: "biasa"})
		if err != nil {
			return err
		}
		return tx.AddCasePhoto(id, store.CasePhoto{FileID: "F1", FileUniqueID: "U1"})
	})
	photoID := func(fileID string) int64 {
		var pid int64
		if err := db.SQL().QueryRow(`SELECT id FROM case_photos WHERE file_id = ?`, fileID).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		return pid
	}
	if err := db.PhotoDownloaded(photoID("F1"), "case-1/U1.jpg"); err != nil {
		t.Fatal(err)
	}
	// The fix: the old photo replaced by two new ones, one downloaded while
	// the other is still on its way.
	update(t, db, func(tx *store.Tx) error {
		if err := tx.DeleteCasePhotos(id); err != nil {
			return err
		}
		if err := tx.AddCasePhoto(id, store.CasePhoto{FileID: "F2", FileUniqueID: "U2"}); err != nil {
			return err
		}
		return tx.AddCasePhoto(id, store.CasePhoto{FileID: "F3", FileUniqueID: "U3"})
	})
	if err := db.PhotoDownloaded(photoID("F2"), "case-1/U2.jpg"); err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingPhotos(time.Now(), 10)
	if err != nil || len(pending) != 1 || pending[0].FileID != "F3" {
		t.Fatalf("pending after the fix: %+v (%v), want F3 alone", pending, err)
	}
	var er store.Erasure
	update(t, db, func(tx *store.Tx) error {
		shown, err := tx.CasePhotos(id)
		if err != nil {
			return err
		}
		if len(shown) != 2 || shown[0].FileID != "F2" {
			t.Errorf("the case shows %+v, want F2 and F3", shown)
		}
		var ok bool
		er, ok, err = tx.EraseCasePersonalData(id, 7, "(dihapus)")
		if !ok {
			t.Error("no case")
		}
		return err
	})
	if want := []string{"case-1/U1.jpg", "case-1/U2.jpg"}; !slices.Equal(er.Photos, want) {
		t.Errorf("erasure names %v, want %v (the replaced photo too)", er.Photos, want)
	}
	if err := db.PhotoDownloaded(photoID2(t, db), "case-1/U3.jpg"); !errors.Is(err, store.ErrPhotoGone) {
		t.Errorf("a download finishing after the erasure: %v, want ErrPhotoGone", err)
	}
}

// photoID2 is an id no row has any more (the erased case's photos).
func photoID2(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var n int64
	if err := db.SQL().QueryRow(`SELECT COALESCE(MAX(id), 0) + 3 FROM case_photos`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Retention: what is older than the cutoff loses its personal texts (sent
// outbox rows keep chat and message id), failed updates go, audit entries
// keep who, what and when but lose their detail; newer ones and pending
// messages are untouched. The audit log still refuses every other change.
func TestRetentionScrub(t *testing.T) {
	now := time.Date(2026, 1, 1, 2, 0, 0, 0, time.UTC)
	db := openAt(t, &now)
	var oldSent, oldPending, newSent int64
	enqueueSent := func(text string, mid int) int64 {
		var id int64
		update(t, db, func(tx *store.Tx) error {
			var err error
			id, err = tx.Enqueue(store.Message{ChatID: 42, Text: text,
				Buttons: [][]store.Button{{{Text: "Siti Aminah", Data: "x"}}}})
			return err
		})
		if err := db.RecordSends(context.Background(), []store.SendOutcome{{ID: id, Status: store.StatusSent,
			MessageID: mid}}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	oldSent = enqueueSent("Kasus Siti Aminah, NIK 1571********0003", 10)
	update(t, db, func(tx *store.Tx) error {
		var err error
		if oldPending, err = tx.Enqueue(store.Message{ChatID: 43, Text: "masih antre Siti"}); err != nil {
			return err
		}
		if err := tx.RecordFailedUpdate(1, []byte(`{"update_id":1,"message":{"text":"Siti Aminah"}}`), "boom"); err != nil {
			return err
		}
		return tx.Audit(900, "export", "n=5 kec=15.71.01")
	})

	now = now.AddDate(0, 0, 100)
	newSent = enqueueSent("Kasus Budi", 11)
	update(t, db, func(tx *store.Tx) error { return tx.Audit(900, "export", "n=1") })

	// Before the job sets a cutoff, the audit log refuses a blanked detail.
	err := db.Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE audit_log SET detail = ''`)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("blanking details without a cutoff: %v", err)
	}

	var got store.Retained
	update(t, db, func(tx *store.Tx) error {
		var err error
		got, err = tx.ScrubOlderThan(now.AddDate(0, 0, -90))
		return err
	})
	if got != (store.Retained{Outbox: 1, FailedUpdates: 1, Audit: 1}) {
		t.Errorf("scrubbed %+v", got)
	}
	row := func(id int64) (payload string, mid int) {
		t.Helper()
		if err := db.SQL().QueryRow(`SELECT payload, tg_message_id FROM outbox WHERE id = ?`, id).Scan(&payload, &mid); err != nil {
			t.Fatal(err)
		}
		return payload, mid
	}
	if p, mid := row(oldSent); strings.Contains(p, "Siti") || strings.Contains(p, "1571") || mid != 10 ||
		!strings.Contains(p, `"chat_id":42`) {
		t.Errorf("old sent row: %s (message %d)", p, mid)
	}
	if p, _ := row(oldPending); !strings.Contains(p, "masih antre Siti") {
		t.Errorf("a pending row was scrubbed: %s", p)
	}
	if p, _ := row(newSent); !strings.Contains(p, "Kasus Budi") {
		t.Errorf("a recent row was scrubbed: %s", p)
	}
	var details []string
	rows, err := db.SQL().Query(`SELECT action || ':' || detail FROM audit_log ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		details = append(details, s)
	}
	rows.Close()
	if want := []string{"export:", "export:n=1"}; !slices.Equal(details, want) {
		t.Errorf("audit after retention %q, want %q", details, want)
	}
	// The exception is narrow: recent entries, other columns and deletes
	// stay refused, and the cutoff cannot be moved back or into the last week.
	for _, q := range []string{
		`UPDATE audit_log SET detail = '' WHERE detail = 'n=1'`,
		`UPDATE audit_log SET action = 'x', detail = '' WHERE action = 'export' AND detail = ''`,
		`DELETE FROM audit_log WHERE detail = ''`,
		`UPDATE audit_scrub SET cutoff = '2020-01-01T00:00:00.000Z'`,
		`UPDATE audit_scrub SET cutoff = '2030-01-01T00:00:00.000Z'`,
		`DELETE FROM audit_scrub`,
	} {
		err := db.Update(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(q)
			return err
		})
		if err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
}

// Backups taken before the cutoff are deleted; newer ones and other files
// stay.
func TestPruneBackupsBefore(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"dinsosbot-20260101-020000.db", "dinsosbot-20260401-020000.db",
		"dinsosbot-20260401-020000-2.db", "notes.txt", "dinsosbot-x.db"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := store.PruneBackupsBefore(dir, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || filepath.Base(removed[0]) != "dinsosbot-20260101-020000.db" {
		t.Errorf("removed %v", removed)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("%d files left, want 4", len(entries))
	}
	if got, err := store.PruneBackupsBefore(filepath.Join(dir, "none"), time.Now()); err != nil || got != nil {
		t.Errorf("missing folder: %v, %v", got, err)
	}
}
