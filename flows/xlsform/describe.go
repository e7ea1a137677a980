package xlsform

import (
	"strconv"
	"strings"

	"dinsosbot/flows/i18n"
)

// Describe renders the form as the bot understands it, in plain text (a
// caller putting it into HTML escapes it): title, languages, the case link,
// then each question with its type, label, whether it is required and its
// skip logic, checks and calculations. It is what `form check` prints.
func (f *Form) Describe(lang string) string {
	l := i18n.Parse(lang, i18n.ID)
	var b strings.Builder
	line := func(key string, args ...string) {
		b.WriteString(i18n.T(l, key, args...))
		b.WriteByte('\n')
	}
	version := f.Version
	if version == "" {
		version = "-"
	}
	line("xf.desc.title", "title", f.Title, "id", f.ID, "version", version)
	langs := make([]string, 0, len(f.Langs))
	for _, c := range f.Langs {
		if c == "" {
			c = i18n.T(l, "xf.desc.lang.none")
		}
		langs = append(langs, c)
	}
	if len(langs) > 0 {
		def := f.DefaultLang
		if def == "" {
			def = "-"
		}
		line("xf.desc.langs", "langs", strings.Join(langs, ", "), "default", def)
	}
	if f.LinkCase {
		line("xf.desc.link_case")
	}
	line("xf.desc.questions", "n", strconv.Itoa(len(f.Questions)))
	for i, q := range f.Questions {
		typ := string(q.Type)
		if q.ListName != "" {
			typ += " " + q.ListName
		}
		b.WriteString(strconv.Itoa(i+1) + ". " + q.Name + " [" + typ + "]")
		if label := pick(q.Label, string(l), f.DefaultLang); label != "" {
			b.WriteString(" " + label)
		}
		if q.Required {
			b.WriteString(" " + i18n.T(l, "xf.desc.required"))
		}
		if !q.Type.Asked() {
			b.WriteString(" " + i18n.T(l, "xf.desc.filled"))
		}
		b.WriteByte('\n')
		if len(q.Group) > 0 {
			line("xf.desc.group", "groups", strings.Join(q.Group, " / "))
		}
		if q.ListName != "" {
			names := make([]string, 0, len(f.Choices[q.ListName]))
			for _, c := range f.Choices[q.ListName] {
				names = append(names, c.Name)
			}
			line("xf.desc.choices", "n", strconv.Itoa(len(names)), "names", clip(strings.Join(names, ", "), 120))
		}
		for _, x := range []struct {
			key string
			e   interface{ String() string }
			ok  bool
		}{
			{"xf.desc.relevant", q.Relevant, q.Relevant != nil},
			{"xf.desc.constraint", q.Constraint, q.Constraint != nil},
			{"xf.desc.choice_filter", q.ChoiceFilter, q.ChoiceFilter != nil},
			{"xf.desc.calculation", q.Calculation, q.Calculation != nil},
			{"xf.desc.default", q.Default, q.Default != nil},
			{"xf.desc.required_if", q.RequiredIf, q.RequiredIf != nil},
		} {
			if x.ok {
				line(x.key, "expr", x.e.String())
			}
		}
	}
	if len(f.Ignored) > 0 {
		line("xf.desc.ignored", "items", f.IgnoredList())
	}
	return b.String()
}

// IgnoredList names the rows left out, "name [type]" each, for the check's
// output and the upload preview alike.
func (f *Form) IgnoredList() string {
	items := make([]string, len(f.Ignored))
	for i, m := range f.Ignored {
		items[i] = m.Name + " [" + m.Type + "]"
	}
	return strings.Join(items, ", ")
}

// pick returns the text for lang, else the default language's, else the
// one without a language, else any (the smallest code, for a stable output).
func pick(texts map[string]string, lang, def string) string {
	for _, k := range []string{lang, def, ""} {
		if s, ok := texts[k]; ok {
			return s
		}
	}
	best := ""
	for k := range texts {
		if best == "" || k < best {
			best = k
		}
	}
	return texts[best]
}

// Text returns a question text (label, hint, ...) in lang, falling back to
// the form's default language, the column without a language, then any.
func (f *Form) Text(texts map[string]string, lang string) string {
	return pick(texts, lang, f.DefaultLang)
}

// Question returns the question called name (a calculation and metadata
// included), nil when there is none.
func (f *Form) Question(name string) *Question {
	for i := range f.Questions {
		if f.Questions[i].Name == name {
			return &f.Questions[i]
		}
	}
	return nil
}

// ChoiceLabel returns the label in lang of choice name in list, as
// jr:choice-name() needs; ok is false when the list has no such choice.
func (f *Form) ChoiceLabel(list, name, lang string) (label string, ok bool) {
	for _, c := range f.Choices[list] {
		if c.Name == name {
			return pick(c.Label, lang, f.DefaultLang), true
		}
	}
	return "", false
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
