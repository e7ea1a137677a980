package flows

import (
	"fmt"
	"html"
	"strings"
	"time"

	"dinsosbot/store"
)

func (a *App) cmdAudit(c *Ctx, s *session) error {
	if err := a.showAudit(c, 0, 0); err != nil {
		return err
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	return nil
}

func (a *App) showAudit(c *Ctx, page, editing int) error {
	page = max(page, 0)
	// Refusals counted but not yet written (store.AuditLimited) go into the
	// log first, so the admin reads all of it.
	if err := c.Tx.FlushAuditCounters(); err != nil {
		return err
	}
	recs, total, err := c.Tx.AuditRecent(page*auditPageSize, auditPageSize)
	if err != nil {
		return err
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("<b>" + c.T("adm.audit.title") + "</b>")
	if total == 0 {
		b.WriteString("\n\n" + c.T("adm.audit.empty"))
	}
	for _, r := range recs {
		who := html.EscapeString(clip(r.Name, 24))
		switch {
		case r.UserID == SystemUser:
			who = c.T("adm.audit.system")
		case who == "":
			who = c.T("adm.audit.someone")
		}
		fmt.Fprintf(&b, "\n<code>%s</code> %s (%d): <b>%s</b> %s", r.At.In(a.cfg.Location).Format("02-01 15.04"),
			who, r.UserID, html.EscapeString(r.Action), html.EscapeString(clip(r.Detail, 60)))
	}
	var nav []store.Button
	if (page+1)*auditPageSize < total {
		d, err := data(cbAdmin, itoa(page+1), opAuditPage, "")
		if err != nil {
			return err
		}
		nav = append(nav, store.Button{Text: c.T("adm.audit.older"), Data: d})
	}
	if page > 0 {
		d, err := data(cbAdmin, itoa(page-1), opAuditPage, "")
		if err != nil {
			return err
		}
		nav = append(nav, store.Button{Text: c.T("adm.audit.newer"), Data: d})
	}
	var rows [][]store.Button
	if len(nav) > 0 {
		rows = [][]store.Button{nav}
	}
	return a.showOrEdit(c, editing, b.String(), rows)
}

// Statistics.

// cmdStats is /statistik: cases in the person's area (everything for admins)
// by status, this month's reports, top categories, and the users.
func (a *App) cmdStats(c *Ctx, s *session) error {
	covers := c.User.Covers
	if isAdmin(c.User) {
		covers = []string{"*"}
	}
	if covers == nil {
		covers = []string{}
	}
	now := c.Tx.Now().In(a.cfg.Location)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, a.cfg.Location)
	st, err := c.Tx.Stats(covers, month.UTC())
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<b>%s</b> · %s\n", c.T("adm.stats.title"), a.coversText(c.Lang, covers))
	b.WriteString("\n" + c.T("adm.stats.cases", "total", itoa(st.CasesTotal), "month", itoa(st.CasesThisPeriod),
		"monthname", now.Format("01-2006")))
	for _, status := range []string{store.CaseNew, store.CaseVerified, store.CaseNeedsFix, store.CaseFollowUp,
		store.CaseClosed, store.CaseRejected} {
		fmt.Fprintf(&b, "\n  %s: <b>%d</b>", c.T("case.status."+status), st.CasesByStatus[status])
	}
	if len(st.TopCategories) > 0 {
		b.WriteString("\n\n" + c.T("adm.stats.top"))
		for _, cc := range st.TopCategories {
			fmt.Fprintf(&b, "\n  %s: <b>%d</b>", html.EscapeString(categoryName(cc.Category)), cc.N)
		}
	}
	b.WriteString("\n\n" + c.T("adm.stats.users", "psm", itoa(st.UsersByRole[store.RolePSM]),
		"tksk", itoa(st.UsersByRole[store.RoleTKSK]), "coord", itoa(st.UsersByRole[store.RoleCoordinator]),
		"admin", itoa(st.UsersByRole[store.RoleAdmin]), "pending", itoa(st.UsersPending),
		"blocked", itoa(st.UsersBlocked), "unreachable", itoa(st.Unreachable)))
	b.WriteString("\n" + c.T("adm.stats.meetings", "n", itoa(st.MeetingsUpcoming)))
	if err := c.Reply(b.String()); err != nil {
		return err
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	return nil
}
