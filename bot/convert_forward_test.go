package bot

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// getUpdates reads Bot API 7's forward_origin, of every kind, which the
// library drops; toEvent then marks the event Forwarded. The library's own
// forward fields (older servers) count too.
func TestForwardedEvents(t *testing.T) {
	msg := func(id int, extra string) string {
		return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1790000000,"from":{"id":42,"first_name":"Sri"},`+
			`"chat":{"id":42,"type":"private"},"location":{"latitude":-1.61,"longitude":103.61}%s}}`, id, id, extra)
	}
	updates := []struct {
		json      string
		forwarded bool
	}{
		{msg(1, ""), false},
		{msg(2, `,"forward_origin":{"type":"user","date":1789990000,"sender_user":{"id":43,"is_bot":false,"first_name":"Budi"}}`), true},
		{msg(3, `,"forward_origin":{"type":"hidden_user","date":1789990000,"sender_user_name":"Budi S."}`), true},
		{msg(4, `,"forward_origin":{"type":"chat","date":1789990000,"sender_chat":{"id":-100,"type":"group","title":"PSM"}}`), true},
		{msg(5, `,"forward_origin":{"type":"channel","date":0,"chat":{"id":-1001,"type":"channel","title":"Info"},"message_id":7}`), true},
		{msg(6, `,"forward_date":1789990000,"forward_sender_name":"Budi S."`), true},
		{`{"update_id":7,"callback_query":{"id":"9","from":{"id":42,"first_name":"Sri"},"message":{"message_id":8,"date":1,"chat":{"id":42,"type":"private"}},"data":"x"}}`, false},
	}
	var parts []string
	for _, u := range updates {
		parts = append(parts, u.json)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/getMe"):
			fmt.Fprint(w, `{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"Bot","username":"dinsos_test_bot"}}`)
		case strings.HasSuffix(r.URL.Path, "/getUpdates"):
			fmt.Fprint(w, `{"ok":true,"result":[`+strings.Join(parts, ",")+`]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	api, err := tgbotapi.NewBotAPIWithAPIEndpoint("123456:test-token-abcdefghijklmnopqrstuvwxyz", srv.URL+"/bot%s/%s")
	if err != nil {
		t.Fatal(err)
	}
	got, err := getUpdates(api, tgbotapi.UpdateConfig{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(updates) {
		t.Fatalf("%d updates, want %d", len(got), len(updates))
	}
	for i, u := range got {
		ev, ok := toEvent(u, "dinsos_test_bot", time.Now())
		if !ok {
			t.Fatalf("update %d not converted", u.UpdateID)
		}
		if ev.Forwarded != updates[i].forwarded {
			t.Errorf("update %d: Forwarded = %v, want %v", u.UpdateID, ev.Forwarded, updates[i].forwarded)
		}
		if i < 6 && (ev.Location == nil || ev.Location.Latitude != -1.61) {
			t.Errorf("update %d lost its location: %+v", u.UpdateID, ev.Location)
		}
	}
}
