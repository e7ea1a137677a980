package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const waitTimeout = 5 * time.Second

// newTestServer starts a server whose violations fail the test unless the
// test clears them, and a real go-telegram-bot-api client talking to it.
func newTestServer(t *testing.T, opts Options) (*Server, *tgbotapi.BotAPI) {
	t.Helper()
	if opts.Logf == nil {
		opts.Logf = t.Logf
	}
	srv := NewServer(opts)
	t.Cleanup(srv.Close)
	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.APIEndpoint(), &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("NewBotAPIWithClient: %v", err)
	}
	return srv, bot
}

func assertNoViolations(t *testing.T, srv *Server) {
	t.Helper()
	if v := srv.Violations(); len(v) > 0 {
		t.Errorf("violations:\n%s", strings.Join(v, "\n"))
	}
}

type rawResponse struct {
	Status      int
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// rawPost sends what the library cannot produce: form values as given.
func rawPost(t *testing.T, srv *Server, method string, form url.Values) rawResponse {
	t.Helper()
	return rawDo(t, srv.URL()+"/bot"+srv.Token()+"/"+method, "application/x-www-form-urlencoded", form.Encode())
}

func rawJSON(t *testing.T, srv *Server, method string, body string) rawResponse {
	t.Helper()
	return rawDo(t, srv.URL()+"/bot"+srv.Token()+"/"+method, "application/json", body)
}

func rawDo(t *testing.T, u, contentType, body string) rawResponse {
	t.Helper()
	resp, err := http.Post(u, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var r rawResponse
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("POST %s: response %d is not JSON: %q", u, resp.StatusCode, b)
	}
	r.Status = resp.StatusCode
	return r
}

func testJPEG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func download(t *testing.T, srv *Server, bot *tgbotapi.BotAPI, fileID string) []byte {
	t.Helper()
	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: fileID})
	if err != nil {
		t.Fatalf("getFile: %v", err)
	}
	resp, err := http.Get(fmt.Sprintf(srv.FileEndpoint(), srv.Token(), f.FilePath))
	if err != nil {
		t.Fatalf("download: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("download %s: status %d", f.FilePath, resp.StatusCode)
	}
	b, _ := io.ReadAll(resp.Body)
	return b
}

func inlineKeyboard(pairs ...string) tgbotapi.InlineKeyboardMarkup {
	var row []tgbotapi.InlineKeyboardButton
	for i := 0; i+1 < len(pairs); i += 2 {
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(pairs[i], pairs[i+1]))
	}
	return tgbotapi.NewInlineKeyboardMarkup(row)
}

// pollOnce fetches pending updates without waiting.
func pollOnce(t *testing.T, bot *tgbotapi.BotAPI, offset int) []tgbotapi.Update {
	t.Helper()
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: offset})
	if err != nil {
		t.Fatalf("getUpdates: %v", err)
	}
	return ups
}

// waitState waits until cond, evaluated under the server lock, holds.
func waitState(t *testing.T, srv *Server, cond func() bool) {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		srv.mu.Lock()
		ok, changed := cond(), srv.changed
		srv.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-timer.C:
			t.Fatal("state not reached in time")
		}
	}
}
