package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dinsosbot/store"
)

// TestAuditLimited: one person's refusals write a burst per window in full,
// the rest are counted per person and action and summarised once; other
// people's refusals are written as before; the audit log stays append-only.
func TestAuditLimited(t *testing.T) {
	now := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"),
		store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	count := func(where string, args ...any) int {
		t.Helper()
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE `+where, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	update(t, db, func(tx *store.Tx) error {
		for i := range 10_000 {
			if err := tx.AuditLimited(1, "denied", fmt.Sprintf("forged %d", i)); err != nil {
				return err
			}
		}
		return tx.AuditLimited(2, "denied", "/audit")
	})
	if n := count(`user_id = 1`); n != store.AuditBurst {
		t.Errorf("10000 refusals wrote %d rows, want %d", n, store.AuditBurst)
	}
	if n := count(`user_id = 2`); n != 1 {
		t.Errorf("another person's refusal wrote %d rows, want 1", n)
	}
	// Reading the log brings the count in; the window keeps running.
	update(t, db, func(tx *store.Tx) error { return tx.FlushAuditCounters() })
	var detail string
	if err := db.SQL().QueryRow(`SELECT detail FROM audit_log WHERE action = 'denied_repeats'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(detail, "n=9990 ") || !strings.HasSuffix(detail, "last=forged 9999") {
		t.Errorf("summary %q", detail)
	}
	update(t, db, func(tx *store.Tx) error { return tx.AuditLimited(1, "denied", "again") })
	if n := count(`user_id = 1`); n != store.AuditBurst+1 {
		t.Errorf("%d rows after one more refusal in the window, want %d", n, store.AuditBurst+1)
	}
	// A new window: a new burst, after the old count's summary.
	now = now.Add(store.AuditWindow)
	update(t, db, func(tx *store.Tx) error { return tx.AuditLimited(1, "denied", "next hour") })
	if n := count(`user_id = 1 AND action = 'denied_repeats'`); n != 2 {
		t.Errorf("%d summaries, want 2", n)
	}
	if n := count(`user_id = 1 AND action = 'denied' AND detail = 'next hour'`); n != 1 {
		t.Error("the first refusal of a new window was not written in full")
	}
	err = db.Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(`DELETE FROM audit_log WHERE user_id = 1`)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("delete from the audit log: %v", err)
	}
}
