package bot

import (
	"context"
	"encoding/json"
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

	mu       sync.Mutex
	idle     bool
	idleWait []chan struct{}
}

// fetchWindow is how many pending rows are read at once. Rows beyond it wait for
// the next read; per-chat queues inside the window keep order.
const fetchWindow = 2000

func newSender(cfg Config, db *store.DB, log *slog.Logger) *sender {
	return &sender{
		cfg:    cfg,
		db:     db,
		log:    log,
		wake:   make(chan struct{}, 1),
		global: rate.NewLimiter(rate.Limit(cfg.Limits.Global), 1),
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
	row     store.OutboxRow
	limiter *rate.Limiter // the chat's; only one send per chat is in flight
}

type result struct {
	row   store.OutboxRow
	retry bool // the row stays pending
	flood time.Duration
}

// chatState is what the sender knows of one chat between sends.
type chatState struct {
	limiter  *rate.Limiter
	cooldown time.Time // after a 429 for this chat
	inflight bool
}

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
	defer func() {
		close(jobs)
		wg.Wait()
	}()

	chats := map[int64]*chatState{}
	var queue []store.OutboxRow // pending rows not in flight, in send order
	inflight := 0
	dirty := true
	for {
		if dirty {
			rows, err := s.db.PendingOutbox(fetchWindow)
			if err != nil {
				s.log.Error("read outbox", "err", err)
				if sleep(ctx, time.Second) != nil {
					return
				}
				continue
			}
			queue = queue[:0]
			for _, r := range rows {
				if c := chats[r.Message.ChatID]; c == nil || !c.inflight {
					queue = append(queue, r)
				}
			}
			dirty = false
		}

		// Dispatch the head row of every chat that may send now.
		now := time.Now()
		var nextAt time.Time
		blocked := map[int64]bool{}
		kept := queue[:0]
		for i, r := range queue {
			chat := r.Message.ChatID
			c := chats[chat]
			if c == nil {
				c = &chatState{limiter: s.chatLimiter(chat)}
				chats[chat] = c
			}
			wait := later(r.NotBefore, c.cooldown)
			switch {
			case blocked[chat] || c.inflight:
				blocked[chat] = true
				kept = append(kept, r)
				continue
			case wait.After(now):
				blocked[chat] = true
				nextAt = earliest(nextAt, wait)
				kept = append(kept, r)
				continue
			case inflight == s.cfg.SendWorkers:
				kept = append(kept, queue[i:]...)
				goto dispatched
			}
			c.inflight = true
			blocked[chat] = true
			inflight++
			jobs <- job{row: r, limiter: c.limiter}
		}
	dispatched:
		queue = kept
		if inflight == 0 && len(queue) == 0 {
			s.setIdle(true)
		} else {
			s.setIdle(false)
		}

		var timer *time.Timer
		var timeout <-chan time.Time
		if !nextAt.IsZero() {
			timer = time.NewTimer(time.Until(nextAt))
			timeout = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
			dirty = true
		case <-timeout:
		case res := <-results:
			inflight--
			c := chats[res.row.Message.ChatID]
			c.inflight = false
			if res.flood > 0 {
				c.cooldown = time.Now().Add(res.flood)
				s.slowDown()
			}
			if res.retry {
				dirty = true
			}
			if len(queue) == 0 {
				// The window may have held only part of the outbox.
				dirty = true
			}
			if len(chats) > 10000 {
				pruneChats(chats)
			}
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// send performs one row and records the outcome. It returns whether the row
// stays pending.
func (s *sender) send(ctx context.Context, api *tgbotapi.BotAPI, j job) result {
	row, m := j.row, j.row.Message
	if counted(m.Kind) {
		if err := j.limiter.Wait(ctx); err != nil {
			return result{row: row, retry: true}
		}
		if err := s.global.Wait(ctx); err != nil {
			return result{row: row, retry: true}
		}
	}
	c, err := s.chattable(m)
	if err != nil {
		s.fail(row, err.Error())
		return result{row: row}
	}
	resp, err := api.Request(c)
	if err == nil {
		if err := s.db.MarkSent(row.ID, messageID(resp)); err != nil {
			s.log.Error("record sent message", "err", err)
		}
		return result{row: row}
	}
	if ctx.Err() != nil {
		return result{row: row, retry: true}
	}
	kind, retryAfter := classify(err)
	desc := description(err)
	switch kind {
	case failFlood:
		if retryAfter <= 0 {
			retryAfter = time.Second
		}
		s.log.Warn("send rate limited", "chat", m.ChatID, "retry_after", retryAfter)
		s.retry(row, time.Now().Add(retryAfter), desc)
		return result{row: row, retry: true, flood: retryAfter}
	case failBlocked:
		s.fail(row, desc)
		if m.ChatID > 0 {
			if err := s.db.MarkUnreachable(m.ChatID); err != nil {
				s.log.Error("mark user unreachable", "err", err)
			}
		}
		return result{row: row}
	case failBadRequest, failUnauthorized, failConflict:
		if harmless(m.Kind, desc) {
			if err := s.db.MarkSent(row.ID, m.MessageID); err != nil {
				s.log.Error("record sent message", "err", err)
			}
			return result{row: row}
		}
		s.log.Error("send rejected", "chat", m.ChatID, "kind", m.Kind, "err", desc)
		s.fail(row, desc)
		return result{row: row}
	default:
		wait := retryDelay(row.Attempts, s.cfg.MinBackoff, s.cfg.MaxBackoff)
		s.log.Warn("send failed; will retry", "chat", m.ChatID, "attempt", row.Attempts+1, "retry_in", wait, "err", desc)
		s.retry(row, time.Now().Add(wait), desc)
		return result{row: row, retry: true}
	}
}

func (s *sender) fail(row store.OutboxRow, reason string) {
	if err := s.db.MarkFailed(row.ID, reason); err != nil {
		s.log.Error("record failed send", "err", err)
	}
}

func (s *sender) retry(row store.OutboxRow, at time.Time, reason string) {
	if err := s.db.MarkRetry(row.ID, at, reason); err != nil {
		s.log.Error("record send retry", "err", err)
	}
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
	cur := float64(s.global.Limit())
	next := max(1, cur*0.8)
	s.global.SetLimit(rate.Limit(next))
	time.AfterFunc(time.Minute, func() {
		s.global.SetLimit(rate.Limit(min(float64(s.global.Limit())/0.8, s.cfg.Limits.Global)))
	})
}

// counted reports whether a kind counts against Telegram's message limits.
func counted(k store.Kind) bool {
	switch k {
	case store.KindAnswerCallback, store.KindSetCommands, store.KindDelete:
		return false
	}
	return true
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

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(cur, t time.Time) time.Time {
	if cur.IsZero() || t.Before(cur) {
		return t
	}
	return cur
}

// pruneChats forgets idle chats so a city-wide broadcast does not keep ten
// thousand limiters alive.
func pruneChats(chats map[int64]*chatState) {
	now := time.Now()
	for id, c := range chats {
		// A limiter with tokens spent must stay, or a new one would grant a
		// fresh burst.
		if !c.inflight && c.cooldown.Before(now) && c.limiter.TokensAt(now) >= float64(c.limiter.Burst()) {
			delete(chats, id)
		}
	}
}
