package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// Fixing a case (issue 5): a coordinator sending a case back for fixing marks
// which fields of the form are wrong; the worker's fix button opens the form
// at the first of them, the summary flags those not yet changed, and the
// coordinator is told what the worker changed.

// varFixFields (a case form variable) lists the fields marked to fix,
// comma-separated step keys.
const varFixFields = "fixf"

// caseSnap is what a worker reported: a stored case and its photos, to tell
// which fields a fix changed.
type caseSnap struct {
	k      store.Case
	photos string // file_unique_ids in order
}

// caseFields says, for each step of the case form that holds a field of the
// stored case, how its value reads in a snapshot. A step's companions are
// folded into it: the reason for no NIK into the NIK, the age into the birth.
// The steps of the form give the order and the names; a coordinator can mark
// exactly these (caseFixOptions).
var caseFields = map[string]func(s caseSnap) string{
	"category":    func(s caseSnap) string { return s.k.Category },
	"name":        func(s caseSnap) string { return s.k.FullName },
	"nik":         func(s caseSnap) string { return s.k.NIK + "|" + s.k.NoNIKReason },
	"gender":      func(s caseSnap) string { return s.k.Gender },
	"birth":       func(s caseSnap) string { return s.k.BirthDate + "|" + strconv.Itoa(s.k.Age) },
	"birth_place": func(s caseSnap) string { return s.k.BirthPlace },
	"address":     func(s caseSnap) string { return s.k.Address },
	"rt_rw":       func(s caseSnap) string { return s.k.RT + "/" + s.k.RW },
	"no_kk":       func(s caseSnap) string { return s.k.NoKK },
	"kecamatan":   func(s caseSnap) string { return s.k.Kecamatan },
	"kelurahan":   func(s caseSnap) string { return s.k.Kelurahan },
	"location": func(s caseSnap) string {
		if !s.k.HasLocation {
			return ""
		}
		return fmt.Sprintf("%.6f,%.6f", s.k.Latitude, s.k.Longitude)
	},
	"photos":      func(s caseSnap) string { return s.photos },
	"description": func(s caseSnap) string { return s.k.Description },
	"needs":       func(s caseSnap) string { return strings.Join(s.k.Needs, ",") },
	"urgency":     func(s caseSnap) string { return s.k.Urgency },
}

// caseFixOptions are the buttons of the fields a coordinator can mark to fix:
// the case form's steps that hold a field of the stored case, in the form's
// order, named as the summary names them.
func (a *App) caseFixOptions() []Option {
	var opts []Option
	for _, st := range a.caseFlow().Steps {
		if _, ok := caseFields[st.Key]; ok && !st.Hidden {
			opts = append(opts, Option{Value: st.Key, Key: st.LabelKey()})
		}
	}
	return opts
}

// caseFixFieldsAnswer returns the marked fields of the case note form in the
// form's order (the buttons' order, not the order they were pressed in).
func (a *App) caseFixFieldsAnswer(c *Ctx) []string {
	picked := c.Answers["fix_fields"].List
	var out []string
	for _, st := range a.flows[caseFlowName].Steps {
		if _, ok := caseFields[st.Key]; ok && slices.Contains(picked, st.Key) {
			out = append(out, st.Key)
		}
	}
	return out
}

// caseFieldNames names fields (step keys of the case form) in lang, joined.
func (a *App) caseFieldNames(lang i18n.Lang, fields []string) string {
	f := a.flows[caseFlowName]
	names := make([]string, 0, len(fields))
	for _, key := range fields {
		if st, ok := f.Find(key); ok {
			names = append(names, i18n.T(lang, st.LabelKey()))
		}
	}
	return strings.Join(names, ", ")
}

// storedSnap is case k as stored, with its photos.
func storedSnap(c *Ctx, k store.Case) (caseSnap, error) {
	photos, err := c.Tx.CasePhotos(k.ID)
	if err != nil {
		return caseSnap{}, err
	}
	ids := make([]string, 0, len(photos))
	for _, p := range photos {
		ids = append(ids, p.FileUniqueID)
	}
	return caseSnap{k: k, photos: strings.Join(ids, ",")}, nil
}

// answeredSnap is the case form's answers as they would be stored.
func (a *App) answeredSnap(c *Ctx) caseSnap {
	ids := []string{}
	for _, p := range c.Answers["photos"].Photos {
		ids = append(ids, p.FileUniqueID)
	}
	return caseSnap{k: a.caseFromAnswers(c), photos: strings.Join(ids, ",")}
}

// caseChanges lists the fields that differ between two snapshots, in the
// form's order.
func (a *App) caseChanges(before, after caseSnap) []string {
	var out []string
	for _, st := range a.flows[caseFlowName].Steps {
		if read, ok := caseFields[st.Key]; ok && read(before) != read(after) {
			out = append(out, st.Key)
		}
	}
	return out
}

// caseFlagged is the case form's Flagged: while fixing a case, the fields the
// coordinator marked and the worker has not changed yet.
func (a *App) caseFlagged(c *Ctx) (map[string]bool, error) {
	marked := c.Vars[varFixFields]
	id, err := strconv.ParseInt(c.Vars[varFix], 10, 64)
	if marked == "" || err != nil {
		return nil, nil
	}
	k, ok, err := c.Tx.GetCase(id)
	if err != nil || !ok {
		return nil, err
	}
	before, err := storedSnap(c, k)
	if err != nil {
		return nil, err
	}
	changed := a.caseChanges(before, a.answeredSnap(c))
	flagged := map[string]bool{}
	for _, key := range strings.Split(marked, ",") {
		if !slices.Contains(changed, key) {
			flagged[key] = true
		}
	}
	return flagged, nil
}

// openCaseFix opens case k's form for its reporter to fix: at the first field
// the coordinator marked (answering it returns to the summary, where the
// marked fields not yet changed are flagged), or at the summary when none was.
func (a *App) openCaseFix(c *Ctx, k store.Case) error {
	ans, vars, err := a.caseAnswers(c, k)
	if err != nil {
		return err
	}
	fields, err := c.Tx.CaseFixFields(k.ID)
	if err != nil {
		return err
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	f := a.flows[caseFlowName]
	if len(fields) == 0 {
		return a.startFlow(c, f, vars, ans, true)
	}
	vars[varFixFields] = strings.Join(fields, ",")
	note := c.T("case.fix.start", "fields", a.caseFieldNames(c.Lang, fields))
	return a.startEditing(c, f, vars, ans, fields[0], note)
}

// fixReport tells a coordinator, under a resubmitted case's heading, what the
// worker changed and which of the marked fields they left as they were.
func (a *App) fixReport(lang i18n.Lang, marked, changed []string) string {
	var lines []string
	if len(changed) > 0 {
		lines = append(lines, i18n.T(lang, "case.fix.changed", "fields", a.caseFieldNames(lang, changed)))
	} else {
		lines = append(lines, i18n.T(lang, "case.fix.nothing"))
	}
	var left []string
	for _, key := range marked {
		if !slices.Contains(changed, key) {
			left = append(left, key)
		}
	}
	if len(left) > 0 {
		lines = append(lines, i18n.T(lang, "case.fix.unchanged", "fields", a.caseFieldNames(lang, left)))
	}
	return strings.Join(lines, "\n")
}
