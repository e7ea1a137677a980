// Package telegramtest is a strict fake of the Telegram Bot API served over
// real HTTP on loopback, with simulated users, spec validation, rate limits
// and fault injection. Telegram is unreachable from where the bot is built and
// tested, so this server is how the bot meets "Telegram" in tests and demos;
// it rejects what Telegram would reject (and a little more), because a fake
// that accepts anything proves nothing.
//
// A Server is safe for concurrent use; so are Users and Groups.
package telegramtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	Token             string // default "123456:TEST-TOKEN"
	BotUsername       string // default "dinsos_test_bot"; getMe returns it with ID 1000000
	EnforceRateLimits bool   // answer 429 + retry_after when the bot sends faster than Limits
	Limits            RateLimits
	// Now is the clock for message dates, callback query expiry and the
	// 48-hour deletion window; default time.Now. Rate limits always use the
	// real clock so a frozen test clock cannot starve them.
	Now  func() time.Time
	Logf func(format string, args ...any) // optional, e.g. t.Logf
}

// RateLimits are the sending rates Telegram documents. Zero fields take the
// defaults.
type RateLimits struct {
	Global            float64 // messages per second over all chats, default 30
	PerChat           float64 // messages per second in one private chat, default 1
	PerChatBurst      int     // burst allowed in one private chat, default 3
	PerGroupPerMinute float64 // messages per minute in one group, default 20
}

const (
	defaultToken       = "123456:TEST-TOKEN"
	defaultBotUsername = "dinsos_test_bot"
	botUserID          = 1000000
	firstUserID        = 5000001
	firstGroupID       = -4000001
	firstUpdateID      = 700000001
	maxRequestBytes    = 64 << 20
)

// Server is a fake Telegram Bot API server. Create it with NewServer and stop
// it with Close.
type Server struct {
	opts   Options
	hs     *httptest.Server
	closed chan struct{}
	once   sync.Once

	mu sync.Mutex
	// changed is closed and replaced on every state change, so long polls
	// and WaitFor wake without sleeping.
	changed chan struct{}

	chats       map[int64]*chat
	users       map[int64]*User
	nextUserID  int64
	nextGroupID int64

	updates           []update
	nextUpdateID      int
	allowedUpdates    map[string]bool // nil: Telegram's default set
	polling           bool
	ignorePollTimeout bool
	// confirmedUpTo is the highest update_id a getUpdates offset confirmed;
	// rewound the most confirmed updates one poll asked for again
	// (polling.go).
	confirmedUpTo, rewound int
	webhookURL             string

	queries   map[string]*callbackQuery
	nextQuery int64

	files       map[string]*storedFile // by file_id
	filesByPath map[string]*storedFile
	nextFile    int

	commands map[string][]BotCommand

	faults  faultTable
	limiter *rateLimiter

	calls      map[string]map[int]int   // lower-case method -> HTTP status -> count
	chatCalls  map[int64]map[string]int // chat id -> lower-case method -> count
	violations []string
}

// NewServer starts a server listening on 127.0.0.1 with a random port.
func NewServer(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = defaultToken
	}
	if opts.BotUsername == "" {
		opts.BotUsername = defaultBotUsername
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Limits = opts.Limits.withDefaults()
	s := &Server{
		opts:         opts,
		closed:       make(chan struct{}),
		changed:      make(chan struct{}),
		chats:        map[int64]*chat{},
		users:        map[int64]*User{},
		nextUserID:   firstUserID,
		nextGroupID:  firstGroupID,
		nextUpdateID: firstUpdateID,
		queries:      map[string]*callbackQuery{},
		nextQuery:    4400000000000000001,
		files:        map[string]*storedFile{},
		filesByPath:  map[string]*storedFile{},
		commands:     map[string][]BotCommand{},
		faults:       newFaultTable(),
		limiter:      newRateLimiter(opts.EnforceRateLimits, opts.Limits),
		calls:        map[string]map[int]int{},
		chatCalls:    map[int64]map[string]int{},
	}
	s.hs = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

// Close releases hanging long polls and held requests, then waits for every
// in-flight request to finish.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closed)
		s.hs.Close()
	})
}

// URL is the server's base URL, "http://127.0.0.1:PORT", without a trailing slash.
func (s *Server) URL() string { return s.hs.URL }

// APIEndpoint is the format string tgbotapi.NewBotAPIWithAPIEndpoint expects.
func (s *Server) APIEndpoint() string { return s.hs.URL + "/bot%s/%s" }

// FileEndpoint is the format string of file download links (token, file_path).
func (s *Server) FileEndpoint() string { return s.hs.URL + "/file/bot%s/%s" }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// BotUsername is the username getMe reports.
func (s *Server) BotUsername() string { return s.opts.BotUsername }

func (s *Server) now() time.Time { return s.opts.Now() }

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf("telegramtest: "+format, args...)
	}
}

// notifyLocked wakes everyone waiting for a state change. s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) botUser() wireUser {
	return wireUser{ID: botUserID, IsBot: true, FirstName: "Dinsos Test Bot", Username: s.opts.BotUsername}
}

// serveHTTP routes /bot<token>/<method> and /file/bot<token>/<path>.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	// Reading the whole body first lets the server notice a client that gives
	// up (its context is cancelled only once the body is consumed), which
	// long polls and hanging faults depend on.
	body, err := readBody(r)
	if err != nil {
		writeError(w, &apiError{Code: 400, Description: "Bad Request: " + err.Error()})
		return
	}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		s.serveFile(w, rest)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	if !ok {
		writeError(w, errNotFound)
		return
	}
	token, method, ok := strings.Cut(rest, "/")
	if !ok || method == "" || strings.Contains(method, "/") {
		writeError(w, errNotFound)
		return
	}
	key := strings.ToLower(method)
	if token != s.opts.Token {
		s.record(key, 401)
		writeError(w, errUnauthorized)
		return
	}
	s.serveMethod(w, r, key, body)
}

func (s *Server) serveMethod(w http.ResponseWriter, r *http.Request, key string, body []byte) {
	name, known := specMethodNames[key]
	if !known {
		// Telegram answers 404 too; it is still the bot's mistake, so it
		// counts as a violation.
		s.mu.Lock()
		s.recordLocked(key, 404)
		s.violations = append(s.violations, r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]+": Not Found (no such method)")
		s.mu.Unlock()
		s.logf("%s -> 404 Not Found", key)
		writeError(w, errNotFound)
		return
	}
	if f, ok := s.takeFault(key); ok {
		s.applyFault(w, r, name, f)
		return
	}
	result, aerr := s.dispatch(r, name, body)
	if aerr != nil {
		s.fail(name, aerr)
		writeError(w, aerr)
		return
	}
	s.record(key, 200)
	s.logf("%s -> 200", name)
	writeResult(w, result)
}

func (s *Server) dispatch(r *http.Request, name string, body []byte) (any, *apiError) {
	h, ok := handlers[name]
	if !ok {
		return nil, badRequest("method %s is not simulated by telegramtest", name)
	}
	p, aerr := parseParams(r, body)
	if aerr != nil {
		return nil, aerr
	}
	s.mu.Lock()
	s.recordChatLocked(name, p)
	s.mu.Unlock()
	if aerr := checkParams(name, p); aerr != nil {
		return nil, aerr
	}
	return h(s, &call{ctx: r.Context(), method: name, p: p})
}

// fail counts a refused call; every 400 is a violation the bot's tests should
// never see.
func (s *Server) fail(method string, e *apiError) {
	s.mu.Lock()
	s.recordLocked(strings.ToLower(method), e.Code)
	if e.Code == 400 {
		s.violations = append(s.violations, method+": "+e.Description)
	}
	s.mu.Unlock()
	s.logf("%s -> %d %s", method, e.Code, e.Description)
}

func (s *Server) record(key string, status int) {
	s.mu.Lock()
	s.recordLocked(key, status)
	s.mu.Unlock()
}

func (s *Server) recordLocked(key string, status int) {
	m := s.calls[key]
	if m == nil {
		m = map[int]int{}
		s.calls[key] = m
	}
	m[status]++
	s.notifyLocked()
}
