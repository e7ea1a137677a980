package bot

import (
	"context"
	"sync"

	"dinsosbot/store"
)

// outcomeLog holds send outcomes until a transaction records them.
//
// Recording each reply's outcome in a transaction of its own doubled the
// fsyncs of a person waiting for each reply: one for their update, one for
// the reply. So outcomes wait here, and the poller writes them in its next
// batch's transaction, which commits anyway; the sender's recorder writes
// them itself only when no batch comes within RecordDelay, when many wait,
// or before it rereads the outbox. The crash guarantees hold: a row is
// recorded sent only after Telegram took it, so it is never sent again; a
// row sent but not yet recorded is sent again after a crash, as at-least-once
// delivery allows.
type outcomeLog struct {
	mu sync.Mutex
	// waiting are the outcomes no transaction has taken yet, in the order
	// the sends ended (a row's later outcome after its earlier one).
	waiting []store.SendOutcome
	// writing counts the batches taken by transactions not yet ended;
	// ended is broadcast when one ends.
	writing int
	ended   *sync.Cond
	// sentIDs are the Telegram message ids of sends not yet committed: a
	// chat's next row may edit the message just sent, and must find its id
	// before the outbox has it.
	sentIDs map[int64]int
}

func newOutcomeLog() *outcomeLog {
	l := &outcomeLog{sentIDs: map[int64]int{}}
	l.ended = sync.NewCond(&l.mu)
	return l
}

// add keeps o until a transaction takes it and returns how many wait.
func (l *outcomeLog) add(o store.SendOutcome) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.waiting = append(l.waiting, o)
	if o.Status == store.StatusSent && o.MessageID != 0 {
		l.sentIDs[o.ID] = o.MessageID
	}
	return len(l.waiting)
}

// messageID is the Telegram id of outbox row id when it was sent but its
// outcome is not committed yet; 0 otherwise (the outbox then has it).
func (l *outcomeLog) messageID(id int64) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sentIDs[id]
}

// waitingCount is how many outcomes no transaction has taken.
func (l *outcomeLog) waitingCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.waiting)
}

// take hands the waiting outcomes to a transaction; settle must follow.
func (l *outcomeLog) take() []store.SendOutcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.waiting) == 0 {
		return nil
	}
	batch := l.waiting
	l.waiting = nil
	l.writing++
	return batch
}

// settle ends a batch from take: committed, its message ids are in the
// outbox now; otherwise it goes back before the outcomes that came since,
// for the next transaction.
func (l *outcomeLog) settle(batch []store.SendOutcome, committed bool) {
	if batch == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if committed {
		for _, o := range batch {
			if o.Status == store.StatusSent {
				delete(l.sentIDs, o.ID)
			}
		}
	} else {
		l.waiting = append(batch, l.waiting...)
	}
	l.writing--
	l.ended.Broadcast()
}

// drain waits until no transaction holds a batch.
func (l *outcomeLog) drain() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.writing > 0 {
		l.ended.Wait()
	}
}

// recordIn writes the waiting outcomes in tx, inside a savepoint: failing
// to record them must not fail the batch of updates, so the error is only
// returned to be logged, and they wait for the next transaction. The
// returned settle must be called once tx has ended.
func (l *outcomeLog) recordIn(tx *store.Tx) (settle func(committed bool), err error) {
	batch := l.take()
	if batch == nil {
		return func(bool) {}, nil
	}
	if err := tx.Savepoint(func() error { return tx.RecordSends(batch) }); err != nil {
		l.settle(batch, false)
		return func(bool) {}, err
	}
	return func(committed bool) { l.settle(batch, committed) }, nil
}

// record writes the waiting outcomes in a transaction of their own.
func (l *outcomeLog) record(ctx context.Context, db *store.DB) error {
	batch := l.take()
	if batch == nil {
		return nil
	}
	err := db.RecordSends(context.WithoutCancel(ctx), batch)
	l.settle(batch, err == nil)
	return err
}
