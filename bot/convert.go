package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dinsosbot/flows"
)

// allowedUpdates is the explicit list asked of getUpdates: what the flows act on
// and nothing else, so Telegram does not spend our bandwidth on the rest.
var allowedUpdates = []string{"message", "callback_query", "my_chat_member"}

// toEvent converts an update to a flows event; ok is false for updates the
// flows do not act on (edited messages, channel posts, ...).
func toEvent(u tgbotapi.Update, botUsername string, now time.Time) (flows.Event, bool) {
	ev := flows.Event{UpdateID: u.UpdateID}
	switch {
	case u.Message != nil:
		m := u.Message
		if m.From == nil || m.Chat == nil {
			return ev, false
		}
		ev.Kind = flows.EventMessage
		ev.Date = time.Unix(int64(m.Date), 0).UTC()
		setChat(&ev, m.Chat)
		setFrom(&ev, m.From)
		ev.MessageID = m.MessageID
		ev.Text = m.Text
		if ev.Text == "" {
			ev.Text = m.Caption
		}
		ev.Command, ev.Args = command(m, botUsername)
		ev.Forwarded = m.ForwardDate != 0 || m.ForwardFrom != nil || m.ForwardFromChat != nil || m.ForwardSenderName != ""
		if m.Location != nil {
			ev.Location = &flows.Location{Latitude: m.Location.Latitude, Longitude: m.Location.Longitude}
		}
		if m.Contact != nil {
			ev.Contact = &flows.Contact{PhoneNumber: m.Contact.PhoneNumber, FirstName: m.Contact.FirstName,
				UserID: m.Contact.UserID}
		}
		if p := largestPhoto(m.Photo); p != nil {
			ev.Photo = p
		}
		if v := m.Voice; v != nil {
			ev.Audio = &flows.Audio{FileID: v.FileID, FileUniqueID: v.FileUniqueID, Duration: v.Duration,
				MimeType: v.MimeType, Size: v.FileSize, Voice: true}
		}
		if a := m.Audio; a != nil {
			ev.Audio = &flows.Audio{FileID: a.FileID, FileUniqueID: a.FileUniqueID, Duration: a.Duration,
				MimeType: a.MimeType, Size: a.FileSize, FileName: a.FileName}
		}
		if d := m.Document; d != nil {
			ev.Document = &flows.Document{FileID: d.FileID, FileUniqueID: d.FileUniqueID, FileName: d.FileName,
				MimeType: d.MimeType, Size: d.FileSize}
		}
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		if q.From == nil {
			return ev, false
		}
		ev.Kind = flows.EventCallback
		ev.Date = now.UTC()
		setFrom(&ev, q.From)
		ev.CallbackID = q.ID
		ev.CallbackData = q.Data
		if q.Message != nil {
			ev.CallbackMessageID = q.Message.MessageID
			if q.Message.Chat != nil {
				setChat(&ev, q.Message.Chat)
			}
		}
		if ev.ChatID == 0 {
			// An inline-mode message has no chat; answer in the private chat.
			ev.ChatID, ev.ChatType = q.From.ID, "private"
		}
	case u.MyChatMember != nil:
		c := u.MyChatMember
		ev.Kind = flows.EventMember
		ev.Date = time.Unix(int64(c.Date), 0).UTC()
		setChat(&ev, &c.Chat)
		setFrom(&ev, &c.From)
		ev.MemberStatus = c.NewChatMember.Status
	default:
		return ev, false
	}
	return ev, true
}

func setChat(ev *flows.Event, c *tgbotapi.Chat) {
	ev.ChatID, ev.ChatType = c.ID, c.Type
}

func setFrom(ev *flows.Event, u *tgbotapi.User) {
	ev.UserID, ev.FirstName, ev.LastName = u.ID, u.FirstName, u.LastName
	ev.Username, ev.LanguageCode = u.UserName, u.LanguageCode
}

// command splits "/lapor@dinsos_bot  arg" into ("lapor", "arg"). A command meant
// for another bot in a group is not ours: it comes back empty.
func command(m *tgbotapi.Message, botUsername string) (cmd, args string) {
	text := m.Text
	if !strings.HasPrefix(text, "/") {
		return "", ""
	}
	word, rest, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexAny(word, "\n\t"); i >= 0 {
		word, rest = word[:i], word[i+1:]+" "+rest
	}
	name, at, addressed := strings.Cut(word, "@")
	if addressed && !strings.EqualFold(at, botUsername) {
		return "", ""
	}
	if name == "" {
		return "", ""
	}
	return strings.ToLower(name), strings.TrimSpace(rest)
}

func largestPhoto(sizes []tgbotapi.PhotoSize) *flows.Photo {
	if len(sizes) == 0 {
		return nil
	}
	best := sizes[0]
	for _, s := range sizes[1:] {
		if s.Width*s.Height > best.Width*best.Height {
			best = s
		}
	}
	return &flows.Photo{FileID: best.FileID, FileUniqueID: best.FileUniqueID, Width: best.Width,
		Height: best.Height, Size: best.FileSize}
}

// getUpdates is api.GetUpdates, plus forward_origin, which the library (made
// for Bot API 6) does not read: Bot API 7 replaced forward_date and its
// siblings with it, so today a forwarded message looks to the library like
// one the person sent. A forward_origin becomes the library's ForwardDate,
// which toEvent reads as Forwarded.
func getUpdates(api *tgbotapi.BotAPI, cfg tgbotapi.UpdateConfig) ([]tgbotapi.Update, error) {
	resp, err := api.Request(cfg)
	if err != nil {
		return nil, err
	}
	var updates []tgbotapi.Update
	if err := json.Unmarshal(resp.Result, &updates); err != nil {
		return nil, fmt.Errorf("read updates: %w", err)
	}
	var origins []struct {
		Message *struct {
			ForwardOrigin *struct {
				Date int `json:"date"`
			} `json:"forward_origin"`
		} `json:"message"`
	}
	if err := json.Unmarshal(resp.Result, &origins); err != nil {
		return nil, fmt.Errorf("read updates: %w", err)
	}
	for i, o := range origins {
		if i < len(updates) && updates[i].Message != nil && o.Message != nil && o.Message.ForwardOrigin != nil {
			updates[i].Message.ForwardDate = max(o.Message.ForwardOrigin.Date, 1)
		}
	}
	return updates, nil
}
