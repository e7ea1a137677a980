package telegramtest

import (
	"math/rand/v2"
	"net/http"
	"strings"
)

// FaultKind is a way a call can fail before the Bot API looks at it.
type FaultKind int

const (
	// Fault429 answers 429 Too Many Requests with Fault.RetryAfter (default 1).
	Fault429 FaultKind = iota + 1
	// Fault500 answers 500 Internal Server Error in Telegram's envelope.
	Fault500
	// Fault502 answers 502 Bad Gateway with an HTML body, as the proxy in
	// front of the Bot API does: the client must not expect JSON.
	Fault502
	// FaultHang holds the request until the client gives up or the server
	// closes, then drops the connection.
	FaultHang
	// FaultDrop closes the TCP connection without answering.
	FaultDrop
)

func (k FaultKind) String() string {
	switch k {
	case Fault429:
		return "429"
	case Fault500:
		return "500"
	case Fault502:
		return "502"
	case FaultHang:
		return "hang"
	case FaultDrop:
		return "drop"
	}
	return "fault?"
}

// Fault is an injected failure.
type Fault struct {
	Kind       FaultKind
	RetryAfter int // seconds, for Fault429
}

type pendingFault struct {
	fault Fault
	left  int
}

type rateFault struct {
	rate  float64
	fault Fault
}

// faultTable is keyed by lower-case method name; "" means any method but
// getUpdates, whose failures would otherwise drown every test in retries.
type faultTable struct {
	next  map[string][]*pendingFault
	rates map[string]rateFault
	rng   *rand.Rand // seeded: a failing run replays the same faults
}

func newFaultTable() faultTable {
	return faultTable{next: map[string][]*pendingFault{}, rates: map[string]rateFault{}, rng: rand.New(rand.NewPCG(2, 42))}
}

// FailNext makes the next n calls of method ("" = any method except
// getUpdates) fail with f. Calls queue up: FailNext twice gives the first n
// the first fault and the next ones the second.
func (s *Server) FailNext(method string, n int, f Fault) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	s.faults.next[key] = append(s.faults.next[key], &pendingFault{fault: f, left: n})
}

// FailRate makes a fraction (0..1) of the calls of method ("" = any except
// getUpdates) fail with f, drawn from a seeded RNG; rate 0 removes it.
func (s *Server) FailRate(method string, rate float64, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	if rate <= 0 {
		delete(s.faults.rates, key)
		return
	}
	s.faults.rates[key] = rateFault{rate: rate, fault: f}
}

func (s *Server) takeFault(key string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := []string{key}
	if key != "getupdates" {
		keys = append(keys, "")
	}
	for _, k := range keys {
		if q := s.faults.next[k]; len(q) > 0 {
			f := q[0].fault
			if q[0].left--; q[0].left == 0 {
				s.faults.next[k] = q[1:]
			}
			return f, true
		}
	}
	for _, k := range keys {
		if rf, ok := s.faults.rates[k]; ok && s.faults.rng.Float64() < rf.rate {
			return rf.fault, true
		}
	}
	return Fault{}, false
}

const badGatewayHTML = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// applyFault answers a call with an injected fault. Hung and dropped calls
// are counted under status 0: no HTTP answer was given.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, method string, f Fault) {
	key := strings.ToLower(method)
	s.logf("%s -> injected fault %v", method, f.Kind)
	switch f.Kind {
	case Fault429:
		retry := max(1, f.RetryAfter)
		s.record(key, 429)
		writeError(w, tooManyRequests(retry))
	case Fault500:
		s.record(key, 500)
		writeError(w, &apiError{Code: 500, Description: "Internal Server Error"})
	case Fault502:
		s.record(key, 502)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte(badGatewayHTML))
	case FaultHang:
		s.record(key, 0)
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		dropConnection(w)
	default:
		s.record(key, 0)
		dropConnection(w)
	}
}

func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// Aborting the handler makes net/http close the connection without
	// logging a panic.
	panic(http.ErrAbortHandler)
}
