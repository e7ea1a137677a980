package engine

import (
	"errors"
	"fmt"
	"html"
	"strings"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/parse"
	"dinsosbot/store"
)

// Value is one answer of a flow.
type Value struct {
	// Text holds text, a chosen option's value, "yes"/"no", a date (YYYY-MM-DD),
	// a time (HH:MM), a number or a phone number.
	Text string `json:"t,omitempty"`
	// List holds the values of a several-choice step.
	List []string `json:"l,omitempty"`
	// Photos holds the photos of a photos step.
	Photos []Photo `json:"p,omitempty"`
	// Audio holds a voice note or audio file: its Telegram file id, which
	// the host downloads if it keeps media.
	Audio *Audio `json:"au,omitempty"`
	// Lat and Lon hold a location.
	Lat float64 `json:"la,omitempty"`
	Lon float64 `json:"lo,omitempty"`
	// Skipped marks an optional step the person skipped.
	Skipped bool `json:"s,omitempty"`
}

func (v Value) equal(o Value) bool {
	return v.Text == o.Text && strings.Join(v.List, "\x00") == strings.Join(o.List, "\x00") &&
		v.Lat == o.Lat && v.Lon == o.Lon && v.Skipped == o.Skipped && len(v.Photos) == len(o.Photos) &&
		(v.Audio == nil) == (o.Audio == nil) && (v.Audio == nil || v.Audio.FileUniqueID == o.Audio.FileUniqueID)
}

// Answers are a flow's answers by step key.
type Answers map[string]Value

// Text is the Text of the answer to key, "" when unanswered or skipped.
func (a Answers) Text(key string) string { return a[key].Text }

// Has reports whether key was answered (skipping counts as an answer).
func (a Answers) Has(key string) bool {
	_, ok := a[key]
	return ok
}

// Ctx is what a flow's functions get: the transaction, the event, the person and
// their language, and the flow's answers and variables.
type Ctx struct {
	Tx   *store.Tx
	Ev   Event
	User store.User
	Lang i18n.Lang
	// Answers and Vars are the open flow's (nil outside a flow). Vars carry
	// context the flow was started with (an invite id, for example).
	Answers Answers
	Vars    map[string]string
	// Env is the host's own context (the domain's app), for a flow's
	// functions to read back; the engine never looks at it.
	Env any

	// shown is the open flow's answer to a step as the person sees it
	// (Shown).
	shown func(key string) string

	answered bool
	// holding: a form step is being answered, so Reply keeps its texts in
	// held for the next prompt (a warning, "NIK received") instead of
	// sending a message of their own; any other message to the chat sends
	// them first, so the order stays as written.
	holding bool
	held    []string
	// unreply: a form closed while a contact or location keyboard of it may
	// still show; the next plain message to the chat takes it away.
	unreply bool
}

// Shown is the answer to step key of the open flow as the person sees it,
// as plain text (a choice's label in their language, labels joined, a date
// as shown); "" when unanswered, skipped or outside a flow.
func (c *Ctx) Shown(key string) string {
	if c.shown == nil {
		return ""
	}
	return c.shown(key)
}

// T returns the text for key in the person's language.
func (c *Ctx) T(key string, args ...string) string { return i18n.T(c.Lang, key, args...) }

// Send enqueues m, in the event's chat unless m.ChatID is set, and returns the
// outbox id.
func (c *Ctx) Send(m store.Message) (int64, error) {
	if m.ChatID == 0 {
		m.ChatID = c.Ev.ChatID
	}
	if m.ChatID == c.Ev.ChatID && newMessage(m.Kind) {
		if err := c.flushHeld(); err != nil {
			return 0, err
		}
		if c.unreply && (m.Kind == "" || m.Kind == store.KindSend) && len(m.Buttons) == 0 && m.Reply == nil {
			m.RemoveReply, c.unreply = true, false
		}
	}
	id, err := c.Tx.Enqueue(m)
	if err != nil {
		return 0, fmt.Errorf("send to %d: %w", m.ChatID, err)
	}
	return id, nil
}

// Reply sends text (HTML, already escaped where needed) in the event's chat;
// while a form step is answered, it goes before the next prompt, in the same
// message.
func (c *Ctx) Reply(text string) error {
	if c.holding {
		c.held = append(c.held, text)
		return nil
	}
	_, err := c.Send(store.Message{Text: text})
	return err
}

// takeHeld returns the texts held for the next prompt and forgets them.
func (c *Ctx) takeHeld() []string {
	h := c.held
	c.held = nil
	return h
}

// flushHeld sends the held texts, when no prompt takes them.
func (c *Ctx) flushHeld() error {
	h := c.takeHeld()
	if len(h) == 0 {
		return nil
	}
	_, err := c.Send(store.Message{Text: strings.Join(h, "\n\n")})
	return err
}

// newMessage reports whether k puts a new message in the chat.
func newMessage(k store.Kind) bool {
	switch k {
	case "", store.KindSend, store.KindPhoto, store.KindDocument, store.KindLocation:
		return true
	}
	return false
}

// Answer answers the event's callback query once, with an optional short text.
func (c *Ctx) Answer(text string) error {
	if c.Ev.CallbackID == "" || c.answered {
		return nil
	}
	c.answered = true
	_, err := c.Send(store.Message{Kind: store.KindAnswerCallback, CallbackID: c.Ev.CallbackID, Text: text})
	return err
}

// InputError is an answer refused with a reason a person can act on: Key is the
// catalogue text, Args its placeholders (already escaped).
type InputError struct {
	Key  string
	Args []string
	// Text, when set, is the reason as literal text, already escaped (see
	// Refusal); Key is then unused.
	Text string
}

func (e *InputError) Error() string {
	if e.Text != "" {
		return "input refused: " + e.Text
	}
	return "input refused: " + e.Key
}

// refuse builds an *InputError.
func refuse(key string, args ...string) *InputError { return &InputError{Key: key, Args: args} }

// fromParse turns a parser's *parse.Error into an *InputError with the catalogue
// text "err.<code>"; its parameters come from what the person typed, so they are
// escaped here.
func fromParse(err error) error {
	var pe *parse.Error
	if !errors.As(err, &pe) {
		return err
	}
	args := make([]string, 0, 2*len(pe.Param))
	for k, v := range pe.Param {
		args = append(args, k, html.EscapeString(v))
	}
	return refuse("err."+pe.Code, args...)
}

// Refuse builds an *InputError: an answer refused with the catalogue text key
// and its placeholders (already escaped).
func Refuse(key string, args ...string) *InputError { return refuse(key, args...) }

// FromParse turns a parser's *parse.Error into an *InputError ("err.<code>"),
// escaping its parameters; any other error is returned as is.
func FromParse(err error) error { return fromParse(err) }

// Answered reports whether the event's callback query was answered already:
// a second answer would show nothing, so a refusal then goes in a message.
func (c *Ctx) Answered() bool { return c.answered }
