package flows

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/nik"
	"dinsosbot/flows/parse"
	"dinsosbot/store"
)

// Case buttons outside a conversation: "cs:<id>:<op>:<arg>", where id is the
// case id (or the page number of a list).
const cbCase = "cs"

const (
	opCaseAct    = "a" // on a notice; Arg: the target status's short code (caseStatusCodes)
	opCaseActIn  = "b" // the same, on a /kasus detail view
	opCaseDetail = "d" // show the case with its history
	opCaseFix    = "e" // the reporter opens the form to fix it
	opCaseList   = "l" // Nonce: page; Arg: the list's scope
	opCasePhotos = "p" // every photo of the case, from a notice
)

func init() {
	validOps[cbCase] = map[string]bool{opCaseAct: true, opCaseActIn: true, opCaseDetail: true, opCaseFix: true,
		opCaseList: true, opCasePhotos: true, opCaseQueue: true}
}

// caseStatusCodes keeps callback data short.
var caseStatusCodes = map[string]string{
	"v": store.CaseVerified, "f": store.CaseNeedsFix, "t": store.CaseFollowUp, "c": store.CaseClosed,
	"r": store.CaseRejected,
}

func statusCode(status string) string {
	for k, v := range caseStatusCodes {
		if v == status {
			return k
		}
	}
	return ""
}

// caseText describes case k in lang for viewer, its reporter or a reviewer;
// the NIK is masked. Other cases that may be the same person (same NIK; same
// name, kelurahan and birth date) are named to a reviewer only: the reporter
// may have typed any NIK or chosen any kelurahan, and the card must not tell
// them what the form did not (matchNIK).
func (a *App) caseText(c *Ctx, lang i18n.Lang, viewer store.User, k store.Case) (string, error) {
	return a.caseTextClip(c, lang, viewer, k, 0)
}

// caseTextClip is caseText with the description clipped to descMax
// characters (0: whole), for a card that must fit a caption.
func (a *App) caseTextClip(c *Ctx, lang i18n.Lang, viewer store.User, k store.Case, descMax int) (string, error) {
	t := func(key string, args ...string) string { return i18n.T(lang, key, args...) }
	reporter, _, err := c.Tx.GetUser(k.ReporterID)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<b>%s</b> · %s · %s\n", k.Code, t("case.status."+k.Status), t("case.urgency."+k.Urgency))
	line := func(label, value string) { fmt.Fprintf(&b, "\n%s: <b>%s</b>", t(label), value) }
	line("case.category.label", html.EscapeString(categoryName(k.Category)))
	line("case.name.label", html.EscapeString(k.FullName))
	var n nik.NIK
	if k.NIK != "" {
		line("case.nik.label", nik.Mask(k.NIK))
		n, _ = nik.Parse(k.NIK, k.CreatedAt.In(a.cfg.Location))
	} else {
		line("case.nik.label", t("case.nik.none")+" ("+t("case.no_nik."+k.NoNIKReason)+")")
	}
	line("case.gender.label", t("case.gender."+k.Gender))
	if k.BirthDate != "" {
		d, _ := parse.Date(k.BirthDate)
		line("case.birth.label", formatDay(d))
	} else {
		line("case.birth.label", t("case.age", "n", strconv.Itoa(k.Age)))
	}
	if k.BirthPlace != "" {
		line("case.birth_place.label", html.EscapeString(k.BirthPlace))
	}
	if !n.IsZero() && (nikGender(n) != k.Gender || (k.BirthDate != "" && k.BirthDate != n.BirthDate().String())) {
		b.WriteString("\n⚠️ " + t("case.warn.nik_mismatch"))
	}
	for _, w := range a.personWarnings(t, k, n) {
		b.WriteString("\n⚠️ " + w)
	}
	line("case.address.label", html.EscapeString(k.Address))
	if k.RT != "" {
		line("case.rt_rw.label", k.RT+"/"+k.RW)
	}
	if k.NoKK != "" {
		line("case.no_kk.label", nik.Mask(k.NoKK))
	}
	line("case.area.label", a.areaText(store.Profile{Kecamatan: k.Kecamatan, Kelurahan: k.Kelurahan}))
	if k.HasLocation {
		fmt.Fprintf(&b, "\n%s: <a href=\"https://maps.google.com/?q=%.6f,%.6f\">%.5f, %.5f</a>", t("case.location.label"),
			k.Latitude, k.Longitude, k.Latitude, k.Longitude)
	}
	photos, err := c.Tx.CasePhotos(k.ID)
	if err != nil {
		return "", err
	}
	line("case.photos.label", t("flow.photos", "n", strconv.Itoa(len(photos))))
	var needs []string
	for _, nd := range k.Needs {
		needs = append(needs, t("case.need."+nd))
	}
	line("case.needs.label", strings.Join(needs, ", "))
	desc := k.Description
	if descMax > 0 {
		desc = clip(desc, descMax)
	}
	fmt.Fprintf(&b, "\n%s:\n%s", t("case.description.label"), html.EscapeString(desc))
	fmt.Fprintf(&b, "\n\n%s", t("case.reported_by", "who", html.EscapeString(displayName(reporter)),
		"date", a.formatTime(k.CreatedAt)))
	if !a.canReview(viewer, k) {
		return b.String(), nil
	}
	if err := a.writeNIKDups(c, &b, lang, k); err != nil {
		return "", err
	}
	similar, err := c.Tx.SimilarCases(k.FullName, k.Kelurahan, k.BirthDate, k.ID)
	if err != nil {
		return "", err
	}
	if len(similar) > 0 {
		b.WriteString("\n⚠️ " + t("case.warn.similar.short", "code", similar[0].Code))
	}
	return b.String(), nil
}

// maxDupsShown bounds the other cases with the same NIK named on a card.
const maxDupsShown = 3

// writeNIKDups names, for a reviewer, the other cases recorded with k's NIK
// and their kecamatan (wherever they are: linking the two is the reviewer's
// job), never their category.
func (a *App) writeNIKDups(c *Ctx, b *strings.Builder, lang i18n.Lang, k store.Case) error {
	if k.NIK == "" {
		return nil
	}
	dups, err := c.Tx.CasesByNIK(k.NIK)
	if err != nil {
		return err
	}
	n := 0
	for _, d := range dups {
		if d.ID == k.ID {
			continue
		}
		if n == maxDupsShown {
			b.WriteString("\n⚠️ " + i18n.T(lang, "case.warn.nik_dup.more", "n", strconv.Itoa(len(dups)-1-n)))
			break
		}
		b.WriteString("\n⚠️ " + i18n.T(lang, "case.warn.nik_dup", "code", d.Code,
			"kecamatan", a.kecamatanName(d.Kecamatan)))
		n++
	}
	return nil
}

// actionButtons are the transitions open from k's status, for a reviewer;
// op is opCaseAct on a notice, opCaseActIn on a detail view.
func actionButtons(lang i18n.Lang, k store.Case, op string) ([][]store.Button, error) {
	var row []store.Button
	var rows [][]store.Button
	for _, to := range store.CaseTransitions[k.Status] {
		d, err := data(cbCase, strconv.FormatInt(k.ID, 10), op, statusCode(to))
		if err != nil {
			return nil, err
		}
		row = append(row, store.Button{Text: i18n.T(lang, "case.btn."+to), Data: d})
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows, nil
}

// sendCaseNotice sends case k to reviewer u with the action buttons, and
// remembers it so a decision can update every copy; in a backed-up chat the
// case is merged into one notice instead (mergeNotice). extra, when set, adds
// lines under the heading in u's language. The notice is one message: the
// case's first photo with the card as its caption, or the card alone; the
// location is a map link in the card.
func (a *App) sendCaseNotice(c *Ctx, k store.Case, u store.User, headKey string, extra func(i18n.Lang) string) error {
	if merged, err := a.mergeNotice(c.Tx, u); err != nil || merged {
		return err
	}
	lang := a.lang(u)
	head := i18n.T(lang, headKey)
	if extra != nil {
		head += "\n" + extra(lang)
	}
	photos, err := c.Tx.CasePhotos(k.ID)
	if err != nil {
		return err
	}
	m, err := a.caseNotice(c, k, u, head, nil, len(photos) > 0)
	if err != nil {
		return err
	}
	m.ChatID, m.Priority = u.ID, store.PriorityNotice
	if len(photos) > 0 {
		m.Kind, m.FileID = store.KindPhoto, photos[0].FileID
	}
	ref, err := c.Send(m)
	if err != nil {
		return err
	}
	return c.Tx.AddCaseNotice(k.ID, u.ID, ref)
}

// maxCaption is Telegram's limit on a caption: UTF-16 code units of its
// text once the markup is parsed.
const maxCaption = 1024

// minClip is the shortest a clipped description or note gets before the
// card falls back to its short form.
const minClip = 40

// caseNotice is the notice of case k for reviewer u, without its chat: head
// above the card, the decision (when tail is set) below it, and the buttons
// (the transitions u may make; every photo when there are several; the full
// card when this one was clipped). As a caption (caption), the description
// and then the note are clipped until it fits.
func (a *App) caseNotice(c *Ctx, k store.Case, u store.User, head string, tail func(noteMax int) string,
	caption bool) (store.Message, error) {
	lang := a.lang(u)
	build := func(descMax, noteMax int) (string, error) {
		text, err := a.caseTextClip(c, lang, u, k, descMax)
		if err != nil {
			return "", err
		}
		if head != "" {
			text = head + "\n\n" + text
		}
		if tail != nil {
			text += "\n\n" + tail(noteMax)
		}
		return text, nil
	}
	text, err := build(0, 0)
	if err != nil {
		return store.Message{}, err
	}
	clipped := false
	if caption && captionLen(text) > maxCaption {
		clipped = true
		descMax, noteMax := utf8.RuneCountInString(k.Description), maxNote
		for range 6 {
			over := captionLen(text) - maxCaption
			if over <= 0 {
				break
			}
			switch {
			case descMax > minClip:
				descMax = max(minClip, descMax-over-1)
			case noteMax > minClip:
				noteMax = max(minClip, noteMax-over-1)
			}
			if text, err = build(descMax, noteMax); err != nil {
				return store.Message{}, err
			}
		}
		if captionLen(text) > maxCaption {
			// Names, address and warnings alone overflow: the heading and
			// the case's code, the card a button away.
			text = i18n.T(lang, "case.notice.short", "code", k.Code, "status", i18n.T(lang, "case.status."+k.Status))
			if head != "" {
				text = head + "\n\n" + text
			}
		}
	}
	var buttons [][]store.Button
	if may, err := a.mayDecide(c.Tx, u, k); err != nil {
		return store.Message{}, err
	} else if may {
		if buttons, err = actionButtons(lang, k, opCaseAct); err != nil {
			return store.Message{}, err
		}
	}
	var more []store.Button
	photos, err := c.Tx.CasePhotos(k.ID)
	if err != nil {
		return store.Message{}, err
	}
	id := strconv.FormatInt(k.ID, 10)
	if len(photos) > 1 {
		d, err := data(cbCase, id, opCasePhotos, "")
		if err != nil {
			return store.Message{}, err
		}
		more = append(more, store.Button{Text: i18n.T(lang, "case.btn.photos", "n", strconv.Itoa(len(photos))), Data: d})
	}
	if clipped {
		d, err := data(cbCase, id, opCaseDetail, "")
		if err != nil {
			return store.Message{}, err
		}
		more = append(more, store.Button{Text: i18n.T(lang, "case.btn.detail"), Data: d})
	}
	if len(more) > 0 {
		buttons = append(buttons, more)
	}
	return store.Message{Text: text, Buttons: buttons}, nil
}

// maxNote is the longest note a reviewer types (caseNoteFlow).
const maxNote = 1000

var markup = regexp.MustCompile(`<[^>]*>`)

// captionLen is how long Telegram counts the HTML text s: UTF-16 code units
// of the text without its tags, entities decoded.
func captionLen(s string) int {
	n := 0
	for _, r := range html.UnescapeString(markup.ReplaceAllString(s, "")) {
		n += utf16.RuneLen(r)
	}
	return n
}

// sendCasePhotos sends the photos of case k to chat, one photo message each
// (by Telegram file_id: nothing is uploaded again), captioned with the case
// code: what the notice's photos button asks for.
func (a *App) sendCasePhotos(c *Ctx, k store.Case, chat int64, lang i18n.Lang) error {
	photos, err := c.Tx.CasePhotos(k.ID)
	if err != nil {
		return err
	}
	if len(photos) == 0 {
		return c.Answer(i18n.T(lang, "case.photos.none"))
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	for i, p := range photos {
		if _, err := c.Send(store.Message{Kind: store.KindPhoto, ChatID: chat,
			FileID: p.FileID, Text: i18n.T(lang, "case.photo.caption", "code", k.Code, "n", strconv.Itoa(i+1),
				"total", strconv.Itoa(len(photos)))}); err != nil {
			return err
		}
	}
	return nil
}

// onCaseCallback handles the case buttons. Every action is checked here,
// against the stored case, whatever the button said.
func (a *App) onCaseCallback(c *Ctx, cb Callback) error {
	if cb.Op == opCaseQueue {
		// From a merged notice: the queue as a new message, the notice
		// kept to be edited.
		return a.showCaseList(c, scopeQueue, 0, 0)
	}
	if cb.Op == opCaseList {
		page, err := strconv.Atoi(cb.Nonce)
		if err != nil {
			return a.stale(c)
		}
		return a.showCaseList(c, cb.Arg, page, c.Ev.CallbackMessageID)
	}
	id, err := strconv.ParseInt(cb.Nonce, 10, 64)
	if err != nil {
		return a.stale(c)
	}
	k, ok, err := c.Tx.GetCase(id)
	if err != nil {
		return err
	}
	if !ok {
		return a.stale(c)
	}
	switch cb.Op {
	case opCaseDetail:
		if k.ReporterID != c.User.ID && !a.canReview(c.User, k) {
			return a.deny(c, "case_view "+k.Code)
		}
		return a.showCase(c, k)
	case opCasePhotos:
		if k.ReporterID != c.User.ID && !a.canReview(c.User, k) {
			return a.deny(c, "case_photos "+k.Code)
		}
		return a.sendCasePhotos(c, k, c.Ev.ChatID, c.Lang)
	case opCaseFix:
		if k.ReporterID != c.User.ID {
			return a.deny(c, "case_fix "+k.Code)
		}
		if k.Status != store.CaseNeedsFix {
			return c.Answer(c.T("case.fix.gone"))
		}
		if s, open, err := a.loadSession(c); err != nil {
			return err
		} else if open {
			return a.reprompt(c, s, c.T("flow.busy"))
		}
		return a.openCaseFix(c, k)
	case opCaseAct, opCaseActIn:
		to, ok := caseStatusCodes[cb.Arg]
		if !ok {
			return a.stale(c)
		}
		if ok, err := a.mayDecideOrDeny(c, k, to); err != nil || !ok {
			return err
		}
		if !store.CanTransition(k.Status, to) {
			return c.Answer(c.T("case.already", "status", c.T("case.status."+k.Status)))
		}
		if to == store.CaseVerified && cb.Op == opCaseAct {
			return a.transition(c, k, to, "", nil, true)
		}
		if to == store.CaseVerified {
			// From a detail view: every notice is edited (the one in this chat
			// too), then the detail itself is redrawn.
			if err := a.transition(c, k, to, "", nil, false); err != nil {
				return err
			}
			if k, ok, err = c.Tx.GetCase(k.ID); err != nil || !ok {
				return err
			}
			return a.renderCase(c, k, c.Ev.CallbackMessageID)
		}
		if s, open, err := a.loadSession(c); err != nil {
			return err
		} else if open {
			return a.reprompt(c, s, c.T("flow.busy"))
		}
		if err := c.Answer(""); err != nil {
			return err
		}
		if _, err := c.Send(store.Message{Text: c.T("case.review.head", "code", k.Code,
			"status", c.T("case.status."+to))}); err != nil {
			return err
		}
		vars := map[string]string{"case": cb.Nonce, "to": to, "from": k.Status}
		if cb.Op == opCaseActIn && c.Ev.CallbackMessageID != 0 {
			vars["detail"] = strconv.Itoa(c.Ev.CallbackMessageID) // redrawn after the note
		}
		return a.startFlow(c, a.flows[caseNoteFlowName], vars, nil, false)
	}
	return a.stale(c)
}

// mayDecideOrDeny checks that the person may move case k to status to
// (mayDecide); when not, the refusal is answered and audited, naming an own
// report as such.
func (a *App) mayDecideOrDeny(c *Ctx, k store.Case, to string) (bool, error) {
	may, err := a.mayDecide(c.Tx, c.User, k)
	if err != nil || may {
		return may, err
	}
	what := "case_" + to + " " + k.Code
	if k.ReporterID != c.User.ID || !a.canReview(c.User, k) {
		return false, a.deny(c, what)
	}
	// A reviewer pressing on their own report (an old notice, a forged
	// button) is told why, so they know someone else will decide it.
	if err := c.Tx.Audit(c.User.ID, "denied", what+" own_report"); err != nil {
		return false, err
	}
	if c.Ev.Kind == EventCallback && !c.Answered() {
		return false, c.Answer(c.T("case.own_report"))
	}
	return false, c.Reply(c.T("case.own_report"))
}

const caseNoteFlowName = "case_note"

// caseNoteFlow asks a coordinator for the comment, note or reason of a
// transition; closing a case takes an optional note. Sending a case back for
// fixing also asks which fields of the form to fix (may be skipped).
func (a *App) caseNoteFlow() *Flow {
	closing := func(c *Ctx) bool { return c.Vars["to"] == store.CaseClosed }
	fixOpts := a.caseFixOptions()
	return &Flow{Name: caseNoteFlowName, Title: "case.review.title", Save: a.saveCaseNote, Steps: []Step{
		{Key: "note", Prompt: "case.review.note", Input: InputText, Min: 3, Max: 1000,
			If: func(c *Ctx) bool { return !closing(c) }},
		{Key: "close_note", Prompt: "case.review.close_note", Label: "case.review.note.label", Input: InputText,
			Min: 3, Max: 1000, Optional: true, If: closing},
		{Key: "fix_fields", Prompt: "case.review.fix_fields", Input: InputMulti, Min: 1, Max: len(fixOpts),
			Optional: true, Options: fixOpts, If: func(c *Ctx) bool { return c.Vars["to"] == store.CaseNeedsFix }},
	}}
}

func (a *App) saveCaseNote(c *Ctx) error {
	id, err := strconv.ParseInt(c.Vars["case"], 10, 64)
	if err != nil {
		return fmt.Errorf("case note without a case: %q", c.Vars["case"])
	}
	k, ok, err := c.Tx.GetCase(id)
	if err != nil {
		return err
	}
	if !ok {
		return c.Reply(c.T("case.fix.gone"))
	}
	// Checked again: the role or the case may have changed while typing.
	if ok, err := a.mayDecideOrDeny(c, k, c.Vars["to"]); err != nil || !ok {
		return err
	}
	if k.Status != c.Vars["from"] || !store.CanTransition(k.Status, c.Vars["to"]) {
		return c.Reply(c.T("case.already", "status", c.T("case.status."+k.Status)))
	}
	note := c.Answers.Text("note")
	if note == "" {
		note = c.Answers.Text("close_note")
	}
	var fields []string
	if c.Vars["to"] == store.CaseNeedsFix {
		fields = a.caseFixFieldsAnswer(c)
	}
	if err := a.transition(c, k, c.Vars["to"], note, fields, false); err != nil {
		return err
	}
	detail, err := strconv.Atoi(c.Vars["detail"])
	if err != nil || detail == 0 {
		return nil // acted from a notice, which transition edited
	}
	if k, ok, err = c.Tx.GetCase(k.ID); err != nil || !ok {
		return err
	}
	return a.renderCase(c, k, detail)
}

// transition moves case k to status to, records it (with fields, the
// case form's fields marked to fix), updates every coordinator's copy and
// tells the reporter. onNotice says the event is a press on a notice of k
// itself, which is then edited in place.
func (a *App) transition(c *Ctx, k store.Case, to, note string, fields []string, onNotice bool) error {
	from := k.Status
	done, err := c.Tx.SetCaseStatusFields(k.ID, from, to, c.User.ID, note, fields)
	if err != nil {
		return err
	}
	if !done {
		return c.Answer(c.T("case.already", "status", c.T("case.status."+k.Status)))
	}
	if err := c.Tx.Audit(c.User.ID, "case_"+to, k.Code); err != nil {
		return err
	}
	k.Status, k.ReviewerID = to, c.User.ID
	if err := c.Answer(c.T("case.done", "status", c.T("case.status."+to))); err != nil {
		return err
	}
	if !onNotice {
		if err := c.Reply(c.T("case.done", "status", c.T("case.status."+to))); err != nil {
			return err
		}
	}
	if err := a.refreshNotices(c, k, note, fields, onNotice); err != nil {
		return err
	}
	return a.tellReporter(c, k, note, fields)
}

// refreshNotices edits every reviewer's copy of k: the new status, who set it,
// and the buttons open from there. A photo notice gets its caption edited.
func (a *App) refreshNotices(c *Ctx, k store.Case, note string, fields []string, onNotice bool) error {
	notices, err := c.Tx.CaseNotices(k.ID)
	if err != nil {
		return err
	}
	for _, n := range notices {
		u, _, err := c.Tx.GetUser(n.ChatID)
		if err != nil {
			return err
		}
		lang := a.lang(u)
		tail := func(noteMax int) string {
			text := i18n.T(lang, "case.decided", "status", i18n.T(lang, "case.status."+k.Status),
				"who", html.EscapeString(displayName(c.User)))
			if note != "" {
				shown := note
				if noteMax > 0 {
					shown = clip(note, noteMax)
				}
				text += "\n" + i18n.T(lang, "case.note", "note", html.EscapeString(shown))
			}
			if len(fields) > 0 {
				text += "\n" + i18n.T(lang, "case.fix.fields", "fields", a.caseFieldNames(lang, fields))
			}
			return text
		}
		was, _, err := c.Tx.OutboxKind(n.OutboxID)
		if err != nil {
			return err
		}
		photo := was == store.KindPhoto || was == store.KindDocument
		m, err := a.caseNotice(c, k, u, "", tail, photo)
		if err != nil {
			return err
		}
		m.Kind, m.ChatID, m.EditOf, m.Priority = store.KindEditText, n.ChatID, n.OutboxID, store.PriorityNotice
		if photo {
			m.Kind = store.KindEditCaption
		}
		if onNotice && n.ChatID == c.Ev.ChatID && c.Ev.CallbackMessageID != 0 {
			m.EditOf, m.MessageID = 0, c.Ev.CallbackMessageID
		}
		if _, err := c.Send(m); err != nil {
			return err
		}
	}
	return nil
}

// tellReporter tells the reporter of k its new status in their language; a
// request to fix it comes with the fields to fix and the button that opens
// the form at them.
func (a *App) tellReporter(c *Ctx, k store.Case, note string, fields []string) error {
	rep, ok, err := c.Tx.GetUser(k.ReporterID)
	if err != nil || !ok {
		return err
	}
	lang := a.lang(rep)
	text := i18n.T(lang, "case.reporter.status", "code", k.Code, "category", html.EscapeString(categoryName(k.Category)),
		"name", html.EscapeString(k.FullName), "status", i18n.T(lang, "case.status."+k.Status))
	if note != "" {
		text += "\n" + i18n.T(lang, "case.note", "note", html.EscapeString(note))
	}
	if len(fields) > 0 {
		text += "\n" + i18n.T(lang, "case.fix.fields", "fields", a.caseFieldNames(lang, fields))
	}
	m := store.Message{ChatID: rep.ID, Text: text, Priority: store.PriorityNotice}
	if k.Status == store.CaseNeedsFix {
		d, err := data(cbCase, strconv.FormatInt(k.ID, 10), opCaseFix, "")
		if err != nil {
			return err
		}
		m.Buttons = [][]store.Button{{{Text: i18n.T(lang, "case.btn.fix"), Data: d}}}
	}
	_, err = c.Send(m)
	return err
}
