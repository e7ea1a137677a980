package flows

import (
	"fmt"

	"dinsosbot/store"
)

// Throttled tells a person who sends faster than the runtime's flood control
// allows to slow down, in their language: as the answer to a pressed button, or
// as a message in a private chat. In a group it says nothing (the bot ignores
// chatter there anyway). The runtime calls it once per flood episode.
func (a *App) Throttled(tx *store.Tx, ev Event) error {
	if ev.ChatID == 0 || ev.UserID == 0 {
		return nil
	}
	user, _, err := tx.GetUser(ev.UserID)
	if err != nil {
		return fmt.Errorf("throttled: %w", err)
	}
	c := &Ctx{Tx: tx, Ev: ev, User: user, Lang: a.lang(user), Env: a}
	if ev.Kind == EventCallback {
		return c.Answer(c.T("flood.slow_down"))
	}
	if !ev.Private() {
		return nil
	}
	return c.Reply(c.T("flood.slow_down"))
}
