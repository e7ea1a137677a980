package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"dinsosbot/store"
)

func TestInviteUseAndExpiry(t *testing.T) {
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
	update(func(tx *store.Tx) error {
		_, err := tx.AddInvite("secret", store.Invite{MaxUses: 2, ExpiresAt: now.Add(time.Hour)})
		return err
	})
	tests := []struct {
		code string
		ok   bool
		use  bool
	}{{"secret", true, true}, {"Secret", false, false}, {"secret", true, true}, {"secret", true, false}}
	for i, tc := range tests {
		update(func(tx *store.Tx) error {
			inv, ok, err := tx.InviteByCode(tc.code)
			if err != nil || ok != tc.ok {
				t.Fatalf("%d: InviteByCode ok=%v err=%v", i, ok, err)
			}
			if !ok {
				return nil
			}
			used, err := tx.UseInvite(inv.ID)
			if err != nil || used != tc.use {
				t.Fatalf("%d: UseInvite = %v, %v; want %v", i, used, err, tc.use)
			}
			return nil
		})
	}
	update(func(tx *store.Tx) error {
		_, err := tx.AddInvite("later", store.Invite{MaxUses: 5, ExpiresAt: now.Add(time.Hour)})
		return err
	})
	now = now.Add(2 * time.Hour)
	update(func(tx *store.Tx) error {
		inv, _, err := tx.InviteByCode("later")
		if err != nil || inv.Usable(tx.Now()) {
			t.Fatalf("expired invite usable (err %v)", err)
		}
		if used, err := tx.UseInvite(inv.ID); err != nil || used {
			t.Fatalf("expired invite used: %v %v", used, err)
		}
		return nil
	})
}
