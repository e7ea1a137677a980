package telegramtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Message is a message the bot sent, as the chat shows it now: edits
// applied, deletions marked.
type Message struct {
	ID     int
	ChatID int64
	Date   time.Time
	// Text and Caption are what the user reads, after parse_mode was applied;
	// RawText is the text or caption as the bot sent it.
	Text, Caption, ParseMode string
	RawText                  string
	InlineKeyboard           [][]Button // current, after edits (nil when removed)
	ReplyKeyboard            [][]Button // reply keyboard sent with it (request_contact/location buttons)
	RemoveKeyboard           bool
	ForceReply               bool
	ReplyTo                  int // message_id this one replies to, 0 if none
	Deleted, Edited          bool
	Kind                     string // "text", "photo", "document", "voice", "location"
	File                     []byte // photo (largest size), document or voice note bytes
	FileName                 string
	Latitude, Longitude      float64
}

// chat is a private chat (id == user id) or a group (negative id).
type chat struct {
	id       int64
	typ      string // "private" or "group"
	title    string
	user     *User // private chats only
	lastID   int
	msgs     []*message
	byID     map[int]*message
	instance string // chat_instance of callback queries from this chat
}

func newChat(id int64, typ string) *chat {
	return &chat{id: id, typ: typ, byID: map[int]*message{}, instance: fmt.Sprint(-id*7919 - 1)}
}

// add stores a message under the chat's next message_id: users' and the
// bot's messages share one counter, as in Telegram.
func (c *chat) add(m *message) {
	c.lastID++
	m.id = c.lastID
	m.chat = c
	c.msgs = append(c.msgs, m)
	c.byID[m.id] = m
}

func (c *chat) wire() wireChat {
	w := wireChat{ID: c.id, Type: c.typ, Title: c.title}
	if c.user != nil {
		w.FirstName, w.LastName, w.Username = c.user.firstName, c.user.lastName, c.user.username
	}
	return w
}

// botMessages snapshots what the bot sent in this chat, in order.
func (c *chat) botMessages() []Message {
	var out []Message
	for _, m := range c.msgs {
		if m.from == nil {
			out = append(out, m.snapshot())
		}
	}
	return out
}

type message struct {
	id        int
	chat      *chat
	from      *User // nil: sent by the bot
	date      time.Time
	editDate  time.Time
	kind      string
	body      formatted // text messages
	caption   formatted // photos and documents
	parseMode string
	rawText   string
	markup    *markup // reply_markup as sent
	inline    *markup // current inline keyboard; edits replace it
	photo     []*storedFile
	doc       *storedFile
	voice     *storedFile
	lat, lon  float64
	contact   *wireContact
	forward   *wireOrigin // forward_origin of a message the user forwarded
	replyTo   *message
	deleted   bool
}

// sameContent reports whether an edit would change nothing the user sees.
func (m *message) sameContent(o *message) bool {
	return m.body.equal(o.body) && m.caption.equal(o.caption) && markupJSON(m.inline) == markupJSON(o.inline)
}

func markupJSON(mk *markup) string {
	if mk == nil {
		return ""
	}
	return string(mk.canonical)
}

func (m *message) snapshot() Message {
	out := Message{
		ID: m.id, ChatID: m.chat.id, Date: m.date,
		Text: m.body.text, Caption: m.caption.text, ParseMode: m.parseMode, RawText: m.rawText,
		Deleted: m.deleted, Edited: !m.editDate.IsZero(), Kind: m.kind,
		Latitude: m.lat, Longitude: m.lon,
	}
	if m.inline != nil && len(m.inline.buttons) > 0 {
		out.InlineKeyboard = copyButtons(m.inline.buttons)
	}
	if m.markup != nil {
		switch m.markup.typ {
		case "ReplyKeyboardMarkup":
			out.ReplyKeyboard = copyButtons(m.markup.buttons)
		case "ReplyKeyboardRemove":
			out.RemoveKeyboard = true
		case "ForceReply":
			out.ForceReply = true
		}
	}
	if m.replyTo != nil {
		out.ReplyTo = m.replyTo.id
	}
	switch {
	case len(m.photo) > 0:
		out.File = append([]byte(nil), m.photo[len(m.photo)-1].data...)
	case m.doc != nil:
		out.File = append([]byte(nil), m.doc.data...)
		out.FileName = m.doc.name
	case m.voice != nil:
		out.File = append([]byte(nil), m.voice.data...)
	}
	return out
}

func copyButtons(rows [][]Button) [][]Button {
	out := make([][]Button, len(rows))
	for i, r := range rows {
		out[i] = append([]Button(nil), r...)
	}
	return out
}

// String renders a message for failure messages of WaitFor.
func (m Message) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%d %s", m.ID, m.Kind)
	if m.Deleted {
		b.WriteString(" (deleted)")
	}
	if m.Edited {
		b.WriteString(" (edited)")
	}
	if m.Text != "" {
		fmt.Fprintf(&b, " %q", m.Text)
	}
	if m.Caption != "" {
		fmt.Fprintf(&b, " caption %q", m.Caption)
	}
	for _, row := range m.InlineKeyboard {
		b.WriteString(" [")
		for i, btn := range row {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(btn.Text)
		}
		b.WriteString("]")
	}
	for _, row := range m.ReplyKeyboard {
		b.WriteString(" {")
		for i, btn := range row {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(btn.Text)
		}
		b.WriteString("}")
	}
	return b.String()
}

type wireUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

type wireChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

type wirePhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size"`
}

type wireDocument struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size"`
}

type wireVoice struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Duration     int    `json:"duration"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size"`
}

type wireLocation struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

type wireContact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
}

// wireOrigin is a MessageOrigin: MessageOriginUser ("user", with
// sender_user) or MessageOriginHiddenUser ("hidden_user", with
// sender_user_name).
type wireOrigin struct {
	Type           string    `json:"type"`
	Date           int64     `json:"date"`
	SenderUser     *wireUser `json:"sender_user,omitempty"`
	SenderUserName string    `json:"sender_user_name,omitempty"`
}

type wireMessage struct {
	MessageID       int             `json:"message_id"`
	From            *wireUser       `json:"from,omitempty"`
	Date            int64           `json:"date"`
	Chat            wireChat        `json:"chat"`
	ForwardOrigin   *wireOrigin     `json:"forward_origin,omitempty"`
	EditDate        int64           `json:"edit_date,omitempty"`
	ReplyToMessage  *wireMessage    `json:"reply_to_message,omitempty"`
	Text            string          `json:"text,omitempty"`
	Entities        []entity        `json:"entities,omitempty"`
	Photo           []wirePhotoSize `json:"photo,omitempty"`
	Document        *wireDocument   `json:"document,omitempty"`
	Voice           *wireVoice      `json:"voice,omitempty"`
	Caption         string          `json:"caption,omitempty"`
	CaptionEntities []entity        `json:"caption_entities,omitempty"`
	Location        *wireLocation   `json:"location,omitempty"`
	Contact         *wireContact    `json:"contact,omitempty"`
	// Only inline keyboards are part of a Message object.
	ReplyMarkup json.RawMessage `json:"reply_markup,omitempty"`
}

// wire renders the message as the Bot API returns it. replies controls
// whether reply_to_message is included: Telegram nests it one level only.
func (s *Server) wireMessage(m *message, replies bool) *wireMessage {
	w := &wireMessage{
		MessageID: m.id,
		Date:      unixOrZero(m.date),
		Chat:      m.chat.wire(),
		Text:      m.body.text, Entities: m.body.entities,
		Caption: m.caption.text, CaptionEntities: m.caption.entities,
		Contact: m.contact, ForwardOrigin: m.forward,
	}
	if m.from == nil {
		bot := s.botUser()
		w.From = &bot
	} else {
		u := m.from.wire()
		w.From = &u
	}
	if !m.editDate.IsZero() {
		w.EditDate = m.editDate.Unix()
	}
	if replies && m.replyTo != nil {
		w.ReplyToMessage = s.wireMessage(m.replyTo, false)
	}
	for _, f := range m.photo {
		w.Photo = append(w.Photo, wirePhotoSize{FileID: f.id, FileUniqueID: f.uniqueID, Width: f.width, Height: f.height, FileSize: len(f.data)})
	}
	if m.doc != nil {
		w.Document = &wireDocument{FileID: m.doc.id, FileUniqueID: m.doc.uniqueID, FileName: m.doc.name, MimeType: m.doc.mime, FileSize: len(m.doc.data)}
	}
	if m.voice != nil {
		w.Voice = &wireVoice{FileID: m.voice.id, FileUniqueID: m.voice.uniqueID, Duration: m.voice.duration,
			MimeType: m.voice.mime, FileSize: len(m.voice.data)}
	}
	if m.kind == "location" {
		w.Location = &wireLocation{Latitude: m.lat, Longitude: m.lon}
	}
	if m.inline != nil && len(m.inline.buttons) > 0 {
		w.ReplyMarkup = m.inline.canonical
	}
	return w
}

// unixOrZero gives 0 for the zero time, the date of an InaccessibleMessage.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
