package flows

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"

	"dinsosbot/flows/engine"
	"dinsosbot/flows/i18n"
	"dinsosbot/flows/nik"
	"dinsosbot/flows/xlsform"
	"dinsosbot/store"
)

// Coordinators review XLSForm submissions as they review cases: the
// coordinators of the submission's kecamatan get a card (admins when none
// covers it), never the worker who sent it (separation of duties), and decide
// "verified" or "needs fixing" with the questions to fix marked. Every press
// is checked against the stored submission.

// Submission review buttons: "fr:<submission id>:<op>:".
const cbFormReview = "fr"

const (
	opFROpen   = "o" // show the card (from /kiriman)
	opFRVerify = "v"
	opFRFix    = "f" // choose the questions to fix, then an optional note
)

func init() {
	validOps[cbFormReview] = map[string]bool{opFROpen: true, opFRVerify: true, opFRFix: true}
}

const formReviewFlowName = "form_review"

// maxSubsListed bounds the submissions /kiriman lists.
const maxSubsListed = 20

// maxAnswerShown clips one answer on a card; maxCard the card, under
// Telegram's 4096 characters with room for the heading and the decision.
const (
	maxAnswerShown = 200
	maxCard        = 3400
)

// subCase stands a submission in for a case in the case rules of review
// (canReview, mayDecide, caseReviewers): the same area, the same reporter.
func subCase(s store.Submission) store.Case {
	return store.Case{Kecamatan: s.Kecamatan, ReporterID: s.UserID, Code: "#" + strconv.FormatInt(s.ID, 10)}
}

// submissionForm returns the version of s and its form; the form is nil when
// the stored workbook no longer loads (the card then names questions by name).
func (a *App) submissionForm(tx *store.Tx, versionID int64) (store.FormVersion, *xlsform.Form, error) {
	v, ok, err := tx.GetFormVersion(versionID)
	if err != nil || !ok {
		return v, nil, err
	}
	f, err := xlsform.Load(bytes.NewReader(v.XLSX), xlsform.Options{Regions: a.cfg.Regions, MaxBytes: MaxFormUpload})
	if err != nil {
		return v, nil, nil
	}
	return v, f, nil
}

// submissionSaved tells the reviewers of sub that it waits for them. H3's
// filling calls it after a submission is stored or sent again after a fix.
func (a *App) submissionSaved(c *Ctx, sub store.Submission) error {
	reviewers, err := a.caseReviewers(c, subCase(sub))
	if err != nil {
		return err
	}
	head := "xfr.notice.new"
	if sub.ReviewedBy != 0 {
		head = "xfr.notice.resubmitted"
	}
	for _, u := range reviewers {
		m, err := a.submissionNotice(c, sub, u, i18n.T(a.lang(u), head), "")
		if err != nil {
			return err
		}
		m.ChatID, m.Priority = u.ID, store.PriorityNotice
		ref, err := c.Send(m)
		if err != nil {
			return err
		}
		if err := c.Tx.AddSubmissionNotice(sub.ID, u.ID, ref); err != nil {
			return err
		}
	}
	return nil
}

// submissionNotice is the card of sub for reviewer u: head above it, tail
// (the decision) below it, and the decision buttons when u may decide.
func (a *App) submissionNotice(c *Ctx, sub store.Submission, u store.User, head, tail string) (store.Message, error) {
	lang := a.lang(u)
	text, err := a.submissionCard(c, lang, sub)
	if err != nil {
		return store.Message{}, err
	}
	if head != "" {
		text = head + "\n\n" + text
	}
	if tail != "" {
		text += "\n\n" + tail
	}
	var buttons [][]store.Button
	may, err := a.mayDecide(c.Tx, u, subCase(sub))
	if err != nil {
		return store.Message{}, err
	}
	if may && sub.Status == store.SubmissionNew {
		id := strconv.FormatInt(sub.ID, 10)
		v, err := data(cbFormReview, id, opFRVerify, "")
		if err != nil {
			return store.Message{}, err
		}
		f, err := data(cbFormReview, id, opFRFix, "")
		if err != nil {
			return store.Message{}, err
		}
		buttons = [][]store.Button{{{Text: i18n.T(lang, "xfr.btn.verify"), Data: v}, {Text: i18n.T(lang, "xfr.btn.fix"), Data: f}}}
	}
	return store.Message{Text: text, Buttons: buttons}, nil
}

// submissionCard shows sub's answers with the labels in lang; a NIK masked
// as the case card masks it, files counted.
func (a *App) submissionCard(c *Ctx, lang i18n.Lang, sub store.Submission) (string, error) {
	t := func(key string, args ...string) string { return i18n.T(lang, key, args...) }
	v, form, err := a.submissionForm(c.Tx, sub.VersionID)
	if err != nil {
		return "", err
	}
	answers, err := store.DecodeFormAnswers(sub.Data)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "📋 <b>%s</b> · %s · %s", html.EscapeString(v.Title), t("xfr.card.id", "id", strconv.FormatInt(sub.ID, 10)),
		t("xfr.status."+sub.Status))
	line := func(label, value string) {
		if b.Len() < maxCard {
			fmt.Fprintf(&b, "\n%s: <b>%s</b>", html.EscapeString(clip(label, 80)), value)
		}
	}
	if form != nil {
		for _, q := range form.Questions {
			ans, ok := answers[q.Name]
			if !ok || ans.Skipped || !q.Type.Asked() || q.Type == xlsform.Note {
				continue
			}
			val, err := a.answerText(c.Tx, lang, form, q, ans)
			if err != nil {
				return "", err
			}
			line(a.answeredLabel(c.Tx, lang, form, q, answers), val)
		}
	} else {
		names := make([]string, 0, len(answers))
		for n := range answers {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if ans := answers[n]; !ans.Skipped && !ans.Computed {
				line(n, html.EscapeString(clip(strings.Join(append([]string{ans.Text}, ans.List...), " "), maxAnswerShown)))
			}
		}
	}
	if b.Len() >= maxCard {
		b.WriteString("\n…")
	}
	if sub.CaseID != 0 {
		if k, ok, err := c.Tx.GetCase(sub.CaseID); err != nil {
			return "", err
		} else if ok {
			b.WriteString("\n" + t("xfr.card.case", "code", k.Code))
		}
	}
	if sub.Kecamatan != "" {
		b.WriteString("\n" + t("xfr.card.kecamatan", "name", html.EscapeString(a.kecamatanName(sub.Kecamatan))))
	}
	worker, _, err := c.Tx.GetUser(sub.UserID)
	if err != nil {
		return "", err
	}
	b.WriteString("\n\n" + t("xfr.card.by", "who", html.EscapeString(displayName(worker)), "date", a.formatTime(sub.SubmittedAt)))
	return b.String(), nil
}

// answerText is one answer as a card shows it, HTML-escaped.
func (a *App) answerText(tx *store.Tx, lang i18n.Lang, f *xlsform.Form, q xlsform.Question, ans store.FormAnswer) (string, error) {
	if q.Type == xlsform.Geopoint && ans.Located {
		return fmt.Sprintf(`<a href="https://maps.google.com/?q=%.6f,%.6f">%.5f, %.5f</a>`, ans.Lat, ans.Lon, ans.Lat, ans.Lon), nil
	}
	s, err := a.answerPlain(tx, lang, f, q, ans)
	if err != nil {
		return "", err
	}
	return html.EscapeString(clip(s, maxAnswerShown)), nil
}

// answerPlain is one answer as plain text in lang: a choice's label, a NIK
// masked, a place as coordinates.
func (a *App) answerPlain(tx *store.Tx, lang i18n.Lang, f *xlsform.Form, q xlsform.Question, ans store.FormAnswer) (string, error) {
	switch q.Type {
	case xlsform.NIK:
		if ans.Text == "" {
			return "", nil
		}
		n, err := tx.OpenFormNIK(ans.Text)
		if err != nil {
			return "", err
		}
		return nik.Mask(n), nil
	case xlsform.SelectOne:
		return choiceLabel(f, q, ans.Text, lang), nil
	case xlsform.SelectMultiple:
		labels := make([]string, len(ans.List))
		for i, name := range ans.List {
			labels[i] = choiceLabel(f, q, name, lang)
		}
		return strings.Join(labels, ", "), nil
	case xlsform.Geopoint:
		if !ans.Located {
			return "-", nil
		}
		return fmt.Sprintf("%.5f, %.5f", ans.Lat, ans.Lon), nil
	case xlsform.Image, xlsform.Audio:
		return i18n.T(lang, "xfr.card.files", "n", strconv.Itoa(len(ans.Files))), nil
	case xlsform.Kecamatan:
		return a.kecamatanName(ans.Text), nil
	case xlsform.Date, xlsform.Time, xlsform.DateTime, xlsform.Decimal:
		if s, err := engine.FormatValue(lang, typedInputs[q.Type], ans.Text); err == nil {
			return s, nil
		}
		// An answer stored by an older layout still shows, as stored.
	}
	return ans.Text, nil
}

// answeredLabel is q's label in lang with each ${name} in it replaced by the
// answer to name (plain text, "" when unanswered), so a reviewer reads the
// question as the worker read it while filling.
func (a *App) answeredLabel(tx *store.Tx, lang i18n.Lang, f *xlsform.Form, q xlsform.Question, answers map[string]store.FormAnswer) string {
	label := questionLabel(f, q, lang)
	if !strings.Contains(label, "${") {
		return label
	}
	return pipedRef.ReplaceAllStringFunc(label, func(ref string) string {
		name := ref[2 : len(ref)-1]
		pq := f.Question(name)
		ans, ok := answers[name]
		if pq == nil || !ok || ans.Skipped {
			return ""
		}
		s, err := a.answerPlain(tx, lang, f, *pq, ans)
		if err != nil {
			// The label still reads; the answer's own line shows the failure.
			slog.Warn("form review: piped answer unreadable", "question", name, "err", err)
			return ""
		}
		return clip(s, 40)
	})
}

// choiceLabel is the label of choice name of q's list in lang, the name
// itself when the list has no such choice.
func choiceLabel(f *xlsform.Form, q xlsform.Question, name string, lang i18n.Lang) string {
	for _, ch := range f.Choices[q.ListName] {
		if ch.Name == name {
			if s := formLabel(ch.Label, lang, f.DefaultLang); s != "" {
				return s
			}
		}
	}
	return name
}

// onFormReviewCallback handles the review buttons.
func (a *App) onFormReviewCallback(c *Ctx, cb Callback) error {
	id, err := strconv.ParseInt(cb.Nonce, 10, 64)
	if err != nil {
		return a.stale(c)
	}
	sub, ok, err := c.Tx.GetSubmission(id)
	if err != nil {
		return err
	}
	if !ok {
		return a.stale(c)
	}
	switch cb.Op {
	case opFROpen:
		if !a.canReview(c.User, subCase(sub)) {
			return a.deny(c, "submission_view #"+cb.Nonce)
		}
		if err := c.Answer(""); err != nil {
			return err
		}
		m, err := a.submissionNotice(c, sub, c.User, "", a.decisionTail(c, c.Lang, sub))
		if err != nil {
			return err
		}
		ref, err := c.Send(m)
		if err != nil {
			return err
		}
		return c.Tx.AddSubmissionNotice(sub.ID, c.User.ID, ref)
	case opFRVerify, opFRFix:
		if ok, err := a.maySubmissionOrDeny(c, sub); err != nil || !ok {
			return err
		}
		if sub.Status != store.SubmissionNew {
			return c.Answer(c.T("xfr.already", "status", c.T("xfr.status."+sub.Status)))
		}
		if cb.Op == opFRVerify {
			return a.decideSubmission(c, sub, store.SubmissionVerified, "", nil, true)
		}
		if s, open, err := a.loadSession(c); err != nil {
			return err
		} else if open {
			return a.reprompt(c, s, c.T("flow.busy"))
		}
		if err := c.Answer(""); err != nil {
			return err
		}
		return a.startFlow(c, a.flows[formReviewFlowName], map[string]string{"sub": cb.Nonce, "from": sub.Status}, nil, false)
	}
	return a.stale(c)
}

// maySubmissionOrDeny checks that the person may decide sub; a reviewer's
// own submission is refused with the reason, anything else as forbidden.
func (a *App) maySubmissionOrDeny(c *Ctx, sub store.Submission) (bool, error) {
	k := subCase(sub)
	may, err := a.mayDecide(c.Tx, c.User, k)
	if err != nil || may {
		return may, err
	}
	what := "submission_review #" + strconv.FormatInt(sub.ID, 10)
	if sub.UserID != c.User.ID || !a.canReview(c.User, k) {
		return false, a.deny(c, what)
	}
	if err := c.Tx.Audit(c.User.ID, "denied", what+" own_submission"); err != nil {
		return false, err
	}
	if c.Ev.Kind == EventCallback && !c.Answered() {
		return false, c.Answer(c.T("xfr.own"))
	}
	return false, c.Reply(c.T("xfr.own"))
}

// formReviewFlow asks which questions to fix (at least one) and an optional
// note, then sends the submission back.
func (a *App) formReviewFlow() *Flow {
	return &Flow{Name: formReviewFlowName, Title: "xfr.fix.title", Save: a.saveSubmissionFix, Steps: []Step{
		{Key: "fix_fields", Prompt: "xfr.fix.fields", Input: InputMulti, Min: 1, Max: 100, OptionsFrom: a.fixFieldOptions},
		{Key: "note", Prompt: "xfr.fix.note", Input: InputText, Min: 3, Max: maxNote, Optional: true},
	}}
}

// fixFieldOptions are the questions of the submission under review a person
// answers, by position in the form ("q<index>": names may not fit a button).
func (a *App) fixFieldOptions(c *Ctx) ([]Option, error) {
	form, answers, err := a.reviewedForm(c)
	if err != nil || form == nil {
		return nil, err
	}
	var opts []Option
	for i, q := range form.Questions {
		if q.Type.Asked() && q.Type != xlsform.Note {
			opts = append(opts, Option{Value: "q" + strconv.Itoa(i), Text: clip(a.answeredLabel(c.Tx, c.Lang, form, q, answers), 28)})
		}
	}
	if len(opts) == 0 {
		return nil, fmt.Errorf("form review: the form of submission %s asks nothing", c.Vars["sub"])
	}
	return opts, nil
}

// reviewedForm is the form of the submission under review and its answers.
func (a *App) reviewedForm(c *Ctx) (*xlsform.Form, map[string]store.FormAnswer, error) {
	id, err := strconv.ParseInt(c.Vars["sub"], 10, 64)
	if err != nil {
		return nil, nil, fmt.Errorf("form review without a submission: %q", c.Vars["sub"])
	}
	sub, ok, err := c.Tx.GetSubmission(id)
	if err != nil || !ok {
		return nil, nil, err
	}
	_, form, err := a.submissionForm(c.Tx, sub.VersionID)
	if err != nil {
		return nil, nil, err
	}
	if form == nil {
		return nil, nil, fmt.Errorf("form review: the form of submission %d does not load", id)
	}
	answers, err := store.DecodeFormAnswers(sub.Data)
	if err != nil {
		return nil, nil, err
	}
	return form, answers, nil
}

func (a *App) saveSubmissionFix(c *Ctx) error {
	id, err := strconv.ParseInt(c.Vars["sub"], 10, 64)
	if err != nil {
		return fmt.Errorf("form review without a submission: %q", c.Vars["sub"])
	}
	sub, ok, err := c.Tx.GetSubmission(id)
	if err != nil {
		return err
	}
	if !ok {
		return c.Reply(c.T("xfr.gone"))
	}
	// Checked again: the role or the submission may have changed meanwhile.
	if ok, err := a.maySubmissionOrDeny(c, sub); err != nil || !ok {
		return err
	}
	if sub.Status != c.Vars["from"] || sub.Status != store.SubmissionNew {
		return c.Reply(c.T("xfr.already", "status", c.T("xfr.status."+sub.Status)))
	}
	_, form, err := a.submissionForm(c.Tx, sub.VersionID)
	if err != nil {
		return err
	}
	if form == nil {
		return fmt.Errorf("form review: the form of submission %d does not load", id)
	}
	var names []string
	for _, v := range c.Answers["fix_fields"].List {
		i, err := strconv.Atoi(strings.TrimPrefix(v, "q"))
		if err == nil && i >= 0 && i < len(form.Questions) && !slices.Contains(names, form.Questions[i].Name) {
			names = append(names, form.Questions[i].Name)
		}
	}
	return a.decideSubmission(c, sub, store.SubmissionFix, c.Answers.Text("note"), names, false)
}

// decideSubmission moves sub to status to (with note and, to fix, the
// question names), edits every reviewer's card and tells the worker.
// onCard says the press was on a card of sub, which is edited in place.
func (a *App) decideSubmission(c *Ctx, sub store.Submission, to, note string, fields []string, onCard bool) error {
	fixJSON := ""
	if len(fields) > 0 {
		b, err := json.Marshal(fields)
		if err != nil {
			return fmt.Errorf("decide submission %d: %w", sub.ID, err)
		}
		fixJSON = string(b)
	}
	done, err := c.Tx.SetSubmissionStatus(sub.ID, sub.Status, to, c.User.ID, note, fixJSON)
	if err != nil {
		return err
	}
	if !done {
		return c.Answer(c.T("xfr.already", "status", c.T("xfr.status."+sub.Status)))
	}
	if err := c.Tx.Audit(c.User.ID, "submission_"+to, fmt.Sprintf("#%d %s fields=%s", sub.ID, sub.FormID,
		strings.Join(fields, ","))); err != nil {
		return err
	}
	sub.Status, sub.ReviewedBy, sub.ReviewNote, sub.FixFields = to, c.User.ID, note, fixJSON
	if err := c.Answer(c.T("xfr.done", "status", c.T("xfr.status."+to))); err != nil {
		return err
	}
	if !onCard {
		if err := c.Reply(c.T("xfr.done", "status", c.T("xfr.status."+to))); err != nil {
			return err
		}
	}
	notices, err := c.Tx.SubmissionNotices(sub.ID)
	if err != nil {
		return err
	}
	for _, n := range notices {
		u, _, err := c.Tx.GetUser(n.ChatID)
		if err != nil {
			return err
		}
		m, err := a.submissionNotice(c, sub, u, "", a.decisionTail(c, a.lang(u), sub))
		if err != nil {
			return err
		}
		m.Kind, m.ChatID, m.EditOf, m.Priority = store.KindEditText, n.ChatID, n.OutboxID, store.PriorityNotice
		if onCard && n.ChatID == c.Ev.ChatID && c.Ev.CallbackMessageID != 0 {
			m.EditOf, m.MessageID = 0, c.Ev.CallbackMessageID
		}
		if _, err := c.Send(m); err != nil {
			return err
		}
	}
	return a.tellSubmitter(c, sub)
}

// decisionTail says who decided sub and how, in lang; "" while undecided.
func (a *App) decisionTail(c *Ctx, lang i18n.Lang, sub store.Submission) string {
	if sub.Status == store.SubmissionNew || sub.ReviewedBy == 0 {
		return ""
	}
	who := ""
	if u, ok, err := c.Tx.GetUser(sub.ReviewedBy); err == nil && ok {
		who = displayName(u)
	}
	text := i18n.T(lang, "xfr.decided", "status", i18n.T(lang, "xfr.status."+sub.Status), "who", html.EscapeString(who))
	if sub.ReviewNote != "" {
		text += "\n" + i18n.T(lang, "case.note", "note", html.EscapeString(sub.ReviewNote))
	}
	if names := a.fixFieldLabels(c, lang, sub); names != "" {
		text += "\n" + i18n.T(lang, "case.fix.fields", "fields", names)
	}
	return text
}

// fixFieldLabels names the questions sub must fix in lang, HTML-escaped, joined.
func (a *App) fixFieldLabels(c *Ctx, lang i18n.Lang, sub store.Submission) string {
	var names []string
	if sub.FixFields == "" || json.Unmarshal([]byte(sub.FixFields), &names) != nil {
		return ""
	}
	_, form, err := a.submissionForm(c.Tx, sub.VersionID)
	if err != nil || form == nil {
		return html.EscapeString(strings.Join(names, ", "))
	}
	answers, err := store.DecodeFormAnswers(sub.Data)
	if err != nil {
		return html.EscapeString(strings.Join(names, ", "))
	}
	labels := make([]string, 0, len(names))
	for _, n := range names {
		label := n
		if q := form.Question(n); q != nil {
			label = a.answeredLabel(c.Tx, lang, form, *q, answers)
		}
		labels = append(labels, html.EscapeString(label))
	}
	return strings.Join(labels, ", ")
}

// tellSubmitter tells the worker of sub its new status in their language; a
// request to fix it names the questions and has the button that opens it.
func (a *App) tellSubmitter(c *Ctx, sub store.Submission) error {
	w, ok, err := c.Tx.GetUser(sub.UserID)
	if err != nil || !ok || w.Status == store.UserErased {
		return err
	}
	v, _, err := c.Tx.GetFormVersion(sub.VersionID)
	if err != nil {
		return err
	}
	lang := a.lang(w)
	text := i18n.T(lang, "xfr.worker.status", "title", html.EscapeString(v.Title), "id", strconv.FormatInt(sub.ID, 10),
		"status", i18n.T(lang, "xfr.status."+sub.Status))
	if sub.ReviewNote != "" {
		text += "\n" + i18n.T(lang, "case.note", "note", html.EscapeString(sub.ReviewNote))
	}
	if names := a.fixFieldLabels(c, lang, sub); names != "" {
		text += "\n" + i18n.T(lang, "case.fix.fields", "fields", names)
	}
	m := store.Message{ChatID: w.ID, Text: text, Priority: store.PriorityNotice}
	if sub.Status == store.SubmissionFix {
		// H3's filling opens the form at its summary with these questions marked.
		m.Buttons = [][]store.Button{{{Text: i18n.T(lang, "xfr.btn.fix_own"), Data: "xfix:" + strconv.FormatInt(sub.ID, 10)}}}
	}
	_, err = c.Send(m)
	return err
}

// cmdSubmissions is /kiriman: the submissions waiting for review in the
// person's area, each a button away from its card.
func (a *App) cmdSubmissions(c *Ctx, s *session) error {
	subs, err := c.Tx.SubmissionsIn("", area(c.User), store.SubmissionNew)
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		if err := c.Reply(c.T("xfr.list.none")); err != nil {
			return err
		}
	} else {
		var b strings.Builder
		b.WriteString("<b>" + c.T("xfr.list.head", "n", strconv.Itoa(len(subs))) + "</b>")
		var buttons [][]store.Button
		titles := map[int64]string{}
		for i, sub := range subs {
			if i == maxSubsListed {
				b.WriteString("\n" + c.T("xfr.list.more", "n", strconv.Itoa(len(subs)-i)))
				break
			}
			title, ok := titles[sub.VersionID]
			if !ok {
				v, _, err := c.Tx.GetFormVersion(sub.VersionID)
				if err != nil {
					return err
				}
				title, titles[sub.VersionID] = v.Title, v.Title
			}
			worker, _, err := c.Tx.GetUser(sub.UserID)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "\n#%d · %s · %s · %s · %s", sub.ID, html.EscapeString(clip(title, 40)),
				html.EscapeString(a.kecamatanName(sub.Kecamatan)), html.EscapeString(clip(displayName(worker), 30)),
				a.formatTime(sub.SubmittedAt))
			d, err := data(cbFormReview, strconv.FormatInt(sub.ID, 10), opFROpen, "")
			if err != nil {
				return err
			}
			buttons = append(buttons, []store.Button{{Text: "#" + strconv.FormatInt(sub.ID, 10) + " " + clip(title, 30), Data: d}})
		}
		if _, err := c.Send(store.Message{Text: b.String(), Buttons: buttons}); err != nil {
			return err
		}
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	return nil
}
