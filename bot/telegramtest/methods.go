package telegramtest

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// call is one validated API request.
type call struct {
	ctx    context.Context
	method string
	p      *params
}

type handler func(s *Server, c *call) (any, *apiError)

// handlers are the simulated methods, by their spelling in the spec. Methods
// in the spec but not here answer 400 and count as violations, so a bot that
// starts using a new method notices the fake cannot vouch for it.
var handlers = map[string]handler{
	"getMe":                  (*Server).getMe,
	"getUpdates":             (*Server).getUpdates,
	"setWebhook":             (*Server).setWebhook,
	"deleteWebhook":          (*Server).deleteWebhook,
	"getWebhookInfo":         (*Server).getWebhookInfo,
	"sendMessage":            (*Server).sendMessage,
	"sendPhoto":              (*Server).sendPhoto,
	"sendDocument":           (*Server).sendDocument,
	"sendLocation":           (*Server).sendLocation,
	"sendChatAction":         (*Server).sendChatAction,
	"editMessageText":        (*Server).editMessageText,
	"editMessageCaption":     (*Server).editMessageCaption,
	"editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
	"deleteMessage":          (*Server).deleteMessage,
	"answerCallbackQuery":    (*Server).answerCallbackQuery,
	"getFile":                (*Server).getFile,
	"setMyCommands":          (*Server).setMyCommands,
	"deleteMyCommands":       (*Server).deleteMyCommands,
	"getMyCommands":          (*Server).getMyCommands,
}

const (
	deleteWindow    = 48 * time.Hour
	callbackTimeout = 15 * time.Minute
)

var chatActions = []string{
	"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
	"upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}

type wireMe struct {
	wireUser
	CanJoinGroups           bool `json:"can_join_groups"`
	CanReadAllGroupMessages bool `json:"can_read_all_group_messages"`
	SupportsInlineQueries   bool `json:"supports_inline_queries"`
}

func (s *Server) getMe(*call) (any, *apiError) {
	return wireMe{wireUser: s.botUser(), CanJoinGroups: true}, nil
}

func (s *Server) sendMessage(c *call) (any, *apiError) {
	body, aerr := formatMessageText(c.p)
	if aerr != nil {
		return nil, aerr
	}
	return s.send(c, func(m *message) *apiError {
		m.kind, m.body, m.rawText = "text", body, c.p.str("text")
		return nil
	})
}

func (s *Server) sendPhoto(c *call) (any, *apiError) {
	caption, aerr := formatCaption(c.p)
	if aerr != nil {
		return nil, aerr
	}
	return s.send(c, func(m *message) *apiError {
		m.kind, m.caption, m.rawText = "photo", caption, c.p.str("caption")
		if up := c.p.files["photo"]; up != nil {
			m.photo = s.storePhotoLocked(up.data)
			return nil
		}
		f, aerr := s.fileRefLocked(c.p.str("photo"), "photo")
		if aerr != nil {
			return aerr
		}
		m.photo = f.sizes
		return nil
	})
}

func (s *Server) sendDocument(c *call) (any, *apiError) {
	caption, aerr := formatCaption(c.p)
	if aerr != nil {
		return nil, aerr
	}
	return s.send(c, func(m *message) *apiError {
		m.kind, m.caption, m.rawText = "document", caption, c.p.str("caption")
		if up := c.p.files["document"]; up != nil {
			m.doc = s.storeFileLocked("document", up.filename, up.contentType, up.data)
			return nil
		}
		f, aerr := s.fileRefLocked(c.p.str("document"), "document")
		m.doc = f
		return aerr
	})
}

func (s *Server) sendLocation(c *call) (any, *apiError) {
	lat, lon := c.p.float("latitude"), c.p.float("longitude")
	if lat < -90 || lat > 90 || lon < -180 || lon > 180 {
		return nil, badRequest("wrong location specified")
	}
	return s.send(c, func(m *message) *apiError {
		m.kind, m.lat, m.lon = "location", lat, lon
		return nil
	})
}

// send is the common path of send* methods: resolve the chat, build the
// message, respect rate limits, store it.
func (s *Server) send(c *call, build func(m *message) *apiError) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.targetChatLocked(c.p.str("chat_id"))
	if aerr != nil {
		return nil, aerr
	}
	m := &message{chat: ch, date: s.now(), parseMode: c.p.str("parse_mode")}
	if m.replyTo, aerr = replyTarget(ch, c.p); aerr != nil {
		return nil, aerr
	}
	if mk := c.p.markup(); mk != nil {
		m.markup = mk
		m.inline = inlineOnly(mk)
	}
	if aerr := build(m); aerr != nil {
		return nil, aerr
	}
	if aerr := s.limiter.take(ch.id); aerr != nil {
		return nil, aerr
	}
	ch.add(m)
	s.notifyLocked()
	return s.wireMessage(m, true), nil
}

// targetChatLocked resolves chat_id for a method that writes to the chat.
func (s *Server) targetChatLocked(chatID string) (*chat, *apiError) {
	id, err := strconv.ParseInt(chatID, 10, 64)
	ch := s.chats[id]
	if err != nil || ch == nil {
		return nil, errChatNotFound
	}
	if ch.user != nil && ch.user.blocked {
		return nil, errBlocked
	}
	return ch, nil
}

// replyTarget finds the message a send replies to, from reply_parameters or
// the legacy reply_to_message_id go-telegram-bot-api sends.
func replyTarget(ch *chat, p *params) (*message, *apiError) {
	var rp struct {
		MessageID                int  `json:"message_id"`
		AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
	}
	if !p.json("reply_parameters", &rp) {
		rp.MessageID = p.int("reply_to_message_id")
		rp.AllowSendingWithoutReply = p.bool("allow_sending_without_reply")
	}
	if rp.MessageID == 0 {
		return nil, nil
	}
	m := ch.byID[rp.MessageID]
	if m == nil || m.deleted {
		if rp.AllowSendingWithoutReply {
			return nil, nil
		}
		return nil, badRequest("message to be replied not found")
	}
	return m, nil
}

func (s *Server) sendChatAction(c *call) (any, *apiError) {
	if !slices.Contains(chatActions, c.p.str("action")) {
		return nil, badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, aerr := s.targetChatLocked(c.p.str("chat_id")); aerr != nil {
		return nil, aerr
	}
	return true, nil
}

func (s *Server) editMessageText(c *call) (any, *apiError) {
	body, aerr := formatMessageText(c.p)
	if aerr != nil {
		return nil, aerr
	}
	return s.edit(c, func(m *message) *apiError {
		if m.kind != "text" {
			return badRequest("there is no text in the message to edit")
		}
		m.body, m.rawText, m.parseMode = body, c.p.str("text"), c.p.str("parse_mode")
		return nil
	})
}

func (s *Server) editMessageCaption(c *call) (any, *apiError) {
	caption, aerr := formatCaption(c.p)
	if aerr != nil {
		return nil, aerr
	}
	return s.edit(c, func(m *message) *apiError {
		if m.kind != "photo" && m.kind != "document" {
			return badRequest("there is no caption in the message to edit")
		}
		m.caption, m.rawText, m.parseMode = caption, c.p.str("caption"), c.p.str("parse_mode")
		return nil
	})
}

func (s *Server) editMessageReplyMarkup(c *call) (any, *apiError) {
	return s.edit(c, func(*message) *apiError { return nil })
}

// edit is the common path of edit* methods. As in Telegram, an edit without
// reply_markup removes the inline keyboard.
func (s *Server) edit(c *call, apply func(m *message) *apiError) (any, *apiError) {
	if c.p.has("inline_message_id") {
		return nil, badRequest("MESSAGE_ID_INVALID")
	}
	for _, k := range []string{"chat_id", "message_id"} {
		if !c.p.has(k) {
			return nil, badRequest("parameter %s is required", k)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, aerr := s.targetChatLocked(c.p.str("chat_id"))
	if aerr != nil {
		return nil, aerr
	}
	m := ch.byID[c.p.int("message_id")]
	if m == nil || m.deleted {
		return nil, badRequest("message to edit not found")
	}
	if m.from != nil {
		return nil, badRequest("message can't be edited")
	}
	next := *m
	next.inline = inlineOnly(c.p.markup())
	if aerr := apply(&next); aerr != nil {
		return nil, aerr
	}
	if next.sameContent(m) {
		return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
	}
	if aerr := s.limiter.take(ch.id); aerr != nil {
		return nil, aerr
	}
	next.editDate = s.now()
	*m = next
	s.notifyLocked()
	return s.wireMessage(m, true), nil
}

func (s *Server) deleteMessage(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := strconv.ParseInt(c.p.str("chat_id"), 10, 64)
	ch := s.chats[id]
	if err != nil || ch == nil {
		return nil, errChatNotFound
	}
	m := ch.byID[c.p.int("message_id")]
	if m == nil || m.deleted {
		return nil, badRequest("message to delete not found")
	}
	if s.now().Sub(m.date) > deleteWindow {
		return nil, badRequest("message can't be deleted for everyone")
	}
	m.deleted = true
	s.notifyLocked()
	return true, nil
}

func (s *Server) answerCallbackQuery(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queries[c.p.str("callback_query_id")]
	if q == nil || q.answered || s.now().Sub(q.at) > callbackTimeout {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	q.answered = true
	q.user.answers = append(q.user.answers, CallbackAnswer{
		QueryID: q.id, Text: c.p.str("text"), ShowAlert: c.p.bool("show_alert"), URL: c.p.str("url"),
	})
	s.notifyLocked()
	return true, nil
}
