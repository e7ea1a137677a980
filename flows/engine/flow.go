package engine

import (
	"fmt"
	"regexp"
	"strings"

	"dinsosbot/flows/i18n"
)

// InputKind is what a step asks for; it decides the keyboard and the parser.
type InputKind int

// The input kinds a step can ask for.
const (
	InputText     InputKind = iota + 1 // free text: Min/Max characters, optional Pattern
	InputName                          // a person's name (parse.Name): Min/Max characters
	InputNumber                        // a whole number in Min..Max
	InputDate                          // a date (21-11-2023, 21 Nov 2023, ...); PastOnly refuses the future
	InputTime                          // a time of day (09.00, 9:00)
	InputChoice                        // one of Options, by button (or typed label)
	InputMulti                         // several of Options, toggled by buttons, then "done"; Min/Max picks
	InputYesNo                         // yes or no, by button
	InputContact                       // the phone number, by the request_contact button; must be the sender's own
	InputLocation                      // a location, by the request_location button
	InputPhotos                        // Min..Max photos, then "done"
	InputDecimal                       // a decimal number, comma or dot; MinFloat/MaxFloat bound it when set
	InputDateTime                      // a date and a time in one answer (21-11-2026 09.30)
	InputAudio                         // one voice note or audio file (its Telegram file id is kept)
	InputNote                          // a text to read, no answer: "Lanjut" or any message goes on; never in the summary
	InputAck                           // one button to acknowledge ("Saya mengerti")
)

var kindNames = map[InputKind]string{
	InputText: "text", InputName: "name", InputNumber: "number", InputDate: "date", InputTime: "time",
	InputChoice: "choice", InputMulti: "multi", InputYesNo: "yesno", InputContact: "contact",
	InputLocation: "location", InputPhotos: "photos", InputDecimal: "decimal", InputDateTime: "datetime",
	InputAudio: "audio", InputNote: "note", InputAck: "ack",
}

func (k InputKind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("InputKind(%d)", int(k))
}

// Option is one button of a choice. Key is a catalogue key for its label, or Text
// a label shown as is (escaped), for options from data such as kelurahan names.
type Option struct {
	Value string
	Key   string
	Text  string
	// Cancels ends the flow when chosen (a consent step's "stop").
	Cancels bool
}

// Step is one question of a flow.
type Step struct {
	// Key names the answer; unique within the flow.
	Key string
	// Prompt is the catalogue key of the question; Label the key of the field's
	// name in the summary (default Prompt + ".label").
	Prompt string
	Label  string
	// PromptText, HintText and LabelText are the question, a hint under it
	// and the field's name as literal text per language, for forms written
	// by people rather than the catalogue (an XLSForm). They are shown
	// escaped, in the person's language, else Indonesian, else any; set,
	// they replace Prompt and Label.
	PromptText, HintText, LabelText map[i18n.Lang]string
	// Render, when set, rewrites a literal PromptText, HintText or
	// LabelText each time it is shown: an XLSForm's ${name} piped from an
	// earlier answer (c.Shown). asHTML says text is HTML already, so what
	// Render puts in must be escaped.
	Render func(c *Ctx, text string, asHTML bool) string
	// Markup, when set, turns a literal text with its author's markup
	// into HTML (asHTML, for the question and hint) or into plain text
	// (for the field's name and buttons), in place of escaping it.
	Markup func(text string, asHTML bool) string
	Input  InputKind
	// Min and Max bound text length (characters), numbers, picks and photos.
	Min, Max int
	// MinFloat and MaxFloat, when set, bound a decimal answer.
	MinFloat, MaxFloat *float64
	// PageSize, when > 0, shows a choice's options that many at a time with
	// ◀ ▶ buttons (a typed label still matches any of them); 0 shows all.
	PageSize int
	// Pattern, with PatternHint (a catalogue key), restricts free text.
	Pattern     *regexp.Regexp
	PatternHint string
	// PastOnly refuses a date after today (birth dates).
	PastOnly bool
	// Options are a choice's buttons; OptionsFrom computes them from earlier answers.
	Options     []Option
	OptionsFrom func(c *Ctx) ([]Option, error)
	// Match reads a typed answer to a choice (beyond the labels); it returns the
	// option's value or an *InputError saying what is wrong.
	Match func(c *Ctx, text string) (string, error)
	// Optional steps can be skipped with /lewati.
	Optional bool
	// RequiredIf, when set on an Optional step, makes it required while it
	// answers true (read as the step is shown and skipped).
	RequiredIf func(c *Ctx) bool
	// RequiredText, when set, is the literal text (per language, shown
	// escaped) that refuses a /lewati of a required step, instead of the
	// catalogue's.
	RequiredText map[i18n.Lang]string
	// If, when set, asks the step only when it returns true (c.Answers holds the
	// answers so far, c.Vars the flow's variables); otherwise its answer is dropped.
	If func(c *Ctx) bool
	// DependsOn lists earlier answers this step's meaning depends on: when one of
	// them changes, this answer is dropped and asked again.
	DependsOn []string
	// Hidden steps (consent) are not shown in the summary and cannot be edited.
	Hidden bool
	// Preset, when set and returning ok, fixes the answer without asking (a
	// role given by an invite link): it is shown in the summary but has no
	// edit button. It is evaluated again whenever the form moves on, so it
	// follows the answers it is computed from. A Hidden step with a Preset is
	// computed (an XLSForm calculate): never asked, never shown, and without
	// an answer while Preset gives none.
	Preset func(c *Ctx) (Value, bool)
	// Check validates a parsed answer further (also a several-choice or
	// photos answer at "done"); return an *InputError to refuse (Refuse,
	// Refusal).
	Check func(c *Ctx, v Value) error
	// Caption, when > 0, lets a text step be answered with a photo too: the
	// photo goes in Photos and its caption (0..Caption characters, no
	// Pattern) in Text.
	Caption int
}

func (s *Step) label() string {
	if s.Label != "" {
		return s.Label
	}
	return s.Prompt + ".label"
}

// Flow is a form declared as data: steps in order, then a summary with an edit
// button per field and "save", then Save.
type Flow struct {
	// Name identifies the flow in stored state; never rename a deployed flow.
	Name string
	// Title is the catalogue key of the summary's heading; TitleText, when
	// set, is the heading as literal text per language (shown escaped).
	Title     string
	TitleText map[i18n.Lang]string
	Steps     []Step
	// Save runs when the person confirms the summary; the draft is then deleted.
	Save func(c *Ctx) error
	// NoSummary flows save as soon as the last step is answered or skipped,
	// without a summary: for one quick question (the reason after declining
	// a meeting). Left idle, they are closed quietly at the reminder time,
	// without a reminder or an "expired" message.
	NoSummary bool
	// Flagged, when set, names the fields the summary points out with ⚠️
	// (before the line and on the edit button): fields someone asked to be
	// fixed and not yet changed, say. It runs at every summary.
	Flagged func(c *Ctx) (map[string]bool, error)

	index map[string]int
}

// step returns the step named key.
func (f *Flow) step(key string) (*Step, bool) {
	i, ok := f.index[key]
	if !ok {
		return nil, false
	}
	return &f.Steps[i], true
}

// validate checks a declaration once, at New, so a broken flow stops the bot at
// start instead of failing in someone's chat.
func (f *Flow) validate() error {
	if f.Name == "" || strings.ContainsAny(f.Name, " \t\n") || len(f.Name) > 100 {
		return fmt.Errorf("flow %q: bad name", f.Name)
	}
	if f.Save == nil {
		return fmt.Errorf("flow %s: no Save", f.Name)
	}
	if len(f.Steps) == 0 {
		return fmt.Errorf("flow %s: no steps", f.Name)
	}
	if err := needText(f.TitleText, f.Title); err != nil {
		return fmt.Errorf("flow %s: title: %w", f.Name, err)
	}
	f.index = make(map[string]int, len(f.Steps))
	for i := range f.Steps {
		s := &f.Steps[i]
		if err := s.validate(f.index); err != nil {
			return fmt.Errorf("flow %s: step %d (%s): %w", f.Name, i, s.Key, err)
		}
		f.index[s.Key] = i
	}
	return nil
}

func (s *Step) validate(earlier map[string]int) error {
	if s.Key == "" || s.Key == summaryStep || strings.ContainsAny(s.Key, ": ") || len(s.Key) > maxArg {
		return fmt.Errorf("bad key")
	}
	if _, dup := earlier[s.Key]; dup {
		return fmt.Errorf("duplicate key")
	}
	if _, ok := kindNames[s.Input]; !ok {
		return fmt.Errorf("unknown input kind %d", s.Input)
	}
	if !s.computed() {
		if err := needText(s.PromptText, s.Prompt); err != nil {
			return fmt.Errorf("prompt: %w", err)
		}
	}
	if !s.Hidden && s.Input != InputNote && len(s.LabelText) == 0 && len(s.PromptText) == 0 {
		if err := NeedKey(s.label()); err != nil {
			return fmt.Errorf("label: %w", err)
		}
	}
	if s.Input == InputNote && s.Optional {
		return fmt.Errorf("an optional note")
	}
	if s.MinFloat != nil && s.MaxFloat != nil && *s.MaxFloat < *s.MinFloat {
		return fmt.Errorf("bad bounds %g..%g", *s.MinFloat, *s.MaxFloat)
	}
	if s.PageSize < 0 {
		return fmt.Errorf("bad page size %d", s.PageSize)
	}
	if s.Pattern != nil {
		if err := NeedKey(s.PatternHint); err != nil {
			return fmt.Errorf("pattern hint: %w", err)
		}
	}
	for _, d := range s.DependsOn {
		if _, ok := earlier[d]; !ok {
			return fmt.Errorf("depends on %q, which is not an earlier step", d)
		}
	}
	switch s.Input {
	case InputChoice, InputMulti:
		if (len(s.Options) == 0) == (s.OptionsFrom == nil) {
			return fmt.Errorf("a choice needs exactly one of Options and OptionsFrom")
		}
		if err := checkOptions(s.Options); err != nil {
			return err
		}
	default:
		if len(s.Options) > 0 || s.OptionsFrom != nil || s.Match != nil {
			return fmt.Errorf("options on a %s step", s.Input)
		}
	}
	if s.Caption != 0 && (s.Input != InputText || s.Caption < 0) {
		return fmt.Errorf("a photo caption on a %s step", s.Input)
	}
	switch s.Input {
	case InputText, InputName, InputNumber, InputMulti, InputPhotos:
		if s.Max < s.Min || (s.Max == 0 && s.Input != InputNumber) {
			return fmt.Errorf("bad bounds %d..%d", s.Min, s.Max)
		}
	}
	return nil
}

// checkOptions is used at declaration and for computed options, so a value that
// would not fit in callback_data is caught wherever it comes from.
func checkOptions(opts []Option) error {
	seen := map[string]bool{}
	for _, o := range opts {
		if o.Value == "" || len(o.Value) > maxArg || !alnum(o.Value, "._-") {
			return fmt.Errorf("option value %q does not fit in callback data", o.Value)
		}
		if seen[o.Value] {
			return fmt.Errorf("duplicate option %q", o.Value)
		}
		seen[o.Value] = true
		if o.Key == "" && o.Text == "" {
			return fmt.Errorf("option %q has no label", o.Value)
		}
		if o.Key != "" {
			if err := NeedKey(o.Key); err != nil {
				return fmt.Errorf("option %q: %w", o.Value, err)
			}
		}
	}
	return nil
}

// needText checks a text given either literally (one language at least) or
// as a catalogue key.
func needText(literal map[i18n.Lang]string, key string) error {
	for _, t := range literal {
		if strings.TrimSpace(t) != "" {
			return nil
		}
	}
	if len(literal) > 0 {
		return fmt.Errorf("empty literal text")
	}
	return NeedKey(key)
}

// NeedKey checks that every catalogue has key, so a declaration naming a
// missing text stops the bot at start.
func NeedKey(key string) error {
	for _, l := range i18n.Langs {
		if !hasText(l, key) {
			return fmt.Errorf("no text %q in %s", key, l)
		}
	}
	return nil
}

func hasText(l i18n.Lang, key string) bool {
	for _, k := range i18n.Keys(l) {
		if k == key {
			return true
		}
	}
	return false
}
