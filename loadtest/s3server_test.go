package loadtest

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dinsosbot/store/lease"
)

// needS3 skips a test that needs the S3 server unless its program is built
// already or DINSOSBOT_S3=1 asks to build it (about 2 minutes; .ci/run does).
func needS3(t *testing.T) {
	t.Helper()
	if os.Getenv("DINSOSBOT_S3") != "" {
		return
	}
	cache, err := os.UserCacheDir()
	if err == nil {
		if _, err := os.Stat(filepath.Join(cache, "dinsosbot", "versitygw-v1.8.0", "versitygw")); err == nil {
			return
		}
	}
	t.Skip("the S3 server (versitygw) is not built; DINSOSBOT_S3=1 builds it")
}

func TestStartS3ServesTheBucketAndStops(t *testing.T) {
	needS3(t)
	dir := t.TempDir()
	endpoint, stop, err := StartS3(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	// Unsigned: S3 refuses with 403, which shows it is S3 answering.
	resp, err := http.Get(endpoint + "/" + S3Bucket + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned list of the bucket: %s, want 403", resp.Status)
	}
	if fi, err := os.Stat(filepath.Join(dir, "root", S3Bucket)); err != nil || !fi.IsDir() {
		t.Errorf("bucket folder: %v", err)
	}
	stop()
	if resp, err := http.Get(endpoint + "/"); err == nil {
		resp.Body.Close()
		t.Errorf("still answering after stop: %s", resp.Status)
	}
}

// TestS3LeaseOnVersitygw: versitygw's posix backend honours the conditional
// writes litestream's S3 lease needs, so two machines cannot both hold it.
func TestS3LeaseOnVersitygw(t *testing.T) {
	needS3(t)
	endpoint, stop, err := StartS3(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	open := func(owner string, ttl time.Duration) lease.Leaser {
		l, err := lease.NewS3(lease.S3Options{Bucket: S3Bucket, Prefix: "bot/lease", Endpoint: endpoint, Region: "us-east-1",
			AccessKey: S3AccessKey, SecretKey: S3SecretKey, TTL: ttl, Owner: owner})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	ctx := t.Context()
	primary, standby := open("primary", 300*time.Millisecond), open("standby", time.Minute)
	pl, err := primary.Acquire(ctx)
	if err != nil || pl.Generation != 1 {
		t.Fatalf("primary: %+v, %v", pl, err)
	}
	var held *lease.ErrHeld
	if _, err := standby.Acquire(ctx); !errors.As(err, &held) || held.Owner != "primary" {
		t.Fatalf("standby took a live lease: %v", err)
	}
	if pl, err = primary.Renew(ctx, pl); err != nil {
		t.Fatalf("renew: %v", err)
	}
	// The primary stops renewing; once expired the standby takes it.
	var sl *lease.Lease
	deadline := time.Now().Add(10 * time.Second)
	for sl == nil {
		if sl, err = standby.Acquire(ctx); err != nil && !errors.As(err, &held) {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the standby never got the expired lease")
		}
	}
	if sl.Generation != 2 {
		t.Errorf("standby's generation = %d, want 2", sl.Generation)
	}
	// The old holder's renewal is refused by If-Match (its ETag is stale),
	// not merely by its clock: give it a lease that has not expired yet.
	stale := *pl
	stale.ExpiresAt = time.Now().Add(time.Minute)
	if _, err := primary.Renew(ctx, &stale); !errors.Is(err, lease.ErrLost) {
		t.Errorf("old holder renewed over the standby's lease: %v", err)
	}
	if err := primary.Release(ctx, &stale); !errors.Is(err, lease.ErrLost) {
		t.Errorf("old holder released the standby's lease: %v", err)
	}
	if _, err := standby.Renew(ctx, sl); err != nil {
		t.Errorf("standby renew: %v", err)
	}
}
