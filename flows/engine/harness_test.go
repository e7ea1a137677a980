package engine_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dinsosbot/flows/engine"
	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// bench runs the engine alone, as a host would: a real SQLite file, one
// transaction per event, and the outbox read back as what the person sees.
type bench struct {
	t      *testing.T
	path   string
	db     *store.DB
	host   engine.Host
	flows  []*engine.Flow
	eng    *engine.Engine
	now    time.Time
	update int
	lang   i18n.Lang
	rows   []store.OutboxRow
	got    []store.OutboxRow
}

const who = 77

func newBench(t *testing.T, host engine.Host, flows ...*engine.Flow) *bench {
	t.Helper()
	b := &bench{t: t, path: filepath.Join(t.TempDir(), "bot.db"), host: host, flows: flows, lang: i18n.ID,
		now: time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)}
	b.open()
	t.Cleanup(func() { b.db.Close() })
	return b
}

// open opens the database and builds a new engine, as a restarted bot would.
func (b *bench) open() {
	b.t.Helper()
	db, err := store.Open(context.Background(), b.path, store.Options{Now: func() time.Time { return b.now }})
	if err != nil {
		b.t.Fatal(err)
	}
	b.db, b.eng = db, engine.New(b.host)
	for _, f := range b.flows {
		if err := b.eng.Register(f); err != nil {
			b.t.Fatal(err)
		}
	}
}

func (b *bench) restart() {
	b.t.Helper()
	if err := b.db.Close(); err != nil {
		b.t.Fatal(err)
	}
	b.open()
}

// run handles one event in a transaction, as the runtime would, with act
// deciding what it means.
func (b *bench) run(ev engine.Event, act func(c *engine.Ctx) error) []store.OutboxRow {
	b.t.Helper()
	b.update++
	ev.UpdateID, ev.ChatID, ev.ChatType, ev.UserID, ev.Date = b.update, who, "private", who, b.now
	if ev.MessageID == 0 && ev.Kind == engine.EventMessage {
		ev.MessageID = 1000 + b.update
	}
	err := b.db.Update(context.Background(), func(tx *store.Tx) error {
		u, err := tx.TouchUser(who, "Sri", "")
		if err != nil {
			return err
		}
		c := &engine.Ctx{Tx: tx, Ev: ev, User: u, Lang: b.lang}
		if err := act(c); err != nil {
			return err
		}
		return c.Answer("")
	})
	if err != nil {
		b.t.Fatalf("event %+v: %v", ev, err)
	}
	return b.drain()
}

func (b *bench) drain() []store.OutboxRow {
	b.t.Helper()
	rows, err := b.db.PendingOutbox(1000)
	if err != nil {
		b.t.Fatal(err)
	}
	sent := make([]store.SendOutcome, len(rows))
	for i, r := range rows {
		if len(r.Message.Text) > 4096 {
			b.t.Errorf("row %d: text of %d bytes", r.ID, len(r.Message.Text))
		}
		for _, row := range r.Message.Buttons {
			for _, btn := range row {
				if len(btn.Data) > 64 {
					b.t.Errorf("row %d: callback data %q too long", r.ID, btn.Data)
				}
			}
		}
		sent[i] = store.SendOutcome{ID: r.ID, Status: store.StatusSent, MessageID: int(r.ID)}
	}
	if err := b.db.RecordSends(context.Background(), sent); err != nil {
		b.t.Fatal(err)
	}
	b.rows = append(b.rows, rows...)
	b.got = rows
	return rows
}

func (b *bench) start(name string) *bench {
	b.t.Helper()
	var f *engine.Flow
	for _, g := range b.flows {
		if g.Name == name {
			f = g
		}
	}
	if f == nil {
		b.t.Fatalf("no flow %s", name)
	}
	return b.startFlow(f)
}

func (b *bench) startFlow(f *engine.Flow) *bench {
	b.t.Helper()
	b.run(engine.Event{Kind: engine.EventMessage}, func(c *engine.Ctx) error {
		return b.eng.Start(c, f, nil, nil, false)
	})
	return b
}

// send types text: /batal, /kembali and /lewati act as the commands do.
func (b *bench) send(text string) *bench {
	b.t.Helper()
	b.message(engine.Event{Kind: engine.EventMessage, Text: text})
	return b
}

func (b *bench) message(ev engine.Event) *bench {
	b.t.Helper()
	b.run(ev, func(c *engine.Ctx) error {
		if cmd, ok := map[string]bool{"/batal": true, "/kembali": true, "/lewati": true}[ev.Text]; ok && cmd {
			s, open, err := b.eng.Load(c)
			if err != nil || !open {
				return err
			}
			switch ev.Text {
			case "/batal":
				return b.eng.Cancel(c, s, "flow.cancelled")
			case "/kembali":
				return b.eng.Back(c, s)
			}
			return b.eng.Skip(c, s)
		}
		handled, err := b.eng.OnMessage(c)
		if err == nil && !handled {
			return c.Reply("no flow")
		}
		return err
	})
	return b
}

// find returns the data and message id of the newest button labelled label.
func (b *bench) find(label string) (string, int, bool) {
	for i := len(b.rows) - 1; i >= 0; i-- {
		m := b.rows[i].Message
		for _, row := range m.Buttons {
			for _, btn := range row {
				if strings.Contains(btn.Text, label) {
					id := int(b.rows[i].ID)
					if m.MessageID != 0 {
						id = m.MessageID
					}
					return btn.Data, id, true
				}
			}
		}
	}
	return "", 0, false
}

func (b *bench) press(label string) *bench {
	b.t.Helper()
	d, id, ok := b.find(label)
	if !ok {
		b.t.Fatalf("no button %q; last: %s", label, b.texts())
	}
	return b.pressData(d, id)
}

func (b *bench) pressData(d string, id int) *bench {
	b.t.Helper()
	parts := strings.Split(d, ":")
	if len(parts) != 4 {
		b.t.Fatalf("bad callback data %q", d)
	}
	cb := engine.Callback{Kind: parts[0], Nonce: parts[1], Op: parts[2], Arg: parts[3]}
	b.run(engine.Event{Kind: engine.EventCallback, CallbackID: "cb", CallbackData: d, CallbackMessageID: id},
		func(c *engine.Ctx) error {
			handled, err := b.eng.OnCallback(c, cb)
			if err == nil && !handled {
				b.t.Errorf("callback %q not handled", d)
			}
			return err
		})
	return b
}

// texts is what the last event sent or edited into the chat, with the
// callback's answer.
func (b *bench) texts() string {
	var s strings.Builder
	for _, r := range b.got {
		s.WriteString(r.Message.Text)
		s.WriteString("\n")
	}
	return s.String()
}

// buttons lists the button labels of the last event's messages.
func (b *bench) buttons() []string {
	var out []string
	for _, r := range b.got {
		for _, row := range r.Message.Buttons {
			for _, btn := range row {
				out = append(out, btn.Text)
			}
		}
	}
	return out
}

// messages counts the new messages (not edits, not callback answers) of the
// last event.
func (b *bench) messages() int {
	n := 0
	for _, r := range b.got {
		if k := r.Message.Kind; k == "" || k == store.KindSend {
			n++
		}
	}
	return n
}

func (b *bench) expect(sub string) *bench {
	b.t.Helper()
	if !strings.Contains(b.texts(), sub) {
		b.t.Fatalf("want %q in\n%s", sub, b.texts())
	}
	return b
}

func (b *bench) reject(sub string) *bench {
	b.t.Helper()
	if strings.Contains(b.texts(), sub) {
		b.t.Fatalf("did not want %q in\n%s", sub, b.texts())
	}
	return b
}

func (b *bench) step() string {
	b.t.Helper()
	var conv store.Conversation
	if err := b.db.Update(context.Background(), func(tx *store.Tx) error {
		var err error
		conv, _, err = tx.Conversation(who, who)
		return err
	}); err != nil {
		b.t.Fatal(err)
	}
	return conv.Step
}

// saver records what Save got.
type saver struct{ got engine.Answers }

func (s *saver) save(c *engine.Ctx) error {
	s.got = c.Answers
	return c.Reply("SAVED")
}

func lit(id, en string) map[i18n.Lang]string { return map[i18n.Lang]string{i18n.ID: id, i18n.EN: en} }
