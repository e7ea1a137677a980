package engine

import (
	"errors"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dinsosbot/flows/i18n"
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

// maxPreviousText bounds a previous text answer shown under its question:
// the question itself (up to 3,500 characters in a form) must still fit in
// one message.
const maxPreviousText = 400

// promptMessage builds the question of step with its keyboard.
func (e *Engine) promptMessage(c *Ctx, s *Session, step *Step) (store.Message, error) {
	text := step.promptIn(c)
	if v, ok := s.st.Answers[step.Key]; ok && step.shown() {
		if step.Input == InputText {
			v.Text = clip(v.Text, maxPreviousText)
		}
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
		if len(opts) == 0 {
			// A list filtered by an earlier answer can come out empty:
			// say so, rather than show a question with nothing to press.
			key := "flow.no_options"
			if step.optional(c) {
				key = "flow.no_options.optional"
			}
			text += "\n\n" + c.T(key)
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
		page, pages := s.page(step, len(opts))
		if pages > 1 {
			opts = opts[page*step.PageSize : min(len(opts), (page+1)*step.PageSize)]
		}
		var row []store.Button
		for _, o := range opts {
			label := c.optionButton(o)
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
		if pages > 1 {
			var nav []store.Button
			if page > 0 {
				b, err := button("◀ "+itoa(page)+"/"+itoa(pages), opPage, itoa(page-1))
				if err != nil {
					return store.Message{}, err
				}
				nav = append(nav, b)
			}
			if page < pages-1 {
				b, err := button(itoa(page+2)+"/"+itoa(pages)+" ▶", opPage, itoa(page+1))
				if err != nil {
					return store.Message{}, err
				}
				nav = append(nav, b)
			}
			m.Buttons = append(m.Buttons, nav)
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
	case InputNote:
		b, err := button(c.T("flow.btn.next"), opDone, "")
		if err != nil {
			return store.Message{}, err
		}
		m.Buttons = [][]store.Button{{b}}
	case InputAck:
		b, err := button(c.T("flow.btn.ack"), opChoose, ackValue)
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
	if v, ok := s.st.Answers[step.Key]; ok && !v.Skipped && keepable(step.Input) {
		// A default or an answer being edited can be taken as it is
		// without typing it again.
		b, err := button(c.T("flow.btn.keep"), opKeep, "")
		if err != nil {
			return store.Message{}, err
		}
		m.Buttons = append(m.Buttons, []store.Button{b})
	}
	optional := step.optional(c)
	if optional && len(m.Buttons) > 0 {
		b, err := button(c.T("flow.btn.skip"), opSkip, "")
		if err != nil {
			return store.Message{}, err
		}
		m.Buttons = append(m.Buttons, []store.Button{b})
	}
	footer := "flow.footer"
	if optional {
		footer = "flow.footer.optional"
	}
	m.Text = text + "\n\n<i>" + c.T(footer) + "</i>"
	return m, nil
}

// keepable tells the kinds answered by typing or sending, whose prompt
// offers to keep an answer already there; the others have buttons of their
// own or a reply keyboard that leaves no room for one.
func keepable(in InputKind) bool {
	switch in {
	case InputText, InputName, InputNumber, InputDate, InputTime, InputDecimal, InputDateTime, InputAudio:
		return true
	}
	return false
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
	case InputDecimal:
		if err := needText(); err != nil {
			return v, err
		}
		f, err := readDecimal(text, step)
		if err != nil {
			return v, err
		}
		v.Text = f
	case InputDateTime:
		if err := needText(); err != nil {
			return v, err
		}
		dt, err := readDateTime(text)
		if err != nil {
			return v, err
		}
		v.Text = dt
	case InputAudio:
		if ev.Audio == nil {
			return v, refuse("err.audio.need")
		}
		v.Audio = ev.Audio
	case InputAck:
		if !ackWords[strings.ToLower(strings.Trim(text, " .!✅"))] && !strings.EqualFold(text, c.T("flow.btn.ack")) {
			return v, refuse("err.ack")
		}
		v.Text = ackValue
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
	case InputDate, InputTime, InputName, InputDateTime:
		return "\n" + c.T("ex."+step.Input.String())
	case InputNumber:
		return "\n" + c.T("ex.number", "min", strconv.Itoa(step.Min), "max", strconv.Itoa(step.Max))
	}
	return ""
}

// FormatValue is a stored answer of kind in as a person reads it in lang,
// plain text: dates day first, times with a dot, a decimal comma in
// Indonesian. Other kinds are returned as stored.
func FormatValue(lang i18n.Lang, in InputKind, text string) (string, error) {
	switch in {
	case InputDate:
		d, err := time.Parse(time.DateOnly, text)
		if err != nil {
			return "", fmt.Errorf("stored date %q: %w", text, err)
		}
		return d.Format("02-01-2006"), nil
	case InputTime:
		return strings.Replace(text, ":", ".", 1), nil
	case InputDateTime:
		d, err := time.Parse(dateTimeLayout, text)
		if err != nil {
			return "", fmt.Errorf("stored date and time %q: %w", text, err)
		}
		return d.Format("02-01-2006 15.04"), nil
	case InputDecimal:
		if lang == i18n.ID {
			return strings.Replace(text, ".", ",", 1), nil
		}
	}
	return text, nil
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
	case InputDate, InputTime, InputDateTime, InputDecimal:
		s, err := FormatValue(c.Lang, step.Input, v.Text)
		if err != nil {
			return "", err
		}
		return html.EscapeString(s), nil
	case InputAudio:
		if v.Audio == nil {
			return "", nil
		}
		return c.T("flow.audio", "s", itoa(v.Audio.Duration)), nil
	case InputAck:
		return c.T("flow.ack"), nil
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

// ackValue is the answer of an acknowledgement, as XLSForm stores it.
const ackValue = "OK"

// ackWords are what a person may type instead of pressing the
// acknowledgement's button.
var ackWords = map[string]bool{"ok": true, "oke": true, "okay": true, "ya": true, "iya": true, "yes": true,
	"mengerti": true, "saya mengerti": true, "paham": true, "saya paham": true, "i understand": true}

// optionButton is an option's label on a button, which shows plain text: a
// literal label is not escaped there.
func (c *Ctx) optionButton(o Option) string {
	if o.Key != "" {
		return c.T(o.Key)
	}
	return o.Text
}

// shown reports whether a step's answer is shown in the summary, with an
// edit button.
func (s *Step) shown() bool { return !s.Hidden && s.Input != InputNote }

// page returns the page of step's options to show and how many there are.
func (s *Session) page(step *Step, n int) (page, pages int) {
	if step.PageSize == 0 || n <= step.PageSize {
		return 0, 1
	}
	pages = (n + step.PageSize - 1) / step.PageSize
	if s.st.PageOf == step.Key {
		page = min(max(s.st.Page, 0), pages-1)
	}
	return page, pages
}

// maxDecimal bounds a typed decimal, in characters.
const maxDecimal = 24

var decimalForm = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// readDecimal reads a decimal number written with a comma or a dot ("12,5",
// "12.5", "-3"), within the step's bounds; it returns it with a dot.
func readDecimal(text string, step *Step) (string, error) {
	t := strings.ReplaceAll(text, " ", "")
	if strings.Count(t, ",")+strings.Count(t, ".") > 1 || len(t) > maxDecimal {
		return "", refuse("err.decimal")
	}
	t = strings.Replace(t, ",", ".", 1)
	if !decimalForm.MatchString(t) {
		return "", refuse("err.decimal")
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return "", refuse("err.decimal")
	}
	if step.MinFloat != nil && f < *step.MinFloat {
		return "", refuse("err.decimal.min", "min", strconv.FormatFloat(*step.MinFloat, 'f', -1, 64))
	}
	if step.MaxFloat != nil && f > *step.MaxFloat {
		return "", refuse("err.decimal.max", "max", strconv.FormatFloat(*step.MaxFloat, 'f', -1, 64))
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// dateTimeLayout is how a date and time answer is stored.
const dateTimeLayout = "2006-01-02T15:04"

// Normalize turns a value given by the host rather than typed by the person
// (an XLSForm default, "08:30:00", now()'s "2026-12-05T09:30:00.000+07:00")
// into the layout a typed answer of kind in is stored in, so the summary,
// the checks and the export read it like any other answer. A value that is
// no answer of that kind is an error, and the host should drop it; the
// error does not quote the value, which may be a person's data.
func Normalize(in InputKind, text string) (string, error) {
	text = strings.TrimSpace(text)
	switch in {
	case InputNumber:
		n, err := strconv.Atoi(text)
		if err != nil {
			return "", errors.New("not a whole number")
		}
		return strconv.Itoa(n), nil
	case InputDecimal:
		return readDecimal(text, &Step{})
	case InputDate:
		if d, ok := machineTime(text, "2006-01-02", "2006-01-02T15:04:05.000-07:00", time.RFC3339); ok {
			return d.Format(time.DateOnly), nil
		}
		d, err := parse.Date(text)
		if err != nil {
			return "", errors.New("not a date")
		}
		return d.String(), nil
	case InputTime:
		if d, ok := machineTime(text, "15:04:05.000-07:00", "15:04:05Z07:00", "15:04:05", "15:04"); ok {
			return d.Format("15:04"), nil
		}
		h, m, err := parse.Time(text)
		if err != nil {
			return "", errors.New("not a time")
		}
		return fmt.Sprintf("%02d:%02d", h, m), nil
	case InputDateTime:
		if d, ok := machineTime(text, "2006-01-02T15:04:05.000-07:00", time.RFC3339, "2006-01-02T15:04:05",
			"2006-01-02 15:04:05", dateTimeLayout, "2006-01-02 15:04"); ok {
			// The wall clock as written: now() is already in the office's zone.
			return d.Format(dateTimeLayout), nil
		}
		return readDateTime(text)
	case InputText, InputName:
		return text, nil
	}
	return "", fmt.Errorf("engine: no normal form for %s", in)
}

// machineTime reads text in the first of layouts that fits it.
func machineTime(text string, layouts ...string) (time.Time, bool) {
	for _, l := range layouts {
		if d, err := time.Parse(l, text); err == nil {
			return d, true
		}
	}
	return time.Time{}, false
}

// readDateTime reads a date and a time in one answer: the date as InputDate
// reads it, then the time ("21-11-2026 09.30", "21 Nov 2026, jam 9:30").
func readDateTime(text string) (string, error) {
	fields := strings.Fields(strings.ReplaceAll(text, ",", " "))
	if len(fields) < 2 {
		return "", refuse("err.datetime")
	}
	clock := fields[len(fields)-1]
	date := fields[:len(fields)-1]
	if w := strings.ToLower(date[len(date)-1]); len(date) > 1 && (w == "jam" || w == "pukul" || w == "pkl" || w == "at") {
		date = date[:len(date)-1]
	}
	d, err := parse.Date(strings.Join(date, " "))
	if err != nil {
		return "", fromParse(err)
	}
	h, m, err := parse.Time(clock)
	if err != nil {
		return "", fromParse(err)
	}
	return fmt.Sprintf("%sT%02d:%02d", d.String(), h, m), nil
}
