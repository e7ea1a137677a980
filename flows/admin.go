package flows

import (
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// The admin console's buttons: "ad:<nonce>:<op>:<arg>". Every op is checked
// against the presser's rights again when pressed, so a forged button does
// nothing but an audited refusal.
const cbAdmin = "ad"

const (
	opUserList    = "l"  // Nonce: page; Arg: the list's filter
	opUserCard    = "u"  // Nonce: user id; Arg: the list's filter (to go back)
	opUserApprove = "ap" // Nonce: user id
	opUserReject  = "rj"
	opUserBlock   = "bl"
	opUserUnblock = "ub"
	opUserRoles   = "ro" // show the role choices
	opUserRole    = "rs" // Arg: the new role
	opUserCovers  = "cv" // show the kecamatan a coordinator covers
	opUserCover   = "ct" // Arg: kecamatan code to toggle, or "all"
	opAuditPage   = "au" // Nonce: page
	opBcastSend   = "bs" // Nonce: broadcast id
	opBcastCancel = "bx"
	opEraseMe     = "ex" // Nonce: the presser's own id
	opEraseKeep   = "en"
	opEraseCase   = "ec" // Nonce: case id
)

func init() {
	validOps[cbAdmin] = map[string]bool{opUserList: true, opUserCard: true, opUserApprove: true, opUserReject: true,
		opUserBlock: true, opUserUnblock: true, opUserRoles: true, opUserRole: true, opUserCovers: true,
		opUserCover: true, opAuditPage: true, opBcastSend: true, opBcastCancel: true, opEraseMe: true,
		opEraseKeep: true, opEraseCase: true}
}

// onAdminCallback routes an admin console button after checking who pressed it.
func (a *App) onAdminCallback(c *Ctx, cb Callback) error {
	switch cb.Op {
	case opEraseMe, opEraseKeep:
		return a.onEraseMe(c, cb)
	case opBcastSend, opBcastCancel:
		return a.onBroadcastButton(c, cb)
	}
	if !isAdmin(c.User) {
		return a.deny(c, "admin "+cb.Op)
	}
	id, err := strconv.ParseInt(cb.Nonce, 10, 64)
	if err != nil {
		return a.stale(c)
	}
	switch cb.Op {
	case opUserList:
		return a.showUsers(c, parseUserFilter(cb.Arg), int(id), c.Ev.CallbackMessageID)
	case opAuditPage:
		return a.showAudit(c, int(id), c.Ev.CallbackMessageID)
	case opEraseCase:
		return a.eraseCase(c, id)
	}
	return a.onUserAction(c, id, cb)
}

// Users list.

const userPageSize = 8

// userFilterStatuses are the status filters offered as buttons, in order.
var userFilterStatuses = []string{"", store.UserPending, store.UserActive, store.UserBlocked, store.UserFilterUnreachable}

// encodeUserFilter packs f into callback data: "status-role-kecamatan".
func encodeUserFilter(f store.UserFilter) string { return f.Status + "-" + f.Role + "-" + f.Kecamatan }

func parseUserFilter(s string) store.UserFilter {
	parts := strings.SplitN(s, "-", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return store.UserFilter{Status: parts[0], Role: parts[1], Kecamatan: parts[2]}
}

// userFilterWords maps what an admin may type after /pengguna to a filter.
var userFilterWords = map[string]func(*store.UserFilter){
	"menunggu": func(f *store.UserFilter) { f.Status = store.UserPending },
	"pending":  func(f *store.UserFilter) { f.Status = store.UserPending },
	"aktif":    func(f *store.UserFilter) { f.Status = store.UserActive },
	"active":   func(f *store.UserFilter) { f.Status = store.UserActive },
	"diblokir": func(f *store.UserFilter) { f.Status = store.UserBlocked },
	"blocked":  func(f *store.UserFilter) { f.Status = store.UserBlocked },
	"ditolak":  func(f *store.UserFilter) { f.Status = store.UserRejected },
	"rejected": func(f *store.UserFilter) { f.Status = store.UserRejected },
	"terputus": func(f *store.UserFilter) { f.Status = store.UserFilterUnreachable },
	"unreachable": func(f *store.UserFilter) {
		f.Status = store.UserFilterUnreachable
	},
	"psm":         func(f *store.UserFilter) { f.Role = store.RolePSM },
	"tksk":        func(f *store.UserFilter) { f.Role = store.RoleTKSK },
	"koordinator": func(f *store.UserFilter) { f.Role = store.RoleCoordinator },
	"coordinator": func(f *store.UserFilter) { f.Role = store.RoleCoordinator },
	"admin":       func(f *store.UserFilter) { f.Role = store.RoleAdmin },
}

// cmdUsers is /pengguna [status] [role] [kecamatan].
func (a *App) cmdUsers(c *Ctx, s *session) error {
	var f store.UserFilter
	var rest []string
	for _, w := range strings.Fields(strings.ToLower(c.Ev.Args)) {
		if set, ok := userFilterWords[w]; ok {
			set(&f)
		} else {
			rest = append(rest, w)
		}
	}
	if len(rest) > 0 {
		k, ok := a.cfg.Regions.FindKecamatan(strings.Join(rest, " "))
		if !ok {
			return c.Reply(c.T("adm.users.bad_filter", "text", html.EscapeString(clip(strings.Join(rest, " "), 40))))
		}
		f.Kecamatan = k.Code
	}
	if err := a.showUsers(c, f, 0, 0); err != nil {
		return err
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	return nil
}

// showUsers shows page of the users f selects; editing is the list message to
// replace (0: send a new one).
func (a *App) showUsers(c *Ctx, f store.UserFilter, page, editing int) error {
	page = max(page, 0)
	users, total, err := c.Tx.ListUsers(f, page*userPageSize, userPageSize)
	if err != nil {
		return err
	}
	arg := encodeUserFilter(f)
	var b strings.Builder
	b.WriteString("<b>" + c.T("adm.users.title") + "</b>")
	if desc := a.userFilterText(c.Lang, f); desc != "" {
		b.WriteString(" · " + desc)
	}
	if total == 0 {
		b.WriteString("\n\n" + c.T("adm.users.empty"))
	} else {
		from := page*userPageSize + 1
		b.WriteString("\n" + c.T("adm.users.range", "from", itoa(from), "to", itoa(from+len(users)-1), "total", itoa(total)))
	}
	var rows [][]store.Button
	for i, u := range users {
		fmt.Fprintf(&b, "\n%d. %s", page*userPageSize+i+1, a.userLine(c.Lang, u))
		d, err := data(cbAdmin, strconv.FormatInt(u.ID, 10), opUserCard, arg)
		if err != nil {
			return err
		}
		rows = append(rows, []store.Button{{Text: clip(displayName(u), 30) + " · " + i18n.T(c.Lang, "adm.status."+u.Status), Data: d}})
	}
	var nav []store.Button
	if page > 0 {
		d, err := data(cbAdmin, itoa(page-1), opUserList, arg)
		if err != nil {
			return err
		}
		nav = append(nav, store.Button{Text: c.T("case.list.prev"), Data: d})
	}
	if (page+1)*userPageSize < total {
		d, err := data(cbAdmin, itoa(page+1), opUserList, arg)
		if err != nil {
			return err
		}
		nav = append(nav, store.Button{Text: c.T("case.list.next"), Data: d})
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	var filters []store.Button
	for _, st := range userFilterStatuses {
		g := f
		g.Status = st
		d, err := data(cbAdmin, "0", opUserList, encodeUserFilter(g))
		if err != nil {
			return err
		}
		label := c.T("adm.filter." + filterKey(st))
		if st == f.Status {
			label = "• " + label
		}
		filters = append(filters, store.Button{Text: label, Data: d})
	}
	rows = append(rows, filters[:3], filters[3:])
	return a.showOrEdit(c, editing, b.String(), rows)
}

func filterKey(status string) string {
	if status == "" {
		return "all"
	}
	return status
}

func (a *App) userFilterText(lang i18n.Lang, f store.UserFilter) string {
	var parts []string
	if f.Status != "" {
		parts = append(parts, i18n.T(lang, "adm.filter."+f.Status))
	}
	if f.Role != "" {
		parts = append(parts, i18n.T(lang, "role."+f.Role))
	}
	if k, ok := a.cfg.Regions.KecamatanByCode(f.Kecamatan); ok {
		parts = append(parts, html.EscapeString(k.Name))
	}
	return strings.Join(parts, ", ")
}

// userLine is one user in a list: name, role, kecamatan, status.
func (a *App) userLine(lang i18n.Lang, u store.User) string {
	line := "<b>" + html.EscapeString(clip(displayName(u), 40)) + "</b>"
	if u.Role != store.RoleNone {
		line += " · " + i18n.T(lang, "role."+u.Role)
	}
	if k, ok := a.cfg.Regions.KecamatanByCode(u.Kecamatan); ok {
		line += " · " + html.EscapeString(k.Name)
	}
	line += " · " + i18n.T(lang, "adm.status."+u.Status)
	if u.Unreachable {
		line += " · " + i18n.T(lang, "adm.unreachable")
	}
	return line
}

// showOrEdit edits message editing (the one whose button was pressed) or, when
// 0, sends a new message.
func (a *App) showOrEdit(c *Ctx, editing int, text string, buttons [][]store.Button) error {
	m := store.Message{Text: text, Buttons: buttons}
	if editing != 0 {
		m.Kind, m.MessageID = store.KindEditText, editing
	}
	_, err := c.Send(m)
	return err
}

// User card and actions.

// showUserCard shows u's card with the actions open to its status.
func (a *App) showUserCard(c *Ctx, u store.User, back string, note string, editing int) error {
	lang := c.Lang
	var b strings.Builder
	if note != "" {
		b.WriteString(note + "\n\n")
	}
	who := html.EscapeString(u.FirstName)
	if u.Username != "" {
		who += " (@" + html.EscapeString(u.Username) + ")"
	}
	fmt.Fprintf(&b, "<b>%s</b>\nTelegram: %s · <code>%d</code>\n\n", c.T("adm.card.title"), who, u.ID)
	pending, err := c.Tx.PendingApproval(u.ID)
	if err != nil {
		return err
	}
	if pending != 0 {
		// What the user asked for is what the admin decides on.
		appr, _, err := c.Tx.GetApproval(pending)
		if err != nil {
			return err
		}
		b.WriteString(c.T("adm.card.requested") + "\n" + a.profileText(lang, appr.Profile))
	} else {
		b.WriteString(a.profileText(lang, u.Profile))
	}
	b.WriteString("\n" + c.T("adm.card.status", "status", i18n.T(lang, "adm.status."+u.Status)))
	if u.Unreachable {
		b.WriteString(" · " + c.T("adm.unreachable"))
	}
	if u.Role == store.RoleCoordinator || u.Role == store.RoleAdmin {
		b.WriteString("\n" + c.T("adm.card.covers", "covers", a.coversText(lang, u.Covers)))
	}
	id := strconv.FormatInt(u.ID, 10)
	button := func(key, op, arg string) (store.Button, error) {
		d, err := data(cbAdmin, id, op, arg)
		return store.Button{Text: c.T(key), Data: d}, err
	}
	var specs [][]struct{ key, op, arg string }
	if pending != 0 {
		specs = append(specs, []struct{ key, op, arg string }{{"appr.btn.approve", opUserApprove, ""}, {"appr.btn.reject", opUserReject, ""}})
	}
	switch u.Status {
	case store.UserBlocked:
		specs = append(specs, []struct{ key, op, arg string }{{"adm.btn.unblock", opUserUnblock, ""}})
	default:
		row := []struct{ key, op, arg string }{{"adm.btn.role", opUserRoles, ""}}
		if u.Role == store.RoleCoordinator {
			row = append(row, struct{ key, op, arg string }{"adm.btn.covers", opUserCovers, ""})
		}
		specs = append(specs, row, []struct{ key, op, arg string }{{"adm.btn.block", opUserBlock, ""}})
	}
	var rows [][]store.Button
	for _, spec := range specs {
		var row []store.Button
		for _, s := range spec {
			btn, err := button(s.key, s.op, s.arg)
			if err != nil {
				return err
			}
			row = append(row, btn)
		}
		rows = append(rows, row)
	}
	d, err := data(cbAdmin, "0", opUserList, back)
	if err != nil {
		return err
	}
	rows = append(rows, []store.Button{{Text: c.T("adm.btn.back"), Data: d}})
	return a.showOrEdit(c, editing, b.String(), rows)
}

func (a *App) coversText(lang i18n.Lang, covers []string) string {
	if slices.Contains(covers, "*") {
		return i18n.T(lang, "adm.covers.all")
	}
	if len(covers) == 0 {
		return i18n.T(lang, "adm.covers.none")
	}
	var names []string
	for _, code := range covers {
		if k, ok := a.cfg.Regions.KecamatanByCode(code); ok {
			names = append(names, html.EscapeString(k.Name))
		}
	}
	return strings.Join(names, ", ")
}

// onUserAction applies a card button to user id; only admins get here.
func (a *App) onUserAction(c *Ctx, id int64, cb Callback) error {
	u, ok, err := c.Tx.GetUser(id)
	if err != nil {
		return err
	}
	if !ok || u.Status == store.UserErased {
		return a.stale(c)
	}
	back := encodeUserFilter(store.UserFilter{})
	if cb.Op == opUserCard {
		back = cb.Arg
		if err := c.Answer(""); err != nil {
			return err
		}
		return a.showUserCard(c, u, back, "", c.Ev.CallbackMessageID)
	}
	if u.ID == c.User.ID && cb.Op != opUserRoles && cb.Op != opUserCovers && cb.Op != opUserCover {
		return c.Answer(c.T("adm.self"))
	}
	note := ""
	switch cb.Op {
	case opUserApprove, opUserReject:
		appr, err := c.Tx.PendingApproval(u.ID)
		if err != nil {
			return err
		}
		if appr == 0 {
			return c.Answer(c.T("appr.already"))
		}
		op := opApprove
		if cb.Op == opUserReject {
			op = opReject
		}
		// decide edits the admins' notices by their outbox rows, not the card.
		dc := *c
		dc.Ev.CallbackMessageID = 0
		err = a.decide(&dc, Callback{Kind: cbApproval, Nonce: strconv.FormatInt(appr, 10), Op: op})
		c.answered = dc.answered
		if err != nil {
			return err
		}
	case opUserBlock, opUserUnblock:
		if note, err = a.setBlocked(c, u, cb.Op == opUserBlock); err != nil {
			return err
		}
	case opUserRoles:
		return a.showRoleChoice(c, u)
	case opUserRole:
		if u.ID == c.User.ID {
			return c.Answer(c.T("adm.self"))
		}
		if note, err = a.setRole(c, u, cb.Arg); err != nil || note == "" {
			return err
		}
	case opUserCovers:
		return a.showCovers(c, u)
	case opUserCover:
		return a.toggleCover(c, u, cb.Arg)
	default:
		return a.stale(c)
	}
	if u, _, err = c.Tx.GetUser(id); err != nil {
		return err
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	return a.showUserCard(c, u, back, note, c.Ev.CallbackMessageID)
}

// setBlocked blocks or unblocks u, audits it and tells u.
func (a *App) setBlocked(c *Ctx, u store.User, block bool) (string, error) {
	status, action, key := store.UserBlocked, "user_block", "auth.blocked"
	if !block {
		status, action, key = store.UserActive, "user_unblock", "adm.user.unblocked"
		if u.Role == store.RoleNone {
			status = store.UserNew
		}
	} else if u.Status == store.UserBlocked {
		return c.T("adm.done.nothing"), nil
	}
	if err := c.Tx.SetStatus(u.ID, status); err != nil {
		return "", err
	}
	if err := c.Tx.Audit(c.User.ID, action, "user="+strconv.FormatInt(u.ID, 10)); err != nil {
		return "", err
	}
	if pending, err := c.Tx.PendingApproval(u.ID); err != nil {
		return "", err
	} else if pending != 0 && block {
		if _, err := c.Tx.DecideApproval(pending, store.ApprovalBlocked, c.User.ID); err != nil {
			return "", err
		}
	}
	lang := a.lang(u)
	if _, err := c.Send(store.Message{ChatID: u.ID, Text: i18n.T(lang, key), Priority: store.PriorityNotice}); err != nil {
		return "", err
	}
	return c.T("adm.done." + action), nil
}

var assignableRoles = []string{store.RolePSM, store.RoleTKSK, store.RoleCoordinator, store.RoleAdmin}

func (a *App) showRoleChoice(c *Ctx, u store.User) error {
	if err := c.Answer(""); err != nil {
		return err
	}
	id := strconv.FormatInt(u.ID, 10)
	var row []store.Button
	for _, r := range assignableRoles {
		d, err := data(cbAdmin, id, opUserRole, r)
		if err != nil {
			return err
		}
		label := c.T("role." + r)
		if r == u.Role {
			label = "• " + label
		}
		row = append(row, store.Button{Text: label, Data: d})
	}
	back, err := data(cbAdmin, id, opUserCard, encodeUserFilter(store.UserFilter{}))
	if err != nil {
		return err
	}
	text := c.T("adm.role.choose", "name", html.EscapeString(displayName(u)))
	return a.showOrEdit(c, c.Ev.CallbackMessageID, text,
		[][]store.Button{row[:2], row[2:], {{Text: c.T("adm.btn.back"), Data: back}}})
}

// setRole gives u role, audits it, tells u and sends them their new menu. It
// returns the note for the card ("" with the callback answered when the role
// is unknown).
func (a *App) setRole(c *Ctx, u store.User, role string) (string, error) {
	if !slices.Contains(assignableRoles, role) {
		return "", a.stale(c)
	}
	if u.Role == role && u.Status == store.UserActive {
		return c.T("adm.done.nothing"), nil
	}
	var covers []string
	switch role {
	case store.RoleAdmin:
		covers = []string{"*"}
	case store.RoleCoordinator:
		covers = u.Covers
		if slices.Contains(covers, "*") || len(covers) == 0 {
			covers = nil
			if u.Kecamatan != "" {
				covers = []string{u.Kecamatan}
			}
		}
	}
	if err := c.Tx.SetRole(u.ID, role, covers); err != nil {
		return "", err
	}
	if err := c.Tx.Audit(c.User.ID, "user_role", fmt.Sprintf("user=%d %s->%s", u.ID, u.Role, role)); err != nil {
		return "", err
	}
	lang := a.lang(u)
	if _, err := c.Send(store.Message{ChatID: u.ID, Text: i18n.T(lang, "adm.user.role", "role", i18n.T(lang, "role."+role)),
		Priority: store.PriorityNotice}); err != nil {
		return "", err
	}
	u.Role, u.Status, u.Covers = role, store.UserActive, covers
	if _, err := c.Send(a.chatMenu(u)); err != nil {
		return "", err
	}
	return c.T("adm.done.user_role", "role", c.T("role."+role)), nil
}

func (a *App) showCovers(c *Ctx, u store.User) error {
	if err := c.Answer(""); err != nil {
		return err
	}
	if u.Role != store.RoleCoordinator {
		return a.showUserCard(c, u, encodeUserFilter(store.UserFilter{}), "", c.Ev.CallbackMessageID)
	}
	id := strconv.FormatInt(u.ID, 10)
	var rows [][]store.Button
	var row []store.Button
	all := slices.Contains(u.Covers, "*")
	for _, k := range a.cfg.Regions.Kecamatan {
		d, err := data(cbAdmin, id, opUserCover, k.Code)
		if err != nil {
			return err
		}
		label := k.Name
		if all || slices.Contains(u.Covers, k.Code) {
			label = "✅ " + label
		}
		if row = append(row, store.Button{Text: label, Data: d}); len(row) == 3 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	allData, err := data(cbAdmin, id, opUserCover, "all")
	if err != nil {
		return err
	}
	back, err := data(cbAdmin, id, opUserCard, encodeUserFilter(store.UserFilter{}))
	if err != nil {
		return err
	}
	allLabel := c.T("adm.covers.all")
	if all {
		allLabel = "✅ " + allLabel
	}
	rows = append(rows, []store.Button{{Text: allLabel, Data: allData}, {Text: c.T("adm.btn.back"), Data: back}})
	text := c.T("adm.covers.choose", "name", html.EscapeString(displayName(u)), "covers", a.coversText(c.Lang, u.Covers))
	return a.showOrEdit(c, c.Ev.CallbackMessageID, text, rows)
}

// toggleCover adds or removes one kecamatan (or all) from a coordinator's
// area, audits it and redraws the choice.
func (a *App) toggleCover(c *Ctx, u store.User, code string) error {
	if u.Role != store.RoleCoordinator {
		return a.stale(c)
	}
	covers := slices.Clone(u.Covers)
	switch {
	case code == "all" && slices.Contains(covers, "*"):
		covers = nil
	case code == "all":
		covers = []string{"*"}
	default:
		if _, ok := a.cfg.Regions.KecamatanByCode(code); !ok {
			return a.stale(c)
		}
		if slices.Contains(covers, "*") {
			covers = nil
			for _, k := range a.cfg.Regions.Kecamatan {
				covers = append(covers, k.Code)
			}
		}
		if i := slices.Index(covers, code); i >= 0 {
			covers = slices.Delete(covers, i, i+1)
		} else {
			covers = append(covers, code)
		}
		slices.Sort(covers)
	}
	if err := c.Tx.SetCovers(u.ID, covers); err != nil {
		return err
	}
	if err := c.Tx.Audit(c.User.ID, "user_covers", fmt.Sprintf("user=%d covers=%s", u.ID, strings.Join(covers, ","))); err != nil {
		return err
	}
	u.Covers = covers
	return a.showCovers(c, u)
}

// Audit log.

const auditPageSize = 20

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
