package flows

import (
	"slices"

	"dinsosbot/store"
)

// onFlowCallback handles a button of a conversation. A button whose nonce is not
// the open step's (an old prompt, a finished or cancelled flow), or pressed on
// another message than the last prompt, changes nothing.
func (a *App) onFlowCallback(c *Ctx, cb Callback) error {
	s, ok, err := a.loadSession(c)
	if err != nil {
		return err
	}
	if !ok || cb.Nonce != s.Nonce {
		return a.stale(c)
	}
	if s.st.PromptMsg != 0 && c.Ev.CallbackMessageID != 0 && c.Ev.CallbackMessageID != s.st.PromptMsg {
		// The prompt's edit may have failed and been sent as a new message
		// (store.Message.OrSend): its row then names the message pressed.
		sent, err := c.Tx.MessageIDOf(s.PromptRef)
		if err != nil {
			return err
		}
		// Not recorded yet (the press raced the send's outcome): the nonce
		// above already ties the data to this step.
		if sent != 0 && c.Ev.CallbackMessageID != sent {
			return a.stale(c)
		}
	}
	return a.holding(c, func() error {
		if err := a.onFlowButton(c, s, cb); err != nil {
			return err
		}
		// Every way on shows a prompt or closes the form, taking the press
		// with it; this only guards a way added later.
		if s.pressed == 0 {
			return nil
		}
		return a.takeKeyboard(c, s)
	})
}

// onFlowButton acts on a live button of the open flow.
func (a *App) onFlowButton(c *Ctx, s *session, cb Callback) error {
	// Cancelling needs no right: it only throws the draft away.
	if cb.Op != opCancel {
		if ok, err := a.authorized(c, s); !ok || err != nil {
			return err
		}
	}
	switch cb.Op {
	case opCancel:
		if err := a.closeChosen(c, s, c.T("flow.btn.cancel")); err != nil {
			return err
		}
		return a.cancel(c, s, "flow.cancelled")
	case opBack:
		return a.back(c, s)
	case opSkip:
		if err := a.closeChosen(c, s, c.T("flow.btn.skip")); err != nil {
			return err
		}
		return a.skip(c, s)
	case opEdit, opSave:
		return a.onSummaryButton(c, s, cb)
	}
	step, ok := s.flow.step(s.Step)
	if !ok {
		return a.stale(c)
	}
	switch {
	case cb.Op == opChoose && (step.Input == InputChoice || step.Input == InputYesNo):
		return a.choose(c, s, step, cb.Arg)
	case cb.Op == opToggle && step.Input == InputMulti:
		return a.toggle(c, s, step, cb.Arg)
	case cb.Op == opDone && step.Input == InputMulti:
		var picked []string
		if s.st.Draft != nil {
			picked = s.st.Draft.List
		}
		if len(picked) < step.Min {
			return c.Answer(c.T("err.multi.min", "min", itoa(step.Min)))
		}
		if err := a.closeChosen(c, s, ""); err != nil {
			return err
		}
		return a.accept(c, s, step, Value{List: picked})
	case cb.Op == opDone && step.Input == InputPhotos:
		var v Value
		if s.st.Draft != nil {
			v = *s.st.Draft
		}
		if len(v.Photos) < step.Min {
			return c.Answer(c.T("err.photo.min", "min", itoa(step.Min)))
		}
		if err := a.closeChosen(c, s, ""); err != nil {
			return err
		}
		return a.accept(c, s, step, v)
	}
	return a.stale(c)
}

// stale answers a button that is no longer active.
func (a *App) stale(c *Ctx) error { return c.Answer(c.T("flow.stale")) }

// closeChosen answers the callback and marks the pressed prompt as used up:
// the next prompt is edited into it, or, when the form ends or the next
// prompt needs a message of its own, takeKeyboard leaves it showing what was
// chosen, without its keyboard. Either way it cannot be pressed twice.
func (a *App) closeChosen(c *Ctx, s *session, chosen string) error {
	if err := c.Answer(""); err != nil {
		return err
	}
	if c.Ev.CallbackMessageID != 0 {
		s.pressed, s.chosen = c.Ev.CallbackMessageID, chosen
	}
	return nil
}

func (a *App) choose(c *Ctx, s *session, step *Step, value string) error {
	var opt Option
	if step.Input == InputYesNo {
		if value != "yes" && value != "no" {
			return a.stale(c)
		}
		opt = Option{Value: value, Key: "flow." + value}
	} else {
		opts, err := a.options(c, step)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(opts, func(o Option) bool { return o.Value == value })
		if i < 0 {
			// Forged data: not one of the buttons this prompt showed.
			return a.stale(c)
		}
		opt = opts[i]
	}
	if err := a.closeChosen(c, s, c.optionLabel(opt)); err != nil {
		return err
	}
	if opt.Cancels {
		return a.cancel(c, s, opt.Key+".done")
	}
	v := Value{Text: value}
	if step.Check != nil {
		if err := step.Check(c, v); err != nil {
			if ie, ok := err.(*InputError); ok {
				return a.prompt(c, s, "⚠️ "+c.T(ie.Key, ie.Args...))
			}
			return err
		}
	}
	return a.accept(c, s, step, v)
}

func (a *App) toggle(c *Ctx, s *session, step *Step, value string) error {
	opts, err := a.options(c, step)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(opts, func(o Option) bool { return o.Value == value }) {
		return a.stale(c)
	}
	if s.st.Draft == nil {
		s.st.Draft = &Value{}
	}
	if i := slices.Index(s.st.Draft.List, value); i >= 0 {
		s.st.Draft.List = slices.Delete(s.st.Draft.List, i, i+1)
	} else {
		if step.Max > 0 && len(s.st.Draft.List) >= step.Max {
			return c.Answer(c.T("err.multi.max", "max", itoa(step.Max)))
		}
		s.st.Draft.List = append(s.st.Draft.List, value)
	}
	if err := c.Answer(""); err != nil {
		return err
	}
	m, err := a.promptMessage(c, s, step)
	if err != nil {
		return err
	}
	// Same nonce: the keyboard is redrawn in place and stays live.
	if _, err := c.Send(store.Message{Kind: store.KindEditButtons, MessageID: c.Ev.CallbackMessageID,
		Buttons: m.Buttons}); err != nil {
		return err
	}
	if c.Ev.CallbackMessageID != 0 {
		s.st.PromptMsg = c.Ev.CallbackMessageID
	}
	return s.save(c.Tx, true)
}

func (a *App) onSummaryButton(c *Ctx, s *session, cb Callback) error {
	if s.Step != summaryStep {
		return a.stale(c)
	}
	if cb.Op == opSave {
		if err := a.closeChosen(c, s, c.T("flow.btn.save")); err != nil {
			return err
		}
		return a.finish(c, s)
	}
	step, ok := s.flow.step(cb.Arg)
	if !ok || step.Hidden || !s.asked(c, s.flow.index[cb.Arg]) {
		return a.stale(c)
	}
	if err := a.closeChosen(c, s, "✏️ "+c.T(step.label())); err != nil {
		return err
	}
	s.Step, s.st.Editing = step.Key, true
	return a.prompt(c, s, "")
}
