package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// backupPrefix and backupSuffix frame the names of backup files
// (dinsosbot-20261102-090000.db), so PruneBackups touches nothing else.
const (
	backupPrefix = "dinsosbot-"
	backupSuffix = ".db"
)

// Backup writes a consistent copy of the database into dir (created with mode
// 0700 if needed) with SQLite's VACUUM INTO and returns the file's path. It
// reads through a connection of its own, so it runs beside the writer (WAL)
// and never copies a live file. The copy holds personal data: it is created
// with mode 0600.
func (db *DB) Backup(ctx context.Context, dir string) (string, error) {
	return backupInto(ctx, db.ro, dir, db.now())
}

// Backup is DB.Backup for a flow holding the write transaction: the copy is
// taken through a separate read connection, so it holds what was committed
// before tx (not tx's own changes).
func (tx *Tx) Backup(dir string) (string, error) {
	var path string
	if err := tx.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		return "", fmt.Errorf("backup: locate database: %w", err)
	}
	ro, err := sql.Open("sqlite3", fmt.Sprintf("file:%s?mode=ro&_busy_timeout=5000", path))
	if err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	defer ro.Close()
	return backupInto(tx.ctx, ro, dir, tx.now)
}

func backupInto(ctx context.Context, ro *sql.DB, dir string, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	name := backupPrefix + now.UTC().Format("20060102-150405") + backupSuffix
	path := filepath.Join(dir, name)
	for i := 2; ; i++ { // two backups in one second get distinct names
		if _, err := os.Stat(path); os.IsNotExist(err) {
			break
		}
		path = filepath.Join(dir, fmt.Sprintf("%s%s-%d%s", backupPrefix, now.UTC().Format("20060102-150405"), i, backupSuffix))
	}
	// VACUUM INTO would create the file with the umask's mode; create it empty
	// and private first (SQLite accepts an empty file as the target).
	if err := createPrivate(path); err != nil {
		return "", fmt.Errorf("backup: %w", err)
	}
	if _, err := ro.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("backup into %s: %w", path, err)
	}
	return path, nil
}

// PruneBackups deletes the oldest backup files in dir so at most keep remain;
// keep < 1 keeps everything. It returns the paths it deleted.
func PruneBackups(dir string, keep int) ([]string, error) {
	if keep < 1 {
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("prune backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, backupSuffix) {
			names = append(names, n)
		}
	}
	slices.Sort(names) // the timestamp in the name sorts by time
	var removed []string
	for len(names) > keep {
		p := filepath.Join(dir, names[0])
		if err := os.Remove(p); err != nil {
			return removed, fmt.Errorf("prune backups: %w", err)
		}
		removed, names = append(removed, p), names[1:]
	}
	return removed, nil
}

// AddBackup records a backup of size bytes sent as outbox row outboxID.
func (tx *Tx) AddBackup(by int64, size int, outboxID int64) error {
	if _, err := tx.Exec(`INSERT INTO backups (created_by, size, outbox_id, created_at) VALUES (?, ?, ?, ?)`,
		by, size, outboxID, formatTime(tx.now)); err != nil {
		return fmt.Errorf("record backup: %w", err)
	}
	return nil
}

// ClearSentBackups drops the file bytes of backup documents already sent (or
// given up on), so the outbox does not keep copies of the database.
func (tx *Tx) ClearSentBackups() error {
	if _, err := tx.Exec(`UPDATE outbox SET file = NULL WHERE id IN (SELECT b.outbox_id FROM backups b
		JOIN outbox o ON o.id = b.outbox_id WHERE b.cleared = 0 AND o.status != 'pending')`); err != nil {
		return fmt.Errorf("clear sent backups: %w", err)
	}
	if _, err := tx.Exec(`UPDATE backups SET cleared = 1 WHERE cleared = 0 AND outbox_id IN
		(SELECT id FROM outbox WHERE status != 'pending')`); err != nil {
		return fmt.Errorf("clear sent backups: %w", err)
	}
	return nil
}
