package engine

import (
	"errors"
	"slices"
	"strconv"

	"dinsosbot/store"
)

// onFlowCallback handles a button of a conversation. A button whose nonce is not
// the open step's (an old prompt, a finished or cancelled flow), or pressed on
// another message than the last prompt, changes nothing.
func (e *Engine) onFlowCallback(c *Ctx, cb Callback) error {
	s, ok, err := e.loadSession(c)
	if err != nil {
		return err
	}
	if !ok || cb.Nonce != s.Nonce {
		return e.stale(c)
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
			return e.stale(c)
		}
	}
	return e.holding(c, func() error {
		if err := e.onFlowButton(c, s, cb); err != nil {
			return err
		}
		// Every way on shows a prompt or closes the form, taking the press
		// with it; this only guards a way added later.
		if s.pressed == 0 {
			return nil
		}
		return e.takeKeyboard(c, s)
	})
}

// onFlowButton acts on a live button of the open flow.
func (e *Engine) onFlowButton(c *Ctx, s *Session, cb Callback) error {
	// Cancelling needs no right: it only throws the draft away.
	if cb.Op != opCancel {
		if ok, err := e.authorized(c, s); !ok || err != nil {
			return err
		}
	}
	switch cb.Op {
	case opCancel:
		if err := e.closeChosen(c, s, c.T("flow.btn.cancel")); err != nil {
			return err
		}
		return e.cancel(c, s, "flow.cancelled")
	case opBack:
		return e.back(c, s)
	case opSkip:
		if err := e.closeChosen(c, s, c.T("flow.btn.skip")); err != nil {
			return err
		}
		return e.skip(c, s)
	case opEdit, opSave:
		return e.onSummaryButton(c, s, cb)
	}
	step, ok := s.flow.step(s.Step)
	if !ok {
		return e.stale(c)
	}
	switch {
	case cb.Op == opChoose && (step.Input == InputChoice || step.Input == InputYesNo || step.Input == InputAck):
		return e.choose(c, s, step, cb.Arg)
	case cb.Op == opPage && (step.Input == InputChoice || step.Input == InputMulti):
		return e.turnPage(c, s, step, cb.Arg)
	case cb.Op == opDone && step.Input == InputNote:
		if err := e.closeChosen(c, s, ""); err != nil {
			return err
		}
		return e.accept(c, s, step, Value{})
	case cb.Op == opKeep && keepable(step.Input):
		v, ok := s.st.Answers[step.Key]
		if !ok || v.Skipped {
			return e.stale(c)
		}
		return e.done(c, s, step, v)
	case cb.Op == opToggle && step.Input == InputMulti:
		return e.toggle(c, s, step, cb.Arg)
	case cb.Op == opDone && step.Input == InputMulti:
		var picked []string
		if s.st.Draft != nil {
			picked = s.st.Draft.List
		}
		if len(picked) < step.Min {
			return c.Answer(c.T("err.multi.min", "min", itoa(step.Min)))
		}
		return e.done(c, s, step, Value{List: picked})
	case cb.Op == opDone && step.Input == InputPhotos:
		var v Value
		if s.st.Draft != nil {
			v = *s.st.Draft
		}
		if len(v.Photos) < step.Min {
			return c.Answer(c.T("err.photo.min", "min", itoa(step.Min)))
		}
		return e.done(c, s, step, v)
	}
	return e.stale(c)
}

// done takes a several-choice or photos answer at "done", once its Check
// lets it through; a refusal keeps the picks and asks again with why.
func (e *Engine) done(c *Ctx, s *Session, step *Step, v Value) error {
	if step.Check != nil {
		err := step.Check(c, v)
		var ie *InputError
		if errors.As(err, &ie) {
			if err := e.closeChosen(c, s, ""); err != nil {
				return err
			}
			return e.prompt(c, s, "⚠️ "+c.RefusalText(ie))
		}
		if err != nil {
			return err
		}
	}
	if err := e.closeChosen(c, s, ""); err != nil {
		return err
	}
	return e.accept(c, s, step, v)
}

// turnPage shows another page of a long choice's options, in place; the
// prompt stays live.
func (e *Engine) turnPage(c *Ctx, s *Session, step *Step, arg string) error {
	n, err := strconv.Atoi(arg)
	if err != nil || n < 0 || step.PageSize == 0 {
		return e.stale(c)
	}
	s.st.Page, s.st.PageOf = n, step.Key
	return e.redraw(c, s, step)
}

// stale answers a button that is no longer active.
func (e *Engine) stale(c *Ctx) error { return c.Answer(c.T("flow.stale")) }

// closeChosen answers the callback and marks the pressed prompt as used up:
// the next prompt is edited into it, or, when the form ends or the next
// prompt needs a message of its own, takeKeyboard leaves it showing what was
// chosen, without its keyboard. Either way it cannot be pressed twice.
func (e *Engine) closeChosen(c *Ctx, s *Session, chosen string) error {
	if err := c.Answer(""); err != nil {
		return err
	}
	if c.Ev.CallbackMessageID != 0 {
		s.pressed, s.chosen = c.Ev.CallbackMessageID, chosen
	}
	return nil
}

func (e *Engine) choose(c *Ctx, s *Session, step *Step, value string) error {
	var opt Option
	if step.Input == InputYesNo {
		if value != "yes" && value != "no" {
			return e.stale(c)
		}
		opt = Option{Value: value, Key: "flow." + value}
	} else if step.Input == InputAck {
		if value != ackValue {
			return e.stale(c)
		}
		opt = Option{Value: value, Key: "flow.btn.ack"}
	} else {
		opts, err := e.options(c, step)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(opts, func(o Option) bool { return o.Value == value })
		if i < 0 {
			// Forged data: not one of the buttons this prompt showed.
			return e.stale(c)
		}
		opt = opts[i]
	}
	if err := e.closeChosen(c, s, c.optionLabel(opt)); err != nil {
		return err
	}
	if opt.Cancels {
		return e.cancel(c, s, opt.Key+".done")
	}
	v := Value{Text: value}
	if step.Check != nil {
		if err := step.Check(c, v); err != nil {
			if ie, ok := err.(*InputError); ok {
				return e.prompt(c, s, "⚠️ "+c.RefusalText(ie))
			}
			return err
		}
	}
	return e.accept(c, s, step, v)
}

func (e *Engine) toggle(c *Ctx, s *Session, step *Step, value string) error {
	opts, err := e.options(c, step)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(opts, func(o Option) bool { return o.Value == value }) {
		return e.stale(c)
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
	return e.redraw(c, s, step)
}

// redraw answers the press and draws the step's keyboard again in the pressed
// message, with the same nonce: it stays live.
func (e *Engine) redraw(c *Ctx, s *Session, step *Step) error {
	if err := c.Answer(""); err != nil {
		return err
	}
	m, err := e.promptMessage(c, s, step)
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

func (e *Engine) onSummaryButton(c *Ctx, s *Session, cb Callback) error {
	if s.Step != summaryStep {
		return e.stale(c)
	}
	if cb.Op == opSave {
		if err := e.closeChosen(c, s, c.T("flow.btn.save")); err != nil {
			return err
		}
		return e.finish(c, s)
	}
	step, ok := s.flow.step(cb.Arg)
	if !ok || step.Hidden || !s.asked(c, s.flow.index[cb.Arg]) {
		return e.stale(c)
	}
	if err := e.closeChosen(c, s, "✏️ "+step.labelOf(c)); err != nil {
		return err
	}
	s.Step, s.st.Editing = step.Key, true
	return e.prompt(c, s, "")
}
