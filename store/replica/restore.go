package replica

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/benbjohnson/litestream"
	_ "github.com/mattn/go-sqlite3" // the bot's driver, for the check after a restore
)

// RestoreOptions tune Restore. The zero value restores the newest state.
type RestoreOptions struct {
	// Timestamp restores the database as it was then (within retention);
	// zero is the newest state on the replica.
	Timestamp time.Time
	// Force replaces an existing database (and its log); without it an
	// existing database is an error.
	Force bool
}

// Report says what Restore rebuilt.
type Report struct {
	// Integrity is PRAGMA integrity_check's answer: "ok" when sound.
	Integrity string
	// MediaFiles are the photos the database names; MediaDownloaded were
	// fetched from the replica, MediaPresent were already in the folder,
	// MediaMissing are on neither (their cases show no photo).
	MediaFiles      int
	MediaDownloaded int
	MediaPresent    int
	MediaMissing    []string
	Took            time.Duration
}

// ErrExists is returned by Restore when the database exists and Force is
// not set.
var ErrExists = errors.New("the database exists; restore replaces it only with -force")

// Restore rebuilds the database at dbPath from the replica (as of
// opts.Timestamp, or the newest), checks it (integrity_check), and
// downloads into mediaDir ("" for none) the photos it names that the folder
// lacks. The bot must not be running on dbPath.
func Restore(ctx context.Context, cfg Config, dbPath, mediaDir string, opts RestoreOptions) (Report, error) {
	start := time.Now()
	var rep Report
	if !cfg.On() {
		return rep, errors.New("restore: no replication.url in the configuration")
	}
	if err := cfg.Validate(); err != nil {
		return rep, err
	}
	cfg = cfg.WithDefaults()
	if _, err := os.Stat(dbPath); err == nil && !opts.Force {
		return rep, fmt.Errorf("restore %s: %w", dbPath, ErrExists)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return rep, fmt.Errorf("restore: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	tmp := dbPath + ".restoring"
	removeDB(tmp)
	ac := agentConfigFor(cfg, dbPath)
	ac.RestoreTo, ac.RestoreAt = tmp, opts.Timestamp
	p, err := startAgent(ctx, cfg, ac, slog.Default())
	if err != nil {
		removeDB(tmp)
		return rep, fmt.Errorf("restore: %w", err)
	}
	if err := p.close(ctx); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	if rep.Integrity, err = integrity(ctx, tmp); err != nil {
		removeDB(tmp)
		return rep, err
	}
	if rep.Integrity != "ok" {
		removeDB(tmp)
		return rep, fmt.Errorf("restore: the restored database fails integrity_check: %s", rep.Integrity)
	}
	// The old database, its log and Litestream's local state belong to
	// another history: they go before the restored file takes the name.
	removeDB(dbPath)
	if err := os.RemoveAll(metaDir(dbPath)); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(tmp, dbPath); err != nil {
		return rep, fmt.Errorf("restore: %w", err)
	}
	if mediaDir != "" {
		if err := restoreMedia(ctx, cfg, dbPath, mediaDir, &rep); err != nil {
			return rep, err
		}
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// metaDir is where Litestream keeps its local state for dbPath.
func metaDir(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "."+filepath.Base(dbPath)+litestream.MetaDirSuffix)
}

func removeDB(name string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(name + suffix)
	}
}

func integrity(ctx context.Context, name string) (string, error) {
	db, err := sql.Open("sqlite3", "file:"+name+"?mode=ro")
	if err != nil {
		return "", fmt.Errorf("restore: check: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return "", fmt.Errorf("restore: integrity_check: %w", err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return "", fmt.Errorf("restore: integrity_check: %w", err)
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("restore: integrity_check: %w", err)
	}
	return strings.Join(lines, "; "), nil
}

// restoreMedia downloads the photos the restored database names and the
// media folder lacks. Files on the replica no record names (a case erased
// just before the machine was lost) are left there, not brought back.
func restoreMedia(ctx context.Context, cfg Config, dbPath, mediaDir string, rep *Report) error {
	names, err := photoPaths(ctx, dbPath)
	if err != nil {
		return err
	}
	store, err := cfg.mediaStore(ctx)
	if err != nil {
		return err
	}
	for _, rel := range names {
		if !filepath.IsLocal(rel) {
			continue
		}
		rep.MediaFiles++
		name := filepath.Join(mediaDir, filepath.FromSlash(rel))
		if _, err := os.Stat(name); err == nil {
			rep.MediaPresent++
			continue
		}
		rc, err := store.get(ctx, rel)
		if err != nil {
			rep.MediaMissing = append(rep.MediaMissing, rel)
			continue
		}
		err = os.MkdirAll(filepath.Dir(name), 0o700)
		if err == nil {
			err = writeAtomic(name, rc)
		}
		rc.Close()
		if err != nil {
			return fmt.Errorf("restore photo %s: %w", rel, err)
		}
		rep.MediaDownloaded++
	}
	return nil
}

func photoPaths(ctx context.Context, dbPath string) ([]string, error) {
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro")
	if err != nil {
		return nil, fmt.Errorf("restore photos: %w", err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT local_path FROM case_photos WHERE local_path <> '' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("restore photos: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("restore photos: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
