package bot

import (
	"testing"
	"time"
)

func TestFloodGate(t *testing.T) {
	g := newFloodGate(FloodLimits{PerMinute: 60, Burst: 3})
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	type step struct {
		user      int64
		at        time.Duration
		ok, first bool
	}
	for i, s := range []step{
		{1, 0, true, false}, {1, 0, true, false}, {1, 0, true, false}, // the burst
		{1, 0, false, true},                       // refused: the first of the episode
		{1, 10 * time.Millisecond, false, false},  // refused, already told
		{2, 10 * time.Millisecond, true, false},   // someone else is not affected
		{1, 1100 * time.Millisecond, true, false}, // a token refilled: the episode ends
		{1, 1100 * time.Millisecond, false, true}, // a new episode is told again
		{1, 10 * time.Second, true, false},        // refilled
	} {
		ok, first := g.admit(s.user, t0.Add(s.at))
		if ok != s.ok || first != s.first {
			t.Errorf("step %d: admit(user %d, +%v) = %v, %v, want %v, %v", i, s.user, s.at, ok, first, s.ok, s.first)
		}
	}
	if got := len(g.users); got != 2 {
		t.Errorf("%d users tracked, want 2", got)
	}
	g.prune(t0.Add(time.Minute))
	if got := len(g.users); got != 0 {
		t.Errorf("after prune %d users tracked, want 0 (every bucket is full again)", got)
	}
}

func TestFloodGateDefaultsAndOff(t *testing.T) {
	if g := newFloodGate(FloodLimits{Off: true}); g != nil {
		t.Errorf("Off: got a gate")
	}
	g := newFloodGate(FloodLimits{})
	if g.burst != 30 || g.limit != 1 {
		t.Errorf("defaults: burst %d, limit %v/s; want 30, 1/s", g.burst, g.limit)
	}
}
