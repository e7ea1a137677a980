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
func (s *Step) LabelIn(l i18n.Lang) string { return s.labelIn(nil, l) }

// labelIn is LabelIn with the step's Render applied to a literal text when
// c (an open flow's) is given.
func (s *Step) labelIn(c *Ctx, l i18n.Lang) string {
	if t, ok := s.literalIn(c, s.LabelText, l); ok {
		return html.EscapeString(t)
	}
	if t, ok := s.literalIn(c, s.PromptText, l); ok && s.Label == "" {
		return html.EscapeString(clip(t, 60))
	}
	return i18n.T(l, s.label())
}

// plain is a literal text without its markup.
func (s *Step) plain(t string) string {
	if s.Markup == nil {
		return t
	}
	return s.Markup(t, false)
}

// asHTML is a literal text as HTML: its markup rendered, else escaped.
func (s *Step) asHTML(t string) string {
	if s.Markup == nil {
		return html.EscapeString(t)
	}
	return s.Markup(t, true)
}

// labelOf is the field's name for the person of c.
func (s *Step) labelOf(c *Ctx) string { return s.labelIn(c, c.Lang) }

// optional tells whether the step may be skipped now: Optional, unless its
// RequiredIf holds.
func (s *Step) optional(c *Ctx) bool {
	return s.Optional && (s.RequiredIf == nil || !s.RequiredIf(c))
}

// literalIn is literal(m, l) as plain text: the author's markup taken
// out, then passed through the step's Render when there is one and c is
// given.
func (s *Step) literalIn(c *Ctx, m map[i18n.Lang]string, l i18n.Lang) (string, bool) {
	return s.textIn(c, m, l, false)
}

// htmlIn is literalIn as HTML: the author's markup rendered (or the text
// escaped) before Render pipes in answers, escaped, so that nothing a
// person typed is read as markup.
func (s *Step) htmlIn(c *Ctx, m map[i18n.Lang]string, l i18n.Lang) (string, bool) {
	return s.textIn(c, m, l, true)
}

func (s *Step) textIn(c *Ctx, m map[i18n.Lang]string, l i18n.Lang, asHTML bool) (string, bool) {
	t, ok := literal(m, l)
	if !ok {
		return "", false
	}
	if asHTML {
		t = s.asHTML(t)
	} else {
		t = s.plain(t)
	}
	if c != nil && s.Render != nil {
		t = s.Render(c, t, asHTML)
	}
	return t, true
}

// buttonLabel is the field's name on a button: buttons show plain text, so
// a literal one is not escaped.
func (s *Step) buttonLabel(c *Ctx) string {
	if t, ok := s.literalIn(c, s.LabelText, c.Lang); ok {
		return clip(t, 40)
	}
	if t, ok := s.literalIn(c, s.PromptText, c.Lang); ok && s.Label == "" {
		return clip(t, 40)
	}
	return c.T(s.label())
}

// promptIn is the question of s for the person of c, with its hint.
func (s *Step) promptIn(c *Ctx) string {
	text, ok := s.htmlIn(c, s.PromptText, c.Lang)
	if !ok {
		text = c.T(s.Prompt)
	}
	if h, ok := s.htmlIn(c, s.HintText, c.Lang); ok {
		text += "\n<i>" + h + "</i>"
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
	return c.T("flow.skip.required", "field", s.labelOf(c))
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
