package flows

import (
	"bytes"
	"cmp"
	"fmt"
	"html"
	"log/slog"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"dinsosbot/flows/engine"
	"dinsosbot/flows/i18n"
	"dinsosbot/flows/xlsform"
	"dinsosbot/flows/xlsform/expr"
	"dinsosbot/store"
)

// Filling an XLSForm form in chat (issue 15): a published form version becomes
// an engine flow named "xf:<form_id>:<version id>", built from the workbook
// stored with the version, so a draft survives restarts and finishes on the
// version it started even after a new one is published.

const formFlowPrefix = "xf:"

// stepCaseLink is the step key of a link_case form's first step (not a
// question of the workbook); questions whose names start with '_' get
// another key (buildForm), so it cannot clash.
const stepCaseLink = "_case.link"

// Limits of what a form's answers may hold.
const (
	formTextMax  = 2000  // characters of a text answer
	formIntLimit = 1e9   // an integer answer is within ±formIntLimit
	formCases    = 100   // newest cases a link_case step offers
	formAnswerIn = 300   // characters of one answer shown in "Kiriman saya"
	formChoices  = 500   // choices of one list shown as buttons
	formPage     = 12    // buttons of a single choice shown at a time
	formMaxSteps = 10000 // questions of one form (the loader bounds it lower)
)

// formDef is a loaded form version with what the conversion derived: each
// question's step key and the option value of each choice.
type formDef struct {
	version store.FormVersion
	form    *xlsform.Form
	// keys[i] is question i's step key: its name when that fits in callback
	// data, else "q<i>".
	keys   []string
	byName map[string]int
	byKey  map[string]int
	// values maps list name -> option value -> choice name, and names the
	// reverse; an option value is the choice name when it fits in callback
	// data, else "c<i>".
	values map[string]map[string]string
	names  map[string]map[string]string
	flow   *Flow
}

// formCache keeps built forms by version id: a version never changes, and
// loading the workbook on every update would cost a parse each time.
type formCache struct {
	mu   sync.Mutex
	defs map[int64]*formDef
}

func (fc *formCache) get(id int64) (*formDef, bool) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	d, ok := fc.defs[id]
	return d, ok
}

func (fc *formCache) put(d *formDef) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if fc.defs == nil {
		fc.defs = map[int64]*formDef{}
	}
	fc.defs[d.version.ID] = d
}

// formFlowName is the engine flow name of form version v.
func formFlowName(v store.FormVersion) string {
	return formFlowPrefix + v.FormID + ":" + strconv.FormatInt(v.ID, 10)
}

// resolveFormFlow is the engine's resolver for flow names not declared at
// start: "xf:<form_id>:<version id>". ok is false for any other name, and for
// a version that no longer exists or no longer loads (its draft is dropped).
func (a *App) resolveFormFlow(tx *store.Tx, name string) (*Flow, bool, error) {
	rest, ok := strings.CutPrefix(name, formFlowPrefix)
	if !ok {
		return nil, false, nil
	}
	i := strings.LastIndexByte(rest, ':')
	if i < 0 {
		return nil, false, nil
	}
	id, err := strconv.ParseInt(rest[i+1:], 10, 64)
	if err != nil {
		return nil, false, nil
	}
	if _, ok, err := tx.GetFormVersion(id); err != nil || !ok {
		return nil, false, err
	}
	def, err := a.formDef(tx, id)
	if err != nil {
		slog.Warn("form version no longer loads; its draft is dropped", "version", id, "err", err)
		return nil, false, nil
	}
	if def.flow.Name != name {
		return nil, false, nil
	}
	return def.flow, true, nil
}

// formDef returns form version id built as a flow.
func (a *App) formDef(tx *store.Tx, id int64) (*formDef, error) {
	if d, ok := a.xf.get(id); ok {
		return d, nil
	}
	v, ok, err := tx.GetFormVersion(id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("form version %d: not found", id)
	}
	f, err := xlsform.Load(bytes.NewReader(v.XLSX), xlsform.Options{Regions: a.cfg.Regions})
	if err != nil {
		return nil, fmt.Errorf("load form version %d: %w", id, err)
	}
	d, err := a.buildForm(v, f)
	if err != nil {
		return nil, fmt.Errorf("build form version %d: %w", id, err)
	}
	a.xf.put(d)
	return d, nil
}

// callbackSafe: a name usable as is as a step key or an option value.
var callbackSafe = regexp.MustCompile(`^[A-Za-z0-9._-]{1,40}$`)

// buildForm converts a loaded form into a flow.
func (a *App) buildForm(v store.FormVersion, f *xlsform.Form) (*formDef, error) {
	if len(f.Questions) > formMaxSteps {
		return nil, fmt.Errorf("%d questions", len(f.Questions))
	}
	d := &formDef{version: v, form: f, byName: map[string]int{}, byKey: map[string]int{},
		values: map[string]map[string]string{}, names: map[string]map[string]string{}}
	for i, q := range f.Questions {
		key := q.Name
		if !callbackSafe.MatchString(key) || strings.HasPrefix(key, "_") {
			key = "q" + strconv.Itoa(i)
		}
		if _, dup := d.byKey[key]; dup {
			key = "q" + strconv.Itoa(i)
		}
		d.keys = append(d.keys, key)
		d.byKey[key] = i
		d.byName[q.Name] = i
	}
	for list, choices := range f.Choices {
		vals, names := map[string]string{}, map[string]string{}
		for i, ch := range choices {
			val := ch.Name
			if !callbackSafe.MatchString(val) {
				val = "c" + strconv.Itoa(i)
			}
			if _, dup := vals[val]; dup {
				val = "c" + strconv.Itoa(i)
			}
			vals[val], names[ch.Name] = ch.Name, val
		}
		d.values[list], d.names[list] = vals, names
	}
	flow := &Flow{Name: formFlowName(v), TitleText: d.titles(), Save: a.saveFormFn(d), Flagged: a.formFlagged}
	if f.LinkCase {
		flow.Steps = append(flow.Steps, a.caseLinkStep())
	}
	var kecKey string
	for i := range f.Questions {
		st, err := a.questionStep(d, i, kecKey)
		if err != nil {
			return nil, fmt.Errorf("question %s (row %d): %w", f.Questions[i].Name, f.Questions[i].Row, err)
		}
		if f.Questions[i].Type == xlsform.Kecamatan {
			kecKey = d.keys[i]
		}
		flow.Steps = append(flow.Steps, st)
	}
	if err := a.eng.Validate(flow); err != nil {
		return nil, err
	}
	d.flow = flow
	return d, nil
}

// gateOf is the command whose rule flow f keeps answering to once open: a
// form's is /formulir's.
func (a *App) gateOf(f *Flow) *command {
	if strings.HasPrefix(f.Name, formFlowPrefix) {
		return a.commands["formulir"]
	}
	return a.gates[f.Name]
}

// perLang is texts (by XLSForm language code) for each of the bot's
// languages: its own, else the form's default, else a column without a
// language, else any; nil when the form has none.
func (d *formDef) perLang(texts map[string]string) map[i18n.Lang]string {
	out := map[i18n.Lang]string{}
	for _, l := range i18n.Langs {
		if t := pickText(texts, string(l), d.form.DefaultLang, d.form.Langs); t != "" {
			out[l] = t
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// titles is the form's title in each language.
func (d *formDef) titles() map[i18n.Lang]string {
	if t := d.perLang(d.form.Titles); t != nil {
		return t
	}
	title := cmp.Or(d.form.Title, d.version.Title, d.form.ID)
	return map[i18n.Lang]string{i18n.ID: title}
}

// choiceName is the choice name of option value val of list.
func (d *formDef) choiceName(list, val string) string {
	if n, ok := d.values[list][val]; ok {
		return n
	}
	return val
}

// title is the form's title for the person (not escaped).
func (d *formDef) title(c *Ctx) string {
	if t := pickText(d.form.Titles, string(c.Lang), d.form.DefaultLang, d.form.Langs); t != "" {
		return t
	}
	return cmp.Or(d.form.Title, d.version.Title, d.form.ID)
}

// label is question i's label for the person (its name when it has none).
func (d *formDef) label(c *Ctx, i int) string {
	if t := d.text(c, d.form.Questions[i].Label); t != "" {
		return t
	}
	return d.form.Questions[i].Name
}

// env is the expression environment over c's answers.
func (d *formDef) env(c *Ctx) formEnv { return formEnv{def: d, c: c} }

// truth evaluates a condition of question i; an evaluation that fails is
// logged and counts as fail (false), so a bad expression never breaks the
// chat.
func (d *formDef) truth(e *expr.Expr, env formEnv, i int, what string, fail bool) bool {
	ok, err := expr.Truth(e, env)
	if err != nil {
		slog.Warn("form expression failed", "form", d.version.FormID, "version", d.version.ID,
			"question", d.form.Questions[i].Name, "column", what, "err", err)
		return fail
	}
	return ok
}

// questionStep converts question i. kecKey is the step key of the latest
// kecamatan question before it ("" when none), for a kelurahan question.
func (a *App) questionStep(d *formDef, i int, kecKey string) (Step, error) {
	q := &d.form.Questions[i]
	key := d.keys[i]
	st := Step{Key: key, Optional: !q.Required, PromptText: d.perLang(q.Label), HintText: d.perLang(q.Hint),
		RequiredText: d.perLang(q.RequiredMessage)}
	if st.PromptText == nil {
		st.PromptText = map[i18n.Lang]string{i18n.ID: q.Name}
	}
	st.Markup = formMarkup
	if pipes(st.PromptText) || pipes(st.HintText) {
		st.Render = d.pipe
	}
	if q.RequiredIf != nil {
		req := q.RequiredIf
		// A condition that fails to evaluate asks for the answer: a
		// question wrongly required is better than one wrongly empty.
		st.RequiredIf = func(c *Ctx) bool { return d.truth(req, d.env(c), i, "required", true) }
	}
	if q.Relevant != nil {
		rel := q.Relevant
		st.If = func(c *Ctx) bool { return d.truth(rel, d.env(c), i, "relevant", false) }
	}
	for _, r := range refsOf(q) {
		if j, ok := d.byName[r]; ok && j < i {
			st.DependsOn = appendUnique(st.DependsOn, d.keys[j])
		}
	}
	switch q.Type {
	case xlsform.Text:
		st.Input, st.Min, st.Max = InputText, 1, formTextMax
	case xlsform.Integer:
		st.Input, st.Min, st.Max = typedInputs[q.Type], -formIntLimit, formIntLimit
	case xlsform.Decimal, xlsform.Date, xlsform.Time, xlsform.DateTime:
		st.Input = typedInputs[q.Type]
	case xlsform.SelectOne, xlsform.SelectMultiple:
		st.Input = InputChoice
		if q.Type == xlsform.SelectMultiple {
			st.Input, st.Min, st.Max = InputMulti, 1, max(1, len(d.form.Choices[q.ListName]))
		}
		if len(d.form.Choices[q.ListName]) == 0 {
			return Step{}, fmt.Errorf("list %q has no choices", q.ListName)
		}
		// Computed even without a filter: the labels are in the person's
		// language.
		st.OptionsFrom = func(c *Ctx) ([]Option, error) { return d.filteredOptions(c, i), nil }
		st.Match = d.matchChoiceName(i)
	case xlsform.Geopoint:
		st.Input = InputLocation
	case xlsform.Image:
		st.Input, st.Min, st.Max = InputPhotos, 1, 1
	case xlsform.Audio:
		st.Input = engine.InputAudio
	case xlsform.Note:
		st.Input, st.Optional, st.RequiredText = engine.InputNote, false, nil
	case xlsform.Acknowledge:
		st.Input = engine.InputAck
	case xlsform.NIK:
		st.Input = InputChoice
		st.OptionsFrom = func(*Ctx) ([]Option, error) { return nil, nil }
		st.Match = a.matchFormNIK(key)
	case xlsform.Kecamatan:
		st.Input, st.OptionsFrom, st.Match = InputChoice, a.kecamatanOptions, a.matchKecamatan
	case xlsform.Kelurahan:
		st.Input = InputChoice
		st.OptionsFrom = func(c *Ctx) ([]Option, error) { return a.kelurahanOptions(c.Answers.Text(kecKey)), nil }
		st.Match = func(c *Ctx, text string) (string, error) { return a.matchKelurahanIn(c.Answers.Text(kecKey), text) }
		if kecKey != "" {
			st.DependsOn = appendUnique(st.DependsOn, kecKey)
		}
	case xlsform.Calculate, xlsform.Start, xlsform.End, xlsform.Today, xlsform.Username:
		st.Input, st.Max, st.Hidden, st.Optional = InputText, 1, true, true
		st.Preset = func(c *Ctx) (Value, bool) { return Value{Text: d.computed(c, i)}, true }
		st.PromptText, st.HintText, st.RequiredText = nil, nil, nil
		return st, nil
	default:
		return Step{}, fmt.Errorf("type %q is not supported", q.Type)
	}
	if q.ReadOnly && q.Type.Asked() {
		// Shown, not asked: its default or calculation is the answer.
		st.Input, st.Options, st.OptionsFrom, st.Match, st.Min, st.Max = engine.InputNote, nil, nil, nil, 0, 0
		st.Optional, st.DependsOn, st.RequiredText = false, nil, nil
		if v := d.constantValue(i); v != "" {
			st.HintText = map[i18n.Lang]string{i18n.ID: "➡️ " + v}
		}
		return st, nil
	}
	if st.Input == InputChoice {
		// Long lists (a city's kelurahan, a big choices sheet) are paged.
		st.PageSize = formPage
	}
	if q.Constraint != nil {
		con, msg := q.Constraint, q.ConstraintMessage
		st.Check = func(c *Ctx, v Value) error {
			env := d.env(c)
			env.cur = d.valueOf(c, i, v)
			if d.truth(con, env, i, "constraint", false) {
				return nil
			}
			if t := d.text(c, msg); t != "" {
				return engine.Refusal(html.EscapeString(t))
			}
			return refuse("xf.run.constraint")
		}
	}
	return st, nil
}

// refsOf lists the names question q's expressions read.
func refsOf(q *xlsform.Question) []string {
	var out []string
	for _, e := range []*expr.Expr{q.Relevant, q.Constraint, q.ChoiceFilter, q.Calculation, q.Default, q.RequiredIf} {
		if e != nil {
			out = append(out, e.Refs()...)
		}
	}
	return out
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// pipedRef is a ${name} in a label or hint: the loader refused any that
// names no question.
var pipedRef = regexp.MustCompile(`\$\{([^}]*)\}`)

// pipes reports whether a text of a question shows an earlier answer.
func pipes(texts map[i18n.Lang]string) bool {
	for _, t := range texts {
		if strings.Contains(t, "${") {
			return true
		}
	}
	return false
}

// pipe puts each ${name} of a label or hint as the answer to name is shown
// to the person ("" while unanswered), escaped when the text is HTML
// already; the engine escapes a plain result.
func (d *formDef) pipe(c *Ctx, text string, asHTML bool) string {
	return pipedRef.ReplaceAllStringFunc(text, func(ref string) string {
		j, ok := d.byName[ref[2:len(ref)-1]]
		if !ok {
			return ref
		}
		if asHTML {
			return html.EscapeString(c.Shown(d.keys[j]))
		}
		return c.Shown(d.keys[j])
	})
}

// constantValue is what a read-only question shows when its calculation or
// default reads no answer (a constant); "" otherwise.
func (d *formDef) constantValue(i int) string {
	q := &d.form.Questions[i]
	for _, e := range []*expr.Expr{q.Calculation, q.Default} {
		if e == nil || len(e.Refs()) > 0 || strings.Contains(e.String(), "now(") || strings.Contains(e.String(), "today(") {
			continue
		}
		v, err := expr.Eval(e, formEnv{def: d})
		if err != nil {
			continue
		}
		return v.AsString()
	}
	return ""
}

// filteredOptions are question i's choices, labelled in the person's
// language, that its choice_filter (if any) keeps with the answers so far; a
// choice whose filter fails to evaluate is left out.
func (d *formDef) filteredOptions(c *Ctx, i int) []Option {
	q := &d.form.Questions[i]
	choices := d.form.Choices[q.ListName]
	var opts []Option
	for j := range choices {
		ch := &choices[j]
		if q.ChoiceFilter != nil {
			env := d.env(c)
			env.choice = ch
			if !d.truth(q.ChoiceFilter, env, i, "choice_filter", false) {
				continue
			}
		}
		opts = append(opts, Option{Value: d.names[q.ListName][ch.Name], Text: d.choiceLabel(c, ch)})
		if len(opts) == formChoices {
			break
		}
	}
	return opts
}

// choiceLabel is a choice's label in the person's language (its name when
// it has none).
func (d *formDef) choiceLabel(c *Ctx, ch *xlsform.Choice) string {
	if t := d.text(c, ch.Label); t != "" {
		return xlsform.Plain(t)
	}
	return ch.Name
}

// matchChoiceName reads a typed choice name (what an XLSForm user knows the
// choice by) as well as its label, which the engine matches itself.
func (d *formDef) matchChoiceName(i int) func(c *Ctx, text string) (string, error) {
	return func(c *Ctx, text string) (string, error) {
		for _, o := range d.filteredOptions(c, i) {
			if strings.EqualFold(strings.TrimSpace(text), d.choiceName(d.form.Questions[i].ListName, o.Value)) {
				return o.Value, nil
			}
		}
		return "", refuse("err.choice", "text", html.EscapeString(clip(text, 40)))
	}
}

// defaults are the answers a new draft starts with: each question's default
// evaluated once, at the start.
func (d *formDef) defaults(c *Ctx) Answers {
	out := Answers{}
	for i, q := range d.form.Questions {
		if q.Default == nil || !q.Type.Asked() || (q.ReadOnly && q.Type.Asked()) {
			continue
		}
		if v, ok := d.defaultValue(c, i, q.Default); ok {
			out[d.keys[i]] = v
		}
	}
	return out
}

// computed is the value of a calculate or metadata question i.
func (d *formDef) computed(c *Ctx, i int) string {
	q := &d.form.Questions[i]
	now := c.Tx.Now().In(appOf(c).cfg.Location)
	switch q.Type {
	case xlsform.Start:
		if s := c.Vars[varFormStart]; s != "" {
			return s
		}
		return now.UTC().Format("2006-01-02T15:04:05Z")
	case xlsform.End:
		return now.UTC().Format("2006-01-02T15:04:05Z")
	case xlsform.Today:
		return now.Format("2006-01-02")
	case xlsform.Username:
		if c.User.Username != "" {
			return c.User.Username
		}
		return strconv.FormatInt(c.User.ID, 10)
	}
	if q.Calculation == nil {
		return ""
	}
	v, err := expr.Eval(q.Calculation, d.env(c))
	if err != nil {
		slog.Warn("form calculation failed", "form", d.version.FormID, "version", d.version.ID,
			"question", q.Name, "err", err)
		return ""
	}
	return v.AsString()
}

// defaultValue evaluates question i's default into an answer the person
// sees as the previous one; false when it gives nothing usable.
func (d *formDef) defaultValue(c *Ctx, i int, e *expr.Expr) (Value, bool) {
	q := &d.form.Questions[i]
	v, err := expr.Eval(e, d.env(c))
	if err != nil || v.IsEmpty() {
		return Value{}, false
	}
	s := v.AsString()
	switch q.Type {
	case xlsform.SelectOne:
		val, ok := d.names[q.ListName][s]
		return Value{Text: val}, ok
	case xlsform.SelectMultiple:
		var list []string
		for _, n := range strings.Fields(s) {
			if val, ok := d.names[q.ListName][n]; ok {
				list = append(list, val)
			}
		}
		return Value{List: list}, len(list) > 0
	case xlsform.Text:
		return Value{Text: s}, true
	case xlsform.Integer, xlsform.Decimal, xlsform.Date, xlsform.Time, xlsform.DateTime:
		// Stored as the worker's own answer would be, or not at all: a
		// default the summary cannot read would stop the form.
		norm, err := engine.Normalize(typedInputs[q.Type], s)
		if err != nil {
			slog.Warn("form default dropped", "form", d.version.FormID, "version", d.version.ID,
				"question", q.Name, "err", err)
			return Value{}, false
		}
		return Value{Text: norm}, true
	}
	return Value{}, false
}

// formMarkup renders an author's markdown in a question and its hint, and
// takes it out of a field's name.
func formMarkup(text string, asHTML bool) string {
	if asHTML {
		return xlsform.HTML(text)
	}
	return xlsform.Plain(text)
}

// typedInputs are the input kinds of the typed questions whose stored
// layout differs from what a person types: the steps ask with them, and
// defaults and cards convert through them.
var typedInputs = map[xlsform.Type]engine.InputKind{
	xlsform.Integer: InputNumber, xlsform.Decimal: engine.InputDecimal, xlsform.Date: InputDate,
	xlsform.Time: InputTime, xlsform.DateTime: engine.InputDateTime,
}

// valueOf is answer v of question i as "." reads it in a constraint.
func (d *formDef) valueOf(c *Ctx, i int, v Value) expr.Val {
	q := &d.form.Questions[i]
	switch q.Type {
	case xlsform.Integer, xlsform.Decimal:
		if f, err := strconv.ParseFloat(v.Text, 64); err == nil && !math.IsNaN(f) {
			return expr.Num(f)
		}
	case xlsform.SelectOne:
		return expr.Str(d.choiceName(q.ListName, v.Text))
	case xlsform.SelectMultiple:
		names := make([]string, 0, len(v.List))
		for _, val := range v.List {
			names = append(names, d.choiceName(q.ListName, val))
		}
		return expr.ListOf(names)
	case xlsform.NIK:
		return expr.Str(c.Vars[nikVar(d.keys[i])])
	case xlsform.Geopoint:
		return expr.Str(fmt.Sprintf("%g %g 0 0", v.Lat, v.Lon))
	}
	return expr.Str(v.Text)
}

// matchFormNIK reads a NIK typed for question key as the case form does: the
// message is deleted from the chat whether or not the number is valid, the
// NIK is shown back masked, and the digits stay in the draft's variables
// (sealed at rest) until Save seals them into the submission. No duplicate
// check: a form's NIK is not a lookup of who is a case where.
func (a *App) matchFormNIK(key string) func(c *Ctx, text string) (string, error) {
	return func(c *Ctx, text string) (string, error) {
		n, err := a.takeNIK(c, text, nikVar(key))
		if err != nil {
			return "", err
		}
		return n.Masked(), nil
	}
}

func (a *App) kecamatanOptions(*Ctx) ([]Option, error) {
	var opts []Option
	for _, k := range a.cfg.Regions.Kecamatan {
		opts = append(opts, Option{Value: k.Code, Text: k.Name})
	}
	return opts, nil
}

func (a *App) matchKecamatan(_ *Ctx, text string) (string, error) {
	if k, ok := a.cfg.Regions.FindKecamatan(text); ok {
		return k.Code, nil
	}
	return "", refuse("err.kecamatan.unknown", "text", html.EscapeString(clip(text, 40)))
}

// kelurahanOptions lists the kelurahan of kecamatan kec, or every one of the
// city when the form asked no kecamatan before.
func (a *App) kelurahanOptions(kec string) []Option {
	var opts []Option
	for _, k := range a.cfg.Regions.Kecamatan {
		if kec != "" && k.Code != kec {
			continue
		}
		for _, l := range k.Kelurahan {
			opts = append(opts, Option{Value: l.Code, Text: l.Name})
		}
	}
	return opts
}

func (a *App) matchKelurahanIn(kec, text string) (string, error) {
	if kec == "" {
		if places := a.cfg.Regions.LocateKelurahan(text); len(places) == 1 {
			return places[0].Kelurahan.Code, nil
		}
		return "", refuse("err.kelurahan.unknown", "text", html.EscapeString(clip(text, 40)))
	}
	if l, ok := a.cfg.Regions.FindKelurahan(kec, text); ok {
		return l.Code, nil
	}
	if places := a.cfg.Regions.LocateKelurahan(text); len(places) > 0 {
		k, _ := a.cfg.Regions.KecamatanByCode(kec)
		return "", refuse("err.kelurahan.other", "kelurahan", html.EscapeString(places[0].Kelurahan.Name),
			"other", html.EscapeString(places[0].Kecamatan.Name), "kecamatan", html.EscapeString(k.Name))
	}
	return "", refuse("err.kelurahan.unknown", "text", html.EscapeString(clip(text, 40)))
}

// caseLinkStep is a link_case form's first step: one of the worker's own
// cases, or, for a coordinator or admin, one of their area's.
func (a *App) caseLinkStep() Step {
	return Step{Key: stepCaseLink, Prompt: "xf.run.case", Label: "xf.run.case.label", Input: InputChoice,
		OptionsFrom: a.caseLinkOptions, Match: a.matchCaseLink, PageSize: formPage}
}

// linkableCases are the cases c's person may link a submission to.
func (a *App) linkableCases(c *Ctx) ([]store.Case, error) {
	f := store.CaseFilter{ReporterID: c.User.ID}
	if isStaff(c.User) {
		scope, ok, err := a.caseFilter(c, scopeArea)
		if err != nil {
			return nil, err
		}
		if ok {
			f = scope
		}
	}
	cases, _, err := c.Tx.ListCases(f, 0, formCases)
	return cases, err
}

func (a *App) caseLinkOptions(c *Ctx) ([]Option, error) {
	cases, err := a.linkableCases(c)
	if err != nil {
		return nil, err
	}
	opts := make([]Option, 0, len(cases))
	for _, k := range cases {
		opts = append(opts, Option{Value: strconv.FormatInt(k.ID, 10), Text: k.Code + " · " + maskName(k.FullName)})
	}
	return opts, nil
}

// matchCaseLink reads a typed case code.
func (a *App) matchCaseLink(c *Ctx, text string) (string, error) {
	cases, err := a.linkableCases(c)
	if err != nil {
		return "", err
	}
	for _, k := range cases {
		if strings.EqualFold(strings.TrimSpace(text), k.Code) {
			return strconv.FormatInt(k.ID, 10), nil
		}
	}
	return "", refuse("xf.run.case.unknown", "text", html.EscapeString(clip(text, 40)))
}
