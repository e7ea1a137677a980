package replica_test

import (
	"strings"
	"testing"
	"time"

	"dinsosbot/store/replica"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  replica.Config
		want string // "" = valid
	}{
		{"off", replica.Config{}, ""},
		{"file", replica.Config{URL: "file:///mnt/backup/dinsosbot"}, ""},
		{"s3 with endpoint", replica.Config{URL: "s3://bucket/dinsosbot", Endpoint: "http://127.0.0.1:7070"}, ""},
		{"lag", replica.Config{URL: "file:///b", Confirm: "lag", MaxLag: 30 * time.Second}, ""},
		{"unknown scheme", replica.Config{URL: "sftp://host/path"}, "must start with file:// or s3://"},
		{"file with a host", replica.Config{URL: "file://mnt/backup"}, "three slashes"},
		{"s3 without bucket", replica.Config{URL: "s3:///path"}, "names no bucket"},
		{"endpoint without scheme", replica.Config{URL: "s3://b/p", Endpoint: "127.0.0.1:7070"}, "replication.endpoint"},
		{"key in the file", replica.Config{URL: "s3://b/p", AccessKeyEnv: "AKIA/EXAMPLE+KEY"}, "replication.access_key_env"},
		{"confirm", replica.Config{URL: "file:///b", Confirm: "never"}, "replication.confirm"},
		{"max_lag", replica.Config{URL: "file:///b", MaxLag: time.Millisecond}, "replication.max_lag"},
		{"retention", replica.Config{URL: "file:///b", Retention: time.Hour}, "replication.retention"},
		{"sync_interval", replica.Config{URL: "file:///b", SyncInterval: time.Hour}, "replication.sync_interval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate() = %v, want an error with %q", err, tc.want)
			}
		})
	}
}
