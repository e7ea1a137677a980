package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"dinsosbot/store"
)

// A revoked invite is neither listed, nor usable, nor counted; revoking twice
// or an unknown id changes nothing; Unusable names why.
func TestInviteRevoke(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var keep, gone int64
	must := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := db.Update(context.Background(), fn); err != nil {
			t.Fatal(err)
		}
	}
	must(func(tx *store.Tx) (err error) {
		if keep, err = tx.AddInvite("keep", store.Invite{MaxUses: 2, ExpiresAt: now.Add(time.Hour)}); err != nil {
			return err
		}
		gone, err = tx.AddInvite("gone", store.Invite{MaxUses: 2, ExpiresAt: now.Add(time.Hour), CreatedBy: 7})
		return err
	})
	must(func(tx *store.Tx) error {
		for _, tc := range []struct {
			id   int64
			want bool
		}{{gone, true}, {gone, false}, {999, false}} {
			if ok, err := tx.RevokeInvite(tc.id, 1); err != nil || ok != tc.want {
				t.Errorf("RevokeInvite(%d) = %v, %v; want %v", tc.id, ok, err, tc.want)
			}
		}
		if used, err := tx.UseInvite(gone); err != nil || used {
			t.Errorf("revoked invite used: %v, %v", used, err)
		}
		active, err := tx.ActiveInvites()
		if err != nil || len(active) != 1 || active[0].ID != keep || active[0].CreatedAt.IsZero() {
			t.Errorf("active invites %+v, %v; want only %d", active, err, keep)
		}
		inv, _, err := tx.InviteByID(gone)
		if err != nil || !inv.Revoked || inv.RevokedBy != 1 || !inv.RevokedAt.Equal(now) || inv.Uses != 0 {
			t.Errorf("revoked invite %+v, %v", inv, err)
		}
		return nil
	})
	for _, tc := range []struct {
		inv  store.Invite
		want string
	}{
		{store.Invite{MaxUses: 1, ExpiresAt: now.Add(time.Minute)}, store.InviteOK},
		{store.Invite{MaxUses: 1, ExpiresAt: now}, store.InviteExpired},
		{store.Invite{MaxUses: 1, Uses: 1, ExpiresAt: now.Add(time.Minute)}, store.InviteUsedUp},
		{store.Invite{MaxUses: 1, Uses: 1, ExpiresAt: now, Revoked: true}, store.InviteRevoked},
	} {
		if got := tc.inv.Unusable(now); got != tc.want {
			t.Errorf("Unusable(%+v) = %q, want %q", tc.inv, got, tc.want)
		}
		if usable := tc.inv.Usable(now); usable != (tc.want == store.InviteOK) {
			t.Errorf("Usable(%+v) = %v", tc.inv, usable)
		}
	}
}
