package telegramtest

import (
	"fmt"
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

// ChatCalls counts the calls made for one chat, by method (lower case):
// every call naming chat_id, and answerCallbackQuery for the queries of
// presses in that chat, whether refused or not (an injected fault answers
// before the call is read, so it is not counted). It is what a conversation
// costs in Bot API calls.
func (s *Server) ChatCalls(chatID int64) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.chatCalls[chatID])
}

// recordChatLocked counts a call of method for the chat it is about, when
// it names one.
func (s *Server) recordChatLocked(method string, p *params) {
	var chatID int64
	switch {
	case p.has("chat_id"):
		chatID = p.int64("chat_id")
	case p.has("callback_query_id"):
		q := s.queries[p.str("callback_query_id")]
		if q == nil {
			return
		}
		chatID = q.chatID
	default:
		return
	}
	m := s.chatCalls[chatID]
	if m == nil {
		m = map[string]int{}
		s.chatCalls[chatID] = m
	}
	m[strings.ToLower(method)]++
}

// Fresh returns the messages of after that are new, or whose text, caption
// or (not removed) keyboard changed since before, in chat order: what an
// action made the bot say, sent or edited in. A prompt edited into the
// pressed message is as fresh as a new one; a message that only lost its
// keyboard or was deleted is not.
func Fresh(before, after []Message) []Message {
	was := make(map[int]Message, len(before))
	for _, m := range before {
		was[m.ID] = m
	}
	var out []Message
	for _, m := range after {
		old, ok := was[m.ID]
		switch {
		case !ok:
			out = append(out, m)
		case m.Deleted:
		case m.RawText != old.RawText || m.Caption != old.Caption,
			m.InlineKeyboard != nil && fmt.Sprint(m.InlineKeyboard) != fmt.Sprint(old.InlineKeyboard):
			out = append(out, m)
		}
	}
	return out
}
