package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dinsosbot/store"
	"dinsosbot/store/nikcrypt"
)

// NIKs at rest: ciphertext and a blind index in cases, sealed digits in
// drafts, sealed files in the outbox; a wrong key stops Open; a database from
// before encryption is encrypted on Open; rekey moves everything to a new key.

const (
	nikA = "1571015205900003"
	nikB = "1571024107850002"
	nikC = "1571030101700001" // only in an export file
)

func nikKeys(t *testing.T, current byte, old ...byte) *store.Options {
	t.Helper()
	olds := make([][]byte, len(old))
	for i, o := range old {
		olds[i] = bytes.Repeat([]byte{o}, nikcrypt.KeySize)
	}
	kr, err := nikcrypt.NewKeyring(bytes.Repeat([]byte{current}, nikcrypt.KeySize), olds...)
	if err != nil {
		t.Fatal(err)
	}
	return &store.Options{NIKKeys: kr, Now: func() time.Time { return time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC) }}
}

func openNIK(t *testing.T, path string, opts *store.Options) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path, *opts)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func nikUpdate(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// addCase stores a case with nik reported by user 1 and returns its id.
func addCase(t *testing.T, db *store.DB, nik string) int64 {
	t.Helper()
	var id int64
	nikUpdate(t, db, func(tx *store.Tx) error {
		if _, err := tx.TouchUser(1, "Sri", ""); err != nil {
			return err
		}
		code, err := tx.NextCaseCode("JMB", 2026)
		if err != nil {
			return err
		}
		id, err = tx.InsertCase(store.Case{Code: code, ReporterID: 1, Category: "PPKS02", FullName: "Siti Aminah",
			NIK: nik, Gender: "P", Address: "Jl. Pattimura", Kecamatan: "15.71.01", Kelurahan: "15.71.01.1002",
			Description: "d", Urgency: "biasa"})
		return err
	})
	return id
}

const draftData = `{"a":{"nik":{"t":"1571********0002"},"address":{"t":"RT 5, KK 1571 0241 0785 0002"}},"v":{"nik":"` + nikB + `"}}`

var exportCSV = []byte("\ufeffNo,NIK,Nama\n1," + nikC + ",Siti Aminah\n")

// addDraftAndExport leaves a case form open with nikB answered and an export
// listing nikC waiting in the outbox.
func addDraftAndExport(t *testing.T, db *store.DB) {
	t.Helper()
	nikUpdate(t, db, func(tx *store.Tx) error {
		if err := tx.SaveConversation(store.Conversation{ChatID: 1, UserID: 1, Flow: "case", Step: "gender",
			Nonce: "n1", Data: draftData}, true); err != nil {
			return err
		}
		_, err := tx.Enqueue(store.Message{Kind: store.KindDocument, ChatID: 1, FileName: "kasus.csv", File: exportCSV})
		return err
	})
}

// stored is the database file and its WAL, as they are on disk.
func stored(t *testing.T, path string) []byte {
	t.Helper()
	var all []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	return all
}

// holdsNIK lists the NIKs (plain, or grouped as typed) found in the bytes.
func holdsNIK(b []byte, niks ...string) []string {
	var found []string
	for _, n := range niks {
		for _, form := range []string{n, n[:4] + " " + n[4:8] + " " + n[8:12] + " " + n[12:]} {
			if bytes.Contains(b, []byte(form)) {
				found = append(found, form)
			}
		}
	}
	return found
}

// checkReadsBack: the flows see plaintext whatever is stored.
func checkReadsBack(t *testing.T, db *store.DB, caseID int64) {
	t.Helper()
	nikUpdate(t, db, func(tx *store.Tx) error {
		c, ok, err := tx.GetCase(caseID)
		if err != nil || !ok || c.NIK != nikA {
			t.Errorf("GetCase = %q, %v, %v; want NIK %s", c.NIK, ok, err, nikA)
		}
		dups, err := tx.CasesByNIK(nikA)
		if err != nil || len(dups) != 1 || dups[0].ID != caseID || dups[0].NIK != nikA {
			t.Errorf("CasesByNIK(%s) = %+v, %v", nikA, dups, err)
		}
		if none, err := tx.CasesByNIK(nikC); err != nil || len(none) != 0 {
			t.Errorf("CasesByNIK(%s) = %+v, %v; want none", nikC, none, err)
		}
		conv, ok, err := tx.Conversation(1, 1)
		if err != nil || !ok || conv.Data != draftData {
			t.Errorf("the draft reads back as %q, %v, %v", conv.Data, ok, err)
		}
		return nil
	})
	rows, err := db.PendingOutbox(10)
	if err != nil || len(rows) != 1 || !bytes.Equal(rows[0].Message.File, exportCSV) {
		t.Errorf("the export reads back as %+v, %v", rows, err)
	}
}

func TestNIKNotStoredInPlaintext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n.db")
	opts := nikKeys(t, 1)
	db := openNIK(t, path, opts)
	id := addCase(t, db, nikA)
	addDraftAndExport(t, db)
	if found := holdsNIK(stored(t, path), nikA, nikB, nikC); len(found) > 0 {
		t.Errorf("the database (or its WAL) holds %q", found)
	}
	checkReadsBack(t, db, id)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if found := holdsNIK(stored(t, path), nikA, nikB, nikC); len(found) > 0 {
		t.Errorf("after closing, the database holds %q", found)
	}
}

// downgrade turns a database into what a version before encryption left:
// no nik_index, no key record, the plaintext index, and NIKs, a draft and an
// export in plaintext.
func downgrade(t *testing.T, path string) {
	t.Helper()
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`DROP TRIGGER cases_nik_erased`,
		`DROP INDEX cases_nik_index`,
		`ALTER TABLE cases DROP COLUMN nik_index`,
		`DROP TABLE nik_key`,
		`DELETE FROM migrations WHERE name LIKE '%0017_nik_encryption.sql'`,
		`CREATE INDEX cases_nik ON cases (nik) WHERE nik != ''`,
		`UPDATE cases SET nik = '` + nikA + `' WHERE id = 1`,
		`UPDATE cases SET nik = '` + nikB + `' WHERE id IN (2, 3)`,
		`UPDATE conversations SET data = '` + draftData + `'`,
		`PRAGMA wal_checkpoint(TRUNCATE)`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := raw.Exec(`UPDATE outbox SET file = ?`, exportCSV); err != nil {
		t.Fatal(err)
	}
}

func TestOpenEncryptsPlaintextDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db := openNIK(t, path, &store.Options{})
	first := addCase(t, db, "")
	addCase(t, db, "")
	addCase(t, db, "")
	addCase(t, db, "") // a case without a NIK stays without
	// Enough other cases that the old index and the rows span many pages, of
	// which some are freed.
	var others []string
	nikUpdate(t, db, func(tx *store.Tx) error {
		for i := range 400 {
			others = append(others, fmt.Sprintf("99%014d", i))
			if _, err := tx.Exec(`INSERT INTO cases (code, reporter_id, category, full_name, nik, gender, address,
				kecamatan, kelurahan, description, urgency, created_at, updated_at)
				VALUES (?, 1, 'PPKS02', 'Nama', ?, 'L', 'alamat', '15.71.01', '', 'd', 'biasa', '', '')`,
				fmt.Sprintf("OLD-%d", i), others[i]); err != nil {
				return err
			}
		}
		return nil
	})
	addDraftAndExport(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	downgrade(t, path)
	if found := holdsNIK(stored(t, path), nikA, nikB, nikC); len(found) != 4 {
		t.Fatalf("the downgraded database holds %q; want every NIK in plaintext", found)
	}

	opts := nikKeys(t, 1)
	db = openNIK(t, path, opts)
	if found := holdsNIK(stored(t, path), append(others, nikA, nikB, nikC)...); len(found) > 0 {
		t.Errorf("after Open, the database (or its WAL, or a free page) still holds %q", found)
	}
	checkReadsBack(t, db, first)
	nikUpdate(t, db, func(tx *store.Tx) error {
		dups, err := tx.CasesByNIK(nikB)
		if err != nil || len(dups) != 2 || dups[0].ID != first+2 || dups[1].ID != first+1 {
			t.Errorf("the duplicate check finds %+v, %v; want cases 3 and 2, newest first", dups, err)
		}
		c, _, err := tx.GetCase(first + 3)
		if err != nil || c.NIK != "" {
			t.Errorf("the case without a NIK reads %q, %v", c.NIK, err)
		}
		return nil
	})
	sealed := nikColumn(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// A second Open finds nothing left to encrypt.
	db = openNIK(t, path, opts)
	defer db.Close()
	if again := nikColumn(t, db); again != sealed {
		t.Errorf("a second Open sealed again:\n%s\n%s", sealed, again)
	}
}

// nikColumn is the stored nik and nik_index of every case.
func nikColumn(t *testing.T, db *store.DB) string {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT nik || '/' || nik_index FROM cases ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, "\n")
}

func TestOpenRefusesAnotherKey(t *testing.T) {
	dir := t.TempDir()
	withCase, empty := filepath.Join(dir, "case.db"), filepath.Join(dir, "empty.db")
	db := openNIK(t, withCase, nikKeys(t, 1))
	id := addCase(t, db, nikA)
	db.Close()
	openNIK(t, empty, nikKeys(t, 1)).Close()
	keyID := nikKeys(t, 1).NIKKeys.Current().ID()

	tests := []struct {
		name string
		path string
		opts *store.Options
		want error
	}{
		{"another key", withCase, nikKeys(t, 2), store.ErrNIKKey},
		{"another key, empty database", empty, nikKeys(t, 2), store.ErrNIKKey},
		{"the tests' published key", withCase, &store.Options{}, store.ErrNIKKey},
		{"other old keys", withCase, nikKeys(t, 2, 3), store.ErrNIKKey},
		{"the right key listed as old only", withCase, nikKeys(t, 2, 1), store.ErrNIKRekey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := store.Open(context.Background(), tc.path, *tc.opts)
			if err == nil {
				db.Close()
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), keyID) {
				t.Fatalf("Open = %v; want %v naming key %s", err, tc.want, keyID)
			}
		})
	}
	// Nothing was changed: the right key still opens it.
	db = openNIK(t, withCase, nikKeys(t, 1))
	defer db.Close()
	nikUpdate(t, db, func(tx *store.Tx) error {
		if c, _, err := tx.GetCase(id); err != nil || c.NIK != nikA {
			t.Errorf("GetCase = %q, %v", c.NIK, err)
		}
		return nil
	})
}

func TestRekey(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	db := openNIK(t, path, nikKeys(t, 1))
	id := addCase(t, db, nikA)
	addDraftAndExport(t, db)
	oldSealed := nikColumn(t, db)
	db.Close()

	if _, err := store.Rekey(ctx, path, *nikKeys(t, 2)); !errors.Is(err, store.ErrNIKKey) {
		t.Fatalf("rekey without the old key: %v, want ErrNIKKey", err)
	}
	rotate := nikKeys(t, 2, 1)
	st, err := store.Rekey(ctx, path, *rotate)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.NIKStats{Cases: 1, Drafts: 1, Files: 1, KeyID: rotate.NIKKeys.Current().ID()}); st != want {
		t.Errorf("rekey = %+v, want %+v", st, want)
	}
	oldToken, _, _ := strings.Cut(oldSealed, "/")
	if b := stored(t, path); bytes.Contains(b, []byte(oldToken)) || len(holdsNIK(b, nikA, nikB, nikC)) > 0 {
		t.Error("the old ciphertext (or a NIK) is still in the database file")
	}
	if _, err := store.Open(ctx, path, *nikKeys(t, 1)); !errors.Is(err, store.ErrNIKKey) {
		t.Errorf("the old key alone opens the rekeyed database: %v", err)
	}
	db = openNIK(t, path, nikKeys(t, 2))
	defer db.Close()
	checkReadsBack(t, db, id)
	if now := nikColumn(t, db); now == oldSealed || !strings.Contains(now, "~"+st.KeyID+"~") {
		t.Errorf("the NIK is not sealed with the new key: %s", now)
	}
}

// The blind index follows the NIK through a fix and an erasure.
func TestNIKIndexFollowsChanges(t *testing.T) {
	db := openNIK(t, filepath.Join(t.TempDir(), "i.db"), nikKeys(t, 1))
	defer db.Close()
	id := addCase(t, db, nikA)
	count := func(tx *store.Tx, nik string) int {
		cs, err := tx.CasesByNIK(nik)
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	nikUpdate(t, db, func(tx *store.Tx) error {
		if ok, err := tx.SetCaseStatus(id, store.CaseNew, store.CaseNeedsFix, 1, "NIK salah"); err != nil || !ok {
			t.Fatalf("needs fix: %v %v", ok, err)
		}
		c, _, err := tx.GetCase(id)
		if err != nil {
			return err
		}
		c.NIK = nikB
		if ok, err := tx.ResubmitCase(c, 1, "", []string{"nik"}); err != nil || !ok {
			t.Fatalf("resubmit: %v %v", ok, err)
		}
		if count(tx, nikA) != 0 || count(tx, nikB) != 1 {
			t.Errorf("after the fix: %d cases by the old NIK, %d by the new", count(tx, nikA), count(tx, nikB))
		}
		if _, _, err := tx.EraseCasePersonalData(id, 1, "(dihapus)"); err != nil {
			return err
		}
		if count(tx, nikB) != 0 {
			t.Error("the erased NIK is still found")
		}
		var nik, index string
		if err := tx.QueryRow(`SELECT nik, nik_index FROM cases WHERE id = ?`, id).Scan(&nik, &index); err != nil {
			return err
		}
		if nik != "" || index != "" {
			t.Errorf("after the erasure nik = %q, nik_index = %q", nik, index)
		}
		return nil
	})
}
