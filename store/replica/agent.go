package replica

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/benbjohnson/litestream"
)

// agentEnv marks a process started as the replication agent.
const agentEnv = "DINSOSBOT_REPLICA_AGENT"

// AgentMain runs the replication agent and exits, when this process was
// started as one by Open; otherwise it returns at once. main calls it first,
// and so does TestMain in a package whose tests replicate.
func AgentMain() {
	if os.Getenv(agentEnv) != "1" {
		return
	}
	// The agent dies with the bot: a bot killed (or crashed) must not leave
	// it syncing beside the agent of the bot restarted in its place, nor
	// beside a standby taking over the replica. Its input closing with the
	// bot alive is the orderly stop (a last sync).
	parent := os.Getppid()
	go func() {
		for os.Getppid() == parent {
			time.Sleep(100 * time.Millisecond)
		}
		os.Exit(3)
	}()
	// This process is the agent and nothing else: Litestream's own logging
	// (slog's default) goes to the bot, through stderr, warnings up.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err := runAgent(context.Background(), os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "replica agent:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// agentConfig is the first line the bot writes to the agent.
type agentConfig struct {
	DB               string        `json:"db"`
	URL              string        `json:"url"`
	Endpoint         string        `json:"endpoint"`
	Region           string        `json:"region"`
	AccessKeyEnv     string        `json:"access_key_env"`
	SecretKeyEnv     string        `json:"secret_key_env"`
	SyncInterval     time.Duration `json:"sync_interval"`
	SnapshotInterval time.Duration `json:"snapshot_interval"`
	Retention        time.Duration `json:"retention"`
	// RestoreTo, when set, makes the agent restore the database into this
	// file (as of RestoreAt, zero for the newest), answer once and exit.
	RestoreTo string    `json:"restore_to,omitempty"`
	RestoreAt time.Time `json:"restore_at,omitzero"`
}

// Requests the bot sends, one JSON line each; the agent answers each with one
// agentReply line.
const (
	opSync       = "sync"       // WAL to the replica, now; answers when it is there
	opCheckpoint = "checkpoint" // TRUNCATE checkpoint (after an erasure), Litestream's own
	opStatus     = "status"     // positions only
)

type agentRequest struct {
	Op string `json:"op"`
}

type agentReply struct {
	OK     bool   `json:"ok"`
	Err    string `json:"err,omitempty"`
	Local  uint64 `json:"local"`
	Remote uint64 `json:"remote"`
}

// runAgent serves the bot's requests on in/out until in closes, then closes
// Litestream (a last sync) and returns. The agent's own monitors sync every
// sync_interval and write snapshots and compactions on their schedule, so
// the replica keeps up even between requests.
func runAgent(ctx context.Context, in io.Reader, out io.Writer, logw io.Writer) (err error) {
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	sc := bufio.NewScanner(in)
	if !sc.Scan() {
		return errors.New("no configuration on stdin")
	}
	var ac agentConfig
	if err := json.Unmarshal(sc.Bytes(), &ac); err != nil {
		return fmt.Errorf("read configuration: %w", err)
	}
	cfg := Config{URL: ac.URL, Endpoint: ac.Endpoint, Region: ac.Region, AccessKeyEnv: ac.AccessKeyEnv,
		SecretKeyEnv: ac.SecretKeyEnv, SyncInterval: ac.SyncInterval, SnapshotInterval: ac.SnapshotInterval,
		Retention: ac.Retention}.WithDefaults()
	client, err := cfg.dbClient()
	if err != nil {
		return err
	}
	if ac.RestoreTo != "" {
		return restoreIn(ctx, client, ac, json.NewEncoder(out))
	}
	db := litestream.NewDB(ac.DB)
	db.MonitorInterval = cfg.SyncInterval
	r := litestream.NewReplicaWithClient(db, client)
	r.SyncInterval = cfg.SyncInterval
	db.Replica = r
	levels := litestream.CompactionLevels{
		{Level: 0},
		{Level: 1, Interval: 30 * time.Second},
		{Level: 2, Interval: 5 * time.Minute},
		{Level: 3, Interval: time.Hour},
	}
	st := litestream.NewStore([]*litestream.DB{db}, levels)
	st.SnapshotInterval, st.SnapshotRetention = cfg.SnapshotInterval, cfg.Retention
	st.Logger = log
	db.SetLogger(log)
	if err := st.Open(ctx); err != nil {
		return fmt.Errorf("open litestream: %w", err)
	}
	defer func() {
		if cerr := st.Close(context.WithoutCancel(ctx)); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close litestream: %w", cerr))
		}
	}()
	enc := json.NewEncoder(out)
	answer := func(err error) error {
		rep := agentReply{OK: err == nil}
		if err != nil {
			rep.Err = err.Error()
		}
		if pos, perr := db.Pos(); perr == nil {
			rep.Local = uint64(pos.TXID)
		}
		rep.Remote = uint64(r.Pos().TXID)
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("answer: %w", err)
		}
		return nil
	}
	// The first answer says the agent is up.
	if err := answer(nil); err != nil {
		return err
	}
	for sc.Scan() {
		var req agentRequest
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			return fmt.Errorf("read request: %w", err)
		}
		var opErr error
		switch req.Op {
		case opSync:
			opErr = db.SyncAndWait(ctx)
		case opCheckpoint:
			// Litestream releases its read lock, copies the log to the
			// replica first, then checkpoints and truncates it.
			opErr = db.Checkpoint(ctx, litestream.CheckpointModeTruncate)
		case opStatus:
		default:
			opErr = fmt.Errorf("unknown request %q", req.Op)
		}
		if err := answer(opErr); err != nil {
			return err
		}
	}
	return sc.Err()
}

// restoreIn is the agent's restore (Restore runs it in an agent like the
// replication, so that Litestream and its AWS SDK run in a process of their
// own, with the agent's environment).
func restoreIn(ctx context.Context, client litestream.ReplicaClient, ac agentConfig, enc *json.Encoder) error {
	err := client.Init(ctx)
	if err == nil {
		lr := litestream.NewReplicaWithClient(nil, client)
		o := litestream.NewRestoreOptions()
		o.OutputPath, o.Timestamp = ac.RestoreTo, ac.RestoreAt
		err = lr.Restore(ctx, o)
	}
	rep := agentReply{OK: err == nil}
	switch {
	case errors.Is(err, litestream.ErrTxNotAvailable) || errors.Is(err, litestream.ErrNoSnapshots):
		rep.Err = "the replica holds no database (for that time): " + err.Error()
	case err != nil:
		rep.Err = err.Error()
	}
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("answer: %w", err)
	}
	return nil
}
