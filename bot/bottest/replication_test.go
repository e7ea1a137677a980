package bottest_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"image/color"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/flows"
	"dinsosbot/store"
	"dinsosbot/store/replica"
)

// TestMain lets this test binary serve as the replication agent
// (store/replica starts it as a child process).
func TestMain(m *testing.M) {
	replica.AgentMain()
	os.Exit(m.Run())
}

// replicaRig is the bot replicating to a file replica whose syncs a test can
// make fail, as a replica that does not answer.
type replicaRig struct {
	h        *bottest.Harness
	mediaDir string // "" unless withMedia
	cfg      replica.Config
	rep      *replica.Replicator
	down     atomic.Bool
	admin    actor
	replDir  string
}

func newReplicaRig(t *testing.T, confirm string, maxLag time.Duration) *replicaRig {
	return newReplicaRigWith(t, confirm, maxLag, false)
}

// newReplicaRigWith is newReplicaRig, with the real flows downloading
// photos into a media folder (mirrored) when withMedia.
func newReplicaRigWith(t *testing.T, confirm string, maxLag time.Duration, withMedia bool) *replicaRig {
	t.Helper()
	r := &replicaRig{replDir: filepath.Join(t.TempDir(), "replica")}
	if withMedia {
		r.mediaDir = filepath.Join(t.TempDir(), "media")
	}
	r.cfg = replica.Config{URL: "file://" + r.replDir, SyncInterval: 20 * time.Millisecond, Confirm: confirm, MaxLag: maxLag,
		BeforeSync: func() error {
			if r.down.Load() {
				return errors.New("replica unreachable (test)")
			}
			return nil
		}}
	opts := bottest.Options{
		Handler: func(app *flows.App) bot.Handler { return echoWithAlerts{numberedEcho{}, app} },
		Replica: func(db *store.DB) bot.Replica {
			rep, err := replica.Open(context.Background(), r.cfg, db.Path(), r.mediaDir, slog.New(slog.DiscardHandler))
			must(t, err)
			must(t, db.SetCheckpointer(context.Background(), rep.Checkpoint))
			r.rep = rep
			return rep
		},
		Bot: func(c *bot.Config) {
			c.Watch.CheckEvery, c.Watch.AlertEvery = 10*time.Millisecond, time.Hour
			c.HTTP.Listen = "127.0.0.1:0"
			if withMedia {
				c.Media = bot.MediaConfig{Dir: r.mediaDir, Interval: 20 * time.Millisecond, MinBackoff: 20 * time.Millisecond}
			}
		}}
	if withMedia {
		opts.Handler = nil
		opts.Flows = func(c *flows.Config) { c.MediaMirror = r.rep }
	}
	r.h = bottest.Start(t, opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		r.h.Stop()
		if err := r.rep.Close(ctx); err != nil {
			t.Errorf("close the replica: %v", err)
		}
	})
	r.admin = seedPerson(t, r.h, "Admin Satu", store.RoleAdmin, kecTelanaipura, kelBuluran)
	return r
}

// echoWithAlerts is the numbered echo with the flows' replication alert.
type echoWithAlerts struct {
	numberedEcho
	app *flows.App
}

func (e echoWithAlerts) AlertReplication(tx *store.Tx, al flows.ReplicationAlert) ([]int64, error) {
	return e.app.AlertReplication(tx, al)
}

// replicatedUpdateID restores the replica into a temporary file and reads
// the last update id it holds.
func (r *replicaRig) replicatedUpdateID(t *testing.T) int {
	t.Helper()
	out := filepath.Join(t.TempDir(), "restored.db")
	rep, err := replica.Restore(context.Background(), r.cfg, out, "", replica.RestoreOptions{})
	must(t, err)
	if rep.Integrity != "ok" {
		t.Fatalf("restored database: integrity_check %q", rep.Integrity)
	}
	db, err := sql.Open("sqlite3", "file:"+out+"?mode=ro")
	must(t, err)
	defer db.Close()
	var id int
	must(t, db.QueryRow(`SELECT last_update_id FROM poll_state WHERE id = 1`).Scan(&id))
	return id
}

// TestConfirmOnlyReplicated: with confirm: wait, an update is confirmed to
// Telegram (the fake forgets it) only once the replica holds it. While the
// replica does not answer, the bot still answers the person, keeps the
// update at Telegram, is degraded in /healthz and tells the admins; when
// it answers again the update is confirmed, the replica holds it, and the
// admins hear it recovered. With confirm: lag the same update is confirmed
// while the replica is within max_lag.
func TestConfirmOnlyReplicated(t *testing.T) {
	for _, tc := range []struct {
		name      string
		confirm   string
		maxLag    time.Duration
		confirmed bool // while the replica is down
	}{
		{"wait", replica.ConfirmWait, time.Second, false},
		{"lag within max_lag", replica.ConfirmLag, time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReplicaRig(t, tc.confirm, tc.maxLag)
			u := r.h.NewUser("Sri")
			u.SendText("1")
			roundTrip(t, u, "1")
			settle(t, r.h)

			r.down.Store(true)
			id := u.SendText("2")
			roundTrip(t, u, "2") // the bot still answers
			if tc.confirmed {
				r.h.WaitUntil(wait, "the update confirmed while the replica is within max_lag", func() bool {
					return r.h.Server.PendingUpdates() == 0
				})
				r.down.Store(false)
				return
			}
			polls := r.h.Server.Calls("getUpdates")
			r.h.WaitUntil(wait, "the bot to ask Telegram again", func() bool {
				return r.h.Server.Calls("getUpdates") >= polls+2
			})
			if r.h.Server.PendingUpdates() == 0 {
				t.Fatalf("with the replica down, update %d was confirmed to Telegram", id)
			}
			// A new update is still answered, and stays unconfirmed too.
			u.SendText("3")
			roundTrip(t, u, "3")
			if n := r.h.Server.PendingUpdates(); n != 2 {
				t.Errorf("pending updates = %d, want 2 (handled, not confirmed)", n)
			}
			if got := countText(u, "diterima: 2"); got != 1 {
				t.Errorf("the reply to 2 came %d times, want once (a repeated update is skipped)", got)
			}
			r.h.WaitUntil(wait, "/healthz degraded by the replica's lag", func() bool {
				h := r.h.Bot().Health(context.Background())
				return !h.OK && h.Replication != nil && strings.Contains(strings.Join(h.Problems, ";"), "replica")
			})
			waitText(t, r.admin.User, "Replika basis data tertinggal")
			if code, h := healthz(t, r.h); code != http.StatusServiceUnavailable || h.Replication == nil ||
				h.Replication.LagSeconds <= 1 || !strings.Contains(h.Replication.Error, "unreachable") {
				t.Errorf("/healthz with the replica down = %d %+v, want 503 with its lag and error", code, h.Replication)
			}
			_, body := getOps(t, r.h, "/metrics")
			if lag, errs := metric(body, "dinsosbot_replication_lag_seconds"), metric(body, "dinsosbot_replication_errors_total"); lag <= 1 || errs < 1 {
				t.Errorf("/metrics: replication lag %v s, errors %v; want over 1 s and at least 1", lag, errs)
			}

			r.down.Store(false)
			r.h.WaitUntil(wait, "the updates confirmed", func() bool { return r.h.Server.PendingUpdates() == 0 })
			waitText(t, r.admin.User, "Replika basis data pulih")
			if got := r.replicatedUpdateID(t); got < id+1 {
				t.Errorf("the replica holds updates up to %d, want at least %d", got, id+1)
			}
			if h := r.h.Bot().Health(context.Background()); !h.OK {
				t.Errorf("/healthz after recovery: %+v", h)
			}
		})
	}
}

// dataCounts is what the drill compares before the loss and after the
// restore.
func dataCounts(t *testing.T, path string) map[string]int {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	must(t, err)
	defer db.Close()
	out := map[string]int{}
	for _, q := range []string{"users", "cases", "case_photos", "meetings", "outbox", "conversations"} {
		var n int
		must(t, db.QueryRow(`SELECT count(*) FROM `+q).Scan(&n))
		out[q] = n
	}
	var id int
	must(t, db.QueryRow(`SELECT last_update_id FROM poll_state WHERE id = 1`).Scan(&id))
	out["last_update_id"] = id
	return out
}

// TestRestoreAfterLosingTheDataFolder: a worker files two cases with
// photos through the bot; the replica holds them; the database, its log,
// Litestream's local state and the media folder are deleted; the restore
// brings back a sound database with the same rows and the photos, byte for
// byte, and the bot runs on from it.
func TestRestoreAfterLosingTheDataFolder(t *testing.T) {
	r := newReplicaRigWith(t, replica.ConfirmWait, 10*time.Second, true)
	w := actor{t, r.h.NewUser("Sri"), wait}
	seedWorker(t, r.h, w.User, "")
	reportWithLocation(t, w, "Anak tinggal sendiri.", jpegOf(t, color.RGBA{200, 10, 10, 255}))
	reportWithLocation(t, w, "Lansia tanpa keluarga.", jpegOf(t, color.RGBA{10, 200, 10, 255}), jpegOf(t, color.RGBA{10, 10, 200, 255}))
	settle(t, r.h)
	var photos []string
	r.h.WaitUntil(wait, "the three photos downloaded and on the replica", func() bool {
		photos = nil
		rows, err := r.h.DB().SQL().Query(`SELECT local_path FROM case_photos WHERE local_path <> ''`)
		must(t, err)
		defer rows.Close()
		for rows.Next() {
			var p string
			must(t, rows.Scan(&p))
			if _, err := os.Stat(filepath.Join(r.replDir, "media", p)); err != nil {
				return false
			}
			photos = append(photos, p)
		}
		return len(photos) == 3
	})
	originals := map[string][]byte{}
	for _, p := range photos {
		b, err := os.ReadFile(filepath.Join(r.mediaDir, p))
		must(t, err)
		originals[p] = b
	}
	must(t, r.rep.WaitReplicated(context.Background()))
	before := dataCounts(t, r.h.DBPath)
	if before["cases"] != 2 {
		t.Fatalf("cases before = %d, want 2", before["cases"])
	}

	// The machine is lost: the bot and the replicator stop, the data goes.
	must(t, r.h.Stop())
	must(t, r.rep.Close(context.Background()))
	for _, p := range []string{r.h.DBPath, r.h.DBPath + "-wal", r.h.DBPath + "-shm", r.mediaDir,
		filepath.Join(filepath.Dir(r.h.DBPath), "."+filepath.Base(r.h.DBPath)+"-litestream")} {
		must(t, os.RemoveAll(p))
	}

	rep, err := replica.Restore(context.Background(), r.cfg, r.h.DBPath, r.mediaDir, replica.RestoreOptions{})
	must(t, err)
	if rep.Integrity != "ok" || rep.MediaDownloaded != 3 || len(rep.MediaMissing) != 0 {
		t.Errorf("restore report = %+v, want integrity ok and 3 photos downloaded", rep)
	}
	if after := dataCounts(t, r.h.DBPath); !maps.Equal(before, after) {
		t.Errorf("counts after the restore = %v, want %v", after, before)
	}
	for p, want := range originals {
		got, err := os.ReadFile(filepath.Join(r.mediaDir, p))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("photo %s after the restore: %d bytes, err %v; want the original %d bytes", p, len(got), err, len(want))
		}
	}

	// run continues from the restored database: the worker is still
	// registered and can report again.
	r.h.Launch()
	w.send("/lapor", "kelompok")
}

// TestErasureReachesTheReplica: an admin erases a case with a photo; the
// photo's folder goes from the replica's media too, and the log's
// checkpoint after the erasure (Litestream's, replication being on)
// completes instead of waiting on Litestream's read lock.
func TestErasureReachesTheReplica(t *testing.T) {
	r := newReplicaRigWith(t, replica.ConfirmWait, 10*time.Second, true)
	w := actor{t, r.h.NewUser("Sri"), wait}
	seedWorker(t, r.h, w.User, "")
	code := reportWithLocation(t, w, "Anak tinggal sendiri.", jpegOf(t, color.RGBA{200, 10, 10, 255}))
	var photo string
	r.h.WaitUntil(wait, "the photo on the replica", func() bool {
		err := r.h.DB().SQL().QueryRow(`SELECT local_path FROM case_photos WHERE local_path <> ''`).Scan(&photo)
		if err != nil {
			return false
		}
		_, err = os.Stat(filepath.Join(r.replDir, "media", photo))
		return err == nil
	})
	folder := filepath.Join(r.replDir, "media", filepath.Dir(photo))

	m := r.admin.send("/hapus_kasus "+code, "tidak bisa dibatalkan")
	must(t, r.admin.Press("🗑 Hapus data pribadi"))
	if _, err := r.admin.WaitForEdit(wait, m.ID, "sudah dihapus"); err != nil {
		t.Fatal(err)
	}
	r.h.WaitUntil(wait, "the case's folder gone from the replica", func() bool {
		_, err := os.Stat(folder)
		return errors.Is(err, fs.ErrNotExist)
	})
	if _, err := os.Stat(filepath.Join(r.mediaDir, ".replica-deletes")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the tombstone file stays after the replica took the deletion: %v", err)
	}
	if log := r.h.Log.String(); strings.Contains(log, "checkpoint after an erasure") {
		t.Errorf("the checkpoint after the erasure failed:\n%s", log)
	}
}
