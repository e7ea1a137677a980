package flows

import (
	"html"
	"strconv"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// requestApproval records p as waiting for an admin and shows it to every admin
// with Approve / Reject / Block buttons.
func (a *App) requestApproval(c *Ctx, kind string, p store.Profile) error {
	older, err := c.Tx.PendingApprovals(c.User.ID)
	if err != nil {
		return err
	}
	id, err := c.Tx.AddApproval(c.User.ID, kind, p)
	if err != nil {
		return err
	}
	// AddApproval withdrew the older requests; their copies lose their
	// buttons, so only the latest request can be decided.
	dc := *c
	dc.Ev.CallbackMessageID = 0
	for _, old := range older {
		appr, ok, err := c.Tx.GetApproval(old)
		if err != nil {
			return err
		}
		if ok {
			if err := a.closeNotices(&dc, appr, c.User, store.ApprovalWithdrawn); err != nil {
				return err
			}
		}
	}
	admins, err := c.Tx.UsersWithRole(store.RoleAdmin)
	if err != nil {
		return err
	}
	appr := store.Approval{ID: id, UserID: c.User.ID, Kind: kind, Profile: p, Status: store.ApprovalPending}
	for _, adm := range admins {
		lang := a.lang(adm)
		text, err := a.approvalText(c, lang, appr, c.User)
		if err != nil {
			return err
		}
		var row []store.Button
		for _, b := range []struct{ op, key string }{{opApprove, "appr.btn.approve"}, {opReject, "appr.btn.reject"},
			{opBlock, "appr.btn.block"}} {
			d, err := data(cbApproval, strconv.FormatInt(id, 10), b.op, "")
			if err != nil {
				return err
			}
			row = append(row, store.Button{Text: i18n.T(lang, b.key), Data: d})
		}
		ref, err := c.Send(store.Message{ChatID: adm.ID, Text: text, Buttons: [][]store.Button{row},
			Priority: store.PriorityNotice})
		if err != nil {
			return err
		}
		if err := c.Tx.AddApprovalNotice(id, adm.ID, ref); err != nil {
			return err
		}
	}
	return nil
}

// approvalText describes a request to an admin in lang, flagging a second TKSK
// for one kecamatan.
func (a *App) approvalText(c *Ctx, lang i18n.Lang, appr store.Approval, u store.User) (string, error) {
	p := appr.Profile
	who := html.EscapeString(u.FirstName)
	if u.Username != "" {
		who += " (@" + html.EscapeString(u.Username) + ")"
	}
	text := i18n.T(lang, "appr."+appr.Kind, "who", who) + "\n\n" + a.profileText(lang, p)
	if p.Role == store.RoleTKSK {
		n, err := c.Tx.CountInArea(store.RoleTKSK, p.Kecamatan, u.ID)
		if err != nil {
			return "", err
		}
		if n > 0 {
			text += "\n\n⚠️ " + i18n.T(lang, "appr.tksk_exists", "n", strconv.Itoa(n))
		}
	}
	return text, nil
}

// profileText lists a profile's fields in lang, escaped.
func (a *App) profileText(lang i18n.Lang, p store.Profile) string {
	k, _ := a.cfg.Regions.KecamatanByCode(p.Kecamatan)
	kel := ""
	if pl, ok := a.cfg.Regions.KelurahanByCode(p.Kelurahan); ok {
		kel = pl.Kelurahan.Name
	}
	role := p.Role
	if role != "" {
		role = i18n.T(lang, "role."+role)
	}
	return i18n.T(lang, "profile.fields", "name", html.EscapeString(p.FullName), "role", role,
		"kecamatan", html.EscapeString(k.Name), "kelurahan", html.EscapeString(kel),
		"phone", html.EscapeString(p.Phone))
}

// decide applies an admin's Approve / Reject / Block. Only the first decision
// counts: a double press or a second admin is told it was already decided.
func (a *App) decide(c *Ctx, cb Callback) error {
	id, err := strconv.ParseInt(cb.Nonce, 10, 64)
	if err != nil {
		return a.stale(c)
	}
	appr, ok, err := c.Tx.GetApproval(id)
	if err != nil {
		return err
	}
	if !ok || appr.Status == store.ApprovalClosed || appr.Status == store.ApprovalWithdrawn {
		// Closed by a later role change or replaced by a newer request: its
		// buttons no longer act.
		return a.stale(c)
	}
	status := map[string]string{opApprove: store.ApprovalApproved, opReject: store.ApprovalRejected,
		opBlock: store.ApprovalBlocked}[cb.Op]
	decided, err := c.Tx.DecideApproval(id, status, c.User.ID)
	if err != nil {
		return err
	}
	if !decided {
		return c.Answer(c.T("appr.already"))
	}
	u, _, err := c.Tx.GetUser(appr.UserID)
	if err != nil {
		return err
	}
	switch status {
	case store.ApprovalApproved:
		err = c.Tx.SetProfile(u.ID, appr.Profile, store.UserActive)
	case store.ApprovalRejected:
		if appr.Kind == store.ApprovalRegister {
			err = c.Tx.SetStatus(u.ID, store.UserRejected)
		}
	case store.ApprovalBlocked:
		err = c.Tx.SetStatus(u.ID, store.UserBlocked)
	}
	if err != nil {
		return err
	}
	if err := c.Tx.Audit(c.User.ID, "approval_"+status, strconv.FormatInt(u.ID, 10)); err != nil {
		return err
	}
	if err := c.Answer(c.T("appr.done." + status)); err != nil {
		return err
	}
	if err := a.closeNotices(c, appr, u, status); err != nil {
		return err
	}
	if err := a.tellDecision(c, appr, u, status); err != nil {
		return err
	}
	if status != store.ApprovalRejected {
		// An approved change may take a coordinator's role or area away; a
		// blocked person reviews nothing.
		if err := a.retireCaseNotices(c, u); err != nil {
			return err
		}
	}
	if status == store.ApprovalApproved {
		return a.completePendingCheckins(c, u)
	}
	if appr.Kind == store.ApprovalRegister {
		_, err := c.Tx.TakePendingCheckins(u.ID) // never registered: nothing to complete
		return err
	}
	return nil
}

// closeNotices edits every admin's copy of the request to show the decision
// without buttons.
func (a *App) closeNotices(c *Ctx, appr store.Approval, u store.User, status string) error {
	notices, err := c.Tx.ApprovalNotices(appr.ID)
	if err != nil {
		return err
	}
	for _, n := range notices {
		adm, _, err := c.Tx.GetUser(n.ChatID)
		if err != nil {
			return err
		}
		lang := a.lang(adm)
		text, err := a.approvalText(c, lang, appr, u)
		if err != nil {
			return err
		}
		text += "\n\n" + i18n.T(lang, "appr.decided."+status, "admin", html.EscapeString(displayName(c.User)))
		m := store.Message{Kind: store.KindEditText, ChatID: n.ChatID, EditOf: n.OutboxID, Text: text}
		if n.ChatID == c.Ev.ChatID && c.Ev.CallbackMessageID != 0 {
			m.EditOf, m.MessageID = 0, c.Ev.CallbackMessageID
		}
		if _, err := c.Send(m); err != nil {
			return err
		}
	}
	return nil
}

// tellDecision tells the worker, in their language.
func (a *App) tellDecision(c *Ctx, appr store.Approval, u store.User, status string) error {
	lang := a.lang(u)
	key := "appr.user." + appr.Kind + "." + status
	if status == store.ApprovalBlocked {
		key = "auth.blocked"
		// This is their one notice; later messages are ignored.
		if _, err := c.Tx.NoteBlockedNotice(u.ID); err != nil {
			return err
		}
	}
	if _, err := c.Send(store.Message{ChatID: u.ID, Text: i18n.T(lang, key, "role", i18n.T(lang, "role."+appr.Profile.Role)),
		Priority: store.PriorityNotice}); err != nil {
		return err
	}
	if status == store.ApprovalApproved {
		u.Role, u.Status = appr.Profile.Role, store.UserActive
		if _, err := c.Send(a.chatMenu(u)); err != nil {
			return err
		}
	}
	return nil
}
