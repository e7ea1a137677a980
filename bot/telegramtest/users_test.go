package telegramtest

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// fakeClock is a settable Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestPressButtonReachesBot(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{FirstName: "Budi", Username: "budi_psm"})
	msg := tgbotapi.NewMessage(u.ID(), "Hadir rakor?")
	msg.ReplyMarkup = inlineKeyboard("Hadir", "rsvp:7:yes", "Tidak", "rsvp:7:no")
	first, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	msg.Text = "Hadir rakor kedua?"
	msg.ReplyMarkup = inlineKeyboard("Hadir", "rsvp:8:yes")
	second, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}

	if err := u.Press("Hadir"); err != nil {
		t.Fatal(err)
	}
	if err := u.PressOn(first.MessageID, "Tidak"); err != nil {
		t.Fatal(err)
	}
	ups := pollOnce(t, bot, 0)
	if len(ups) != 2 {
		t.Fatalf("got %d updates", len(ups))
	}
	cq := ups[0].CallbackQuery
	if cq == nil || cq.Data != "rsvp:8:yes" || cq.Message.MessageID != second.MessageID || cq.From.ID != u.ID() ||
		cq.From.UserName != "budi_psm" || cq.Message.Chat.ID != u.ID() || cq.Message.Text != "Hadir rakor kedua?" || cq.ChatInstance == "" {
		t.Fatalf("callback_query = %+v", cq)
	}
	if cq2 := ups[1].CallbackQuery; cq2.Data != "rsvp:7:no" || cq2.Message.MessageID != first.MessageID {
		t.Fatalf("second callback_query = %+v", cq2)
	}

	if _, err := bot.Request(tgbotapi.NewCallbackWithAlert(cq.ID, "Tercatat: hadir")); err != nil {
		t.Fatalf("answerCallbackQuery: %v", err)
	}
	if got := u.CallbackAnswers(); len(got) != 1 || got[0] != (CallbackAnswer{QueryID: cq.ID, Text: "Tercatat: hadir", ShowAlert: true}) {
		t.Errorf("CallbackAnswers = %+v", got)
	}
	assertNoViolations(t, srv)

	_, err = bot.Request(tgbotapi.NewCallback(cq.ID, "again"))
	if err == nil || !strings.Contains(err.Error(), "query is too old and response timeout expired or query ID is invalid") {
		t.Errorf("second answer: %v", err)
	}

	if err := u.Press("Nonexistent"); err == nil || !strings.Contains(err.Error(), "Hadir rakor kedua?") {
		t.Errorf("Press of a missing label: %v", err)
	}
	u.PressData(second.MessageID, "forged")
	if ups := pollOnce(t, bot, ups[1].UpdateID+1); len(ups) != 1 || ups[0].CallbackQuery.Data != "forged" {
		t.Errorf("PressData: %+v", ups)
	}
}

func TestCallbackQueryExpires(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	srv, bot := newTestServer(t, Options{Now: clock.Now})
	u := srv.NewUser(UserOptions{})
	msg := tgbotapi.NewMessage(u.ID(), "Pilih")
	msg.ReplyMarkup = inlineKeyboard("A", "a")
	if _, err := bot.Send(msg); err != nil {
		t.Fatal(err)
	}
	if err := u.Press("A"); err != nil {
		t.Fatal(err)
	}
	cq := pollOnce(t, bot, 0)[0].CallbackQuery
	clock.Advance(16 * time.Minute)
	_, err := bot.Request(tgbotapi.NewCallback(cq.ID, ""))
	if err == nil || !strings.Contains(err.Error(), "query is too old") {
		t.Errorf("late answer: %v", err)
	}
}

func TestUserMessages(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{ID: 777, FirstName: "Rina", LanguageCode: "id"})
	late := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	u.OpenDeepLink("rakor-2026")
	u.SendTextAt("terlambat", late)
	u.SendLocation(-1.61, 103.61)
	u.SendContact("+6281234567890", 777, "Rina")
	ups := pollOnce(t, bot, 0)
	if len(ups) != 4 {
		t.Fatalf("%d updates", len(ups))
	}
	start := ups[0].Message
	if !start.IsCommand() || start.Command() != "start" || start.CommandArguments() != "rakor-2026" || start.From.LanguageCode != "id" || start.Chat.Type != "private" {
		t.Errorf("deep link = %+v", start)
	}
	if ups[1].Message.Date != int(late.Unix()) || ups[1].Message.MessageID != start.MessageID+1 {
		t.Errorf("late message = %+v", ups[1].Message)
	}
	if loc := ups[2].Message.Location; loc == nil || loc.Latitude != -1.61 {
		t.Errorf("location = %+v", loc)
	}
	if c := ups[3].Message.Contact; c == nil || c.PhoneNumber != "+6281234567890" || c.UserID != 777 {
		t.Errorf("contact = %+v", c)
	}
	assertNoViolations(t, srv)
}

func TestBlockedUser(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	u.Block()
	_, err := bot.Send(tgbotapi.NewMessage(u.ID(), "halo"))
	var tgErr *tgbotapi.Error
	if !errors.As(err, &tgErr) || tgErr.Code != 403 || tgErr.Message != "Forbidden: bot was blocked by the user" {
		t.Fatalf("send to blocked user: %v", err)
	}
	u.Unblock()
	if _, err := bot.Send(tgbotapi.NewMessage(u.ID(), "halo")); err != nil {
		t.Fatalf("send after unblock: %v", err)
	}
	ups := pollOnce(t, bot, 0)
	if len(ups) != 2 || ups[0].MyChatMember == nil || ups[0].MyChatMember.NewChatMember.Status != "kicked" ||
		ups[1].MyChatMember.NewChatMember.Status != "member" || ups[1].MyChatMember.OldChatMember.Status != "kicked" {
		t.Fatalf("my_chat_member updates = %+v", ups)
	}
	assertNoViolations(t, srv)
}

func TestGroups(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	a, b := srv.NewUser(UserOptions{}), srv.NewUser(UserOptions{})
	g := srv.NewGroup("TKSK Kota Jambi", a, b)
	if g.ID() >= 0 {
		t.Fatalf("group id %d should be negative", g.ID())
	}
	g.SendText(b, "/rekap@dinsos_test_bot")
	ups := pollOnce(t, bot, 0)
	m := ups[0].Message
	if m.Chat.ID != g.ID() || m.Chat.Type != "group" || m.Chat.Title != "TKSK Kota Jambi" || m.From.ID != b.ID() || m.Command() != "rekap" {
		t.Fatalf("group message = %+v", m)
	}
	reply := tgbotapi.NewMessage(g.ID(), "Rekap minggu ini")
	reply.ReplyMarkup = inlineKeyboard("Detail", "detail")
	if _, err := bot.Send(reply); err != nil {
		t.Fatal(err)
	}
	if msgs, err := g.WaitFor(waitTimeout, func(ms []Message) bool { return len(ms) == 1 }); err != nil || msgs[0].Text != "Rekap minggu ini" {
		t.Fatalf("group messages = %+v, %v", msgs, err)
	}
	if err := g.Press(a, "Detail"); err != nil {
		t.Fatal(err)
	}
	if ups := pollOnce(t, bot, ups[0].UpdateID+1); ups[0].CallbackQuery.From.ID != a.ID() || ups[0].CallbackQuery.Message.Chat.ID != g.ID() {
		t.Errorf("group press = %+v", ups[0].CallbackQuery)
	}
	if m, err := g.WaitForText(waitTimeout, "minggu"); err != nil || m.ChatID != g.ID() || len(g.Messages()) != 1 || len(g.Members()) != 2 {
		t.Errorf("WaitForText = %+v, %v", m, err)
	}
	if len(a.Messages()) != 0 {
		t.Errorf("group messages leaked into a private chat")
	}
	assertNoViolations(t, srv)
}

func TestWaitFor(t *testing.T) {
	srv, bot := newTestServer(t, Options{})
	u := srv.NewUser(UserOptions{})
	go func() {
		for _, text := range []string{"Langkah 1", "Langkah 2: isi nama"} {
			if _, err := bot.Send(tgbotapi.NewMessage(u.ID(), text)); err != nil {
				t.Error(err)
			}
		}
	}()
	m, err := u.WaitForText(waitTimeout, "isi nama")
	if err != nil || m.Text != "Langkah 2: isi nama" {
		t.Fatalf("WaitForText = %+v, %v", m, err)
	}
	_, err = u.WaitFor(50*time.Millisecond, func(ms []Message) bool { return len(ms) > 5 })
	if err == nil || !strings.Contains(err.Error(), `"Langkah 1"`) || !strings.Contains(err.Error(), "isi nama") {
		t.Errorf("timeout error should list the messages: %v", err)
	}
	assertNoViolations(t, srv)
}
