package telegramtest

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestRouting(t *testing.T) {
	srv := NewServer(Options{})
	defer srv.Close()
	tests := []struct {
		name, path string
		status     int
		desc       string
	}{
		{"wrong token", "/bot999:WRONG/getMe", 401, "Unauthorized"},
		{"unknown method", "/bot" + srv.Token() + "/sendMessages", 404, "Not Found"}, // and a violation
		{"no method", "/bot" + srv.Token() + "/", 404, "Not Found"},
		{"not an API path", "/getMe", 404, "Not Found"},
		{"method names ignore case", "/bot" + srv.Token() + "/GETME", 200, ""},
		{"unknown file", "/file/bot" + srv.Token() + "/photos/none.jpg", 404, "Not Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rawDo(t, srv.URL()+tt.path, "application/x-www-form-urlencoded", "")
			if r.Status != tt.status || r.Description != tt.desc || r.OK != (tt.status == 200) || (!r.OK && r.ErrorCode != tt.status) {
				t.Errorf("got %d %+v", r.Status, r)
			}
		})
	}
	if v := srv.Violations(); !slices.Equal(v, []string{"sendMessages: Not Found (no such method)"}) {
		t.Errorf("Violations = %q", v)
	}
}

// TestSpecViolations sends one bad request per rule and expects Telegram's
// 400 and description, recorded as a violation.
func TestSpecViolations(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	chatID := fmt.Sprint(u.ID())
	withKeyboard := tgbotapi.NewMessage(u.ID(), "Pilih")
	withKeyboard.ReplyMarkup = inlineKeyboard("A", "a")
	m, err := bot.Send(withKeyboard)
	if err != nil {
		t.Fatal(err)
	}
	p, err := bot.Send(tgbotapi.NewPhoto(u.ID(), tgbotapi.FileBytes{Name: "p.jpg", Bytes: testJPEG(t, 8, 8)}))
	if err != nil {
		t.Fatal(err)
	}
	d, err := bot.Send(tgbotapi.NewDocument(u.ID(), tgbotapi.FileBytes{Name: "a.txt", Bytes: []byte("a")}))
	if err != nil {
		t.Fatal(err)
	}
	msgID, photoID := fmt.Sprint(m.MessageID), p.Photo[0].FileID
	kb := func(button string) string { return `{"inline_keyboard":[[` + button + `]]}` }
	sameMarkup := kb(`{"text":"B","callback_data":"b"}`) // after "valid edit of markup"

	tests := []struct {
		name, method string
		form         url.Values
		json         string // sent as a JSON body instead of form when set
		desc         string // "" means the request is valid
	}{
		{"valid text", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"ok"}}, "", ""},
		{"valid JSON body with objects", "sendMessage", nil,
			`{"chat_id":` + chatID + `,"text":"ok","reply_markup":{"inline_keyboard":[[{"text":"B","url":"https://dinsos.jambikota.go.id"}]]},"link_preview_options":{"is_disabled":true},"reply_parameters":{"message_id":` + msgID + `}}`, ""},
		{"valid 4096 characters", "sendMessage", url.Values{"chat_id": {chatID}, "text": {strings.Repeat("é", 4096)}}, "", ""},
		{"valid 4096 after entity parsing", "sendMessage", url.Values{"chat_id": {chatID}, "parse_mode": {"HTML"}, "text": {"<b>" + strings.Repeat("x", 4096) + "</b>"}}, "", ""},
		{"valid HTML", "sendMessage", url.Values{"chat_id": {chatID}, "parse_mode": {"HTML"}, "text": {`<b>a</b><strong>b</strong><i>c</i><em>d</em><u>e</u><ins>f</ins><s>g</s><strike>h</strike><del>i</del><span class="tg-spoiler">j</span><tg-spoiler>k</tg-spoiler><a href="https://t.me/x?a=1&amp;b=2">l</a><code>m</code><pre><code class="language-go">n</code></pre><blockquote expandable>o</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &lt;&gt;&amp;&quot;&#65;&#x42; & 1`}}, "", ""},
		{"valid edit of markup", "editMessageReplyMarkup", url.Values{"chat_id": {chatID}, "message_id": {msgID}, "reply_markup": {kb(`{"text":"B","callback_data":"b"}`)}}, "", ""},

		{"missing text", "sendMessage", url.Values{"chat_id": {chatID}}, "", "Bad Request: message text is empty"},
		{"blank text", "sendMessage", url.Values{"chat_id": {chatID}, "text": {" \n "}}, "", "Bad Request: message text is empty"},
		{"missing chat_id", "sendMessage", url.Values{"text": {"x"}}, "", "Bad Request: parameter chat_id is required"},
		{"unknown parameter", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "colour": {"red"}}, "", "Bad Request: unknown parameter colour"},
		{"legacy parameter on a method without its successor", "sendChatAction", url.Values{"chat_id": {chatID}, "action": {"typing"}, "reply_to_message_id": {"1"}}, "", "Bad Request: unknown parameter reply_to_message_id"},
		{"wrong type Boolean", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "disable_notification": {"maybe"}}, "", "Bad Request: wrong type of parameter disable_notification: expected Boolean"},
		{"wrong type Integer", "deleteMessage", url.Values{"chat_id": {chatID}, "message_id": {"first"}}, "", "Bad Request: wrong type of parameter message_id: expected Integer"},
		{"wrong type Float", "sendLocation", url.Values{"chat_id": {chatID}, "latitude": {"north"}, "longitude": {"1"}}, "", "Bad Request: wrong type of parameter latitude: expected Float"},
		{"wrong type in JSON body", "sendMessage", nil, `{"chat_id":{"id":1},"text":"x"}`, "Bad Request: wrong type of parameter chat_id: expected Integer"},
		{"wrong type in an object", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "reply_markup": {kb(`{"text":1,"callback_data":"a"}`)}}, "", "Bad Request: wrong type of parameter reply_markup.inline_keyboard[0][0].text: expected String"},
		{"unknown field in an object", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "reply_markup": {kb(`{"text":"A","callback_data":"a","colour":"red"}`)}}, "", "Bad Request: unknown parameter reply_markup.inline_keyboard[0][0].colour"},
		{"text too long", "sendMessage", url.Values{"chat_id": {chatID}, "text": {strings.Repeat("x", 4097)}}, "", "Bad Request: message is too long"},
		{"text too long in UTF-16", "sendMessage", url.Values{"chat_id": {chatID}, "text": {strings.Repeat("😀", 2049)}}, "", "Bad Request: message is too long"},
		{"caption too long", "sendPhoto", url.Values{"chat_id": {chatID}, "photo": {photoID}, "caption": {strings.Repeat("x", 1025)}}, "", "Bad Request: message caption is too long"},
		{"callback_data too long", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "reply_markup": {kb(`{"text":"A","callback_data":"` + strings.Repeat("d", 65) + `"}`)}}, "", "Bad Request: BUTTON_DATA_INVALID"},
		{"callback_data empty", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "reply_markup": {kb(`{"text":"A","callback_data":""}`)}}, "", "Bad Request: BUTTON_DATA_INVALID"},
		{"malformed reply_markup", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "reply_markup": {`{"inline_keyboard":[[`}}, "", "Bad Request: can't parse reply keyboard markup JSON object"},
		{"reply_markup of no known kind", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "reply_markup": {`{"buttons":[]}`}}, "", "Bad Request: can't parse reply keyboard markup JSON object"},
		{"reply keyboard where only inline is allowed", "editMessageReplyMarkup", url.Values{"chat_id": {chatID}, "message_id": {msgID}, "reply_markup": {`{"keyboard":[[{"text":"A"}]]}`}}, "", "Bad Request: can't parse reply keyboard markup JSON object"},
		{"button without action", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "reply_markup": {kb(`{"text":"A"}`)}}, "", "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"},
		{"button with two actions", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "reply_markup": {kb(`{"text":"A","callback_data":"a","url":"https://x.org"}`)}}, "", "Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used, got url, callback_data"},
		{"bad button URL", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "reply_markup": {kb(`{"text":"A","url":"javascript:alert(1)"}`)}}, "", "Bad Request: BUTTON_URL_INVALID"},
		{"unknown HTML tag", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"a <foo>b</foo>"}, "parse_mode": {"HTML"}}, "", `Bad Request: can't parse entities: Unsupported start tag "foo" at byte offset 2`},
		{"bare < in HTML", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"1 < 2"}, "parse_mode": {"HTML"}}, "", `Bad Request: can't parse entities: Unsupported start tag "" at byte offset 2`},
		{"unclosed HTML tag", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"<b>bold"}, "parse_mode": {"HTML"}}, "", `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"misnested HTML tags", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"<b><i>x</b></i>"}, "parse_mode": {"HTML"}}, "", `Bad Request: can't parse entities: Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{"stray HTML end tag", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x</b>"}, "parse_mode": {"HTML"}}, "", `Bad Request: can't parse entities: Unexpected end tag at byte offset 1`},
		{"span without spoiler class", "sendMessage", url.Values{"chat_id": {chatID}, "text": {`<span class="red">x</span>`}, "parse_mode": {"HTML"}}, "", `Bad Request: can't parse entities: Tag "span" must have class "tg-spoiler" at byte offset 0`},
		{"unclosed HTML start tag", "sendMessage", url.Values{"chat_id": {chatID}, "text": {`<a href="x`}, "parse_mode": {"HTML"}}, "", `Bad Request: can't parse entities: Unclosed start tag at byte offset 0`},
		{"unsupported parse_mode", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "parse_mode": {"BBCode"}}, "", "Bad Request: unsupported parse_mode"},
		{"unknown chat", "sendMessage", url.Values{"chat_id": {"424242"}, "text": {"x"}}, "", "Bad Request: chat not found"},
		{"reply to a missing message", "sendMessage", url.Values{"chat_id": {chatID}, "text": {"x"}, "reply_to_message_id": {"999"}}, "", "Bad Request: message to be replied not found"},
		{"edit a missing message", "editMessageText", url.Values{"chat_id": {chatID}, "message_id": {"999"}, "text": {"x"}}, "", "Bad Request: message to edit not found"},
		{"edit without change", "editMessageText", url.Values{"chat_id": {chatID}, "message_id": {msgID}, "text": {"Pilih"}, "reply_markup": {sameMarkup}}, "", "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"},
		{"edit text of a photo", "editMessageText", url.Values{"chat_id": {chatID}, "message_id": {fmt.Sprint(p.MessageID)}, "text": {"x"}}, "", "Bad Request: there is no text in the message to edit"},
		{"edit caption of a text", "editMessageCaption", url.Values{"chat_id": {chatID}, "message_id": {msgID}, "caption": {"x"}}, "", "Bad Request: there is no caption in the message to edit"},
		{"delete a missing message", "deleteMessage", url.Values{"chat_id": {chatID}, "message_id": {"999"}}, "", "Bad Request: message to delete not found"},
		{"answer an unknown query", "answerCallbackQuery", url.Values{"callback_query_id": {"123"}}, "", "Bad Request: query is too old and response timeout expired or query ID is invalid"},
		{"unknown file_id", "getFile", url.Values{"file_id": {"nope"}}, "", "Bad Request: invalid file_id"},
		{"re-send unknown file_id", "sendPhoto", url.Values{"chat_id": {chatID}, "photo": {"nope"}}, "", "Bad Request: wrong file identifier/HTTP URL specified"},
		{"re-send a document as a photo", "sendPhoto", url.Values{"chat_id": {chatID}, "photo": {d.Document.FileID}}, "", "Bad Request: can't use file of type Document as Photo"},
		{"bad chat action", "sendChatAction", url.Values{"chat_id": {chatID}, "action": {"dancing"}}, "", "Bad Request: wrong parameter action in request"},
		{"bad command", "setMyCommands", url.Values{"commands": {`[{"command":"Lapor!","description":"x"}]`}}, "", "Bad Request: BOT_COMMAND_INVALID"},
		{"bad command scope", "setMyCommands", url.Values{"commands": {`[{"command":"a","description":"x"}]`}, "scope": {`{"type":"everyone"}`}}, "", "Bad Request: can't parse scope: unsupported BotCommandScope"},
		{"method not simulated", "sendPoll", url.Values{"chat_id": {chatID}}, "", "Bad Request: method sendPoll is not simulated by telegramtest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r rawResponse
			if tt.json != "" {
				r = rawJSON(t, srv, tt.method, tt.json)
			} else {
				r = rawPost(t, srv, tt.method, tt.form)
			}
			if tt.desc == "" {
				if r.Status != 200 || !r.OK {
					t.Fatalf("valid request refused: %d %s", r.Status, r.Description)
				}
				return
			}
			if r.Status != 400 || r.ErrorCode != 400 || r.OK || r.Description != tt.desc {
				t.Fatalf("got %d %q\nwant 400 %q", r.Status, r.Description, tt.desc)
			}
			if v := srv.Violations(); !slices.Equal(v, []string{tt.method + ": " + tt.desc}) {
				t.Errorf("violation not recorded; have %q", v)
			}
			srv.ClearViolations()
		})
	}
}

func TestDeleteWindow(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	srv, bot := newTestServer(t, Options{Now: clock.Now})
	u := srv.NewUser(UserOptions{})
	old, err := bot.Send(tgbotapi.NewMessage(u.ID(), "lama"))
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(47 * time.Hour)
	recent, err := bot.Send(tgbotapi.NewMessage(u.ID(), "baru"))
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour)
	_, err = bot.Request(tgbotapi.NewDeleteMessage(u.ID(), old.MessageID))
	if err == nil || err.Error() != "Bad Request: message can't be deleted for everyone" {
		t.Errorf("deleting a 49h old message: %v", err)
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(u.ID(), recent.MessageID)); err != nil {
		t.Errorf("deleting a 2h old message: %v", err)
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(u.ID(), recent.MessageID)); err == nil || err.Error() != "Bad Request: message to delete not found" {
		t.Errorf("deleting twice: %v", err)
	}
}
