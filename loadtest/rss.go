package loadtest

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows/region"
	"dinsosbot/store"
)

// The memory measurement of "loadtest -rss": the real bot as a child process
// (as in the load test) on a database holding many registered workers, some of
// them in the middle of a form, and its peak RSS (the child's own VmHWM,
// sampled: see supervisor.watchRSS) next to the same bot's on an empty
// database, measured in the same run. Each phase is one process, so each has
// its own peak:
//
//  1. baseline: an empty database, the bot idle;
//  2. the registered users seeded by SQL, the bot idle;
//  3. the same bot with the open forms: that many workers each send /lapor and
//     answer two questions at once (so the form waits for the case's name);
//  4. a restart on that database with the forms made 23 h idle: the bot's
//     first sweep reminds every draft in one transaction and each worker
//     answers the next question, continuing the form from the database.

// rssOptions are the settings of the memory measurement.
type rssOptions struct {
	Users int // registered workers in the database
	Open  int // of them, with a form open (≤ Users)
	Idle  int // getUpdates long polls (2 s each) the bot idles through before it is measured
	Step  time.Duration
	Log   io.Writer
	Bot   string // the program started as the bot; "" = this one (see loadOptions.Bot)
}

// rssPhase is one process's figures.
type rssPhase struct {
	name      string
	peakKB    int64 // the child's own peak: VmHWM
	maxrssKB  int64 // the reaped child's rusage maxrss, for comparison: it counts the parent's peak too
	endKB     int64 // VmRSS just before it was stopped
	wall      time.Duration
	updates   int // updates the people sent in this phase
	openForms int // conversations in the database when it stopped
}

type rssResult struct {
	opts     rssOptions
	phases   []rssPhase
	failures []string
	dir      string
}

func (r *rssResult) print(w io.Writer) {
	o := r.opts
	fmt.Fprintf(w, "loadtest -rss: %d registered users, %d open forms; send limits 1000/s global, 10/s per chat; idle %d polls (2 s)\n",
		o.Users, o.Open, o.Idle)
	fmt.Fprintf(w, "  %-62s %10s %12s %8s %7s %6s %15s\n", "phase (one bot process each)", "peak RSS", "RSS at stop", "updates", "forms", "time", "rusage maxrss")
	for _, p := range r.phases {
		fmt.Fprintf(w, "  %-62s %7.1f MB %9.1f MB %8d %7d %5.1fs %12.1f MB\n", p.name, mb(p.peakKB), mb(p.endKB), p.updates,
			p.openForms, p.wall.Seconds(), mb(p.maxrssKB))
	}
	if len(r.phases) > 1 {
		base := r.phases[0].peakKB
		var peak int64
		for _, p := range r.phases[1:] {
			peak = max(peak, p.peakKB)
		}
		verdict := "within"
		if mb(peak) > 60 {
			verdict = "OVER"
		}
		fmt.Fprintf(w, "peak RSS %.1f MB with %d users and %d open forms (%s the 60 MB target); baseline (empty database, idle) %.1f MB: +%.1f MB\n",
			mb(peak), o.Users, o.Open, verdict, mb(base), mb(peak-base))
	}
	for _, f := range r.failures {
		fmt.Fprintf(w, "FAIL %s\n", f)
	}
	if len(r.failures) == 0 {
		fmt.Fprintln(w, "PASS")
	}
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

// runRSS runs the four phases in a temp dir (or dir) and returns their figures;
// err is set when a phase could not be measured or a form was lost.
func runRSS(ctx context.Context, o rssOptions, dir string) (*rssResult, error) {
	if o.Users < 1 || o.Open < 0 || o.Open > o.Users || o.Idle < 1 {
		return nil, fmt.Errorf("loadtest -rss: need -rss-users ≥ 1, 0 ≤ -rss-open ≤ -rss-users, -rss-idle ≥ 1")
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Step == 0 {
		o.Step = 90 * time.Second
	}
	dir, keep, err := workDir(dir, "dinsosbot-rss-")
	if err != nil {
		return nil, err
	}
	exe, err := botProgram(o.Bot)
	if err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(o.Log, "loadtest -rss: "+format+"\n", args...) }
	lo := loadOptions{GlobalRate: 1000, ChatRate: 10, ChatBurst: 3}
	srv := telegramtest.NewServer(telegramtest.Options{EnforceRateLimits: true, Limits: telegramtest.RateLimits{
		Global: lo.GlobalRate * 1.1, PerChat: lo.ChatRate * 1.1, PerChatBurst: lo.ChatBurst, PerGroupPerMinute: 20}})
	defer srv.Close()
	stopOnCancel := context.AfterFunc(ctx, srv.Close)
	defer stopOnCancel()

	res := &rssResult{opts: o, dir: dir}
	// phase runs one bot process on dbPath: act is what happens while it
	// runs (nil: nothing), then it idles and is stopped.
	phase := func(name, dbPath string, act func() (int, error)) error {
		logf("phase: %s", name)
		cfgPath := filepath.Join(dir, "config.yaml")
		if err := writeLoadConfig(cfgPath, srv.URL(), dbPath, filepath.Join(dir, "media"), lo); err != nil {
			return err
		}
		sup := &supervisor{exe: exe, cfgPath: cfgPath, token: srv.Token(), logPath: filepath.Join(dir, "bot.log"), logf: logf}
		start := time.Now()
		polls := srv.Calls("getUpdates")
		if err := sup.start(); err != nil {
			return err
		}
		defer sup.kill()
		// Started: it has polled once.
		if err := waitCalls(ctx, srv, "getUpdates", polls+1, o.Step); err != nil {
			return fmt.Errorf("%s: the bot never polled: %w (see %s)", name, err, sup.logPath)
		}
		p := rssPhase{name: name}
		if act != nil {
			n, err := act()
			p.updates = n
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		if err := waitQuiet(ctx, srv, dbPath, 2*time.Minute); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := waitCalls(ctx, srv, "getUpdates", srv.Calls("getUpdates")+o.Idle, o.Step); err != nil {
			return fmt.Errorf("%s: idle: %w", name, err)
		}
		sup.mu.Lock()
		pid := sup.cmd.Process.Pid
		sup.mu.Unlock()
		p.endKB = procStatusKB(pid, "VmRSS")
		if err := sup.stop(15 * time.Second); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if sup.selfExits > 0 {
			return fmt.Errorf("%s: the bot exited by itself (see %s)", name, sup.logPath)
		}
		p.peakKB, p.maxrssKB, p.wall = sup.peakRSSKB, sup.maxrssKB, time.Since(start)
		p.openForms, _ = countRows(ctx, dbPath, "conversations")
		res.phases = append(res.phases, p)
		return nil
	}
	fail := func(err error) (*rssResult, error) {
		res.failures = append(res.failures, err.Error())
		return res, fmt.Errorf("loadtest -rss: %w (database and bot log kept in %s)", err, dir)
	}

	if err := phase("baseline: empty database, idle", filepath.Join(dir, "empty.db"), nil); err != nil {
		return fail(err)
	}
	dbPath := filepath.Join(dir, "dinsosbot.db")
	ids, err := seedRSSUsers(ctx, dbPath, o.Users)
	if err != nil {
		return fail(err)
	}
	if err := phase(fmt.Sprintf("%d registered users, idle", o.Users), dbPath, nil); err != nil {
		return fail(err)
	}

	// The workers with a form: every (Users/Open)-th, spread over the areas.
	rng := rand.New(rand.NewPCG(1, 17))
	openers := make([]*person, o.Open)
	for i := range openers {
		id := ids[i*o.Users/max(1, o.Open)]
		openers[i] = &person{u: srv.NewUser(telegramtest.UserOptions{ID: id, FirstName: "Pekerja", LanguageCode: "id"}),
			o: loadOptions{Step: o.Step}, rng: rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))}
	}
	open := func() (int, error) {
		return together(openers, func(x *person) error {
			m, err := x.send("/lapor", "kelompok")
			if err == nil {
				m, err = x.press(m, "👶 Anak", "kategori")
			}
			if err == nil {
				_, err = x.press(m, "Anak Telantar", "nama lengkap")
			}
			return err
		})
	}
	if err := phase(fmt.Sprintf("%d users, %d forms opened at once (3 updates each)", o.Users, o.Open), dbPath, open); err != nil {
		return fail(err)
	}
	if n, err := countRows(ctx, dbPath, "conversations"); err != nil || n != o.Open {
		return fail(fmt.Errorf("%d forms open after phase 3, want %d (%v)", n, o.Open, err))
	}

	// Make the drafts 23 h idle (reminded 2 h before the 24 h expiry) and
	// let the sweep's slot be due again, so the restarted bot's first pass
	// reminds them all.
	if err := ageDrafts(ctx, dbPath, 23*time.Hour); err != nil {
		return fail(err)
	}
	resume := func() (int, error) {
		return together(openers, func(x *person) error {
			if _, err := x.u.WaitForText(o.Step, "belum selesai"); err != nil {
				return fmt.Errorf("the draft reminder: %w", err)
			}
			_, err := x.send("Anak "+letters(int(x.u.ID()%100000))+" Lapor", "NIK")
			return err
		})
	}
	if err := phase(fmt.Sprintf("restart: the sweep reminds %d drafts, each answers on", o.Open), dbPath, resume); err != nil {
		return fail(err)
	}
	if n, err := countRows(ctx, dbPath, "conversations"); err != nil || n != o.Open {
		return fail(fmt.Errorf("%d forms open after the restart, want %d (%v)", n, o.Open, err))
	}
	if !keep {
		os.RemoveAll(dir)
		res.dir = ""
	}
	return res, nil
}

// together runs act for every person at once and returns how many updates
// they sent and the first error.
func together(people []*person, act func(*person) error) (int, error) {
	var wg sync.WaitGroup
	errs := make([]error, len(people))
	for i, x := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = act(x)
		}()
	}
	wg.Wait()
	n := 0
	for i, x := range people {
		x.mu.Lock()
		n += x.actions
		x.actions = 0
		x.mu.Unlock()
		if errs[i] != nil {
			return n, fmt.Errorf("user %d: %w", x.u.ID(), errs[i])
		}
	}
	return n, nil
}

// seedRSSUsers creates the database with n active workers (four in five PSM,
// the rest TKSK), spread over Kota Jambi's kelurahan, as if each had
// registered and been approved. It returns their Telegram ids.
func seedRSSUsers(ctx context.Context, path string, n int) ([]int64, error) {
	db, err := openLoadDB(ctx, path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var kels []struct{ kec, kel string }
	for _, k := range region.KotaJambi().Kecamatan {
		for _, l := range k.Kelurahan {
			kels = append(kels, struct{ kec, kel string }{k.Code, l.Code})
		}
	}
	ids := make([]int64, n)
	err = db.Update(ctx, func(tx *store.Tx) error {
		now := tx.Now().UTC().Add(-30 * 24 * time.Hour).Format(store.TimeFormat)
		for i := range ids {
			ids[i] = 5_000_000 + int64(i)
			role := store.RolePSM
			if i%5 == 4 {
				role = store.RoleTKSK
			}
			a := kels[i%len(kels)]
			name := personName(i)
			if _, err := tx.Exec(`INSERT INTO users (id, first_name, username, language, role, status, created_at,
				updated_at, full_name, phone, kecamatan, kelurahan) VALUES (?, ?, ?, 'id', ?, ?, ?, ?, ?, ?, ?, ?)`,
				ids[i], strings.Fields(name)[1], "", role, store.UserActive, now, now, name,
				fmt.Sprintf("+62812%07d", i), a.kec, a.kel); err != nil {
				return fmt.Errorf("seed user %d: %w", i, err)
			}
		}
		return nil
	})
	return ids, err
}

// ageDrafts moves every open form's last answer d into the past and forgets
// the sweep's last run, so the next start runs it at once.
func ageDrafts(ctx context.Context, path string, d time.Duration) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer db.Close()
	old := time.Now().Add(-d).UTC().Format(store.TimeFormat)
	recent := time.Now().Add(-10 * time.Minute).UTC().Format(store.TimeFormat)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE conversations SET updated_at = ?, created_at = ?`, []any{old, old}},
		{`UPDATE jobs SET checked_until = ? WHERE name = 'sweep'`, []any{recent}},
		{`DELETE FROM job_runs WHERE job = 'sweep' AND slot >= ?`, []any{recent}},
	} {
		if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
			return fmt.Errorf("age drafts: %w", err)
		}
	}
	return nil
}

func countRows(ctx context.Context, path, table string) (int, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	return n, err
}

// waitCalls waits until the fake has seen at least n calls of method.
func waitCalls(ctx context.Context, srv *telegramtest.Server, method string, n int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for srv.Calls(method) < n {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d %s calls after %v, want %d", srv.Calls(method), method, timeout, n)
		}
		if err := bot.Sleep(ctx, 10*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// procStatusKB is a memory figure of the process from /proc/PID/status, in
// kB (0 when unknown): VmRSS, its resident set now, or VmHWM, its peak.
func procStatusKB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}
