package telegramtest

import (
	"fmt"
	"strconv"
	"time"
)

type callbackQuery struct {
	id       string
	user     *User
	at       time.Time
	answered bool
	chatID   int64 // the chat of the pressed message
}

type wireCallbackQuery struct {
	ID           string       `json:"id"`
	From         wireUser     `json:"from"`
	Message      *wireMessage `json:"message,omitempty"`
	ChatInstance string       `json:"chat_instance"`
	Data         string       `json:"data,omitempty"`
}

// Press presses the inline button labelled label on the newest bot message
// in the user's private chat that has one.
func (u *User) Press(label string) error {
	return u.s.press(u, u.id, 0, label)
}

// PressOn presses the inline button labelled label on the given message.
func (u *User) PressOn(messageID int, label string) error {
	return u.s.press(u, u.id, messageID, label)
}

// PressData sends a callback query with arbitrary data from the given
// message, whatever its buttons say: a forged or stale callback, as a
// modified client or an old message could send.
func (u *User) PressData(messageID int, data string) {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chats[u.id]
	m := ch.byID[messageID]
	if m == nil {
		// Telegram sends an InaccessibleMessage (date 0) for messages the
		// bot can no longer see.
		m = &message{id: messageID, chat: ch}
	}
	s.callbackLocked(u, m, data)
}

func (s *Server) press(u *User, chatID int64, messageID int, label string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chats[chatID]
	for i := len(ch.msgs) - 1; i >= 0; i-- {
		m := ch.msgs[i]
		if m.from != nil || m.deleted || m.inline == nil || (messageID != 0 && m.id != messageID) {
			continue
		}
		for _, row := range m.inline.buttons {
			for _, b := range row {
				if b.Text != label {
					continue
				}
				if b.CallbackData == "" {
					return fmt.Errorf("telegramtest: button %q on message %d has no callback_data (url %q)", label, m.id, b.URL)
				}
				s.callbackLocked(u, m, b.CallbackData)
				return nil
			}
		}
	}
	where := "any bot message"
	if messageID != 0 {
		where = fmt.Sprintf("message %d", messageID)
	}
	return fmt.Errorf("telegramtest: no inline button %q on %s in chat %d; bot messages:%s",
		label, where, chatID, describe(ch.botMessages()))
}

func (s *Server) callbackLocked(u *User, m *message, data string) {
	s.nextQuery++
	q := &callbackQuery{id: strconv.FormatInt(s.nextQuery, 10), user: u, at: s.now(), chatID: m.chat.id}
	s.queries[q.id] = q
	s.enqueueLocked("callback_query", wireCallbackQuery{
		ID: q.id, From: u.wire(), Message: s.wireMessage(m, false),
		ChatInstance: m.chat.instance, Data: data,
	})
}
