package telegramtest

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

func (l RateLimits) withDefaults() RateLimits {
	if l.Global <= 0 {
		l.Global = 30
	}
	if l.PerChat <= 0 {
		l.PerChat = 1
	}
	if l.PerChatBurst <= 0 {
		l.PerChatBurst = 3
	}
	if l.PerGroupPerMinute <= 0 {
		l.PerGroupPerMinute = 20
	}
	return l
}

// rateLimiter enforces Telegram's sending limits: token buckets overall and
// per private chat, and a sliding one-minute window per group (the limit is
// stated per minute, and a bucket would let a burst exceed it).
type rateLimiter struct {
	mu      sync.Mutex
	enabled bool
	limits  RateLimits
	global  *rate.Limiter
	chats   map[int64]*rate.Limiter
	groups  map[int64][]time.Time
	now     func() time.Time
}

func newRateLimiter(enabled bool, l RateLimits) *rateLimiter {
	return &rateLimiter{
		enabled: enabled,
		limits:  l,
		global:  rate.NewLimiter(rate.Limit(l.Global), max(1, int(math.Ceil(l.Global)))),
		chats:   map[int64]*rate.Limiter{},
		groups:  map[int64][]time.Time{},
		now:     time.Now,
	}
}

// take consumes one message from chatID's allowance and the global one, or
// answers 429 with the whole seconds until both allow it (at least 1), as
// Telegram does. Nothing is consumed when refused.
func (rl *rateLimiter) take(chatID int64) *apiError {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if !rl.enabled {
		return nil
	}
	now := rl.now()
	wait := bucketWait(rl.global, now)
	var chatLim *rate.Limiter
	if chatID > 0 {
		chatLim = rl.chats[chatID]
		if chatLim == nil {
			chatLim = rate.NewLimiter(rate.Limit(rl.limits.PerChat), rl.limits.PerChatBurst)
			rl.chats[chatID] = chatLim
		}
		wait = max(wait, bucketWait(chatLim, now))
	} else {
		window := rl.groups[chatID]
		for len(window) > 0 && now.Sub(window[0]) >= time.Minute {
			window = window[1:]
		}
		rl.groups[chatID] = window
		if float64(len(window)) >= rl.limits.PerGroupPerMinute {
			wait = max(wait, window[0].Add(time.Minute).Sub(now))
		}
	}
	if wait > 0 {
		return tooManyRequests(max(1, int(math.Ceil(wait.Seconds()))))
	}
	rl.global.AllowN(now, 1)
	if chatLim != nil {
		chatLim.AllowN(now, 1)
	} else {
		rl.groups[chatID] = append(rl.groups[chatID], now)
	}
	return nil
}

func bucketWait(l *rate.Limiter, now time.Time) time.Duration {
	tokens := l.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) / float64(l.Limit()) * float64(time.Second))
}
