package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets the load test start this test binary as the bot: a child
// started with loadChildEnv set runs main, not the tests.
func TestMain(m *testing.M) {
	if os.Getenv(loadChildEnv) != "" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestLoadShort is the load test in small: a few workers, faults on, the bot
// killed with SIGKILL twice and restarted; every invariant must hold.
func TestLoadShort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the bot as a child process; skipped with -short")
	}
	var out strings.Builder
	res, err := runLoad(t.Context(), loadOptions{
		Users: 6, Duration: 6 * time.Second, Faults: 0.02, NoHangs: true, Crashes: 2, Seed: 3,
		GlobalRate: 300, ChatRate: 20, ChatBurst: 5, Think: 20 * time.Millisecond, Step: 60 * time.Second,
		Log: &testWriter{t},
	})
	if res != nil {
		res.print(&out)
		t.Log("\n" + out.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.kills != 2 {
		t.Errorf("%d kills, want 2", res.kills)
	}
	if res.counts.cases < 6 || res.counts.checkins == 0 {
		t.Errorf("too little happened: %d cases, %d check-ins", res.counts.cases, res.counts.checkins)
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
		Log: &testWriter{t}}, "")
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
