package loadtest

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows/region"
	"dinsosbot/store"
)

// buildBot builds the dinsosbot command for the load test to start as the
// bot, with the race detector when this test binary has it, so the child is
// checked as the tests are.
func buildBot(t *testing.T) string {
	t.Helper()
	exe := filepath.Join(t.TempDir(), "dinsosbot")
	args := []string{"build", "-o", exe}
	if raceEnabled {
		args = append(args, "-race")
	}
	// go test puts its own go first in PATH.
	out, err := exec.CommandContext(t.Context(), "go", append(args, "dinsosbot")...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build dinsosbot: %v\n%s", err, out)
	}
	return exe
}

// TestLoadShort is the load test in small: a few workers (two of them TKSK),
// faults on, the bot killed with SIGKILL three times (one of each kind: at a
// random moment, right after a send, inside an open transaction) and
// restarted; every invariant must hold, and the figures are measured: the
// bot's own peak RSS, the messages per case notice, the calls per form.
func TestLoadShort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the bot as a child process; skipped with -short")
	}
	var out strings.Builder
	res, err := runLoad(t.Context(), loadOptions{
		Users: 6, TKSK: 2, Duration: 6 * time.Second, Faults: 0.02, NoHangs: true, Crashes: 3, Seed: 3,
		GlobalRate: 300, ChatRate: 20, ChatBurst: 5, Think: 20 * time.Millisecond, Step: 60 * time.Second,
		Log: &testWriter{t}, Bot: buildBot(t),
	})
	if res != nil {
		res.print(&out)
		t.Log("\n" + out.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	if want := [crashKinds]int{1, 1, 1}; res.kills != 3 || res.killsBy != want {
		t.Errorf("%s, want one of each kind", killsString(res.kills, res.killsBy))
	}
	if res.counts.cases < 6 || res.counts.checkins == 0 {
		t.Errorf("too little happened: %d cases, %d check-ins", res.counts.cases, res.counts.checkins)
	}
	// Cases were noticed to reviewers, each notice in at least one message,
	// and every confirmed form was measured. Not one notice per case: when a
	// reviewer's chat already has notices waiting (the bot killed, Telegram
	// failing) the next cases are merged into one counting message, which
	// leaves no case_notices row (bot/bottest covers the merging).
	if c := res.cost; c.notices == 0 || c.notices > res.counts.casesDB || c.noticeMessages < c.notices {
		t.Errorf("%d case notices in %d messages, for %d cases", c.notices, c.noticeMessages, res.counts.casesDB)
	}
	if c := res.cost; c.forms != res.counts.cases || c.formCalls < c.forms*10 || c.formMessages == 0 {
		t.Errorf("%d forms measured for %d cases: %d calls, %d messages", c.forms, res.counts.cases, c.formCalls, c.formMessages)
	}
	if res.peakRSSKB < 5<<10 || res.drained > time.Minute {
		t.Errorf("bot peak RSS %d kB, drained in %v", res.peakRSSKB, res.drained)
	}
}

// TestRakorWorkers: -users 82 -tksk 14 are the rakor's 68 PSM and 14 TKSK,
// each role spread over Kota Jambi's 11 kecamatan, the TKSK with an invite of
// their own; bad splits are refused before anything starts.
func TestRakorWorkers(t *testing.T) {
	srv := telegramtest.NewServer(telegramtest.Options{})
	defer srv.Close()
	p := newPeople(srv, loadOptions{Users: 82, TKSK: 14}, rand.New(rand.NewPCG(1, 2)))
	count := map[string]int{}
	kecs := map[string]map[string]bool{store.RolePSM: {}, store.RoleTKSK: {}}
	for _, w := range p.workers {
		count[w.role]++
		kecs[w.role][w.kec.Code] = true
		if !slices.ContainsFunc(w.kec.Kelurahan, func(l region.Kelurahan) bool { return l.Code == w.kel.Code }) {
			t.Errorf("worker %d: kelurahan %s is not in kecamatan %s", w.i, w.kel.Name, w.kec.Name)
		}
	}
	if count[store.RolePSM] != 68 || count[store.RoleTKSK] != 14 {
		t.Errorf("roles %v, want 68 PSM and 14 TKSK", count)
	}
	n := len(region.KotaJambi().Kecamatan)
	if len(kecs[store.RolePSM]) != n || len(kecs[store.RoleTKSK]) != n {
		t.Errorf("PSM in %d kecamatan, TKSK in %d, want all %d each", len(kecs[store.RolePSM]), len(kecs[store.RoleTKSK]), n)
	}

	dir := t.TempDir()
	codes, err := seedLoadDB(t.Context(), filepath.Join(dir, "x.db"), 68, 14)
	if err != nil {
		t.Fatal(err)
	}
	if codes[store.RolePSM] == "" || codes[store.RoleTKSK] == "" || codes[store.RolePSM] == codes[store.RoleTKSK] {
		t.Errorf("invite codes %v", codes)
	}

	for _, o := range []loadOptions{{Users: 5, TKSK: 6, Duration: time.Second}, {Users: 5, TKSK: -1, Duration: time.Second}} {
		if _, err := runLoad(t.Context(), o); err == nil || !strings.Contains(err.Error(), "-tksk") {
			t.Errorf("users %d, tksk %d: %v", o.Users, o.TKSK, err)
		}
	}
}

// TestProcStatus reads the peak and the current resident set of a running
// process from /proc, and nothing from a process that is not there.
func TestProcStatus(t *testing.T) {
	pid := os.Getpid()
	// The peak read after the resident set is at least that.
	rss := procStatusKB(pid, "VmRSS")
	hwm := procStatusKB(pid, "VmHWM")
	if rss <= 0 || hwm < rss {
		t.Errorf("VmHWM %d kB, VmRSS %d kB", hwm, rss)
	}
	if got := procStatusKB(-1, "VmHWM"); got != 0 {
		t.Errorf("no such process: %d kB", got)
	}
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestRSSShort is "loadtest -rss" in small: the bot on a seeded database with
// a few open forms, restarted, its sweep reminding them, every form still
// open and every phase measured.
func TestRSSShort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the bot as a child process; skipped with -short")
	}
	res, err := runRSS(t.Context(), rssOptions{Users: 300, Open: 20, Idle: 1, Step: 60 * time.Second,
		Log: &testWriter{t}, Bot: buildBot(t)}, "")
	if res != nil {
		var out strings.Builder
		res.print(&out)
		t.Log("\n" + out.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(res.phases) != 4 {
		t.Fatalf("%d phases measured, want 4", len(res.phases))
	}
	for _, p := range res.phases {
		if p.peakKB <= 0 || p.peakKB < p.endKB/2 {
			t.Errorf("%s: peak %d kB, at stop %d kB", p.name, p.peakKB, p.endKB)
		}
	}
	if got := res.phases[2].updates; got != 3*20 {
		t.Errorf("phase 3: %d updates, want 60", got)
	}
}

// TestFaultMix reads -fault-mix, refuses what is not a fraction, and keeps
// -faults' old split as its shorthand.
func TestFaultMix(t *testing.T) {
	m, err := parseFaultMix("429=0.01, 500=0.005,drop=0.002")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.String(); got != "429=0.01,500=0.005,drop=0.002" {
		t.Errorf("mix %s", got)
	}
	for _, bad := range []string{"429", "418=0.1", "429=x", "429=1", "429=-0.1", "429=0.6,500=0.5", "429=0.1,429=0.1"} {
		if _, err := parseFaultMix(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := defaultFaultMix(0.02, true).String(); got != "429=0.006,500=0.004,502=0.004,drop=0.004,hang=0.002" {
		t.Errorf("-faults 0.02: %s", got)
	}
	if got := defaultFaultMix(0.018, false).String(); got != "429=0.006,500=0.004,502=0.004,drop=0.004" {
		t.Errorf("-faults 0.018 -no-hangs: %s", got)
	}
	if k, err := parseCrashKinds("in-transaction,random"); err != nil || len(k) != 2 || k[0] != crashInTx {
		t.Errorf("crash kinds %v, %v", k, err)
	}
	if _, err := parseCrashKinds("sometimes"); err == nil {
		t.Error("unknown crash kind accepted")
	}
}
