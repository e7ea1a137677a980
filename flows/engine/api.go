// Package engine runs conversations: a Flow declared as data (steps with an
// input kind each, then a summary with an edit button per field and "save") is
// asked one step at a time, with the same moves in every flow (back, skip,
// cancel, edit from the summary), drafts stored in the conversation row so they
// survive restarts, and buttons that cannot be pressed twice. It knows nothing
// of the domain: what it needs from the application comes through Host.
package engine

import (
	"fmt"
	"time"

	"dinsosbot/store"
)

// Host is what the engine needs from the application; every field is optional.
type Host struct {
	// Allow reports whether u may still go on with flow f (a role taken away
	// while a draft was open); nil allows everyone.
	Allow func(f *Flow, u store.User) bool
	// Deny records and tells a refusal by Allow (at step of f); the engine then
	// closes the draft and says so.
	Deny func(c *Ctx, f *Flow, step string) error
	// DraftCase names the case a draft of flow is about (0 for none), stored
	// with the conversation so erasing the case erases the draft.
	DraftCase func(flow string, vars map[string]string) int64
	// Ended is told when a conversation ends: completed, or not and why (a
	// catalogue key).
	Ended func(flow string, completed bool, key string)
	// Location is the zone "today" is taken in; UTC when nil.
	Location *time.Location
	// LookupFlow finds a flow that is not registered, by the name a stored
	// conversation gives (forms built from the database, named like
	// "xf:<form_id>:<version>"): an open draft keeps its flow's name, so it
	// finishes on the version it started. It returns a flow that passed
	// Validate (check once, then cache), or false when there is none (the
	// draft is then dropped).
	LookupFlow func(tx *store.Tx, name string) (*Flow, bool, error)
}

// Engine runs the registered flows. It holds no mutable state once the flows
// are registered: everything else is in the store.
type Engine struct {
	host  Host
	flows map[string]*Flow
}

// New returns an engine working for host.
func New(host Host) *Engine {
	return &Engine{host: host, flows: map[string]*Flow{}}
}

// Register validates f and makes it the flow of its name. It fails on a
// broken declaration or a name already taken.
func (e *Engine) Register(f *Flow) error {
	if err := f.validate(); err != nil {
		return err
	}
	if _, dup := e.flows[f.Name]; dup {
		return fmt.Errorf("flow %s declared twice", f.Name)
	}
	e.flows[f.Name] = f
	return nil
}

// Validate checks a flow's declaration (keys, texts, bounds, options) and
// readies it for use; a flow built at run time is validated once before it is
// started or returned by Host.LookupFlow.
func (e *Engine) Validate(f *Flow) error { return f.validate() }

// lookup returns the flow a stored conversation names: a registered one, else
// the host's.
func (e *Engine) lookup(tx *store.Tx, name string) (*Flow, bool, error) {
	if f, ok := e.flows[name]; ok {
		return f, true, nil
	}
	if e.host.LookupFlow == nil {
		return nil, false, nil
	}
	f, ok, err := e.host.LookupFlow(tx, name)
	if err != nil || !ok {
		return nil, false, err
	}
	if f.index == nil || f.Name != name {
		return nil, false, fmt.Errorf("flow %s: not validated, or named %q", name, f.Name)
	}
	return f, true, nil
}

func (e *Engine) location() *time.Location {
	if e.host.Location == nil {
		return time.UTC
	}
	return e.host.Location
}

func (e *Engine) ended(flow string, completed bool, key string) {
	if e.host.Ended != nil {
		e.host.Ended(flow, completed, key)
	}
}

// Start opens flow f for the event's chat and user with vars and prefilled
// answers; atSummary starts at the summary (editing existing data).
func (e *Engine) Start(c *Ctx, f *Flow, vars map[string]string, prefill Answers, atSummary bool) error {
	if f.index == nil {
		return fmt.Errorf("start flow %s: not validated", f.Name)
	}
	return e.startFlow(c, f, vars, prefill, atSummary)
}

// StartEditing opens flow f like Start at the summary, but asks field key
// first, as if its edit button had been pressed there: answering it (and what
// depended on it) returns to the summary. note goes before the question. A key
// that is not a visible question of the form shows the summary instead.
func (e *Engine) StartEditing(c *Ctx, f *Flow, vars map[string]string, prefill Answers, key, note string) error {
	if f.index == nil {
		return fmt.Errorf("start flow %s: not validated", f.Name)
	}
	return e.startEditing(c, f, vars, prefill, key, note)
}

// Load returns the conversation open in the event's chat for its user, if
// any. A conversation of a flow that no longer exists is dropped.
func (e *Engine) Load(c *Ctx) (*Session, bool, error) { return e.loadSession(c) }

// OnMessage reads a message as the answer to the open conversation; handled
// is false when none is open.
func (e *Engine) OnMessage(c *Ctx) (handled bool, err error) {
	s, open, err := e.loadSession(c)
	if err != nil || !open {
		return false, err
	}
	return true, e.Answer(c, s)
}

// Answer reads a message as the answer to s's current step.
func (e *Engine) Answer(c *Ctx, s *Session) error { return e.onMessage(c, s) }

// OnCallback acts on a pressed button of kind CallbackKind (handled is false
// for any other kind). A button of no open conversation, or of an earlier
// prompt, is answered as stale and changes nothing.
func (e *Engine) OnCallback(c *Ctx, cb Callback) (handled bool, err error) {
	if cb.Kind != CallbackKind {
		return false, nil
	}
	return true, e.onFlowCallback(c, cb)
}

// Reprompt asks s's current question (or shows its summary) again, after
// note: after a restart, or when another command came in between.
func (e *Engine) Reprompt(c *Ctx, s *Session, note string) error {
	if s.Step == summaryStep {
		return e.showSummary(c, s, note)
	}
	return e.prompt(c, s, note)
}

// TakeKeyboard takes the buttons off s's last prompt, before the host closes
// the conversation by other means.
func (e *Engine) TakeKeyboard(c *Ctx, s *Session) error { return e.takeKeyboard(c, s) }

// Cancel ends s without saving and says so with the catalogue text key.
func (e *Engine) Cancel(c *Ctx, s *Session, key string) error { return e.cancel(c, s, key) }

// Back re-asks the previous step of s (/kembali), if the person may still
// fill it in.
func (e *Engine) Back(c *Ctx, s *Session) error {
	if ok, err := e.authorized(c, s); !ok || err != nil {
		return err
	}
	return e.back(c, s)
}

// Skip leaves s's current step empty when it is optional (/lewati), if the
// person may still fill it in.
func (e *Engine) Skip(c *Ctx, s *Session) error {
	if ok, err := e.authorized(c, s); !ok || err != nil {
		return err
	}
	return e.skip(c, s)
}

// Def is the flow s is a conversation of.
func (s *Session) Def() *Flow { return s.flow }

// Save stores s (after the host changed its row, say Reminded); touch
// postpones its expiry.
func (s *Session) Save(tx *store.Tx, touch bool) error { return s.save(tx, touch) }

// Find returns f's step named key.
func (f *Flow) Find(key string) (*Step, bool) { return f.step(key) }

// LabelKey is the catalogue key of the step's name in the summary.
func (s *Step) LabelKey() string { return s.label() }
