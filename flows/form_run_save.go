package flows

import (
	"encoding/json"
	"fmt"
	"html"
	"path"
	"slices"
	"strconv"
	"strings"

	"dinsosbot/flows/engine"
	"dinsosbot/flows/nik"
	"dinsosbot/flows/xlsform"
	"dinsosbot/store"
)

// Saving a filled form: the draft's answers become store.FormAnswer by
// question name (choice names, region names, the NIK sealed, media as file
// names in the media folder), then a submission, or the new answers of one
// sent back for fixing.

func (a *App) saveFormFn(d *formDef) func(c *Ctx) error {
	return func(c *Ctx) error { return a.saveForm(c, d) }
}

// formMedia is a file of an answer, to record once the submission has an id.
type formMedia struct {
	question string
	photo    Photo
	ext      string
}

func (a *App) saveForm(c *Ctx, d *formDef) error {
	answers, nikIndex, media, err := a.formAnswers(c, d)
	if err != nil {
		return err
	}
	var caseID int64
	kec := ""
	if d.form.LinkCase {
		id, err := strconv.ParseInt(c.Answers.Text(stepCaseLink), 10, 64)
		if err != nil {
			return fmt.Errorf("linked case %q: %w", c.Answers.Text(stepCaseLink), err)
		}
		k, err := a.linkedCase(c, id)
		if err != nil {
			return err
		}
		if k == nil {
			return c.Reply(c.T("xf.run.case.gone"))
		}
		caseID, kec = k.ID, k.Kecamatan
	}
	if kec == "" {
		for i, q := range d.form.Questions {
			if q.Type == xlsform.Kecamatan && c.Answers.Text(d.keys[i]) != "" && !c.Answers[d.keys[i]].Skipped {
				kec = c.Answers.Text(d.keys[i])
				break
			}
		}
	}
	if kec == "" {
		kec = c.User.Kecamatan
	}
	if fix := c.Vars[varFormFix]; fix != "" {
		id, err := strconv.ParseInt(fix, 10, 64)
		if err != nil {
			return fmt.Errorf("submission to fix %q: %w", fix, err)
		}
		return a.resubmitForm(c, d, id, answers, nikIndex, media)
	}
	data, err := store.EncodeFormAnswers(answers)
	if err != nil {
		return err
	}
	id, err := c.Tx.InsertSubmission(store.Submission{VersionID: d.version.ID, FormID: d.version.FormID,
		UserID: c.User.ID, CaseID: caseID, Kecamatan: kec, Data: data, NIKIndex: nikIndex})
	if err != nil {
		return err
	}
	if err := a.recordFormMedia(c, id, answers, media); err != nil {
		return err
	}
	if err := c.Tx.Audit(c.User.ID, "form_submit", fmt.Sprintf("submission %d form %s version %d", id,
		d.version.FormID, d.version.ID)); err != nil {
		return err
	}
	sub, ok, err := c.Tx.GetSubmission(id)
	if err != nil || !ok {
		return fmt.Errorf("read back submission %d: %v %w", id, ok, err)
	}
	if err := a.submissionSaved(c, sub); err != nil {
		return err
	}
	return c.Reply(c.T("xf.saved", "title", html.EscapeString(d.title(c)), "id", strconv.FormatInt(id, 10),
		"date", a.formatTime(sub.SubmittedAt)))
}

// resubmitForm stores the fixed answers of submission id, sent back to its
// submitter.
func (a *App) resubmitForm(c *Ctx, d *formDef, id int64, answers map[string]store.FormAnswer, nikIndex string,
	media []formMedia) error {
	sub, ok, err := c.Tx.GetSubmission(id)
	if err != nil {
		return err
	}
	if !ok || sub.UserID != c.User.ID || sub.VersionID != d.version.ID {
		return c.Reply(c.T("xf.fix.gone"))
	}
	data, err := store.EncodeFormAnswers(answers)
	if err != nil {
		return err
	}
	done, err := c.Tx.ResubmitSubmission(id, data, nikIndex)
	if err != nil {
		return err
	}
	if !done {
		return c.Reply(c.T("xf.fix.gone"))
	}
	if err := c.Tx.DeleteFormMedia(id); err != nil {
		return err
	}
	if err := a.recordFormMedia(c, id, answers, media); err != nil {
		return err
	}
	if err := c.Tx.Audit(c.User.ID, "form_resubmit", fmt.Sprintf("submission %d form %s", id, d.version.FormID)); err != nil {
		return err
	}
	if sub, _, err = c.Tx.GetSubmission(id); err != nil {
		return err
	}
	if err := a.submissionSaved(c, sub); err != nil {
		return err
	}
	return c.Reply(c.T("xf.fix.saved", "title", html.EscapeString(d.title(c)), "id", strconv.FormatInt(id, 10)))
}

// recordFormMedia names each file in the media folder of submission id, in
// the answers (Files) and in form_media for the downloader. A file already
// downloaded there (a fix that kept the photo) is not fetched again.
func (a *App) recordFormMedia(c *Ctx, id int64, answers map[string]store.FormAnswer, media []formMedia) error {
	if len(media) == 0 {
		return nil
	}
	have, err := c.Tx.FormMediaOf(id)
	if err != nil {
		return err
	}
	for _, m := range media {
		rel := path.Join(store.SubmissionMediaDir(id), store.SafeFileName(m.photo.FileUniqueID, "file")+m.ext)
		ans := answers[m.question]
		ans.Files = append(ans.Files, rel)
		answers[m.question] = ans
		if slices.ContainsFunc(have, func(h store.FormMedia) bool { return h.LocalPath == rel }) {
			continue
		}
		if err := c.Tx.AddFormMedia(store.FormMedia{SubmissionID: id, FileID: m.photo.FileID,
			FileUniqueID: m.photo.FileUniqueID, LocalPath: rel}); err != nil {
			return err
		}
	}
	data, err := store.EncodeFormAnswers(answers)
	if err != nil {
		return err
	}
	return c.Tx.SetSubmissionData(id, data)
}

// linkedCase is case id when the person may still link to it, nil otherwise.
func (a *App) linkedCase(c *Ctx, id int64) (*store.Case, error) {
	cases, err := a.linkableCases(c)
	if err != nil {
		return nil, err
	}
	for _, k := range cases {
		if k.ID == id {
			return &k, nil
		}
	}
	return nil, nil
}

// formAnswers converts the draft's answers. It returns the blind index of the
// first NIK answered and the media to record.
func (a *App) formAnswers(c *Ctx, d *formDef) (map[string]store.FormAnswer, string, []formMedia, error) {
	out := map[string]store.FormAnswer{}
	var nikIndex string
	var media []formMedia
	for i := range d.form.Questions {
		q := &d.form.Questions[i]
		v, ok := c.Answers[d.keys[i]]
		if !q.Type.Asked() {
			text := d.computed(c, i)
			if q.Type != xlsform.End && ok {
				text = v.Text
			}
			if ok || q.Type == xlsform.End {
				out[q.Name] = store.FormAnswer{Text: text, Computed: true}
			} else {
				out[q.Name] = store.FormAnswer{Skipped: true, Computed: true}
			}
			continue
		}
		if q.Type == xlsform.Note || (q.ReadOnly && q.Type.Asked()) {
			continue
		}
		if !ok || v.Skipped {
			out[q.Name] = store.FormAnswer{Skipped: true}
			continue
		}
		var fa store.FormAnswer
		switch q.Type {
		case xlsform.SelectOne:
			fa.Text = d.choiceName(q.ListName, v.Text)
		case xlsform.SelectMultiple:
			for _, val := range v.List {
				fa.List = append(fa.List, d.choiceName(q.ListName, val))
			}
		case xlsform.Geopoint:
			fa.Lat, fa.Lon, fa.Located = v.Lat, v.Lon, true
		case xlsform.Image, xlsform.Audio:
			ext := ".jpg"
			if q.Type == xlsform.Audio {
				ext = ".ogg"
			}
			for _, p := range mediaOf(v) {
				media = append(media, formMedia{question: q.Name, photo: p, ext: ext})
			}
		case xlsform.NIK:
			digits := c.Vars[nikVar(d.keys[i])]
			if digits == "" {
				return nil, "", nil, fmt.Errorf("question %s: NIK answered without its digits", q.Name)
			}
			sealed, index := c.Tx.SealFormNIK(digits)
			fa.Text = sealed
			if nikIndex == "" {
				nikIndex = index
			}
		case xlsform.Kecamatan:
			k, _ := a.cfg.Regions.KecamatanByCode(v.Text)
			fa.Text = k.Name
		case xlsform.Kelurahan:
			pl, _ := a.cfg.Regions.KelurahanByCode(v.Text)
			fa.Text = pl.Kelurahan.Name
		case xlsform.Acknowledge:
			fa.Text = "OK"
		default:
			fa.Text = v.Text
		}
		out[q.Name] = fa
	}
	return out, nikIndex, media, nil
}

// answersFrom turns a stored submission's answers back into a draft's
// answers and variables, to fix it.
func (a *App) answersFrom(c *Ctx, d *formDef, sub store.Submission) (Answers, map[string]string, error) {
	stored, err := store.DecodeFormAnswers(sub.Data)
	if err != nil {
		return nil, nil, err
	}
	files, err := c.Tx.FormMediaOf(sub.ID)
	if err != nil {
		return nil, nil, err
	}
	ans, vars := Answers{}, a.formVars(c)
	vars[varFormFix] = strconv.FormatInt(sub.ID, 10)
	if d.form.LinkCase && sub.CaseID != 0 {
		ans[stepCaseLink] = Value{Text: strconv.FormatInt(sub.CaseID, 10)}
	}
	for i := range d.form.Questions {
		q := &d.form.Questions[i]
		fa, ok := stored[q.Name]
		if !ok || fa.Computed || !q.Type.Asked() || q.Type == xlsform.Note {
			continue
		}
		key := d.keys[i]
		if fa.Skipped {
			ans[key] = Value{Skipped: true}
			continue
		}
		var v Value
		switch q.Type {
		case xlsform.SelectOne:
			v.Text = d.names[q.ListName][fa.Text]
		case xlsform.SelectMultiple:
			for _, n := range fa.List {
				if val, ok := d.names[q.ListName][n]; ok {
					v.List = append(v.List, val)
				}
			}
		case xlsform.Geopoint:
			v.Lat, v.Lon = fa.Lat, fa.Lon
		case xlsform.Image, xlsform.Audio:
			var ps []Photo
			for _, f := range fa.Files {
				for _, m := range files {
					if m.LocalPath == f {
						ps = append(ps, Photo{FileID: m.FileID, FileUniqueID: m.FileUniqueID})
					}
				}
			}
			if len(ps) == 0 {
				continue
			}
			v = mediaValue(q.Type, ps)
		case xlsform.NIK:
			digits, err := c.Tx.OpenFormNIK(fa.Text)
			if err != nil {
				return nil, nil, err
			}
			vars[nikVar(key)] = digits
			v.Text = nik.Mask(digits)
		case xlsform.Kecamatan:
			k, ok := a.cfg.Regions.FindKecamatan(fa.Text)
			if !ok {
				continue
			}
			v.Text = k.Code
		case xlsform.Kelurahan:
			places := a.cfg.Regions.LocateKelurahan(fa.Text)
			if len(places) == 0 {
				continue
			}
			v.Text = places[0].Kelurahan.Code
			for _, p := range places {
				if kec := kecamatanAnswer(d, ans, i); kec != "" && p.Kecamatan.Code == kec {
					v.Text = p.Kelurahan.Code
				}
			}
		case xlsform.Acknowledge:
			v.Text = ackValue
		default:
			v.Text = fa.Text
		}
		ans[key] = v
	}
	return ans, vars, nil
}

// kecamatanAnswer is the answer of the last kecamatan question before
// question i.
func kecamatanAnswer(d *formDef, ans Answers, i int) string {
	for j := i - 1; j >= 0; j-- {
		if d.form.Questions[j].Type == xlsform.Kecamatan {
			return ans.Text(d.keys[j])
		}
	}
	return ""
}

// onFixSubmission handles "xfix:<id>": the submitter reopens a submission
// sent back for fixing at its summary, the fields to fix flagged.
func (a *App) onFixSubmission(c *Ctx, id int64) error {
	if !c.Ev.Private() {
		return c.Answer(c.T("group.button_private"))
	}
	sub, ok, err := c.Tx.GetSubmission(id)
	if err != nil {
		return err
	}
	if !ok || sub.UserID != c.User.ID || !isRegistered(c.User) {
		return a.deny(c, "xfix "+strconv.FormatInt(id, 10))
	}
	if sub.Status != store.SubmissionFix {
		if err := c.Answer(""); err != nil {
			return err
		}
		return c.Reply(c.T("xf.fix.gone"))
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
	d, err := a.formDef(c.Tx, sub.VersionID)
	if err != nil {
		return err
	}
	ans, vars, err := a.answersFrom(c, d, sub)
	if err != nil {
		return err
	}
	fix, err := fixFields(sub.FixFields)
	if err != nil {
		return err
	}
	for _, n := range fix {
		if i, ok := d.byName[n]; ok {
			b, err := json.Marshal(ans[d.keys[i]])
			if err != nil {
				return err
			}
			vars[origVar(d.keys[i])] = string(b)
		}
	}
	return a.startFlow(c, d.flow, vars, ans, true)
}

// formFlagged flags, in a submission being fixed, the fields the reviewer
// named.
func (a *App) formFlagged(c *Ctx) (map[string]bool, error) {
	fix := c.Vars[varFormFix]
	if fix == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(fix, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("submission to fix %q: %w", fix, err)
	}
	sub, ok, err := c.Tx.GetSubmission(id)
	if err != nil || !ok {
		return nil, err
	}
	names, err := fixFields(sub.FixFields)
	if err != nil {
		return nil, err
	}
	d, err := a.formDef(c.Tx, sub.VersionID)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, n := range names {
		i, ok := d.byName[n]
		if !ok {
			continue
		}
		key := d.keys[i]
		if now, _ := json.Marshal(c.Answers[key]); string(now) == c.Vars[origVar(key)] {
			out[key] = true
		}
	}
	return out, nil
}

// origVar is the flow variable holding, in a submission being fixed, the
// answer to question key as it was sent back (JSON): a field to fix is
// flagged until its answer differs.
func origVar(key string) string { return "xf.orig." + key }

// fixFields reads a submission's FixFields (a JSON list of question names).
func fixFields(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var names []string
	if err := json.Unmarshal([]byte(s), &names); err != nil {
		return nil, fmt.Errorf("fix fields %q: %w", s, err)
	}
	return names, nil
}

// answersText lists a stored submission's answers, one "label: value" a
// line, ⚠️ before the fields to fix.
func (d *formDef) answersText(c *Ctx, answers map[string]store.FormAnswer, fix []string) string {
	var b strings.Builder
	for i, q := range d.form.Questions {
		fa, ok := answers[q.Name]
		if !ok || !q.Type.Asked() || q.Type == xlsform.Note {
			continue
		}
		mark := ""
		if slices.Contains(fix, q.Name) {
			mark = "⚠️ "
		}
		fmt.Fprintf(&b, "\n%s%s: <b>%s</b>", mark, html.EscapeString(clip(d.label(c, i), 80)), d.shownAnswer(c, i, fa))
	}
	return b.String()
}

// shownAnswer renders a stored answer, escaped; a NIK masked.
func (d *formDef) shownAnswer(c *Ctx, i int, fa store.FormAnswer) string {
	q := &d.form.Questions[i]
	if fa.Skipped {
		return c.T("flow.skipped")
	}
	choice := func(name string) string {
		for j := range d.form.Choices[q.ListName] {
			if ch := &d.form.Choices[q.ListName][j]; ch.Name == name {
				return d.choiceLabel(c, ch)
			}
		}
		return name
	}
	var s string
	switch q.Type {
	case xlsform.SelectOne:
		s = choice(fa.Text)
	case xlsform.SelectMultiple:
		labels := make([]string, 0, len(fa.List))
		for _, n := range fa.List {
			labels = append(labels, choice(n))
		}
		s = strings.Join(labels, ", ")
	case xlsform.Geopoint:
		s = fmt.Sprintf("%.5f, %.5f", fa.Lat, fa.Lon)
	case xlsform.Image, xlsform.Audio:
		return c.T("xf.view.files", "n", strconv.Itoa(len(fa.Files)))
	case xlsform.NIK:
		digits, err := c.Tx.OpenFormNIK(fa.Text)
		if err != nil {
			return "****"
		}
		s = nik.Mask(digits)
	default:
		s = fa.Text
	}
	return html.EscapeString(clip(s, formAnswerIn))
}

// mediaOf is the files of an image or audio answer.
func mediaOf(v Value) []Photo {
	if v.Audio != nil {
		return []Photo{{FileID: v.Audio.FileID, FileUniqueID: v.Audio.FileUniqueID}}
	}
	return v.Photos
}

// mediaValue is the draft's answer holding files ps of a question of type t.
func mediaValue(t xlsform.Type, ps []Photo) Value {
	if t == xlsform.Audio {
		return Value{Audio: &engine.Audio{FileID: ps[0].FileID, FileUniqueID: ps[0].FileUniqueID}}
	}
	return Value{Photos: ps}
}

// ackValue is an acknowledged question's answer in a draft (the engine's,
// as XLSForm stores it).
const ackValue = "OK"
