// Package replica streams the database to a replica with Litestream
// (github.com/benbjohnson/litestream) and mirrors the media folder to the same
// storage, so that losing the machine loses no update the bot confirmed to
// Telegram; Restore rebuilds both from the replica.
//
// Litestream runs as a library, but in a child process of the same binary
// (the "agent", agent.go): Litestream reads the database through
// modernc.org/sqlite while the bot writes through mattn/go-sqlite3, and two
// SQLite libraries in one process do not see each other's POSIX locks (a
// checkpoint of one can reset the log under a reader of the other; see
// sqlite.org/howtocorrupt.html, 2.2.1). In its own process Litestream's locks
// work as SQLite means them, and the bot still asks it, over a pipe, to sync
// now and say when a batch is on the replica, which a separately installed
// sidecar cannot tell it.
package replica

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

// Confirm modes: when the poller may confirm a batch to Telegram.
const (
	// ConfirmWait confirms a batch only once its transaction is on the
	// replica.
	ConfirmWait = "wait"
	// ConfirmLag confirms a batch while the replica is behind by at most
	// MaxLag, and waits for it otherwise.
	ConfirmLag = "lag"
)

// Config is the replication's configuration (the replication section of the
// bot's config file). The zero URL turns replication off.
type Config struct {
	// URL is the replica: file:///mnt/backup/dinsosbot or s3://bucket/path.
	URL string
	// Endpoint is an S3-compatible server (http://127.0.0.1:7070); paths
	// are then bucket-first (force path style). "" is AWS.
	Endpoint string
	Region   string
	// AccessKeyEnv and SecretKeyEnv name the environment variables holding
	// the S3 keys; the keys never appear in the config file.
	AccessKeyEnv string
	SecretKeyEnv string
	// SyncInterval is how often the replica is brought up to date when
	// nothing asks for it (idle); default 1 s.
	SyncInterval time.Duration
	// SnapshotInterval is how often a full snapshot is written; default 24 h.
	SnapshotInterval time.Duration
	// Retention is how long snapshots (and so point-in-time restore, and
	// erased data in the replica's history) are kept; default 72 h.
	Retention time.Duration
	// Confirm is ConfirmWait (default) or ConfirmLag.
	Confirm string
	// MaxLag bounds the replica's lag with ConfirmLag, and is the alert
	// threshold in both modes; default 10 s.
	MaxLag time.Duration

	// Getenv reads the key variables; default os.Getenv.
	Getenv func(string) string
	// Agent is the command that runs the agent (with DINSOSBOT_REPLICA_AGENT=1
	// in its environment); default this executable. A test binary serves it
	// from TestMain with AgentMain.
	Agent []string
	// BeforeSync, when set, runs before each sync the bot asks for; an error
	// fails that sync. For tests: it stands for a replica that does not
	// answer.
	BeforeSync func() error
}

// On reports whether replication is configured.
func (c Config) On() bool { return c.URL != "" }

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.AccessKeyEnv == "" {
		c.AccessKeyEnv = "LITESTREAM_ACCESS_KEY_ID"
	}
	if c.SecretKeyEnv == "" {
		c.SecretKeyEnv = "LITESTREAM_SECRET_ACCESS_KEY"
	}
	if c.SyncInterval == 0 {
		c.SyncInterval = time.Second
	}
	if c.SnapshotInterval == 0 {
		c.SnapshotInterval = 24 * time.Hour
	}
	if c.Retention == 0 {
		c.Retention = 72 * time.Hour
	}
	if c.Confirm == "" {
		c.Confirm = ConfirmWait
	}
	if c.MaxLag == 0 {
		c.MaxLag = 10 * time.Second
	}
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
	return c
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Validate checks c; errors name the config key (under replication.).
func (c Config) Validate() error {
	if !c.On() {
		return nil
	}
	c = c.WithDefaults()
	if _, _, _, err := c.location(); err != nil {
		return err
	}
	switch {
	case c.Endpoint != "" && !strings.HasPrefix(c.Endpoint, "http://") && !strings.HasPrefix(c.Endpoint, "https://"):
		return fmt.Errorf("replication.endpoint: %q must start with http:// or https://", c.Endpoint)
	case !envName.MatchString(c.AccessKeyEnv):
		return fmt.Errorf("replication.access_key_env: must name an environment variable (like LITESTREAM_ACCESS_KEY_ID), not hold the key")
	case !envName.MatchString(c.SecretKeyEnv):
		return fmt.Errorf("replication.secret_key_env: must name an environment variable (like LITESTREAM_SECRET_ACCESS_KEY), not hold the key")
	case c.SyncInterval < 10*time.Millisecond || c.SyncInterval > time.Minute:
		return fmt.Errorf("replication.sync_interval: %s must be between 10ms and 1m", c.SyncInterval)
	case c.SnapshotInterval < time.Minute:
		return fmt.Errorf("replication.snapshot_interval: %s must be at least 1m", c.SnapshotInterval)
	case c.Retention < c.SnapshotInterval:
		return fmt.Errorf("replication.retention: %s must be at least replication.snapshot_interval (%s)", c.Retention, c.SnapshotInterval)
	case c.Confirm != ConfirmWait && c.Confirm != ConfirmLag:
		return fmt.Errorf("replication.confirm: %q is not wait or lag", c.Confirm)
	case c.MaxLag < time.Second:
		return fmt.Errorf("replication.max_lag: %s must be at least 1s", c.MaxLag)
	}
	return nil
}

// location splits URL into its scheme ("file" or "s3") and, for file, the
// folder; for s3, the bucket and key prefix.
func (c Config) location() (scheme, bucketOrDir, prefix string, err error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return "", "", "", fmt.Errorf("replication.url: %q is not a URL (file:///path or s3://bucket/path)", c.URL)
	}
	switch u.Scheme {
	case "file":
		if u.Path == "" || u.Host != "" {
			return "", "", "", fmt.Errorf("replication.url: %q must be file:///absolute/path (three slashes)", c.URL)
		}
		return "file", u.Path, "", nil
	case "s3":
		if u.Host == "" {
			return "", "", "", fmt.Errorf("replication.url: %q names no bucket (s3://bucket/path)", c.URL)
		}
		return "s3", u.Host, strings.Trim(u.Path, "/"), nil
	}
	return "", "", "", fmt.Errorf("replication.url: %q must start with file:// or s3://", c.URL)
}
