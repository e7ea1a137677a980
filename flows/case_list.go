package flows

import (
	"fmt"
	"html"
	"strconv"
	"strings"

	"dinsosbot/store"
)

// Case lists: /kasus (a worker's own cases; a coordinator's area; everything for
// admins) and /verifikasi (what waits on a coordinator), newest first, paged.

const casePageSize = 5

// maxHistoryShown keeps a case's detail within Telegram's 4096 characters.
const maxHistoryShown = 12

// List scopes, carried in the paging buttons.
const (
	scopeOwn   = "own"
	scopeArea  = "area"
	scopeQueue = "queue"
)

func (a *App) cmdCases(c *Ctx, s *session) error {
	scope := scopeOwn
	if isStaff(c.User) {
		scope = scopeArea
	}
	if err := a.showCaseList(c, scope, 0, 0); err != nil {
		return err
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	return nil
}

func (a *App) cmdQueue(c *Ctx, s *session) error {
	if err := a.showCaseList(c, scopeQueue, 0, 0); err != nil {
		return err
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	return nil
}

// caseFilter is what scope shows to the person; ok is false when they may not
// see it (a forged button). The verification queue leaves out the person's
// own reports, which someone else decides (mayDecide).
func (a *App) caseFilter(c *Ctx, scope string) (store.CaseFilter, bool, error) {
	u := c.User
	covers := u.Covers
	if isAdmin(u) {
		covers = []string{"*"}
	}
	switch scope {
	case scopeOwn:
		return store.CaseFilter{ReporterID: u.ID}, isRegistered(u), nil
	case scopeArea:
		return store.CaseFilter{Kecamatan: append([]string{}, covers...)}, isStaff(u), nil
	case scopeQueue:
		f := store.CaseFilter{Kecamatan: append([]string{}, covers...), Statuses: []string{store.CaseNew},
			NotReporterID: u.ID}
		if isAdmin(u) {
			alone, err := a.onlyAdmin(c.Tx, u)
			if err != nil {
				return store.CaseFilter{}, false, err
			}
			if alone {
				f.NotReporterID = 0
			}
		}
		return f, isStaff(u), nil
	}
	return store.CaseFilter{}, false, nil
}

// showCaseList shows page of scope; editing, when not 0, is the list message
// to replace (a paging button was pressed).
func (a *App) showCaseList(c *Ctx, scope string, page, editing int) error {
	f, ok, err := a.caseFilter(c, scope)
	if err != nil {
		return err
	}
	if !ok {
		return a.deny(c, "case_list "+scope)
	}
	if page < 0 {
		page = 0
	}
	cases, total, err := c.Tx.ListCases(f, page*casePageSize, casePageSize)
	if err != nil {
		return err
	}
	if total == 0 {
		return c.Reply(c.T("case.list.empty." + scope))
	}
	var b strings.Builder
	from := page*casePageSize + 1
	b.WriteString(c.T("case.list."+scope, "from", strconv.Itoa(from), "to", strconv.Itoa(from+len(cases)-1),
		"total", strconv.Itoa(total)))
	var rows [][]store.Button
	for _, k := range cases {
		fmt.Fprintf(&b, "\n\n<b>%s</b> · %s\n%s · %s · %s", k.Code, c.T("case.status."+k.Status),
			html.EscapeString(categoryName(k.Category)), html.EscapeString(k.FullName), a.formatTime(k.CreatedAt))
		d, err := data(cbCase, strconv.FormatInt(k.ID, 10), opCaseDetail, "")
		if err != nil {
			return err
		}
		rows = append(rows, []store.Button{{Text: "🔎 " + k.Code + " · " + clip(k.FullName, 24), Data: d}})
	}
	var nav []store.Button
	if page > 0 {
		d, err := data(cbCase, strconv.Itoa(page-1), opCaseList, scope)
		if err != nil {
			return err
		}
		nav = append(nav, store.Button{Text: c.T("case.list.prev"), Data: d})
	}
	if from+len(cases)-1 < total {
		d, err := data(cbCase, strconv.Itoa(page+1), opCaseList, scope)
		if err != nil {
			return err
		}
		nav = append(nav, store.Button{Text: c.T("case.list.next"), Data: d})
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	m := store.Message{Text: b.String(), Buttons: rows}
	if editing != 0 {
		m.Kind, m.MessageID = store.KindEditText, editing
	}
	_, err = c.Send(m)
	return err
}

// showCase shows case k with its history and the buttons the person may use.
func (a *App) showCase(c *Ctx, k store.Case) error { return a.renderCase(c, k, 0) }

// renderCase draws case k's detail view: a new message, or editing, when not
// 0, the detail message to redraw (after an action from it).
func (a *App) renderCase(c *Ctx, k store.Case, editing int) error {
	text, err := a.caseText(c, c.Lang, c.User, k)
	if err != nil {
		return err
	}
	events, err := c.Tx.CaseEvents(k.ID)
	if err != nil {
		return err
	}
	text += "\n\n<b>" + c.T("case.history") + "</b>"
	if len(events) > maxHistoryShown {
		text += "\n…"
		events = events[len(events)-maxHistoryShown:]
	}
	for _, e := range events {
		line := c.T("case.history."+e.Action, "status", c.T("case.status."+e.To))
		text += fmt.Sprintf("\n• %s — %s (%s)", a.formatTime(e.At), line, html.EscapeString(e.UserName))
		if e.Note != "" {
			text += ": <i>" + html.EscapeString(clip(e.Note, 300)) + "</i>"
		}
		switch {
		case len(e.Fields) > 0 && e.Action == store.CaseActionResubmit:
			text += " · " + c.T("case.fix.changed", "fields", a.caseFieldNames(c.Lang, e.Fields))
		case len(e.Fields) > 0:
			text += " · " + c.T("case.fix.fields", "fields", a.caseFieldNames(c.Lang, e.Fields))
		}
	}
	var buttons [][]store.Button
	if may, err := a.mayDecide(c.Tx, c.User, k); err != nil {
		return err
	} else if may {
		if buttons, err = actionButtons(c.Lang, k, opCaseActIn); err != nil {
			return err
		}
	}
	if k.ReporterID == c.User.ID && k.Status == store.CaseNeedsFix {
		d, err := data(cbCase, strconv.FormatInt(k.ID, 10), opCaseFix, "")
		if err != nil {
			return err
		}
		buttons = append(buttons, []store.Button{{Text: c.T("case.btn.fix"), Data: d}})
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	m := store.Message{Text: text, Buttons: buttons}
	if editing != 0 {
		m.Kind, m.MessageID = store.KindEditText, editing
	}
	_, err = c.Send(m)
	return err
}
