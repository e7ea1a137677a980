package flows

import (
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"

	"dinsosbot/store"
)

// /formulir: the published XLSForm forms a worker may fill, one button each,
// and "Kiriman saya", their own submissions. The buttons are
// "fm:<id>:<op>:", id being a form version or a submission.
const cbForm = "fm"

const (
	opFormStart = "o" // Nonce: the version id shown in the menu
	opFormMine  = "m" // Nonce: "-"
	opFormView  = "v" // Nonce: a submission id
)

func init() {
	validOps[cbForm] = map[string]bool{opFormStart: true, opFormMine: true, opFormView: true}
}

// mineShown bounds "Kiriman saya" to the newest submissions.
const mineShown = 20

// inAudience reports whether u may fill published form p: its role (every
// worker when "") and its kecamatan (every one when ""). Admins see every
// form, to try what they published.
func inAudience(u store.User, p store.PublishedForm) bool {
	if !isRegistered(u) {
		return false
	}
	if isAdmin(u) {
		return true
	}
	if p.AudienceRole != "" && p.AudienceRole != u.Role {
		return false
	}
	if p.AudienceKecamatan == "" || p.AudienceKecamatan == u.Kecamatan {
		return true
	}
	return slices.Contains(u.Covers, "*") || slices.Contains(u.Covers, p.AudienceKecamatan)
}

// formsFor lists the published forms u may fill.
func formsFor(tx *store.Tx, u store.User) ([]store.PublishedForm, error) {
	all, err := tx.PublishedForms()
	if err != nil {
		return nil, err
	}
	var out []store.PublishedForm
	for _, p := range all {
		if inAudience(u, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// cmdForms is /formulir.
func (a *App) cmdForms(c *Ctx, s *session) error {
	forms, err := formsFor(c.Tx, c.User)
	if err != nil {
		return err
	}
	text := "<b>" + c.T("xf.menu.title") + "</b>\n\n" + c.T("xf.menu.pick")
	if len(forms) == 0 {
		text = "<b>" + c.T("xf.menu.title") + "</b>\n\n" + c.T("xf.menu.none")
	}
	var rows [][]store.Button
	for _, p := range forms {
		d, err := data(cbForm, strconv.FormatInt(p.ID, 10), opFormStart, "")
		if err != nil {
			return err
		}
		title := p.Title
		if def, err := a.formDef(c.Tx, p.ID); err == nil {
			title = def.title(c) // in the person's language
		}
		rows = append(rows, []store.Button{{Text: "📝 " + clip(title, 60), Data: d}})
	}
	mine, err := data(cbForm, "-", opFormMine, "")
	if err != nil {
		return err
	}
	rows = append(rows, []store.Button{{Text: c.T("xf.menu.mine"), Data: mine}})
	if _, err := c.Send(store.Message{Text: text, Buttons: rows}); err != nil {
		return err
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	return nil
}

// onFormCallback handles the menu's buttons.
func (a *App) onFormCallback(c *Ctx, cb Callback) error {
	if !c.Ev.Private() {
		return c.Answer(c.T("group.button_private"))
	}
	if !isRegistered(c.User) {
		return a.deny(c, "form "+cb.Op)
	}
	switch cb.Op {
	case opFormStart:
		id, err := strconv.ParseInt(cb.Nonce, 10, 64)
		if err != nil {
			return a.stale(c)
		}
		return a.startForm(c, id)
	case opFormMine:
		if err := c.Answer(""); err != nil {
			return err
		}
		return a.showMySubmissions(c)
	case opFormView:
		id, err := strconv.ParseInt(cb.Nonce, 10, 64)
		if err != nil {
			return a.stale(c)
		}
		return a.showSubmission(c, id)
	}
	return a.stale(c)
}

// startForm opens the published version of the form whose menu button named
// version id. A menu older than a new version starts the new one; a form
// withdrawn since, or outside the person's audience, is not started.
func (a *App) startForm(c *Ctx, id int64) error {
	v, ok, err := c.Tx.GetFormVersion(id)
	if err != nil {
		return err
	}
	if !ok {
		return a.stale(c)
	}
	forms, err := formsFor(c.Tx, c.User)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(forms, func(p store.PublishedForm) bool { return p.FormID == v.FormID })
	if i < 0 {
		if err := c.Answer(""); err != nil {
			return err
		}
		return c.Reply(c.T("xf.menu.gone"))
	}
	s, open, err := a.loadSession(c)
	if err != nil {
		return err
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	if open {
		return a.reprompt(c, s, c.T("flow.busy"))
	}
	def, err := a.formDef(c.Tx, forms[i].ID)
	if err != nil {
		return err
	}
	if def.form.LinkCase {
		cases, err := a.linkableCases(c)
		if err != nil {
			return err
		}
		if len(cases) == 0 {
			return c.Reply(c.T("xf.run.case.none"))
		}
	}
	return a.startFlow(c, def.flow, a.formVars(c), def.defaults(c), false)
}

// formVars are the variables a form's draft starts with: when it started
// (the start metadata).
func (a *App) formVars(c *Ctx) map[string]string {
	return map[string]string{varFormStart: c.Tx.Now().UTC().Format("2006-01-02T15:04:05Z")}
}

// Flow variables of a form's draft.
const (
	varFormStart = "xf.start" // when the draft started, UTC
	varFormFix   = "xf.fix"   // the submission being fixed
)

// showMySubmissions lists the person's newest submissions, one button each.
func (a *App) showMySubmissions(c *Ctx) error {
	subs, err := c.Tx.ListSubmissions(store.SubmissionFilter{UserID: c.User.ID})
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		return c.Reply(c.T("xf.mine.none"))
	}
	slices.Reverse(subs)
	if len(subs) > mineShown {
		subs = subs[:mineShown]
	}
	titles := map[int64]string{}
	var b strings.Builder
	b.WriteString("<b>" + c.T("xf.mine.title") + "</b>")
	var rows [][]store.Button
	for _, s := range subs {
		title, err := a.versionTitle(c, titles, s.VersionID)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n\n<b>#%d</b> %s\n%s · %s", s.ID, html.EscapeString(title), a.formatTime(s.SubmittedAt),
			c.T("xf.status."+s.Status))
		d, err := data(cbForm, strconv.FormatInt(s.ID, 10), opFormView, "")
		if err != nil {
			return err
		}
		rows = append(rows, []store.Button{{Text: c.T("xf.mine.view", "id", strconv.FormatInt(s.ID, 10)), Data: d}})
	}
	_, err = c.Send(store.Message{Text: b.String(), Buttons: rows})
	return err
}

// versionTitle is the title of form version id in the person's language
// (the upload's title when the workbook no longer loads).
func (a *App) versionTitle(c *Ctx, cache map[int64]string, id int64) (string, error) {
	if t, ok := cache[id]; ok {
		return t, nil
	}
	title := ""
	if def, err := a.formDef(c.Tx, id); err == nil {
		title = def.title(c)
	} else {
		v, _, err := c.Tx.GetFormVersion(id)
		if err != nil {
			return "", err
		}
		title = v.Title
	}
	cache[id] = title
	return title, nil
}

// showSubmission shows one of the person's own submissions with its answers,
// status and review note; one sent back for fixing has the fix button.
func (a *App) showSubmission(c *Ctx, id int64) error {
	sub, ok, err := c.Tx.GetSubmission(id)
	if err != nil {
		return err
	}
	if !ok || sub.UserID != c.User.ID {
		return a.deny(c, "submission "+strconv.FormatInt(id, 10))
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	def, err := a.formDef(c.Tx, sub.VersionID)
	if err != nil {
		return err
	}
	answers, err := store.DecodeFormAnswers(sub.Data)
	if err != nil {
		return err
	}
	fix, err := fixFields(sub.FixFields)
	if err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<b>#%d %s</b>\n%s · %s", sub.ID, html.EscapeString(def.title(c)), a.formatTime(sub.SubmittedAt),
		c.T("xf.status."+sub.Status))
	b.WriteString("\n")
	b.WriteString(def.answersText(c, answers, fix))
	if sub.ReviewNote != "" {
		b.WriteString("\n\n" + c.T("xf.view.note", "note", html.EscapeString(sub.ReviewNote)))
	}
	m := store.Message{Text: b.String()}
	if sub.Status == store.SubmissionFix {
		m.Buttons = [][]store.Button{{{Text: c.T("xf.view.fix"), Data: fixData(sub.ID)}}}
	}
	_, err = c.Send(m)
	return err
}

// fixData is the callback data of the button that reopens a submission sent
// back for fixing (the review part sends it too).
func fixData(id int64) string { return "xfix:" + strconv.FormatInt(id, 10) }

// parseFixData reads "xfix:<submission id>".
func parseFixData(data string) (int64, bool) {
	rest, ok := strings.CutPrefix(data, "xfix:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}
