package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"dinsosbot/flows/xlsform"
	"dinsosbot/flows/xlsform/expr"
)

// formEnv is what a form's expressions read while a person fills it: the
// answers so far in the engine's draft, turned into the values XLSForm's
// XPath expects (choice names, numbers, a list for select_multiple).
type formEnv struct {
	def *formDef
	c   *Ctx
	// cur is "." in a constraint; choice is the choice a choice_filter is
	// deciding on.
	cur    expr.Val
	choice *xlsform.Choice
}

func (e formEnv) Value(name string) expr.Val {
	i, ok := e.def.byName[name]
	if !ok || e.c == nil {
		return expr.Nothing()
	}
	return e.def.exprValue(e.c, i)
}

func (e formEnv) Current() expr.Val { return e.cur }

func (e formEnv) Now() time.Time {
	if e.c == nil {
		return time.Time{}
	}
	return e.c.Tx.Now().In(appOf(e.c).cfg.Location)
}

func (e formEnv) ChoiceLabel(name, value string) (string, bool) {
	i, ok := e.def.byName[name]
	if !ok {
		return "", false
	}
	for _, ch := range e.def.form.Choices[e.def.form.Questions[i].ListName] {
		if ch.Name != value {
			continue
		}
		if e.c == nil {
			return pickText(ch.Label, e.def.form.DefaultLang, e.def.form.DefaultLang, e.def.form.Langs), true
		}
		return e.def.text(e.c, ch.Label), true
	}
	return "", false
}

func (e formEnv) Column(name string) expr.Val {
	if e.choice == nil {
		return expr.Nothing()
	}
	if name == "name" {
		return expr.Str(e.choice.Name)
	}
	if v, ok := e.choice.Extra[name]; ok {
		return expr.Str(v)
	}
	return expr.Nothing()
}

// exprValue is question i's answer as an expression reads it; Empty when
// unanswered, skipped or not relevant.
func (d *formDef) exprValue(c *Ctx, i int) expr.Val {
	q := &d.form.Questions[i]
	v, ok := c.Answers[d.keys[i]]
	if !ok || v.Skipped {
		return expr.Nothing()
	}
	switch q.Type {
	case xlsform.Integer, xlsform.Decimal:
		if f, err := strconv.ParseFloat(v.Text, 64); err == nil {
			return expr.Num(f)
		}
		return expr.Str(v.Text)
	case xlsform.SelectOne:
		return expr.Str(d.choiceName(q.ListName, v.Text))
	case xlsform.SelectMultiple:
		names := make([]string, 0, len(v.List))
		for _, val := range v.List {
			names = append(names, d.choiceName(q.ListName, val))
		}
		return expr.ListOf(names)
	case xlsform.NIK:
		if n := c.Vars[nikVar(d.keys[i])]; n != "" {
			return expr.Str(n)
		}
		return expr.Nothing()
	case xlsform.Geopoint:
		return expr.Str(fmt.Sprintf("%g %g 0 0", v.Lat, v.Lon))
	case xlsform.Image, xlsform.Audio:
		if files := mediaOf(v); len(files) > 0 {
			return expr.Str(files[0].FileUniqueID)
		}
		return expr.Nothing()
	case xlsform.Acknowledge:
		return expr.Str("OK")
	}
	if v.Text == "" {
		return expr.Nothing()
	}
	return expr.Str(v.Text)
}

// nikVar is the flow variable holding the digits of NIK question key: the
// answer itself holds the masked NIK only (the draft seals the variable).
func nikVar(key string) string { return "nik." + key }

// text picks a per-language text of the form for the person: their
// language, else the form's default language, else a column without a
// language, else the first language that has one.
func (d *formDef) text(c *Ctx, texts map[string]string) string {
	return pickText(texts, string(c.Lang), d.form.DefaultLang, d.form.Langs)
}

func pickText(texts map[string]string, lang, def string, order []string) string {
	for _, l := range []string{lang, def, ""} {
		if t := strings.TrimSpace(texts[l]); t != "" {
			return t
		}
	}
	for _, l := range order {
		if t := strings.TrimSpace(texts[l]); t != "" {
			return t
		}
	}
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if t := strings.TrimSpace(texts[k]); t != "" {
			return t
		}
	}
	return ""
}
