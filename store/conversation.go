package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Conversation is the stored state of one open flow in one chat with one user.
// The flows package owns the meaning of Step and Data (JSON); the store only
// keeps them, so a restart resumes every conversation where it was. Data is
// stored with every run of 16 or more digits sealed (a NIK answered, or typed
// into any answer) and read back whole.
type Conversation struct {
	ChatID int64
	UserID int64
	Flow   string
	Step   string
	// Nonce changes with every prompt; buttons carry it, so a button of an older
	// prompt is recognised as stale.
	Nonce string
	Data  string
	// PromptRef is the outbox id of the last prompt, to take its keyboard away.
	PromptRef int64
	// Reminded is set once the stale-draft reminder was sent.
	Reminded bool
	// CaseID is the case the draft is about (a fix, a decision, a repeated
	// NIK), 0 for none: erasing that case drops the draft (DropCaseDrafts).
	CaseID    int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

const convSelect = `SELECT chat_id, user_id, flow, step, nonce, data, prompt_ref, reminded, case_id, created_at,
	updated_at FROM conversations`

// Conversation returns the open conversation of user in chat, ok=false if none.
func (tx *Tx) Conversation(chatID, userID int64) (c Conversation, ok bool, err error) {
	c, err = scanConversation(tx.QueryRow(convSelect+` WHERE chat_id = ? AND user_id = ?`, chatID, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return Conversation{}, false, nil
	}
	if err != nil {
		return Conversation{}, false, fmt.Errorf("read conversation %d/%d: %w", chatID, userID, err)
	}
	if c.Data, err = tx.keys.OpenDigits(c.Data); err != nil {
		return Conversation{}, false, fmt.Errorf("read conversation %d/%d: %w", chatID, userID, err)
	}
	return c, true, nil
}

// SaveConversation inserts or replaces c. UpdatedAt becomes the transaction time
// and Reminded is cleared when touch is true (the user did something); Sweep
// saves with touch=false so a reminder does not postpone the expiry.
func (tx *Tx) SaveConversation(c Conversation, touch bool) error {
	now := formatTime(tx.now)
	updated := now
	if !touch && !c.UpdatedAt.IsZero() {
		updated = formatTime(c.UpdatedAt)
	}
	if touch {
		c.Reminded = false
	}
	if _, err := tx.Exec(`INSERT INTO conversations
		(chat_id, user_id, flow, step, nonce, data, prompt_ref, reminded, case_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (chat_id, user_id) DO UPDATE SET flow = excluded.flow, step = excluded.step,
			nonce = excluded.nonce, data = excluded.data, prompt_ref = excluded.prompt_ref,
			reminded = excluded.reminded, case_id = excluded.case_id, updated_at = excluded.updated_at,
			created_at = CASE WHEN conversations.flow = excluded.flow THEN conversations.created_at
				ELSE excluded.created_at END`,
		c.ChatID, c.UserID, c.Flow, c.Step, c.Nonce, tx.keys.SealDigits(c.Data), c.PromptRef, c.Reminded, c.CaseID, now, updated); err != nil {
		return fmt.Errorf("save conversation %d/%d: %w", c.ChatID, c.UserID, err)
	}
	return nil
}

// DeleteConversation ends the conversation of user in chat; no error if none.
func (tx *Tx) DeleteConversation(chatID, userID int64) error {
	if _, err := tx.Exec(`DELETE FROM conversations WHERE chat_id = ? AND user_id = ?`, chatID, userID); err != nil {
		return fmt.Errorf("delete conversation %d/%d: %w", chatID, userID, err)
	}
	return nil
}

// IdleConversations lists conversations not touched since before, oldest first.
func (tx *Tx) IdleConversations(before time.Time) ([]Conversation, error) {
	rows, err := tx.Query(convSelect+` WHERE updated_at < ? ORDER BY updated_at`, formatTime(before))
	if err != nil {
		return nil, fmt.Errorf("list idle conversations: %w", err)
	}
	defer rows.Close()
	var out []Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, fmt.Errorf("list idle conversations: %w", err)
		}
		if c.Data, err = tx.keys.OpenDigits(c.Data); err != nil {
			return nil, fmt.Errorf("list idle conversations: %d/%d: %w", c.ChatID, c.UserID, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list idle conversations: %w", err)
	}
	return out, nil
}

// DropCaseDrafts deletes the drafts about case id (Conversation.CaseID) and
// returns them, for their owners to be told.
func (tx *Tx) DropCaseDrafts(id int64) ([]Conversation, error) {
	rows, err := tx.Query(convSelect+` WHERE case_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("drafts of case %d: %w", id, err)
	}
	var out []Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("drafts of case %d: %w", id, err)
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("drafts of case %d: %w", id, err)
	}
	if _, err := tx.Exec(`DELETE FROM conversations WHERE case_id = ?`, id); err != nil {
		return nil, fmt.Errorf("drop drafts of case %d: %w", id, err)
	}
	return out, nil
}

func scanConversation(row scanner) (Conversation, error) {
	var c Conversation
	var created, updated string
	if err := row.Scan(&c.ChatID, &c.UserID, &c.Flow, &c.Step, &c.Nonce, &c.Data, &c.PromptRef, &c.Reminded,
		&c.CaseID, &created, &updated); err != nil {
		return Conversation{}, err
	}
	var err error
	if c.CreatedAt, err = parseTime(created); err != nil {
		return Conversation{}, err
	}
	if c.UpdatedAt, err = parseTime(updated); err != nil {
		return Conversation{}, err
	}
	return c, nil
}
