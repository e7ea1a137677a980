// Package store keeps everything dinsosbot remembers in one SQLite file: the poll
// offset, users, conversations, the outbox and what the flows record.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"dinsosbot/store/nikcrypt"
)

// TimeFormat is how timestamps are stored: UTC, sortable as text.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// DB is an open dinsosbot database. All writes go through one connection, so
// transactions never wait on SQLite's own locks and never see SQLITE_BUSY.
type DB struct {
	db *sql.DB
	// ro serves reads that need not see the writer's open transaction (the
	// sender's outbox reads): in WAL mode they run beside the writer instead of
	// queueing for its single connection.
	ro   *sql.DB
	path string
	now  func() time.Time
	// keys seal NIKs at rest (nikstore.go); sealed counts what Open sealed.
	keys   *nikcrypt.Keyring
	sealed NIKStats

	// onCommit is called after every committed write transaction that enqueued
	// outbox rows, so the sender wakes at once instead of polling.
	onCommit func()
	log      *slog.Logger
	// checkpointDue is set when a checkpoint after an erasure could not
	// complete (a reader held the WAL): the next transaction tries again.
	checkpointDue atomic.Bool
	// commits counts committed write transactions: each is one fsync of
	// the log (synchronous = FULL).
	commits atomic.Int64
	// checkpointer, when set (replication on), does CheckpointTruncate's
	// work instead of the PRAGMA (SetCheckpointer).
	checkpointer func(context.Context) error
}

// Options tune Open. The zero value is valid.
type Options struct {
	// Now is the clock; default time.Now. Tests move it instead of sleeping.
	Now func() time.Time
	// BusyTimeout bounds how long a statement waits for another process holding
	// the file (a backup, the sqlite3 shell); default 5 s.
	BusyTimeout time.Duration
	// Log receives what goes wrong after a commit (a checkpoint that could
	// not complete); default slog.Default().
	Log *slog.Logger
	// NIKKeys encrypt NIKs at rest: the current key seals and indexes, old
	// keys only open (for Rekey). Nil is nikcrypt.TestKeyring, a published key
	// for the tests' throw-away databases: dinsosbot itself always passes the
	// configured key (main.go), and a database sealed with the test key
	// refuses to open with a real one, and the other way round.
	NIKKeys *nikcrypt.Keyring
	// rekey: Rekey is opening, to seal everything with the current key.
	rekey bool
}

// Open opens (creating with mode 0600 if needed) the database at path, applies
// every pending migration and encrypts any NIK still in plaintext. A key other
// than the one the NIKs are sealed with is an error (ErrNIKKey, ErrNIKRekey).
// The caller must Close it.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if opts.NIKKeys == nil {
		opts.NIKKeys = nikcrypt.TestKeyring()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BusyTimeout == 0 {
		opts.BusyTimeout = 5 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	// A statement cache: the same few statements run for every update.
	// secure_delete is in the DSN, not a PRAGMA run once, so that it holds on
	// every connection the pool ever opens: deleted and overwritten content
	// (an erased case, a scrubbed payload) is zeroed in the file instead of
	// lingering in free space.
	dsn := fmt.Sprintf("file:%s?_txlock=immediate&_stmt_cache_size=64&_secure_delete=on", path)
	sqldb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	// One connection: one writer by construction, and the PRAGMAs below (which are
	// per connection) hold for every statement.
	sqldb.SetMaxOpenConns(1)
	sqldb.SetMaxIdleConns(1)
	sqldb.SetConnMaxLifetime(0)
	pragmas := []string{
		// WAL lets a backup or the sqlite3 shell read while the bot writes.
		"PRAGMA journal_mode = WAL",
		// FULL: once Telegram is told the offset it forgets the update, so a
		// commit must survive power loss, not only a process crash.
		"PRAGMA synchronous = FULL",
		// Cases, RSVPs and conversations refer to users; keep them consistent.
		"PRAGMA foreign_keys = ON",
		// Another process (backup, shell) may hold the lock briefly.
		fmt.Sprintf("PRAGMA busy_timeout = %d", opts.BusyTimeout.Milliseconds()),
	}
	for _, p := range pragmas {
		if _, err := sqldb.ExecContext(ctx, p); err != nil {
			sqldb.Close()
			return nil, fmt.Errorf("open database %s: %s: %w", path, p, err)
		}
	}
	db := &DB{db: sqldb, path: path, now: opts.Now, log: opts.Log, keys: opts.NIKKeys}
	if err := db.migrate(ctx); err != nil {
		sqldb.Close()
		return nil, err
	}
	if db.sealed, err = db.sealAtRest(ctx, opts.rekey); err != nil {
		sqldb.Close()
		return nil, err
	}
	ro, err := sql.Open("sqlite3", fmt.Sprintf("file:%s?mode=ro&_busy_timeout=%d&_secure_delete=on", path,
		opts.BusyTimeout.Milliseconds()))
	if err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open database %s for reading: %w", path, err)
	}
	ro.SetMaxOpenConns(4)
	db.ro = ro
	return db, nil
}

// createPrivate creates the file with mode 0600 before SQLite does (SQLite would
// use 0644): the database holds personal data.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return f.Close()
}

// Close closes the database.
func (db *DB) Close() error {
	if err := errors.Join(db.ro.Close(), db.db.Close()); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// Path is the database file's path.
func (db *DB) Path() string { return db.path }

// Now is the database's clock.
func (db *DB) Now() time.Time { return db.now() }

// OnCommit sets a function called after a write transaction that enqueued outbox
// rows commits. Set it before use; it must not block.
func (db *DB) OnCommit(fn func()) { db.onCommit = fn }

// Commits is how many write transactions committed since Open, each one an
// fsync: what a reply costs in disk flushes shows in it.
func (db *DB) Commits() int64 { return db.commits.Load() }

// SQL exposes the handle for checks (integrity_check, tests); flows use Tx.
func (db *DB) SQL() *sql.DB { return db.db }

// Update runs fn in one write transaction and commits it if fn returns nil. The
// transaction's clock reading is fixed at its start.
func (db *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	sqltx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{tx: sqltx, ctx: ctx, now: db.now().UTC(), keys: db.keys}
	defer sqltx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.commits.Add(1)
	if tx.enqueued > 0 && db.onCommit != nil {
		db.onCommit()
	}
	if tx.erased || db.checkpointDue.Load() {
		// The transaction has committed: a checkpoint that fails does not
		// undo it, so it is logged and tried again after the next one.
		if err := db.CheckpointTruncate(ctx); err != nil {
			db.checkpointDue.Store(true)
			db.log.Warn("checkpoint after an erasure; will retry", "err", err)
		} else {
			db.checkpointDue.Store(false)
		}
	}
	return nil
}

// SetCheckpointer hands the log's checkpoints to fn (store/replica's
// Replicator.Checkpoint) and turns SQLite's automatic checkpoints off on the
// writer: Litestream, replicating the database, must see every frame of the
// log before it is checkpointed, so it checkpoints itself (PASSIVE as the log
// grows, TRUNCATE when fn asks). Its read lock would also keep the store's
// own TRUNCATE from ever completing. Call it before use.
func (db *DB) SetCheckpointer(ctx context.Context, fn func(context.Context) error) error {
	if _, err := db.db.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		return fmt.Errorf("hand checkpoints to replication: %w", err)
	}
	db.checkpointer = fn
	return nil
}

// CheckpointTruncate copies every page of the write-ahead log into the
// database file and truncates the log to zero bytes, so that what an erasure
// overwrote (zeroed in the file by secure_delete) is not left readable in
// older frames of the -wal file. It waits (busy_timeout) for readers of the
// log to finish.
//
// With replication on, Litestream does it (SetCheckpointer), after copying
// the log to the replica: what the erasure overwrote stays in the replica's
// history until its retention ends (replication.retention), and nowhere on
// this machine once the checkpoint is done.
func (db *DB) CheckpointTruncate(ctx context.Context) error {
	if db.checkpointer != nil {
		return db.checkpointer(ctx)
	}
	var busy, logFrames, done int
	if err := db.db.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &logFrames, &done); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint: the log is busy (%d of %d frames copied)", done, logFrames)
	}
	return nil
}

// Tx is one transaction. Its methods use the context Update was given.
type Tx struct {
	tx       *sql.Tx
	ctx      context.Context
	now      time.Time
	enqueued int
	sp       int
	// erased: the transaction erased personal data; after the commit the WAL
	// is checkpointed and truncated (DB.CheckpointTruncate).
	erased bool
	keys   *nikcrypt.Keyring
}

// MarkErased says the transaction erases personal data, so the log is
// checkpointed and truncated once it commits. Erasures in this package mark
// themselves.
func (tx *Tx) MarkErased() { tx.erased = true }

// Now is the transaction's timestamp (UTC), the same for every write in it.
func (tx *Tx) Now() time.Time { return tx.now }

// Context is the context the transaction runs under.
func (tx *Tx) Context() context.Context { return tx.ctx }

// Savepoint runs fn inside a SAVEPOINT: if fn fails (or panics), only its writes
// are rolled back and the rest of the transaction stands. A panic is returned as
// a *PanicError.
func (tx *Tx) Savepoint(fn func() error) (err error) {
	tx.sp++
	name := fmt.Sprintf("sp%d", tx.sp)
	if _, err := tx.tx.ExecContext(tx.ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	enqueued := tx.enqueued
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r}
		}
		if err != nil {
			tx.enqueued = enqueued
			if _, rerr := tx.tx.ExecContext(tx.ctx, "ROLLBACK TO "+name); rerr != nil {
				err = errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rerr))
				return
			}
		}
		if _, rerr := tx.tx.ExecContext(tx.ctx, "RELEASE "+name); rerr != nil {
			err = errors.Join(err, fmt.Errorf("release savepoint: %w", rerr))
		}
	}()
	return fn()
}

// PanicError is a recovered panic, so a poison update is recorded, not fatal.
type PanicError struct{ Value any }

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Exec runs a statement in the transaction.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(tx.ctx, query, args...)
}

// Query runs a query in the transaction.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(tx.ctx, query, args...)
}

// QueryRow runs a one-row query in the transaction.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(tx.ctx, query, args...)
}

func formatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(TimeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time %q: %w", s, err)
	}
	return t, nil
}
