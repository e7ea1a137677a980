package telegramtest

import (
	"cmp"
	"fmt"
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
	// FaultHTML answers Fault.Status (default 500) with an HTML error page
	// and no Telegram envelope, as a proxy or load balancer in front of the
	// Bot API does.
	FaultHTML
	// FaultForeignJSON answers Fault.Status (default 500) with a JSON body
	// of another shape ({"error":"internal"}), without ok, error_code or
	// description: an old self-hosted Bot API server, or another service
	// behind the same address. The library reads it as error code 0.
	FaultForeignJSON
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
	case FaultHTML:
		return "html"
	case FaultForeignJSON:
		return "foreign-json"
	}
	return "fault?"
}

// Fault is an injected failure.
type Fault struct {
	Kind       FaultKind
	RetryAfter int // seconds, for Fault429
	// Status is the HTTP status of FaultHTML and FaultForeignJSON; default 500.
	Status int
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
	next   map[string][]*pendingFault
	always map[string]Fault
	rates  map[string]rateFault
	rng    *rand.Rand // seeded: a failing run replays the same faults
}

func newFaultTable() faultTable {
	return faultTable{next: map[string][]*pendingFault{}, always: map[string]Fault{}, rates: map[string]rateFault{},
		rng: rand.New(rand.NewPCG(2, 42))}
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

// FailAlways makes every call of method ("" = any except getUpdates) fail
// with f until Heal: a rule such as "setMyCommands always answers an HTML
// 500". FailNext faults still come first.
func (s *Server) FailAlways(method string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.always[strings.ToLower(method)] = f
}

// Heal removes the FailAlways rule of method.
func (s *Server) Heal(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.faults.always, strings.ToLower(method))
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
		if f, ok := s.faults.always[k]; ok {
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

// foreignJSON is a JSON error body that is not Telegram's envelope.
const foreignJSON = `{"error":"internal"}`

// errorPageHTML is an nginx-style error page for status.
func errorPageHTML(status int) string {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
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
	case FaultHTML:
		status := cmp.Or(f.Status, http.StatusInternalServerError)
		s.record(key, status)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(errorPageHTML(status)))
	case FaultForeignJSON:
		status := cmp.Or(f.Status, http.StatusInternalServerError)
		s.record(key, status)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(foreignJSON))
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
