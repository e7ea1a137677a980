package telegramtest

import (
	"maps"
	"strings"
)

// Calls is the number of calls of method (any letter case), whatever their
// result.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.calls[strings.ToLower(method)] {
		n += c
	}
	return n
}

// CallsByResult counts the calls of method by HTTP status; 0 counts calls
// that got no answer (FaultHang, FaultDrop).
func (s *Server) CallsByResult(method string) map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.calls[strings.ToLower(method)])
}

// Violations lists every 400 the server gave, and every call of a method
// that does not exist (404), as "method: description". A bot that talks to
// Telegram correctly leaves it empty.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// ClearViolations forgets recorded violations, for tests that provoke some
// on purpose before checking the bot's own behaviour.
func (s *Server) ClearViolations() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = nil
}

// SetEnforceRateLimits turns rate-limit enforcement on or off at run time.
func (s *Server) SetEnforceRateLimits(on bool) {
	s.limiter.mu.Lock()
	defer s.limiter.mu.Unlock()
	s.limiter.enabled = on
}
