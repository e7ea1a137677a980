package replica_test

import (
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
	"dinsosbot/store/replica"
)

func TestMain(m *testing.M) {
	replica.AgentMain()
	os.Exit(m.Run())
}

// fixture is a database and media folder replicating to a file replica.
type fixture struct {
	dir, dbPath, mediaDir, replicaDir string
	cfg                               replica.Config
	db                                *store.DB
	rep                               *replica.Replicator
}

func open(t *testing.T, tweak func(*replica.Config)) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{dir: dir, dbPath: filepath.Join(dir, "data", "dinsosbot.db"), mediaDir: filepath.Join(dir, "data", "media"),
		replicaDir: filepath.Join(dir, "replica")}
	if err := os.MkdirAll(f.mediaDir, 0o700); err != nil {
		t.Fatal(err)
	}
	f.cfg = replica.Config{URL: "file://" + f.replicaDir, SyncInterval: 50 * time.Millisecond}
	if tweak != nil {
		tweak(&f.cfg)
	}
	ctx := context.Background()
	var err error
	if f.db, err = store.Open(ctx, f.dbPath, store.Options{}); err != nil {
		t.Fatal(err)
	}
	if f.rep, err = replica.Open(ctx, f.cfg, f.dbPath, f.mediaDir, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.close(t) })
	return f
}

func (f *fixture) close(t *testing.T) {
	t.Helper()
	if f.rep != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := f.rep.Close(ctx); err != nil {
			t.Errorf("close replicator: %v", err)
		}
		f.rep = nil
	}
	if f.db != nil {
		f.db.Close()
		f.db = nil
	}
}

func (f *fixture) addUsers(t *testing.T, from, n int) {
	t.Helper()
	err := f.db.Update(context.Background(), func(tx *store.Tx) error {
		for i := from; i < from+n; i++ {
			if _, err := tx.Exec(`INSERT INTO users (id, first_name, created_at, updated_at) VALUES (?, 'u', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`, i); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func countUsers(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM users`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWaitReplicatedThenRestore: what WaitReplicated returned for is on the
// replica: a restore elsewhere holds it, checked sound.
func TestWaitReplicatedThenRestore(t *testing.T) {
	f := open(t, nil)
	ctx := context.Background()
	f.addUsers(t, 1, 25)
	if err := f.rep.WaitReplicated(ctx); err != nil {
		t.Fatalf("WaitReplicated: %v", err)
	}
	st := f.rep.Status()
	if st.Err != "" || st.RemoteTXID == 0 || st.RemoteTXID != st.LocalTXID {
		t.Errorf("status after a sync = %+v, want no error and local = remote > 0", st)
	}
	out := filepath.Join(t.TempDir(), "restored.db")
	rep, err := replica.Restore(ctx, f.cfg, out, "", replica.RestoreOptions{})
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	if rep.Integrity != "ok" {
		t.Errorf("integrity = %q", rep.Integrity)
	}
	if n := countUsers(t, out); n != 25 {
		t.Errorf("restored users = %d, want 25", n)
	}
	// An existing database is kept unless forced.
	if _, err := replica.Restore(ctx, f.cfg, out, "", replica.RestoreOptions{}); !errors.Is(err, replica.ErrExists) {
		t.Errorf("restore over an existing database: err = %v, want ErrExists", err)
	}
	f.addUsers(t, 100, 5)
	if err := f.rep.WaitReplicated(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := replica.Restore(ctx, f.cfg, out, "", replica.RestoreOptions{Force: true}); err != nil {
		t.Fatalf("forced restore: %v", err)
	}
	if n := countUsers(t, out); n != 30 {
		t.Errorf("restored users after -force = %d, want 30", n)
	}
}

// TestMediaMirror: a photo written before the replicator started (a crash
// before its upload) is uploaded by the rescan at start; PutMedia copies a
// new one; an erasure recorded before a restart (the tombstone file) still
// reaches the replica, and so does a new one.
func TestMediaMirror(t *testing.T) {
	dir := t.TempDir()
	media := filepath.Join(dir, "media")
	write := func(rel, body string) {
		t.Helper()
		name := filepath.Join(media, rel)
		if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("case-1/a.jpg", "one")
	write("case-2/b.jpg", "two")
	// Erased before the restart, not yet on the replica: the replica still
	// holds it, and the tombstone says it must go.
	remote := filepath.Join(dir, "replica", "media")
	if err := os.MkdirAll(filepath.Join(remote, "case-9"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(remote, "case-9", "z.jpg"), []byte("erased"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(media, ".replica-deletes"), []byte("case-9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &fixture{dbPath: filepath.Join(dir, "bot.db"), mediaDir: media}
	f.cfg = replica.Config{URL: "file://" + filepath.Join(dir, "replica"), SyncInterval: 50 * time.Millisecond}
	ctx := context.Background()
	var err error
	if f.db, err = store.Open(ctx, f.dbPath, store.Options{}); err != nil {
		t.Fatal(err)
	}
	if f.rep, err = replica.Open(ctx, f.cfg, f.dbPath, media, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.close(t) })

	waitFor(t, "the rescan and the old tombstone", func() bool {
		return readFile(filepath.Join(remote, "case-1", "a.jpg")) == "one" &&
			readFile(filepath.Join(remote, "case-2", "b.jpg")) == "two" && !exists(filepath.Join(remote, "case-9"))
	})
	write("case-3/c.jpg", "three")
	if err := f.rep.PutMedia(ctx, "case-3/c.jpg"); err != nil {
		t.Fatal(err)
	}
	if got := readFile(filepath.Join(remote, "case-3", "c.jpg")); got != "three" {
		t.Errorf("after PutMedia the replica holds %q", got)
	}
	for _, bad := range []string{"../outside.jpg", "/etc/passwd"} {
		if err := f.rep.PutMedia(ctx, bad); err == nil {
			t.Errorf("PutMedia(%q) = nil, want an error", bad)
		}
		if err := f.rep.DeleteMedia(ctx, bad); err == nil {
			t.Errorf("DeleteMedia(%q) = nil, want an error", bad)
		}
	}
	if err := f.rep.DeleteMedia(ctx, "case-1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the erasure on the replica", func() bool {
		return !exists(filepath.Join(remote, "case-1")) && !exists(filepath.Join(media, ".replica-deletes"))
	})
	if !exists(filepath.Join(remote, "case-2", "b.jpg")) {
		t.Error("the erasure of case-1 took case-2's photo too")
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func readFile(name string) string {
	b, _ := os.ReadFile(name)
	return string(b)
}

func exists(name string) bool {
	_, err := os.Stat(name)
	return err == nil
}

// TestS3RoundTrip runs against a real S3-compatible server when one is
// given (it is skipped otherwise): DINSOSBOT_TEST_S3_URL (s3://bucket/prefix,
// the bucket existing), DINSOSBOT_TEST_S3_ENDPOINT, and the keys in
// LITESTREAM_ACCESS_KEY_ID and LITESTREAM_SECRET_ACCESS_KEY. The database
// and a photo go to the bucket and come back by Restore; an erased photo
// leaves it.
func TestS3RoundTrip(t *testing.T) {
	url, endpoint := os.Getenv("DINSOSBOT_TEST_S3_URL"), os.Getenv("DINSOSBOT_TEST_S3_ENDPOINT")
	if url == "" || endpoint == "" {
		t.Skip("no S3 server: set DINSOSBOT_TEST_S3_URL and DINSOSBOT_TEST_S3_ENDPOINT")
	}
	prefix := fmt.Sprintf("%s/t%d", strings.TrimSuffix(url, "/"), time.Now().UnixNano())
	f := open(t, func(c *replica.Config) { c.URL, c.Endpoint = prefix, endpoint })
	ctx := context.Background()
	f.addUsers(t, 1, 7)
	if err := os.MkdirAll(filepath.Join(f.mediaDir, "case-1"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.mediaDir, "case-1", "p.jpg"), []byte("photo"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The photo's row alone (Restore brings back what case_photos names):
	// foreign keys off for it on the store's one connection.
	for _, q := range []string{`PRAGMA foreign_keys = OFF`, `INSERT INTO case_photos (case_id, file_id, file_unique_id,
		status, local_path, created_at) VALUES (1, 'f', 'u', 'done', 'case-1/p.jpg', '')`, `PRAGMA foreign_keys = ON`} {
		if _, err := f.db.SQL().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.rep.PutMedia(ctx, "case-1/p.jpg"); err != nil {
		t.Fatal(err)
	}
	if err := f.rep.WaitReplicated(ctx); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r", "bot.db")
	media := filepath.Join(filepath.Dir(out), "media")
	rep, err := replica.Restore(ctx, f.cfg, out, media, replica.RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := countUsers(t, out); rep.Integrity != "ok" || n != 7 {
		t.Errorf("restored from S3: integrity %q, %d users; want ok, 7", rep.Integrity, n)
	}
	if rep.MediaFiles != 1 || readFile(filepath.Join(media, "case-1", "p.jpg")) != "photo" {
		t.Errorf("the photo did not come back from S3: %+v", rep)
	}
	if err := f.rep.DeleteMedia(ctx, "case-1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the photo gone from S3", func() bool {
		return !exists(filepath.Join(f.mediaDir, ".replica-deletes"))
	})
	os.RemoveAll(media)
	if rep, err := replica.Restore(ctx, f.cfg, out, media, replica.RestoreOptions{Force: true}); err != nil || len(rep.MediaMissing) != 1 {
		t.Errorf("after the erasure the photo still comes back from S3: %+v, %v", rep, err)
	}
}
