package telegramtest

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

var errClosed = errors.New("telegramtest: server closed")

// waitFor re-evaluates cond on every state change instead of polling, so
// tests wait exactly as long as the bot takes.
func (s *Server) waitFor(timeout time.Duration, who string, chatID int64, cond func([]Message) bool) ([]Message, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		msgs := s.chats[chatID].botMessages()
		changed := s.changed
		s.mu.Unlock()
		if cond(msgs) {
			return msgs, nil
		}
		select {
		case <-changed:
		case <-timer.C:
			return msgs, fmt.Errorf("telegramtest: %s: condition not met within %v; bot messages:%s", who, timeout, describe(msgs))
		case <-s.closed:
			return msgs, errClosed
		}
	}
}

func (s *Server) waitForText(timeout time.Duration, who string, chatID int64, substr string) (Message, error) {
	var found Message
	_, err := s.waitFor(timeout, who, chatID, func(msgs []Message) bool {
		for i := len(msgs) - 1; i >= 0; i-- {
			m := msgs[i]
			if !m.Deleted && (strings.Contains(m.Text, substr) || strings.Contains(m.Caption, substr)) {
				found = m
				return true
			}
		}
		return false
	})
	if err != nil {
		return Message{}, fmt.Errorf("waiting for text %q: %w", substr, err)
	}
	return found, nil
}

func describe(msgs []Message) string {
	if len(msgs) == 0 {
		return " none"
	}
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("\n\t")
		b.WriteString(m.String())
	}
	return b.String()
}

// WaitUntil re-evaluates cond on every change of the server's state (a message
// sent, edited or deleted, an update queued) until it holds or timeout passes.
// cond runs without the server's lock, so it may call Calls and the like.
func (s *Server) WaitUntil(timeout time.Duration, cond func() bool) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		changed := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-changed:
		case <-timer.C:
			return fmt.Errorf("telegramtest: condition not met within %v", timeout)
		case <-s.closed:
			return errClosed
		}
	}
}
