package flows

import (
	"html"
	"strconv"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// completePendingCheckins finishes the check-ins u asked for by scanning a
// meeting's QR code before they were registered, now that they are active: each
// is recorded when the meeting's window is still open (at the scan's time when
// that lay inside the window, else now), and refused with the reason
// otherwise. A meeting that checks the location asks them to scan again, since
// where they stood was never checked.
func (a *App) completePendingCheckins(c *Ctx, u store.User) error {
	pending, err := c.Tx.TakePendingCheckins(u.ID)
	if err != nil {
		return err
	}
	lang := a.lang(u)
	now := c.Tx.Now()
	for _, p := range pending {
		m, ok, err := c.Tx.MeetingByID(p.MeetingID)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		title := html.EscapeString(m.Title)
		var text string
		switch {
		case m.Status == store.MeetingCancelled:
			text = i18n.T(lang, "chk.cancelled", "title", title)
		case !m.InWindow(now):
			text = i18n.T(lang, "chk.pending.closed", "title", title, "ends",
				m.EndsAt.In(a.cfg.Location).Format("02-01-2006 15.04")+" "+a.zone(m.EndsAt))
		case m.RadiusM > 0:
			text = i18n.T(lang, "chk.pending.rescan", "title", title)
		default:
			at := p.ScannedAt
			if !m.InWindow(at) {
				at = now
			}
			_, invited, err := c.Tx.GetInvitation(m.ID, u.ID)
			if err != nil {
				return err
			}
			first, added, err := c.Tx.CheckIn(store.Attendance{MeetingID: m.ID, UserID: u.ID, At: at,
				Method: store.CheckinQR, WalkIn: !invited})
			if err != nil {
				return err
			}
			if !added {
				at = first.At
			}
			text = i18n.T(lang, "chk.done", "title", title, "time", a.clock(at)+" "+a.zone(at))
			if added && !invited {
				text += "\n" + i18n.T(lang, "chk.walkin")
			}
			if err := c.Tx.Audit(u.ID, "meeting_checkin_after_approval", strconv.FormatInt(m.ID, 10)); err != nil {
				return err
			}
		}
		if _, err := c.Send(store.Message{ChatID: u.ID, Text: text, Priority: store.PriorityNotice}); err != nil {
			return err
		}
	}
	return nil
}
