package telegramtest

import (
	"encoding/json"
	"time"
)

// update is a pending Update. Its payload is encoded when the event happens,
// so later edits do not rewrite history.
type update struct {
	id      int
	kind    string // "message", "callback_query", "my_chat_member"
	payload json.RawMessage
}

func (u update) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"update_id": u.id, u.kind: u.payload})
}

// defaultExcluded are the update kinds Telegram leaves out unless listed in
// allowed_updates.
var defaultExcluded = map[string]bool{"chat_member": true, "message_reaction": true, "message_reaction_count": true}

// enqueueLocked adds an update unless allowed_updates excludes its kind;
// like Telegram, the filter applies when an update is created, not when it
// is delivered.
func (s *Server) enqueueLocked(kind string, payload any) {
	if s.allowedUpdates != nil && !s.allowedUpdates[kind] || s.allowedUpdates == nil && defaultExcluded[kind] {
		return
	}
	b, err := json.Marshal(payload)
	if err != nil {
		panic("telegramtest: encoding update: " + err.Error())
	}
	s.updates = append(s.updates, update{id: s.nextUpdateID, kind: kind, payload: b})
	s.nextUpdateID++
	s.notifyLocked()
}

func (s *Server) getUpdates(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhookURL != "" {
		return nil, &apiError{Code: 409, Description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if s.polling {
		return nil, &apiError{Code: 409, Description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
	}
	s.polling = true
	s.notifyLocked()
	defer func() {
		s.polling = false
		s.notifyLocked()
	}()

	s.confirmLocked(c.p.int("offset"))
	if c.p.has("allowed_updates") {
		var kinds []string
		c.p.json("allowed_updates", &kinds)
		s.setAllowedLocked(kinds)
	}
	limit := c.p.int("limit")
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout := time.Duration(max(0, c.p.int("timeout"))) * time.Second
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for len(s.updates) == 0 && timeout > 0 && !s.ignorePollTimeout {
		changed := s.changed
		s.mu.Unlock()
		select {
		case <-changed:
		case <-deadline.C:
			timeout = 0
		case <-c.ctx.Done():
			timeout = 0
		case <-s.closed:
			timeout = 0
		}
		s.mu.Lock()
	}
	out := make([]update, min(limit, len(s.updates)))
	copy(out, s.updates)
	return out, nil
}

// confirmLocked forgets updates below offset; a negative offset keeps only
// the last -offset updates, as Telegram does.
func (s *Server) confirmLocked(offset int) {
	switch {
	case offset > 0:
		// Telegram forgets a confirmed update: a poller asking from below
		// the confirmed point (a machine restored from an older copy) gets
		// them no more.
		if offset-1 < s.confirmedUpTo {
			s.rewound = max(s.rewound, s.confirmedUpTo-(offset-1))
		}
		s.confirmedUpTo = max(s.confirmedUpTo, offset-1)
		i := 0
		for i < len(s.updates) && s.updates[i].id < offset {
			i++
		}
		s.updates = s.updates[i:]
	case offset < 0 && -offset < len(s.updates):
		s.updates = s.updates[len(s.updates)+offset:]
	}
}

// setAllowedLocked remembers a non-empty allowed_updates list; an empty one
// restores Telegram's default.
func (s *Server) setAllowedLocked(kinds []string) {
	if len(kinds) == 0 {
		s.allowedUpdates = nil
		return
	}
	s.allowedUpdates = map[string]bool{}
	for _, k := range kinds {
		s.allowedUpdates[k] = true
	}
}

func (s *Server) setWebhook(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Webhook delivery is not simulated; the URL only makes getUpdates
	// refuse, as it does on Telegram.
	s.webhookURL = c.p.str("url")
	if c.p.bool("drop_pending_updates") {
		s.updates = nil
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) deleteWebhook(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = ""
	if c.p.bool("drop_pending_updates") {
		s.updates = nil
	}
	s.notifyLocked()
	return true, nil
}

type wireWebhookInfo struct {
	URL                  string `json:"url"`
	HasCustomCertificate bool   `json:"has_custom_certificate"`
	PendingUpdateCount   int    `json:"pending_update_count"`
}

func (s *Server) getWebhookInfo(*call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return wireWebhookInfo{URL: s.webhookURL, PendingUpdateCount: len(s.updates)}, nil
}

// PendingUpdates is the number of updates not yet confirmed by getUpdates.
func (s *Server) PendingUpdates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// ConfirmedUpTo is the highest update_id confirmed by a getUpdates offset.
func (s *Server) ConfirmedUpTo() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.confirmedUpTo
}

// LastUpdateID is the id of the newest update created (0: none yet).
func (s *Server) LastUpdateID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextUpdateID - 1
}

// Rewound is the most updates, already confirmed, that one getUpdates asked
// for again with a lower offset: updates Telegram no longer has, which the
// asking bot never stored. After a restore it is the data lost (RPO) in
// updates.
func (s *Server) Rewound() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rewound
}

// IgnorePollTimeout makes getUpdates answer at once even with timeout > 0,
// like a misbehaving proxy, to test that the bot does not spin.
func (s *Server) IgnorePollTimeout(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ignorePollTimeout = on
}
