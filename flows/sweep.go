package flows

import (
	"fmt"

	"dinsosbot/store"
)

// Sweep sends the one reminder for drafts idle for DraftExpiry-ReminderLead and
// expires drafts idle for DraftExpiry. It works from stored state at tx.Now(), so
// a bot that was down catches up on its next sweep.
func (a *App) Sweep(tx *store.Tx) error {
	now := tx.Now()
	lead := a.cfg.ReminderLead
	if lead >= a.cfg.DraftExpiry {
		lead = 0
	}
	idle, err := tx.IdleConversations(now.Add(-(a.cfg.DraftExpiry - lead)))
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	for _, conv := range idle {
		if err := a.sweepOne(tx, conv); err != nil {
			return fmt.Errorf("sweep conversation %d/%d: %w", conv.ChatID, conv.UserID, err)
		}
	}
	if err := a.fixMergedNotices(tx); err != nil {
		return fmt.Errorf("sweep merged notices: %w", err)
	}
	return a.sweepAdmin(tx)
}

func (a *App) sweepOne(tx *store.Tx, conv store.Conversation) error {
	u, _, err := tx.GetUser(conv.UserID)
	if err != nil {
		return err
	}
	c := &Ctx{Tx: tx, Ev: Event{ChatID: conv.ChatID, UserID: conv.UserID, ChatType: "private"},
		User: u, Lang: a.lang(u), Env: a}
	s, ok, err := a.loadSession(c)
	if err != nil || !ok {
		return err
	}
	if s.Def().NoSummary {
		// A quick question left unanswered (a decline reason) is closed
		// quietly: no reminder, no "expired" message.
		if err := a.takeKeyboard(c, s); err != nil {
			return err
		}
		return tx.DeleteConversation(conv.ChatID, conv.UserID)
	}
	if !a.gateAllows(s.Def(), u) {
		// The right that opened the draft is gone (a demoted or blocked
		// admin): no reminder to finish what could no longer be saved.
		return a.cancel(c, s, "flow.closed.right")
	}
	expires := conv.UpdatedAt.Add(a.cfg.DraftExpiry)
	if !tx.Now().Before(expires) {
		return a.cancel(c, s, "flow.expired")
	}
	if conv.Reminded {
		return nil
	}
	s.Reminded = true
	if err := c.Reply(c.T("flow.reminder", "title", s.Def().TitleIn(c.Lang), "expires", a.formatTime(expires))); err != nil {
		return err
	}
	return s.Save(tx, false)
}
