package main

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"dinsosbot/store"
	"dinsosbot/store/replica"
)

// TestMain lets this test binary serve as the replication agent.
func TestMain(m *testing.M) {
	replica.AgentMain()
	os.Exit(m.Run())
}

func TestReplicationConfig(t *testing.T) {
	cfg, err := LoadConfig(writeConfig(t, `replication:
  url: s3://dinsos/jambi
  endpoint: http://127.0.0.1:7070
  confirm: lag
  max_lag: 30s
`))
	if err != nil {
		t.Fatal(err)
	}
	rc := cfg.Replication.replica()
	if rc.URL != "s3://dinsos/jambi" || rc.Confirm != "lag" || rc.MaxLag != 30*time.Second ||
		rc.SyncInterval != time.Second || rc.Retention != 72*time.Hour || rc.AccessKeyEnv != "LITESTREAM_ACCESS_KEY_ID" {
		t.Errorf("replication = %+v", rc)
	}
	for body, want := range map[string]string{
		"replication:\n  url: ftp://x/y\n":                   "replication.url",
		"replication:\n  url: file:///b\n  confirm: maybe\n": "replication.confirm",
		"replication:\n  url: file:///b\n  max_lag: soon\n":  "not a duration",
		"replication:\n  bucket: x\n":                        `unknown key "bucket"`,
	} {
		if _, err := LoadConfig(writeConfig(t, body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config %q: err = %v, want %q", body, err, want)
		}
	}
}

// TestRestoreCommand: "dinsosbot restore" rebuilds the configured database
// from a file replica, prints the integrity check, the counts and the last
// update id; run again, it refuses to overwrite without -force; a point in
// time before the last write restores the state then.
func TestRestoreCommand(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "data", "dinsosbot.db")
	replDir := filepath.Join(dir, "replica")
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rc := replica.Config{URL: "file://" + replDir}
	rep, err := replica.Open(ctx, rc, dbPath, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	write := func(id int) {
		t.Helper()
		if err := db.Update(ctx, func(tx *store.Tx) error {
			if _, err := tx.TouchUser(int64(id), "U", ""); err != nil {
				return err
			}
			return tx.SetLastUpdateID(id)
		}); err != nil {
			t.Fatal(err)
		}
		if err := rep.WaitReplicated(ctx); err != nil {
			t.Fatal(err)
		}
	}
	write(1)
	write(2)
	// Litestream stamps its files to the millisecond: the point in time
	// lies after the second write's stamp and, a few milliseconds on,
	// before the third's.
	between := time.Now()
	for time.Since(between) < 5*time.Millisecond {
		runtime.Gosched()
	}
	write(3)
	if err := rep.Close(ctx); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, p := range []string{filepath.Dir(dbPath)} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	cfg := writeConfig(t, "database:\n  path: "+dbPath+"\nmedia_dir: "+filepath.Join(dir, "data", "media")+
		"\nreplication:\n  url: file://"+replDir+"\n")
	restore := func(args ...string) (string, error) {
		var out, errs strings.Builder
		err := run(ctx, append([]string{"restore", "-config", cfg}, args...), nil, &out, &errs, func(string) string { return "" })
		return out.String() + errs.String(), err
	}
	out, err := restore()
	if err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	for _, want := range []string{"integrity_check ok", "users 3,", "last update id 3", "photos: 0 named"} {
		if !strings.Contains(out, want) {
			t.Errorf("restore printed %q, want %q in it", out, want)
		}
	}
	if out, err := restore(); err == nil || !strings.Contains(err.Error(), "-force") {
		t.Errorf("restore over the database: err = %v (%s), want a refusal naming -force", err, out)
	}
	if out, err := restore("-timestamp", "yesterday"); err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Errorf("restore -timestamp yesterday: err = %v (%s)", err, out)
	}
	pit := filepath.Join(dir, "pit.db")
	out, err = restore("-o", pit, "-timestamp", between.Format(time.RFC3339Nano))
	if err != nil {
		t.Fatalf("restore to a point in time: %v\n%s", err, out)
	}
	if !strings.Contains(out, "users 2,") || !strings.Contains(out, "last update id 2") {
		t.Errorf("restore to %s printed %q, want the state after the second write", between.Format(time.RFC3339Nano), out)
	}
}
