package engine

import (
	"html"

	"dinsosbot/flows/i18n"
)

// literal picks a form author's text for l: in l, else Indonesian, else the
// first language that has one.
func literal(m map[i18n.Lang]string, l i18n.Lang) (string, bool) {
	if t, ok := m[l]; ok && t != "" {
		return t, true
	}
	if t, ok := m[i18n.ID]; ok && t != "" {
		return t, true
	}
	for _, k := range i18n.Langs {
		if t, ok := m[k]; ok && t != "" {
			return t, true
		}
	}
	for _, t := range m {
		if t != "" {
			return t, true
		}
	}
	return "", false
}

// computed reports whether s is worked out from other answers, never asked.
func (s *Step) computed() bool { return s.Hidden && s.Preset != nil }

// LabelIn is the field's name in the summary in language l, HTML-escaped
// when literal.
func (s *Step) LabelIn(l i18n.Lang) string {
	if t, ok := literal(s.LabelText, l); ok {
		return html.EscapeString(t)
	}
	if t, ok := literal(s.PromptText, l); ok && s.Label == "" {
		return html.EscapeString(clip(t, 60))
	}
	return i18n.T(l, s.label())
}

// buttonLabel is the field's name on a button: buttons show plain text, so
// a literal one is not escaped.
func (s *Step) buttonLabel(l i18n.Lang) string {
	if t, ok := literal(s.LabelText, l); ok {
		return clip(t, 40)
	}
	if t, ok := literal(s.PromptText, l); ok && s.Label == "" {
		return clip(t, 40)
	}
	return i18n.T(l, s.label())
}

// promptIn is the question of s in language l, with its hint.
func (s *Step) promptIn(l i18n.Lang) string {
	text, ok := literal(s.PromptText, l)
	if ok {
		text = html.EscapeString(text)
	} else {
		text = i18n.T(l, s.Prompt)
	}
	if h, ok := literal(s.HintText, l); ok {
		text += "\n<i>" + html.EscapeString(h) + "</i>"
	}
	return text
}

// TitleIn is the flow's heading in language l, HTML-escaped when literal.
func (f *Flow) TitleIn(l i18n.Lang) string {
	if t, ok := literal(f.TitleText, l); ok {
		return html.EscapeString(t)
	}
	return i18n.T(l, f.Title)
}

// requiredText is the refusal of a /lewati at required step s.
func (c *Ctx) requiredText(s *Step) string {
	if t, ok := literal(s.RequiredText, c.Lang); ok {
		return html.EscapeString(t)
	}
	return c.T("flow.skip.required", "field", s.LabelIn(c.Lang))
}

// RefusalText is what refusal ie says in the person's language.
func (c *Ctx) RefusalText(ie *InputError) string {
	if ie.Text != "" {
		return ie.Text
	}
	return c.T(ie.Key, ie.Args...)
}

// Refusal refuses an answer with a literal text, already HTML-escaped (an
// XLSForm's constraint_message).
func Refusal(text string) *InputError { return &InputError{Text: text} }
