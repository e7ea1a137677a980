package flows

import (
	"fmt"
	"html"
	"strings"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// Config is what the flows need from the deployment's configuration.
type Config struct {
	// BotUsername is the bot's Telegram username, for deep links.
	BotUsername string
	// Office is the name of the office shown in greetings.
	Office string
	// DefaultLang is used for users who have not chosen one.
	DefaultLang i18n.Lang
	// Admins are seeded as admins by Telegram user id.
	Admins []int64
	// Location is the time zone every date is shown in.
	Location *time.Location
}

// App handles events. It is safe to use from one goroutine at a time, which is
// how the runtime calls it: one update at a time, in order.
type App struct {
	cfg Config
}

// New returns an App with cfg; zero fields take Kota Jambi's defaults.
func New(cfg Config) *App {
	if cfg.DefaultLang == "" {
		cfg.DefaultLang = i18n.ID
	}
	if cfg.Office == "" {
		cfg.Office = "Dinas Sosial Kota Jambi"
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	return &App{cfg: cfg}
}

// Handle decides what ev means and writes its effects and replies in tx.
func (a *App) Handle(tx *store.Tx, ev Event) error {
	if ev.Kind == EventMember {
		return a.memberChanged(tx, ev)
	}
	user, err := tx.TouchUser(ev.UserID, ev.FirstName, ev.Username)
	if err != nil {
		return fmt.Errorf("handle update %d: %w", ev.UpdateID, err)
	}
	lang := a.lang(user, ev)
	if !ev.Private() {
		if ev.Command == "" {
			return nil
		}
		return a.reply(tx, ev, i18n.T(lang, "group.private", "link", a.deepLink("")))
	}
	switch ev.Command {
	case "start":
		return a.reply(tx, ev, i18n.T(lang, "start.greeting",
			"name", html.EscapeString(ev.FirstName), "bot", html.EscapeString(a.cfg.BotUsername),
			"office", html.EscapeString(a.cfg.Office)))
	case "bantuan", "help":
		return a.reply(tx, ev, i18n.T(lang, "help.text"))
	}
	if ev.Kind == EventCallback {
		return nil
	}
	return a.reply(tx, ev, i18n.T(lang, "hint.unknown"))
}

// Apologize tells the user that their update could not be handled; the runtime
// calls it after Handle failed and its writes were rolled back.
func (a *App) Apologize(tx *store.Tx, ev Event) error {
	if ev.ChatID == 0 {
		return nil
	}
	user, _, err := tx.GetUser(ev.UserID)
	if err != nil {
		return fmt.Errorf("apologize: %w", err)
	}
	if ev.CallbackID != "" {
		if _, err := tx.Enqueue(store.Message{Kind: store.KindAnswerCallback, ChatID: ev.ChatID,
			CallbackID: ev.CallbackID}); err != nil {
			return fmt.Errorf("apologize: %w", err)
		}
	}
	return a.reply(tx, ev, i18n.T(a.lang(user, ev), "error.apology"))
}

func (a *App) memberChanged(tx *store.Tx, ev Event) error {
	if !ev.Private() {
		return nil
	}
	gone := ev.MemberStatus == "kicked" || ev.MemberStatus == "left"
	if _, err := tx.TouchUser(ev.UserID, ev.FirstName, ev.Username); err != nil {
		return fmt.Errorf("member change: %w", err)
	}
	return tx.SetUnreachable(ev.UserID, gone)
}

func (a *App) reply(tx *store.Tx, ev Event, text string) error {
	if _, err := tx.Enqueue(store.Message{ChatID: ev.ChatID, Text: text}); err != nil {
		return fmt.Errorf("reply: %w", err)
	}
	return nil
}

func (a *App) lang(u store.User, ev Event) i18n.Lang {
	if u.Language != "" {
		return i18n.Parse(u.Language, a.cfg.DefaultLang)
	}
	return a.cfg.DefaultLang
}

func (a *App) deepLink(payload string) string {
	link := "https://t.me/" + a.cfg.BotUsername
	if payload != "" {
		link += "?start=" + payload
	}
	return link
}

// Commands is the command menu for workers, in lang.
func Commands(lang i18n.Lang) []store.Command {
	cmds := []struct{ cmd, key string }{
		{"start", "cmd.start"}, {"bantuan", "cmd.help"}, {"bahasa", "cmd.language"}, {"batal", "cmd.cancel"},
	}
	out := make([]store.Command, 0, len(cmds))
	for _, c := range cmds {
		out = append(out, store.Command{Command: c.cmd, Description: strings.TrimSpace(i18n.T(lang, c.key))})
	}
	return out
}

// Sweep runs the time-driven parts of the flows (stale-draft reminders and
// expiry) against tx.Now(); the runtime calls it periodically.
func (a *App) Sweep(tx *store.Tx) error { return nil }
