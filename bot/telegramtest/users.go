package telegramtest

import (
	"fmt"
	"strings"
	"time"
)

// UserOptions describe a simulated user. Zero fields get defaults: an ID
// from 5000001 upward and a first name.
type UserOptions struct {
	ID                                          int64
	FirstName, LastName, Username, LanguageCode string
}

// User is a simulated Telegram user with a private chat with the bot
// (chat id == user id). Its methods read like the person's actions and are
// safe for concurrent use.
type User struct {
	s                                           *Server
	id                                          int64
	firstName, lastName, username, languageCode string

	// Guarded by s.mu.
	blocked bool
	answers []CallbackAnswer
}

// CallbackAnswer is the bot's answerCallbackQuery to one of the user's presses.
type CallbackAnswer struct {
	QueryID   string
	Text      string
	ShowAlert bool
	URL       string
}

// NewUser adds a user who has started the bot, so the bot may write to them.
func (s *Server) NewUser(o UserOptions) *User {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.ID == 0 {
		for s.chats[s.nextUserID] != nil {
			s.nextUserID++
		}
		o.ID = s.nextUserID
		s.nextUserID++
	}
	if o.ID <= 0 || s.chats[o.ID] != nil {
		panic(fmt.Sprintf("telegramtest: NewUser: user id %d is invalid or taken", o.ID))
	}
	if o.FirstName == "" {
		o.FirstName = fmt.Sprintf("User%d", o.ID)
	}
	u := &User{s: s, id: o.ID, firstName: o.FirstName, lastName: o.LastName, username: o.Username, languageCode: o.LanguageCode}
	ch := newChat(u.id, "private")
	ch.user = u
	s.chats[u.id] = ch
	s.users[u.id] = u
	return u
}

// ID is the user's id, which is also their private chat's id.
func (u *User) ID() int64 { return u.id }

func (u *User) wire() wireUser {
	return wireUser{ID: u.id, FirstName: u.firstName, LastName: u.lastName, Username: u.username, LanguageCode: u.languageCode}
}

// SendText sends a text message to the bot; a leading "/command" gets a
// bot_command entity as in Telegram.
func (u *User) SendText(text string) int {
	return u.SendTextAt(text, time.Time{})
}

// SendTextAt sends a text with an explicit message date, as a phone that was
// offline delivers it late.
func (u *User) SendTextAt(text string, date time.Time) int {
	return u.send(date, func(m *message) {
		m.kind = "text"
		m.body = formatted{text: text, entities: commandEntities(text)}
	})
}

// OpenDeepLink is following t.me/<bot>?start=<payload>: it sends "/start <payload>".
func (u *User) OpenDeepLink(payload string) int {
	return u.SendText("/start " + payload)
}

// SendLocation shares a location.
func (u *User) SendLocation(lat, lon float64) int {
	return u.send(time.Time{}, func(m *message) {
		m.kind, m.lat, m.lon = "location", lat, lon
	})
}

// ForwardOrigin is who first sent a message a user forwards, as Telegram
// tells the bot in forward_origin: a user it may name (From), or one whose
// privacy settings hide them (HiddenName); one of the two must be set. Date
// is when they sent it; zero means now.
type ForwardOrigin struct {
	From       *User
	HiddenName string
	Date       time.Time
}

// ForwardLocation forwards to the bot a location first shared by origin, as
// a person does who forwards a colleague's location from another chat.
func (u *User) ForwardLocation(lat, lon float64, origin ForwardOrigin) int {
	if origin.From == nil && origin.HiddenName == "" {
		panic("telegramtest: ForwardLocation: the origin needs From or HiddenName (sender_user or sender_user_name is required)")
	}
	return u.send(time.Time{}, func(m *message) {
		m.kind, m.lat, m.lon = "location", lat, lon
		date := origin.Date
		if date.IsZero() {
			date = u.s.now()
		}
		m.forward = &wireOrigin{Type: "hidden_user", Date: date.Unix(), SenderUserName: origin.HiddenName}
		if origin.From != nil {
			w := origin.From.wire()
			m.forward = &wireOrigin{Type: "user", Date: date.Unix(), SenderUser: &w}
		}
	})
}

// SendContact shares a contact, e.g. their own through a request_contact button.
func (u *User) SendContact(phone string, contactUserID int64, firstName string) int {
	return u.send(time.Time{}, func(m *message) {
		m.kind = "contact"
		m.contact = &wireContact{PhoneNumber: phone, FirstName: firstName, UserID: contactUserID}
	})
}

// SendPhoto sends a photo; the bot sees several PhotoSizes it can getFile.
func (u *User) SendPhoto(jpeg []byte, caption string) int {
	return u.send(time.Time{}, func(m *message) {
		m.kind = "photo"
		m.photo = u.s.storePhotoLocked(jpeg)
		m.caption = formatted{text: caption}
	})
}

// SendDocument sends a file.
func (u *User) SendDocument(name string, data []byte, caption string) int {
	return u.send(time.Time{}, func(m *message) {
		m.kind = "document"
		m.doc = u.s.storeFileLocked("document", name, "", data)
		m.caption = formatted{text: caption}
	})
}

// SendVoice records a voice note of seconds seconds (the bytes as the app
// uploads them, Opus in Ogg); the bot sees a Voice it can getFile and
// download.
func (u *User) SendVoice(ogg []byte, seconds int) int {
	return u.send(time.Time{}, func(m *message) {
		m.kind = "voice"
		m.voice = u.s.storeFileLocked("voice", "", "audio/ogg", ogg)
		m.voice.duration = seconds
	})
}

// send stores a message from the user in their private chat and queues the
// update. Writing to a bot one has blocked unblocks it first, as the
// Telegram apps do with their "Restart" button.
func (u *User) send(date time.Time, build func(m *message)) int {
	s := u.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.blocked {
		u.setBlockedLocked(false)
	}
	return s.userMessageLocked(s.chats[u.id], u, date, build)
}

func (s *Server) userMessageLocked(ch *chat, from *User, date time.Time, build func(m *message)) int {
	if date.IsZero() {
		date = s.now()
	}
	m := &message{from: from, date: date}
	build(m)
	ch.add(m)
	s.enqueueLocked("message", s.wireMessage(m, true))
	return m.id
}

// Block blocks the bot: sends to the user answer 403 and the bot gets a
// my_chat_member update with status "kicked".
func (u *User) Block() { u.setBlocked(true) }

// Unblock undoes Block; the bot gets a my_chat_member update with status "member".
func (u *User) Unblock() { u.setBlocked(false) }

func (u *User) setBlocked(on bool) {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	u.setBlockedLocked(on)
}

type wireChatMember struct {
	User      wireUser `json:"user"`
	Status    string   `json:"status"`
	UntilDate int64    `json:"until_date,omitempty"`
}

type wireChatMemberUpdated struct {
	Chat          wireChat       `json:"chat"`
	From          wireUser       `json:"from"`
	Date          int64          `json:"date"`
	OldChatMember wireChatMember `json:"old_chat_member"`
	NewChatMember wireChatMember `json:"new_chat_member"`
}

func (u *User) setBlockedLocked(on bool) {
	if u.blocked == on {
		return
	}
	u.blocked = on
	s := u.s
	member := wireChatMember{User: s.botUser(), Status: "member"}
	kicked := wireChatMember{User: s.botUser(), Status: "kicked"}
	ev := wireChatMemberUpdated{Chat: s.chats[u.id].wire(), From: u.wire(), Date: s.now().Unix(), OldChatMember: member, NewChatMember: kicked}
	if !on {
		ev.OldChatMember, ev.NewChatMember = kicked, member
	}
	s.enqueueLocked("my_chat_member", ev)
}

// Messages returns the bot's messages in this chat, in order, in their
// current state.
func (u *User) Messages() []Message {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return u.s.chats[u.id].botMessages()
}

// Last returns the bot's newest message in this chat, deleted or not.
func (u *User) Last() (Message, bool) {
	msgs := u.Messages()
	if len(msgs) == 0 {
		return Message{}, false
	}
	return msgs[len(msgs)-1], true
}

// CallbackAnswers returns the bot's answers to this user's button presses.
func (u *User) CallbackAnswers() []CallbackAnswer {
	u.s.mu.Lock()
	defer u.s.mu.Unlock()
	return append([]CallbackAnswer(nil), u.answers...)
}

// WaitFor waits until cond holds for the bot's messages in this chat and
// returns them; on timeout the error lists what the chat holds.
func (u *User) WaitFor(timeout time.Duration, cond func(msgs []Message) bool) ([]Message, error) {
	return u.s.waitFor(timeout, fmt.Sprintf("user %d", u.id), u.id, cond)
}

// WaitForText waits for the newest non-deleted bot message whose text or
// caption contains substr.
func (u *User) WaitForText(timeout time.Duration, substr string) (Message, error) {
	return u.s.waitForText(timeout, fmt.Sprintf("user %d", u.id), u.id, substr)
}

// WaitForEdit waits until the bot message id in u's chat contains substr in
// its text, typically after the bot edited it.
func (u *User) WaitForEdit(timeout time.Duration, id int, substr string) (Message, error) {
	var got Message
	_, err := u.s.waitFor(timeout, fmt.Sprintf("user %d", u.id), u.id, func(msgs []Message) bool {
		for _, m := range msgs {
			if m.ID == id && strings.Contains(m.Text, substr) {
				got = m
				return true
			}
		}
		return false
	})
	if err != nil {
		return Message{}, fmt.Errorf("waiting for message %d to read %q: %w", id, substr, err)
	}
	return got, nil
}
