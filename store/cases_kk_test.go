package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"dinsosbot/store"
	"dinsosbot/store/nikcrypt"
)

const kkA = "1571011234560007"

// The family card number (No. KK) is sealed with the NIK keyring: never in
// the file as digits, a plaintext one written by hand is sealed on the next
// Open, and a rekey moves it to the new key with the NIKs, so the old key
// can go.
func TestFamilyCardNumberAtRest(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kk.db")
	db := openNIK(t, path, nikKeys(t, 1))
	id := addCase(t, db, nikA)
	other := addCase(t, db, "")
	nikUpdate(t, db, func(tx *store.Tx) error {
		k, _, err := tx.GetCase(id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE cases SET status = ? WHERE id = ?`, store.CaseNeedsFix, id); err != nil {
			return err
		}
		k.NoKK, k.RT, k.RW = kkA, "005", "002"
		_, err = tx.ResubmitCase(k, 1, "", nil)
		return err
	})
	// Written by hand, in plaintext: the next Open seals it.
	if _, err := db.SQL().Exec(`UPDATE cases SET no_kk = ? WHERE id = ?`, kkA, other); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db = openNIK(t, path, nikKeys(t, 1))
	sealedWith := func(db *store.DB, want string) {
		t.Helper()
		rows, err := db.SQL().Query(`SELECT no_kk FROM cases ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			if key, ok := nikcrypt.SealedKeyID(v); !ok || key != want {
				t.Errorf("no_kk %q, want sealed with key %s", v, want)
			}
		}
	}
	sealedWith(db, nikKeys(t, 1).NIKKeys.Current().ID())
	db.Close()
	if found := holdsNIK(stored(t, path), kkA); len(found) > 0 {
		t.Errorf("the file holds the No. KK %v", found)
	}

	rotate := nikKeys(t, 2, 1)
	if _, err := store.Rekey(ctx, path, *rotate); err != nil {
		t.Fatal(err)
	}
	// The old key is gone: every No. KK still opens with the new one.
	db = openNIK(t, path, nikKeys(t, 2))
	defer db.Close()
	sealedWith(db, rotate.NIKKeys.Current().ID())
	nikUpdate(t, db, func(tx *store.Tx) error {
		for _, cid := range []int64{id, other} {
			k, _, err := tx.GetCase(cid)
			if err != nil {
				return err
			}
			if k.NoKK != kkA {
				t.Errorf("case %d: No. KK %q after rekey", cid, k.NoKK)
			}
		}
		k, _, err := tx.GetCase(id)
		if err == nil && (k.RT != "005" || k.RW != "002" || k.NIK != nikA) {
			t.Errorf("case %d: RT %q RW %q NIK %q", id, k.RT, k.RW, k.NIK)
		}
		return err
	})
	if _, err := store.Open(ctx, path, *nikKeys(t, 1)); !errors.Is(err, store.ErrNIKKey) {
		t.Errorf("the old key alone opens the rekeyed database: %v", err)
	}
}
