package flows

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"path"
	"sort"
	"strconv"
	"strings"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/xlsform"
	"dinsosbot/store"
)

// An admin publishes an XLSForm by sending the workbook as a document in the
// private chat. The update only records the upload (flows do no HTTP); the
// runtime fetches the file and calls FormFileFetched in a new transaction,
// which checks it as `dinsosbot form check` does and answers with the refusal
// lines or a preview whose buttons choose the audience and publish.

// MaxFormUpload bounds the workbook an admin may upload: an XLSForm is a few
// dozen kilobytes; anything near this is not a form.
const MaxFormUpload = 2 << 20

// Form publishing buttons: "fp:<form version id>:<op>:<arg>".
const cbFormPub = "fp"

const (
	opFPAudience  = "a" // Arg: an audience (audienceArg), or "" to choose again
	opFPKecPage   = "k" // Arg: page of the kecamatan list
	opFPPublish   = "p" // Arg: the audience
	opFPCancel    = "x"
	opFPUnpublish = "u" // Nonce: the published version's id
)

func init() {
	validOps[cbFormPub] = map[string]bool{opFPAudience: true, opFPKecPage: true, opFPPublish: true, opFPCancel: true,
		opFPUnpublish: true}
}

// previewQuestions is how many questions a preview lists.
const previewQuestions = 5

// kecPageSize is how many kecamatan one page of the audience list shows.
const kecPageSize = 8

// maxRefusalLines bounds the problems shown; the rest are counted.
const maxRefusalLines = 25

// onFormDocument records an admin's document as a form upload.
func (a *App) onFormDocument(c *Ctx) error {
	doc := c.Ev.Document
	if !strings.EqualFold(path.Ext(doc.FileName), ".xlsx") {
		return c.Reply(c.T("xfa.upload.not_xlsx"))
	}
	if doc.Size > MaxFormUpload {
		return c.Reply(c.T("xfa.upload.too_big", "max", strconv.Itoa(MaxFormUpload>>20)))
	}
	if _, err := c.Tx.AddFormUpload(store.FormUpload{UserID: c.User.ID, ChatID: c.Ev.ChatID, FileID: doc.FileID,
		FileName: clip(doc.FileName, 100), Size: doc.Size}); err != nil {
		return err
	}
	if err := c.Tx.Audit(c.User.ID, "form_upload", clip(doc.FileName, 100)); err != nil {
		return err
	}
	return c.Reply(c.T("xfa.upload.received", "file", html.EscapeString(clip(doc.FileName, 100))))
}

// FormFileFetched is called by the runtime with the bytes of upload id, or
// with failure set when the file could not be fetched. It checks the
// workbook and answers the admin; an upload already answered (a replay) is
// ignored.
func (a *App) FormFileFetched(tx *store.Tx, id int64, file []byte, failure string) error {
	up, ok, err := tx.GetFormUpload(id)
	if err != nil || !ok || up.Status != store.UploadPending {
		return err
	}
	user, _, err := tx.GetUser(up.UserID)
	if err != nil {
		return err
	}
	c := &Ctx{Tx: tx, Ev: Event{ChatID: up.ChatID, ChatType: "private", UserID: up.UserID, Date: tx.Now()},
		User: user, Lang: a.lang(user), Env: a}
	if !isAdmin(user) {
		// The role went between the upload and the download.
		if _, err := tx.FinishFormUpload(id, store.UploadFailed, "not an admin"); err != nil {
			return err
		}
		return tx.Audit(user.ID, "denied", "form_upload")
	}
	if failure != "" {
		if _, err := tx.FinishFormUpload(id, store.UploadFailed, clip(failure, 200)); err != nil {
			return err
		}
		return c.Reply(c.T("xfa.upload.fetch_failed", "file", html.EscapeString(up.FileName)))
	}
	if _, err := tx.FinishFormUpload(id, store.UploadDone, ""); err != nil {
		return err
	}
	form, err := xlsform.Load(bytes.NewReader(file), xlsform.Options{Regions: a.cfg.Regions, MaxBytes: MaxFormUpload})
	var refusal *xlsform.Refusal
	switch {
	case errors.As(err, &refusal):
		if err := tx.Audit(user.ID, "form_refused", fmt.Sprintf("%s problems=%d", up.FileName, len(refusal.Problems))); err != nil {
			return err
		}
		return c.Reply(a.refusalText(c.Lang, up.FileName, refusal))
	case err != nil:
		if err := tx.Audit(user.ID, "form_refused", up.FileName+" unreadable"); err != nil {
			return err
		}
		return c.Reply(c.T("xfa.upload.unreadable", "file", html.EscapeString(up.FileName),
			"reason", html.EscapeString(clip(err.Error(), 300))))
	}
	vid, err := tx.AddFormVersion(store.FormVersion{FormID: form.ID, Version: form.Version, Title: form.Title,
		XLSX: file, UploadedBy: user.ID})
	if err != nil {
		return err
	}
	if err := tx.Audit(user.ID, "form_preview", fmt.Sprintf("%s version=%s id=%d", form.ID, form.Version, vid)); err != nil {
		return err
	}
	text, err := a.formPreview(c, form)
	if err != nil {
		return err
	}
	buttons, err := a.audienceButtons(c.Lang, vid)
	if err != nil {
		return err
	}
	_, err = c.Send(store.Message{Text: text + "\n\n" + c.T("xfa.preview.audience"), Buttons: buttons})
	return err
}

// refusalText lists a refusal's problems in lang, each naming its sheet and row.
func (a *App) refusalText(lang i18n.Lang, file string, r *xlsform.Refusal) string {
	var b strings.Builder
	b.WriteString(i18n.T(lang, "xfa.refused", "file", html.EscapeString(file), "n", strconv.Itoa(len(r.Problems))))
	for i, p := range r.Problems {
		if i == maxRefusalLines {
			b.WriteString("\n" + i18n.T(lang, "xfa.refused.more", "n", strconv.Itoa(len(r.Problems)-i)))
			break
		}
		// The feature is as written in the workbook: anyone's text.
		b.WriteString("\n• " + html.EscapeString(p.Text(lang)))
	}
	return b.String()
}

// formLabel picks the text of a per-language map for lang: lang's own, the
// form's default language's, the column without a language, then any.
func formLabel(m map[string]string, lang i18n.Lang, def string) string {
	for _, k := range []string{string(lang), def, ""} {
		if s := m[k]; s != "" {
			return s
		}
	}
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if len(keys) > 0 {
		return m[keys[0]]
	}
	return ""
}

// questionLabel is q's label for lang, its name when it has none.
func questionLabel(f *xlsform.Form, q xlsform.Question, lang i18n.Lang) string {
	if s := formLabel(q.Label, lang, f.DefaultLang); s != "" {
		return xlsform.Plain(s)
	}
	return q.Name
}

// formPreview describes form f for the admin who uploaded it.
func (a *App) formPreview(c *Ctx, f *xlsform.Form) (string, error) {
	var b strings.Builder
	b.WriteString(c.T("xfa.preview.head", "title", html.EscapeString(f.Title), "id", html.EscapeString(f.ID),
		"version", html.EscapeString(orDash(f.Version))))
	var langs []string
	for _, l := range f.Langs {
		if l == "" {
			l = "-"
		}
		langs = append(langs, l)
	}
	b.WriteString("\n" + c.T("xfa.preview.langs", "langs", html.EscapeString(orDash(strings.Join(langs, ", ")))))
	var asked []xlsform.Question
	for _, q := range f.Questions {
		if q.Type.Asked() && q.Type != xlsform.Note {
			asked = append(asked, q)
		}
	}
	b.WriteString("\n" + c.T("xfa.preview.count", "n", strconv.Itoa(len(asked))))
	if f.LinkCase {
		b.WriteString("\n" + c.T("xfa.preview.link_case"))
	}
	if len(f.Ignored) > 0 {
		// The admin should know before publishing that these columns will stay empty.
		b.WriteString("\n" + c.T("xf.desc.ignored", "items", html.EscapeString(f.IgnoredList())))
	}
	for i, q := range asked {
		if i == previewQuestions {
			b.WriteString("\n…")
			break
		}
		fmt.Fprintf(&b, "\n%d. %s <i>(%s)</i>", i+1, html.EscapeString(clip(questionLabel(f, q, c.Lang), 80)),
			html.EscapeString(string(q.Type)))
	}
	pub, err := c.Tx.PublishedVersionOf(f.ID)
	if err != nil {
		return "", err
	}
	if pub != 0 {
		old, ok, err := c.Tx.GetFormVersion(pub)
		if err != nil {
			return "", err
		}
		if ok {
			b.WriteString("\n\n" + c.T("xfa.preview.replaces", "version", html.EscapeString(orDash(old.Version))))
		}
	}
	return b.String(), nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Audiences as button arguments: "all", a role, or "k" and a kecamatan code.
func (a *App) parseAudience(arg string) (role, kecamatan string, ok bool) {
	switch {
	case arg == "all":
		return "", "", true
	case arg == store.RolePSM || arg == store.RoleTKSK:
		return arg, "", true
	case strings.HasPrefix(arg, "k"):
		if _, ok := a.cfg.Regions.KecamatanByCode(arg[1:]); ok {
			return "", arg[1:], true
		}
	}
	return "", "", false
}

// audienceText names an audience in lang.
func (a *App) audienceText(lang i18n.Lang, role, kecamatan string) string {
	switch {
	case kecamatan != "":
		return i18n.T(lang, "xfa.audience.kecamatan", "name", html.EscapeString(a.kecamatanName(kecamatan)))
	case role != "":
		return i18n.T(lang, "role."+role)
	}
	return i18n.T(lang, "xfa.audience.all")
}

func (a *App) audienceButtons(lang i18n.Lang, vid int64) ([][]store.Button, error) {
	id := strconv.FormatInt(vid, 10)
	var row []store.Button
	for _, arg := range []string{"all", store.RolePSM, store.RoleTKSK} {
		d, err := data(cbFormPub, id, opFPAudience, arg)
		if err != nil {
			return nil, err
		}
		role, kec, _ := a.parseAudience(arg)
		row = append(row, store.Button{Text: a.audienceText(lang, role, kec), Data: d})
	}
	kec, err := data(cbFormPub, id, opFPKecPage, "0")
	if err != nil {
		return nil, err
	}
	cancel, err := data(cbFormPub, id, opFPCancel, "")
	if err != nil {
		return nil, err
	}
	return [][]store.Button{row, {{Text: i18n.T(lang, "xfa.btn.kecamatan"), Data: kec}},
		{{Text: i18n.T(lang, "xfa.btn.cancel"), Data: cancel}}}, nil
}

func (a *App) kecamatanButtons(lang i18n.Lang, vid int64, page int) ([][]store.Button, error) {
	id := strconv.FormatInt(vid, 10)
	all := a.cfg.Regions.Kecamatan
	pages := max(1, (len(all)+kecPageSize-1)/kecPageSize)
	page = min(max(page, 0), pages-1)
	var rows [][]store.Button
	var row []store.Button
	for _, k := range all[page*kecPageSize : min(len(all), (page+1)*kecPageSize)] {
		d, err := data(cbFormPub, id, opFPAudience, "k"+k.Code)
		if err != nil {
			return nil, err
		}
		row = append(row, store.Button{Text: k.Name, Data: d})
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	var nav []store.Button
	if page > 0 {
		d, err := data(cbFormPub, id, opFPKecPage, strconv.Itoa(page-1))
		if err != nil {
			return nil, err
		}
		nav = append(nav, store.Button{Text: "◀️", Data: d})
	}
	back, err := data(cbFormPub, id, opFPAudience, "")
	if err != nil {
		return nil, err
	}
	nav = append(nav, store.Button{Text: i18n.T(lang, "xfa.btn.back"), Data: back})
	if page < pages-1 {
		d, err := data(cbFormPub, id, opFPKecPage, strconv.Itoa(page+1))
		if err != nil {
			return nil, err
		}
		nav = append(nav, store.Button{Text: "▶️", Data: d})
	}
	return append(rows, nav), nil
}

// onFormPubCallback handles the preview's and /formulir_kelola's buttons:
// admins only, checked against the stored version whatever the button said.
func (a *App) onFormPubCallback(c *Ctx, cb Callback) error {
	if !isAdmin(c.User) {
		return a.deny(c, "form_publish "+cb.Op)
	}
	vid, err := strconv.ParseInt(cb.Nonce, 10, 64)
	if err != nil {
		return a.stale(c)
	}
	v, ok, err := c.Tx.GetFormVersion(vid)
	if err != nil {
		return err
	}
	if !ok {
		return a.stale(c)
	}
	if cb.Op == opFPUnpublish {
		return a.unpublish(c, v)
	}
	if v.Status != store.FormPreview {
		return c.Answer(c.T("xfa.preview.gone"))
	}
	form, err := xlsform.Load(bytes.NewReader(v.XLSX), xlsform.Options{Regions: a.cfg.Regions, MaxBytes: MaxFormUpload})
	if err != nil {
		// Checked at upload; a catalogue changed since (regions) can refuse it now.
		return c.Answer(c.T("xfa.preview.gone"))
	}
	preview, err := a.formPreview(c, form)
	if err != nil {
		return err
	}
	msg := c.Ev.CallbackMessageID
	switch cb.Op {
	case opFPKecPage:
		page, err := strconv.Atoi(cb.Arg)
		if err != nil {
			return a.stale(c)
		}
		buttons, err := a.kecamatanButtons(c.Lang, vid, page)
		if err != nil {
			return err
		}
		return a.showOrEdit(c, msg, preview+"\n\n"+c.T("xfa.preview.kecamatan"), buttons)
	case opFPAudience:
		if cb.Arg == "" {
			buttons, err := a.audienceButtons(c.Lang, vid)
			if err != nil {
				return err
			}
			return a.showOrEdit(c, msg, preview+"\n\n"+c.T("xfa.preview.audience"), buttons)
		}
		role, kec, ok := a.parseAudience(cb.Arg)
		if !ok {
			return a.stale(c)
		}
		pub, err := data(cbFormPub, cb.Nonce, opFPPublish, cb.Arg)
		if err != nil {
			return err
		}
		again, err := data(cbFormPub, cb.Nonce, opFPAudience, "")
		if err != nil {
			return err
		}
		cancel, err := data(cbFormPub, cb.Nonce, opFPCancel, "")
		if err != nil {
			return err
		}
		text := preview + "\n\n" + c.T("xfa.preview.chosen", "audience", a.audienceText(c.Lang, role, kec))
		return a.showOrEdit(c, msg, text, [][]store.Button{
			{{Text: c.T("xfa.btn.publish"), Data: pub}},
			{{Text: c.T("xfa.btn.audience_again"), Data: again}, {Text: c.T("xfa.btn.cancel"), Data: cancel}}})
	case opFPPublish:
		role, kec, ok := a.parseAudience(cb.Arg)
		if !ok {
			return a.stale(c)
		}
		old, err := c.Tx.PublishedVersionOf(v.FormID)
		if err != nil {
			return err
		}
		if done, err := c.Tx.PublishForm(vid, role, kec); err != nil {
			return err
		} else if !done {
			return c.Answer(c.T("xfa.preview.gone"))
		}
		if err := c.Tx.Audit(c.User.ID, "form_publish", fmt.Sprintf("%s version=%s id=%d audience=%s replaced=%d",
			v.FormID, v.Version, vid, cb.Arg, old)); err != nil {
			return err
		}
		if err := c.Answer(c.T("xfa.published.short")); err != nil {
			return err
		}
		key := "xfa.published"
		if old != 0 {
			key = "xfa.published.replaced"
		}
		return a.showOrEdit(c, msg, c.T(key, "title", html.EscapeString(v.Title), "version", html.EscapeString(orDash(v.Version)),
			"audience", a.audienceText(c.Lang, role, kec)), nil)
	case opFPCancel:
		if _, err := c.Tx.DiscardFormVersion(vid); err != nil {
			return err
		}
		if err := c.Tx.Audit(c.User.ID, "form_discard", fmt.Sprintf("%s id=%d", v.FormID, vid)); err != nil {
			return err
		}
		return a.showOrEdit(c, msg, c.T("xfa.discarded", "title", html.EscapeString(v.Title)), nil)
	}
	return a.stale(c)
}

// cmdFormAdmin is /formulir_kelola: the forms, their version and audience,
// with a button to withdraw each published one.
func (a *App) cmdFormAdmin(c *Ctx, s *session) error {
	if err := a.showFormAdmin(c, 0, ""); err != nil {
		return err
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.resume"))
	}
	return nil
}

func (a *App) showFormAdmin(c *Ctx, editing int, note string) error {
	forms, err := c.Tx.FormSummaries()
	if err != nil {
		return err
	}
	var b strings.Builder
	if note != "" {
		b.WriteString(note + "\n\n")
	}
	if len(forms) == 0 {
		b.WriteString(c.T("xfa.admin.none"))
		return a.showOrEdit(c, editing, b.String(), nil)
	}
	b.WriteString("<b>" + c.T("xfa.admin.head") + "</b>")
	var buttons [][]store.Button
	for _, f := range forms {
		state := c.T("xfa.admin.unpublished")
		if f.PublishedID != 0 {
			state = c.T("xfa.admin.published", "audience", a.audienceText(c.Lang, f.AudienceRole, f.AudienceKecamatan))
		}
		b.WriteString("\n\n" + c.T("xfa.admin.line", "title", html.EscapeString(f.Title), "id", html.EscapeString(f.FormID),
			"version", html.EscapeString(orDash(f.Version)), "state", state, "n", strconv.Itoa(f.Submissions)))
		if f.PublishedID != 0 {
			d, err := data(cbFormPub, strconv.FormatInt(f.PublishedID, 10), opFPUnpublish, "")
			if err != nil {
				return err
			}
			buttons = append(buttons, []store.Button{{Text: c.T("xfa.btn.unpublish", "title", clip(f.Title, 30)), Data: d}})
		}
	}
	return a.showOrEdit(c, editing, b.String(), buttons)
}

// unpublish withdraws the form of version v from new drafts, when v is
// still the one published.
func (a *App) unpublish(c *Ctx, v store.FormVersion) error {
	pub, err := c.Tx.PublishedVersionOf(v.FormID)
	if err != nil {
		return err
	}
	if pub != v.ID {
		return c.Answer(c.T("xfa.admin.gone"))
	}
	if err := c.Tx.UnpublishForm(v.FormID); err != nil {
		return err
	}
	if err := c.Tx.Audit(c.User.ID, "form_unpublish", fmt.Sprintf("%s id=%d", v.FormID, v.ID)); err != nil {
		return err
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	return a.showFormAdmin(c, c.Ev.CallbackMessageID, c.T("xfa.admin.withdrawn", "title", html.EscapeString(v.Title)))
}

// isFormDocument: a document an admin sends outside a form is a form upload.
func (a *App) isFormDocument(c *Ctx) bool {
	return c.Ev.Document != nil && c.Ev.Private() && isAdmin(c.User)
}
