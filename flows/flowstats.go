package flows

import (
	"slices"
	"strings"
	"sync"
)

// FlowCount is how many conversations of one flow ended since start, and how.
type FlowCount struct {
	Flow      string
	Completed int64 // saved at the final confirmation
	Cancelled int64 // left by the person (/batal, a cancel button, another command)
	Expired   int64 // a stale draft ended by the sweep
}

// flowStats counts ended conversations for the runtime's metrics. It is the
// one piece of state App keeps in memory: a count only, lost at restart.
type flowStats struct {
	mu sync.Mutex // Handle and the scheduler's jobs run on different goroutines
	m  map[string]*FlowCount
}

func (s *flowStats) add(flow string, f func(*FlowCount)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*FlowCount{}
	}
	c, ok := s.m[flow]
	if !ok {
		c = &FlowCount{Flow: flow}
		s.m[flow] = c
	}
	f(c)
}

// FlowCounts returns, per flow, how many conversations ended since the App
// was built, sorted by flow name. A count is taken when the flow ends inside
// its transaction, so an update whose transaction is later rolled back (a
// crash, a failing batch) may have been counted: the figures are for
// monitoring, the store is the record.
func (a *App) FlowCounts() []FlowCount {
	a.stats.mu.Lock()
	defer a.stats.mu.Unlock()
	out := make([]FlowCount, 0, len(a.stats.m))
	for _, c := range a.stats.m {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(x, y FlowCount) int { return strings.Compare(x.Flow, y.Flow) })
	return out
}

// countEnded records that a conversation of flow ended: completed, or
// abandoned with the message key the person was told ("flow.expired" for a
// stale draft).
func (a *App) countEnded(flow string, completed bool, key string) {
	a.stats.add(flow, func(c *FlowCount) {
		switch {
		case completed:
			c.Completed++
		case key == "flow.expired":
			c.Expired++
		default:
			c.Cancelled++
		}
	})
}
