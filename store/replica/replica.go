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
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// stallTimeout bounds one request to the agent: past it the agent is taken
// for hung, killed and started again at the next request.
const stallTimeout = 5 * time.Minute

// rescanEvery is how often the media folder is compared with the replica's,
// to upload what a failed upload left behind.
const rescanEvery = 5 * time.Minute

// Replicator keeps the replica up to date: the database through the agent
// (Litestream), the media folder by itself. Its methods are safe for
// concurrent use.
type Replicator struct {
	cfg      Config
	dbPath   string
	mediaDir string
	log      *slog.Logger
	media    mediaStore
	opened   time.Time

	reqs chan *request
	wake chan struct{}
	stop context.CancelFunc
	done chan struct{}
	// proc is the running agent; only the driver goroutine touches it.
	proc *agentProc

	mu          sync.Mutex
	lastOKStart time.Time // start of the last sync that succeeded
	lastOK      time.Time
	lastErr     error
	local       uint64
	remote      uint64

	errs      atomic.Int64
	tombMu    sync.Mutex // the tombstone file (media.go)
	mediaErrs atomic.Int64
}

// Status is the replication's state, for /healthz and metrics.
type Status struct {
	// Lag is how far the replica may be behind: the time since the start
	// of the last sync that succeeded (since Open before any).
	Lag    time.Duration
	MaxLag time.Duration
	// LastSync is when the last sync succeeded (zero: none yet).
	LastSync time.Time
	// LocalTXID and RemoteTXID are Litestream's positions: the last
	// transaction it read from the log, the last on the replica.
	LocalTXID  uint64
	RemoteTXID uint64
	// Err is the last sync's error ("" when it succeeded); Errors counts
	// failed syncs and media transfers since Open.
	Err    string
	Errors int64
}

// request is one request to the agent and where its answer goes.
type request struct {
	op    string
	asked time.Time
	done  chan error
}

// Open starts replicating the database at dbPath (open already, in WAL mode)
// and the media folder mediaDir ("" for none). An agent that cannot start is
// not an error here: it is retried, and Status and the waits report it.
// The caller must Close it.
func Open(ctx context.Context, cfg Config, dbPath, mediaDir string, log *slog.Logger) (*Replicator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !cfg.On() {
		return nil, errors.New("replication: no replication.url")
	}
	cfg = cfg.WithDefaults()
	if log == nil {
		log = slog.Default()
	}
	media, err := cfg.mediaStore(ctx)
	if err != nil {
		return nil, err
	}
	r := &Replicator{cfg: cfg, dbPath: dbPath, mediaDir: mediaDir, log: log, media: media, opened: time.Now(),
		reqs: make(chan *request, 64), wake: make(chan struct{}, 1), done: make(chan struct{})}
	loopCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	r.stop = stop
	go r.run(loopCtx)
	return r, nil
}

// Close makes a last sync, stops the agent (which syncs once more) and the
// background work.
func (r *Replicator) Close(ctx context.Context) error {
	err := r.WaitReplicated(ctx)
	r.stop()
	<-r.done
	if r.proc != nil {
		if perr := r.proc.close(ctx); perr != nil {
			err = errors.Join(err, perr)
		}
		r.proc = nil
	}
	if err != nil {
		return fmt.Errorf("close replication: %w", err)
	}
	return nil
}

// Confirm returns when the batch just committed may be confirmed to
// Telegram: with confirm: wait once it is on the replica, with confirm: lag
// at once while the replica is at most max_lag behind, else once it is on
// the replica.
func (r *Replicator) Confirm(ctx context.Context) error {
	if r.cfg.Confirm == ConfirmLag && r.Lag() <= r.cfg.MaxLag {
		return nil
	}
	return r.WaitReplicated(ctx)
}

// WaitReplicated returns once every transaction committed before the call is
// on the replica (Litestream's SyncAndWait, in the agent). Calls that overlap
// share one sync.
func (r *Replicator) WaitReplicated(ctx context.Context) error {
	return r.ask(ctx, opSync)
}

// Checkpoint has Litestream checkpoint and truncate the log (after an
// erasure: store.DB.CheckpointTruncate calls it when replication is on).
// Litestream holds a read lock on the log, so the store's own TRUNCATE
// checkpoint could never complete while it runs; Litestream's releases it,
// copies the log to the replica and then checkpoints.
func (r *Replicator) Checkpoint(ctx context.Context) error {
	return r.ask(ctx, opCheckpoint)
}

// Lag is how far behind the replica may be (Status.Lag).
func (r *Replicator) Lag() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lagLocked(time.Now())
}

func (r *Replicator) lagLocked(now time.Time) time.Duration {
	if r.lastOKStart.IsZero() {
		return now.Sub(r.opened)
	}
	return now.Sub(r.lastOKStart)
}

// MaxLag is the configured max_lag.
func (r *Replicator) MaxLag() time.Duration { return r.cfg.MaxLag }

// Status is the replication's state now.
func (r *Replicator) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Status{Lag: r.lagLocked(time.Now()), MaxLag: r.cfg.MaxLag, LastSync: r.lastOK, LocalTXID: r.local,
		RemoteTXID: r.remote, Errors: r.errs.Load() + r.mediaErrs.Load()}
	if r.lastErr != nil {
		s.Err = r.lastErr.Error()
	}
	return s
}

// ask queues a request for the driver and waits for its answer or ctx.
func (r *Replicator) ask(ctx context.Context, op string) error {
	req := &request{op: op, asked: time.Now(), done: make(chan error, 1)}
	select {
	case <-r.done:
		return errors.New("replication: closed")
	default:
	}
	select {
	case r.reqs <- req:
	case <-ctx.Done():
		return fmt.Errorf("replication %s: %w", op, ctx.Err())
	case <-r.done:
		return errors.New("replication: closed")
	}
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("replication %s: %w", op, ctx.Err())
	case <-r.done:
		select {
		case err := <-req.done: // answered on the way out
			return err
		default:
			return errors.New("replication: closed")
		}
	}
}

// run is the driver: it alone talks to the agent, one request at a time, and
// syncs every sync_interval when nobody asks; it also moves media files.
func (r *Replicator) run(ctx context.Context) {
	defer close(r.done)
	var mediaWG sync.WaitGroup
	mediaWG.Add(1)
	go func() { defer mediaWG.Done(); r.mediaLoop(ctx) }()
	defer mediaWG.Wait()
	tick := time.NewTicker(r.cfg.SyncInterval)
	defer tick.Stop()
	// After a failed sync the background ones back off (doubling to a
	// minute), so a replica that is down is not hammered nor the log
	// flooded; a sync someone waits for is always tried.
	var retryAt time.Time
	backoff := time.Duration(0)
	for {
		var first *request
		select {
		case <-ctx.Done():
			r.failQueued(ctx.Err())
			return
		case first = <-r.reqs:
		case <-tick.C:
			if time.Now().Before(retryAt) {
				continue
			}
			first = &request{op: opSync, asked: time.Now()}
		}
		// Requests of one kind queued meanwhile share the answer of one
		// request started after all of them were asked.
		batch := []*request{first}
	drain:
		for {
			select {
			case q := <-r.reqs:
				batch = append(batch, q)
			default:
				break drain
			}
		}
		for _, op := range []string{opCheckpoint, opSync, opStatus} {
			var same []*request
			for _, q := range batch {
				if q.op == op {
					same = append(same, q)
				}
			}
			if len(same) == 0 {
				continue
			}
			err := r.do(ctx, op)
			if op == opSync {
				if err != nil {
					backoff = min(max(2*backoff, r.cfg.SyncInterval), time.Minute)
					retryAt = time.Now().Add(backoff)
				} else {
					backoff, retryAt = 0, time.Time{}
				}
			}
			for _, q := range same {
				if q.done != nil {
					q.done <- err
				}
			}
		}
	}
}

// failQueued answers what is still queued at shutdown.
func (r *Replicator) failQueued(err error) {
	for {
		select {
		case q := <-r.reqs:
			if q.done != nil {
				q.done <- fmt.Errorf("replication: %w", err)
			}
		default:
			return
		}
	}
}

// do runs one request on the agent (starting it when needed) and records
// the outcome of a sync.
func (r *Replicator) do(ctx context.Context, op string) error {
	start := time.Now()
	var rep agentReply
	var err error
	if op == opSync && r.cfg.BeforeSync != nil {
		err = r.cfg.BeforeSync()
	}
	if err == nil {
		rep, err = r.roundTrip(ctx, op)
	}
	if err == nil && !rep.OK {
		err = errors.New(rep.Err)
	}
	if err != nil {
		err = fmt.Errorf("replication %s: %w", op, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if rep.Local != 0 || rep.Remote != 0 {
		r.local, r.remote = rep.Local, rep.Remote
	}
	if op != opSync {
		return err
	}
	if err != nil {
		if r.lastErr == nil {
			r.log.Warn("replication failing: the replica does not take the database", "err", err)
		}
		r.lastErr = err
		r.errs.Add(1)
		return err
	}
	if r.lastErr != nil {
		r.log.Info("replication recovered")
	}
	r.lastErr = nil
	r.lastOKStart, r.lastOK = start, time.Now()
	return nil
}

// roundTrip sends op to the agent and reads its answer. An agent that
// cannot be reached or does not answer within stallTimeout is stopped, to
// be started again by the next request.
func (r *Replicator) roundTrip(ctx context.Context, op string) (agentReply, error) {
	if r.proc == nil || r.proc.exitedNow() {
		if r.proc != nil {
			r.proc.close(ctx)
		}
		p, err := startAgent(ctx, r.cfg, agentConfigFor(r.cfg, r.dbPath), r.log)
		if err != nil {
			r.proc = nil
			return agentReply{}, err
		}
		r.proc = p
	}
	rep, err := r.proc.call(ctx, op)
	if err != nil {
		r.proc.kill()
		r.proc = nil
	}
	return rep, err
}

// agentProc is a running agent.
type agentProc struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	replies chan agentReply
	exited  chan struct{}
	waitErr error
}

// agentConfigFor is the agent's configuration for replicating dbPath.
func agentConfigFor(cfg Config, dbPath string) agentConfig {
	return agentConfig{DB: dbPath, URL: cfg.URL, Endpoint: cfg.Endpoint, Region: cfg.Region,
		AccessKeyEnv: cfg.AccessKeyEnv, SecretKeyEnv: cfg.SecretKeyEnv, SyncInterval: cfg.SyncInterval,
		SnapshotInterval: cfg.SnapshotInterval, Retention: cfg.Retention}
}

// startAgent starts the agent with ac and waits for its first answer: that
// it is up (or, for a restore, that the restore is done).
func startAgent(ctx context.Context, cfg Config, ac agentConfig, log *slog.Logger) (*agentProc, error) {
	argv := cfg.Agent
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("start the replication agent: %w", err)
		}
		// The agent ignores its arguments (AgentMain runs before any flag
		// is parsed). A test binary whose TestMain does not call AgentMain
		// would instead run its tests again as the "agent", opening
		// replicators that start agents in turn: this flag makes it run
		// none and exit, and the agent fails to start instead.
		argv = []string{exe, "-test.run=^$"}
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(agentEnviron(cfg), agentEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start the replication agent: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start the replication agent: %w", err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("start the replication agent: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the replication agent: %w", err)
	}
	p := &agentProc{cmd: cmd, stdin: stdin, replies: make(chan agentReply, 4), exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			log.Warn("replication agent", "line", sc.Text())
		}
	}()
	go func() {
		dec := json.NewDecoder(stdout)
		for {
			var rep agentReply
			if err := dec.Decode(&rep); err != nil {
				break
			}
			p.replies <- rep
		}
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	line, _ := json.Marshal(ac)
	if _, err := stdin.Write(append(line, '\n')); err != nil {
		p.kill()
		return nil, fmt.Errorf("start the replication agent: %w", p.exitErr(err))
	}
	// A restore takes as long as its download: only ctx bounds it.
	timeout := stallTimeout
	if ac.RestoreTo != "" {
		timeout = 0
	}
	rep, err := p.read(ctx, timeout)
	if err != nil {
		p.kill()
		return nil, fmt.Errorf("start the replication agent: %w", err)
	}
	if !rep.OK {
		p.kill()
		return nil, fmt.Errorf("replication agent: %s", rep.Err)
	}
	return p, nil
}

// agentEnviron is the agent's environment: the bot's, but without
// AWS_CA_BUNDLE when the endpoint is plain http. Litestream's S3 client
// cannot load an AWS configuration while that variable is set (the AWS SDK
// refuses to add a CA bundle to the HTTP client Litestream brings), and a
// bundle means nothing without TLS.
func agentEnviron(cfg Config) []string {
	env := os.Environ()
	if !strings.HasPrefix(cfg.Endpoint, "http://") {
		return env
	}
	return slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "AWS_CA_BUNDLE=") })
}

func (p *agentProc) call(ctx context.Context, op string) (agentReply, error) {
	line, _ := json.Marshal(agentRequest{Op: op})
	if _, err := p.stdin.Write(append(line, '\n')); err != nil {
		return agentReply{}, p.exitErr(err)
	}
	return p.read(ctx, stallTimeout)
}

// read waits for the agent's next answer, for at most timeout (0: no limit
// but ctx).
func (p *agentProc) read(ctx context.Context, timeout time.Duration) (agentReply, error) {
	var stall <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		stall = t.C
	}
	select {
	case rep := <-p.replies:
		return rep, nil
	case <-p.exited:
		return agentReply{}, p.exitErr(errors.New("the agent exited"))
	case <-stall:
		return agentReply{}, fmt.Errorf("the agent did not answer in %s", timeout)
	case <-ctx.Done():
		return agentReply{}, ctx.Err()
	}
}

func (p *agentProc) exitErr(err error) error {
	select {
	case <-p.exited:
		if p.waitErr != nil {
			return fmt.Errorf("%w (%v)", err, p.waitErr)
		}
	default:
	}
	return err
}

func (p *agentProc) exitedNow() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

func (p *agentProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// close ends the agent's input, so it syncs a last time and exits; past ctx
// it is killed.
func (p *agentProc) close(ctx context.Context) error {
	_ = p.stdin.Close()
	select {
	case <-p.exited:
		return p.waitErr
	case <-ctx.Done():
		p.kill()
		return fmt.Errorf("the replication agent did not stop: %w", ctx.Err())
	}
}
