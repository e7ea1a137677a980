// Package flows decides what the bot does: it turns one transport-neutral Event
// into changes in the store and replies in the outbox, inside the transaction the
// runtime gives it. It never imports the Telegram library. The conversation
// engine it runs its forms on is package flows/engine; the names below keep the
// domain written in the engine's terms without qualifying each one.
package flows

import (
	"unicode/utf8"

	"dinsosbot/flows/engine"
	"dinsosbot/store"
)

// The engine's types, under the names the domain has always used.
type (
	Ctx        = engine.Ctx
	Event      = engine.Event
	EventKind  = engine.EventKind
	Location   = engine.Location
	Contact    = engine.Contact
	Photo      = engine.Photo
	Document   = engine.Document
	Audio      = engine.Audio
	Flow       = engine.Flow
	Step       = engine.Step
	Option     = engine.Option
	InputKind  = engine.InputKind
	Value      = engine.Value
	Answers    = engine.Answers
	InputError = engine.InputError

	session = engine.Session
)

// The kinds of event the runtime delivers.
const (
	EventMessage  = engine.EventMessage
	EventCallback = engine.EventCallback
	EventMember   = engine.EventMember
)

// The input kinds a step can ask for.
const (
	InputText     = engine.InputText
	InputName     = engine.InputName
	InputNumber   = engine.InputNumber
	InputDate     = engine.InputDate
	InputTime     = engine.InputTime
	InputChoice   = engine.InputChoice
	InputMulti    = engine.InputMulti
	InputYesNo    = engine.InputYesNo
	InputContact  = engine.InputContact
	InputLocation = engine.InputLocation
	InputPhotos   = engine.InputPhotos
)

// newEngine returns the engine the app's flows run on, answering to the
// commands that gate them.
func (a *App) newEngine() *engine.Engine {
	return engine.New(engine.Host{
		Allow: func(f *Flow, u store.User) bool { return a.gateAllows(f, u) },
		Deny: func(c *Ctx, f *Flow, step string) error {
			return a.deny(c, "/"+a.gateOf(f).name+" "+f.Name+"/"+step)
		},
		DraftCase:  draftCase,
		Ended:      a.countEnded,
		Location:   a.cfg.Location,
		LookupFlow: a.lookupFlow,
	})
}

// lookupFlow finds a flow that is not built in (a form published at run
// time) by the name its draft was stored with, validated.
func (a *App) lookupFlow(tx *store.Tx, name string) (*Flow, bool, error) {
	return a.resolveFormFlow(tx, name)
}

// appOf is the App a flow's function runs in.
func appOf(c *Ctx) *App { return c.Env.(*App) }

// gateAllows reports whether u still passes the rule of the command that
// gates f; a flow no command gates is open to everyone.
func (a *App) gateAllows(f *Flow, u store.User) bool {
	g := a.gateOf(f)
	return g == nil || g.allow == nil || g.allow(u)
}

// startFlow opens flow f for the event's chat and user with vars and prefilled
// answers; atSummary starts at the summary (editing existing data).
func (a *App) startFlow(c *Ctx, f *Flow, vars map[string]string, prefill Answers, atSummary bool) error {
	return a.eng.Start(c, f, vars, prefill, atSummary)
}

// startEditing opens flow f at the summary, asking field key first (see
// engine.StartEditing).
func (a *App) startEditing(c *Ctx, f *Flow, vars map[string]string, prefill Answers, key, note string) error {
	return a.eng.StartEditing(c, f, vars, prefill, key, note)
}

func (a *App) loadSession(c *Ctx) (*session, bool, error) { return a.eng.Load(c) }

func (a *App) takeKeyboard(c *Ctx, s *session) error { return a.eng.TakeKeyboard(c, s) }

func (a *App) cancel(c *Ctx, s *session, key string) error { return a.eng.Cancel(c, s, key) }

// stale answers a button that is no longer active.
func (a *App) stale(c *Ctx) error { return c.Answer(c.T("flow.stale")) }

func refuse(key string, args ...string) *InputError { return engine.Refuse(key, args...) }

func fromParse(err error) error { return engine.FromParse(err) }

// clip shortens s to n characters for quoting it back.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
