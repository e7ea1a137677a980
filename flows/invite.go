package flows

import (
	"crypto/rand"
	"encoding/base32"
	"strconv"
	"strings"
	"time"

	"dinsosbot/store"
)

// inviteFlow is /undang: an admin chooses the preset role, how long the link
// works and how many people may use it.
func (a *App) inviteFlow() *Flow {
	return &Flow{Name: "invite", Title: "invite.title", Save: a.saveInvite, Steps: []Step{
		{Key: "role", Prompt: "invite.role", Input: InputChoice, Options: []Option{
			{Value: "any", Key: "invite.role.any"}, {Value: store.RolePSM, Key: "role.psm"},
			{Value: store.RoleTKSK, Key: "role.tksk"}}},
		{Key: "days", Prompt: "invite.days", Input: InputChoice, Options: []Option{
			{Value: "1", Key: "invite.days.1"}, {Value: "3", Key: "invite.days.3"},
			{Value: "7", Key: "invite.days.7"}, {Value: "30", Key: "invite.days.30"}}},
		{Key: "uses", Prompt: "invite.uses", Input: InputNumber, Min: 1, Max: 500},
	}}
}

func (a *App) cmdInvite(c *Ctx, _ *session) error {
	return a.startFlow(c, a.flows["invite"], nil, nil, false)
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
	roleText := c.T("invite.role.any")
	if role != "" {
		roleText = c.T("role." + role)
	}
	return c.Reply(c.T("invite.created", "link", a.deepLink(code), "expires", a.formatTime(inv.ExpiresAt),
		"uses", strconv.Itoa(uses), "role", roleText))
}
