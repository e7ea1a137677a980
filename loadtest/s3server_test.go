package loadtest

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
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
