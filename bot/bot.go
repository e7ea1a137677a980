// Package bot is the Telegram runtime: it long-polls updates, hands each to the
// flows inside one SQLite transaction, and drains the outbox to Telegram within
// its rate limits. Domain decisions live in flows; this package only talks.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/prometheus/client_golang/prometheus"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// Handler is what the runtime needs from the flows. *flows.App implements it.
type Handler interface {
	// Handle decides one update inside tx.
	Handle(tx *store.Tx, ev flows.Event) error
	// Apologize answers an update whose Handle failed.
	Apologize(tx *store.Tx, ev flows.Event) error
}

// Time-driven work (draft expiry, reminders, digests) is not part of Handler:
// a handler that declares jobs (Jobs() []flows.Job, as *flows.App does) has
// them run by the Scheduler.

// menus is implemented by handlers that have command menus to set at start.
type menus interface {
	Menus() []store.Message
}

// mediaFallbacker is implemented by handlers that word the text standing in
// for a photo, location or document Telegram would not take (*flows.App
// does); without it such a row just fails.
type mediaFallbacker interface {
	MediaFallback(tx *store.Tx, m store.Message) (store.Message, error)
}

// Config sets up the runtime. Zero fields take the documented defaults.
type Config struct {
	Token string
	// APIBase is the Bot API server, default "https://api.telegram.org"; a
	// self-hosted Bot API server or the fake in tests goes here.
	APIBase string
	// PollTimeout is getUpdates' long-poll timeout, default 50 s.
	PollTimeout time.Duration
	// MinPollInterval paces getUpdates calls that come back empty, so an API
	// that ignores the timeout cannot make the loop spin; default 500 ms.
	MinPollInterval time.Duration
	// MaxBackoff caps the exponential backoff after errors; default 30 s.
	MaxBackoff time.Duration
	// MinBackoff is the first backoff step; default 500 ms.
	MinBackoff time.Duration
	// Limits are the send rate limits.
	Limits Limits
	// SendWorkers is how many sends may be in flight at once (to different
	// chats); default 8.
	SendWorkers int
	// DrainTimeout is how long shutdown lets the sender finish; default 5 s.
	DrainTimeout time.Duration
	// RecordDelay bounds how long a send's outcome waits for the next batch
	// of updates, whose transaction records it without an fsync of its own,
	// before it is recorded with others in one of the sender's; default
	// 20 ms. A crash before then sends it again.
	RecordDelay time.Duration
	// Schedule sets up the scheduler of the handler's jobs.
	Schedule ScheduleConfig
	// Logger receives the runtime's log; default slog.Default().
	Logger *slog.Logger
	// HTTPClient is used for every Bot API call; its timeout must exceed
	// PollTimeout. Default: a client with PollTimeout+15 s.
	HTTPClient *http.Client
	// Media sets up the background download of case photos; the zero value
	// downloads nothing (see MediaConfig).
	Media MediaConfig
	// Flood is the per-user flood control; the zero value takes its defaults
	// (see FloodLimits).
	Flood FloodLimits
	// HTTP is the optional operations listener (/healthz, /metrics); the zero
	// value serves nothing (see HTTPConfig).
	HTTP HTTPConfig
	// Retry bounds how long one failing outbox row may hold its chat; zero
	// fields take the defaults (see RetryConfig).
	Retry RetryConfig
	// Watch says when delivery counts as degraded in /healthz and how often
	// the admins hear of it; zero fields take the defaults (see WatchConfig).
	Watch WatchConfig
	// FormUploads bounds the download of XLSForm workbooks admins upload;
	// zero fields take the defaults (see FormUploadConfig).
	FormUploads FormUploadConfig

	// Replica is the database's replica; nil is replication off. With it a
	// batch is confirmed to Telegram only once Replica.Confirm allows, photos
	// are copied to it, and /healthz, metrics and the admins hear of its lag
	// (replication.go).
	Replica Replica

	// BeforeCommit, when set, runs inside each batch's transaction just before
	// commit; an error aborts the batch as a crash would. For tests.
	BeforeCommit func(lastUpdateID int) error

	// Fence, when set, is closed when this machine may no longer serve the
	// bot (it lost the standby lease, see dinsosbot/store/lease): polling
	// and sending stop at once, without the drain, and Run returns
	// ErrFenced. With a fence, a 409 Conflict from getUpdates (another
	// machine polls with this token) stops them the same way and Run
	// returns ErrConflict: of two machines, neither may send while the
	// other might.
	Fence <-chan struct{}
}

// Limits are the outgoing rate limits, as Telegram documents them.
type Limits struct {
	Global         float64 // messages per second over all chats; default 30
	PerChat        float64 // messages per second to one private chat; default 1
	PerChatBurst   int     // burst to one private chat; default 1
	GroupPerMinute float64 // messages per minute to one group; default 20
}

// RetryBudget bounds the retries of one outbox row: it fails for good at its
// Attempts-th failed send, or at the first failure Age or more after its
// first one, whichever comes first.
type RetryBudget struct {
	Attempts int
	Age      time.Duration
}

// RetryConfig holds a budget per error class. Past its budget a row fails
// for good with its HTTP status and error recorded, a photo, location or
// document is sent as text instead, and the chat's next message goes.
type RetryConfig struct {
	// Temporary is for 5xx and unreadable answers, retried
	// with backoff (MinBackoff doubling to MaxBackoff); default 8 attempts,
	// 10 min. After a photo, location or document used up this budget, the
	// next rows of that kind get at most 2 attempts until one of them goes
	// through: a persistent failure costs each one a retry before its text
	// goes, not a chat's minute.
	Temporary RetryBudget
	// Flood is for 429s, retried after retry_after; default 20 attempts,
	// 30 min.
	Flood RetryBudget
	// Cosmetic is for menus and chat actions, whatever the error; default
	// 3 attempts, 2 min.
	Cosmetic RetryBudget
	// FloodWait is the wait after a 429 without retry_after; default 5 s.
	FloodWait time.Duration
	// OutageAge bounds the retries of a row whose attempts got no HTTP
	// answer at all (connection refused, timeouts, DNS): those count only
	// towards this age, from its first failure, never towards an attempts
	// budget, so an outage of Telegram or the network delays replies
	// instead of failing them; it affects every chat alike, so holding a
	// chat's queue meanwhile wedges nothing. Default 6 h.
	OutageAge time.Duration
}

// WatchConfig says when delivery is degraded and how the admins hear of it.
type WatchConfig struct {
	// PendingStale: /healthz is degraded when a reply or notice has waited
	// longer to be sent; default 2 min.
	PendingStale time.Duration
	// StuckAfter: a chat is stuck, and /healthz degraded, when its next
	// message has been failing for longer; default 2 min.
	StuckAfter time.Duration
	// CheckEvery is how often the runtime looks, to alert the admins;
	// default 30 s.
	CheckEvery time.Duration
	// AlertEvery is the least time between two alerts of one cause (a
	// method and HTTP status, or the backlog); default 1 h.
	AlertEvery time.Duration
}

func (c *Config) setDefaults() {
	if c.APIBase == "" {
		c.APIBase = "https://api.telegram.org"
	}
	if c.PollTimeout == 0 {
		c.PollTimeout = 50 * time.Second
	}
	if c.MinPollInterval == 0 {
		c.MinPollInterval = 500 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = 500 * time.Millisecond
	}
	if c.Limits.Global == 0 {
		c.Limits.Global = 30
	}
	if c.Limits.PerChat == 0 {
		c.Limits.PerChat = 1
	}
	if c.Limits.PerChatBurst == 0 {
		c.Limits.PerChatBurst = 1
	}
	if c.Limits.GroupPerMinute == 0 {
		c.Limits.GroupPerMinute = 20
	}
	if c.SendWorkers == 0 {
		c.SendWorkers = 8
	}
	if c.DrainTimeout == 0 {
		c.DrainTimeout = 5 * time.Second
	}
	if c.RecordDelay == 0 {
		c.RecordDelay = 20 * time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.PollTimeout + 15*time.Second}
	}
	defBudget := func(b *RetryBudget, attempts int, age time.Duration) {
		if b.Attempts <= 0 {
			b.Attempts = attempts
		}
		if b.Age <= 0 {
			b.Age = age
		}
	}
	defBudget(&c.Retry.Temporary, 8, 10*time.Minute)
	defBudget(&c.Retry.Flood, 20, 30*time.Minute)
	defBudget(&c.Retry.Cosmetic, 3, 2*time.Minute)
	if c.Retry.FloodWait <= 0 {
		c.Retry.FloodWait = 5 * time.Second
	}
	if c.Retry.OutageAge <= 0 {
		c.Retry.OutageAge = 6 * time.Hour
	}
	if c.Watch.PendingStale <= 0 {
		c.Watch.PendingStale = 2 * time.Minute
	}
	if c.Watch.StuckAfter <= 0 {
		c.Watch.StuckAfter = 2 * time.Minute
	}
	if c.Watch.CheckEvery <= 0 {
		c.Watch.CheckEvery = 30 * time.Second
	}
	if c.Watch.AlertEvery <= 0 {
		c.Watch.AlertEvery = time.Hour
	}
	if c.HTTP.PollStale == 0 {
		c.HTTP.PollStale = max(2*c.PollTimeout, 2*time.Minute)
	}
	if c.HTTP.Listen != "" && c.HTTP.Registry == nil {
		c.HTTP.Registry = prometheus.NewRegistry()
	}
}

// libraryLogger guards the Telegram library's logger, which is a global of the
// library: it is set once per process.
var libraryLogger sync.Once

// installLibraryLogger replaces the library's logger (which prints request URLs
// with the token in debug mode) with one that redacts tokens and writes to the
// default slog logger.
func installLibraryLogger() {
	libraryLogger.Do(func() {
		tgbotapi.SetLogger(redactingLogger{log: func(msg string) { slog.Debug("telegram library", "msg", msg) }})
	})
}

// ErrUnauthorized is returned by Run when Telegram rejects the token.
var ErrUnauthorized = errors.New("the token is invalid: Telegram answered 401 Unauthorized; check the token from @BotFather")

// ErrFenced is returned by Run when Config.Fence closed.
var ErrFenced = errors.New("fenced: this machine lost the lease to serve the bot; stopped polling and sending")

// ErrConflict is returned by Run when a fenced bot got 409 Conflict from
// getUpdates.
var ErrConflict = errors.New("conflict: Telegram answered 409 to getUpdates, another machine is polling with this token; stopped polling and sending")

// Bot is the running runtime: poller, sender and scheduler.
type Bot struct {
	cfg     Config
	db      *store.DB
	handler Handler
	log     *slog.Logger
	api     *tgbotapi.BotAPI
	sender  *sender
	flood   *floodGate // nil: flood control off
	sched   *Scheduler
	// metrics is nil when the runtime does not observe itself (HTTPConfig);
	// listener is the operations listener, nil when off.
	metrics  *metrics
	listener net.Listener
	// alerter tells the admins when delivery is stuck; nil when the
	// handler cannot.
	alerter adminAlerter
	// forms fetches uploaded XLSForm workbooks; nil when the handler takes
	// none. formWake asks its loop to look now.
	forms    formFetcher
	formWake chan struct{}
	// replAlerter tells the admins about the replica; nil when the handler
	// cannot.
	replAlerter replicationAlerter
}

// New connects to the Bot API (getMe) and returns a Bot ready to Run. The
// handler is built by newHandler once the bot's username is known (flows need
// it for deep links).
func New(ctx context.Context, cfg Config, db *store.DB, newHandler func(botUsername string) Handler) (*Bot, error) {
	cfg.setDefaults()
	installLibraryLogger()
	var m *metrics
	if cfg.HTTP.on() {
		var err error
		if m, err = newMetrics(cfg.HTTP.Registry, db, cfg.Watch.StuckAfter); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
		cfg.HTTPClient = m.observe(cfg.HTTPClient)
	}
	endpoint := cfg.APIBase + "/bot%s/%s"
	api, err := connect(ctx, cfg, endpoint)
	if err != nil {
		return nil, err
	}
	b := &Bot{cfg: cfg, db: db, handler: newHandler(api.Self.UserName), log: cfg.Logger, api: api}
	b.sender = newSender(cfg, db, cfg.Logger)
	if f, ok := b.handler.(mediaFallbacker); ok {
		b.sender.mediaFallback = f.MediaFallback
	}
	if al, ok := b.handler.(adminAlerter); ok {
		b.alerter = al
	}
	if ff, ok := b.handler.(formFetcher); ok {
		b.forms, b.formWake = ff, make(chan struct{}, 1)
	}
	b.replAlerter, _ = b.handler.(replicationAlerter)
	b.flood = newFloodGate(cfg.Flood)
	if b.sched, err = newBotScheduler(cfg, db, b.handler); err != nil {
		return nil, err
	}
	if m != nil {
		b.metrics = m
		b.sender.onGiveUp = m.gaveUp
		if b.handler, err = m.countFlows(cfg.HTTP.Registry, b.handler); err != nil {
			return nil, fmt.Errorf("metrics: %w", err)
		}
		if cfg.Replica != nil {
			if err := registerReplication(cfg.HTTP.Registry, cfg.Replica); err != nil {
				return nil, fmt.Errorf("metrics: %w", err)
			}
		}
	}
	if err := b.listen(); err != nil {
		return nil, err
	}
	db.OnCommit(func() {
		b.sender.Wake()
		if b.formWake != nil {
			select {
			case b.formWake <- struct{}{}:
			default:
			}
		}
	})
	return b, nil
}

// connect calls getMe until Telegram answers. A network error, a 5xx or a
// 429 is retried after a capped exponential backoff (MinBackoff doubling up
// to MaxBackoff, at least Telegram's retry_after), so a bot started while the
// network or Telegram is down waits instead of exiting; a 401 fails at once
// with ErrUnauthorized and any other refusal at once with its reason; ctx
// ends the wait.
func connect(ctx context.Context, cfg Config, endpoint string) (*tgbotapi.BotAPI, error) {
	backoff := newBackoff(cfg.MinBackoff, cfg.MaxBackoff)
	for attempt := 1; ; attempt++ {
		api, err := tgbotapi.NewBotAPIWithClient(cfg.Token, endpoint, contextClient{ctx: ctx, client: cfg.HTTPClient})
		if err == nil {
			return api, nil
		}
		f, retryAfter := classify(err)
		switch {
		case ctx.Err() != nil:
			return nil, fmt.Errorf("connect to the Bot API at %s: %w", cfg.APIBase, ctx.Err())
		case f == failUnauthorized:
			return nil, ErrUnauthorized
		case f != failTransient && f != failFlood:
			return nil, fmt.Errorf("connect to the Bot API at %s: %s", cfg.APIBase, Redact(err.Error()))
		}
		wait := max(backoff.next(), retryAfter)
		cfg.Logger.Warn("getMe failed; retrying", "attempt", attempt, "in", wait, "err", description(err))
		if Sleep(ctx, wait) != nil {
			return nil, fmt.Errorf("connect to the Bot API at %s: %w after %d attempts (last: %s)",
				cfg.APIBase, ctx.Err(), attempt, description(err))
		}
	}
}

// Username is the bot's Telegram username, from getMe.
func (b *Bot) Username() string { return b.api.Self.UserName }

// DB is the database the bot runs on, for tools that drive it (the demo
// publishes a form in it).
func (b *Bot) DB() *store.DB { return b.db }

// Run polls and sends until ctx is cancelled, then stops polling, lets the
// sender drain for up to DrainTimeout and returns. It returns early with an
// error when polling cannot go on (invalid token, the database failing).
func (b *Bot) Run(ctx context.Context) error {
	b.setup(ctx)

	pollCtx, stopPolling := context.WithCancel(ctx)
	defer stopPolling()
	// The sender outlives polling by DrainTimeout so replies to the last
	// updates still go out on shutdown.
	sendCtx, stopSending := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSending()

	// halted says the fence closed: sending stops now, not after a drain.
	var halted atomic.Bool
	if b.cfg.Fence != nil {
		go func() {
			select {
			case <-b.cfg.Fence:
				halted.Store(true)
				stopSending()
				stopPolling()
			case <-pollCtx.Done():
			}
		}()
	}

	var wg sync.WaitGroup
	sendDone := make(chan struct{})
	go func() {
		defer close(sendDone)
		b.sender.Run(sendCtx, withContext(sendCtx, b.api, b.cfg.HTTPClient))
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		b.sched.Run(pollCtx, b.cfg.Schedule.Manual)
	}()
	wg.Add(1)
	go func() { defer wg.Done(); b.watchDelivery(pollCtx) }()
	wg.Add(1)
	go func() { defer wg.Done(); b.setMenus(pollCtx) }()
	if b.cfg.Replica != nil {
		wg.Add(1)
		go func() { defer wg.Done(); b.watchReplication(pollCtx) }()
	}
	if b.cfg.Media.Dir != "" {
		wg.Add(1)
		go func() { defer wg.Done(); b.mediaLoop(pollCtx) }()
	}
	if b.listener != nil {
		wg.Add(1)
		go func() { defer wg.Done(); b.serveOps(pollCtx) }()
	}
	if b.forms != nil {
		wg.Add(1)
		go func() { defer wg.Done(); b.formUploadLoop(pollCtx, b.forms, b.formWake) }()
	}

	err := b.poll(pollCtx, withContext(pollCtx, b.api, b.cfg.HTTPClient))
	if errors.Is(err, ErrConflict) {
		stopSending()
	}
	stopPolling()
	wg.Wait()
	if halted.Load() {
		<-sendDone
		b.log.Error("lease lost: stopped polling and sending at once; the outbox waits for whoever serves next")
		return ErrFenced
	}
	if errors.Is(err, ErrConflict) {
		<-sendDone
		return err
	}

	drain := time.NewTimer(b.cfg.DrainTimeout)
	defer drain.Stop()
	select {
	case <-b.sender.Idle(sendCtx):
	case <-drain.C:
		b.log.Warn("shutdown: outbox not drained in time; the rest goes after restart")
	}
	stopSending()
	<-sendDone
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// setup makes the start-up call that must precede polling: a failure is
// logged and the bot runs on.
func (b *Bot) setup(ctx context.Context) {
	api := withContext(ctx, b.api, b.cfg.HTTPClient)
	// Polling and a webhook exclude each other; keep pending updates.
	if _, err := api.Request(tgbotapi.DeleteWebhookConfig{DropPendingUpdates: false}); err != nil {
		b.log.Warn("deleteWebhook failed", "err", description(err), "status", httpStatus(err))
	}
}

// setMenus sets the command menus at start, beside polling: they are
// cosmetic, so a failure is logged, not retried, and a hanging call delays
// nobody.
func (b *Bot) setMenus(ctx context.Context) {
	m, ok := b.handler.(menus)
	if !ok {
		return
	}
	for _, msg := range m.Menus() {
		c, err := b.sender.chattable(msg)
		if err == nil {
			cctx, cancel := context.WithTimeout(ctx, cosmeticTimeout)
			_, err = withContext(cctx, b.api, b.cfg.HTTPClient).Request(c)
			cancel()
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			b.log.Warn("setMyCommands failed", "chat", msg.ChatID, "status", httpStatus(err), "err", RedactPersonal(description(err)))
		}
	}
}

// Sweep runs every scheduled job whose slot is due at the database clock's
// reading (tests call it after moving the clock).
func (b *Bot) Sweep(ctx context.Context) error { return b.RunDue(ctx, b.db.Now()) }

// RunDue runs every scheduled job whose slot is due at now, as the timer would.
func (b *Bot) RunDue(ctx context.Context, now time.Time) error { return b.sched.RunDue(ctx, now) }
