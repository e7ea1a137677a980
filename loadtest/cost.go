package loadtest

import (
	"context"
	"database/sql"
	"fmt"

	"dinsosbot/store"
)

// What the bot's work costs in Telegram's currency, read from the outbox
// (one row is one Bot API call; retries after a fault are not counted):
// the messages a reviewer gets per case notice, and the calls a worker's
// chat gets per case form. At 1 message/s per chat these bound how fast a
// reviewer's chat and a worker's form can go.

// loadCost is those figures of one run.
type loadCost struct {
	notices        int // case notices (case_notices rows: one case, one reviewer)
	noticeMessages int // messages those notices took (text, location, photos, ...)
	forms          int // case forms the workers saw confirmed
	formCalls      int // Bot API calls in the workers' chats while those forms ran
	// formMessages, formEdits and formAnswers split formCalls: new messages,
	// edits (and deletions) of earlier ones, callback answers; the rest are
	// cosmetic (chat actions).
	formMessages, formEdits, formAnswers int
}

// messageKinds are the outbox kinds that put a message in a chat, as SQL.
const messageKinds = `('send', 'photo', 'document', 'location')`

// measure fills c from the database the bot left. A notice's messages are
// the rows to that reviewer enqueued in the notice's transaction (same
// created_at) that are the notice, media, or name the case's code, so other
// messages a batch sent the reviewer do not count; a form's calls are the
// replies (reply priority: notices and broadcasts excluded) enqueued for
// the worker's chat between the worker's first step and the confirmation.
func measure(ctx context.Context, dbPath string, p *people, c *loadCost) error {
	db, err := sql.Open("sqlite3", "file:"+dbPath+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return fmt.Errorf("measure: %w", err)
	}
	defer db.Close()
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_notices`).Scan(&c.notices); err != nil {
		return fmt.Errorf("measure: case notices: %w", err)
	}
	if err := db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT o.id) FROM case_notices n
		JOIN outbox r ON r.id = n.outbox_id
		JOIN cases k ON k.id = n.case_id
		JOIN outbox o ON o.chat_id = n.chat_id AND o.created_at = r.created_at
		WHERE o.kind IN `+messageKinds+` AND (o.id = n.outbox_id OR o.kind <> 'send' OR instr(o.payload, k.code) > 0)`).
		Scan(&c.noticeMessages); err != nil {
		return fmt.Errorf("measure: notice messages: %w", err)
	}
	q, err := db.PrepareContext(ctx, `SELECT COUNT(*),
		COUNT(*) FILTER (WHERE kind IN `+messageKinds+`),
		COUNT(*) FILTER (WHERE kind IN ('edit_text', 'edit_buttons', 'delete')),
		COUNT(*) FILTER (WHERE kind = 'answer_callback')
		FROM outbox WHERE chat_id = ? AND priority = ? AND created_at >= ? AND created_at <= ?`)
	if err != nil {
		return fmt.Errorf("measure: %w", err)
	}
	defer q.Close()
	for _, w := range p.workers {
		for _, f := range w.forms {
			var n, msgs, edits, answers int
			if err := q.QueryRowContext(ctx, w.u.ID(), store.PriorityReply, f.from.UTC().Format(store.TimeFormat),
				f.to.UTC().Format(store.TimeFormat)).Scan(&n, &msgs, &edits, &answers); err != nil {
				return fmt.Errorf("measure: form calls: %w", err)
			}
			c.forms++
			c.formCalls += n
			c.formMessages += msgs
			c.formEdits += edits
			c.formAnswers += answers
		}
	}
	return nil
}

// ratio is a/b, 0 for b = 0.
func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
