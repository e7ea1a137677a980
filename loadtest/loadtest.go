// Package loadtest is "dinsosbot loadtest": the load, fault and crash test of
// the bot against the fake Telegram, and its memory measurement (-rss). It is
// a tool, not the bot: the command (the root package) calls Command, and
// installs WithCrashHook, which does nothing outside a child this package
// started.
package loadtest

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
	"dinsosbot/store/nikcrypt"
)

// The loadtest subcommand: the fake Telegram server in this process, the real
// bot as a child process of the same binary (so SIGKILL is a real crash of a
// real process on a real SQLite file), and simulated workers who register,
// report cases, answer an invitation and check in. At the end it checks the
// invariants (check.go) and prints the figures.

// loadChildEnv marks a child started by loadtest: only there does
// WithCrashHook install its kill (crashhook.go).
const loadChildEnv = "DINSOSBOT_LOADTEST_CHILD"

// loadTokenEnv names the variable the child reads its token from.
const loadTokenEnv = "DINSOSBOT_LOADTEST_TOKEN"

// loadAdminID is the simulated admin's Telegram id.
const loadAdminID = 990001

// loadOptions are the loadtest's settings; see loadtestFlags for defaults.
type loadOptions struct {
	Users    int           // simulated workers
	TKSK     int           // of them, TKSK (by a TKSK invite); the others PSM
	Duration time.Duration // workers keep reporting cases until then; crashes fall in it
	Faults   float64       // fraction of Bot API calls that fail (429/5xx/hang/drop), split as defaultFaultMix
	NoHangs  bool          // leave hangs out of Faults (each costs the bot its HTTP timeout, 17 s)
	FaultMix faultMix      // fraction of calls failing per kind; when set, Faults and NoHangs are ignored
	Crashes  int           // SIGKILLs of the bot, each followed by a restart
	// CrashKinds are the ways of killing, taken in turn by the kills in time
	// order; nil = every kind (random, after-send, in-transaction).
	CrashKinds []crashKind
	Seed       uint64 // for the crash schedule, the faults and the workers' choices

	GlobalRate float64       // the bot's send limit, messages/s; the fake enforces it
	ChatRate   float64       // per private chat, messages/s
	ChatBurst  int           // per private chat
	Think      time.Duration // a worker's mean pause between actions
	Step       time.Duration // how long a worker waits for the bot's answer before it counts as stuck
	Drain      time.Duration // after the people are done, how long the bot may take to confirm every update and send every message
	Dir        string        // working directory (database, logs); "" = a temp dir, removed on success
	Log        io.Writer     // progress lines; nil = discard
	// Bot is the dinsosbot program started as the bot ("-config FILE run");
	// "" = this program (os.Executable), which is dinsosbot itself when the
	// load test runs as its subcommand.
	Bot string
	// Replica is "" (no replication) or "file": the bot replicates to a
	// file replica in the working directory, confirm: wait.
	Replica string
}

func loadtestFlags(fs *flag.FlagSet) *loadOptions {
	o := &loadOptions{}
	fs.IntVar(&o.Users, "users", 20, "simulated workers")
	fs.IntVar(&o.TKSK, "tksk", 0, "how many of -users register as TKSK (the others as PSM), spread over the kecamatan like the PSM; the rakor: -users 82 -tksk 14")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "how long workers keep reporting cases; crashes fall in this window")
	fs.Float64Var(&o.Faults, "faults", 0.02, "fraction of Bot API calls the fake fails, split 3:2:2:2:1 over 429, 500, 502, drop, hang (shorthand for -fault-mix)")
	fs.BoolVar(&o.NoHangs, "no-hangs", false, "leave hung requests out of -faults (each costs the bot its HTTP timeout)")
	fs.Func("fault-mix", `fraction of Bot API calls failing per kind, e.g. "429=0.01,500=0.005,502=0.005,drop=0.005,hang=0.001" (kinds: 429, 500, 502, drop, hang; replaces -faults and -no-hangs)`,
		func(v string) error {
			m, err := parseFaultMix(v)
			o.FaultMix = m
			return err
		})
	fs.IntVar(&o.Crashes, "crash", 3, "how many times the bot is killed with SIGKILL and restarted")
	fs.Func("crash-kinds", `ways of killing the bot, taken in turn by the kills (default "random,after-send,in-transaction")`,
		func(v string) error {
			k, err := parseCrashKinds(v)
			o.CrashKinds = k
			return err
		})
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed (crash times, faults, workers' choices)")
	fs.Float64Var(&o.GlobalRate, "rate", 30, "the bot's global send limit, messages/s (Telegram: 30); the fake enforces it")
	fs.Float64Var(&o.ChatRate, "chat-rate", 1, "the bot's send limit per private chat, messages/s (Telegram: 1)")
	fs.IntVar(&o.ChatBurst, "chat-burst", 1, "the bot's burst per private chat")
	fs.DurationVar(&o.Think, "think", 500*time.Millisecond, "a worker's mean pause between actions (people are slower; compressed)")
	fs.DurationVar(&o.Step, "step-timeout", 90*time.Second, "how long a worker waits for an answer before the conversation counts as stuck")
	fs.DurationVar(&o.Drain, "drain", 2*time.Minute, "once every worker is done, how long the bot may take to confirm every update and deliver every message (case notices included)")
	fs.StringVar(&o.Replica, "replica", "", `"file": the bot replicates its database to a file replica in the working directory and confirms updates only once there (confirm: wait); "" = off`)
	fs.StringVar(&o.Dir, "dir", "", "keep the database and the bot's logs here (default: a temp dir, removed when the run passes)")
	return o
}

// Command is "dinsosbot loadtest [flags]": it exits non-zero (returns an
// error) when an invariant fails.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dinsosbot loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := loadtestFlags(fs)
	var ro rssOptions
	rss := fs.Bool("rss", false, "measure the bot's peak RSS with -rss-users registered users and -rss-open open forms, next to an idle bot on an empty database, instead of the load run")
	fs.IntVar(&ro.Users, "rss-users", 10000, "with -rss: registered users seeded in the database")
	fs.IntVar(&ro.Open, "rss-open", 1000, "with -rss: users with a form open")
	fs.IntVar(&ro.Idle, "rss-idle", 2, "with -rss: long polls (2 s each) the bot idles through before each measurement")
	var do drillOptions
	drill := fs.Bool("drill", false, "the loss of the machine: a primary and a standby on a replica (-replica s3, the default here: a local versitygw built on first use, a file replica if it cannot start; or -replica file); the primary is SIGKILLed mid-load and its data folder deleted; the invariants are checked on the standby's database and the RPO and RTO printed (-crash is ignored)")
	fs.Float64Var(&do.KillAt, "kill-at", 0.4, "with -drill: when the primary dies, as a fraction of -duration")
	fs.DurationVar(&do.LeaseTTL, "lease-ttl", 6*time.Second, "with -drill: standby.lease_ttl (renewed every third of it); the RTO is about this plus a restore")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dinsosbot loadtest [-users N] [-duration D] [-faults F] [-crash K] [flags]")
		fmt.Fprintln(stderr, "       dinsosbot loadtest -drill [-replica s3|file] [-kill-at F] [-users N] [-duration D] [flags]")
		fmt.Fprintln(stderr, "       dinsosbot loadtest -rss [-rss-users N] [-rss-open N] [-dir DIR]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("loadtest: unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["fault-mix"] && (set["faults"] || set["no-hangs"]) {
		return errors.New("loadtest: -fault-mix sets every kind's rate: use it or -faults/-no-hangs, not both")
	}
	if *rss {
		ro.Log = stderr
		res, err := runRSS(ctx, ro, o.Dir)
		if res != nil {
			res.print(stdout)
		}
		return err
	}
	o.Log = stderr
	if *drill {
		do.Replica, o.Replica = cmp.Or(o.Replica, "s3"), ""
		res, fig, err := runDrill(ctx, *o, do)
		if fig != nil {
			fig.print(stdout)
		}
		if res != nil {
			res.print(stdout)
		}
		return err
	}
	res, err := runLoad(ctx, *o)
	if res != nil {
		res.print(stdout)
	}
	return err
}

// loadResult is what a run measured and checked.
type loadResult struct {
	opts      loadOptions
	elapsed   time.Duration // from the first worker action to quiescence
	drained   time.Duration // from the last worker's last answer to quiescence
	updates   int           // actions of simulated people (each one update)
	latencies []time.Duration
	sends     int // messages Telegram accepted (sendMessage/Photo/Document/Location)
	calls     int // every Bot API call the bot made, faults included
	faulted   int // calls answered with an injected fault
	injected  faultCounts
	peakRSSKB int64 // the bot's own peak resident set: VmHWM, sampled (see supervisor.watchRSS)
	maxrssKB  int64 // the reaped children's rusage maxrss, which counts the load test too
	kills     int
	killsBy   [crashKinds]int // by how they were done (see supervisor.crash)
	selfExits int             // the bot exited by itself (e.g. getMe failed at start) and was restarted
	counts    loadCounts
	cost      loadCost
	failures  []string
	dir       string
}

// runLoad runs one load test. A non-nil result comes back whenever the run got
// far enough to measure something; err lists the failed invariants.
func runLoad(ctx context.Context, o loadOptions) (*loadResult, error) {
	if o.Users < 1 || o.TKSK < 0 || o.TKSK > o.Users || o.Duration <= 0 || o.Faults < 0 || o.Faults >= 1 || o.Crashes < 0 {
		return nil, errors.New("loadtest: -users must be ≥ 1, 0 ≤ -tksk ≤ -users, -duration > 0, 0 ≤ -faults < 1, -crash ≥ 0")
	}
	if o.Drain <= 0 {
		o.Drain = 2 * time.Minute
	}
	if o.FaultMix == nil {
		o.FaultMix = defaultFaultMix(o.Faults, !o.NoHangs)
	}
	if err := o.FaultMix.check(); err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}
	if len(o.CrashKinds) == 0 {
		o.CrashKinds = []crashKind{crashRandom, crashAfterSend, crashInTx}
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	dir, keep, err := workDir(o.Dir, "dinsosbot-loadtest-")
	if err != nil {
		return nil, err
	}
	exe, err := botProgram(o.Bot)
	if err != nil {
		return nil, err
	}

	injected := &faultCounter{}
	srv := telegramtest.NewServer(telegramtest.Options{EnforceRateLimits: true, Limits: telegramtest.RateLimits{
		Global: o.GlobalRate * 1.1, PerChat: o.ChatRate * 1.1, PerChatBurst: max(3, o.ChatBurst), PerGroupPerMinute: 20},
		Logf: injected.observe})
	defer srv.Close()
	// Interrupted: closing the server ends every simulated person's wait.
	stopOnCancel := context.AfterFunc(ctx, srv.Close)
	defer stopOnCancel()

	dbPath := filepath.Join(dir, "dinsosbot.db")
	invites, err := seedLoadDB(ctx, dbPath, o.Users-o.TKSK, o.TKSK)
	if err != nil {
		return nil, err
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := writeLoadConfig(cfgPath, srv.URL(), dbPath, filepath.Join(dir, "media"), o); err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(o.Log, "loadtest: "+format+"\n", args...)
	}
	logf("dir %s; %d users (%d TKSK), %v, faults %v, %d crashes", dir, o.Users, o.TKSK, o.Duration, o.FaultMix, o.Crashes)

	sup := &supervisor{exe: exe, cfgPath: cfgPath, token: srv.Token(), logPath: filepath.Join(dir, "bot.log"), logf: logf,
		trigger: filepath.Join(dir, "crash-before-commit")}
	if err := sup.start(); err != nil {
		return nil, err
	}
	defer sup.kill()

	rng := rand.New(rand.NewPCG(o.Seed, 7))
	stopFaults := injectFaults(srv, o.FaultMix, rand.New(rand.NewPCG(o.Seed, 11)))
	start := time.Now()
	deadline := start.Add(o.Duration)

	// Crashes at random moments of the window, of each kind in turn: a kill
	// from outside at that moment; one right after Telegram accepted a
	// message, which is the at-least-once window (the bot may die before
	// recording the send); and one by the bot itself inside its next batch's
	// open transaction (crashhook.go), where nothing may be half-stored.
	crashDone := make(chan struct{})
	go func() {
		defer close(crashDone)
		at := make([]time.Duration, o.Crashes)
		for i := range at {
			at[i] = time.Duration(float64(o.Duration) * (0.05 + 0.9*rng.Float64()))
		}
		slices.Sort(at)
		for i, d := range at {
			if bot.Sleep(ctx, time.Until(start.Add(d))) != nil {
				return
			}
			kind := o.CrashKinds[i%len(o.CrashKinds)]
			if kind == crashAfterSend {
				afterSend(ctx, srv, time.Second)
			}
			sup.crash(kind)
		}
	}()

	people := newPeople(srv, o, rand.New(rand.NewPCG(o.Seed, 13)))
	people.run(ctx, deadline, invites)
	<-crashDone
	stopFaults()
	res := &loadResult{opts: o, dir: dir}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("loadtest: interrupted; database and bot log kept in %s", dir)
	}

	// Quiescence: every update confirmed, the outbox drained, within the
	// drain time.
	done := time.Now()
	if err := waitQuiet(ctx, srv, dbPath, o.Drain); err != nil {
		res.failures = append(res.failures, err.Error())
	}
	res.drained = time.Since(done)
	res.elapsed = time.Since(start)
	if err := sup.stop(15 * time.Second); err != nil {
		res.failures = append(res.failures, err.Error())
	}
	res.kills, res.killsBy, res.selfExits = sup.kills, sup.killsBy, sup.selfExits
	res.peakRSSKB, res.maxrssKB = sup.peakRSSKB, sup.maxrssKB
	res.injected = injected.counts()
	res.updates, res.latencies = people.actions(), people.latencies()
	res.sends, res.calls, res.faulted = callCounts(srv)
	res.failures = append(res.failures, check(ctx, srv, dbPath, people, &res.counts)...)
	if err := measure(ctx, dbPath, people, &res.cost); err != nil {
		res.failures = append(res.failures, err.Error())
	}
	if len(res.failures) > 0 {
		return res, fmt.Errorf("loadtest: %d invariants failed (database and bot log kept in %s)", len(res.failures), dir)
	}
	if !keep {
		os.RemoveAll(dir)
		res.dir = ""
	}
	return res, nil
}

// seedLoadDB creates the database with an invite for the PSM and one for the
// TKSK, each for as many as there are, as the admin's /undang would. It
// returns the codes by role.
func seedLoadDB(ctx context.Context, path string, psm, tksk int) (map[string]string, error) {
	db, err := openLoadDB(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	codes := map[string]string{store.RolePSM: "loadtestinvitecodeforworkers2026", store.RoleTKSK: "loadtestinvitecodeforkecamatan26"}
	err = db.Update(ctx, func(tx *store.Tx) error {
		for role, uses := range map[string]int{store.RolePSM: psm, store.RoleTKSK: tksk} {
			if uses == 0 {
				continue
			}
			if _, err := tx.AddInvite(codes[role], store.Invite{Role: role, CreatedBy: loadAdminID, MaxUses: uses,
				ExpiresAt: tx.Now().Add(7 * 24 * time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	return codes, err
}

// openLoadDB opens the load test's database with the key the bot will use:
// the child's config names none, so both take nik.key beside the database
// (created here on first use, as the bot would).
func openLoadDB(ctx context.Context, path string) (*store.DB, error) {
	keyPath := filepath.Join(filepath.Dir(path), "nik.key")
	secret, err := nikcrypt.ReadKeyFile(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		secret, err = nikcrypt.CreateKeyFile(keyPath)
	}
	if err != nil {
		return nil, fmt.Errorf("loadtest: the NIK key: %w", err)
	}
	kr, err := nikcrypt.NewKeyring(secret)
	if err != nil {
		return nil, fmt.Errorf("loadtest: the NIK key: %w", err)
	}
	return store.Open(ctx, path, store.Options{NIKKeys: kr})
}

// botProgram is the program to start as the bot: bot, or else this one.
func botProgram(bot string) (string, error) {
	if bot != "" {
		return bot, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("loadtest: find this program to start the bot: %w", err)
	}
	return exe, nil
}

func writeLoadConfig(path, apiURL, dbPath, mediaDir string, o loadOptions) error {
	cfg := fmt.Sprintf(`telegram:
  token_env: %s
  api_endpoint: %s
  poll_timeout: 2s
database:
  path: %s
admins: [%d]
send:
  global_per_second: %g
  chat_per_second: %g
  chat_burst: %d
  group_per_minute: 20
flood:
  # The simulated people act far faster than people (compressed pauses):
  # flood control must not take them for a flood.
  per_minute: 60000
  burst: 1000
log:
  level: warn
media_dir: %s
`, loadTokenEnv, apiURL, dbPath, loadAdminID, o.GlobalRate, o.ChatRate, o.ChatBurst, mediaDir)
	switch o.Replica {
	case "":
	case "file":
		dir, err := filepath.Abs(filepath.Join(filepath.Dir(dbPath), "replica"))
		if err != nil {
			return err
		}
		cfg += fmt.Sprintf("replication:\n  url: file://%s\n  confirm: wait\n", dir)
	default:
		return fmt.Errorf("loadtest: -replica %q: only file is supported", o.Replica)
	}
	return os.WriteFile(path, []byte(cfg), 0o600)
}

// injectFaults makes the mix's fraction of the bot's calls fail, switching the
// kind of fault every 200 ms with each kind's share of the total, so over the
// run each kind fails about its own fraction of the calls. getUpdates fails
// at half the total rate, with the mix's 500, 502 and dropped connections
// only (a 429 or a hang there tests nothing the sends do not). It returns a
// function that turns the faults off.
func injectFaults(srv *telegramtest.Server, mix faultMix, rng *rand.Rand) func() {
	total := mix.total()
	if total <= 0 {
		return func() {}
	}
	poll := faultMix{}
	for _, k := range []telegramtest.FaultKind{telegramtest.Fault500, telegramtest.Fault502, telegramtest.FaultDrop} {
		if mix[k] > 0 {
			poll[k] = mix[k]
		}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			srv.FailRate("", total, telegramtest.Fault{Kind: mix.pick(rng), RetryAfter: 1})
			if poll.total() > 0 {
				srv.FailRate("getUpdates", total/2, telegramtest.Fault{Kind: poll.pick(rng)})
			}
			select {
			case <-stop:
				srv.FailRate("", 0, telegramtest.Fault{})
				srv.FailRate("getUpdates", 0, telegramtest.Fault{})
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(stop); <-done }
}

// afterSend waits (at most max) until Telegram accepts one more message from
// the bot, so a kill right after lands between the send and its record.
func afterSend(ctx context.Context, srv *telegramtest.Server, max time.Duration) {
	base := srv.CallsByResult("sendMessage")[200]
	deadline := time.Now().Add(max)
	for srv.CallsByResult("sendMessage")[200] == base && time.Now().Before(deadline) && ctx.Err() == nil {
		_ = bot.Sleep(ctx, 200*time.Microsecond)
	}
}

// callCounts sums the fake's counters: messages accepted, calls made, calls
// failed by injection (429 among them) or left unanswered.
func callCounts(srv *telegramtest.Server) (sends, calls, faulted int) {
	for _, m := range []string{"sendMessage", "sendPhoto", "sendDocument", "sendLocation"} {
		sends += srv.CallsByResult(m)[200]
	}
	for _, m := range []string{"getMe", "getUpdates", "sendMessage", "sendPhoto", "sendDocument", "sendLocation",
		"editMessageText", "editMessageReplyMarkup", "deleteMessage", "answerCallbackQuery", "setMyCommands",
		"deleteWebhook", "getFile"} {
		for status, n := range srv.CallsByResult(m) {
			calls += n
			if status == 0 || status == 429 || status >= 500 {
				faulted += n
			}
		}
	}
	return sends, calls, faulted
}

// waitQuiet waits until the bot has confirmed every update to the fake and its
// outbox holds nothing pending.
func waitQuiet(ctx context.Context, srv *telegramtest.Server, dbPath string, timeout time.Duration) error {
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(timeout)
	for {
		var pending int
		err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE status = 'pending'`).Scan(&pending)
		if err == nil && pending == 0 && srv.PendingUpdates() == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not quiet after %v: %d updates unconfirmed, %d outbox rows pending (err %v)",
				timeout, srv.PendingUpdates(), pending, err)
		}
		if err := bot.Sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
}

// supervisor runs the bot as a child process and kills and restarts it.
type supervisor struct {
	exe, cfgPath, token, logPath string
	logf                         func(string, ...any)
	// trigger is the file that asks the child to kill itself inside its
	// next transaction (crashhook.go); "" = the child is not given the hook.
	trigger string
	// sub is the child's subcommand, "" = run; env is added to its
	// environment (the drill's standby and replica keys, drill.go).
	sub string
	env []string

	mu        sync.Mutex
	cmd       *exec.Cmd
	exited    chan struct{} // closed when cmd has been waited for
	stopping  bool
	kills     int
	killsBy   [crashKinds]int
	selfExits int
	peakRSSKB int64 // max VmHWM over the children (watchRSS)
	maxrssKB  int64 // max rusage maxrss over the reaped children, for comparison
}

func (s *supervisor) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.startLocked()
}

func (s *supervisor) startLocked() error {
	logFile, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	sub := cmp.Or(s.sub, "run")
	cmd := exec.Command(s.exe, "-config", s.cfgPath, sub)
	cmd.Env = append(append(os.Environ(), loadChildEnv+"=1", loadTokenEnv+"="+s.token), s.env...)
	if s.trigger != "" {
		// A trigger left from an earlier request must not kill the new child.
		if err := os.Remove(s.trigger); err != nil && !errors.Is(err, os.ErrNotExist) {
			logFile.Close()
			return fmt.Errorf("loadtest: clear the crash trigger: %w", err)
		}
		cmd.Env = append(cmd.Env, crashBeforeCommitEnv+"="+s.trigger)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// The bot must not outlive the load test, whatever kills the parent;
	// its own group, so a kill takes its children (the replication agent)
	// too, as the loss of the machine or systemd's stop would.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return fmt.Errorf("loadtest: start the bot: %w", err)
	}
	exited := make(chan struct{})
	s.cmd, s.exited = cmd, exited
	go s.watchRSS(cmd.Process.Pid, exited)
	go func() {
		werr := cmd.Wait()
		logFile.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			s.maxrssKB = max(s.maxrssKB, ru.Maxrss) // kilobytes on Linux
		}
		close(exited)
		if s.cmd != cmd || s.stopping {
			return // killed on purpose, or stopped
		}
		// It exited by itself: restart it after a pause, as systemd would.
		s.selfExits++
		s.logf("the bot exited by itself (%v: %s); restarting", werr, lastLine(s.logPath))
		s.cmd = nil
		go func() {
			time.Sleep(200 * time.Millisecond) // a supervisor's restart delay, not a test's wait
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.cmd != nil || s.stopping {
				return
			}
			if err := s.startLocked(); err != nil {
				s.logf("restart failed: %v", err)
			}
		}()
	}()
	return nil
}

// rssSampleEvery is how often watchRSS reads the bot's peak. VmHWM is a
// high-water mark, so a sample loses nothing but what the bot grows in its
// last interval before a kill it did itself (the in-transaction one); the
// other kills and stops read it just before.
const rssSampleEvery = 100 * time.Millisecond

// watchRSS keeps s.peakRSSKB at the child's own peak resident set, VmHWM in
// /proc/PID/status, until the child exits. Not the reaped child's rusage
// maxrss: at exec Linux carries the high-water mark of the memory the child
// was forked from into its maxrss, and Go starts a child on its parent's
// memory (clone with CLONE_VM), so that figure is the load test's own peak
// (the fake, every simulated person) whenever that is the bigger.
func (s *supervisor) watchRSS(pid int, exited <-chan struct{}) {
	t := time.NewTicker(rssSampleEvery)
	defer t.Stop()
	for {
		s.notePeak(pid)
		select {
		case <-exited:
			return
		case <-t.C:
		}
	}
}

// notePeak reads the running child's VmHWM into s.peakRSSKB; a process gone
// (or a zombie, which has no memory left) reads as 0 and changes nothing.
func (s *supervisor) notePeak(pid int) {
	kb := procStatusKB(pid, "VmHWM")
	s.mu.Lock()
	s.peakRSSKB = max(s.peakRSSKB, kb)
	s.mu.Unlock()
}

// inTxWait is how long an in-transaction kill waits for the bot to take the
// trigger (it does in its next batch) before it kills from outside instead.
const inTxWait = 10 * time.Second

// crash kills the bot with SIGKILL the way kind says, waits for it to die and
// starts it again.
func (s *supervisor) crash(kind crashKind) {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd = nil // the waiter sees a deliberate kill
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	how := kind
	if kind == crashInTx {
		how = s.killInTx(exited)
	}
	s.notePeak(cmd.Process.Pid)
	killGroup(cmd) // an error only says it is dead already
	<-exited
	if how == crashInTx {
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			s.logf("in-transaction kill: the bot ended with %v, not SIGKILL (see %s)", cmd.ProcessState, s.logPath)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kills++
	s.killsBy[how]++
	s.logf("crash %d (%v): killed the bot (pid %d) with SIGKILL; restarting", s.kills, how, cmd.Process.Pid)
	if err := s.startLocked(); err != nil {
		s.logf("restart failed: %v", err)
	}
}

// killInTx creates the trigger and waits for the bot to die inside its next
// transaction; it returns crashRandom when it could not (no batch came in
// inTxWait, or the file could not be made), and the caller then kills from
// outside.
func (s *supervisor) killInTx(exited <-chan struct{}) crashKind {
	if s.trigger == "" {
		return crashRandom
	}
	if err := os.WriteFile(s.trigger, nil, 0o600); err != nil {
		s.logf("in-transaction kill: %v; killing from outside instead", err)
		return crashRandom
	}
	select {
	case <-exited:
		return crashInTx
	case <-time.After(inTxWait):
	}
	// Whoever removes the trigger owns the kill: removed here, the bot never
	// took it; already gone, the bot took it and is dying.
	if err := os.Remove(s.trigger); err == nil {
		s.logf("in-transaction kill: no batch within %v; killing from outside instead", inTxWait)
		return crashRandom
	}
	return crashInTx
}

// stop asks the bot to shut down (SIGTERM: drain, close) and waits for it.
func (s *supervisor) stop(timeout time.Duration) error {
	s.mu.Lock()
	s.stopping = true
	cmd, exited := s.cmd, s.exited
	s.mu.Unlock()
	if cmd == nil {
		return nil
	}
	s.notePeak(cmd.Process.Pid)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(timeout):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-exited
		return fmt.Errorf("the bot did not stop within %v of SIGTERM", timeout)
	}
	if !cmd.ProcessState.Success() {
		return fmt.Errorf("the bot's clean shutdown failed: %v (see %s)", cmd.ProcessState, s.logPath)
	}
	return nil
}

// kill makes sure no child is left behind.
func (s *supervisor) kill() {
	s.mu.Lock()
	s.stopping = true
	cmd, exited := s.cmd, s.exited
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-exited:
	default:
		killGroup(cmd)
		<-exited
	}
}

// killGroup sends SIGKILL to the child's process group: the bot and what it
// started.
func killGroup(cmd *exec.Cmd) {
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		_ = cmd.Process.Signal(syscall.SIGKILL) // an error only says it is dead already
	}
}

// lastLine is the last line of the file at path, for a short reason.
func lastLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// workDir is dir, created if needed and kept after the run (keep), or a new
// temporary folder named after prefix, removed after it.
func workDir(dir, prefix string) (string, bool, error) {
	if dir == "" {
		tmp, err := os.MkdirTemp("", prefix)
		return tmp, false, err
	}
	return dir, true, os.MkdirAll(dir, 0o755)
}
