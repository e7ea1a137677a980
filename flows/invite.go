package flows

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// Invite links are short-lived on purpose: a link lets whoever holds it in
// without an admin's look, and links get forwarded. An admin chooses at most
// maxInviteDays and maxInviteUses; every use is announced to the admins, who
// can list the links still open (/undang daftar) and withdraw one (a button,
// or /undang cabut <nomor>).
const (
	maxInviteDays = 7
	maxInviteUses = 25
	// maxInvitesListed keeps the list within one Telegram message.
	maxInvitesListed = 20
)

// opInviteRevoke is the admin console's button withdrawing an invite; Nonce:
// the invite id.
const opInviteRevoke = "ir"

// inviteFlow is /undang: an admin chooses the preset role, how long the link
// works and how many people may use it.
func (a *App) inviteFlow() *Flow {
	return &Flow{Name: "invite", Title: "invite.title", Save: a.saveInvite, Steps: []Step{
		{Key: "role", Prompt: "invite.role", Input: InputChoice, Options: []Option{
			{Value: "any", Key: "invite.role.any"}, {Value: store.RolePSM, Key: "role.psm"},
			{Value: store.RoleTKSK, Key: "role.tksk"}}},
		{Key: "days", Prompt: "invite.days", Input: InputChoice, Options: []Option{
			{Value: "1", Key: "invite.days.1"}, {Value: "3", Key: "invite.days.3"},
			{Value: "7", Key: "invite.days.7"}}},
		{Key: "uses", Prompt: "invite.uses", Input: InputNumber, Min: 1, Max: maxInviteUses},
	}}
}

// cmdInvite is /undang: with no words it makes a link; "daftar" lists the
// links still open, "cabut <nomor>" withdraws one.
func (a *App) cmdInvite(c *Ctx, _ *session) error {
	args := strings.Fields(strings.ToLower(c.Ev.Args))
	switch {
	case len(args) == 0:
		return a.startFlow(c, a.flows["invite"], nil, nil, false)
	case len(args) == 1 && (args[0] == "daftar" || args[0] == "list"):
		return a.showInvites(c, "", 0)
	case len(args) == 2 && (args[0] == "cabut" || args[0] == "revoke"):
		id, err := strconv.ParseInt(strings.TrimPrefix(args[1], "#"), 10, 64)
		if err != nil {
			return c.Reply(c.T("invite.usage"))
		}
		return a.revokeInvite(c, id, false)
	}
	return c.Reply(c.T("invite.usage"))
}

// newInviteCode returns 20 random bytes in base32: 32 characters that fit the
// /start payload alphabet and cannot be guessed.
func newInviteCode() string {
	b := make([]byte, 20)
	rand.Read(b) // crypto/rand.Read never fails (it crashes the program instead)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

func (a *App) saveInvite(c *Ctx) error {
	days, err := strconv.Atoi(c.Answers.Text("days"))
	if err != nil {
		return err
	}
	uses, err := strconv.Atoi(c.Answers.Text("uses"))
	if err != nil {
		return err
	}
	// A draft from before the limits were lowered still gets short limits.
	days, uses = min(days, maxInviteDays), min(uses, maxInviteUses)
	role := c.Answers.Text("role")
	if role == "any" {
		role = ""
	}
	code := newInviteCode()
	inv := store.Invite{Role: role, CreatedBy: c.User.ID, MaxUses: uses,
		ExpiresAt: c.Tx.Now().Add(time.Duration(days) * 24 * time.Hour)}
	id, err := c.Tx.AddInvite(code, inv)
	if err != nil {
		return err
	}
	if err := c.Tx.Audit(c.User.ID, "invite", strconv.FormatInt(id, 10)); err != nil {
		return err
	}
	return c.Reply(c.T("invite.created", "link", a.deepLink(code), "expires", a.formatTime(inv.ExpiresAt),
		"uses", strconv.Itoa(uses), "role", inviteRole(c.Lang, role)) + "\n" +
		c.T("invite.created.manage", "id", strconv.FormatInt(id, 10)))
}

func inviteRole(lang i18n.Lang, role string) string {
	if role == "" {
		return i18n.T(lang, "invite.role.any")
	}
	return i18n.T(lang, "role."+role)
}

// showInvites lists the links still usable, each with a button withdrawing
// it; note (the last revocation's outcome) goes above, and editing, when not
// 0, is the list message to redraw.
func (a *App) showInvites(c *Ctx, note string, editing int) error {
	invs, err := c.Tx.ActiveInvites()
	if err != nil {
		return err
	}
	var b strings.Builder
	if note != "" {
		b.WriteString(note + "\n\n")
	}
	if len(invs) == 0 {
		b.WriteString(c.T("invite.list.none"))
		return a.showOrEdit(c, editing, b.String(), nil)
	}
	b.WriteString(c.T("invite.list.head", "n", itoa(len(invs))))
	var rows [][]store.Button
	for i, inv := range invs {
		if i == maxInvitesListed {
			b.WriteString("\n" + c.T("invite.list.more", "n", itoa(len(invs)-i)))
			break
		}
		creator, err := a.personName(c.Tx, inv.CreatedBy)
		if err != nil {
			return err
		}
		id := strconv.FormatInt(inv.ID, 10)
		b.WriteString("\n\n" + c.T("invite.list.item", "id", id, "role", inviteRole(c.Lang, inv.Role),
			"uses", itoa(inv.Uses), "max", itoa(inv.MaxUses), "expires", a.formatTime(inv.ExpiresAt),
			"by", creator, "created", a.formatTime(inv.CreatedAt)))
		d, err := data(cbAdmin, id, opInviteRevoke, "l")
		if err != nil {
			return err
		}
		rows = append(rows, []store.Button{{Text: c.T("invite.btn.revoke", "id", id), Data: d}})
	}
	return a.showOrEdit(c, editing, b.String(), rows)
}

// personName is user id's name, escaped, or "#id" when the bot no longer
// knows them (erased).
func (a *App) personName(tx *store.Tx, id int64) (string, error) {
	u, ok, err := tx.GetUser(id)
	if err != nil || !ok {
		return "#" + strconv.FormatInt(id, 10), err
	}
	return html.EscapeString(clip(displayName(u), 40)), nil
}

// onInviteRevoke is the withdraw button of the list (Arg "l": the list is
// redrawn) or of a use's announcement. The caller checked the presser is an
// admin.
func (a *App) onInviteRevoke(c *Ctx, id int64, cb Callback) error {
	return a.revokeInvite(c, id, cb.Arg == "l")
}

// revokeInvite withdraws invite id for an admin; fromList redraws the pressed
// list with the outcome above it.
func (a *App) revokeInvite(c *Ctx, id int64, fromList bool) error {
	inv, ok, err := c.Tx.InviteByID(id)
	if err != nil {
		return err
	}
	ref := strconv.FormatInt(id, 10)
	var note string
	switch {
	case !ok:
		note = c.T("invite.revoke.unknown", "id", ref)
	case inv.Revoked:
		note = c.T("invite.revoke.already", "id", ref, "at", a.formatTime(inv.RevokedAt))
	default:
		if _, err := c.Tx.RevokeInvite(id, c.User.ID); err != nil {
			return err
		}
		if err := c.Tx.Audit(c.User.ID, "invite_revoke", fmt.Sprintf("%d uses=%d/%d", id, inv.Uses, inv.MaxUses)); err != nil {
			return err
		}
		note = c.T("invite.revoked", "id", ref, "uses", itoa(inv.Uses))
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	if fromList && c.Ev.CallbackMessageID != 0 {
		return a.showInvites(c, note, c.Ev.CallbackMessageID)
	}
	return c.Reply(note)
}

// announceInviteUse tells every admin that u joined through invite id: who,
// with which role and area, through which link (its creator, uses so far,
// expiry), with a button withdrawing the link, so a forwarded link is noticed
// at its first stranger (who is then found in /pengguna).
func (a *App) announceInviteUse(c *Ctx, id int64, u store.User) error {
	inv, ok, err := c.Tx.InviteByID(id)
	if err != nil || !ok {
		return err
	}
	creator, err := a.personName(c.Tx, inv.CreatedBy)
	if err != nil {
		return err
	}
	admins, err := c.Tx.UsersWithRole(store.RoleAdmin)
	if err != nil {
		return err
	}
	ref := strconv.FormatInt(id, 10)
	revoke, err := data(cbAdmin, ref, opInviteRevoke, "")
	if err != nil {
		return err
	}
	area := a.areaText(u.Profile)
	for _, admin := range admins {
		lang := a.lang(admin)
		text := i18n.T(lang, "invite.used", "name", html.EscapeString(displayName(u)),
			"role", i18n.T(lang, "role."+u.Role), "area", area, "id", ref, "by", creator,
			"uses", itoa(inv.Uses), "max", itoa(inv.MaxUses), "expires", a.formatTime(inv.ExpiresAt))
		var buttons [][]store.Button
		if inv.Usable(c.Tx.Now()) {
			buttons = [][]store.Button{{{Text: i18n.T(lang, "invite.btn.revoke", "id", ref), Data: revoke}}}
		} else {
			text += "\n" + i18n.T(lang, "invite.used.last")
		}
		if _, err := c.Send(store.Message{ChatID: admin.ID, Text: text, Buttons: buttons,
			Priority: store.PriorityNotice}); err != nil {
			return err
		}
	}
	return nil
}

// inviteRefusal is what someone opening an unusable invite is told: that it
// was withdrawn, expired (when) or used up, or, for a code no invite has,
// that it is not valid; registration then goes to an admin's approval.
func (a *App) inviteRefusal(c *Ctx, inv store.Invite, found bool) string {
	if !found {
		return c.T("invite.invalid")
	}
	switch inv.Unusable(c.Tx.Now()) {
	case store.InviteRevoked:
		return c.T("invite.unusable.revoked")
	case store.InviteExpired:
		return c.T("invite.unusable.expired", "expires", a.formatTime(inv.ExpiresAt))
	}
	return c.T("invite.unusable.used_up", "max", itoa(inv.MaxUses))
}
