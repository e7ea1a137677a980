package flows_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// world is a bot without Telegram: the real flows on a real SQLite file, an
// injected clock, and the outbox read back as what people would see.
type world struct {
	t      *testing.T
	cfg    flows.Config
	path   string
	db     *store.DB
	app    *flows.App
	now    time.Time
	update int
	rows   []store.OutboxRow // every row read so far, in order
	got    []store.OutboxRow // what the last action produced, all chats
}

const adminID = 900

func newWorld(t *testing.T, cfg flows.Config) *world {
	t.Helper()
	if cfg.BotUsername == "" {
		cfg.BotUsername = "dinsos_jambi_bot"
	}
	if cfg.Admins == nil {
		cfg.Admins = []int64{adminID}
	}
	w := &world{t: t, cfg: cfg, path: filepath.Join(t.TempDir(), "bot.db"),
		now: time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)}
	w.open()
	t.Cleanup(func() { w.db.Close() })
	return w
}

func (w *world) open() {
	w.t.Helper()
	db, err := store.Open(context.Background(), w.path, store.Options{Now: func() time.Time { return w.now }})
	if err != nil {
		w.t.Fatal(err)
	}
	w.db, w.app = db, flows.New(w.cfg)
}

// restart closes the database and opens it again with a new App, as a restarted
// bot would.
func (w *world) restart() {
	w.t.Helper()
	if err := w.db.Close(); err != nil {
		w.t.Fatal(err)
	}
	w.open()
}

// drain reads the new outbox rows and marks them sent with message id = row id,
// as the sender would.
func (w *world) drain() []store.OutboxRow {
	w.t.Helper()
	rows, err := w.db.PendingOutbox(1000)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, r := range rows {
		if len(r.Message.Text) > 4096 {
			w.t.Errorf("row %d: text of %d bytes", r.ID, len(r.Message.Text))
		}
		for _, row := range r.Message.Buttons {
			for _, b := range row {
				if len(b.Data) > flows.MaxCallbackData {
					w.t.Errorf("row %d: callback data %q too long", r.ID, b.Data)
				}
			}
		}
	}
	sent := make([]store.SendOutcome, len(rows))
	for i, r := range rows {
		sent[i] = store.SendOutcome{ID: r.ID, Status: store.StatusSent, MessageID: int(r.ID)}
	}
	if err := w.db.RecordSends(context.Background(), sent); err != nil {
		w.t.Fatal(err)
	}
	w.rows = append(w.rows, rows...)
	w.got = rows
	return rows
}

func (w *world) sweep() []store.OutboxRow {
	w.t.Helper()
	if err := w.db.Update(context.Background(), func(tx *store.Tx) error { return w.app.Sweep(tx) }); err != nil {
		w.t.Fatal(err)
	}
	return w.drain()
}

func (w *world) user(id int64) store.User {
	w.t.Helper()
	var u store.User
	if err := w.db.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		u, _, err = tx.GetUser(id)
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	return u
}

func (w *world) conversation(id int64) (store.Conversation, bool) {
	w.t.Helper()
	var c store.Conversation
	var ok bool
	if err := w.db.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		c, ok, err = tx.Conversation(id, id)
		return err
	}); err != nil {
		w.t.Fatal(err)
	}
	return c, ok
}

// person is someone chatting privately with the bot.
type person struct {
	w    *world
	id   int64
	name string
}

func (w *world) person(id int64, name string) *person { return &person{w: w, id: id, name: name} }

// do handles ev as the runtime would (one transaction) and returns the new rows.
func (p *person) do(ev flows.Event) []store.OutboxRow {
	p.w.t.Helper()
	p.w.update++
	ev.UpdateID = p.w.update
	if ev.ChatID == 0 {
		ev.ChatID, ev.ChatType = p.id, "private"
	}
	ev.UserID, ev.FirstName, ev.Date = p.id, p.name, p.w.now
	if err := p.w.db.Update(context.Background(), func(tx *store.Tx) error { return p.w.app.Handle(tx, ev) }); err != nil {
		p.w.t.Fatalf("handle %+v: %v", ev, err)
	}
	return p.w.drain()
}

func (p *person) send(text string) *person {
	p.w.t.Helper()
	ev := flows.Event{Kind: flows.EventMessage, Text: text}
	if strings.HasPrefix(text, "/") {
		cmd, args, _ := strings.Cut(text[1:], " ")
		ev.Command, ev.Args = strings.ToLower(cmd), strings.TrimSpace(args)
	}
	p.do(ev)
	return p
}

func (p *person) contact(phone string, owner int64) *person {
	p.w.t.Helper()
	p.do(flows.Event{Kind: flows.EventMessage, Contact: &flows.Contact{PhoneNumber: phone, UserID: owner}})
	return p
}

func (p *person) location(lat, lon float64) *person {
	p.w.t.Helper()
	p.do(flows.Event{Kind: flows.EventMessage, Location: &flows.Location{Latitude: lat, Longitude: lon}})
	return p
}

// find returns the data and message id of the newest button labelled label (a
// substring) in p's chat.
func (p *person) find(label string) (data string, msgID int, ok bool) {
	rows := p.w.rows
	for i := len(rows) - 1; i >= 0; i-- {
		m := rows[i].Message
		if m.ChatID != p.id {
			continue
		}
		for _, row := range m.Buttons {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					id := int(rows[i].ID)
					if m.MessageID != 0 {
						id = m.MessageID
					}
					return b.Data, id, true
				}
			}
		}
	}
	return "", 0, false
}

// press presses the newest button labelled label and checks the callback was
// answered exactly once.
func (p *person) press(label string) *person {
	p.w.t.Helper()
	data, id, ok := p.find(label)
	if !ok {
		p.w.t.Fatalf("user %d: no button %q; last: %s", p.id, label, p.last())
	}
	return p.pressData(data, id)
}

func (p *person) pressData(data string, msgID int) *person {
	p.w.t.Helper()
	cbID := "cb" + time.Duration(p.w.update).String()
	p.do(flows.Event{Kind: flows.EventCallback, CallbackID: cbID, CallbackData: data, CallbackMessageID: msgID})
	answers := 0
	for _, r := range p.w.got {
		if r.Message.Kind == store.KindAnswerCallback && r.Message.CallbackID == cbID {
			answers++
		}
	}
	if answers != 1 {
		p.w.t.Fatalf("callback %q answered %d times", data, answers)
	}
	return p
}

// texts are the texts the last action sent or edited into p's chat, joined.
func (p *person) texts() string {
	var b strings.Builder
	for _, r := range p.w.got {
		if r.Message.ChatID == p.id && r.Message.Kind != store.KindAnswerCallback {
			b.WriteString(r.Message.Text)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// last is the newest message sent to p (any action).
func (p *person) last() string {
	for i := len(p.w.rows) - 1; i >= 0; i-- {
		if m := p.w.rows[i].Message; m.ChatID == p.id && m.Kind == store.KindSend {
			return m.Text
		}
	}
	return ""
}

// callbackAnswer is the text of the answer to the last callback.
func (p *person) callbackAnswer() string {
	for _, r := range p.w.got {
		if r.Message.Kind == store.KindAnswerCallback {
			return r.Message.Text
		}
	}
	return ""
}

func (p *person) expect(substr string) *person {
	p.w.t.Helper()
	if !strings.Contains(p.texts()+p.callbackAnswer(), substr) {
		p.w.t.Fatalf("user %d: want %q in\n%s", p.id, substr, p.texts()+p.callbackAnswer())
	}
	return p
}

func (p *person) reject(substr string) *person {
	p.w.t.Helper()
	if strings.Contains(p.texts(), substr) {
		p.w.t.Fatalf("user %d: did not want %q in\n%s", p.id, substr, p.texts())
	}
	return p
}

// step returns the stored step of p's conversation ("" when none).
func (p *person) step() string {
	c, ok := p.w.conversation(p.id)
	if !ok {
		return ""
	}
	return c.Step
}
