package bot

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// TestNoAnswer: only a call no server answered counts as an outage (its
// retries bounded by age alone); any answer, with or without Telegram's
// envelope, is a server's and keeps the budget for answers.
func TestNoAnswer(t *testing.T) {
	// release ends the handler that never answers, so its server can close.
	release := make(chan struct{})
	defer close(release)
	closed := httptest.NewServer(http.NotFoundHandler())
	refusedURL := closed.URL
	closed.Close()
	tests := []struct {
		name    string
		handler http.HandlerFunc // nil: the port is closed
		want    bool
	}{
		{"connection refused", nil, true},
		{"connection dropped", func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}, true},
		{"no answer before the client's timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}, true},
		{"envelope 500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			_, _ = w.Write([]byte(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`))
		}, false},
		{"html 502", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			_, _ = w.Write([]byte(`<html><title>502 Bad Gateway</title></html>`))
		}, false},
		{"foreign json 500", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			_, _ = w.Write([]byte(`{"error":"internal"}`))
		}, false},
		{"envelope without error_code", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`{"ok":false}`))
		}, false},
		{"200 that is not JSON", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(`<html>captive portal</html>`))
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := refusedURL
			if tt.handler != nil {
				srv := httptest.NewServer(tt.handler)
				defer func() {
					srv.CloseClientConnections()
					go srv.Close() // the hanging handler ends with the test
				}()
				url = srv.URL
			}
			client := &http.Client{Timeout: 200 * time.Millisecond}
			api := &tgbotapi.BotAPI{Token: "123456:ABCDEFGHIJ", Client: contextClient{ctx: context.Background(), client: client}}
			api.SetAPIEndpoint(url + "/bot%s/%s")
			_, err := api.Request(tgbotapi.NewMessage(1, "x"))
			if err == nil {
				t.Fatal("no error")
			}
			if class, _ := classify(err); class != failTransient {
				t.Fatalf("class %d, want temporary", class)
			}
			if got := noAnswer(err); got != tt.want {
				t.Errorf("noAnswer(%v) = %v, want %v", err, got, tt.want)
			}
			var netErr net.Error
			if tt.want && httpStatus(err) != 0 && !errors.As(err, &netErr) {
				t.Errorf("an outage with HTTP status %d", httpStatus(err))
			}
		})
	}
}
