package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"dinsosbot/store/nikcrypt"
)

// NIKs at rest (issue 12). cases.nik holds ciphertext and cases.nik_index its
// blind index; a draft (conversations.data) holds every run of 16 or more
// digits sealed; a file waiting in the outbox (an export listing full NIKs) is
// sealed whole. The Tx methods seal on write and open on read, so the flows
// see plaintext and never a key. Nothing in the database can decrypt: the key
// comes from Options.NIKKeys.

var (
	// ErrNIKKey: the configured key is not the one the database's NIKs are
	// sealed with. Open refuses to start rather than fail on the first case
	// read, or seal new NIKs under a key no one kept.
	ErrNIKKey = errors.New("wrong NIK encryption key")
	// ErrNIKRekey: the NIKs are sealed with a key configured as an old one;
	// Rekey (dinsosbot rekey) must seal them with the current key first.
	ErrNIKRekey = errors.New("NIKs are encrypted with an old key")
)

// NIKStats counts what was sealed (again) at Open or by Rekey.
type NIKStats struct {
	// Cases, Drafts and Files are rows of cases, conversations and outbox.
	Cases, Drafts, Files int
	// KeyID is the current key's id.
	KeyID string
}

func (s NIKStats) total() int { return s.Cases + s.Drafts + s.Files }

// NIKKeyID is the id of the key sealing NIKs (safe to log).
func (db *DB) NIKKeyID() string { return db.keys.Current().ID() }

// Rekey opens the database at path, seals every NIK, draft and pending file
// again with the current key of opts.NIKKeys (the key it is sealed with now
// must be among the old ones), rebuilds the blind index, removes the old
// ciphertext from free pages, and closes the database. The bot must not be
// running.
func Rekey(ctx context.Context, path string, opts Options) (NIKStats, error) {
	opts.rekey = true
	db, err := Open(ctx, path, opts)
	if err != nil {
		return NIKStats{}, err
	}
	return db.sealed, db.Close()
}

// sealAtRest runs after the migrations. It checks the key against the one the
// database is sealed with, then seals what is not sealed with the current key:
// plaintext left by a version before encryption (or written by hand), and, for
// a rekey, everything. When it sealed anything it VACUUMs, so the plaintext (or
// the old ciphertext) does not survive in free pages or the WAL. It is
// idempotent: a second run finds nothing to do.
func (db *DB) sealAtRest(ctx context.Context, rekey bool) (NIKStats, error) {
	stats := NIKStats{KeyID: db.keys.Current().ID()}
	err := db.Update(ctx, func(tx *Tx) error {
		if err := tx.checkNIKKey(db.path, rekey); err != nil {
			return err
		}
		var err error
		if stats.Cases, err = tx.sealCaseNIKs(rekey); err != nil {
			return err
		}
		kks, err := tx.sealCaseKKs(rekey)
		if err != nil {
			return err
		}
		stats.Cases += kks
		if stats.Drafts, err = tx.sealDrafts(rekey); err != nil {
			return err
		}
		if stats.Files, err = tx.sealFiles(); err != nil {
			return err
		}
		cur := tx.keys.Current()
		if _, err := tx.Exec(`INSERT INTO nik_key (id, key_id, key_check, set_at) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET key_id = excluded.key_id, key_check = excluded.key_check,
				set_at = excluded.set_at WHERE key_id != excluded.key_id`,
			cur.ID(), cur.Check(), formatTime(tx.now)); err != nil {
			return fmt.Errorf("record the NIK key: %w", err)
		}
		return nil
	})
	if err != nil {
		return stats, err
	}
	if stats.total() == 0 {
		return stats, nil
	}
	// The UPDATEs left the old bytes in freed pages and in the WAL: rebuild the
	// file and empty the WAL.
	for _, q := range []string{"VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			return stats, fmt.Errorf("after encrypting NIKs: %s: %w", q, err)
		}
	}
	return stats, nil
}

// checkNIKKey compares the current key with the one recorded.
func (tx *Tx) checkNIKKey(path string, rekey bool) error {
	var id, check string
	err := tx.QueryRow(`SELECT key_id, key_check FROM nik_key WHERE id = 1`).Scan(&id, &check)
	if errors.Is(err, sql.ErrNoRows) {
		// A new database, or one from before encryption: sealAtRest seals it
		// with the current key and records it.
		return nil
	}
	if err != nil {
		return fmt.Errorf("read the NIK key record: %w", err)
	}
	cur := tx.keys.Current()
	k, known := tx.keys.Key(id)
	switch {
	case known && k.Check() != check:
		// Same id, other key: the id is 40 bits, so this is a wrong key.
		return fmt.Errorf("database %s: %w: its NIKs are encrypted with key %s, but the configured key does not match its check value",
			path, ErrNIKKey, id)
	case id == cur.ID():
		return nil
	case known && rekey:
		return nil
	case known:
		return fmt.Errorf("database %s: %w %s (listed as an old key): run `dinsosbot rekey` to encrypt them with the current key %s, then start the bot",
			path, ErrNIKRekey, id, cur.ID())
	default:
		return fmt.Errorf("database %s: %w: its NIKs are encrypted with key %s, but the configured key is %s "+
			"(and no configured old key matches). Restore the key file or environment variable this database was "+
			"created with; a new key cannot read these NIKs", path, ErrNIKKey, id, cur.ID())
	}
}

// sealCaseNIKs seals the NIK of every case not sealed with the current key
// (with rekey: of every case) and writes its blind index.
func (tx *Tx) sealCaseNIKs(rekey bool) (int, error) {
	type row struct {
		id         int64
		nik, index string
	}
	var todo []row
	rows, err := tx.Query(`SELECT id, nik, nik_index FROM cases WHERE nik != ''`)
	if err != nil {
		return 0, fmt.Errorf("read NIKs to encrypt: %w", err)
	}
	cur := tx.keys.Current().ID()
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.nik, &r.index); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read NIKs to encrypt: %w", err)
		}
		if id, sealed := nikcrypt.SealedKeyID(r.nik); !rekey && sealed && id == cur && r.index != "" {
			continue
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read NIKs to encrypt: %w", err)
	}
	for _, r := range todo {
		plain := r.nik
		if _, sealed := nikcrypt.SealedKeyID(r.nik); sealed {
			if plain, err = tx.keys.OpenNIK(r.nik); err != nil {
				return 0, nikKeyError(fmt.Sprintf("the NIK of case %d", r.id), err)
			}
		}
		if _, err := tx.Exec(`UPDATE cases SET nik = ?, nik_index = ? WHERE id = ?`,
			tx.keys.SealNIK(plain), tx.keys.Index(plain), r.id); err != nil {
			return 0, fmt.Errorf("encrypt the NIK of case %d: %w", r.id, err)
		}
	}
	return len(todo), nil
}

// sealDrafts seals the digit runs of every open form's draft that holds one in
// plaintext or sealed with another key (with rekey: every draft holding one).
func (tx *Tx) sealDrafts(rekey bool) (int, error) {
	type row struct {
		chat, user int64
		data       string
	}
	var todo []row
	rows, err := tx.Query(`SELECT chat_id, user_id, data FROM conversations`)
	if err != nil {
		return 0, fmt.Errorf("read drafts to encrypt: %w", err)
	}
	cur := tx.keys.Current().ID()
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.chat, &r.user, &r.data); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read drafts to encrypt: %w", err)
		}
		// A sealed-looking value naming a key that is not configured is text
		// someone typed (the database's key was checked above): left alone.
		ids := slices.DeleteFunc(nikcrypt.DigitKeyIDs(r.data), func(id string) bool {
			_, known := tx.keys.Key(id)
			return !known
		})
		if nikcrypt.HasDigitRun(r.data) || (rekey && len(ids) > 0) ||
			slices.ContainsFunc(ids, func(id string) bool { return id != cur }) {
			todo = append(todo, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read drafts to encrypt: %w", err)
	}
	for _, r := range todo {
		plain, err := tx.keys.OpenDigits(r.data)
		if err != nil {
			return 0, nikKeyError(fmt.Sprintf("the draft of %d/%d", r.chat, r.user), err)
		}
		if _, err := tx.Exec(`UPDATE conversations SET data = ? WHERE chat_id = ? AND user_id = ?`,
			tx.keys.SealDigits(plain), r.chat, r.user); err != nil {
			return 0, fmt.Errorf("encrypt the draft of %d/%d: %w", r.chat, r.user, err)
		}
	}
	return len(todo), nil
}

// sealFiles seals the file bytes of outbox rows not sealed with the current
// key (a document enqueued before files were sealed, or under an old key).
func (tx *Tx) sealFiles() (int, error) {
	var ids []int64
	rows, err := tx.Query(`SELECT id FROM outbox WHERE file IS NOT NULL AND substr(file, 1, 12) != ?`,
		[]byte("NKF1"+tx.keys.Current().ID()))
	if err != nil {
		return 0, fmt.Errorf("read files to encrypt: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read files to encrypt: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read files to encrypt: %w", err)
	}
	for _, id := range ids {
		var file []byte
		if err := tx.QueryRow(`SELECT file FROM outbox WHERE id = ?`, id).Scan(&file); err != nil {
			return 0, fmt.Errorf("read the file of outbox row %d: %w", id, err)
		}
		plain, err := tx.keys.OpenFile(file)
		if err != nil {
			return 0, nikKeyError(fmt.Sprintf("the file of outbox row %d", id), err)
		}
		if _, err := tx.Exec(`UPDATE outbox SET file = ? WHERE id = ?`, tx.keys.SealFile(plain), id); err != nil {
			return 0, fmt.Errorf("encrypt the file of outbox row %d: %w", id, err)
		}
	}
	return len(ids), nil
}

// nikKeyError says what could not be opened; a key that is not configured
// (or a value that does not open with the key it names) is ErrNIKKey.
func nikKeyError(what string, err error) error {
	if errors.Is(err, nikcrypt.ErrUnknownKey) || errors.Is(err, nikcrypt.ErrTampered) {
		return fmt.Errorf("%s: %w: %w", what, ErrNIKKey, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// openNIK decrypts the NIK of a case just read. A plaintext NIK (written by
// SQL by hand since Open sealed the rest) is returned as it is; the next Open
// seals it.
func (tx *Tx) openNIK(c *Case) error {
	if _, sealed := nikcrypt.SealedKeyID(c.NIK); !sealed {
		return nil
	}
	nik, err := tx.keys.OpenNIK(c.NIK)
	if err != nil {
		return fmt.Errorf("decrypt the NIK of case %d: %w", c.ID, err)
	}
	c.NIK = nik
	return nil
}
