package loadtest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"dinsosbot/bot/telegramtest"
)

// The load test's fault and crash kinds: how much of each the run asks for
// (-fault-mix, -faults, -crash-kinds), and how much of each it got.

// faultKindOrder is the order kinds are parsed, shown and printed in.
func faultKindOrder() []telegramtest.FaultKind {
	return []telegramtest.FaultKind{telegramtest.Fault429, telegramtest.Fault500, telegramtest.Fault502,
		telegramtest.FaultDrop, telegramtest.FaultHang}
}

// faultMix is the fraction of Bot API calls (other than getUpdates) that fail
// with each kind of fault.
type faultMix map[telegramtest.FaultKind]float64

// defaultFaultMix splits -faults as the load test always did: three tenths
// 429, two tenths each 500, 502 and dropped connections, one tenth hangs
// (without hangs, the others share it in the same proportions).
func defaultFaultMix(rate float64, hangs bool) faultMix {
	weights := map[telegramtest.FaultKind]float64{telegramtest.Fault429: 3, telegramtest.Fault500: 2,
		telegramtest.Fault502: 2, telegramtest.FaultDrop: 2}
	if hangs {
		weights[telegramtest.FaultHang] = 1
	}
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	m := faultMix{}
	for k, w := range weights {
		m[k] = rate * w / sum
	}
	return m
}

// parseFaultMix reads "429=0.01,500=0.005,drop=0.005": kinds not named fail
// never.
func parseFaultMix(s string) (faultMix, error) {
	m := faultMix{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, val, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("fault mix %q: %q is not kind=fraction", s, item)
		}
		kind, ok := faultKindNamed(strings.TrimSpace(name))
		if !ok {
			return nil, fmt.Errorf("fault mix %q: unknown kind %q (want 429, 500, 502, drop or hang)", s, name)
		}
		if _, dup := m[kind]; dup {
			return nil, fmt.Errorf("fault mix %q: %v given twice", s, kind)
		}
		rate, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return nil, fmt.Errorf("fault mix %q: the fraction of %v: %w", s, kind, err)
		}
		m[kind] = rate
	}
	return m, m.check()
}

func faultKindNamed(name string) (telegramtest.FaultKind, bool) {
	for _, k := range faultKindOrder() {
		if strings.EqualFold(k.String(), name) {
			return k, true
		}
	}
	return 0, false
}

// check refuses fractions out of range: each in [0, 1), their sum below 1.
func (m faultMix) check() error {
	for k, r := range m {
		if r < 0 || r >= 1 {
			return fmt.Errorf("fault mix: %v=%g, want a fraction in [0, 1)", k, r)
		}
	}
	if t := m.total(); t >= 1 {
		return fmt.Errorf("fault mix: the fractions add up to %g, want less than 1", t)
	}
	return nil
}

func (m faultMix) total() float64 {
	t := 0.0
	for _, r := range m {
		t += r
	}
	return t
}

// pick draws a kind with probability its share of the total.
func (m faultMix) pick(rng *rand.Rand) telegramtest.FaultKind {
	x := rng.Float64() * m.total()
	var last telegramtest.FaultKind
	for _, k := range faultKindOrder() {
		if m[k] <= 0 {
			continue
		}
		last = k
		if x < m[k] {
			return k
		}
		x -= m[k]
	}
	return last // rounding
}

// String is the mix as -fault-mix reads it, in faultKindOrder.
func (m faultMix) String() string {
	var parts []string
	for _, k := range faultKindOrder() {
		if m[k] > 0 {
			parts = append(parts, fmt.Sprintf("%v=%.4g", k, m[k]))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// faultCounts are the faults the fake injected, by kind, and of them those
// on getUpdates.
type faultCounts struct {
	byKind, polls map[telegramtest.FaultKind]int
}

func (c faultCounts) String() string {
	var parts []string
	total, polls := 0, 0
	for _, k := range faultKindOrder() {
		parts = append(parts, fmt.Sprintf("%v %d", k, c.byKind[k]))
		total += c.byKind[k]
		polls += c.polls[k]
	}
	return fmt.Sprintf("%s (%d in all, %d of them on getUpdates)", strings.Join(parts, ", "), total, polls)
}

// faultCounter counts injected faults from the fake's log calls: the fake
// passes the fault's kind as an argument of the line it logs for each one,
// and nothing else it logs carries a FaultKind. Its own counters cannot
// tell an injected 429 from one its rate limiter gave, nor a hang from a
// dropped connection.
type faultCounter struct {
	mu            sync.Mutex
	byKind, polls map[telegramtest.FaultKind]int
}

// observe is the fake's Logf.
func (c *faultCounter) observe(_ string, args ...any) {
	for _, a := range args {
		k, ok := a.(telegramtest.FaultKind)
		if !ok {
			continue
		}
		method, _ := args[0].(string)
		c.mu.Lock()
		if c.byKind == nil {
			c.byKind, c.polls = map[telegramtest.FaultKind]int{}, map[telegramtest.FaultKind]int{}
		}
		c.byKind[k]++
		if strings.EqualFold(method, "getUpdates") {
			c.polls[k]++
		}
		c.mu.Unlock()
		return
	}
}

func (c *faultCounter) counts() faultCounts {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := faultCounts{byKind: map[telegramtest.FaultKind]int{}, polls: map[telegramtest.FaultKind]int{}}
	for k, n := range c.byKind {
		out.byKind[k] = n
	}
	for k, n := range c.polls {
		out.polls[k] = n
	}
	return out
}

// crashKind is a way the load test kills the bot.
type crashKind int

const (
	crashRandom    crashKind = iota // SIGKILL from outside at a random moment
	crashAfterSend                  // SIGKILL from outside right after Telegram accepted a message
	crashInTx                       // the bot's own SIGKILL inside an open update transaction (crashhook.go)
	crashKinds                      // how many kinds there are
)

func (k crashKind) String() string {
	switch k {
	case crashRandom:
		return "random"
	case crashAfterSend:
		return "after-send"
	case crashInTx:
		return "in-transaction"
	}
	return "crash?"
}

// parseCrashKinds reads "random,after-send,in-transaction" (any order, repeats
// allowed: "in-transaction" alone makes every kill one).
func parseCrashKinds(s string) ([]crashKind, error) {
	var out []crashKind
	for name := range strings.SplitSeq(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		found := false
		for k := range crashKinds {
			if k.String() == name {
				out, found = append(out, k), true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("crash kinds %q: unknown kind %q (want random, after-send or in-transaction)", s, name)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("crash kinds %q: none given", s)
	}
	return out, nil
}

// killsString is "4 kills (random 2, after-send 1, in-transaction 1)".
func killsString(total int, by [crashKinds]int) string {
	parts := make([]string, 0, crashKinds)
	for k := range crashKinds {
		parts = append(parts, fmt.Sprintf("%v %d", k, by[k]))
	}
	return fmt.Sprintf("%d kills (%s)", total, strings.Join(parts, ", "))
}
