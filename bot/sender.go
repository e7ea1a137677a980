package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"golang.org/x/time/rate"

	"dinsosbot/store"
)

// sender drains the outbox: in order per chat, several chats at once, within
// the global, per-chat and per-group rate limits.
//
// Delivery is at least once. A request whose answer is lost (timeout, dropped
// connection, a crash between send and MarkSent) may have reached Telegram; it
// is sent again, because a field worker missing a reply is worse than seeing it
// twice. The row's attempts column shows how often that happened.
type sender struct {
	cfg    Config
	db     *store.DB
	log    *slog.Logger
	wake   chan struct{}
	global *rate.Limiter
	// slowedAt is the last global slow-down (Run's goroutine only).
	slowedAt time.Time

	mu       sync.Mutex
	idle     bool
	idleWait []chan struct{}

	// mediaFallback, when set, makes the text that replaces a photo,
	// location or document given up for good (the handler's MediaFallback).
	mediaFallback func(tx *store.Tx, m store.Message) (store.Message, error)
	// onGiveUp, when set, counts a row failed for good (metrics).
	onGiveUp func(method string, status int)
	// tripped holds the kinds whose last failing row used up its temporary
	// budget, until one of that kind goes through (Run's goroutine only).
	tripped map[store.Kind]bool
	// outcomes wait here for a transaction: the poller's next batch, or
	// the sender's own recorder.
	outcomes *outcomeLog
}

// fetchWindow is how many pending rows are read at once. Rows beyond it wait for
// the next read; per-chat queues inside the window keep order.
const fetchWindow = 2000

func newSender(cfg Config, db *store.DB, log *slog.Logger) *sender {
	return &sender{
		cfg:      cfg,
		db:       db,
		log:      log,
		wake:     make(chan struct{}, 1),
		global:   rate.NewLimiter(rate.Limit(cfg.Limits.Global), 1),
		tripped:  map[store.Kind]bool{},
		outcomes: newOutcomeLog(),
	}
}

// Wake tells the sender that rows were enqueued. It never blocks.
func (s *sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Idle returns a channel closed when the outbox has nothing sendable left.
func (s *sender) Idle(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idle {
		close(ch)
	} else {
		s.idleWait = append(s.idleWait, ch)
	}
	s.Wake()
	return ch
}

func (s *sender) setIdle(idle bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idle = idle
	if idle {
		for _, ch := range s.idleWait {
			close(ch)
		}
		s.idleWait = nil
	}
}

type job struct {
	row store.OutboxRow
}

type result struct {
	row     store.OutboxRow
	outcome store.SendOutcome
	flood   time.Duration
	// class is the failure's class when the send failed; shutdown marks a
	// send cut short by shutdown, which is not an attempt and is not
	// recorded (the row stays as it was).
	class    failure
	failed   bool
	shutdown bool
	// fallback asks Run to replace the row, a photo, location or document
	// failed for good, by its text (judge sets it).
	fallback bool
}

// retry reports whether the row stays pending.
func (r result) retry() bool { return r.outcome.Status == store.StatusPending }

// Run sends until ctx is cancelled.
func (s *sender) Run(ctx context.Context, api *tgbotapi.BotAPI) {
	jobs := make(chan job)
	results := make(chan result, s.cfg.SendWorkers)
	var wg sync.WaitGroup
	for range s.cfg.SendWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				results <- s.send(ctx, api, j)
			}
		}()
	}
	// The recorder writes outcomes off the send loop, so that an fsync
	// never holds a dispatch.
	kick := make(chan struct{}, 1)
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		for range kick {
			if err := s.outcomes.record(ctx, s.db); err != nil {
				s.log.Error("record sends", "err", err)
			}
		}
	}()
	record := func() {
		select {
		case kick <- struct{}{}:
		default:
		}
	}
	defer func() {
		close(jobs)
		wg.Wait()
		// Sends that ended while stopping went through: recording them
		// spares their chats a duplicate after the restart.
		for len(results) > 0 {
			if res := <-results; !res.shutdown && res.outcome.Status == store.StatusSent {
				s.outcomes.add(res.outcome)
			}
		}
		close(kick)
		<-recorded
		s.flushNow(ctx)
	}()
	q := &sendQueue{chats: map[int64]*chatState{}, newLimiter: s.chatLimiter}
	dispatch := func(j job) {
		if m := &j.row.Message; m.MessageID == 0 && m.EditOf != 0 {
			// A chat's next row may edit the message just sent (a
			// prompt's keyboard taken away): it goes as soon as that send
			// returns, before its outcome is committed, and must not find
			// "never sent". 0 when committed: chattable reads it then.
			m.MessageID = s.outcomes.messageID(m.EditOf)
		}
		jobs <- j
	}
	// Outcomes wait at most RecordDelay for the poller's next transaction
	// before the recorder writes them in one of their own.
	recordTimer := time.NewTimer(time.Hour)
	recordTimer.Stop()
	timerSet := false
	full, fresh := true, false
	for {
		if full || fresh {
			// A full read after retries rebuilds the queue (rows changed their
			// not_before); otherwise only what was enqueued since is read,
			// which never holds a row already sent.
			if full {
				s.flushNow(ctx)
			}
			if err := q.load(s.db, full); err != nil {
				s.log.Error("read outbox", "err", err)
				if Sleep(ctx, time.Second) != nil {
					return
				}
				continue
			}
			full, fresh = false, false
		}
		nextAt := q.dispatch(time.Now(), s.cfg.SendWorkers, dispatch)
		if q.inflight == 0 && q.pending() == 0 {
			if q.more {
				fresh = true
				continue
			}
			s.setIdle(true)
		} else {
			s.setIdle(false)
		}
		if !timerSet && s.outcomes.waitingCount() > 0 {
			recordTimer.Reset(s.cfg.RecordDelay)
			timerSet = true
		}

		var timeout <-chan time.Time
		var timer *time.Timer
		if !nextAt.IsZero() {
			timer = time.NewTimer(time.Until(nextAt))
			timeout = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
			fresh = true
		case <-timeout:
		case <-recordTimer.C:
			timerSet = false
			record()
		case res := <-results:
			q.done(res)
			if res.shutdown {
				break
			}
			s.judge(&res)
			if res.fallback && s.fallBack(ctx, res) {
				full = true // the row is pending again, as text, in its place
				break
			}
			if s.outcomes.add(res.outcome) >= recordBatch {
				record()
			}
			if res.flood > 0 && !res.row.Message.Kind.Cosmetic() {
				s.slowDown()
			}
			if res.retry() {
				full = true
			}
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// recordBatch is how many outcomes may wait before the recorder writes them
// without waiting for RecordDelay.
const recordBatch = 256

// flushNow records every outcome, those in the poller's transaction
// included, before the outbox is read in full or the sender stops: a row
// sent but still pending there would be sent again.
func (s *sender) flushNow(ctx context.Context) {
	if err := s.outcomes.record(ctx, s.db); err != nil {
		s.log.Error("record sends", "err", err)
	}
	s.outcomes.drain()
	// What a failed transaction gave back.
	if err := s.outcomes.record(ctx, s.db); err != nil {
		s.log.Error("record sends", "err", err)
	}
}

// send performs one row and says what happened; the Run loop judges it
// against the row's retry budget and records it.
func (s *sender) send(ctx context.Context, api *tgbotapi.BotAPI, j job) result {
	row, m := j.row, j.row.Message
	res := result{row: row, outcome: store.SendOutcome{ID: row.ID}}
	retry := func(at time.Time, reason string) result {
		res.outcome.Status, res.outcome.NotBefore, res.outcome.Error = store.StatusPending, at, reason
		return res
	}
	fail := func(reason string) result {
		res.outcome.Status, res.outcome.Error = store.StatusFailed, reason
		return res
	}
	if counted(m.Kind) {
		if err := s.global.Wait(ctx); err != nil {
			res.shutdown = true
			return res
		}
	}
	c, err := s.chattable(m)
	if err != nil {
		res.failed, res.class = true, failBadRequest
		return fail(err.Error())
	}
	if m.Kind.Cosmetic() {
		// Best effort: a menu must not hold a worker for a whole client
		// timeout.
		cctx, cancel := context.WithTimeout(ctx, cosmeticTimeout)
		defer cancel()
		api = withContext(cctx, api, s.cfg.HTTPClient)
	}
	resp, err := api.Request(c)
	if err == nil {
		res.outcome.Status, res.outcome.MessageID = store.StatusSent, messageID(resp)
		return res
	}
	if ctx.Err() != nil {
		res.shutdown = true
		return res
	}
	kind, retryAfter := classify(err)
	desc := description(err)
	res.failed, res.class, res.outcome.HTTPStatus = true, kind, httpStatus(err)
	switch kind {
	case failFlood:
		if retryAfter <= 0 {
			retryAfter = s.cfg.Retry.FloodWait
		}
		s.log.Warn("send rate limited", "chat", m.ChatID, "method", method(m.Kind), "retry_after", retryAfter)
		res.flood = retryAfter
		return retry(time.Now().Add(retryAfter), desc)
	case failBlocked:
		if m.ChatID > 0 {
			res.outcome.Unreachable = m.ChatID
		}
		return fail(desc)
	case failBadRequest, failUnauthorized, failConflict:
		if harmless(m.Kind, desc) {
			res.failed = false
			res.outcome.Status, res.outcome.MessageID, res.outcome.HTTPStatus = store.StatusSent, m.MessageID, 0
			return res
		}
		return fail(desc)
	default:
		res.outcome.NoAnswer = noAnswer(err)
		wait := retryDelay(row.Attempts, s.cfg.MinBackoff, s.cfg.MaxBackoff)
		return retry(time.Now().Add(wait), desc)
	}
}

// noAnswer reports an error without an answer from any server: the request
// or its answer broke off (connection refused, a timeout, DNS, a dropped
// connection). An answer, even one without Telegram's envelope, has an HTTP
// status or a body the library read.
func noAnswer(err error) bool {
	var he *httpError
	var tgErr *tgbotapi.Error
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	return !errors.As(err, &he) && !errors.As(err, &tgErr) && !errors.As(err, &syntaxErr) && !errors.As(err, &typeErr)
}

// cosmeticTimeout bounds one menu or chat action call.
const cosmeticTimeout = 15 * time.Second

// judge applies the retry budget of its class to a failed send: a retry past
// the budget fails for good. It logs the outcome, and asks for the text
// fallback of a photo, location or document that failed for good.
func (s *sender) judge(res *result) {
	m := res.row.Message
	if !res.failed {
		delete(s.tripped, m.Kind)
		return
	}
	attempts := res.row.Attempts + 1
	log := []any{"chat", m.ChatID, "method", method(m.Kind), "status", res.outcome.HTTPStatus,
		"attempt", attempts, "err", RedactPersonal(res.outcome.Error)}
	if res.retry() {
		b, counted, age := s.budget(res)
		if (b.Attempts == 0 || counted < b.Attempts) && age < b.Age {
			s.log.Warn("send failed; will retry", append(log, "no_answer", res.outcome.NoAnswer,
				"retry_in", time.Until(res.outcome.NotBefore).Round(time.Millisecond))...)
			return
		}
		res.outcome.Status = store.StatusFailed
		if b.Attempts == 0 {
			res.outcome.Error = fmt.Sprintf("given up after %s without an HTTP answer (%d attempts): %s",
				age.Round(time.Second), attempts, res.outcome.Error)
		} else {
			res.outcome.Error = fmt.Sprintf("given up after %d attempts in %s: %s", counted, age.Round(time.Second), res.outcome.Error)
		}
		if res.class == failTransient && !res.outcome.NoAnswer && media(m.Kind) {
			// Only media: their rows still say what they had to say, as
			// text; a text failing fast would be lost.
			s.tripped[m.Kind] = true
		}
		if m.Kind.Cosmetic() {
			s.log.Warn("cosmetic call given up", log...)
		} else {
			s.log.Error("send given up; the chat's next message goes", log...)
		}
	} else if res.class != failBlocked {
		s.log.Error("send rejected", log...)
	}
	if s.onGiveUp != nil {
		s.onGiveUp(method(m.Kind), res.outcome.HTTPStatus)
	}
	res.fallback = res.class != failBlocked && ((s.mediaFallback != nil && media(m.Kind)) || resend(m))
}

// resend reports whether m is an edit to send as a new message when it fails
// for good (store.Message.OrSend).
func resend(m store.Message) bool { return m.OrSend && m.Kind == store.KindEditText }

// media reports whether k has a text fallback.
func media(k store.Kind) bool {
	return k == store.KindPhoto || k == store.KindLocation || k == store.KindDocument
}

// budget is the retry budget of res's failure (Attempts 0: no limit on
// attempts), with the attempts and the age it counts: every attempt and the
// age since the first failure for menus and outages, only what a server
// answered for the rest, so that an outage neither uses up nor ages the
// budget for answers.
func (s *sender) budget(res *result) (b RetryBudget, attempts int, age time.Duration) {
	row := res.row
	since := func(t time.Time) time.Duration {
		if t.IsZero() {
			return 0 // this is the first failure of its kind
		}
		return max(0, s.db.Now().Sub(t))
	}
	kind := row.Message.Kind
	switch {
	case kind.Cosmetic():
		return s.cfg.Retry.Cosmetic, row.Attempts + 1, since(row.FailingSince)
	case res.outcome.NoAnswer:
		return RetryBudget{Age: s.cfg.Retry.OutageAge}, row.Attempts + 1, since(row.FailingSince)
	}
	attempts, age = row.Attempts-row.Unanswered+1, since(row.AnsweredSince)
	if res.class == failFlood {
		return s.cfg.Retry.Flood, attempts, age
	}
	b = s.cfg.Retry.Temporary
	if s.tripped[kind] {
		b.Attempts = min(b.Attempts, 2)
	}
	return b, attempts, age
}

// fallBack replaces res's row, a photo, location or document failed for good,
// by the handler's text for it, or an edit marked OrSend by the same text as a
// new message, in place: the text keeps the row's id, so it goes where the
// failed call would have in the chat's order (and a form's prompt reference,
// the row id, now names the new message). It reports whether it did; when
// not, the row is recorded failed.
func (s *sender) fallBack(ctx context.Context, res result) bool {
	m := res.row.Message
	reason := failureText(method(m.Kind), res.outcome.HTTPStatus, res.outcome.Error)
	var done bool
	err := s.db.Update(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		text := m
		if resend(m) {
			text.Kind, text.MessageID, text.EditOf, text.OrSend = store.KindSend, 0, 0, false
		} else {
			var err error
			if text, err = s.mediaFallback(tx, m); err != nil {
				return err
			}
		}
		var err error
		done, err = tx.ReplaceWithFallback(res.row.ID, text, reason)
		return err
	})
	if err != nil {
		s.log.Error("media fallback failed; the row stays failed", "chat", m.ChatID, "method", method(m.Kind), "err", err)
		return false
	}
	if done {
		s.log.Warn("sent as a new text instead", "chat", m.ChatID, "method", method(m.Kind),
			"status", res.outcome.HTTPStatus, "err", RedactPersonal(res.outcome.Error))
	}
	return done
}

// failureText is a failure as the outbox keeps it: method, status, reason.
func failureText(method string, status int, reason string) string {
	if status == 0 {
		return fmt.Sprintf("%s (no HTTP answer): %s", method, reason)
	}
	return fmt.Sprintf("%s HTTP %d: %s", method, status, reason)
}

// method is the Bot API method of an outbox kind, for logs and alerts.
func method(k store.Kind) string {
	switch k {
	case store.KindSend:
		return "sendMessage"
	case store.KindEditText:
		return "editMessageText"
	case store.KindEditCaption:
		return "editMessageCaption"
	case store.KindEditButtons:
		return "editMessageReplyMarkup"
	case store.KindDelete:
		return "deleteMessage"
	case store.KindAnswerCallback:
		return "answerCallbackQuery"
	case store.KindPhoto:
		return "sendPhoto"
	case store.KindDocument:
		return "sendDocument"
	case store.KindLocation:
		return "sendLocation"
	case store.KindSetCommands:
		return "setMyCommands"
	case store.KindChatAction:
		return "sendChatAction"
	}
	return string(k)
}

// chatLimiters are created lazily per chat; groups have their own, slower rate.
func (s *sender) chatLimiter(chat int64) *rate.Limiter {
	if chat < 0 {
		return rate.NewLimiter(rate.Limit(s.cfg.Limits.GroupPerMinute/60), 1)
	}
	return rate.NewLimiter(rate.Limit(s.cfg.Limits.PerChat), s.cfg.Limits.PerChatBurst)
}

// slowDown lowers the global rate after a 429: Telegram's limits are not all
// published, so back off by a fifth each time, down to one per second, and
// recover slowly.
func (s *sender) slowDown() {
	// A burst of 429s is one signal, not one per send: cut at most once per
	// slowDownEvery, and never below a quarter of the limit (the load test
	// showed compounding cuts dropping 200 chats to 1 message/s for minutes).
	now := time.Now()
	if now.Before(s.slowedAt.Add(slowDownEvery)) {
		return
	}
	s.slowedAt = now
	cur := float64(s.global.Limit())
	next := max(1, s.cfg.Limits.Global/4, cur*0.8)
	s.global.SetLimit(rate.Limit(next))
	time.AfterFunc(time.Minute, func() {
		s.global.SetLimit(rate.Limit(min(float64(s.global.Limit())/0.8, s.cfg.Limits.Global)))
	})
}

// slowDownEvery spaces the global slow-downs after 429s.
const slowDownEvery = 5 * time.Second

// counted reports whether a kind counts against Telegram's message limits.
func counted(k store.Kind) bool {
	switch k {
	case store.KindAnswerCallback, store.KindDelete:
		return false
	}
	return !k.Cosmetic()
}

// harmless reports a 400 that means the intended state already holds: an edit
// that changes nothing, a message already deleted, a callback too old to answer.
func harmless(k store.Kind, desc string) bool {
	switch {
	case strings.Contains(desc, "message is not modified"):
		return true
	case k == store.KindDelete && (strings.Contains(desc, "message to delete not found") ||
		strings.Contains(desc, "can't be deleted")):
		return true
	case k == store.KindAnswerCallback && strings.Contains(desc, "query is too old"):
		return true
	}
	return false
}

func messageID(resp *tgbotapi.APIResponse) int {
	if resp == nil || len(resp.Result) == 0 || resp.Result[0] != '{' {
		return 0
	}
	var m struct {
		MessageID int `json:"message_id"`
	}
	if json.Unmarshal(resp.Result, &m) != nil {
		return 0
	}
	return m.MessageID
}

func retryDelay(attempts int, lo, hi time.Duration) time.Duration {
	d := lo
	for i := 0; i < attempts && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}
