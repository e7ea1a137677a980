package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"dinsosbot/store"
)

// TestAuditMasksNIKs: what a person typed can reach an audit detail (a forged
// button, a command's arguments); a NIK there, however grouped, is masked
// before it enters the append-only log, and shorter numbers stay.
func TestAuditMasksNIKs(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "a.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tests := []struct{ detail, want string }{
		{"/hapus_kasus 1571015205900003", "/hapus_kasus 1571********0003"},
		{"c:1:x:1571 0152 0590 0003", "1571 **** **** 0003"},
		{"case 42 JMB-26-00042 in_scope=true", "case 42 JMB-26-00042 in_scope=true"},
		{"user 6281234567890", "user 6281234567890"},
	}
	for _, tc := range tests {
		update(t, db, func(tx *store.Tx) error { return tx.Audit(7, "denied", tc.detail) })
	}
	var all []string
	rows, err := db.SQL().Query(`SELECT detail FROM audit_log WHERE user_id = 7 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		all = append(all, d)
	}
	if len(all) != len(tests) {
		t.Fatalf("got %d rows, want %d", len(all), len(tests))
	}
	for i, tc := range tests {
		if !strings.Contains(all[i], tc.want) || strings.Contains(all[i], "1571015205900003") {
			t.Errorf("audit detail %q stored as %q, want it to contain %q", tc.detail, all[i], tc.want)
		}
	}
}
