package flows

import (
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"

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
		opEraseKeep: true, opEraseCase: true, opInviteRevoke: true}
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
	case opInviteRevoke:
		return a.onInviteRevoke(c, id, cb)
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
