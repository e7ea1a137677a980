package bot

import (
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// A voice note and an audio file reach the flows as the event's Audio, with
// the file id a form keeps.
func TestAudioEvents(t *testing.T) {
	msg := func(m tgbotapi.Message) tgbotapi.Update {
		m.MessageID, m.From, m.Chat = 5, &tgbotapi.User{ID: 42, FirstName: "Sri"}, &tgbotapi.Chat{ID: 42, Type: "private"}
		return tgbotapi.Update{UpdateID: 1, Message: &m}
	}
	for _, tc := range []struct {
		name  string
		u     tgbotapi.Update
		id    string
		secs  int
		voice bool
		file  string
	}{
		{"voice", msg(tgbotapi.Message{Voice: &tgbotapi.Voice{FileID: "AwV", FileUniqueID: "uv", Duration: 7, MimeType: "audio/ogg", FileSize: 900}}),
			"AwV", 7, true, ""},
		{"audio", msg(tgbotapi.Message{Audio: &tgbotapi.Audio{FileID: "AwA", FileUniqueID: "ua", Duration: 61, FileName: "wawancara.mp3"}}),
			"AwA", 61, false, "wawancara.mp3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, ok := toEvent(tc.u, "dinsos_test_bot", time.Now())
			if !ok || ev.Audio == nil {
				t.Fatalf("event %+v, ok %v: no audio", ev, ok)
			}
			if a := ev.Audio; a.FileID != tc.id || a.Duration != tc.secs || a.Voice != tc.voice || a.FileName != tc.file {
				t.Fatalf("audio %+v", a)
			}
		})
	}
	if ev, _ := toEvent(msg(tgbotapi.Message{Text: "halo"}), "dinsos_test_bot", time.Now()); ev.Audio != nil {
		t.Fatalf("text message with audio %+v", ev.Audio)
	}
}
