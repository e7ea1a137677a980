package bottest_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
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
	h       *bottest.Harness
	cfg     replica.Config
	rep     *replica.Replicator
	down    atomic.Bool
	admin   actor
	replDir string
}

func newReplicaRig(t *testing.T, confirm string, maxLag time.Duration) *replicaRig {
	t.Helper()
	r := &replicaRig{replDir: filepath.Join(t.TempDir(), "replica")}
	r.cfg = replica.Config{URL: "file://" + r.replDir, SyncInterval: 20 * time.Millisecond, Confirm: confirm, MaxLag: maxLag,
		BeforeSync: func() error {
			if r.down.Load() {
				return errors.New("replica unreachable (test)")
			}
			return nil
		}}
	r.h = bottest.Start(t, bottest.Options{
		Handler: func(app *flows.App) bot.Handler { return echoWithAlerts{numberedEcho{}, app} },
		Replica: func(db *store.DB) bot.Replica {
			rep, err := replica.Open(context.Background(), r.cfg, db.Path(), "", slog.New(slog.DiscardHandler))
			must(t, err)
			must(t, db.SetCheckpointer(context.Background(), rep.Checkpoint))
			r.rep = rep
			return rep
		},
		Bot: func(c *bot.Config) {
			c.Watch.CheckEvery, c.Watch.AlertEvery = 10*time.Millisecond, time.Hour
		}})
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
