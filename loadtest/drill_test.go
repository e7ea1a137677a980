package loadtest

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestDrillShort is the drill in small, on a file replica: the primary is
// SIGKILLed mid-load and its data folder deleted; the standby takes over
// once the lease expires; every invariant holds on the standby's database,
// no confirmed update is lost and the standby serves within seconds.
func TestDrillShort(t *testing.T) {
	// About 45 s with the race detector (two builds' worth of start-up,
	// the lease's expiry, the drain): over the suite's budget, so it runs
	// when asked; .ci/run runs the full drill instead.
	if testing.Short() || os.Getenv("DINSOSBOT_DRILL") == "" {
		t.Skip("the drill takes ~45 s; DINSOSBOT_DRILL=1 runs it (.ci/run runs `loadtest -drill`)")
	}
	var out strings.Builder
	res, fig, err := runDrill(t.Context(), loadOptions{
		Users: 4, TKSK: 1, Duration: 8 * time.Second, Seed: 5,
		GlobalRate: 300, ChatRate: 20, ChatBurst: 5, Think: 20 * time.Millisecond, Step: 60 * time.Second,
		Log: &testWriter{t}, Bot: buildBot(t),
	}, drillOptions{Replica: "file", KillAt: 0.4, LeaseTTL: 2 * time.Second})
	if fig != nil {
		fig.print(&out)
	}
	if res != nil {
		res.print(&out)
	}
	t.Log("\n" + out.String())
	if err != nil {
		t.Fatal(err)
	}
	if fig.rpo != 0 || !fig.rtoSeen || fig.generation != "2" {
		t.Errorf("RPO %d, RTO seen %v, standby's generation %q; want 0, true, 2", fig.rpo, fig.rtoSeen, fig.generation)
	}
	// The lease expires 2 s after the primary's last renewal at most; a
	// restore and a start on top must stay within seconds.
	if fig.rto > 20*time.Second {
		t.Errorf("RTO %v", fig.rto)
	}
	if res.counts.cases < 4 {
		t.Errorf("too little happened: %d cases", res.counts.cases)
	}
}

func TestDrillRefusesBadOptions(t *testing.T) {
	base := loadOptions{Users: 2, Duration: time.Second}
	tests := []struct {
		name string
		d    drillOptions
		want string
	}{
		{"kill at the start", drillOptions{Replica: "file", KillAt: 0, LeaseTTL: time.Second}, "-kill-at"},
		{"kill after the end", drillOptions{Replica: "file", KillAt: 1.5, LeaseTTL: time.Second}, "-kill-at"},
		{"unknown replica", drillOptions{Replica: "ftp", KillAt: 0.5, LeaseTTL: time.Second}, "-replica \"ftp\""},
		{"lease too short", drillOptions{Replica: "file", KillAt: 0.5, LeaseTTL: time.Millisecond}, "-lease-ttl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := runDrill(t.Context(), base, tc.d); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("runDrill = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}
