package flows

import (
	"fmt"
	"html"
	"strconv"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// Callback ops of cbMeeting; the nonce is the meeting id.
const (
	opRSVPYes   = "h" // the invitee will come
	opRSVPNo    = "t" // the invitee cannot come
	opSheetXLSX = "x" // the organiser downloads the daftar hadir as XLSX
	opSheetCSV  = "c" // ... as CSV
	opMarkOpen  = "l" // the organiser opens the picker of invitees not yet present
	opMarkPage  = "p" // ... turns its page; Arg: the page
	opMark      = "m" // ... marks one present by hand; Arg: "<user id>.<page>"
)

var meetingOps = map[string]bool{opRSVPYes: true, opRSVPNo: true, opSheetXLSX: true, opSheetCSV: true,
	opMarkOpen: true, opMarkPage: true, opMark: true}

// onMeetingCallback handles the answer buttons (of an invitation or a
// reminder) and a report's buttons (downloads, the attendance picker). Who
// answers is the presser, never the data: a forged callback for someone
// else's invitation finds no invitation of the presser, and a report's
// buttons do nothing for anyone who may not manage the meeting.
func (a *App) onMeetingCallback(c *Ctx, cb Callback) error {
	id, err := strconv.ParseInt(cb.Nonce, 10, 64)
	if err != nil {
		return a.stale(c)
	}
	m, ok, err := c.Tx.MeetingByID(id)
	if err != nil {
		return err
	}
	if !ok {
		return a.stale(c)
	}
	switch cb.Op {
	case opSheetXLSX, opSheetCSV:
		if !a.mayManage(c.User, m) {
			return a.deny(c, "meeting_sheet")
		}
		if err := c.Answer(""); err != nil {
			return err
		}
		return a.sendSheet(c, m, cb.Op == opSheetXLSX)
	case opMarkOpen, opMarkPage, opMark:
		if !a.mayManage(c.User, m) {
			return a.deny(c, "meeting_mark")
		}
		return a.onMarkPicker(c, m, cb)
	}
	return a.answerInvitation(c, m, cb.Op == opRSVPYes)
}

// answerInvitation records the presser's answer. The buttons may be on the
// invitation or on a reminder; either way the invitation is the message that
// shows the current answer (and keeps the buttons until the start), and a
// pressed reminder loses its buttons and shows the answer, so no stale
// "not answered" stays on screen.
func (a *App) answerInvitation(c *Ctx, m store.Meeting, yes bool) error {
	inv, ok, err := c.Tx.GetInvitation(m.ID, c.User.ID)
	if err != nil {
		return err
	}
	if !ok {
		if err := c.Tx.Audit(c.User.ID, "rsvp_not_invited", strconv.FormatInt(m.ID, 10)); err != nil {
			return err
		}
		return a.stale(c)
	}
	invMsg, invPending, err := c.Tx.InvitationMessage(m.ID, c.User.ID)
	if err != nil {
		return err
	}
	onReminder := c.Ev.CallbackMessageID != 0 && c.Ev.CallbackMessageID != invMsg
	closed := ""
	switch {
	case m.Status == store.MeetingCancelled:
		closed = "mtg.cancelled"
	case !c.Tx.Now().Before(m.StartsAt):
		closed = "mtg.rsvp.closed"
	}
	if closed != "" {
		if err := c.Answer(c.T(closed)); err != nil {
			return err
		}
		if onReminder {
			// Only the pressed reminder: the invitation was closed by the
			// cancellation, or closes when its own buttons are pressed.
			_, err := c.Send(store.Message{Kind: store.KindEditButtons, MessageID: c.Ev.CallbackMessageID})
			return err
		}
		return a.editInvitation(c, m, inv, invMsg, invPending, false)
	}
	rsvp := store.RSVPNo
	if yes {
		rsvp = store.RSVPYes
	}
	if err := c.Answer(c.T("mtg.rsvp.saved." + rsvp)); err != nil {
		return err
	}
	changed := inv.RSVP != rsvp
	if changed {
		if err := c.Tx.SetRSVP(m.ID, c.User.ID, rsvp, ""); err != nil {
			return err
		}
		inv.RSVP = rsvp
	}
	hasInvitation := invMsg != 0 || invPending
	// A reminder standing in for a missing invitation already shows an
	// unchanged answer; the others lost their buttons with the first answer.
	if onReminder && (changed || hasInvitation) {
		if err := a.editAnsweredReminder(c, m, inv, hasInvitation); err != nil {
			return err
		}
	}
	if !changed {
		return nil // the invitation already shows it; an identical edit is a 400
	}
	if err := a.editInvitation(c, m, inv, invMsg, invPending, true); err != nil {
		return err
	}
	return a.askDeclineReason(c, m, rsvp)
}

// editInvitation shows inv's current state on the presser's invitation
// message: by its Telegram id when sent, else behind it in the queue.
func (a *App) editInvitation(c *Ctx, m store.Meeting, inv store.Invitation, msgID int, pending, open bool) error {
	msg := a.invitationMessage(c.User, m, inv, open)
	msg.Kind = store.KindEditText
	switch {
	case msgID != 0:
		msg.MessageID, msg.Priority = msgID, store.PriorityReply
	case pending:
		// Same priority as the invitation, so the edit never overtakes it.
		msg.EditOf = inv.OutboxID
	default:
		return nil // never delivered (unreachable then): nothing to edit
	}
	_, err := c.Send(msg)
	return err
}

// editAnsweredReminder turns the pressed reminder into a record of the answer.
// It keeps the buttons only when no invitation message carries them (the
// invitee was unreachable when invited), so answers can still change.
func (a *App) editAnsweredReminder(c *Ctx, m store.Meeting, inv store.Invitation, hasInvitation bool) error {
	msg := a.meetingReminder(c.User, m, inv)
	lang := a.lang(c.User)
	answer := i18n.T(lang, "mtg.rsvp."+inv.RSVP)
	if hasInvitation {
		msg.Text += "\n\n" + i18n.T(lang, "mtg.answer.reminder", "answer", answer)
		msg.Buttons = nil
	} else {
		msg.Text += "\n\n" + i18n.T(lang, "mtg.answer", "answer", answer)
		msg.Buttons = rsvpButtons(lang, m)
	}
	msg.Kind, msg.MessageID, msg.Priority = store.KindEditText, c.Ev.CallbackMessageID, store.PriorityReply
	_, err := c.Send(msg)
	return err
}

const rsvpReasonFlowName = "rsvp_reason"

// rsvpReasonFlow asks, after "cannot come", why: one optional question, saved
// as soon as it is answered or skipped. Vars carry the meeting.
func (a *App) rsvpReasonFlow() *Flow {
	return &Flow{Name: rsvpReasonFlowName, Title: "mtg.reason.title", NoSummary: true, Save: a.saveDeclineReason,
		Steps: []Step{{Key: "reason", Prompt: "mtg.reason", Input: InputText, Min: 2, Max: 300, Optional: true}}}
}

// askDeclineReason opens the reason question after a "cannot come", unless
// another form is open (a half-typed report is never pushed aside for an
// optional question) or the answer is yes (a reason question left open by an
// earlier "no" is then closed).
func (a *App) askDeclineReason(c *Ctx, m store.Meeting, rsvp string) error {
	s, open, err := a.loadSession(c)
	if err != nil {
		return err
	}
	if open && s.Def().Name == rsvpReasonFlowName {
		if err := a.takeKeyboard(c, s); err != nil {
			return err
		}
		if err := c.Tx.DeleteConversation(s.ChatID, s.UserID); err != nil {
			return err
		}
		open = false
	}
	if open || rsvp != store.RSVPNo {
		return nil
	}
	return a.startFlow(c, a.flows[rsvpReasonFlowName], map[string]string{"meeting": strconv.FormatInt(m.ID, 10)},
		nil, false)
}

func (a *App) saveDeclineReason(c *Ctx) error {
	id, err := strconv.ParseInt(c.Vars["meeting"], 10, 64)
	if err != nil {
		return fmt.Errorf("decline reason without a meeting: %q", c.Vars["meeting"])
	}
	reason := c.Answers.Text("reason")
	if reason == "" {
		return c.Reply(c.T("mtg.reason.skipped"))
	}
	saved, err := c.Tx.SetRSVPReason(id, c.User.ID, reason)
	if err != nil {
		return err
	}
	if !saved {
		return c.Reply(c.T("mtg.reason.gone"))
	}
	return c.Reply(c.T("mtg.reason.saved"))
}

// mayManage: the organiser and admins see a meeting's report and mark attendance.
func (a *App) mayManage(u store.User, m store.Meeting) bool {
	return isAdmin(u) || (isStaff(u) && u.ID == m.CreatedBy)
}

// cancelMeeting cancels m and tells every reachable invitee: their invitation
// loses its buttons and they get a notice.
func (a *App) cancelMeeting(c *Ctx, m store.Meeting) error {
	if !c.Tx.Now().Before(m.EndsAt) {
		return c.Reply(c.T("mtg.cancel.over"))
	}
	cancelled, err := c.Tx.CancelMeeting(m.ID)
	if err != nil {
		return err
	}
	if !cancelled {
		return c.Reply(c.T("mtg.cancelled"))
	}
	m.Status = store.MeetingCancelled
	invs, err := c.Tx.Invitations(m.ID)
	if err != nil {
		return err
	}
	told := 0
	for _, inv := range invs {
		u, _, err := c.Tx.GetUser(inv.UserID)
		if err != nil {
			return err
		}
		if u.Unreachable || inv.OutboxID == 0 {
			continue
		}
		// Same priority as the invitation, so the edit never overtakes it.
		edit := a.invitationMessage(u, m, inv, false)
		edit.Kind, edit.EditOf = store.KindEditText, inv.OutboxID
		if _, err := c.Send(edit); err != nil {
			return err
		}
		if _, err := c.Send(store.Message{ChatID: u.ID, Priority: store.PriorityBroadcast,
			Text: i18n.T(a.lang(u), "mtg.cancel.notice", "title", html.EscapeString(m.Title), "when", a.when(m))}); err != nil {
			return err
		}
		told++
	}
	if err := c.Tx.Audit(c.User.ID, "meeting_cancel", strconv.FormatInt(m.ID, 10)); err != nil {
		return err
	}
	return c.Reply(c.T("mtg.cancel.done", "title", html.EscapeString(m.Title), "n", itoa(told)))
}
