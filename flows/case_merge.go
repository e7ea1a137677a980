package flows

import (
	"fmt"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// A reviewer's chat that is backed up (issue 13) gets no more notices one
// by one: the next cases are merged into one message, "N kasus baru
// menunggu verifikasi" with a button to the queue, edited as more arrive.
// Every case stays in the queue, so nothing is lost; a merged case has no
// notice of its own in that chat, so a decision on it edits nothing there.
//
// Rows are never rewritten once enqueued: the sender may already hold a
// copy and would send the old text, so the stored row and the chat would
// disagree. A count change is a new edit row instead, at most one waiting
// at a time; a change made while one waits is shown by the next case or
// the sweep (fixMergedNotices).

// maxWaitingNotices is how many notices may wait unsent in a reviewer's
// chat: with this many waiting, the next case is merged.
const maxWaitingNotices = 3

// mergedQuiet is how long a merged notice stays open, kept right by the
// sweep, after the last case merged into it.
const mergedQuiet = time.Hour

// opCaseQueue, on a merged notice, opens the verification queue as a new
// message (the merged notice stays, to be edited).
const opCaseQueue = "q"

// mergeNotice merges case notice for reviewer u into u's merged notice when
// u's chat is backed up, and reports whether it did; when not, the caller
// sends the notice itself.
func (a *App) mergeNotice(tx *store.Tx, u store.User) (bool, error) {
	m, open, err := tx.MergedNotice(u.ID)
	if err != nil {
		return false, err
	}
	if open {
		status, err := tx.OutboxStatus(m.LastRow)
		if err != nil {
			return false, err
		}
		switch status {
		case store.StatusPending:
			// The message or its edit still waits: the chat is behind. The
			// count is shown by the next edit.
			m.Merged, m.UpdatedAt = m.Merged+1, tx.Now()
			return true, tx.SaveMergedNotice(m)
		case store.StatusSent:
			waiting, err := tx.PendingNotices(u.ID)
			if err != nil {
				return false, err
			}
			if waiting >= maxWaitingNotices {
				m.Merged, m.UpdatedAt = m.Merged+1, tx.Now()
				_, err := a.refreshMerged(tx, u, m)
				return true, err
			}
			// The chat caught up: the merged notice shows its last count,
			// and this case has a notice of its own.
			if _, err := a.refreshMerged(tx, u, m); err != nil {
				return false, err
			}
		}
		// Failed (a blocked chat, a deleted message) or gone: forgotten.
		if err := tx.CloseMergedNotice(u.ID); err != nil {
			return false, err
		}
	}
	waiting, err := tx.PendingNotices(u.ID)
	if err != nil {
		return false, err
	}
	if waiting < maxWaitingNotices {
		return false, nil
	}
	msg, ok, err := a.mergedMessage(tx, u, 1)
	if err != nil || !ok {
		return false, err
	}
	id, err := tx.Enqueue(msg)
	if err != nil {
		return false, err
	}
	return true, tx.SaveMergedNotice(store.MergedNotice{ChatID: u.ID, OutboxID: id, LastRow: id, Merged: 1,
		Shown: msg.Text})
}

// refreshMerged saves m and, when what shows it was sent and says other
// than it should now, enqueues the edit that makes it right; it reports
// whether it did.
func (a *App) refreshMerged(tx *store.Tx, u store.User, m store.MergedNotice) (bool, error) {
	status, err := tx.OutboxStatus(m.LastRow)
	if err != nil {
		return false, err
	}
	edited := false
	if status == store.StatusSent {
		msg, ok, err := a.mergedMessage(tx, u, m.Merged)
		if err != nil {
			return false, err
		}
		if ok && msg.Text != m.Shown {
			msg.Kind, msg.EditOf = store.KindEditText, m.OutboxID
			id, err := tx.Enqueue(msg)
			if err != nil {
				return false, err
			}
			m.LastRow, m.Shown, edited = id, msg.Text, true
		}
	}
	return edited, tx.SaveMergedNotice(m)
}

// mergedMessage is u's merged notice for merged cases: how many cases wait
// in u's verification queue now, and the button to it. ok is false when u
// may no longer see the queue.
func (a *App) mergedMessage(tx *store.Tx, u store.User, merged int) (store.Message, bool, error) {
	lang := a.lang(u)
	c := &Ctx{Tx: tx, Ev: Event{ChatID: u.ID, UserID: u.ID, ChatType: "private"}, User: u, Lang: lang, Env: a}
	f, ok, err := a.caseFilter(c, scopeQueue)
	if err != nil || !ok {
		return store.Message{}, false, err
	}
	_, total, err := tx.ListCases(f, 0, 1)
	if err != nil {
		return store.Message{}, false, fmt.Errorf("merged notice of %d: %w", u.ID, err)
	}
	d, err := data(cbCase, "0", opCaseQueue, "")
	if err != nil {
		return store.Message{}, false, err
	}
	return store.Message{ChatID: u.ID, Priority: store.PriorityNotice,
		Text:    i18n.T(lang, "case.merged", "n", itoa(total), "merged", itoa(merged)),
		Buttons: [][]store.Button{{{Text: i18n.T(lang, "case.merged.btn"), Data: d}}}}, true, nil
}

// fixMergedNotices is the sweep's part: every open merged notice whose
// message went out is edited to the count it should show (a case merged
// while an edit waited, a case decided since), and closed once it is right
// and no case was merged into it for mergedQuiet; one whose message failed
// is forgotten.
func (a *App) fixMergedNotices(tx *store.Tx) error {
	open, err := tx.MergedNotices()
	if err != nil {
		return err
	}
	for _, m := range open {
		status, err := tx.OutboxStatus(m.LastRow)
		if err != nil {
			return err
		}
		if status == store.StatusPending {
			continue
		}
		u, ok, err := tx.GetUser(m.ChatID)
		if err != nil {
			return err
		}
		if status != store.StatusSent || !ok {
			if err := tx.CloseMergedNotice(m.ChatID); err != nil {
				return err
			}
			continue
		}
		edited, err := a.refreshMerged(tx, u, m)
		if err != nil {
			return err
		}
		if !edited && tx.Now().Sub(m.UpdatedAt) >= mergedQuiet {
			if err := tx.CloseMergedNotice(m.ChatID); err != nil {
				return err
			}
		}
	}
	return nil
}
