package telegramtest

import (
	"fmt"
	"time"
)

// WaitDeleted waits until message id in u's chat (the user's own or the
// bot's) is deleted, as deleteMessage does; the NIK a user typed, for
// example, must not stay in the chat.
func (u *User) WaitDeleted(timeout time.Duration, id int) error {
	s := u.s
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		var deleted, found bool
		if ch := s.chats[u.id]; ch != nil {
			if m := ch.byID[id]; m != nil {
				found, deleted = true, m.deleted
			}
		}
		changed := s.changed
		s.mu.Unlock()
		if deleted {
			return nil
		}
		select {
		case <-changed:
		case <-timer.C:
			return fmt.Errorf("telegramtest: user %d: message %d not deleted within %v (exists: %v)", u.id, id,
				timeout, found)
		case <-s.closed:
			return errClosed
		}
	}
}
