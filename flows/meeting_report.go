package flows

import (
	"html"
	"strconv"
	"strings"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// maxMissingListed bounds the names of absentees in a report, to stay well
// under Telegram's 4096 characters; the sheet has everyone.
const maxMissingListed = 40

// cmdMeetings is /rapat: with a meeting id, its report for the organiser
// ("/rapat 3 batal" cancels it, "/rapat 3 pindah" moves it); without, the person's upcoming meetings with
// their answers (and, for staff, the meetings they organise).
func (a *App) cmdMeetings(c *Ctx, _ *session) error {
	args := strings.Fields(c.Ev.Args)
	if len(args) > 0 {
		arg := strings.TrimPrefix(args[0], "#")
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil {
			return c.Reply(c.T("mtg.usage"))
		}
		m, ok, err := c.Tx.MeetingByID(id)
		if err != nil {
			return err
		}
		if !ok {
			return c.Reply(c.T("mtg.unknown", "id", arg))
		}
		if !a.mayManage(c.User, m) {
			return a.deny(c, "/rapat "+arg)
		}
		switch {
		case len(args) == 1:
			return a.sendReport(c, m)
		case len(args) == 2 && (args[1] == "batal" || args[1] == "cancel"):
			return a.cancelMeeting(c, m)
		case len(args) == 2 && (args[1] == "pindah" || args[1] == "move"):
			return a.startMeetingMove(c, m)
		}
		return c.Reply(c.T("mtg.usage"))
	}
	now := c.Tx.Now()
	ms, invs, err := c.Tx.UpcomingFor(c.User.ID, now)
	if err != nil {
		return err
	}
	var b strings.Builder
	if len(ms) == 0 {
		b.WriteString(c.T("mtg.list.none"))
	} else {
		b.WriteString("<b>" + c.T("mtg.list.title") + "</b>\n")
	}
	for i, m := range ms {
		answer := c.T("mtg.rsvp.none")
		if invs[i].RSVP != store.RSVPNone {
			answer = c.T("mtg.rsvp." + invs[i].RSVP)
		}
		b.WriteString("\n" + c.T("mtg.list.item", "title", html.EscapeString(m.Title), "when", a.when(m),
			"place", html.EscapeString(m.Place), "answer", answer))
	}
	if isStaff(c.User) {
		own, err := c.Tx.MeetingsCreatedBy(c.User.ID, now)
		if err != nil {
			return err
		}
		if len(own) > 0 {
			b.WriteString("\n\n<b>" + c.T("mtg.list.own") + "</b>\n")
		}
		for _, m := range own {
			b.WriteString("\n" + c.T("mtg.list.own_item", "id", strconv.FormatInt(m.ID, 10),
				"title", html.EscapeString(m.Title), "when", a.when(m)))
		}
	}
	return c.Reply(b.String())
}

// meetingSummary counts a meeting's roster.
type meetingSummary struct {
	invited, unreachable int
	yes, no, unanswered  int
	present, walkIns     int
	byMethod             map[string]int
	byRole               map[string]int
	byKecamatan          map[string]int
	missing              []store.RosterEntry
}

func summarize(roster []store.RosterEntry) meetingSummary {
	s := meetingSummary{byMethod: map[string]int{}, byRole: map[string]int{}, byKecamatan: map[string]int{}}
	for _, e := range roster {
		if e.Invited {
			s.invited++
			if e.User.Unreachable {
				s.unreachable++
			}
			switch e.RSVP {
			case store.RSVPYes:
				s.yes++
			case store.RSVPNo:
				s.no++
			default:
				s.unanswered++
			}
		}
		if e.Attended {
			s.present++
			s.byMethod[e.Attendance.Method]++
			s.byRole[e.User.Role]++
			s.byKecamatan[e.User.Kecamatan]++
			if e.Attendance.WalkIn {
				s.walkIns++
			}
		} else {
			s.missing = append(s.missing, e)
		}
	}
	return s
}

// visibleRoster is m's roster as c's user may see it, and how many entries
// were left out. Everyone who checked in is shown (they came to the meeting
// the viewer manages); of the others, only the people the viewer reaches:
// who was invited from outside a coordinator's area, what they answered and
// why they declined is not the coordinator's to know (an area that shrank
// after the invitations went out, or a meeting of the whole city).
func (a *App) visibleRoster(c *Ctx, m store.Meeting) ([]store.RosterEntry, int, error) {
	roster, err := c.Tx.Roster(m.ID)
	if err != nil {
		return nil, 0, err
	}
	if citywide(c.User) {
		return roster, 0, nil
	}
	out := make([]store.RosterEntry, 0, len(roster))
	for _, e := range roster {
		if e.Attended || reaches(c.User, e.User) {
			out = append(out, e)
		}
	}
	return out, len(roster) - len(out), nil
}

// roleOrder is the order roles are listed in reports.
var roleOrder = []string{store.RolePSM, store.RoleTKSK, store.RoleCoordinator, store.RoleAdmin}

// sendReport shows the organiser a meeting's numbers, with the sheet buttons.
func (a *App) sendReport(c *Ctx, m store.Meeting) error {
	roster, hidden, err := a.visibleRoster(c, m)
	if err != nil {
		return err
	}
	s := summarize(roster)
	var b strings.Builder
	b.WriteString(c.T("mtg.report.head", "id", strconv.FormatInt(m.ID, 10), "title", html.EscapeString(m.Title),
		"when", a.when(m), "place", html.EscapeString(m.Place)))
	if m.Status == store.MeetingCancelled {
		b.WriteString("\n" + c.T("mtg.cancelled"))
	}
	b.WriteString("\n\n" + c.T("mtg.report.invited", "n", itoa(s.invited), "unreachable", itoa(s.unreachable)))
	b.WriteString("\n" + c.T("mtg.report.rsvp", "yes", itoa(s.yes), "no", itoa(s.no), "none", itoa(s.unanswered)))
	b.WriteString("\n" + c.T("mtg.report.present", "n", itoa(s.present), "roles", a.roleCounts(c.Lang, s.byRole)))
	b.WriteString("\n" + c.T("mtg.report.methods", "qr", itoa(s.byMethod[store.CheckinQR]),
		"location", itoa(s.byMethod[store.CheckinLocation]), "manual", itoa(s.byMethod[store.CheckinManual]),
		"walkin", itoa(s.walkIns)))
	if s.present > 0 {
		b.WriteString("\n\n<b>" + c.T("mtg.report.by_kecamatan") + "</b>")
		for _, k := range a.cfg.Regions.Kecamatan {
			if n := s.byKecamatan[k.Code]; n > 0 {
				b.WriteString("\n• " + html.EscapeString(k.Name) + ": " + itoa(n))
			}
		}
		if n := s.byKecamatan[""]; n > 0 {
			b.WriteString("\n• " + c.T("mtg.report.no_kecamatan") + ": " + itoa(n))
		}
	}
	if len(s.missing) > 0 {
		b.WriteString("\n\n<b>" + c.T("mtg.report.missing", "n", itoa(len(s.missing))) + "</b>")
		for i, e := range s.missing {
			if i == maxMissingListed {
				b.WriteString("\n" + c.T("mtg.report.more", "n", itoa(len(s.missing)-i)))
				break
			}
			b.WriteString("\n• " + html.EscapeString(displayName(e.User)) + " (" + c.T("role."+e.User.Role) + ")")
			switch {
			case e.RSVP == store.RSVPNo && e.Reason != "":
				b.WriteString(" — " + c.T("mtg.rsvp.no") + ": <i>" + html.EscapeString(clip(e.Reason, 100)) + "</i>")
			case e.RSVP == store.RSVPNo:
				b.WriteString(" — " + c.T("mtg.rsvp.no"))
			case e.User.Unreachable:
				b.WriteString(" — " + c.T("mtg.report.unreachable"))
			}
		}
	}
	if hidden > 0 {
		b.WriteString("\n\n" + c.T("mtg.report.hidden", "n", itoa(hidden)))
	}
	id := strconv.FormatInt(m.ID, 10)
	if m.Status == store.MeetingScheduled && c.Tx.Now().Before(m.StartsAt) {
		b.WriteString("\n\n" + c.T("mtg.report.manage", "id", id))
	}
	xlsx, err := data(cbMeeting, id, opSheetXLSX, "")
	if err != nil {
		return err
	}
	csv, err := data(cbMeeting, id, opSheetCSV, "")
	if err != nil {
		return err
	}
	buttons := [][]store.Button{{{Text: c.T("mtg.btn.xlsx"), Data: xlsx}, {Text: c.T("mtg.btn.csv"), Data: csv}}}
	if m.Status != store.MeetingCancelled && len(s.missing) > 0 {
		mark, err := data(cbMeeting, id, opMarkOpen, "")
		if err != nil {
			return err
		}
		buttons = append(buttons, []store.Button{{Text: c.T("mtg.btn.mark"), Data: mark}})
	}
	_, err = c.Send(store.Message{Text: b.String(), Buttons: buttons})
	return err
}

// markPageSize is how many names the attendance picker shows at once: few
// enough to find a name on a small phone screen.
const markPageSize = 8

// onMarkPicker handles the report's picker of invitees not yet present: open
// it (a new message), turn its page, or mark one present by hand; the latter
// two edit the picker. The caller has checked the presser may manage m.
func (a *App) onMarkPicker(c *Ctx, m store.Meeting, cb Callback) error {
	if m.Status == store.MeetingCancelled {
		return c.Answer(c.T("mtg.cancelled"))
	}
	page, note, editing := 0, "", c.Ev.CallbackMessageID
	var err error
	switch cb.Op {
	case opMarkOpen:
		editing = 0
	case opMarkPage:
		if page, err = strconv.Atoi(cb.Arg); err != nil {
			return a.stale(c)
		}
	case opMark:
		who, pageText, _ := strings.Cut(cb.Arg, ".")
		uid, err := strconv.ParseInt(who, 10, 64)
		if err != nil {
			return a.stale(c)
		}
		if page, err = strconv.Atoi(pageText); err != nil {
			return a.stale(c)
		}
		// Only invitees are listed; data naming anyone else was not ours.
		_, invited, err := c.Tx.GetInvitation(m.ID, uid)
		if err != nil {
			return err
		}
		u, found, err := c.Tx.GetUser(uid)
		if err != nil {
			return err
		}
		if !invited || !found {
			return a.stale(c)
		}
		if !reaches(c.User, u) {
			// The picker never listed them: forged data, or an area that
			// shrank since it was drawn.
			return a.deny(c, "meeting_mark "+cb.Nonce+":"+who)
		}
		if note, err = a.markPresent(c, m, u, true); err != nil {
			return err
		}
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	return a.showMarkPicker(c, m, page, note, editing)
}

// showMarkPicker shows page of m's invitees not yet present as buttons, with
// note (the last mark's outcome) above; editing is the picker to edit, 0 for
// a new message.
func (a *App) showMarkPicker(c *Ctx, m store.Meeting, page int, note string, editing int) error {
	roster, _, err := a.visibleRoster(c, m)
	if err != nil {
		return err
	}
	var left []store.User
	for _, e := range roster {
		if e.Invited && !e.Attended {
			left = append(left, e.User)
		}
	}
	pages := max(1, (len(left)+markPageSize-1)/markPageSize)
	page = min(max(page, 0), pages-1) // the list shrinks as people are marked
	id := strconv.FormatInt(m.ID, 10)
	var b strings.Builder
	if note != "" {
		b.WriteString(note + "\n\n")
	}
	b.WriteString(c.T("mtg.mark.head", "id", id, "title", html.EscapeString(m.Title)))
	if len(left) == 0 {
		b.WriteString("\n" + c.T("mtg.mark.none"))
	} else {
		b.WriteString("\n" + c.T("mtg.mark.ask", "n", itoa(len(left)), "page", itoa(page+1), "pages", itoa(pages)))
	}
	var rows [][]store.Button
	for _, u := range left[page*markPageSize : min(len(left), (page+1)*markPageSize)] {
		d, err := data(cbMeeting, id, opMark, strconv.FormatInt(u.ID, 10)+"."+itoa(page))
		if err != nil {
			return err
		}
		rows = append(rows, []store.Button{{Text: clip(displayName(u), 48) + " (" + c.T("role."+u.Role) + ")", Data: d}})
	}
	var nav []store.Button
	for _, p := range []struct {
		to  int
		key string
	}{{page - 1, "mtg.mark.prev"}, {page + 1, "mtg.mark.next"}} {
		if p.to < 0 || p.to >= pages {
			continue
		}
		d, err := data(cbMeeting, id, opMarkPage, itoa(p.to))
		if err != nil {
			return err
		}
		nav = append(nav, store.Button{Text: c.T(p.key), Data: d})
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	return a.showOrEdit(c, editing, b.String(), rows)
}

// roleCounts is "PSM 68, TKSK 14" in lang.
func (a *App) roleCounts(lang i18n.Lang, byRole map[string]int) string {
	var parts []string
	for _, r := range roleOrder {
		if n := byRole[r]; n > 0 {
			parts = append(parts, i18n.T(lang, "role."+r)+" "+itoa(n))
		}
	}
	return strings.Join(parts, ", ")
}
