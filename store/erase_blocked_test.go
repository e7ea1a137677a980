package store_test

import (
	"testing"

	"dinsosbot/store"
)

// A blocked person keeps the right to erasure, but erasing must not lift the
// block: only the bare Telegram id stays, still blocked, with no name, phone
// or area; an active person's row goes entirely.
func TestEraseBlockedUserStaysBlocked(t *testing.T) {
	db := openCases(t)
	const blocked, active = 7101, 7102
	update(t, db, func(tx *store.Tx) error {
		for _, id := range []int64{blocked, active} {
			if _, err := tx.TouchUser(id, "Tono", "tono_w"); err != nil {
				return err
			}
			if err := tx.SetProfile(id, store.Profile{FullName: "Tono Wibowo", Phone: "+6285266001122",
				Role: store.RolePSM, Kecamatan: "15.71.01"}, store.UserActive); err != nil {
				return err
			}
		}
		return tx.SetStatus(blocked, store.UserBlocked)
	})
	update(t, db, func(tx *store.Tx) error {
		for _, id := range []int64{blocked, active} {
			if _, _, ok, err := tx.EraseUser(id, "(petugas dihapus)"); err != nil || !ok {
				t.Fatalf("erase %d: ok=%v err=%v", id, ok, err)
			}
		}
		u, found, err := tx.GetUser(blocked)
		if err != nil {
			return err
		}
		if !found || u.Status != store.UserBlocked || u.FullName != "" || u.FirstName != "" || u.Username != "" ||
			u.Phone != "" || u.Kecamatan != "" || u.Role != store.RoleNone {
			t.Errorf("the erased blocked person is %+v (found %v), want a bare blocked id", u, found)
		}
		if _, found, err := tx.GetUser(active); err != nil || found {
			t.Errorf("the erased active person is still there (found %v, err %v)", found, err)
		}
		return nil
	})
}
