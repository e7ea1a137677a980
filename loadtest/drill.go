package loadtest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/telegramtest"
)

// The drill (issue 16): the loss of the machine, under load. A primary
// (`run`) and a standby (`standby`) run as child processes of this program,
// each on its own data folder, with the same configuration otherwise: the
// replica on a real S3 server (versitygw, s3server.go) or, when that cannot
// start, in a folder. The workers of the load test act against the fake
// Telegram; mid-load the primary is killed with SIGKILL and its data folder
// deleted. The standby takes the lease once it expires, restores and
// serves; the workers go on. At the end the load test's invariants are
// checked on the standby's database, and the drill prints the RPO
// (confirmed updates lost: the fake counts updates it had forgotten that a
// poller asked for again) and the RTO (from the kill to the first update,
// sent after it, confirmed by the standby).

// drillOptions are the drill's own settings.
type drillOptions struct {
	Replica  string        // "s3" (a versitygw server, falling back to a folder) or "file"
	KillAt   float64       // when the primary dies, as a fraction of -duration
	LeaseTTL time.Duration // standby.lease_ttl of both machines
}

// drillAccessEnv and drillSecretEnv hold the S3 keys in the children's
// environment (replication.access_key_env / secret_key_env).
const (
	drillAccessEnv = "DINSOSBOT_DRILL_S3_ACCESS_KEY"
	drillSecretEnv = "DINSOSBOT_DRILL_S3_SECRET_KEY"
)

// drillFigures are what the drill measured beyond the load test.
type drillFigures struct {
	replica        string // what the replica was on, said plainly
	fallback       string // why it is not S3, when it is not
	killedAt       time.Duration
	confirmedAtKil int // the newest update the primary had confirmed
	rpo            int // confirmed updates the standby asked for again (lost)
	rto            time.Duration
	rtoSeen        bool
	generation     string // the standby's lease generation, from its log
}

// runDrill runs the drill. Like runLoad it returns a result whenever it got
// far enough to measure, and an error listing what failed.
func runDrill(ctx context.Context, o loadOptions, d drillOptions) (*loadResult, *drillFigures, error) {
	if o.Users < 1 || o.TKSK < 0 || o.TKSK > o.Users || o.Duration <= 0 || o.Faults < 0 || o.Faults >= 1 {
		return nil, nil, errors.New("drill: -users must be ≥ 1, 0 ≤ -tksk ≤ -users, -duration > 0, 0 ≤ -faults < 1")
	}
	if d.KillAt <= 0 || d.KillAt >= 1 {
		return nil, nil, errors.New("drill: -kill-at must be between 0 and 1 (a fraction of -duration)")
	}
	if d.Replica != "s3" && d.Replica != "file" {
		return nil, nil, fmt.Errorf("drill: -replica %q is not s3 or file", d.Replica)
	}
	if d.LeaseTTL < time.Second {
		return nil, nil, errors.New("drill: -lease-ttl must be at least 1s")
	}
	if o.Drain <= 0 {
		o.Drain = 2 * time.Minute
	}
	if o.FaultMix == nil {
		o.FaultMix = defaultFaultMix(o.Faults, !o.NoHangs)
	}
	if err := o.FaultMix.check(); err != nil {
		return nil, nil, fmt.Errorf("drill: %w", err)
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	o.Crashes = 0  // one death only: the primary's
	o.Replica = "" // the drill writes its own replication section
	dir, keep, err := workDir(o.Dir, "dinsosbot-drill-")
	if err != nil {
		return nil, nil, err
	}
	exe, err := botProgram(o.Bot)
	if err != nil {
		return nil, nil, err
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(o.Log, "drill: "+format+"\n", args...)
	}
	fig := &drillFigures{}

	// The replica: a real S3 server, or a folder when it cannot run.
	replication := fmt.Sprintf("replication:\n  url: file://%s\n", filepath.Join(dir, "replica"))
	fig.replica = "a folder (file://)"
	var env []string
	if d.Replica == "s3" {
		endpoint, stop, err := StartS3(ctx, filepath.Join(dir, "s3"))
		if err != nil {
			fig.fallback = err.Error()
			logf("THE S3 SERVER COULD NOT START, so this drill runs on a FILE replica instead: %v", err)
		} else {
			defer stop()
			replication = fmt.Sprintf("replication:\n  url: s3://%s/dinsosbot\n  endpoint: %s\n  access_key_env: %s\n  secret_key_env: %s\n",
				S3Bucket, endpoint, drillAccessEnv, drillSecretEnv)
			// AWS_CA_BUNDLE (set on some build machines) makes
			// litestream's S3 client fail to start ("unable to add
			// custom RootCAs HTTPClient"); the local server is plain
			// HTTP, so the children go without it.
			env = []string{drillAccessEnv + "=" + S3AccessKey, drillSecretEnv + "=" + S3SecretKey, "AWS_CA_BUNDLE="}
			fig.replica = "S3 (versitygw v1.8.0, posix backend) at " + endpoint
		}
	}
	logf("dir %s; replica on %s; %d users, %v, kill at %.0f%%, lease TTL %v", dir, fig.replica, o.Users, o.Duration, 100*d.KillAt, d.LeaseTTL)

	injected := &faultCounter{}
	srv := telegramtest.NewServer(telegramtest.Options{EnforceRateLimits: true, Limits: telegramtest.RateLimits{
		Global: o.GlobalRate * 1.1, PerChat: o.ChatRate * 1.1, PerChatBurst: max(3, o.ChatBurst), PerGroupPerMinute: 20},
		Logf: injected.observe})
	defer srv.Close()
	stopOnCancel := context.AfterFunc(ctx, srv.Close)
	defer stopOnCancel()

	// Two data folders; the NIK key is the machines' secret, not the
	// replica's, so it lives outside both (each machine has its copy).
	primaryDir, standbyDir := filepath.Join(dir, "primary"), filepath.Join(dir, "standby")
	for _, p := range []string{primaryDir, standbyDir} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			return nil, nil, err
		}
	}
	invites, err := seedLoadDB(ctx, filepath.Join(primaryDir, "dinsosbot.db"), o.Users-o.TKSK, o.TKSK)
	if err != nil {
		return nil, nil, err
	}
	keyPath := filepath.Join(dir, "nik.key")
	if err := os.Rename(filepath.Join(primaryDir, "nik.key"), keyPath); err != nil {
		return nil, nil, err
	}
	extra := replication + fmt.Sprintf("nik_encryption:\n  key_file: %s\nstandby:\n  lease_ttl: %s\n  lease_renew: %s\n  warm_every: 2s\n",
		keyPath, d.LeaseTTL, d.LeaseTTL/3)
	configs := map[string]string{}
	for name, data := range map[string]string{"primary": primaryDir, "standby": standbyDir} {
		p := filepath.Join(dir, name+".yaml")
		if err := writeDrillConfig(p, srv.URL(), filepath.Join(data, "dinsosbot.db"), filepath.Join(data, "media"), o, extra); err != nil {
			return nil, nil, err
		}
		configs[name] = p
	}

	primary := &supervisor{exe: exe, cfgPath: configs["primary"], token: srv.Token(), logPath: filepath.Join(dir, "primary.log"),
		logf: logf, env: env}
	standby := &supervisor{exe: exe, cfgPath: configs["standby"], token: srv.Token(), logPath: filepath.Join(dir, "standby.log"),
		logf: logf, sub: "standby", env: env}
	if err := primary.start(); err != nil {
		return nil, nil, err
	}
	defer primary.kill()
	// The standby starts once the primary serves (its first snapshot is
	// on the replica) and must be warm before the kill.
	if err := waitLog(ctx, primary.logPath, "dinsosbot running", 60*time.Second); err != nil {
		return nil, nil, fmt.Errorf("drill: the primary did not start: %w (see %s)", err, primary.logPath)
	}
	if err := standby.start(); err != nil {
		return nil, nil, err
	}
	defer standby.kill()

	stopFaults := injectFaults(srv, o.FaultMix, rand.New(rand.NewPCG(o.Seed, 11)))
	start := time.Now()
	deadline := start.Add(o.Duration)
	killDone := make(chan error, 1)
	go func() {
		killDone <- killPrimary(ctx, srv, primary, primaryDir, standby.logPath, start.Add(time.Duration(float64(o.Duration)*d.KillAt)), start, fig, logf)
	}()
	people := newPeople(srv, o, rand.New(rand.NewPCG(o.Seed, 13)))
	people.run(ctx, deadline, invites)
	killErr := <-killDone
	stopFaults()
	if ctx.Err() != nil {
		return nil, nil, fmt.Errorf("drill: interrupted; kept %s", dir)
	}
	res := &loadResult{opts: o, dir: dir}
	if killErr != nil {
		res.failures = append(res.failures, killErr.Error())
	}
	standbyDB := filepath.Join(standbyDir, "dinsosbot.db")
	done := time.Now()
	if err := waitQuiet(ctx, srv, standbyDB, o.Drain); err != nil {
		res.failures = append(res.failures, err.Error())
	}
	res.drained = time.Since(done)
	res.elapsed = time.Since(start)
	if err := standby.stop(30 * time.Second); err != nil {
		res.failures = append(res.failures, "standby: "+err.Error())
	}
	res.kills, res.killsBy, res.selfExits = primary.kills, primary.killsBy, primary.selfExits+standby.selfExits
	res.peakRSSKB, res.maxrssKB = max(primary.peakRSSKB, standby.peakRSSKB), max(primary.maxrssKB, standby.maxrssKB)
	res.injected = injected.counts()
	res.updates, res.latencies = people.actions(), people.latencies()
	res.sends, res.calls, res.faulted = callCounts(srv)
	fig.rpo = srv.Rewound()
	fig.generation = logValue(standby.logPath, `serving with the lease.*generation=(\d+)`)
	res.failures = append(res.failures, check(ctx, srv, standbyDB, people, &res.counts)...)
	if err := measure(ctx, standbyDB, people, &res.cost); err != nil {
		res.failures = append(res.failures, err.Error())
	}
	if fig.rpo > 0 {
		res.failures = append(res.failures, fmt.Sprintf("RPO: %d confirmed updates lost in the switch (goal 0)", fig.rpo))
	}
	if !fig.rtoSeen {
		res.failures = append(res.failures, "RTO: the standby never confirmed an update sent after the kill")
	}
	if fig.generation == "" {
		res.failures = append(res.failures, "the standby's log does not say it served with the lease")
	}
	if len(res.failures) > 0 {
		return res, fig, fmt.Errorf("drill: %d invariants failed (kept %s: primary.log, standby.log, standby/dinsosbot.db)", len(res.failures), dir)
	}
	if !keep {
		os.RemoveAll(dir)
		res.dir = ""
	}
	return res, fig, nil
}

// killPrimary waits for the standby to be warm and for the kill's time, kills
// the primary with SIGKILL, deletes its data folder and measures the RTO: the
// time until the fake has a confirmation of an update created after the
// kill.
func killPrimary(ctx context.Context, srv *telegramtest.Server, primary *supervisor, primaryDir, standbyLog string,
	at, start time.Time, fig *drillFigures, logf func(string, ...any)) error {
	if err := waitLog(ctx, standbyLog, "standby: warm copy restored", time.Until(at)+60*time.Second); err != nil {
		return fmt.Errorf("the standby never had a warm copy: %w (see %s)", err, standbyLog)
	}
	if bot.Sleep(ctx, time.Until(at)) != nil {
		return ctx.Err()
	}
	fig.confirmedAtKil = srv.ConfirmedUpTo()
	newest := srv.LastUpdateID()
	primary.kill() // SIGKILL, no restart
	killed := time.Now()
	fig.killedAt = killed.Sub(start)
	// The group's last processes may still be exiting: a file they wrote
	// after the listing makes one removal fail, so try a few times.
	var rmErr error
	for range 50 {
		if rmErr = os.RemoveAll(primaryDir); rmErr == nil {
			break
		}
		_ = bot.Sleep(ctx, 20*time.Millisecond)
	}
	if rmErr != nil {
		return fmt.Errorf("delete the primary's data folder: %w", rmErr)
	}
	logf("killed the primary with SIGKILL at %.1f s and deleted %s (it had confirmed up to update %d, the newest was %d)",
		fig.killedAt.Seconds(), primaryDir, fig.confirmedAtKil, newest)
	for ctx.Err() == nil {
		if srv.ConfirmedUpTo() > newest {
			fig.rto, fig.rtoSeen = time.Since(killed), true
			logf("the standby serves: first update after the kill confirmed %.1f s after it", fig.rto.Seconds())
			return nil
		}
		if time.Since(killed) > 5*time.Minute {
			return errors.New("the standby did not serve within 5 minutes of the kill")
		}
		_ = bot.Sleep(ctx, 20*time.Millisecond)
	}
	return ctx.Err()
}

// writeDrillConfig is the load test's configuration at log level info (the
// drill reads the lease's generation from the log) with extra appended.
func writeDrillConfig(path, apiURL, dbPath, mediaDir string, o loadOptions, extra string) error {
	if err := writeLoadConfig(path, apiURL, dbPath, mediaDir, o); err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	cfg := strings.Replace(string(b), "  level: warn\n", "  level: info\n", 1) + extra
	return os.WriteFile(path, []byte(cfg), 0o600)
}

// waitLog waits until the file at path holds substr.
func waitLog(ctx context.Context, path, substr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if b, err := os.ReadFile(path); err == nil && strings.Contains(string(b), substr) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no %q in %s after %v (last line: %s)", substr, filepath.Base(path), timeout, lastLine(path))
		}
		if err := bot.Sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}

// logValue is the first group of the last match of re in the file at path.
func logValue(path, re string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	m := regexp.MustCompile(re).FindAllStringSubmatch(string(b), -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1][1]
}

func (f *drillFigures) print(w io.Writer) {
	fmt.Fprintf(w, "drill:\n")
	fmt.Fprintf(w, "  replica        %s\n", f.replica)
	if f.fallback != "" {
		fmt.Fprintf(w, "  NOT S3         the S3 server could not start (%s): this drill used a file replica\n", f.fallback)
	}
	fmt.Fprintf(w, "  kill           primary SIGKILLed at %.1f s, its data folder deleted; it had confirmed up to update %d\n",
		f.killedAt.Seconds(), f.confirmedAtKil)
	fmt.Fprintf(w, "  standby        served with lease generation %s\n", cmp.Or(f.generation, "?"))
	fmt.Fprintf(w, "  RPO            %d confirmed updates lost (goal 0)\n", f.rpo)
	if f.rtoSeen {
		fmt.Fprintf(w, "  RTO            %.1f s from the kill to the first update after it confirmed by the standby\n", f.rto.Seconds())
	} else {
		fmt.Fprintf(w, "  RTO            never: the standby did not serve\n")
	}
}
