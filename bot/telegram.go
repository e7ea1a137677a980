package bot

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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
	return checkAnswer(req, resp)
}

// httpError is a Bot API answer without Telegram's envelope: a proxy's HTML
// error page, an old self-hosted Bot API server's own JSON, a 200 that is not
// JSON. The library would turn it into an error with code 0 and no text, or
// a JSON syntax error, losing the status; this keeps it for classify and the
// log.
type httpError struct {
	Method string
	Status int
	// Excerpt is the start of the body, with tags and runs of spaces
	// removed and tokens redacted.
	Excerpt string
	// RetryAfter is the Retry-After header of a 429, when given.
	RetryAfter time.Duration
}

func (e *httpError) Error() string {
	if e.Excerpt == "" {
		return fmt.Sprintf("%s: HTTP %d without Telegram's envelope, empty body", e.Method, e.Status)
	}
	return fmt.Sprintf("%s: HTTP %d without Telegram's envelope: %s", e.Method, e.Status, e.Excerpt)
}

// maxErrorBody bounds how much of an error answer is read: Telegram's are a
// few hundred bytes, a proxy's page a few kilobytes.
const maxErrorBody = 64 << 10

// maxExcerpt is how much of a body the log and the outbox keep.
const maxExcerpt = 200

// checkAnswer passes Telegram's answers on to the library and turns the
// others into an *httpError. Done here, in the library's HTTPClient and not in
// a RoundTripper, because a RoundTripper must return a response whatever its
// status; the library calls Do for every method, uploads included.
func checkAnswer(req *http.Request, resp *http.Response) (*http.Response, error) {
	method := req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:]
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// Only the start is looked at: getUpdates answers can be large.
		br := bufio.NewReaderSize(resp.Body, 512)
		head, perr := br.Peek(512)
		if first := bytes.TrimLeft(head, " \t\r\n"); len(first) > 0 && first[0] == '{' {
			resp.Body = struct {
				io.Reader
				io.Closer
			}{br, resp.Body}
			return resp, nil
		}
		resp.Body.Close()
		if perr != nil && !errors.Is(perr, io.EOF) {
			return nil, redactedError{fmt.Errorf("%s: reading the answer: %w", method, perr)}
		}
		return nil, &httpError{Method: method, Status: resp.StatusCode, Excerpt: excerpt(head)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	resp.Body.Close()
	if err != nil {
		return nil, redactedError{fmt.Errorf("%s: HTTP %d, reading the body: %w", method, resp.StatusCode, err)}
	}
	var env struct {
		OK        *bool `json:"ok"`
		ErrorCode int   `json:"error_code"`
	}
	if json.Unmarshal(body, &env) == nil && env.OK != nil && !*env.OK && env.ErrorCode != 0 {
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil
	}
	e := &httpError{Method: method, Status: resp.StatusCode, Excerpt: excerpt(body)}
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
		e.RetryAfter = time.Duration(s) * time.Second
	}
	return nil, e
}

var (
	tagPattern   = regexp.MustCompile(`<[^>]*>`)
	spacePattern = regexp.MustCompile(`\s+`)
)

// excerpt makes the start of a body fit for a log line and the outbox: tags
// dropped (an error page's words stay), spaces collapsed, tokens redacted,
// at most maxExcerpt bytes of valid UTF-8.
func excerpt(body []byte) string {
	s := strings.ToValidUTF8(string(body), "?")
	if strings.HasPrefix(strings.TrimSpace(s), "<") {
		s = tagPattern.ReplaceAllString(s, " ")
	}
	s = strings.TrimSpace(spacePattern.ReplaceAllString(s, " "))
	s = Redact(s)
	if len(s) > maxExcerpt {
		cut := maxExcerpt
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
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
	var he *httpError
	if errors.As(err, &he) {
		switch {
		case he.Status == http.StatusTooManyRequests:
			return failFlood, he.RetryAfter
		case he.Status >= 400 && he.Status < 500:
			// A 4xx without Telegram's envelope is refused by whatever
			// answers there (an unknown method, a proxy rule); asking again
			// gets the same answer. Not failUnauthorized: a proxy's 401
			// says nothing about the token.
			return failBadRequest, 0
		default:
			return failTransient, 0
		}
	}
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
	var he *httpError
	if errors.As(err, &he) {
		// The status goes apart (httpStatus), into its own column and
		// log attribute.
		if he.Excerpt == "" {
			return "no Telegram envelope, empty body"
		}
		return "no Telegram envelope: " + he.Excerpt
	}
	var tgErr *tgbotapi.Error
	if errors.As(err, &tgErr) {
		if tgErr.Message == "" {
			return fmt.Sprintf("error_code %d without a description", tgErr.Code)
		}
		return tgErr.Message
	}
	return Redact(err.Error())
}

// httpStatus is the HTTP status of a failed call: Telegram's error_code, the
// status of an answer without the envelope, 0 when there was no answer.
func httpStatus(err error) int {
	var he *httpError
	if errors.As(err, &he) {
		return he.Status
	}
	var tgErr *tgbotapi.Error
	if errors.As(err, &tgErr) {
		return tgErr.Code
	}
	return 0
}
