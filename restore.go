package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"time"

	"dinsosbot/store/replica"
)

// restoreCommand is "dinsosbot restore": it rebuilds the database and the
// photos from the replica (store/replica.Restore), checks the result and
// prints what it holds. `run` then continues from there: Telegram hands
// the bot again every update the replica did not hold.
func restoreCommand(ctx context.Context, configPath string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", configPath, "configuration file (YAML) with the replication section")
	ts := fs.String("timestamp", "", "restore the database as it was at this time (RFC 3339, like 2026-11-02T09:00:00+07:00); default the newest")
	out := fs.String("o", "", "write the database here instead of database.path (photos are then not restored)")
	force := fs.Bool("force", false, "replace an existing database")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dinsosbot restore -config FILE [-timestamp RFC3339] [-o PATH] [-force]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := LoadConfig(*config)
	if err != nil {
		return err
	}
	var opts replica.RestoreOptions
	if *ts != "" {
		if opts.Timestamp, err = time.Parse(time.RFC3339, *ts); err != nil {
			return fmt.Errorf("restore: -timestamp %q is not an RFC 3339 time (like 2026-11-02T09:00:00+07:00)", *ts)
		}
	}
	opts.Force = *force
	dbPath, mediaDir := cfg.Database.Path, cfg.MediaDir
	if *out != "" {
		dbPath, mediaDir = *out, ""
	}
	rep, err := replica.Restore(ctx, cfg.Replication.replica(), dbPath, mediaDir, opts)
	if err != nil {
		return err
	}
	c, err := countRestored(ctx, dbPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: restored in %s, integrity_check %s\n", dbPath, rep.Took.Round(time.Millisecond), rep.Integrity)
	fmt.Fprintf(stdout, "users %d, cases %d, meetings %d, outbox rows %d, conversations %d; last update id %d\n",
		c.users, c.cases, c.meetings, c.outbox, c.conversations, c.lastUpdate)
	if mediaDir != "" {
		fmt.Fprintf(stdout, "photos: %d named, %d downloaded, %d already there, %d missing on the replica\n",
			rep.MediaFiles, rep.MediaDownloaded, rep.MediaPresent, len(rep.MediaMissing))
		for _, m := range rep.MediaMissing {
			fmt.Fprintf(stdout, "  missing: %s\n", m)
		}
	}
	fmt.Fprintln(stdout, "start the bot (dinsosbot run): it fetches from Telegram every update after that id")
	return nil
}

// restoredCounts is what a restored database holds, for the operator to
// compare with what they expect.
type restoredCounts struct {
	users, cases, meetings, outbox, conversations, lastUpdate int64
}

func countRestored(ctx context.Context, path string) (restoredCounts, error) {
	var c restoredCounts
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return c, fmt.Errorf("count restored rows: %w", err)
	}
	defer db.Close()
	for _, q := range []struct {
		sql string
		dst *int64
	}{
		{`SELECT count(*) FROM users`, &c.users},
		{`SELECT count(*) FROM cases`, &c.cases},
		{`SELECT count(*) FROM meetings`, &c.meetings},
		{`SELECT count(*) FROM outbox`, &c.outbox},
		{`SELECT count(*) FROM conversations`, &c.conversations},
		{`SELECT last_update_id FROM poll_state WHERE id = 1`, &c.lastUpdate},
	} {
		if err := db.QueryRowContext(ctx, q.sql).Scan(q.dst); err != nil {
			return c, fmt.Errorf("count restored rows: %s: %w", q.sql, err)
		}
	}
	return c, nil
}
