package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store/lease"
)

func TestStandbyConfigErrors(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"relative lease folder", "standby:\n  lease: file://lease\n", "standby.lease: \"file://lease\" must be file:///absolute/folder"},
		{"unknown lease scheme", "standby:\n  lease: ftp://host/lease\n", "standby.lease"},
		{"s3 lease without bucket", "standby:\n  lease: s3:///lease\n", "standby.lease"},
		{"ttl too short", "standby:\n  lease: file:///var/lib/l\n  lease_ttl: 500ms\n", "standby.lease_ttl"},
		{"renewal too rare", "standby:\n  lease: file:///var/lib/l\n  lease_ttl: 15s\n  lease_renew: 10s\n", "at most a third of standby.lease_ttl"},
		{"warm too often", "standby:\n  warm_every: 10ms\n", "standby.warm_every"},
		{"unknown key", "standby:\n  ttl: 5s\n", "unknown key \"ttl\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadConfig(writeConfig(t, tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("LoadConfig error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	cfg, err := LoadConfig(writeConfig(t, "standby:\n  lease: file:///var/lib/dinsosbot-lease\n  lease_ttl: 30s\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Standby.LeaseRenew != Duration(5*time.Second) || cfg.Standby.WarmEvery != Duration(10*time.Second) {
		t.Errorf("defaults: %+v", cfg.Standby)
	}
}

// fencedSetup is a fake Telegram and a config whose lease is in a folder,
// with a short TTL.
func fencedSetup(t *testing.T) (*telegramtest.Server, Config, string) {
	t.Helper()
	srv := telegramtest.NewServer(telegramtest.Options{})
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	leaseDir := filepath.Join(dir, "lease")
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	path := writeConfig(t, fmt.Sprintf(`telegram:
  api_endpoint: %s
  poll_timeout: 1s
database:
  path: %s
media_dir: %s
log:
  level: debug
standby:
  lease: file://%s
  lease_ttl: 1500ms
  lease_renew: 300ms
  warm_every: 1s
`, srv.URL(), filepath.Join(dir, "data", "dinsosbot.db"), filepath.Join(dir, "data", "media"), leaseDir))
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	return srv, cfg, leaseDir
}

func quietLog(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestRunRefusesWhileAnotherMachineHoldsTheLease(t *testing.T) {
	srv, cfg, leaseDir := fencedSetup(t)
	other := &lease.File{Dir: leaseDir, TTL: time.Minute, Owner: "primary-host:42"}
	if _, err := other.Acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	err := serve(t.Context(), cfg, srv.Token(), srv.URL(), quietLog(io.Discard), nil)
	if err == nil || !strings.Contains(err.Error(), "another machine serves this bot") || !strings.Contains(err.Error(), "primary-host:42") {
		t.Fatalf("serve = %v, want a refusal naming the holder", err)
	}
	if n := srv.Calls("getUpdates") + srv.Calls("getMe"); n != 0 {
		t.Errorf("the refused machine called Telegram %d times", n)
	}
}

// syncBuffer is a log that a test reads while the bot writes it.
type syncBuffer struct {
	mu  chan struct{}
	buf strings.Builder
}

func newSyncBuffer() *syncBuffer { b := &syncBuffer{mu: make(chan struct{}, 1)}; return b }
func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.Write(p)
}
func (b *syncBuffer) String() string {
	b.mu <- struct{}{}
	defer func() { <-b.mu }()
	return b.buf.String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRunStopsWhenItsLeaseIsTaken(t *testing.T) {
	srv, cfg, leaseDir := fencedSetup(t)
	log := newSyncBuffer()
	done := make(chan error, 1)
	go func() { done <- serve(t.Context(), cfg, srv.Token(), srv.URL(), quietLog(log), nil) }()
	u := srv.NewUser(telegramtest.UserOptions{FirstName: "Sri", LanguageCode: "id"})
	u.SendText("/start")
	if _, err := u.WaitForText(10*time.Second, "Halo, Sri"); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "generation=1") {
		t.Errorf("log does not name the lease's generation:\n%s", log.String())
	}
	// Another machine writes the next generation (as after a partition
	// longer than the TTL): the next renewal finds it and the bot stops.
	taken := fmt.Sprintf(`{"generation":2,"expires_at":%q,"owner":"standby-host:7","token":"x"}`,
		time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano))
	if err := os.WriteFile(filepath.Join(leaseDir, "lease-000000000002.json"), []byte(taken), 0o600); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, bot.ErrFenced) {
			t.Fatalf("serve = %v, want ErrFenced", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the bot still serves after its lease was taken")
	}
	if !strings.Contains(log.String(), "lease lost") {
		t.Errorf("log does not say the lease was lost:\n%s", log.String())
	}
}

func TestStandbyTakesOverWhenThePrimaryStopsRenewing(t *testing.T) {
	srv, cfg, leaseDir := fencedSetup(t)
	primary := &lease.File{Dir: leaseDir, TTL: 1500 * time.Millisecond, Owner: "primary-host:42"}
	pl, err := primary.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The primary's one renewal, then it dies (never renews again).
	if pl, err = primary.Renew(t.Context(), pl); err != nil {
		t.Fatal(err)
	}
	u := srv.NewUser(telegramtest.UserOptions{FirstName: "Sri", LanguageCode: "id"})
	u.SendText("/start") // sent while the primary is gone: Telegram keeps it
	var restores atomic.Int32
	restore := func(ctx context.Context, dbPath, mediaDir string) error {
		restores.Add(1)
		return os.MkdirAll(filepath.Dir(dbPath), 0o700)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	log := newSyncBuffer()
	done := make(chan error, 1)
	go func() { done <- standby(ctx, cfg, srv.Token(), quietLog(log), restore) }()
	// While the lease lives the standby neither polls nor sends.
	waitFor(t, "the first restore", func() bool { return restores.Load() >= 1 })
	if time.Now().Before(pl.ExpiresAt) && srv.Calls("getUpdates")+srv.Calls("getMe") != 0 {
		t.Errorf("the standby called Telegram while the primary's lease lived")
	}
	if _, err := u.WaitForText(10*time.Second, "Halo, Sri"); err != nil {
		t.Fatalf("the standby never served: %v\n%s", err, log.String())
	}
	if took := time.Since(pl.ExpiresAt); took < 0 {
		t.Errorf("served %v before the primary's lease expired", -took)
	}
	if restores.Load() < 2 {
		t.Errorf("restores = %d, want the warm one and the final one", restores.Load())
	}
	if !strings.Contains(log.String(), "taking over") || !strings.Contains(log.String(), "generation=2") {
		t.Errorf("log does not tell the take-over and its generation:\n%s", log.String())
	}
	if _, err := primary.Renew(t.Context(), pl); !errors.Is(err, lease.ErrLost) {
		t.Errorf("the old primary could renew: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("standby after stop = %v", err)
	}
	// A clean stop gives the lease back at once.
	next := &lease.File{Dir: leaseDir, TTL: time.Second, Owner: "x"}
	if l, err := next.Acquire(t.Context()); err != nil || l.Generation != 3 {
		t.Errorf("after the standby stopped: %+v, %v", l, err)
	}
}

func TestStandbyWithoutLeaseOrReplicaRefuses(t *testing.T) {
	_, cfg, _ := fencedSetup(t)
	if err := standby(t.Context(), cfg, "t", quietLog(io.Discard), nil); err == nil || !strings.Contains(err.Error(), "needs replication") {
		t.Errorf("standby without a replica = %v", err)
	}
	cfg.Standby.Lease = "off"
	noop := func(context.Context, string, string) error { return nil }
	if err := standby(t.Context(), cfg, "t", quietLog(io.Discard), noop); err == nil || !strings.Contains(err.Error(), "needs a lease") {
		t.Errorf("standby without a lease = %v", err)
	}
}

func TestLeaseLivesBesideTheReplica(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"no replication, no fence", "", ""},
		{"file replica", "replication:\n  url: file:///mnt/backup/dinsosbot\n", "file:///mnt/backup/dinsosbot/lease"},
		{"s3 replica", "replication:\n  url: s3://dinsos/jambi/\n", "s3://dinsos/jambi/lease"},
		{"named", "replication:\n  url: s3://dinsos/jambi\nstandby:\n  lease: file:///srv/lease\n", "file:///srv/lease"},
		{"off", "replication:\n  url: s3://dinsos/jambi\nstandby:\n  lease: \"off\"\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(writeConfig(t, tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.leaseURL(); got != tc.want {
				t.Errorf("lease at %q, want %q", got, tc.want)
			}
		})
	}
}
