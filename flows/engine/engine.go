package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"

	"dinsosbot/store"
)

// summaryStep is the step name of a flow's summary.
const summaryStep = "_summary"

// state is what a conversation stores besides its step: everything needed to
// resume after a restart.
type state struct {
	Answers Answers           `json:"a"`
	History []string          `json:"h,omitempty"` // steps answered, for /kembali
	Vars    map[string]string `json:"v,omitempty"`
	// Editing: a field is being changed from the summary; answering it returns there.
	Editing bool `json:"e,omitempty"`
	// Draft collects a several-choice or photos answer until "done".
	Draft *Value `json:"d,omitempty"`
	// Page is the page of a long choice's options shown, at step PageOf.
	Page   int    `json:"pg,omitempty"`
	PageOf string `json:"po,omitempty"`
	// PromptKB: the last prompt still shows an inline keyboard to take away.
	PromptKB bool `json:"k,omitempty"`
	// PromptText is the last prompt's text, to edit it when a button is chosen.
	PromptText string `json:"pt,omitempty"`
	// PromptMsg is the Telegram id of the last prompt once known (a prompt
	// edited into a pressed message, or pressed): a press on any other
	// message is stale, whatever it carries.
	PromptMsg int `json:"pm,omitempty"`
	// ReplyKB: a contact or location keyboard was shown and not yet taken
	// away; the next prompt that is a plain new message takes it away, so
	// the step after one costs no message of its own.
	ReplyKB bool `json:"rk,omitempty"`
	// PromptKeep: the last prompt carries a text held during the step (a
	// warning about an answer, a masked NIK): it stays in the chat, so the
	// next prompt is not edited into it.
	PromptKeep bool `json:"pk,omitempty"`
}

// Session is an open conversation with its flow. Its exported fields are the
// stored row's; the rest is the engine's.
type Session struct {
	store.Conversation
	flow *Flow
	st   state
	e    *Engine
	// pressed is the prompt whose button this update pressed (its Telegram
	// id), while it still shows the question: the next prompt is edited
	// into it, so a step answered by a button costs one call. chosen is
	// what was pressed, for the record left in it when it cannot be reused.
	pressed int
	chosen  string
	// echo is the first line of the next prompt: the answer just accepted.
	echo string
	// leave is said when the person leaves a contact or location step
	// without using its keyboard (/lewati, /kembali): that keyboard is still
	// open and goes away with this text, in the next prompt when it can
	// carry the removal, else in a message of its own.
	leave string
}

func (e *Engine) loadSession(c *Ctx) (*Session, bool, error) {
	conv, ok, err := c.Tx.Conversation(c.Ev.ChatID, c.Ev.UserID)
	if err != nil || !ok {
		return nil, false, err
	}
	f, known, err := e.lookup(c.Tx, conv.Flow)
	if err != nil {
		return nil, false, err
	}
	if !known {
		// A flow removed in a new version: drop its draft rather than fail forever.
		return nil, false, c.Tx.DeleteConversation(conv.ChatID, conv.UserID)
	}
	s := &Session{Conversation: conv, flow: f, e: e}
	if err := json.Unmarshal([]byte(conv.Data), &s.st); err != nil {
		return nil, false, fmt.Errorf("conversation %d/%d: %w", conv.ChatID, conv.UserID, err)
	}
	if s.st.Answers == nil {
		s.st.Answers = Answers{}
	}
	s.bind(c)
	return s, true, nil
}

func (s *Session) save(tx *store.Tx, touch bool) error {
	b, err := json.Marshal(s.st)
	if err != nil {
		return fmt.Errorf("save conversation: %w", err)
	}
	s.Data = string(b)
	if s.e.host.DraftCase != nil {
		s.CaseID = s.e.host.DraftCase(s.Flow, s.st.Vars)
	}
	return tx.SaveConversation(s.Conversation, touch)
}

// startFlow opens flow f for the event's chat and user with vars and prefilled
// answers; atSummary starts at the summary (editing existing data).
func (e *Engine) startFlow(c *Ctx, f *Flow, vars map[string]string, prefill Answers, atSummary bool) error {
	s := e.newSession(c, f, vars, prefill)
	if atSummary {
		return e.showSummary(c, s, "")
	}
	return e.advance(c, s, "")
}

// startEditing opens flow f like startFlow at the summary, but asks field key
// first, as if its edit button had been pressed there: answering it (and what
// depended on it) returns to the summary. note goes before the question. A key
// that is not a visible question of the form shows the summary instead.
func (e *Engine) startEditing(c *Ctx, f *Flow, vars map[string]string, prefill Answers, key, note string) error {
	s := e.newSession(c, f, vars, prefill)
	if i, ok := f.index[key]; ok && f.Steps[i].shown() && s.asked(c, i) {
		s.Step, s.st.Editing = key, true
		return e.prompt(c, s, note)
	}
	return e.showSummary(c, s, note)
}

func (e *Engine) newSession(c *Ctx, f *Flow, vars map[string]string, prefill Answers) *Session {
	s := &Session{flow: f, st: state{Answers: Answers{}, Vars: vars}, e: e}
	s.ChatID, s.UserID, s.Flow = c.Ev.ChatID, c.Ev.UserID, f.Name
	for k, v := range prefill {
		s.st.Answers[k] = v
	}
	s.bind(c)
	return s
}

// bind makes c the open flow's: its answers, variables and Shown.
func (s *Session) bind(c *Ctx) {
	c.Answers, c.Vars = s.st.Answers, s.st.Vars
	c.shown = func(key string) string {
		v, ok := s.st.Answers[key]
		step, known := s.flow.step(key)
		if !ok || !known || v.Skipped {
			return ""
		}
		shown, err := s.e.display(c, step, v)
		if err != nil {
			// An answer that cannot be shown (a stored value the step no
			// longer reads) pipes as nothing rather than breaking the prompt.
			slog.Warn("flow answer not shown", "flow", s.flow.Name, "step", key, "err", err)
			return ""
		}
		return html.UnescapeString(shown)
	}
}

// applicable reports whether step i is part of the form given the answers so far.
func (s *Session) applicable(c *Ctx, i int) bool {
	st := &s.flow.Steps[i]
	return st.If == nil || st.If(c)
}

// preset returns step i's fixed answer, when its Preset gives one.
func (s *Session) preset(c *Ctx, i int) (Value, bool) {
	st := &s.flow.Steps[i]
	if st.Preset == nil {
		return Value{}, false
	}
	return st.Preset(c)
}

// asked reports whether step i is a question to ask: applicable, not
// computed and not preset.
func (s *Session) asked(c *Ctx, i int) bool {
	if s.flow.Steps[i].computed() || !s.applicable(c, i) {
		return false
	}
	_, fixed := s.preset(c, i)
	return !fixed
}

// advance moves to the next step: in order after the current one, or, when
// editing from the summary, the first unanswered one (a changed kecamatan has
// dropped the kelurahan); the summary when nothing is left.
func (e *Engine) advance(c *Ctx, s *Session, note string) error {
	for i := range s.flow.Steps {
		key := s.flow.Steps[i].Key
		if !s.applicable(c, i) {
			delete(s.st.Answers, key)
		} else if v, ok := s.preset(c, i); ok {
			s.st.Answers[key] = v
		} else if s.flow.Steps[i].computed() {
			delete(s.st.Answers, key) // nothing to compute from (any more)
		}
	}
	from := -1
	if i, ok := s.flow.index[s.Step]; ok && !s.st.Editing {
		from = i
	}
	next := ""
	for i := from + 1; i < len(s.flow.Steps) && next == "" && !s.st.Editing; i++ {
		if s.asked(c, i) {
			next = s.flow.Steps[i].Key
		}
	}
	for i := range s.flow.Steps {
		if next == "" && s.asked(c, i) && !s.st.Answers.Has(s.flow.Steps[i].Key) {
			next = s.flow.Steps[i].Key
		}
	}
	if next == "" && s.flow.NoSummary {
		if err := e.takeKeyboard(c, s); err != nil {
			return err
		}
		return e.finish(c, s)
	}
	if next == "" {
		return e.showSummary(c, s, note)
	}
	s.Step = next
	return e.prompt(c, s, note)
}

// accept stores v as the answer to the current step and moves on.
func (e *Engine) accept(c *Ctx, s *Session, step *Step, v Value) error {
	old, had := s.st.Answers[step.Key]
	s.st.Answers[step.Key] = v
	if had && !old.equal(v) {
		s.dropDependents(step.Key)
	}
	echo, err := e.echo(c, step, v)
	if err != nil {
		return err
	}
	s.echo = echo
	if !s.st.Editing {
		s.st.History = append(s.st.History, step.Key)
	}
	s.st.Draft = nil
	return e.advance(c, s, "")
}

// dropDependents forgets the answers that depend on key, transitively.
func (s *Session) dropDependents(key string) {
	for _, st := range s.flow.Steps {
		if slices.Contains(st.DependsOn, key) && s.st.Answers.Has(st.Key) {
			delete(s.st.Answers, st.Key)
			s.dropDependents(st.Key)
		}
	}
}

// echo is the line that confirms answer v to step at the top of the next
// prompt: the person sees what was taken without a message of its own.
func (e *Engine) echo(c *Ctx, step *Step, v Value) (string, error) {
	if step.Input == InputNote {
		return "", nil
	}
	if v.Skipped {
		return c.T("flow.skip.done", "field", step.labelOf(c)), nil
	}
	if step.Input == InputText {
		v.Text = clip(v.Text, maxEchoText)
	}
	shown, err := e.display(c, step, v)
	if err != nil {
		return "", err
	}
	if step.Hidden {
		return c.T("flow.echo.hidden", "value", shown), nil
	}
	return c.T("flow.echo", "field", step.labelOf(c), "value", shown), nil
}

// maxEchoText bounds a typed answer quoted back at the top of the next
// prompt: the person's own message is just above it.
const maxEchoText = 60

// takeKeyboard closes the last prompt so an old button cannot be pressed
// again: a prompt pressed in this update keeps its question and what was
// chosen, without buttons; an earlier one loses its inline keyboard.
func (e *Engine) takeKeyboard(c *Ctx, s *Session) error {
	if s.pressed != 0 {
		text := s.st.PromptText
		if s.chosen != "" {
			text += "\n\n➡️ <b>" + s.chosen + "</b>"
		}
		id := s.pressed
		s.pressed, s.st.PromptKB = 0, false
		_, err := c.Send(store.Message{Kind: store.KindEditText, MessageID: id, Text: text})
		return err
	}
	if !s.st.PromptKB || s.PromptRef == 0 {
		return nil
	}
	s.st.PromptKB = false
	m := store.Message{Kind: store.KindEditButtons, EditOf: s.PromptRef}
	if s.st.PromptMsg != 0 {
		m.EditOf, m.MessageID = 0, s.st.PromptMsg
	}
	_, err := c.Send(m)
	return err
}

// maxPromptText keeps a prompt with its first lines under Telegram's 4096
// characters (counted in UTF-16 units; runes undercount only outside the
// BMP, hence the margin).
const maxPromptText = 4000

// sendPrompt shows a prompt with a fresh nonce and records it as the last
// one. The answer's echo and the texts held during the step go first. A
// prompt after a press replaces the pressed question (one editMessageText):
// only a contact or location keyboard needs a message of its own.
func (e *Engine) sendPrompt(c *Ctx, s *Session, m store.Message) error {
	keep := len(c.held) > 0
	if s.leave != "" {
		if s.echo == s.leave {
			s.echo = ""
		}
		if m.Reply == nil && (s.pressed != 0 || len(m.Buttons) > 0) {
			// A message has room for one keyboard: the removal goes alone.
			if _, err := c.Send(store.Message{Text: s.leave, RemoveReply: true}); err != nil {
				return err
			}
			s.st.ReplyKB = false
		} else {
			c.held = append([]string{s.leave}, c.held...)
			s.st.ReplyKB = true // taken away below, or replaced by m.Reply
		}
		s.leave = ""
	}
	lead := c.takeHeld()
	if s.echo != "" {
		lead = append([]string{s.echo}, lead...)
		s.echo = ""
	}
	if len(lead) > 0 {
		head := strings.Join(lead, "\n\n")
		if utf8.RuneCountInString(head)+2+utf8.RuneCountInString(m.Text) <= maxPromptText {
			m.Text = head + "\n\n" + m.Text
		} else if _, err := c.Send(store.Message{Text: head}); err != nil {
			return err
		}
	}
	if s.pressed != 0 && m.Reply == nil && !s.st.PromptKeep {
		m.Kind, m.MessageID, m.OrSend = store.KindEditText, s.pressed, true
		s.st.PromptMsg, s.pressed = s.pressed, 0
	} else {
		if err := e.takeKeyboard(c, s); err != nil {
			return err
		}
		s.st.PromptMsg = 0
		if m.Reply != nil {
			s.st.ReplyKB = true
		} else if s.st.ReplyKB && len(m.Buttons) == 0 {
			m.RemoveReply, s.st.ReplyKB = true, false
		}
	}
	id, err := c.Send(m)
	if err != nil {
		return err
	}
	s.PromptRef = id
	s.st.PromptKB, s.st.PromptKeep = len(m.Buttons) > 0, keep
	s.st.PromptText = m.Text
	return s.save(c.Tx, true)
}

// prompt asks the current step, after note (an error, "going back") if any.
func (e *Engine) prompt(c *Ctx, s *Session, note string) error {
	step, ok := s.flow.step(s.Step)
	if !ok {
		return fmt.Errorf("flow %s: no step %q", s.flow.Name, s.Step)
	}
	s.Nonce = newNonce()
	m, err := e.promptMessage(c, s, step)
	if err != nil {
		return fmt.Errorf("flow %s step %s: %w", s.flow.Name, step.Key, err)
	}
	if note != "" {
		m.Text = note + "\n\n" + m.Text
	}
	return e.sendPrompt(c, s, m)
}

// showSummary shows every visible answer with an edit button each, and save.
func (e *Engine) showSummary(c *Ctx, s *Session, note string) error {
	s.Step, s.st.Editing, s.st.Draft = summaryStep, false, nil
	s.echo = "" // the summary lists every answer
	s.Nonce = newNonce()
	var flagged map[string]bool
	if s.flow.Flagged != nil {
		var err error
		if flagged, err = s.flow.Flagged(c); err != nil {
			return err
		}
	}
	text, err := e.summaryText(c, s.flow, s.st.Answers, flagged)
	if err != nil {
		return err
	}
	if len(flagged) > 0 {
		text += "\n\n" + c.T("flow.summary.flagged")
	}
	text += "\n\n" + c.T("flow.summary.hint")
	if note != "" {
		text = note + "\n\n" + text
	}
	var row []store.Button
	var rows [][]store.Button
	for i, st := range s.flow.Steps {
		if !st.shown() || !s.asked(c, i) {
			continue
		}
		d, err := data(s.Nonce, opEdit, st.Key)
		if err != nil {
			return err
		}
		label := st.buttonLabel(c)
		if flagged[st.Key] {
			label = "⚠️ " + label
		}
		row = append(row, store.Button{Text: "✏️ " + label, Data: d})
		if len(row) == 2 {
			rows, row = append(rows, row), nil
		}
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	save, err := data(s.Nonce, opSave, "")
	if err != nil {
		return err
	}
	cancel, err := data(s.Nonce, opCancel, "")
	if err != nil {
		return err
	}
	rows = append(rows, []store.Button{{Text: c.T("flow.btn.save"), Data: save}, {Text: c.T("flow.btn.cancel"), Data: cancel}})
	return e.sendPrompt(c, s, store.Message{Text: text, Buttons: rows})
}

// summaryText lists the visible answers of f, one "label: value" per line,
// with ⚠️ before the flagged ones.
func (e *Engine) summaryText(c *Ctx, f *Flow, ans Answers, flagged map[string]bool) (string, error) {
	text := "<b>" + f.TitleIn(c.Lang) + "</b>\n"
	for _, st := range f.Steps {
		v, ok := ans[st.Key]
		if !st.shown() || !ok {
			continue
		}
		shown, err := e.display(c, &st, v)
		if err != nil {
			return "", err
		}
		mark := ""
		if flagged[st.Key] {
			mark = "⚠️ "
		}
		text += "\n" + mark + st.labelOf(c) + ": <b>" + shown + "</b>"
	}
	return text, nil
}

// onMessage handles a message sent while a flow is open.
func (e *Engine) onMessage(c *Ctx, s *Session) error {
	return e.holding(c, func() error { return e.answerStep(c, s) })
}

// holding runs a step with c.Reply held for the next prompt, and sends what
// no prompt took.
func (e *Engine) holding(c *Ctx, step func() error) error {
	c.holding = true
	err := step()
	c.holding = false
	if err != nil {
		return err
	}
	return c.flushHeld()
}

// answerStep reads a message as the answer to the open step.
func (e *Engine) answerStep(c *Ctx, s *Session) error {
	if ok, err := e.authorized(c, s); !ok || err != nil {
		return err
	}
	if s.Step == summaryStep {
		return e.showSummary(c, s, c.T("flow.summary.use_buttons"))
	}
	step, ok := s.flow.step(s.Step)
	if !ok {
		return fmt.Errorf("flow %s: no step %q", s.flow.Name, s.Step)
	}
	if step.Input == InputPhotos && c.Ev.Photo != nil {
		return e.addPhoto(c, s, step)
	}
	if step.Input == InputNote {
		return e.accept(c, s, step, Value{})
	}
	v, err := e.read(c, s, step)
	var ie *InputError
	if errors.As(err, &ie) {
		return e.prompt(c, s, "⚠️ "+c.RefusalText(ie)+e.example(c, step))
	}
	if err != nil {
		return err
	}
	// A contact or location keyboard is taken away by the next plain prompt
	// (ReplyKB), or by the message that closes the form.
	return e.accept(c, s, step, v)
}

// cancel ends the flow without saving.
func (e *Engine) cancel(c *Ctx, s *Session, key string) error {
	if err := e.takeKeyboard(c, s); err != nil {
		return err
	}
	if err := c.Tx.DeleteConversation(s.ChatID, s.UserID); err != nil {
		return err
	}
	if _, err := c.Send(store.Message{Text: c.T(key), RemoveReply: true}); err != nil {
		return err
	}
	e.ended(s.flow.Name, false, key)
	return nil
}

// authorized checks the person against the rule of the command that gates the
// open flow (Host.Allow). The command checked it when the flow opened, but a role
// can be taken away while the draft is open, and a draft must not outlive the
// right that opened it: whoever lost the right gets the command's refusal
// (audited), the draft is closed and nothing is saved. It reports whether the
// flow may go on.
func (e *Engine) authorized(c *Ctx, s *Session) (bool, error) {
	if e.host.Allow == nil || e.host.Allow(s.flow, c.User) {
		return true, nil
	}
	if err := e.takeKeyboard(c, s); err != nil {
		return false, err
	}
	if err := c.Tx.DeleteConversation(s.ChatID, s.UserID); err != nil {
		return false, fmt.Errorf("close flow %s of user %d: %w", s.flow.Name, s.UserID, err)
	}
	if e.host.Deny != nil {
		if err := e.host.Deny(c, s.flow, s.Step); err != nil {
			return false, err
		}
	}
	// Also in the chat when it was a button: a toast is easily missed, and the
	// form that was on screen is gone. RemoveReply drops a contact or location
	// keyboard, as cancel does.
	if _, err := c.Send(store.Message{Text: c.T("flow.denied", "title", s.flow.TitleIn(c.Lang)), RemoveReply: true}); err != nil {
		return false, err
	}
	e.ended(s.flow.Name, false, "flow.denied")
	return false, nil
}

// back re-asks the previous step, showing its answer.
func (e *Engine) back(c *Ctx, s *Session) error {
	if len(s.st.History) == 0 && !s.st.Editing {
		if s.Step == summaryStep {
			return e.showSummary(c, s, c.T("flow.back.first"))
		}
		return e.prompt(c, s, c.T("flow.back.first"))
	}
	note := c.T("flow.back")
	if step, ok := s.flow.step(s.Step); ok && requestsKeyboard(step) {
		s.leave, note = note, "" // said with the keyboard's removal
	}
	if s.st.Editing {
		return e.showSummary(c, s, "")
	}
	s.Step = s.st.History[len(s.st.History)-1]
	s.st.History = s.st.History[:len(s.st.History)-1]
	s.st.Draft = nil
	return e.prompt(c, s, note)
}

// skip leaves an optional step empty; a required one is asked again with why.
func (e *Engine) skip(c *Ctx, s *Session) error {
	if s.Step == summaryStep {
		return e.showSummary(c, s, c.T("flow.summary.use_buttons"))
	}
	step, ok := s.flow.step(s.Step)
	if !ok {
		return fmt.Errorf("flow %s: no step %q", s.flow.Name, s.Step)
	}
	if step.Input == InputNote {
		return e.accept(c, s, step, Value{}) // nothing to skip: /lewati reads on
	}
	if !step.optional(c) {
		return e.prompt(c, s, "⚠️ "+c.requiredText(step))
	}
	if requestsKeyboard(step) {
		s.leave = c.T("flow.skip.done", "field", step.labelOf(c))
	}
	return e.accept(c, s, step, Value{Skipped: true})
}

// finish runs the flow's Save with the answers and closes the conversation.
func (e *Engine) finish(c *Ctx, s *Session) error {
	// Every way here passed the gate already in this update; Save is where the
	// effect happens, so a path added later cannot reach it ungated.
	if ok, err := e.authorized(c, s); !ok || err != nil {
		return err
	}
	if err := e.takeKeyboard(c, s); err != nil {
		return err
	}
	if err := c.flushHeld(); err != nil {
		return err
	}
	c.holding, c.unreply = false, s.st.ReplyKB
	if err := c.Tx.DeleteConversation(s.ChatID, s.UserID); err != nil {
		return err
	}
	if err := s.flow.Save(c); err != nil {
		return fmt.Errorf("save flow %s: %w", s.flow.Name, err)
	}
	e.ended(s.flow.Name, true, "")
	return nil
}

// requestsKeyboard reports whether step shows a contact or location
// keyboard, which no edit can set or take away.
func requestsKeyboard(step *Step) bool {
	return step.Input == InputLocation || step.Input == InputContact
}
