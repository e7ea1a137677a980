package flows

import (
	"html"
	"math"
	"strconv"
	"strings"
	"time"

	"dinsosbot/store"
)

// startCheckin handles /start hadir_<code>, the meeting's QR deep link. It
// returns done=false when /start should go on as usual: not a check-in link, or
// a person who must register first (told so here).
func (a *App) startCheckin(c *Ctx, s *session) (done bool, err error) {
	code, ok := strings.CutPrefix(c.Ev.Args, checkinPrefix)
	if !ok {
		return false, nil
	}
	m, found, err := c.Tx.MeetingByCode(code)
	if err != nil {
		return true, err
	}
	if !found {
		return true, c.Reply(c.T("chk.unknown"))
	}
	if !isRegistered(c.User) {
		// Remembered, and completed when an admin approves them while the
		// window is still open (completePendingCheckins).
		if m.Status != store.MeetingCancelled {
			at := c.Ev.Date
			if now := c.Tx.Now(); at.IsZero() || at.After(now) {
				at = now
			}
			if err := c.Tx.AddPendingCheckin(c.User.ID, m.ID, at); err != nil {
				return true, err
			}
		}
		pending, register := "chk.pending.kept", "chk.register.kept"
		if m.Status == store.MeetingCancelled {
			pending, register = "chk.pending", "chk.register"
		}
		if c.User.Status == store.UserPending {
			return true, c.Reply(c.T(pending, "title", html.EscapeString(m.Title)))
		}
		c.Ev.Args = "" // not an invite code
		return false, c.Reply(c.T(register, "title", html.EscapeString(m.Title)))
	}
	return true, a.checkinAt(c, s, m, c.Ev.Date)
}

// checkinAt checks the user in at m, as of the scan message's own date at.
func (a *App) checkinAt(c *Ctx, s *session, m store.Meeting, at time.Time) error {
	if now := c.Tx.Now(); at.IsZero() || at.After(now) {
		at = now // a phone cannot scan in the future
	}
	if prev, ok, err := c.Tx.GetAttendance(m.ID, c.User.ID); err != nil || ok {
		if err != nil {
			return err
		}
		return c.Reply(c.T("chk.already", "title", html.EscapeString(m.Title), "time", a.clock(prev.At)+" "+a.zone(prev.At)))
	}
	switch {
	case m.Status == store.MeetingCancelled:
		return c.Reply(c.T("chk.cancelled", "title", html.EscapeString(m.Title)))
	case at.Before(m.CheckinOpens()):
		return c.Reply(c.T("chk.early", "title", html.EscapeString(m.Title), "opens",
			m.CheckinOpens().In(a.cfg.Location).Format("02-01-2006 15.04")+" "+a.zone(m.StartsAt)))
	case at.After(m.EndsAt):
		return c.Reply(c.T("chk.closed", "title", html.EscapeString(m.Title), "ends",
			m.EndsAt.In(a.cfg.Location).Format("02-01-2006 15.04")+" "+a.zone(m.EndsAt)))
	}
	if m.RadiusM > 0 {
		if s != nil {
			return a.reprompt(c, s, c.T("chk.busy"))
		}
		vars := map[string]string{"meeting": strconv.FormatInt(m.ID, 10), "at": strconv.FormatInt(at.Unix(), 10)}
		return a.startFlow(c, a.flows["checkin"], vars, nil, false)
	}
	return a.recordCheckin(c, m, store.Attendance{At: at, Method: store.CheckinQR})
}

// recordCheckin stores att for the user at m and confirms it.
func (a *App) recordCheckin(c *Ctx, m store.Meeting, att store.Attendance) error {
	_, invited, err := c.Tx.GetInvitation(m.ID, c.User.ID)
	if err != nil {
		return err
	}
	att.MeetingID, att.UserID, att.WalkIn = m.ID, c.User.ID, !invited
	first, added, err := c.Tx.CheckIn(att)
	if err != nil {
		return err
	}
	if !added {
		return c.Reply(c.T("chk.already", "title", html.EscapeString(m.Title), "time", a.clock(first.At)+" "+a.zone(first.At)))
	}
	text := c.T("chk.done", "title", html.EscapeString(m.Title), "time", a.clock(att.At)+" "+a.zone(att.At))
	if att.WalkIn {
		text += "\n" + c.T("chk.walkin")
	}
	_, err = c.Send(store.Message{Text: text, RemoveReply: att.Method == store.CheckinLocation})
	return err
}

// checkinFlow asks for the worker's location when the meeting has a radius;
// Vars carry the meeting and the scan's time.
func (a *App) checkinFlow() *Flow {
	return &Flow{Name: "checkin", Title: "chk.title", Save: a.saveLocationCheckin, Steps: []Step{
		{Key: "loc", Prompt: "chk.loc", Input: InputLocation, Check: a.checkDistance},
	}}
}

func (a *App) checkinMeeting(c *Ctx) (store.Meeting, time.Time, error) {
	id, err := strconv.ParseInt(c.Vars["meeting"], 10, 64)
	if err != nil {
		return store.Meeting{}, time.Time{}, err
	}
	unix, err := strconv.ParseInt(c.Vars["at"], 10, 64)
	if err != nil {
		return store.Meeting{}, time.Time{}, err
	}
	m, _, err := c.Tx.MeetingByID(id)
	return m, time.Unix(unix, 0).UTC(), err
}

func (a *App) checkDistance(c *Ctx, v Value) error {
	if c.Ev.Forwarded {
		// A forwarded location is where someone else was, or the person
		// once was: it would let one colleague check in a whole group.
		return refuse("chk.forwarded")
	}
	m, _, err := a.checkinMeeting(c)
	if err != nil {
		return err
	}
	d := distanceM(m.Lat, m.Lon, v.Lat, v.Lon)
	if d > float64(m.RadiusM) {
		return refuse("chk.far", "distance", formatDistance(d), "radius", formatDistance(float64(m.RadiusM)))
	}
	return nil
}

func (a *App) saveLocationCheckin(c *Ctx) error {
	m, at, err := a.checkinMeeting(c)
	if err != nil {
		return err
	}
	loc := c.Answers["loc"]
	return a.recordCheckin(c, m, store.Attendance{At: at, Method: store.CheckinLocation,
		DistanceM: int(math.Round(distanceM(m.Lat, m.Lon, loc.Lat, loc.Lon)))})
}

// distanceM is the great-circle distance between two points in metres.
func distanceM(lat1, lon1, lat2, lon2 float64) float64 {
	const earth = 6371000.0
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earth * math.Asin(math.Min(1, math.Sqrt(h)))
}

// formatDistance is "350 m" below a kilometre, else "1,2 km" (Indonesian
// decimal comma, understood in English too).
func formatDistance(m float64) string {
	if m < 1000 {
		return strconv.Itoa(int(math.Round(m))) + " m"
	}
	return strings.Replace(strconv.FormatFloat(m/1000, 'f', 1, 64), ".", ",", 1) + " km"
}

// cmdMarkPresent is /hadir <meeting> <person>: the organiser records someone
// without a phone as present (manual).
func (a *App) cmdMarkPresent(c *Ctx, _ *session) error {
	idText, who, _ := strings.Cut(strings.TrimSpace(c.Ev.Args), " ")
	id, err := strconv.ParseInt(strings.TrimPrefix(idText, "#"), 10, 64)
	if err != nil || strings.TrimSpace(who) == "" {
		return c.Reply(c.T("hadir.usage"))
	}
	m, ok, err := c.Tx.MeetingByID(id)
	if err != nil {
		return err
	}
	if !ok {
		return c.Reply(c.T("mtg.unknown", "id", strconv.FormatInt(id, 10)))
	}
	if !a.mayManage(c.User, m) {
		return a.deny(c, "/hadir")
	}
	// Only people the organiser reaches: /hadir is no way to look up who
	// works elsewhere, nor to put them on a sheet.
	all, err := a.reachablePeople(c)
	if err != nil {
		return err
	}
	u, err := findPerson(all, strings.TrimSpace(who))
	if ie, ok := err.(*InputError); ok {
		return c.Reply("⚠️ " + c.T(ie.Key, ie.Args...))
	}
	if err != nil {
		return err
	}
	_, invited, err := c.Tx.GetInvitation(m.ID, u.ID)
	if err != nil {
		return err
	}
	note, err := a.markPresent(c, m, u, invited)
	if err != nil {
		return err
	}
	return c.Reply(note)
}

// markPresent records u as present at m by the organiser's hand (manual),
// for /hadir and the report's picker alike, and returns what to tell the
// organiser; a second mark changes nothing and says when they came.
func (a *App) markPresent(c *Ctx, m store.Meeting, u store.User, invited bool) (string, error) {
	first, added, err := c.Tx.CheckIn(store.Attendance{MeetingID: m.ID, UserID: u.ID, At: c.Tx.Now(),
		Method: store.CheckinManual, WalkIn: !invited, MarkedBy: c.User.ID})
	if err != nil {
		return "", err
	}
	name := html.EscapeString(displayName(u))
	if !added {
		return c.T("hadir.already", "name", name, "time", a.clock(first.At)+" "+a.zone(first.At)), nil
	}
	if err := c.Tx.Audit(c.User.ID, "meeting_mark", strconv.FormatInt(m.ID, 10)+":"+strconv.FormatInt(u.ID, 10)); err != nil {
		return "", err
	}
	return c.T("hadir.done", "name", name, "title", html.EscapeString(m.Title)), nil
}
