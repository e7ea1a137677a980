package flows_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

const caseWait = 10 * time.Second

// Kota Jambi codes used by the case tests.
const (
	kecTelanaipura   = "15.71.01"
	kelBuluranKenali = "15.71.01.1002"
	kecJambiSelatan  = "15.71.02"
)

// caseHarness is the whole bot with a media folder, for the case tests.
func caseHarness(t *testing.T, mediaDir string, opts bottest.Options) *bottest.Harness {
	t.Helper()
	prev := opts.Bot
	opts.Bot = func(c *bot.Config) {
		if mediaDir != "" {
			c.Media = bot.MediaConfig{Dir: mediaDir, Interval: 20 * time.Millisecond,
				MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
		}
		if prev != nil {
			prev(c)
		}
	}
	return bottest.Start(t, opts)
}

// tgUser is a simulated person with helpers that wait for the bot's answer to
// each action, so a press never races the prompt it means.
type tgUser struct {
	t *testing.T
	h *bottest.Harness
	*telegramtest.User
}

// seed creates u in the database as an active user with role in the given area
// (covers for coordinators), as if registered and approved.
func seed(t *testing.T, h *bottest.Harness, name, role, kec, kel, covers string) *tgUser {
	t.Helper()
	u := h.NewUser(strings.Fields(name)[0])
	err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.TouchUser(u.ID(), strings.Fields(name)[0], ""); err != nil {
			return err
		}
		if err := tx.SetProfile(u.ID(), store.Profile{FullName: name, Phone: "+6281234567890", Role: role,
			Kecamatan: kec, Kelurahan: kel}, store.UserActive); err != nil {
			return err
		}
		if covers != "" {
			return tx.SetRole(u.ID(), role, strings.Split(covers, ","))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &tgUser{t: t, h: h, User: u}
}

func lastMessageID(msgs []telegramtest.Message) int {
	id := 0
	for _, m := range msgs {
		id = max(id, m.ID)
	}
	return id
}

// do runs action and waits for a new or edited bot message containing substr.
func (u *tgUser) do(action func(), substr string) telegramtest.Message {
	u.t.Helper()
	before := u.Messages()
	action()
	var found telegramtest.Message
	if _, err := u.WaitFor(caseWait, func(msgs []telegramtest.Message) bool {
		for _, m := range telegramtest.Fresh(before, msgs) {
			if !m.Deleted && strings.Contains(m.Text, substr) {
				found = m
				return true
			}
		}
		return false
	}); err != nil {
		u.t.Fatal(err)
	}
	return found
}

func (u *tgUser) send(text, want string) telegramtest.Message {
	u.t.Helper()
	return u.do(func() { u.SendText(text) }, want)
}

func (u *tgUser) press(label, want string) telegramtest.Message {
	u.t.Helper()
	return u.do(func() {
		if err := u.Press(label); err != nil {
			u.t.Fatal(err)
		}
	}, want)
}

// waitCallback waits for the n-th answer to the user's presses to contain want.
func (u *tgUser) waitCallback(n int, want string) {
	u.t.Helper()
	u.h.WaitUntil(caseWait, "callback answer "+want, func() bool {
		answers := u.CallbackAnswers()
		return len(answers) >= n && strings.Contains(answers[n-1].Text, want)
	})
}

// toggle presses a several-choice button, which is redrawn in place.
func (u *tgUser) toggle(label string) {
	u.t.Helper()
	if err := u.Press(label); err != nil {
		u.t.Fatal(err)
	}
	u.h.WaitUntil(caseWait, "toggled "+label, func() bool {
		m, ok := u.Last()
		if !ok {
			return false
		}
		for _, row := range m.InlineKeyboard {
			for _, b := range row {
				if b.Text == "✅ "+label {
					return true
				}
			}
		}
		return false
	})
}

// jpegBytes is a small real JPEG.
func jpegBytes(t *testing.T, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for y := range 120 {
		for x := range 160 {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// cases reads every stored case.
func cases(t *testing.T, h *bottest.Harness) []store.Case {
	t.Helper()
	var out []store.Case
	if err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		out, _, err = tx.ListCases(store.CaseFilter{}, 0, 100)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func caseEvents(t *testing.T, h *bottest.Harness, id int64) []store.CaseEvent {
	t.Helper()
	var out []store.CaseEvent
	if err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.CaseEvents(id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
