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
	// OK is true when the database answers and polling is not stale.
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
	// Problems says in words why OK is false.
	Problems []string `json:"problems,omitempty"`
}

// Health checks the runtime now: what /healthz answers.
func (b *Bot) Health(ctx context.Context) Health {
	h := Health{OK: true, Database: "ok"}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := b.db.Ping(ctx); err != nil {
		h.OK, h.Database = false, err.Error()
		h.Problems = append(h.Problems, "the database does not answer")
	} else if n, oldest, err := b.db.OutboxBacklog(); err != nil {
		h.OK, h.Database = false, err.Error()
		h.Problems = append(h.Problems, "the outbox cannot be read")
	} else {
		h.OutboxPending = n
		if n > 0 {
			h.OutboxOldestSeconds = max(0, b.db.Now().Sub(oldest)).Seconds()
		}
	}
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
