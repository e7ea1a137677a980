package flows

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/parse"
	"dinsosbot/store"

	qrcode "github.com/skip2/go-qrcode"
)

// checkinPrefix starts the /start payload of a meeting's QR deep link.
const checkinPrefix = "hadir_"

// meetingFlow is /rapat_baru: title, day, start and end (in the configured
// zone), place, optionally its location and a check-in radius, the audience, a
// note; on save the invitations go out.
func (a *App) meetingFlow() *Flow {
	audience := func(v string) func(c *Ctx) bool {
		return func(c *Ctx) bool { return c.Answers.Text("audience") == v }
	}
	return &Flow{Name: "meeting", Title: "mtg.title", Save: a.saveMeeting, Steps: []Step{
		{Key: "title", Prompt: "mtg.name", Input: InputText, Min: 3, Max: 120},
		{Key: "date", Prompt: "mtg.date", Input: InputDate, Check: a.checkMeetingDate},
		{Key: "start", Prompt: "mtg.start", Input: InputTime, Check: a.checkMeetingStart},
		{Key: "end", Prompt: "mtg.end", Input: InputTime, Check: a.checkMeetingEnd},
		{Key: "place", Prompt: "mtg.place", Input: InputText, Min: 3, Max: 200},
		{Key: "loc", Prompt: "mtg.loc", Input: InputLocation, Optional: true},
		{Key: "radius", Prompt: "mtg.radius", Input: InputNumber, Min: 20, Max: 5000, DependsOn: []string{"loc"},
			If: func(c *Ctx) bool { return c.Answers.Has("loc") && !c.Answers["loc"].Skipped }},
		{Key: "audience", Prompt: "mtg.audience", Input: InputChoice, OptionsFrom: meetingAudiences},
		{Key: "kecamatan", Prompt: "mtg.kecamatan", Input: InputMulti, Min: 1, Max: 100, If: audience(store.AudienceKecamatan),
			DependsOn: []string{"audience"}, OptionsFrom: a.areaKecamatan},
		{Key: "people", Prompt: "mtg.people", Input: InputText, Min: 1, Max: 3000, If: audience(store.AudiencePeople),
			Check: func(c *Ctx, v Value) error { _, err := a.resolvePeople(c, v.Text); return err }},
		{Key: "note", Prompt: "mtg.note", Input: InputText, Min: 1, Max: 500, Optional: true},
	}}
}

// meetingAudiences are whom the organiser may invite: a coordinator of some
// kecamatan invites by kecamatan (theirs) or by name (people they reach),
// never the whole city or one role city-wide.
func meetingAudiences(c *Ctx) ([]Option, error) {
	opts := []Option{{Value: store.AudienceKecamatan, Key: "mtg.audience.kecamatan"},
		{Value: store.AudiencePeople, Key: "mtg.audience.people"}}
	if !citywide(c.User) {
		return opts, nil
	}
	return append([]Option{{Value: store.AudienceAll, Key: "mtg.audience.all"},
		{Value: store.AudiencePSM, Key: "mtg.audience.psm"}, {Value: store.AudienceTKSK, Key: "mtg.audience.tksk"}},
		opts...), nil
}

// meetingInScope reports whether the answers' audience stays within the
// organiser's area now: a draft begun before their area shrank, or a forged
// answer, must not invite outside it.
func meetingInScope(c *Ctx) bool {
	switch c.Answers.Text("audience") {
	case store.AudienceKecamatan:
		for _, k := range c.Answers["kecamatan"].List {
			if !inArea(c.User, k) {
				return false
			}
		}
		return true
	case store.AudiencePeople:
		return true // resolvePeople finds only people the organiser reaches
	}
	return citywide(c.User)
}

func (a *App) cmdNewMeeting(c *Ctx, _ *session) error {
	return a.startFlow(c, a.flows["meeting"], nil, nil, false)
}

// clock formats t's clock time in the configured zone ("09.12").
func (a *App) clock(t time.Time) string { return t.In(a.cfg.Location).Format("15.04") }

// zone is the configured zone's abbreviation at t ("WIB").
func (a *App) zone(t time.Time) string { return t.In(a.cfg.Location).Format("MST") }

// when describes a meeting's time: "02-11-2026, 09.00–12.00 WIB".
func (a *App) when(m store.Meeting) string {
	return m.StartsAt.In(a.cfg.Location).Format("02-01-2006") + ", " + a.clock(m.StartsAt) + "–" +
		a.clock(m.EndsAt) + " " + a.zone(m.StartsAt)
}

// today is the current day in the configured zone.
func (a *App) today(c *Ctx) parse.Day { return parse.DayOf(c.Tx.Now().In(a.cfg.Location)) }

// at is day at hh:mm ("09:00") in the configured zone, in UTC.
func (a *App) at(day, hhmm string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly+" 15:04", day+" "+hhmm, a.cfg.Location)
	if err != nil {
		return time.Time{}, fmt.Errorf("meeting time %q %q: %w", day, hhmm, err)
	}
	return t.UTC(), nil
}

func (a *App) checkMeetingDate(c *Ctx, v Value) error {
	if v.Text < a.today(c).String() {
		return refuse("mtg.err.past_date", "today", a.today(c).Time().Format("02-01-2006"))
	}
	return nil
}

func (a *App) checkMeetingStart(c *Ctx, v Value) error {
	start, err := a.at(c.Answers.Text("date"), v.Text)
	if err != nil {
		return err
	}
	if !start.After(c.Tx.Now()) {
		return refuse("mtg.err.past", "now", a.clock(c.Tx.Now())+" "+a.zone(c.Tx.Now()))
	}
	return nil
}

func (a *App) checkMeetingEnd(c *Ctx, v Value) error {
	if v.Text <= c.Answers.Text("start") {
		return refuse("mtg.err.end_before", "start", strings.Replace(c.Answers.Text("start"), ":", ".", 1),
			"end", strings.Replace(v.Text, ":", ".", 1))
	}
	return nil
}

// meetingFromAnswers builds the meeting; a refusal of its times is *InputError.
func (a *App) meetingFromAnswers(c *Ctx) (store.Meeting, error) {
	ans := c.Answers
	m := store.Meeting{Title: ans.Text("title"), Place: ans.Text("place"), Audience: ans.Text("audience"),
		Note: ans.Text("note"), CreatedBy: c.User.ID, Code: newCheckinCode(), CheckinLead: a.cfg.CheckinLead}
	var err error
	if m.StartsAt, m.EndsAt, err = a.meetingTimes(c); err != nil {
		return m, err
	}
	if loc := ans["loc"]; ans.Has("loc") && !loc.Skipped {
		m.Lat, m.Lon = loc.Lat, loc.Lon
		if m.RadiusM, err = strconv.Atoi(ans.Text("radius")); err != nil {
			return m, fmt.Errorf("meeting radius: %w", err)
		}
	}
	return m, nil
}

// meetingTimes reads the answers' day, start and end, and checks them as a
// whole (an edit from the summary may have moved the day into the past); a
// refusal is *InputError.
func (a *App) meetingTimes(c *Ctx) (start, end time.Time, err error) {
	day := c.Answers.Text("date")
	if start, err = a.at(day, c.Answers.Text("start")); err != nil {
		return start, end, err
	}
	if end, err = a.at(day, c.Answers.Text("end")); err != nil {
		return start, end, err
	}
	now := c.Tx.Now()
	switch {
	case !start.After(now):
		return start, end, refuse("mtg.err.past", "now", a.clock(now)+" "+a.zone(now))
	case !end.After(start):
		return start, end, refuse("mtg.err.end_before", "start", a.clock(start), "end", a.clock(end))
	}
	return start, end, nil
}

// newCheckinCode returns 10 random bytes in base32 (16 characters): short
// enough for a QR code read from a screen, too many to guess.
func newCheckinCode() string {
	b := make([]byte, 10)
	rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// checkinLink is the meeting's deep link, unescaped (for the QR code).
func (a *App) checkinLink(m store.Meeting) string {
	return "https://t.me/" + a.cfg.BotUsername + "?start=" + checkinPrefix + m.Code
}

// QRCode returns the PNG of the QR code of link, 512 px square.
func QRCode(link string) ([]byte, error) {
	png, err := qrcode.Encode(link, qrcode.Medium, 512)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	return png, nil
}

func (a *App) saveMeeting(c *Ctx) error {
	m, err := a.meetingFromAnswers(c)
	var ie *InputError
	if errors.As(err, &ie) {
		// The draft was closed before Save; open it again at the summary so
		// nothing typed is lost.
		if err := c.Reply("⚠️ " + c.T(ie.Key, ie.Args...)); err != nil {
			return err
		}
		return a.startFlow(c, a.flows["meeting"], c.Vars, c.Answers, true)
	}
	if err != nil {
		return err
	}
	if !meetingInScope(c) {
		return a.deny(c, "meeting "+m.Audience+kecList(c.Answers["kecamatan"].List))
	}
	invitees, err := a.invitees(c, m.Audience)
	if ie := (*InputError)(nil); errors.As(err, &ie) {
		// Someone named in the list left the organiser's reach (or the
		// bot) since it was typed: back to the summary, nothing lost.
		if err := c.Reply("⚠️ " + c.T(ie.Key, ie.Args...)); err != nil {
			return err
		}
		return a.startFlow(c, a.flows["meeting"], c.Vars, c.Answers, true)
	}
	if err != nil {
		return err
	}
	if m.ID, err = c.Tx.AddMeeting(m); err != nil {
		return err
	}
	m.Status = store.MeetingScheduled
	sent, unreachable := 0, 0
	for _, u := range invitees {
		if err := c.Tx.Invite(m.ID, u.ID); err != nil {
			return err
		}
		if u.Unreachable {
			unreachable++
			continue
		}
		ref, err := c.Send(a.invitationMessage(u, m, store.Invitation{}, true))
		if err != nil {
			return err
		}
		if err := c.Tx.SetInvitationMessage(m.ID, u.ID, ref); err != nil {
			return err
		}
		sent++
	}
	if err := c.Tx.Audit(c.User.ID, "meeting_create", strconv.FormatInt(m.ID, 10)); err != nil {
		return err
	}
	return a.sendCheckinQR(c, m, c.T("mtg.created", "id", strconv.FormatInt(m.ID, 10), "title",
		html.EscapeString(m.Title), "when", a.when(m), "sent", itoa(sent), "unreachable", itoa(unreachable)))
}

// sendCheckinQR sends the organiser the QR code and the link, with head
// (what was saved) above them: one message, the QR with all of it as its
// caption, unless that is too long for a caption.
func (a *App) sendCheckinQR(c *Ctx, m store.Meeting, head string) error {
	link := a.checkinLink(m)
	png, err := QRCode(link)
	if err != nil {
		return err
	}
	caption := c.T("mtg.qr", "title", html.EscapeString(m.Title), "opens", a.clock(m.CheckinOpens()),
		"ends", a.clock(m.EndsAt)+" "+a.zone(m.EndsAt), "link", html.EscapeString(link))
	if whole := head + "\n\n" + caption; captionLen(whole) <= maxCaption {
		caption = whole
	} else if err := c.Reply(head); err != nil {
		return err
	}
	_, err = c.Send(store.Message{Kind: store.KindPhoto, File: png, FileName: "qr-rapat-" +
		strconv.FormatInt(m.ID, 10) + ".png", Text: caption})
	return err
}

// invitees are the active workers audience names, from the answers of the
// open flow.
func (a *App) invitees(c *Ctx, audience string) ([]store.User, error) {
	workers := []string{store.RolePSM, store.RoleTKSK}
	switch audience {
	case store.AudienceAll:
		return c.Tx.Workers(workers, nil, nil)
	case store.AudiencePSM:
		return c.Tx.Workers([]string{store.RolePSM}, nil, nil)
	case store.AudienceTKSK:
		return c.Tx.Workers([]string{store.RoleTKSK}, nil, nil)
	case store.AudienceKecamatan:
		return c.Tx.Workers(workers, c.Answers["kecamatan"].List, nil)
	case store.AudiencePeople:
		return a.resolvePeople(c, c.Answers.Text("people"))
	}
	return nil, fmt.Errorf("meeting audience %q", audience)
}

// resolvePeople reads a list of people, by Telegram id or by (part of) their
// registered name, separated by commas or lines; each must name exactly one
// registered person the organiser reaches. Someone outside their area is
// "unknown", as someone who does not exist: the list is no way to learn who
// works where.
func (a *App) resolvePeople(c *Ctx, text string) ([]store.User, error) {
	all, err := a.reachablePeople(c)
	if err != nil {
		return nil, err
	}
	var out []store.User
	seen := map[int64]bool{}
	for _, item := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
		u, err := findPerson(all, strings.TrimSpace(item))
		if err != nil {
			return nil, err
		}
		if u.ID != 0 && !seen[u.ID] {
			seen[u.ID] = true
			out = append(out, u)
		}
	}
	if len(out) == 0 {
		return nil, refuse("mtg.err.people.empty")
	}
	return out, nil
}

// reachablePeople are the active people c's user may invite or mark present.
func (a *App) reachablePeople(c *Ctx) ([]store.User, error) {
	all, err := c.Tx.Workers([]string{store.RolePSM, store.RoleTKSK, store.RoleCoordinator, store.RoleAdmin}, nil, nil)
	if err != nil {
		return nil, err
	}
	return reachable(c.User, all), nil
}

// findPerson finds who among users item names: an id, an exact name, or the
// only name containing it. An empty item is no one.
func findPerson(users []store.User, item string) (store.User, error) {
	if item == "" {
		return store.User{}, nil
	}
	if id, err := strconv.ParseInt(item, 10, 64); err == nil {
		for _, u := range users {
			if u.ID == id {
				return u, nil
			}
		}
		return store.User{}, refuse("mtg.err.people.unknown", "text", html.EscapeString(clip(item, 40)))
	}
	var found []store.User
	for _, u := range users {
		name := strings.ToLower(displayName(u))
		if name == strings.ToLower(item) {
			return u, nil
		}
		if strings.Contains(name, strings.ToLower(item)) {
			found = append(found, u)
		}
	}
	switch len(found) {
	case 0:
		return store.User{}, refuse("mtg.err.people.unknown", "text", html.EscapeString(clip(item, 40)))
	case 1:
		return found[0], nil
	}
	return store.User{}, refuse("mtg.err.people.ambiguous", "text", html.EscapeString(clip(item, 40)),
		"n", itoa(len(found)))
}

// invitationMessage is u's invitation to m showing their current answer, with
// the answer buttons while answers may still change.
func (a *App) invitationMessage(u store.User, m store.Meeting, inv store.Invitation, open bool) store.Message {
	lang := a.lang(u)
	text := i18n.T(lang, "mtg.invitation", "title", html.EscapeString(m.Title), "when", a.when(m),
		"place", html.EscapeString(m.Place))
	if m.Note != "" {
		text += "\n" + i18n.T(lang, "mtg.invitation.note", "note", html.EscapeString(m.Note))
	}
	if m.Status == store.MeetingCancelled {
		text += "\n\n" + i18n.T(lang, "mtg.cancelled")
		open = false
	} else if inv.RSVP != store.RSVPNone {
		text += "\n\n" + i18n.T(lang, "mtg.answer", "answer", i18n.T(lang, "mtg.rsvp."+inv.RSVP))
	} else {
		text += "\n\n" + i18n.T(lang, "mtg.invitation.ask")
	}
	msg := store.Message{ChatID: u.ID, Text: text, Priority: store.PriorityBroadcast}
	if open {
		msg.Buttons = rsvpButtons(lang, m)
	}
	return msg
}

// rsvpButtons are the answer buttons of m's invitation, in lang.
func rsvpButtons(lang i18n.Lang, m store.Meeting) [][]store.Button {
	id := strconv.FormatInt(m.ID, 10)
	yes, _ := data(cbMeeting, id, opRSVPYes, "")
	no, _ := data(cbMeeting, id, opRSVPNo, "")
	return [][]store.Button{{{Text: i18n.T(lang, "mtg.btn.yes"), Data: yes}, {Text: i18n.T(lang, "mtg.btn.no"), Data: no}}}
}
