package flows

import (
	"html"
	"strconv"

	"dinsosbot/store"
)

// The steps registration and profile editing share.

var roleOptions = []Option{{Value: store.RolePSM, Key: "role.psm"}, {Value: store.RoleTKSK, Key: "role.tksk"}}

func nameStep() Step { return Step{Key: "name", Prompt: "reg.name", Input: InputName, Min: 3, Max: 80} }

func roleStep(ask func(c *Ctx) bool) Step {
	return Step{Key: "role", Prompt: "reg.role", Input: InputChoice, Options: roleOptions, If: ask}
}

// invitedRole is the role an invite link preset (Vars "role"): registration
// then shows it in the summary instead of asking, and it cannot be changed.
func invitedRole(c *Ctx) (Value, bool) {
	if r := c.Vars["role"]; r != "" {
		return Value{Text: r}, true
	}
	return Value{}, false
}

func (a *App) kecamatanStep() Step {
	return Step{Key: "kecamatan", Prompt: "reg.kecamatan", Input: InputChoice,
		OptionsFrom: func(c *Ctx) ([]Option, error) {
			var opts []Option
			for _, k := range a.cfg.Regions.Kecamatan {
				opts = append(opts, Option{Value: k.Code, Text: k.Name})
			}
			return opts, nil
		},
		Match: func(c *Ctx, text string) (string, error) {
			if k, ok := a.cfg.Regions.FindKecamatan(text); ok {
				return k.Code, nil
			}
			return "", refuse("err.kecamatan.unknown", "text", html.EscapeString(clip(text, 40)))
		}}
}

func (a *App) kelurahanStep() Step {
	return Step{Key: "kelurahan", Prompt: "reg.kelurahan", Input: InputChoice, DependsOn: []string{"kecamatan"},
		OptionsFrom: func(c *Ctx) ([]Option, error) {
			k, _ := a.cfg.Regions.KecamatanByCode(c.Answers.Text("kecamatan"))
			var opts []Option
			for _, l := range k.Kelurahan {
				opts = append(opts, Option{Value: l.Code, Text: l.Name})
			}
			return opts, nil
		},
		Match: func(c *Ctx, text string) (string, error) {
			kec := c.Answers.Text("kecamatan")
			if l, ok := a.cfg.Regions.FindKelurahan(kec, text); ok {
				return l.Code, nil
			}
			if places := a.cfg.Regions.LocateKelurahan(text); len(places) > 0 {
				k, _ := a.cfg.Regions.KecamatanByCode(kec)
				return "", refuse("err.kelurahan.other", "kelurahan", html.EscapeString(places[0].Kelurahan.Name),
					"other", html.EscapeString(places[0].Kecamatan.Name), "kecamatan", html.EscapeString(k.Name))
			}
			return "", refuse("err.kelurahan.unknown", "text", html.EscapeString(clip(text, 40)))
		}}
}

func phoneStep() Step { return Step{Key: "phone", Prompt: "reg.phone", Input: InputContact} }

// registrationFlow: consent, name, role (unless an invite presets it), area, phone.
func (a *App) registrationFlow() *Flow {
	role := roleStep(nil)
	role.Preset = invitedRole
	return &Flow{Name: "register", Title: "reg.title", Save: a.saveRegistration, Steps: []Step{
		{Key: "consent", Prompt: "reg.consent", Input: InputChoice, Hidden: true, Options: []Option{
			{Value: "yes", Key: "reg.consent.yes"}, {Value: "no", Key: "reg.consent.no", Cancels: true}}},
		nameStep(),
		role,
		a.kecamatanStep(),
		a.kelurahanStep(),
		phoneStep(),
	}}
}

// profileOf reads the shared steps' answers; the role comes from the answers, or
// else from the invite, or else stays fallback.
func profileOf(c *Ctx, fallbackRole string) store.Profile {
	p := store.Profile{FullName: c.Answers.Text("name"), Phone: c.Answers.Text("phone"),
		Kecamatan: c.Answers.Text("kecamatan"), Kelurahan: c.Answers.Text("kelurahan"), Role: c.Answers.Text("role")}
	if p.Role == "" {
		p.Role = c.Vars["role"]
	}
	if p.Role == "" {
		p.Role = fallbackRole
	}
	return p
}

func (a *App) saveRegistration(c *Ctx) error {
	p := profileOf(c, store.RolePSM)
	if id, err := strconv.ParseInt(c.Vars["invite"], 10, 64); err == nil {
		used, err := c.Tx.UseInvite(id)
		if err != nil {
			return err
		}
		if used {
			if err := c.Tx.SetProfile(c.User.ID, p, store.UserActive); err != nil {
				return err
			}
			if err := c.Tx.Audit(c.User.ID, "register_invite", strconv.FormatInt(id, 10)); err != nil {
				return err
			}
			u, _, err := c.Tx.GetUser(c.User.ID)
			if err != nil {
				return err
			}
			if _, err := c.Send(a.chatMenu(u)); err != nil {
				return err
			}
			if err := c.Reply(c.T("reg.welcome", "role", c.T("role."+p.Role))); err != nil {
				return err
			}
			if err := a.announceInviteUse(c, id, u); err != nil {
				return err
			}
			return a.completePendingCheckins(c, u)
		}
		// The invite ran out (or was withdrawn) while the form was filled:
		// fall back to approval.
		inv, _, err := c.Tx.InviteByID(id)
		if err != nil {
			return err
		}
		key := "invite.ran_out"
		if inv.Revoked {
			key = "invite.ran_out.revoked"
		}
		if err := c.Reply(c.T(key)); err != nil {
			return err
		}
	}
	if err := c.Tx.SetProfile(c.User.ID, p, store.UserPending); err != nil {
		return err
	}
	if err := a.requestApproval(c, store.ApprovalRegister, p); err != nil {
		return err
	}
	return c.Reply(c.T("reg.pending"))
}

// cmdStart begins registration for a newcomer (through an invite when the link
// carried a code), and greets everyone else by their status.
func (a *App) cmdStart(c *Ctx, s *session) error {
	if done, err := a.startCheckin(c, s); done || err != nil {
		return err
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	u := c.User
	switch {
	case isActive(u) && u.Role != store.RoleNone:
		area := a.areaText(u.Profile)
		if area == "" {
			area = html.EscapeString(a.cfg.Office) // admins and coordinators of the whole city
		}
		return c.Reply(c.T("start.registered", "name", html.EscapeString(displayName(u)),
			"role", c.T("role."+u.Role), "area", area))
	case u.Status == store.UserPending:
		return c.Reply(c.T("start.pending"))
	}
	vars := map[string]string{}
	if code := c.Ev.Args; code != "" {
		inv, ok, err := c.Tx.InviteByCode(code)
		if err != nil {
			return err
		}
		if ok && inv.Usable(c.Tx.Now()) {
			vars["invite"], vars["role"] = strconv.FormatInt(inv.ID, 10), inv.Role
		} else if err := c.Reply(a.inviteRefusal(c, inv, ok)); err != nil {
			return err
		}
	}
	if err := c.Reply(c.T("start.greeting", "name", html.EscapeString(c.Ev.FirstName), "bot", html.EscapeString(a.cfg.BotUsername),
		"office", html.EscapeString(a.cfg.Office))); err != nil {
		return err
	}
	return a.startFlow(c, a.flows["register"], vars, nil, false)
}

func displayName(u store.User) string {
	if u.FullName != "" {
		return u.FullName
	}
	return u.FirstName
}

// areaText is "Kelurahan, Kecamatan" by name, escaped.
func (a *App) areaText(p store.Profile) string {
	k, _ := a.cfg.Regions.KecamatanByCode(p.Kecamatan)
	pl, ok := a.cfg.Regions.KelurahanByCode(p.Kelurahan)
	if !ok {
		return html.EscapeString(k.Name)
	}
	return html.EscapeString(pl.Kelurahan.Name + ", " + k.Name)
}
