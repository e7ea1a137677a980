package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Kind says which Telegram action an outbox row is.
type Kind string

// The outbox kinds. The sender maps each to one Bot API method.
const (
	KindSend           Kind = "send"            // sendMessage
	KindEditText       Kind = "edit_text"       // editMessageText (and its keyboard)
	KindEditCaption    Kind = "edit_caption"    // editMessageCaption (and its keyboard) of a photo or document
	KindEditButtons    Kind = "edit_buttons"    // editMessageReplyMarkup
	KindDelete         Kind = "delete"          // deleteMessage
	KindAnswerCallback Kind = "answer_callback" // answerCallbackQuery
	KindPhoto          Kind = "photo"           // sendPhoto (File holds the bytes)
	KindDocument       Kind = "document"        // sendDocument (File holds the bytes)
	KindLocation       Kind = "location"        // sendLocation
	KindSetCommands    Kind = "set_commands"    // setMyCommands for a chat or the default scope
	KindChatAction     Kind = "chat_action"     // sendChatAction (Action: "typing", "upload_photo", ...)
)

// Cosmetic reports whether k changes how a chat looks rather than what it
// says (a command menu, a "typing…"): the sender sends such rows apart from
// the chat's ordered messages, best effort, so they never hold a person's
// messages back, and a stuck chat is never one of them.
func (k Kind) Cosmetic() bool { return k == KindSetCommands || k == KindChatAction }

// cosmeticKinds is Cosmetic as SQL.
const cosmeticKinds = `('set_commands', 'chat_action')`

// Priorities: lower goes first, so people chatting are answered before a broadcast
// to thousands drains.
const (
	PriorityReply     = 0
	PriorityNotice    = 5
	PriorityBroadcast = 10
)

// Message is one thing the bot means to do in a chat, in transport-neutral terms.
// Texts are HTML (Telegram's parse_mode HTML); flows escape what users typed.
type Message struct {
	Kind     Kind       `json:"kind"`
	ChatID   int64      `json:"chat_id"`
	Priority int        `json:"priority,omitempty"`
	Text     string     `json:"text,omitempty"` // message text, caption, or callback answer
	Buttons  [][]Button `json:"buttons,omitempty"`
	// Reply shows a reply keyboard (contact/location requests, big choices).
	Reply *ReplyKeyboard `json:"reply,omitempty"`
	// RemoveReply removes a reply keyboard shown earlier.
	RemoveReply bool `json:"remove_reply,omitempty"`
	// MessageID is the Telegram message to edit or delete, when known.
	MessageID int `json:"message_id,omitempty"`
	// EditOf is the outbox row whose sent message to edit or delete, when the
	// Telegram id is not known yet at enqueue time.
	EditOf int64 `json:"edit_of,omitempty"`
	// CallbackID and Alert are for KindAnswerCallback.
	CallbackID string `json:"callback_id,omitempty"`
	Alert      bool   `json:"alert,omitempty"`
	// FileName and File are for photos and documents; File is stored apart so a
	// retry re-reads the same bytes, and sealed (an export lists full NIKs).
	FileName string `json:"file_name,omitempty"`
	File     []byte `json:"-"`
	// FileID, when set, sends a file already on Telegram's servers (a photo a
	// worker sent) by its file_id instead of File.
	FileID string `json:"file_id,omitempty"`
	// Latitude and Longitude are for KindLocation.
	Latitude  float64 `json:"latitude,omitempty"`
	Longitude float64 `json:"longitude,omitempty"`
	// Commands and Scope are for KindSetCommands; Scope "" is the default scope,
	// otherwise the commands are for ChatID only.
	Commands []Command `json:"commands,omitempty"`
	Scope    string    `json:"scope,omitempty"`
	// Action is for KindChatAction.
	Action string `json:"action,omitempty"`
	// OrSend marks an edit whose text the person needs (a form's next
	// question edited into the pressed one): when the edit fails for good
	// (the message was deleted, is too old, or the server cannot edit), the
	// sender sends it as a new message instead, so a form never waits for a
	// question nobody can see.
	OrSend bool `json:"or_send,omitempty"`
}

// Button is an inline keyboard button: exactly one of Data and URL is set.
type Button struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

// ReplyKeyboard is a keyboard under the input field.
type ReplyKeyboard struct {
	Buttons [][]ReplyButton `json:"buttons"`
	OneTime bool            `json:"one_time,omitempty"`
}

// ReplyButton is a reply keyboard button, optionally asking for the phone number or
// location.
type ReplyButton struct {
	Text            string `json:"text"`
	RequestContact  bool   `json:"request_contact,omitempty"`
	RequestLocation bool   `json:"request_location,omitempty"`
}

// Command is a bot command for the menu.
type Command struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// Outbox statuses.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Enqueue adds m to the outbox and returns its row id. The sender picks it up
// after the transaction commits.
func (tx *Tx) Enqueue(m Message) (int64, error) {
	if m.Kind == "" {
		m.Kind = KindSend
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return 0, fmt.Errorf("enqueue: encode: %w", err)
	}
	res, err := tx.Exec(`INSERT INTO outbox (chat_id, priority, kind, payload, file, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, m.ChatID, m.Priority, string(m.Kind), string(payload), tx.keys.SealFile(m.File), formatTime(tx.now))
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	tx.enqueued++
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	return id, nil
}

// OutboxRow is an outbox row as the sender sees it.
type OutboxRow struct {
	ID        int64
	Message   Message
	Attempts  int
	NotBefore time.Time
	// FailingSince is when the first failed attempt of this payload was
	// recorded (store clock); zero when none failed.
	FailingSince time.Time
	// Unanswered is how many of the failed attempts got no HTTP answer at
	// all; AnsweredSince is when the first one a server answered was
	// recorded (zero when none was). An outage is judged by its age alone,
	// a server's refusals by their own count and age.
	Unanswered    int
	AnsweredSince time.Time
}

// PendingOutbox returns up to limit pending rows, highest priority first, then in
// enqueue order.
func (db *DB) PendingOutbox(limit int) ([]OutboxRow, error) {
	return db.pendingOutbox(`SELECT id, payload, file, attempts, not_before, failing_since, unanswered, answered_since FROM outbox
		WHERE status = 'pending' ORDER BY priority, id LIMIT ?`, limit)
}

// PendingOutboxAfter returns up to limit pending rows with ids above after, in id
// order, so the sender can read only what was enqueued since its last read.
// bulk selects broadcast-priority rows, otherwise the rows that go before them:
// the two are read apart so a long broadcast never hides a fresh reply.
func (db *DB) PendingOutboxAfter(after int64, limit int, bulk bool) ([]OutboxRow, error) {
	op := "<"
	if bulk {
		op = ">="
	}
	return db.pendingOutbox(`SELECT id, payload, file, attempts, not_before, failing_since, unanswered, answered_since FROM outbox
		WHERE status = 'pending' AND id > ? AND priority `+op+` ? ORDER BY id LIMIT ?`,
		after, PriorityBroadcast, limit)
}

func (db *DB) pendingOutbox(query string, args ...any) ([]OutboxRow, error) {
	rows, err := db.ro.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		var r OutboxRow
		var payload string
		var file []byte
		var notBefore, failingSince, answeredSince int64
		if err := rows.Scan(&r.ID, &payload, &file, &r.Attempts, &notBefore, &failingSince, &r.Unanswered, &answeredSince); err != nil {
			return nil, fmt.Errorf("read outbox: %w", err)
		}
		if err := json.Unmarshal([]byte(payload), &r.Message); err != nil {
			return nil, fmt.Errorf("read outbox row %d: %w", r.ID, err)
		}
		if r.Message.File, err = db.keys.OpenFile(file); err != nil {
			return nil, fmt.Errorf("read outbox row %d: %w", r.ID, err)
		}
		r.NotBefore = time.UnixMilli(notBefore)
		if failingSince != 0 {
			r.FailingSince = time.UnixMilli(failingSince).UTC()
		}
		if answeredSince != 0 {
			r.AnsweredSince = time.UnixMilli(answeredSince).UTC()
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// MessageIDOf is the Telegram message id that outbox row id produced, as this
// transaction sees it; 0 when it is not (yet) sent or not recorded.
func (tx *Tx) MessageIDOf(id int64) (int, error) {
	var mid sql.NullInt64
	err := tx.QueryRow(`SELECT tg_message_id FROM outbox WHERE id = ?`, id).Scan(&mid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read outbox row %d: %w", id, err)
	}
	return int(mid.Int64), nil
}

// SentMessageID is the Telegram message id that outbox row id produced; 0 when it
// is not (yet) sent.
func (db *DB) SentMessageID(id int64) (int, error) {
	var mid int
	err := db.ro.QueryRow(`SELECT tg_message_id FROM outbox WHERE id = ?`, id).Scan(&mid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read outbox row %d: %w", id, err)
	}
	return mid, nil
}

// SentMessage is the Telegram message id that outbox row id produced (0 when
// it is not sent yet) and the row's kind now: a photo that fell back to text
// has become a text, so an edit of it must edit text.
func (db *DB) SentMessage(id int64) (int, Kind, error) {
	var mid int
	var kind string
	err := db.ro.QueryRow(`SELECT tg_message_id, kind FROM outbox WHERE id = ?`, id).Scan(&mid, &kind)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("read outbox row %d: %w", id, err)
	}
	return mid, Kind(kind), nil
}

// OutboxKind is the kind of outbox row id now ("" when there is no such
// row) and whether it is still waiting to be sent.
func (tx *Tx) OutboxKind(id int64) (Kind, bool, error) {
	var kind, status string
	err := tx.QueryRow(`SELECT kind, status FROM outbox WHERE id = ?`, id).Scan(&kind, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read outbox row %d: %w", id, err)
	}
	return Kind(kind), status == StatusPending, nil
}

// PendingNotices counts the messages of notice priority still waiting to be
// sent to chat (edits and deletions aside): how far behind that chat is.
func (tx *Tx) PendingNotices(chat int64) (int, error) {
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'pending' AND priority = ? AND chat_id = ?
		AND kind IN ('send', 'photo', 'document', 'location')`, PriorityNotice, chat).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending notices of %d: %w", chat, err)
	}
	return n, nil
}

// OutboxCounts counts rows by status.
func (db *DB) OutboxCounts() (map[string]int, error) {
	rows, err := db.db.Query(`SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count outbox: %w", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, fmt.Errorf("count outbox: %w", err)
		}
		counts[s] = n
	}
	return counts, rows.Err()
}

// SendOutcome is what happened to one outbox row's send attempt.
type SendOutcome struct {
	ID        int64
	Status    string    // StatusSent, StatusFailed, or StatusPending for a retry
	MessageID int       // Telegram's id of the sent message
	NotBefore time.Time // for a retry
	Error     string    // Telegram's description, the body excerpt or the network error
	// HTTPStatus is the failed attempt's HTTP status (Telegram's error_code,
	// or the status of an answer without its envelope); 0 without an answer.
	HTTPStatus int
	// NoAnswer: the failed attempt got no HTTP answer at all (connection
	// refused, a timeout, DNS, a dropped connection).
	NoAnswer bool
	// Unreachable, when set, is a user to mark unreachable (403).
	Unreachable int64
}

// RecordSends stores many outcomes in one transaction of their own: one
// fsync for a batch of sends instead of one each. A crash before it commits
// resends those rows, which the at-least-once delivery policy allows.
func (db *DB) RecordSends(ctx context.Context, outcomes []SendOutcome) error {
	return db.Update(ctx, func(tx *Tx) error { return tx.RecordSends(outcomes) })
}

// RecordSends stores outcomes in tx, in order (a row's later outcome last):
// the poller writes the sender's outcomes in the transaction of the next
// batch of updates, so that a reply costs no fsync of its own.
func (tx *Tx) RecordSends(outcomes []SendOutcome) error {
	now, nowMs := formatTime(tx.now), tx.now.UnixMilli()
	for _, o := range outcomes {
		unanswered, answeredAt := 0, nowMs
		if o.NoAnswer {
			unanswered, answeredAt = 1, 0
		}
		var err error
		switch o.Status {
		case StatusSent:
			_, err = tx.Exec(`UPDATE outbox SET status = 'sent', tg_message_id = ?, attempts = attempts + 1,
				sent_at = ?, error = '', http_status = 0, failing_since = 0, unanswered = 0, answered_since = 0
				WHERE id = ?`, o.MessageID, now, o.ID)
		case StatusFailed:
			_, err = tx.Exec(`UPDATE outbox SET status = 'failed', attempts = attempts + 1, error = ?, http_status = ?,
				failing_since = CASE failing_since WHEN 0 THEN ? ELSE failing_since END,
				unanswered = unanswered + ?, answered_since = CASE answered_since WHEN 0 THEN ? ELSE answered_since END
				WHERE id = ?`, o.Error, o.HTTPStatus, nowMs, unanswered, answeredAt, o.ID)
		default:
			_, err = tx.Exec(`UPDATE outbox SET attempts = attempts + 1, not_before = ?, error = ?, http_status = ?,
				failing_since = CASE failing_since WHEN 0 THEN ? ELSE failing_since END,
				unanswered = unanswered + ?, answered_since = CASE answered_since WHEN 0 THEN ? ELSE answered_since END
				WHERE id = ?`, o.NotBefore.UnixMilli(), o.Error, o.HTTPStatus, nowMs, unanswered, answeredAt, o.ID)
		}
		if err != nil {
			return fmt.Errorf("record send of outbox row %d: %w", o.ID, err)
		}
		if o.Unreachable != 0 {
			if err := tx.SetUnreachable(o.Unreachable, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// ReplaceWithFallback makes pending row id send m, a text standing in for the
// photo, location or document it held, which was given up for reason. The row
// keeps its id, so the text goes where the media would have in its chat's
// order; fallback_of and fallback_error keep what was replaced and why, and
// the bytes are dropped. It reports false when the row is no longer pending.
func (tx *Tx) ReplaceWithFallback(id int64, m Message, reason string) (bool, error) {
	if m.Kind == "" {
		m.Kind = KindSend
	}
	payload, err := json.Marshal(m)
	if err != nil {
		return false, fmt.Errorf("replace outbox row %d: encode: %w", id, err)
	}
	// On the right of SET, kind is still the replaced row's.
	res, err := tx.Exec(`UPDATE outbox SET fallback_of = kind, fallback_error = ?, kind = ?, payload = ?, file = NULL,
		attempts = 0, not_before = 0, failing_since = 0, unanswered = 0, answered_since = 0, http_status = 0, error = ''
		WHERE id = ? AND status = 'pending'`, reason, string(m.Kind), string(payload), id)
	if err != nil {
		return false, fmt.Errorf("replace outbox row %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("replace outbox row %d: %w", id, err)
	}
	if n > 0 {
		tx.enqueued++ // wakes the sender after the commit
	}
	return n > 0, nil
}

// ClearSentDocuments drops the file bytes of documents already sent or given
// up on (exports with full NIKs, photo ZIPs of up to 45 MB a part): only a
// pending row is ever read for its bytes, and keeping them would grow the
// database, and every backup of it, by each export.
func (tx *Tx) ClearSentDocuments() error {
	if _, err := tx.Exec(`UPDATE outbox SET file = NULL WHERE kind = 'document' AND status IN ('sent', 'failed')
		AND file IS NOT NULL`); err != nil {
		return fmt.Errorf("clear sent documents: %w", err)
	}
	return nil
}

// OutboxStatus is outbox row id's status (StatusPending, StatusSent or
// StatusFailed); "" when there is no such row. Pending includes a row the
// sender may be sending right now: its outcome is recorded after.
func (tx *Tx) OutboxStatus(id int64) (string, error) {
	var status string
	err := tx.QueryRow(`SELECT status FROM outbox WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read outbox row %d: %w", id, err)
	}
	return status, nil
}
