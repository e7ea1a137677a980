package bot

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// flowCounter is implemented by handlers that count how conversations end
// (*flows.App does); the metrics read it at each scrape.
type flowCounter interface {
	FlowCounts() []flows.FlowCount
}

// metrics is what the runtime counts for /metrics and /healthz. It observes
// from the outside: a wrapper around the handler (updates, latency), a wrapper
// around the HTTP transport (every Bot API call: sends by result and code,
// polls) and queries of the store at scrape time (outbox depth), so the poller
// and the sender need no hooks.
type metrics struct {
	updates  *prometheus.CounterVec   // type, result
	latency  *prometheus.HistogramVec // type
	requests *prometheus.CounterVec   // method, result, code
	polls    *prometheus.CounterVec   // result
	givenUp  *prometheus.CounterVec   // method, code

	// lastPoll is the wall-clock time (unix ns) of the last getUpdates that
	// Telegram answered 200; started is when the runtime was built.
	lastPoll atomic.Int64
	started  time.Time
}

// newMetrics registers the runtime's collectors with reg.
func newMetrics(reg prometheus.Registerer, db *store.DB, stuckAfter time.Duration) (*metrics, error) {
	m := &metrics{
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dinsosbot_updates_handled_total",
			Help: "Updates handled by the flows, by type (command, text, callback, photo, ...) and result (ok, failed).",
		}, []string{"type", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "dinsosbot_update_handling_seconds",
			Help:    "Time the flows took to decide one update, inside its transaction, by type.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"type"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dinsosbot_telegram_requests_total",
			Help: "Bot API calls other than getUpdates (sendMessage, editMessageText, ...), by method, " +
				"result (ok, error, network) and HTTP status code (Telegram's error_code; empty for network errors).",
		}, []string{"method", "result", "code"}),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dinsosbot_polls_total",
			Help: "getUpdates calls by result (ok, error, network).",
		}, []string{"result"}),
		givenUp: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "dinsosbot_outbox_given_up_total",
			Help: "Outbox rows failed for good, refused at once or past their retry budget, by method and HTTP status " +
				"(0: no answer); a photo, location or document among them was sent as text instead.",
		}, []string{"method", "code"}),
		started: time.Now(),
	}
	pending := func() (int, time.Duration, bool) {
		n, oldest, err := db.OutboxBacklog()
		if err != nil {
			return 0, 0, false
		}
		var age time.Duration
		if n > 0 {
			age = max(0, db.Now().Sub(oldest))
		}
		return n, age, true
	}
	collectors := []prometheus.Collector{m.updates, m.latency, m.requests, m.polls, m.givenUp,
		deliveryCollector{db: db, stuckAfter: stuckAfter},
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dinsosbot_outbox_pending",
			Help: "Outbox rows waiting to be sent (replies and broadcasts).",
		}, func() float64 {
			n, _, ok := pending()
			if !ok {
				return math.NaN()
			}
			return float64(n)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dinsosbot_outbox_oldest_pending_seconds",
			Help: "Age of the oldest pending outbox row; 0 when none is pending.",
		}, func() float64 {
			_, age, ok := pending()
			if !ok {
				return math.NaN()
			}
			return age.Seconds()
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "dinsosbot_last_poll_age_seconds",
			Help: "Seconds since the last successful getUpdates (since start when none succeeded yet).",
		}, func() float64 { return m.sinceLastPoll().Seconds() }),
	}
	for _, c := range collectors {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// gaveUp counts a row failed for good.
func (m *metrics) gaveUp(method string, status int) {
	m.givenUp.WithLabelValues(method, strconv.Itoa(status)).Inc()
}

// deliveryCollector exports what /healthz judges delivery by, from one read
// of the outbox per scrape.
type deliveryCollector struct {
	db         *store.DB
	stuckAfter time.Duration
}

var (
	stuckChatsDesc = prometheus.NewDesc("dinsosbot_outbox_stuck_chats",
		"Chats whose next message has been failing for longer than the stuck threshold (watch.stuck_after); "+
			"counted up to 50.", nil, nil)
	oldestReplyDesc = prometheus.NewDesc("dinsosbot_outbox_oldest_reply_pending_seconds",
		"Age of the oldest pending reply or notice (broadcasts and menus aside); 0 when none is pending.", nil, nil)
)

func (c deliveryCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- stuckChatsDesc
	ch <- oldestReplyDesc
}

func (c deliveryCollector) Collect(ch chan<- prometheus.Metric) {
	d, err := c.db.Delivery(c.stuckAfter)
	if err != nil {
		// NaN, like the other outbox gauges: /metrics must still answer
		// with the database down.
		ch <- prometheus.MustNewConstMetric(stuckChatsDesc, prometheus.GaugeValue, math.NaN())
		ch <- prometheus.MustNewConstMetric(oldestReplyDesc, prometheus.GaugeValue, math.NaN())
		return
	}
	var age float64
	if !d.OldestUrgent.IsZero() {
		age = max(0, c.db.Now().Sub(d.OldestUrgent)).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(stuckChatsDesc, prometheus.GaugeValue, float64(len(d.Stuck)))
	ch <- prometheus.MustNewConstMetric(oldestReplyDesc, prometheus.GaugeValue, age)
}

// countFlows exports handler's counts of ended conversations, when it keeps
// them, and returns handler wrapped so that every update is counted and timed.
func (m *metrics) countFlows(reg prometheus.Registerer, handler Handler) (Handler, error) {
	if fc, ok := handler.(flowCounter); ok {
		if err := reg.Register(flowCollector{fc}); err != nil {
			return nil, err
		}
	}
	return meteredHandler{Handler: handler, m: m}, nil
}

// sinceLastPoll is how long ago getUpdates last succeeded, or how long the
// runtime has run when it never did.
func (m *metrics) sinceLastPoll() time.Duration {
	if ns := m.lastPoll.Load(); ns != 0 {
		return time.Since(time.Unix(0, ns))
	}
	return time.Since(m.started)
}

// polledOnce reports whether a getUpdates ever succeeded.
func (m *metrics) polledOnce() bool { return m.lastPoll.Load() != 0 }

// flowCollector exports the handler's counts of ended conversations.
type flowCollector struct{ fc flowCounter }

var flowEndedDesc = prometheus.NewDesc("dinsosbot_flows_ended_total",
	"Conversations (forms) that ended, by flow and outcome: completed (saved), cancelled (by the person) or expired (a stale draft).",
	[]string{"flow", "outcome"}, nil)

func (c flowCollector) Describe(ch chan<- *prometheus.Desc) { ch <- flowEndedDesc }

func (c flowCollector) Collect(ch chan<- prometheus.Metric) {
	for _, f := range c.fc.FlowCounts() {
		for _, o := range []struct {
			name string
			n    int64
		}{{"completed", f.Completed}, {"cancelled", f.Cancelled}, {"expired", f.Expired}} {
			ch <- prometheus.MustNewConstMetric(flowEndedDesc, prometheus.CounterValue, float64(o.n), f.Flow, o.name)
		}
	}
}

// meteredHandler counts and times every update the flows handle.
type meteredHandler struct {
	Handler
	m *metrics
}

func (h meteredHandler) Handle(tx *store.Tx, ev flows.Event) error {
	typ := eventType(ev)
	start := time.Now()
	err := h.Handler.Handle(tx, ev)
	h.m.latency.WithLabelValues(typ).Observe(time.Since(start).Seconds())
	result := "ok"
	if err != nil {
		result = "failed"
	}
	h.m.updates.WithLabelValues(typ, result).Inc()
	return err
}

// Menus passes the wrapped handler's command menus on.
func (h meteredHandler) Menus() []store.Message {
	if m, ok := h.Handler.(menus); ok {
		return m.Menus()
	}
	return nil
}

// eventType is the metrics' label for ev: a small, fixed set.
func eventType(ev flows.Event) string {
	switch {
	case ev.Kind == flows.EventCallback:
		return "callback"
	case ev.Kind == flows.EventMember:
		return "member"
	case ev.Command != "":
		return "command"
	case ev.Photo != nil:
		return "photo"
	case ev.Location != nil:
		return "location"
	case ev.Contact != nil:
		return "contact"
	case ev.Document != nil:
		return "document"
	case ev.Text != "":
		return "text"
	}
	return "other"
}

// observedTransport counts every Bot API call by method and outcome, and
// notes the time of each successful getUpdates for /healthz.
type observedTransport struct {
	base http.RoundTripper
	m    *metrics
}

func (t observedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	method := req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:]
	if strings.HasPrefix(req.URL.Path, "/file/") || strings.Contains(req.URL.Path, "/file/bot") {
		method = "file" // a download: the path is the file's, not a method
	}
	result, code := "network", ""
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
		result = "error"
		if resp.StatusCode == http.StatusOK {
			result = "ok"
		}
	}
	if method == "getUpdates" {
		t.m.polls.WithLabelValues(result).Inc()
		if result == "ok" {
			t.m.lastPoll.Store(time.Now().UnixNano())
		}
		return resp, err
	}
	t.m.requests.WithLabelValues(method, result, code).Inc()
	return resp, err
}

// observe returns a copy of client whose calls m counts.
func (m *metrics) observe(client *http.Client) *http.Client {
	c := *client
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = observedTransport{base: base, m: m}
	return &c
}
