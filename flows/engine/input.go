package engine

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dinsosbot/flows/parse"
	"dinsosbot/store"
)

// options returns a choice step's options, checked like declared ones.
func (e *Engine) options(c *Ctx, step *Step) ([]Option, error) {
	if step.OptionsFrom == nil {
		return step.Options, nil
	}
	opts, err := step.OptionsFrom(c)
	if err != nil {
		return nil, fmt.Errorf("options of %s: %w", step.Key, err)
	}
	if err := checkOptions(opts); err != nil {
		return nil, fmt.Errorf("options of %s: %w", step.Key, err)
	}
	return opts, nil
}

func (c *Ctx) optionLabel(o Option) string {
	if o.Key != "" {
		return c.T(o.Key)
	}
	return html.EscapeString(o.Text)
}

// promptMessage builds the question of step with its keyboard.
func (e *Engine) promptMessage(c *Ctx, s *Session, step *Step) (store.Message, error) {
	text := step.promptIn(c.Lang)
	if v, ok := s.st.Answers[step.Key]; ok && !step.Hidden {
		shown, err := e.display(c, step, v)
		if err != nil {
			return store.Message{}, err
		}
		text += "\n" + c.T("flow.previous", "value", shown)
	}
	m := store.Message{}
	button := func(label, op, arg string) (store.Button, error) {
		d, err := data(s.Nonce, op, arg)
		return store.Button{Text: label, Data: d}, err
	}
	switch step.Input {
	case InputChoice, InputMulti:
		opts, err := e.options(c, step)
		if err != nil {
			return store.Message{}, err
		}
		op, picked := opChoose, []string(nil)
		if step.Input == InputMulti {
			op = opToggle
			if s.st.Draft != nil {
				picked = s.st.Draft.List
			}
		}
		perRow := 2
		if len(opts) > 8 {
			perRow = 3
		}
		var row []store.Button
		for _, o := range opts {
			label := c.optionLabel(o)
			if slices.Contains(picked, o.Value) {
				label = "✅ " + label
			}
			b, err := button(label, op, o.Value)
			if err != nil {
				return store.Message{}, err
			}
			if row = append(row, b); len(row) == perRow {
				m.Buttons, row = append(m.Buttons, row), nil
			}
		}
		if len(row) > 0 {
			m.Buttons = append(m.Buttons, row)
		}
		if step.Input == InputMulti {
			b, err := button(c.T("flow.btn.done"), opDone, "")
			if err != nil {
				return store.Message{}, err
			}
			m.Buttons = append(m.Buttons, []store.Button{b})
		}
	case InputYesNo:
		yes, err := button(c.T("flow.yes"), opChoose, "yes")
		if err != nil {
			return store.Message{}, err
		}
		no, err := button(c.T("flow.no"), opChoose, "no")
		if err != nil {
			return store.Message{}, err
		}
		m.Buttons = [][]store.Button{{yes, no}}
	case InputPhotos:
		b, err := button(c.T("flow.btn.done"), opDone, "")
		if err != nil {
			return store.Message{}, err
		}
		m.Buttons = [][]store.Button{{b}}
	case InputContact:
		m.Reply = &store.ReplyKeyboard{OneTime: true,
			Buttons: [][]store.ReplyButton{{{Text: c.T("flow.btn.contact"), RequestContact: true}}}}
	case InputLocation:
		m.Reply = &store.ReplyKeyboard{OneTime: true,
			Buttons: [][]store.ReplyButton{{{Text: c.T("flow.btn.location"), RequestLocation: true}}}}
	}
	if step.Optional && len(m.Buttons) > 0 {
		b, err := button(c.T("flow.btn.skip"), opSkip, "")
		if err != nil {
			return store.Message{}, err
		}
		m.Buttons = append(m.Buttons, []store.Button{b})
	}
	footer := "flow.footer"
	if step.Optional {
		footer = "flow.footer.optional"
	}
	m.Text = text + "\n\n<i>" + c.T(footer) + "</i>"
	return m, nil
}

// read parses the event as an answer to step; an *InputError says what is wrong.
func (e *Engine) read(c *Ctx, s *Session, step *Step) (Value, error) {
	ev := c.Ev
	text := strings.TrimSpace(ev.Text)
	needText := func() error {
		if ev.Text == "" {
			return refuse("err.need_text")
		}
		return nil
	}
	var v Value
	switch step.Input {
	case InputText:
		if ev.Photo != nil && step.Caption > 0 {
			text = strings.TrimSpace(stripBidiControls(text))
			if n := utf8.RuneCountInString(text); n > step.Caption {
				return v, refuse("err.caption.long", "max", strconv.Itoa(step.Caption), "got", strconv.Itoa(n))
			}
			v.Text, v.Photos = text, []Photo{*ev.Photo}
			if err := e.maskTypedNIK(c, &v.Text); err != nil {
				return v, err
			}
			break
		}
		if err := needText(); err != nil {
			return v, err
		}
		text = strings.TrimSpace(stripBidiControls(text))
		n := utf8.RuneCountInString(text)
		switch {
		case n == 0:
			return v, refuse("err.text.empty")
		case n > step.Max:
			return v, refuse("err.text.long", "max", strconv.Itoa(step.Max), "got", strconv.Itoa(n))
		case n < step.Min:
			return v, refuse("err.text.short", "min", strconv.Itoa(step.Min), "got", strconv.Itoa(n))
		case step.Pattern != nil && !step.Pattern.MatchString(text):
			return v, refuse(step.PatternHint)
		}
		v.Text = text
		if err := e.maskTypedNIK(c, &v.Text); err != nil {
			return v, err
		}
	case InputName:
		if err := needText(); err != nil {
			return v, err
		}
		name, err := parse.Name(ev.Text, step.Min, step.Max)
		if err != nil {
			return v, fromParse(err)
		}
		v.Text = name
	case InputNumber:
		if err := needText(); err != nil {
			return v, err
		}
		n, err := parse.Number(ev.Text, step.Min, step.Max)
		if err != nil {
			return v, fromParse(err)
		}
		v.Text = strconv.Itoa(n)
	case InputDate:
		if err := needText(); err != nil {
			return v, err
		}
		d, err := parse.Date(ev.Text)
		if err == nil && step.PastOnly {
			// PastOnly steps ask for birth dates: also not before 1900 or
			// over parse.MaxAge years ago.
			err = parse.Birth(d, parse.DayOf(c.Tx.Now().In(e.location())))
		}
		if err != nil {
			return v, fromParse(err)
		}
		v.Text = d.String()
	case InputTime:
		if err := needText(); err != nil {
			return v, err
		}
		h, m, err := parse.Time(ev.Text)
		if err != nil {
			return v, fromParse(err)
		}
		v.Text = fmt.Sprintf("%02d:%02d", h, m)
	case InputChoice, InputYesNo:
		if err := needText(); err != nil {
			return v, err
		}
		val, err := e.matchChoice(c, step, text)
		if err != nil {
			return v, err
		}
		v.Text = val
	case InputMulti, InputPhotos:
		if step.Input == InputPhotos {
			return v, refuse("err.photo.need")
		}
		return v, refuse("err.use_buttons")
	case InputContact:
		if ev.Contact == nil {
			return v, refuse("err.contact.need")
		}
		if ev.Contact.UserID != ev.UserID {
			return v, refuse("err.contact.other")
		}
		phone, err := parse.Phone(ev.Contact.PhoneNumber)
		if err != nil {
			return v, fromParse(err)
		}
		v.Text = phone
	case InputLocation:
		if ev.Location == nil {
			return v, refuse("err.location.need")
		}
		if err := parse.Coordinates(ev.Location.Latitude, ev.Location.Longitude); err != nil {
			return v, fromParse(err)
		}
		v.Lat, v.Lon = ev.Location.Latitude, ev.Location.Longitude
	}
	if step.Check != nil {
		if err := step.Check(c, v); err != nil {
			return Value{}, err
		}
	}
	return v, nil
}

// matchChoice reads a typed answer to a choice: an option's label, or what the
// step's Match accepts.
func (e *Engine) matchChoice(c *Ctx, step *Step, text string) (string, error) {
	if step.Input == InputYesNo {
		switch strings.ToLower(text) {
		case "ya", "y", "yes", "iya":
			return "yes", nil
		case "tidak", "t", "no", "n", "tdk", "nggak", "gak":
			return "no", nil
		}
		return "", refuse("err.yesno")
	}
	opts, err := e.options(c, step)
	if err != nil {
		return "", err
	}
	for _, o := range opts {
		if strings.EqualFold(text, o.Text) || (o.Key != "" && strings.EqualFold(text, c.T(o.Key))) {
			return o.Value, nil
		}
	}
	if step.Match != nil {
		return step.Match(c, text)
	}
	return "", refuse("err.choice", "text", html.EscapeString(clip(text, 40)))
}

// maxShownText bounds a text answer shown in a summary or a prompt.
const maxShownText = 3000

// clip shortens s to n characters for quoting it back.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// example adds a right answer's example after an error, for kinds that have one.
func (e *Engine) example(c *Ctx, step *Step) string {
	switch step.Input {
	case InputDate, InputTime, InputName:
		return "\n" + c.T("ex."+step.Input.String())
	case InputNumber:
		return "\n" + c.T("ex.number", "min", strconv.Itoa(step.Min), "max", strconv.Itoa(step.Max))
	}
	return ""
}

// display renders an answer for the summary, escaped.
func (e *Engine) display(c *Ctx, step *Step, v Value) (string, error) {
	if v.Skipped {
		return c.T("flow.skipped"), nil
	}
	switch step.Input {
	case InputChoice, InputMulti:
		opts, err := e.options(c, step)
		if err != nil {
			return "", err
		}
		vals := v.List
		if step.Input == InputChoice {
			vals = []string{v.Text}
		}
		var labels []string
		for _, val := range vals {
			label := html.EscapeString(val)
			for _, o := range opts {
				if o.Value == val {
					label = c.optionLabel(o)
				}
			}
			labels = append(labels, label)
		}
		return strings.Join(labels, ", "), nil
	case InputYesNo:
		return c.T("flow." + v.Text), nil
	case InputDate:
		d, err := time.Parse(time.DateOnly, v.Text)
		if err != nil {
			return "", fmt.Errorf("stored date %q: %w", v.Text, err)
		}
		return d.Format("02-01-2006"), nil
	case InputTime:
		return strings.Replace(v.Text, ":", ".", 1), nil
	case InputLocation:
		return fmt.Sprintf("%.5f, %.5f", v.Lat, v.Lon), nil
	case InputPhotos:
		return c.T("flow.photos", "n", strconv.Itoa(len(v.Photos))), nil
	case InputText:
		// Clipped so that a long text (a broadcast) leaves the summary
		// room under Telegram's 4096 characters.
		shown := html.EscapeString(clip(v.Text, maxShownText))
		if len(v.Photos) > 0 {
			return c.T("flow.text.photo", "text", shown), nil
		}
		return shown, nil
	}
	return html.EscapeString(v.Text), nil
}

// addPhoto collects a photo of a photos step; at Max it moves on by itself.
func (e *Engine) addPhoto(c *Ctx, s *Session, step *Step) error {
	if s.st.Draft == nil {
		s.st.Draft = &Value{}
	}
	s.st.Draft.Photos = append(s.st.Draft.Photos, *c.Ev.Photo)
	n := len(s.st.Draft.Photos)
	if n >= step.Max {
		return e.accept(c, s, step, *s.st.Draft)
	}
	return e.prompt(c, s, c.T("flow.photo.received", "n", strconv.Itoa(n), "max", strconv.Itoa(step.Max)))
}

// digitRun is a run of digits, possibly grouped by single spaces, dots or
// dashes, as people type a NIK ("1571 0152 0590 0003", "1571.0152...").
var digitRun = regexp.MustCompile(`[0-9](?:[ .\-]?[0-9])*`)

// maskNIKs masks every run of 16 or more digits in s (a NIK, or a family card
// number, however grouped): the first and last four digits kept, the rest
// starred, the grouping as typed. Shorter numbers (phones, RT/RW, years)
// stay. It returns the masked runs.
func maskNIKs(s string) (string, []string) {
	var found []string
	out := digitRun.ReplaceAllStringFunc(s, func(run string) string {
		n := 0
		for _, ch := range run {
			if ch >= '0' && ch <= '9' {
				n++
			}
		}
		if n < 16 {
			return run
		}
		b := []byte(run)
		seen := 0
		for i, ch := range b {
			if ch >= '0' && ch <= '9' {
				if seen >= 4 && seen < n-4 {
					b[i] = '*'
				}
				seen++
			}
		}
		found = append(found, string(b))
		return string(b)
	})
	return out, found
}

// maskTypedNIK keeps a NIK typed into free text (a description, an address,
// a note, a reason, a broadcast) out of everything the bot stores and shows:
// the answer keeps it masked (the summary, the case, the notices read the
// answer), the message holding it is deleted from the chat as at the NIK
// step, and the person is told to type a NIK only where the form asks for
// one. The full number is never kept: a free-text field is not the place
// for it, and the case form has a NIK step.
func (e *Engine) maskTypedNIK(c *Ctx, text *string) error {
	masked, found := maskNIKs(*text)
	if len(found) == 0 {
		return nil
	}
	*text = masked
	if c.Ev.MessageID != 0 {
		if _, err := c.Send(store.Message{Kind: store.KindDelete, MessageID: c.Ev.MessageID}); err != nil {
			return err
		}
	}
	return c.Reply(c.T("flow.nik.masked", "nik", html.EscapeString(strings.Join(found, ", "))))
}

// stripBidiControls removes the Unicode bidirectional embeddings, overrides
// and isolates (U+202A–U+202E, U+2066–U+2069). Free text is pasted into
// messages other people read (a coordinator's notice, a digest): an unclosed
// right-to-left override would reverse how the rest of that line displays
// and could make it say something else. The marks U+200E/U+200F only nudge
// neutral characters and stay, as does every other character typed.
func stripBidiControls(s string) string {
	return strings.Map(func(r rune) rune {
		if (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			return -1
		}
		return r
	}, s)
}
