package bot

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// TestAnswersWithoutEnvelope: whatever answers at the Bot API's address, the
// error the sender classifies keeps the HTTP status and a short, readable,
// redacted excerpt of the body, and its class follows the status: 4xx
// permanent, 429 a wait, 5xx and the rest temporary.
func TestAnswersWithoutEnvelope(t *testing.T) {
	long := strings.Repeat("é", 300)
	tests := []struct {
		name        string
		status      int
		contentType string
		header      map[string]string
		body        string
		ok          bool
		class       failure
		retryAfter  time.Duration
		desc        string // wanted in description(err)
	}{
		{"ok", 200, "application/json", nil, `{"ok":true,"result":true}`, true, 0, 0, ""},
		{"envelope 400", 400, "application/json", nil,
			`{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, false, failBadRequest, 0,
			"Bad Request: chat not found"},
		{"envelope 429", 429, "application/json", nil,
			`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`,
			false, failFlood, 7 * time.Second, "retry after 7"},
		{"envelope 500", 500, "application/json", nil,
			`{"ok":false,"error_code":500,"description":"Internal Server Error"}`, false, failTransient, 0, "Internal Server Error"},
		{"envelope 403 blocked", 403, "application/json", nil,
			`{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`, false, failBlocked, 0, "blocked"},
		{"html 502", 502, "text/html", nil,
			"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center></body></html>",
			false, failTransient, 0, "no Telegram envelope: 502 Bad Gateway 502 Bad Gateway"},
		{"html 500", 500, "text/html", nil, "<html><title>500 Internal Server Error</title></html>", false, failTransient, 0,
			"500 Internal Server Error"},
		{"foreign json 500", 500, "application/json", nil, `{"error":"internal"}`, false, failTransient, 0,
			`no Telegram envelope: {"error":"internal"}`},
		{"envelope without error_code", 500, "application/json", nil, `{"ok":false}`, false, failTransient, 0, `{"ok":false}`},
		{"foreign json 404: unknown method", 404, "application/json", nil, `{"error":"no such method"}`, false,
			failBadRequest, 0, "no such method"},
		{"html 403 from a proxy is not a block", 403, "text/html", nil, "<h1>Forbidden</h1>", false, failBadRequest, 0, "Forbidden"},
		{"429 without envelope, Retry-After", 429, "text/plain", map[string]string{"Retry-After": "9"}, "slow down",
			false, failFlood, 9 * time.Second, "slow down"},
		{"429 without envelope or Retry-After", 429, "text/plain", nil, "slow down", false, failFlood, 0, "slow down"},
		{"200 that is not JSON", 200, "text/html", nil, "<html>captive portal</html>", false, failTransient, 0, "captive portal"},
		{"empty 503", 503, "text/plain", nil, "", false, failTransient, 0, "empty body"},
		{"a token in the body is redacted", 500, "text/plain", nil, "upstream /bot123456:ABCDEFGHIJ/sendPhoto failed",
			false, failTransient, 0, "/bot<token>/sendPhoto"},
		{"a long body is cut", 500, "text/plain", nil, long, false, failTransient, 0, "éé…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			api := &tgbotapi.BotAPI{Token: "123456:ABCDEFGHIJ", Client: contextClient{ctx: context.Background(), client: srv.Client()}}
			api.SetAPIEndpoint(srv.URL + "/bot%s/%s")
			_, err := api.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "start", Description: "Mulai"}))
			if tt.ok {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			class, retryAfter := classify(err)
			desc := description(err)
			if class != tt.class || retryAfter != tt.retryAfter || httpStatus(err) != tt.status || !strings.Contains(desc, tt.desc) {
				t.Errorf("class %d, retry_after %v, status %d, description %q; want %d, %v, %d, %q",
					class, retryAfter, httpStatus(err), desc, tt.class, tt.retryAfter, tt.status, tt.desc)
			}
			if strings.ContainsAny(strings.ReplaceAll(desc, "<token>", ""), "<>") || strings.Contains(desc, "ABCDEFGHIJ") || len(desc) > maxExcerpt+40 {
				t.Errorf("description %q keeps tags, the token, or is too long (%d bytes)", desc, len(desc))
			}
		})
	}
}

// TestCosmeticLane: a chat's menu never holds its messages back, or the
// other way round; menus go one at a time, each chat's in order, and a 429
// on a menu does not cool the chat down.
func TestCosmeticLane(t *testing.T) {
	menu := func(id, chat int64) store.OutboxRow {
		return store.OutboxRow{ID: id, Message: store.Message{Kind: store.KindSetCommands, ChatID: chat, Scope: "chat"}}
	}
	text := func(id, chat int64) store.OutboxRow {
		return store.OutboxRow{ID: id, Message: store.Message{Kind: store.KindSend, ChatID: chat, Text: "x"}}
	}
	q := &sendQueue{chats: map[int64]*chatState{},
		newLimiter: func(int64) *rate.Limiter { return rate.NewLimiter(rate.Inf, 1) }}
	// Chat 1: a menu, then a message. Chat 2: a menu retried later, a
	// newer menu, and a message.
	later := menu(3, 2)
	later.NotBefore = time.Now().Add(time.Hour)
	q.rows = []store.OutboxRow{menu(1, 1), text(2, 1), later, menu(4, 2), text(5, 2)}
	var sent []int64
	dispatch := func() {
		q.dispatch(time.Now(), 8, func(j job) { sent = append(sent, j.row.ID) })
	}
	dispatch()
	if want := []int64{1, 2, 5}; !equalIDs(sent, want) {
		t.Fatalf("dispatched %v, want %v: the messages beside the menu, one menu at a time", sent, want)
	}
	// The first menu answers 429: the lane frees, chat 1 is not cooled down.
	q.done(result{row: menu(1, 1), flood: time.Minute})
	q.done(result{row: text(2, 1)})
	q.done(result{row: text(5, 2)})
	if c := q.chats[1]; c.cooldown.After(time.Now()) || c.cosmeticID != 0 || q.cosmetic != 0 {
		t.Errorf("after a menu's 429: chat state %+v, lane %d", c, q.cosmetic)
	}
	q.rows = append(q.rows, text(6, 1))
	sent = nil
	dispatch()
	// Chat 2's newer menu waits for the older one (not due yet): menus of a
	// chat land in order. Chat 1's message goes at once.
	if want := []int64{6}; !equalIDs(sent, want) {
		t.Errorf("dispatched %v, want %v", sent, want)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// recordingAlerter records the alerts the runtime gives the admins.
type recordingAlerter struct {
	mu      sync.Mutex
	alerts  []flows.DeliveryAlert
	admins  []int64
	skipped []int64
}

func (r *recordingAlerter) AlertAdmins(_ *store.Tx, al flows.DeliveryAlert, skip func(int64) bool) (sent, skipped []int64, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alerts = append(r.alerts, al)
	for _, id := range r.admins {
		if skip(id) {
			skipped = append(skipped, id)
			r.skipped = append(r.skipped, id)
		} else {
			sent = append(sent, id)
		}
	}
	return sent, skipped, nil
}

// TestDeliveryAlertsOncePerCause: each cause (a method failing with a
// status, or a backlog) is told once per AlertEvery on the store's clock,
// counting the chats and messages it holds; an admin whose chat is the stuck
// one is skipped.
func TestDeliveryAlertsOncePerCause(t *testing.T) {
	now := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	al := &recordingAlerter{admins: []int64{10, 20}}
	cfg := Config{}
	cfg.setDefaults()
	b := &Bot{cfg: cfg, db: db, log: slog.New(slog.DiscardHandler), alerter: al}
	alerted := map[string]time.Time{}
	check := func() []flows.DeliveryAlert {
		t.Helper()
		al.mu.Lock()
		al.alerts = nil
		al.mu.Unlock()
		if err := b.checkDelivery(context.Background(), alerted); err != nil {
			t.Fatal(err)
		}
		return al.alerts
	}
	enqueue := func(m store.Message, fail *store.SendOutcome) {
		t.Helper()
		var id int64
		if err := db.Update(context.Background(), func(tx *store.Tx) error {
			var err error
			id, err = tx.Enqueue(m)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if fail != nil {
			fail.ID, fail.Status = id, store.StatusPending
			if err := db.RecordSends(context.Background(), []store.SendOutcome{*fail}); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Admin 10's photo fails with 500, a reply waits behind it; a menu
	// fails too, which holds nobody back.
	enqueue(store.Message{Kind: store.KindPhoto, ChatID: 10, FileID: "f"}, &store.SendOutcome{HTTPStatus: 500, Error: "no Telegram envelope: boom"})
	enqueue(store.Message{ChatID: 10, Text: "balasan"}, nil)
	enqueue(store.Message{Kind: store.KindSetCommands, ChatID: 30, Scope: "chat"}, &store.SendOutcome{HTTPStatus: 500, Error: "x"})
	if got := check(); len(got) != 0 {
		t.Fatalf("alerts before the threshold: %+v", got)
	}
	now = now.Add(3 * time.Minute)
	got := check()
	if len(got) != 1 || got[0].Method != "sendPhoto" || got[0].Status != 500 || got[0].Chats != 1 || got[0].Waiting != 2 ||
		got[0].Error != "no Telegram envelope: boom" || got[0].Since != 3*time.Minute {
		t.Fatalf("alerts %+v, want one for sendPhoto 500, 1 chat, 2 waiting, 3 min", got)
	}
	if !equalIDs(al.skipped, []int64{10}) {
		t.Errorf("skipped admins %v, want the stuck one, 10", al.skipped)
	}
	now = now.Add(time.Minute)
	if got := check(); len(got) != 0 {
		t.Errorf("the same cause alerted again within the hour: %+v", got)
	}
	// Another cause in another chat is told at once, on its own.
	enqueue(store.Message{Kind: store.KindLocation, ChatID: 40, Latitude: 1, Longitude: 2},
		&store.SendOutcome{HTTPStatus: 502, Error: "bad gateway"})
	now = now.Add(3 * time.Minute)
	if got := check(); len(got) != 1 || got[0].Method != "sendLocation" || got[0].Status != 502 {
		t.Errorf("alerts %+v, want one for sendLocation 502", got)
	}
	now = now.Add(time.Hour)
	if got := check(); len(got) != 2 {
		t.Errorf("after an hour: %d alerts, want both causes again", len(got))
	}

	// A backlog without failures: told as such.
	if _, err := db.SQL().Exec(`UPDATE outbox SET status = 'sent' WHERE status = 'pending'`); err != nil {
		t.Fatal(err)
	}
	enqueue(store.Message{ChatID: 50, Text: "lama"}, nil)
	now = now.Add(3 * time.Minute)
	if got := check(); len(got) != 1 || got[0].Method != "" || got[0].Waiting != 1 || got[0].Since != 3*time.Minute {
		t.Errorf("alerts %+v, want one backlog alert", got)
	}
}
