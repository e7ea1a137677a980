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
		pressed := c.Ev.CallbackMessageID
		c.Ev.CallbackMessageID = 0
		err = a.decide(c, Callback{Kind: cbApproval, Nonce: strconv.FormatInt(appr, 10), Op: op})
		c.Ev.CallbackMessageID = pressed
		if err != nil {
			return err
		}
	case opUserBlock, opUserUnblock:
		if note, err = a.setBlocked(c, u, cb.Op == opUserBlock); err != nil {
			return err
		}
		if err := a.roleChanged(c, u.ID); err != nil {
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
		if err := a.roleChanged(c, u.ID); err != nil {
			return err
		}
	case opUserCovers:
		return a.showCovers(c, u)
	case opUserCover:
		if err := a.toggleCover(c, u, cb.Arg); err != nil {
			return err
		}
		return a.roleChanged(c, u.ID)
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

// Role changes take effect everywhere at once.

// roleChanged applies the consequences of an admin's change of user id's
// role, status or area: requests still waiting for a decision are closed (an
// old request's Approve must not give back a role just taken away), and case
// notices the person may no longer act on are retired.
func (a *App) roleChanged(c *Ctx, id int64) error {
	u, ok, err := c.Tx.GetUser(id)
	if err != nil || !ok {
		return err
	}
	if err := a.closeRequests(c, u); err != nil {
		return err
	}
	return a.retireCaseNotices(c, u)
}

// closeRequests closes every pending request of u undecided, edits the
// admins' copies to say so without buttons and tells u to ask again if still
// needed (unless blocked: the block notice is their one message).
func (a *App) closeRequests(c *Ctx, u store.User) error {
	const status = store.ApprovalClosed
	ids, err := c.Tx.PendingApprovals(u.ID)
	if err != nil {
		return err
	}
	// The admins' copies are edited by their outbox rows: the pressed
	// message here is the user card, not a request.
	dc := *c
	dc.Ev.CallbackMessageID = 0
	for _, id := range ids {
		appr, ok, err := c.Tx.GetApproval(id)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if done, err := c.Tx.DecideApproval(id, status, c.User.ID); err != nil {
			return err
		} else if !done {
			continue
		}
		if err := c.Tx.Audit(c.User.ID, "approval_"+status, strconv.FormatInt(u.ID, 10)); err != nil {
			return err
		}
		if err := a.closeNotices(&dc, appr, u, status); err != nil {
			return err
		}
		if u.Status == store.UserBlocked {
			continue
		}
		lang := a.lang(u)
		if _, err := c.Send(store.Message{ChatID: u.ID, Text: i18n.T(lang, "appr.user.closed"),
			Priority: store.PriorityNotice}); err != nil {
			return err
		}
	}
	return nil
}

// retireCaseNotices edits u's case notices of cases u may no longer review
// (blocked, demoted, or the kecamatan no longer covered) to a stub without
// buttons (a photo notice's caption), deletes the photos and location sent
// with them (and a photo notice itself), and forgets them,
// so no later change of those cases reaches u.
func (a *App) retireCaseNotices(c *Ctx, u store.User) error {
	notices, err := c.Tx.UserCaseNotices(u.ID)
	if err != nil {
		return err
	}
	lang := a.lang(u)
	for _, n := range notices {
		k, ok, err := c.Tx.GetCase(n.CaseID)
		if err != nil {
			return err
		}
		if ok && a.canReview(u, k) {
			continue
		}
		if _, err := c.Send(store.Message{Kind: store.KindEditText, ChatID: u.ID, EditOf: n.OutboxID,
			Text: i18n.T(lang, "case.notice.retired"), Priority: store.PriorityNotice}); err != nil {
			return err
		}
		media, err := c.Tx.CaseMediaMessages(n.CaseID, u.ID, n.OutboxID)
		if err != nil {
			return err
		}
		// A notice that is the case's photo (its caption now the stub) goes
		// too: the photo is what they may no longer see.
		if was, _, err := c.Tx.OutboxKind(n.OutboxID); err != nil {
			return err
		} else if was == store.KindPhoto {
			media = append(media, n.OutboxID)
		}
		for _, m := range media {
			if _, err := c.Send(store.Message{Kind: store.KindDelete, ChatID: u.ID, EditOf: m,
				Priority: store.PriorityNotice}); err != nil {
				return err
			}
		}
		if err := c.Tx.DropCaseNotice(n.CaseID, u.ID); err != nil {
			return err
		}
	}
	return nil
}

// Audit log.

const auditPageSize = 20
