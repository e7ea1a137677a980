package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"dinsosbot/flows"
)

// FuzzToEvent feeds arbitrary JSON to the update → event conversion: whatever
// Telegram (or something pretending to be it) sends, toEvent must not panic,
// and an event it accepts must be well-formed for the flows.
func FuzzToEvent(f *testing.F) {
	for _, s := range []string{
		`{"update_id":1,"message":{"message_id":5,"date":1790000000,"from":{"id":42,"first_name":"Sri","language_code":"id"},"chat":{"id":42,"type":"private"},"text":"/start hadir_abc","entities":[{"type":"bot_command","offset":0,"length":6}]}}`,
		`{"update_id":2,"message":{"message_id":6,"date":1,"from":{"id":42,"first_name":"A"},"chat":{"id":-100,"type":"group"},"text":"/lapor@other_bot x"}}`,
		`{"update_id":3,"message":{"message_id":7,"date":1,"from":{"id":42,"first_name":"A"},"chat":{"id":42,"type":"private"},"text":"/LAPOR@Dinsos_Test_Bot\n  foo  "}}`,
		`{"update_id":4,"callback_query":{"id":"99","from":{"id":42,"first_name":"A"},"message":{"message_id":8,"date":1,"chat":{"id":42,"type":"private"}},"data":"f:abc234:o:psm"}}`,
		`{"update_id":5,"callback_query":{"id":"99","from":{"id":42,"first_name":"A"},"inline_message_id":"x","data":"x"}}`,
		`{"update_id":6,"my_chat_member":{"chat":{"id":42,"type":"private"},"from":{"id":42,"first_name":"A"},"date":1,"old_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"B"},"status":"member"},"new_chat_member":{"user":{"id":1,"is_bot":true,"first_name":"B"},"status":"kicked"}}}`,
		`{"update_id":7,"message":{"message_id":9,"date":1,"from":{"id":42,"first_name":"A"},"chat":{"id":42,"type":"private"},"photo":[{"file_id":"a","file_unique_id":"u","width":90,"height":60},{"file_id":"b","file_unique_id":"v","width":1280,"height":960,"file_size":12345}],"caption":"foto"}}`,
		`{"update_id":8,"message":{"message_id":10,"date":1,"from":{"id":42,"first_name":"A"},"chat":{"id":42,"type":"private"},"location":{"latitude":-1.61,"longitude":103.61},"contact":{"phone_number":"+62812","first_name":"A","user_id":42}}}`,
		`{"update_id":9,"edited_message":{"message_id":10,"date":1,"chat":{"id":42,"type":"private"},"text":"x"}}`,
		`{"update_id":10,"message":{"message_id":11,"date":1,"chat":{"id":42,"type":"private"},"text":"no sender"}}`,
		`{"update_id":11,"message":{"message_id":12,"date":-99999999999,"from":{"id":0,"first_name":""},"chat":{"id":0,"type":""},"text":"/"}}`,
		`{}`, `null`, `[]`, `{"update_id":"x"}`,
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	const botName = "dinsos_test_bot"
	f.Fuzz(func(t *testing.T, data []byte) {
		var u tgbotapi.Update
		if err := json.Unmarshal(data, &u); err != nil {
			return
		}
		ev, ok := toEvent(u, botName, now)
		if !ok {
			return
		}
		if ev.UpdateID != u.UpdateID {
			t.Errorf("UpdateID = %d, want %d", ev.UpdateID, u.UpdateID)
		}
		if ev.Date.Location() != time.UTC {
			t.Errorf("Date %v is not in UTC", ev.Date)
		}
		switch ev.Kind {
		case flows.EventMessage:
			m := u.Message
			if m == nil || m.From == nil || m.Chat == nil {
				t.Fatalf("a message event from an update without message, sender or chat: %s", data)
			}
			if ev.UserID != m.From.ID || ev.ChatID != m.Chat.ID || ev.MessageID != m.MessageID {
				t.Errorf("ids: user %d chat %d message %d, want %d %d %d", ev.UserID, ev.ChatID, ev.MessageID,
					m.From.ID, m.Chat.ID, m.MessageID)
			}
			if want := m.Text; want != "" && ev.Text != want || want == "" && ev.Text != m.Caption {
				t.Errorf("Text = %q, want the text %q or else the caption %q", ev.Text, m.Text, m.Caption)
			}
			checkCommand(t, ev, m.Text, botName)
			if len(m.Photo) > 0 {
				if ev.Photo == nil {
					t.Fatalf("photo sizes but no Photo")
				}
				for _, s := range m.Photo {
					if s.Width*s.Height > ev.Photo.Width*ev.Photo.Height {
						t.Errorf("Photo %dx%d is not the largest (%dx%d)", ev.Photo.Width, ev.Photo.Height, s.Width, s.Height)
					}
				}
			}
		case flows.EventCallback:
			q := u.CallbackQuery
			if q == nil || q.From == nil {
				t.Fatalf("a callback event from an update without callback or sender: %s", data)
			}
			if ev.UserID != q.From.ID || ev.CallbackData != q.Data || ev.CallbackID != q.ID {
				t.Errorf("callback fields differ: %+v from %+v", ev, q)
			}
			if ev.ChatID == 0 && q.From.ID != 0 {
				t.Errorf("a callback without a chat to answer in")
			}
			if !ev.Date.Equal(now) {
				t.Errorf("callback Date = %v, want the handling time", ev.Date)
			}
			if ev.Command != "" {
				t.Errorf("a callback with a command %q", ev.Command)
			}
		case flows.EventMember:
			if u.MyChatMember == nil {
				t.Fatalf("a member event without my_chat_member: %s", data)
			}
			if ev.MemberStatus != u.MyChatMember.NewChatMember.Status {
				t.Errorf("MemberStatus = %q", ev.MemberStatus)
			}
		default:
			t.Fatalf("accepted an event of kind %d", ev.Kind)
		}
	})
}

// checkCommand: a command is the lower-cased first word after "/", without
// "@bot" and without spaces; Args are trimmed; a command for another bot is
// not one.
func checkCommand(t *testing.T, ev flows.Event, text, botName string) {
	t.Helper()
	if ev.Command == "" {
		if ev.Args != "" {
			t.Errorf("Args %q without a command", ev.Args)
		}
		return
	}
	if !strings.HasPrefix(text, "/") {
		t.Errorf("command %q from text %q without a slash", ev.Command, text)
	}
	if ev.Command != strings.ToLower(ev.Command) {
		t.Errorf("command %q is not lower case", ev.Command)
	}
	if strings.ContainsFunc(ev.Command, func(r rune) bool { return r == '@' || r == ' ' || r == '\n' || r == '\t' }) {
		t.Errorf("command %q holds a separator", ev.Command)
	}
	if ev.Args != strings.TrimFunc(ev.Args, unicode.IsSpace) {
		t.Errorf("Args %q not trimmed", ev.Args)
	}
	if _, at, ok := strings.Cut(strings.Fields(text + " x")[0], "@"); ok && !strings.EqualFold(at, botName) {
		t.Errorf("command %q taken from a message for @%s", ev.Command, at)
	}
}
