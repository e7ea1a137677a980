package flows

import (
	"errors"
	"html"
	"strconv"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

const meetingMoveFlowName = "meeting_move"

// meetingMoveFlow is "/rapat <id> pindah": the new day, start and end, and a
// new place or /lewati to keep it. Vars carry the meeting. Answers and the
// check-in code stay: the QR code printed for the door still works, its window
// follows the new time.
func (a *App) meetingMoveFlow() *Flow {
	return &Flow{Name: meetingMoveFlowName, Title: "mtg.move.title", Save: a.saveMeetingMove, Steps: []Step{
		{Key: "date", Prompt: "mtg.date", Input: InputDate, Check: a.checkMeetingDate},
		{Key: "start", Prompt: "mtg.start", Input: InputTime, Check: a.checkMeetingStart},
		{Key: "end", Prompt: "mtg.end", Input: InputTime, Check: a.checkMeetingEnd},
		{Key: "place", Prompt: "mtg.move.place", Label: "mtg.place.label", Input: InputText, Min: 3, Max: 200,
			Optional: true},
	}}
}

// startMeetingMove opens the move form for m, unless it can no longer move.
func (a *App) startMeetingMove(c *Ctx, m store.Meeting) error {
	if ok, err := a.movable(c, m); !ok || err != nil {
		return err
	}
	if err := c.Reply(c.T("mtg.move.intro", "id", strconv.FormatInt(m.ID, 10), "title", html.EscapeString(m.Title),
		"when", a.when(m), "place", html.EscapeString(m.Place))); err != nil {
		return err
	}
	return a.startFlow(c, a.flows[meetingMoveFlowName], map[string]string{"meeting": strconv.FormatInt(m.ID, 10)},
		nil, false)
}

// movable reports whether m can still move, and when not, tells the organiser
// why: it is cancelled, it has started, or someone has checked in (moving
// would leave their check-in outside the new window).
func (a *App) movable(c *Ctx, m store.Meeting) (bool, error) {
	key := ""
	switch checked, err := c.Tx.HasAttendance(m.ID); {
	case err != nil:
		return false, err
	case m.Status == store.MeetingCancelled:
		key = "mtg.cancelled"
	case !c.Tx.Now().Before(m.StartsAt):
		key = "mtg.move.started"
	case checked:
		key = "mtg.move.checked_in"
	default:
		return true, nil
	}
	return false, c.Reply(c.T(key))
}

// saveMeetingMove moves the meeting and tells every reachable invitee: their
// invitation shows the new time (with the buttons, since answers may change
// until the new start) and they get a notice saying what changed and what
// they answered.
func (a *App) saveMeetingMove(c *Ctx) error {
	id, err := strconv.ParseInt(c.Vars["meeting"], 10, 64)
	if err != nil {
		return errors.New("meeting move without a meeting: " + strconv.Quote(c.Vars["meeting"]))
	}
	old, ok, err := c.Tx.MeetingByID(id)
	if err != nil {
		return err
	}
	if !ok {
		return c.Reply(c.T("mtg.unknown", "id", c.Vars["meeting"]))
	}
	if !a.mayManage(c.User, old) {
		return a.deny(c, "/rapat "+c.Vars["meeting"]+" pindah")
	}
	if ok, err := a.movable(c, old); !ok || err != nil {
		return err
	}
	moved, err := a.movedMeeting(c, old)
	var ie *InputError
	if errors.As(err, &ie) {
		// The draft was closed before Save; open it again at the summary so
		// nothing typed is lost.
		if err := c.Reply("⚠️ " + c.T(ie.Key, ie.Args...)); err != nil {
			return err
		}
		return a.startFlow(c, a.flows[meetingMoveFlowName], c.Vars, c.Answers, true)
	}
	if err != nil {
		return err
	}
	if moved.StartsAt.Equal(old.StartsAt) && moved.EndsAt.Equal(old.EndsAt) && moved.Place == old.Place {
		return c.Reply(c.T("mtg.move.same"))
	}
	if ok, err := c.Tx.MoveMeeting(id, moved.StartsAt, moved.EndsAt, moved.Place); err != nil || !ok {
		return err // !ok: movable just said it could; the transaction holds the row
	}
	told, err := a.tellMove(c, old, moved)
	if err != nil {
		return err
	}
	if err := c.Tx.Audit(c.User.ID, "meeting_move", strconv.FormatInt(id, 10)+": "+a.when(old)+" → "+a.when(moved)); err != nil {
		return err
	}
	return c.Reply(c.T("mtg.move.done", "title", html.EscapeString(moved.Title), "when", a.when(moved),
		"place", html.EscapeString(moved.Place), "n", itoa(told), "opens", a.clock(moved.CheckinOpens()),
		"ends", a.clock(moved.EndsAt)+" "+a.zone(moved.EndsAt)))
}

// movedMeeting is old at the time and place of the answers; a refusal of the
// times is *InputError.
func (a *App) movedMeeting(c *Ctx, old store.Meeting) (store.Meeting, error) {
	m := old
	var err error
	if m.StartsAt, m.EndsAt, err = a.meetingTimes(c); err != nil {
		return m, err
	}
	if place := c.Answers.Text("place"); place != "" {
		m.Place = place
	}
	return m, nil
}

// tellMove edits each reachable invitee's invitation to the moved meeting and
// sends them a notice; it returns how many were told.
func (a *App) tellMove(c *Ctx, old, moved store.Meeting) (int, error) {
	invs, err := c.Tx.Invitations(moved.ID)
	if err != nil {
		return 0, err
	}
	told := 0
	for _, inv := range invs {
		u, _, err := c.Tx.GetUser(inv.UserID)
		if err != nil {
			return 0, err
		}
		if u.Unreachable || inv.OutboxID == 0 {
			continue
		}
		lang := a.lang(u)
		// Same priority as the invitation, so the edit never overtakes it.
		edit := a.invitationMessage(u, moved, inv, true)
		edit.Kind, edit.EditOf = store.KindEditText, inv.OutboxID
		if _, err := c.Send(edit); err != nil {
			return 0, err
		}
		answer := i18n.T(lang, "mtg.rsvp.none")
		if inv.RSVP != store.RSVPNone {
			answer = i18n.T(lang, "mtg.rsvp."+inv.RSVP)
		}
		if _, err := c.Send(store.Message{ChatID: u.ID, Priority: store.PriorityBroadcast,
			Text: i18n.T(lang, "mtg.move.notice", "title", html.EscapeString(moved.Title), "old", a.when(old),
				"when", a.when(moved), "place", html.EscapeString(moved.Place), "answer", answer)}); err != nil {
			return 0, err
		}
		told++
	}
	return told, nil
}
