package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// HTTPConfig sets up the optional operations listener. The zero value serves
// nothing.
type HTTPConfig struct {
	// Listen is the address of the listener ("127.0.0.1:9090"; ":0" picks a
	// port, see Bot.HTTPAddr); "" turns it off.
	Listen string
	// Registry receives the runtime's metrics and is what /metrics serves;
	// default a new registry of the runtime's own (never the global default).
	// A registry without Listen still collects: the caller serves it.
	Registry *prometheus.Registry
	// PollStale: /healthz answers 503 when no getUpdates has succeeded for
	// longer (counted from start before the first); default
	// max(2×PollTimeout, 2 min).
	PollStale time.Duration
}

// on reports whether the runtime observes itself at all.
func (c HTTPConfig) on() bool { return c.Listen != "" || c.Registry != nil }

// Health is the body of /healthz.
type Health struct {
	// OK is true when the database answers, polling is not stale, no chat
	// is stuck and no reply waits too long.
	OK bool `json:"ok"`
	// Database is "ok" or why the database did not answer.
	Database string `json:"database"`
	// LastPollSeconds is the time since the last successful getUpdates (since
	// start when none succeeded yet); Polled says whether one has.
	LastPollSeconds float64 `json:"last_poll_seconds"`
	Polled          bool    `json:"polled"`
	// OutboxPending is the outbox backlog; OutboxOldestSeconds the age of its
	// oldest row (0 when empty).
	OutboxPending       int     `json:"outbox_pending"`
	OutboxOldestSeconds float64 `json:"outbox_oldest_seconds"`
	// OutboxOldestReplySeconds is the age of the oldest pending reply or
	// notice (broadcasts, which drain over minutes by design, and menus
	// aside): above Watch.PendingStale, OK is false.
	OutboxOldestReplySeconds float64 `json:"outbox_oldest_reply_seconds"`
	// StuckChats lists the chats whose next message has been failing for
	// longer than Watch.StuckAfter; any makes OK false.
	StuckChats []StuckChat `json:"stuck_chats,omitempty"`
	// Replication is the replica's state; nil when replication is off.
	Replication *ReplicationHealth `json:"replication,omitempty"`
	// Problems says in words why OK is false.
	Problems []string `json:"problems,omitempty"`
}

// StuckChat is a chat whose next message keeps failing, as /healthz shows it.
type StuckChat struct {
	ChatID int64 `json:"chat_id"`
	// Method, HTTPStatus, Error and Attempts are the failing message's: the
	// Bot API method, the last answer's status (0: no answer), its
	// description or body excerpt, how often it was tried.
	Method     string `json:"method"`
	HTTPStatus int    `json:"http_status"`
	Error      string `json:"error"`
	Attempts   int    `json:"attempts"`
	// FailingSeconds is how long it has been failing; Waiting counts the
	// chat's messages held behind it, itself included.
	FailingSeconds float64 `json:"failing_seconds"`
	Waiting        int     `json:"waiting"`
}

func (c StuckChat) problem() string {
	answer := "no answer"
	if c.HTTPStatus != 0 {
		answer = fmt.Sprintf("HTTP %d", c.HTTPStatus)
	}
	return fmt.Sprintf("chat %d stuck for %s: %s answered %s (%s) %d times; %d messages waiting", c.ChatID,
		(time.Duration(c.FailingSeconds) * time.Second).Round(time.Second), c.Method, answer, c.Error, c.Attempts, c.Waiting)
}

// Health checks the runtime now: what /healthz answers.
func (b *Bot) Health(ctx context.Context) Health {
	h := Health{OK: true, Database: "ok"}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := b.db.Ping(ctx); err != nil {
		h.OK, h.Database = false, err.Error()
		h.Problems = append(h.Problems, "the database does not answer")
	} else if d, err := b.db.Delivery(b.cfg.Watch.StuckAfter); err != nil {
		h.OK, h.Database = false, err.Error()
		h.Problems = append(h.Problems, "the outbox cannot be read")
	} else {
		now := b.db.Now()
		h.OutboxPending = d.Pending
		if !d.Oldest.IsZero() {
			h.OutboxOldestSeconds = max(0, now.Sub(d.Oldest)).Seconds()
		}
		if !d.OldestUrgent.IsZero() {
			age := max(0, now.Sub(d.OldestUrgent))
			h.OutboxOldestReplySeconds = age.Seconds()
			if age > b.cfg.Watch.PendingStale {
				h.OK = false
				h.Problems = append(h.Problems, fmt.Sprintf("a reply has waited %s to be sent (limit %s); %d messages pending",
					age.Round(time.Second), b.cfg.Watch.PendingStale, d.Pending))
			}
		}
		for _, c := range d.Stuck {
			sc := StuckChat{ChatID: c.ChatID, Method: method(c.Kind), HTTPStatus: c.HTTPStatus, Error: c.Error,
				Attempts: c.Attempts, FailingSeconds: max(0, now.Sub(c.FailingSince)).Seconds(), Waiting: c.Waiting}
			h.StuckChats = append(h.StuckChats, sc)
			h.OK = false
			h.Problems = append(h.Problems, sc.problem())
		}
	}
	b.replicationHealth(&h)
	if b.metrics != nil {
		since := b.metrics.sinceLastPoll()
		h.LastPollSeconds, h.Polled = since.Seconds(), b.metrics.polledOnce()
		if since > b.cfg.HTTP.PollStale {
			h.OK = false
			h.Problems = append(h.Problems, fmt.Sprintf("no successful getUpdates for %s (limit %s)",
				since.Round(time.Second), b.cfg.HTTP.PollStale))
		}
	}
	return h
}

// HTTPAddr is the operations listener's address (with the port ":0" chose),
// or "" when it is off.
func (b *Bot) HTTPAddr() string {
	if b.listener == nil {
		return ""
	}
	return b.listener.Addr().String()
}

// opsHandler serves /healthz and /metrics.
func (b *Bot) opsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		h := b.Health(r.Context())
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if !h.OK {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(h)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(b.cfg.HTTP.Registry, promhttp.HandlerOpts{
		ErrorLog: slogPrinter{b}, Registry: b.cfg.HTTP.Registry}))
	return mux
}

// listen opens the operations listener when configured, so a bad address
// fails New, before the bot runs.
func (b *Bot) listen() error {
	if b.cfg.HTTP.Listen == "" {
		return nil
	}
	l, err := net.Listen("tcp", b.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http.listen: %w", err)
	}
	b.listener = l
	return nil
}

// serveOps serves the operations listener until ctx is cancelled.
func (b *Bot) serveOps(ctx context.Context) {
	srv := &http.Server{Handler: b.opsHandler(), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	b.log.Info("operations listener up", "addr", b.listener.Addr().String())
	if err := srv.Serve(b.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
		b.log.Error("operations listener failed", "err", err)
	}
	<-done
}

// slogPrinter is promhttp's error log.
type slogPrinter struct{ b *Bot }

func (p slogPrinter) Println(v ...any) { p.b.log.Error("metrics: " + fmt.Sprint(v...)) }

// adminAlerter is implemented by handlers that tell the admins in chat when
// delivery is stuck (*flows.App does).
type adminAlerter interface {
	AlertAdmins(tx *store.Tx, al flows.DeliveryAlert, skip func(chat int64) bool) (sent, skipped []int64, err error)
}

// deliveryCause is one reason delivery is degraded: a method failing with a
// status (in one or more chats), or a backlog.
type deliveryCause struct {
	key   string
	alert flows.DeliveryAlert
	stuck map[int64]bool
}

// deliveryCauses groups what d says is wrong at now by cause.
func deliveryCauses(d store.Delivery, now time.Time, stale time.Duration) []deliveryCause {
	var out []deliveryCause
	index := map[string]int{}
	for _, c := range d.Stuck {
		key := fmt.Sprintf("%s/%d", method(c.Kind), c.HTTPStatus)
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, deliveryCause{key: key, stuck: map[int64]bool{},
				alert: flows.DeliveryAlert{Method: method(c.Kind), Status: c.HTTPStatus, Error: c.Error}})
		}
		dc := &out[i]
		dc.stuck[c.ChatID] = true
		dc.alert.Chats++
		dc.alert.Waiting += c.Waiting
		dc.alert.Since = max(dc.alert.Since, now.Sub(c.FailingSince))
	}
	if len(out) == 0 && !d.OldestUrgent.IsZero() && now.Sub(d.OldestUrgent) > stale {
		out = append(out, deliveryCause{key: "backlog",
			alert: flows.DeliveryAlert{Waiting: d.Pending, Since: now.Sub(d.OldestUrgent)}})
	}
	return out
}

// watchDelivery looks at the outbox every Watch.CheckEvery and alerts the
// admins, until ctx is cancelled.
func (b *Bot) watchDelivery(ctx context.Context) {
	t := time.NewTicker(b.cfg.Watch.CheckEvery)
	defer t.Stop()
	alerted := map[string]time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := b.checkDelivery(ctx, alerted); err != nil && ctx.Err() == nil {
			b.log.Error("delivery check failed", "err", err)
		}
	}
}

// checkDelivery logs each cause of degraded delivery and tells the admins of
// it, once per Watch.AlertEvery (store clock) per cause; alerted holds when
// each cause was last told. An admin whose own chat is stuck is not sent the
// alert (it would wait behind what it reports): that is logged instead.
func (b *Bot) checkDelivery(ctx context.Context, alerted map[string]time.Time) error {
	d, err := b.db.Delivery(b.cfg.Watch.StuckAfter)
	if err != nil {
		return err
	}
	now := b.db.Now()
	for _, c := range deliveryCauses(d, now, b.cfg.Watch.PendingStale) {
		if last, ok := alerted[c.key]; ok && now.Sub(last) < b.cfg.Watch.AlertEvery {
			continue
		}
		b.log.Warn("delivery degraded", "cause", c.key, "method", c.alert.Method, "status", c.alert.Status,
			"err", RedactPersonal(c.alert.Error), "chats", c.alert.Chats, "waiting", c.alert.Waiting,
			"for", c.alert.Since.Round(time.Second))
		alerted[c.key] = now
		if b.alerter == nil {
			continue
		}
		var sent, skipped []int64
		if err := b.db.Update(ctx, func(tx *store.Tx) error {
			var err error
			sent, skipped, err = b.alerter.AlertAdmins(tx, c.alert, func(chat int64) bool { return c.stuck[chat] })
			return err
		}); err != nil {
			delete(alerted, c.key) // try again at the next check
			return fmt.Errorf("alert the admins: %w", err)
		}
		for _, id := range skipped {
			b.log.Error("delivery alert cannot reach this admin: their own chat is the stuck one", "admin", id, "cause", c.key)
		}
		if len(sent) == 0 {
			b.log.Error("delivery alert reached no admin", "cause", c.key)
		}
	}
	return nil
}
