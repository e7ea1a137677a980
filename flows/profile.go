package flows

import (
	"html"

	"dinsosbot/store"
)

// profileFlow is /ubah: the registration fields, prefilled, opened at the summary.
// A changed role or area goes to the admins; name and phone change at once.
func (a *App) profileFlow() *Flow {
	return &Flow{Name: "profile", Title: "profile.title", Save: a.saveProfile, Steps: []Step{
		nameStep(),
		// Coordinators and admins get their role from an admin, not from this form.
		roleStep(func(c *Ctx) bool { return c.User.Role == store.RolePSM || c.User.Role == store.RoleTKSK }),
		a.kecamatanStep(),
		a.kelurahanStep(),
		phoneStep(),
	}}
}

func (a *App) cmdProfile(c *Ctx, s *session) error {
	u := c.User
	text := "<b>" + c.T("profile.title") + "</b>\n\n" + a.profileText(c.Lang, u.Profile)
	if err := c.Reply(text + "\n\n" + c.T("profile.hint")); err != nil {
		return err
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	return nil
}

func (a *App) cmdEdit(c *Ctx, _ *session) error {
	p := c.User.Profile
	prefill := Answers{"name": {Text: p.FullName}, "kecamatan": {Text: p.Kecamatan},
		"kelurahan": {Text: p.Kelurahan}, "phone": {Text: p.Phone}, "role": {Text: c.User.Role}}
	return a.startFlow(c, a.flows["profile"], nil, prefill, true)
}

func (a *App) saveProfile(c *Ctx) error {
	old := c.User.Profile
	old.Role = c.User.Role
	p := profileOf(c, c.User.Role)
	// Name and phone are the worker's own business; apply them now.
	now := old
	now.FullName, now.Phone = p.FullName, p.Phone
	if err := c.Tx.SetProfile(c.User.ID, now, c.User.Status); err != nil {
		return err
	}
	if p.Role == old.Role && p.Kecamatan == old.Kecamatan && p.Kelurahan == old.Kelurahan {
		return c.Reply(c.T("profile.saved"))
	}
	if err := a.requestApproval(c, store.ApprovalChange, p); err != nil {
		return err
	}
	return c.Reply(c.T("profile.pending", "area", a.areaText(p), "role", html.EscapeString(c.T("role."+p.Role))))
}
