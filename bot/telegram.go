package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// tokenPattern matches a bot token wherever it hides: in URLs (/bot123:ABC/),
// URL-encoded (bot123%3AABC, in a query or a proxy's error page), in
// url.Error texts, in the library's debug lines.
var tokenPattern = regexp.MustCompile(`\d{3,}(?::|%3[Aa])[A-Za-z0-9_-]{5,}`)

// Redact hides every bot token in s.
func Redact(s string) string { return tokenPattern.ReplaceAllString(s, "<token>") }

// redactingLogger is installed as the library's logger so that nothing it prints
// carries the token.
type redactingLogger struct{ log func(msg string) }

func (l redactingLogger) Println(v ...any) { l.log(Redact(fmt.Sprint(v...))) }
func (l redactingLogger) Printf(format string, v ...any) {
	l.log(Redact(fmt.Sprintf(format, v...)))
}

// contextClient binds every request the library makes to ctx, because
// tgbotapi v5 builds its requests without a context: cancelling ctx aborts a
// long poll at once instead of waiting out its timeout. Errors come back with
// the token removed, since url.Error quotes the whole URL.
type contextClient struct {
	ctx    context.Context
	client *http.Client
}

func (c contextClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.client.Do(req.WithContext(c.ctx))
	if err != nil {
		return nil, redactedError{err}
	}
	return resp, nil
}

type redactedError struct{ err error }

func (e redactedError) Error() string { return Redact(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

// withContext returns a copy of api whose requests run under ctx.
func withContext(ctx context.Context, api *tgbotapi.BotAPI, client *http.Client) *tgbotapi.BotAPI {
	c := *api
	c.Client = contextClient{ctx: ctx, client: client}
	return &c
}

// failure classifies an error from the Bot API so callers can branch on it.
type failure int

const (
	failTransient    failure = iota // network error, 5xx, unreadable answer: retry with backoff
	failFlood                       // 429: wait retry_after
	failBadRequest                  // 400: permanent
	failBlocked                     // 403: the user blocked the bot; permanent
	failUnauthorized                // 401: the token is wrong; fatal
	failConflict                    // 409: another poller or a webhook
)

// classify sorts err and returns Telegram's retry_after where given.
func classify(err error) (failure, time.Duration) {
	var tgErr *tgbotapi.Error
	if errors.As(err, &tgErr) {
		switch {
		case tgErr.Code == http.StatusTooManyRequests:
			return failFlood, time.Duration(tgErr.RetryAfter) * time.Second
		case tgErr.Code == http.StatusUnauthorized:
			return failUnauthorized, 0
		case tgErr.Code == http.StatusForbidden:
			return failBlocked, 0
		case tgErr.Code == http.StatusConflict:
			return failConflict, 0
		case tgErr.Code >= 500 || tgErr.Code == 0:
			return failTransient, 0
		default:
			return failBadRequest, 0
		}
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		// A proxy's HTML error page instead of Telegram's JSON: treat as 5xx.
		return failTransient, 0
	}
	return failTransient, 0
}

// description is Telegram's description of err, or err's text.
func description(err error) string {
	var tgErr *tgbotapi.Error
	if errors.As(err, &tgErr) {
		return tgErr.Message
	}
	return Redact(err.Error())
}
