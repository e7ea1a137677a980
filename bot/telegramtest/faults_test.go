package telegramtest

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestFaults(t *testing.T) {
	tests := []struct {
		name   string
		fault  Fault
		status int // CallsByResult key
		check  func(t *testing.T, err error)
	}{
		{"429 with retry_after", Fault{Kind: Fault429, RetryAfter: 7}, 429, func(t *testing.T, err error) {
			var e *tgbotapi.Error
			if !errors.As(err, &e) || e.Code != 429 || e.RetryAfter != 7 || e.Message != "Too Many Requests: retry after 7" {
				t.Errorf("got %v", err)
			}
		}},
		{"500", Fault{Kind: Fault500}, 500, func(t *testing.T, err error) {
			var e *tgbotapi.Error
			if !errors.As(err, &e) || e.Code != 500 {
				t.Errorf("got %v", err)
			}
		}},
		{"502 from the proxy is not JSON", Fault{Kind: Fault502}, 502, func(t *testing.T, err error) {
			var e *tgbotapi.Error
			if err == nil || errors.As(err, &e) {
				t.Errorf("got %v, want a decoding error", err)
			}
		}},
		{"hang until the client gives up", Fault{Kind: FaultHang}, 0, func(t *testing.T, err error) {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("got %v, want a client timeout", err)
			}
		}},
		{"dropped connection", Fault{Kind: FaultDrop}, 0, func(t *testing.T, err error) {
			var e *tgbotapi.Error
			if err == nil || errors.As(err, &e) {
				t.Errorf("got %v, want a transport error", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := NewServer(Options{Logf: t.Logf})
			defer srv.Close()
			bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.APIEndpoint(), &http.Client{Timeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			u := srv.NewUser(UserOptions{})
			srv.FailNext("sendMessage", 1, tt.fault)
			_, err = bot.Send(tgbotapi.NewMessage(u.ID(), "halo"))
			tt.check(t, err)
			if got := srv.CallsByResult("sendMessage"); got[tt.status] != 1 {
				t.Errorf("CallsByResult = %v, want one %d", got, tt.status)
			}
			if _, err := bot.Send(tgbotapi.NewMessage(u.ID(), "halo")); err != nil {
				t.Errorf("the call after the fault failed too: %v", err)
			}
			if n := len(u.Messages()); n != 1 {
				t.Errorf("user got %d messages, want only the one after the fault", n)
			}
			assertNoViolations(t, srv)
		})
	}
}

func TestBadGatewayBody(t *testing.T) {
	srv := NewServer(Options{})
	defer srv.Close()
	srv.FailNext("getMe", 1, Fault{Kind: Fault502})
	resp, err := http.Get(srv.URL() + "/bot" + srv.Token() + "/getMe")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 502 || !strings.Contains(string(body), "502 Bad Gateway") {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
}

func TestFaultSelection(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	srv.FailNext("", 2, Fault{Kind: Fault500})
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Errorf("getUpdates must be spared by method \"\": %v", err)
	}
	for i := range 2 {
		if _, err := bot.Send(tgbotapi.NewMessage(u.ID(), "x")); err == nil {
			t.Errorf("call %d: no fault", i)
		}
	}
	if _, err := bot.Send(tgbotapi.NewMessage(u.ID(), "x")); err != nil {
		t.Errorf("third call: %v", err)
	}

	srv.FailRate("getMe", 0.5, Fault{Kind: Fault500})
	failed := 0
	for range 200 {
		if _, err := bot.GetMe(); err != nil {
			failed++
		}
	}
	if failed < 60 || failed > 140 {
		t.Errorf("rate 0.5 failed %d of 200 calls", failed)
	}
	srv.FailRate("getMe", 0, Fault{})
	if _, err := bot.GetMe(); err != nil {
		t.Errorf("after removing the rate: %v", err)
	}
	if got := srv.CallsByResult("getMe"); got[500] != failed || srv.Calls("GETME") != 202 {
		t.Errorf("CallsByResult = %v, Calls = %d", got, srv.Calls("getMe"))
	}
	assertNoViolations(t, srv)
}

// TestCloseReleasesWaiters checks Close does not wait for long polls or
// hanging faults to time out on their own.
func TestCloseReleasesWaiters(t *testing.T) {
	srv := NewServer(Options{})
	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.APIEndpoint(), &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	srv.FailNext("sendChatAction", 1, Fault{Kind: FaultHang})
	done := make(chan error, 2)
	go func() {
		_, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 60})
		done <- err
	}()
	go func() {
		_, err := bot.Request(tgbotapi.NewChatAction(1, tgbotapi.ChatTyping))
		done <- err
	}()
	waitState(t, srv, func() bool { return srv.polling && srv.calls["sendchataction"][0] == 1 })
	start := time.Now()
	srv.Close()
	for range 2 {
		<-done
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Close took %v", took)
	}
}

func TestRateLimits(t *testing.T) {
	srv, bot := newTestServer(t, Options{
		EnforceRateLimits: true,
		Limits:            RateLimits{Global: 5, PerChat: 0.1, PerChatBurst: 2, PerGroupPerMinute: 2},
	})
	// A frozen clock keeps the buckets from refilling while the test runs.
	clock := &fakeClock{now: time.Now()}
	srv.limiter.now = clock.Now
	retryAfter := func(err error) int {
		var e *tgbotapi.Error
		if !errors.As(err, &e) || e.Code != 429 {
			t.Fatalf("got %v, want 429", err)
		}
		return e.RetryAfter
	}

	u := srv.NewUser(UserOptions{})
	first, err := bot.Send(tgbotapi.NewMessage(u.ID(), "1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(u.ID(), "2")); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Send(tgbotapi.NewMessage(u.ID(), "3"))
	if ra := retryAfter(err); ra != 10 {
		t.Errorf("per-chat retry_after = %d, want 10 (one message per 10 s)", ra)
	}
	// Edits count against the same allowance.
	_, err = bot.Send(tgbotapi.NewEditMessageText(u.ID(), first.MessageID, "1b"))
	retryAfter(err)

	g := srv.NewGroup("PSM")
	for i := range 2 {
		if _, err := bot.Send(tgbotapi.NewMessage(g.ID(), "g")); err != nil {
			t.Fatalf("group message %d: %v", i, err)
		}
	}
	_, err = bot.Send(tgbotapi.NewMessage(g.ID(), "g"))
	if ra := retryAfter(err); ra != 60 {
		t.Errorf("group retry_after = %d, want 60", ra)
	}

	// Four messages went out so far; the global bucket of 5 has one left.
	v := srv.NewUser(UserOptions{})
	if _, err := bot.Send(tgbotapi.NewMessage(v.ID(), "x")); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Send(tgbotapi.NewMessage(srv.NewUser(UserOptions{}).ID(), "x"))
	if ra := retryAfter(err); ra != 1 {
		t.Errorf("global retry_after = %d, want 1", ra)
	}
	if got := srv.CallsByResult("sendMessage"); got[429] != 3 || got[200] != 5 {
		t.Errorf("CallsByResult = %v", got)
	}

	clock.Advance(10 * time.Second)
	if _, err := bot.Send(tgbotapi.NewMessage(u.ID(), "after waiting")); err != nil {
		t.Errorf("after retry_after passed: %v", err)
	}

	srv.SetEnforceRateLimits(false)
	if srv.BotUsername() != "dinsos_test_bot" {
		t.Errorf("BotUsername = %q", srv.BotUsername())
	}
	if _, err := bot.Send(tgbotapi.NewMessage(u.ID(), "free")); err != nil {
		t.Errorf("with enforcement off: %v", err)
	}
	assertNoViolations(t, srv)
}

// TestFaultsWithoutEnvelope: the two answers a real deployment meets that
// carry no Telegram envelope, applied persistently to one method. The
// library turns the foreign JSON into an error with code 0 and no text,
// which is what the bot must cope with; the HTML page does not decode.
func TestFaultsWithoutEnvelope(t *testing.T) {
	tests := []struct {
		name        string
		fault       Fault
		status      int
		contentType string
		body        string
	}{
		{"HTML 500", Fault{Kind: FaultHTML}, 500, "text/html", "<title>500 Internal Server Error</title>"},
		{"HTML 502", Fault{Kind: FaultHTML, Status: 502}, 502, "text/html", "<title>502 Bad Gateway</title>"},
		{"foreign JSON 500", Fault{Kind: FaultForeignJSON}, 500, "application/json", `{"error":"internal"}`},
		{"foreign JSON 503", Fault{Kind: FaultForeignJSON, Status: 503}, 503, "application/json", `{"error":"internal"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, bot := newTestServer(t, Options{})
			u := srv.NewUser(UserOptions{})
			srv.FailAlways("setMyCommands", tt.fault)
			for range 3 {
				resp, err := http.Post(srv.URL()+"/bot"+srv.Token()+"/setMyCommands", "application/json",
					strings.NewReader(`{"commands":[{"command":"start","description":"Mulai"}]}`))
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tt.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.contentType) ||
					!strings.Contains(string(body), tt.body) {
					t.Errorf("got %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
				if strings.Contains(string(body), `"ok"`) || strings.Contains(string(body), "error_code") {
					t.Errorf("the body carries Telegram's envelope: %q", body)
				}
			}
			_, err := bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "start", Description: "Mulai"}))
			var e *tgbotapi.Error
			switch tt.fault.Kind {
			case FaultForeignJSON:
				if !errors.As(err, &e) || e.Code != 0 || e.Message != "" {
					t.Errorf("library error %#v, want code 0 and no text", err)
				}
			default:
				if err == nil || errors.As(err, &e) {
					t.Errorf("library error %v, want a decoding error", err)
				}
			}
			// Other methods are untouched; the rule holds until healed.
			if _, err := bot.Send(tgbotapi.NewMessage(u.ID(), "halo")); err != nil {
				t.Errorf("sendMessage under a setMyCommands rule: %v", err)
			}
			if got := srv.CallsByResult("setMyCommands"); got[tt.status] != 4 {
				t.Errorf("CallsByResult = %v, want four %d", got, tt.status)
			}
			srv.Heal("setMyCommands")
			if _, err := bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "start", Description: "Mulai"})); err != nil {
				t.Errorf("after Heal: %v", err)
			}
			assertNoViolations(t, srv)
		})
	}
}
