package telegramtest

import (
	"fmt"
	"time"
)

// Group is a simulated group chat the bot is a member of.
type Group struct {
	s       *Server
	id      int64
	members []*User
}

// NewGroup creates a group (negative chat id) with the bot and members in it.
func (s *Server) NewGroup(title string, members ...*User) *Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.chats[s.nextGroupID] != nil {
		s.nextGroupID--
	}
	g := &Group{s: s, id: s.nextGroupID, members: members}
	s.nextGroupID--
	ch := newChat(g.id, "group")
	ch.title = title
	s.chats[g.id] = ch
	return g
}

// ID is the group's chat id.
func (g *Group) ID() int64 { return g.id }

// SendText posts a message from a member; commands get a bot_command entity.
func (g *Group) SendText(from *User, text string) int {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userMessageLocked(s.chats[g.id], from, time.Time{}, func(m *message) {
		m.kind = "text"
		m.body = formatted{text: text, entities: commandEntities(text)}
	})
}

// Press presses, as from, the inline button labelled label on the newest bot
// message in the group that has one.
func (g *Group) Press(from *User, label string) error {
	return g.s.press(from, g.id, 0, label)
}

// Messages returns the bot's messages in the group, in order, in their
// current state.
func (g *Group) Messages() []Message {
	g.s.mu.Lock()
	defer g.s.mu.Unlock()
	return g.s.chats[g.id].botMessages()
}

// WaitFor waits until cond holds for the bot's messages in the group.
func (g *Group) WaitFor(timeout time.Duration, cond func([]Message) bool) ([]Message, error) {
	return g.s.waitFor(timeout, fmt.Sprintf("group %d", g.id), g.id, cond)
}

// WaitForText waits for the newest non-deleted bot message in the group
// whose text or caption contains substr.
func (g *Group) WaitForText(timeout time.Duration, substr string) (Message, error) {
	return g.s.waitForText(timeout, fmt.Sprintf("group %d", g.id), g.id, substr)
}

// Members are the users the group was created with.
func (g *Group) Members() []*User { return append([]*User(nil), g.members...) }

// PressData sends, as from, a callback query with data for the group's
// message messageID, as a modified client can (forged data included).
func (g *Group) PressData(from *User, messageID int, data string) {
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chats[g.id]
	m := ch.byID[messageID]
	if m == nil {
		m = &message{id: messageID, chat: ch}
	}
	s.callbackLocked(from, m, data)
}
