package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/telegramtest"
)

// demo runs the real bot against the built-in fake Telegram server with a
// scripted conversation, then lets a person at a terminal chat with it. It needs
// no token and no network.
func demo(ctx context.Context, cfg Config, dbPath string, stdin io.Reader, stdout io.Writer, log *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "dinsosbot-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "dinsosbot.db")
	}
	cfg.Database.Path = dbPath
	// The demo admin is a simulated user with a fixed id.
	const adminID = 5000001
	cfg.Admins = append(cfg.Admins, adminID)

	srv := telegramtest.NewServer(telegramtest.Options{BotUsername: "dinsos_jambi_bot"})
	defer srv.Close()
	admin := srv.NewUser(telegramtest.UserOptions{ID: adminID, FirstName: "Admin Dinsos", LanguageCode: "id"})
	siti := srv.NewUser(telegramtest.UserOptions{FirstName: "Siti", LastName: "Aminah", LanguageCode: "id"})
	_ = admin

	ready := make(chan *bot.Bot, 1)
	errc := make(chan error, 1)
	// The bot's log goes to stderr at warn level so the transcript stays
	// readable.
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	go func() { errc <- serve(ctx, cfg, srv.Token(), srv.URL(), quiet, func(b *bot.Bot) { ready <- b }) }()
	select {
	case <-ready:
	case err := <-errc:
		return err
	}
	fmt.Fprintf(stdout, "dinsosbot demo: the real bot against a fake Telegram at %s\ndatabase: %s\n\n", srv.URL(), dbPath)

	t := &transcript{out: stdout}
	script := []string{"/start", "/bantuan", "halo"}
	for _, line := range script {
		if err := t.say(siti, line); err != nil {
			return err
		}
	}

	if isTerminal(stdin) {
		fmt.Fprintln(stdout, "\nNow you are Siti. Type a message; #Label presses a button; @lokasi LAT,LON shares a location; @kontak shares your phone; Ctrl-D ends.")
		in := bufio.NewScanner(stdin)
		for fmt.Fprint(stdout, "> "); in.Scan(); fmt.Fprint(stdout, "> ") {
			if line := strings.TrimSpace(in.Text()); line != "" {
				if err := t.say(siti, line); err != nil {
					fmt.Fprintln(stdout, "  !", err)
				}
			}
		}
	}
	cancel()
	if err := <-errc; err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\ndemo finished")
	return nil
}

// transcript prints a conversation as a person would read it.
type transcript struct {
	out  io.Writer
	seen map[*telegramtest.User]int
}

// say acts for u (text, #button, @lokasi, @kontak), waits for the bot to answer
// and prints the exchange.
func (t *transcript) say(u *telegramtest.User, line string) error {
	if t.seen == nil {
		t.seen = map[*telegramtest.User]int{}
	}
	before := len(u.Messages())
	fmt.Fprintf(t.out, "%s: %s\n", "👤", line)
	switch {
	case strings.HasPrefix(line, "#"):
		if err := u.Press(strings.TrimSpace(line[1:])); err != nil {
			return err
		}
	case strings.HasPrefix(line, "@lokasi"):
		lat, lon, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, "@lokasi")), ",")
		la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		lo, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("write @lokasi -1.6101,103.6131")
		}
		u.SendLocation(la, lo)
	case line == "@kontak":
		u.SendContact("+6281234567890", u.ID(), "Siti")
	default:
		u.SendText(line)
	}
	// Wait for the first reply, then for the bot to fall quiet: a step may
	// answer with more than one message.
	if _, err := u.WaitFor(10*time.Second, func(m []telegramtest.Message) bool { return len(m) > before }); err != nil {
		return fmt.Errorf("the bot did not answer: %w", err)
	}
	for n := -1; n != len(u.Messages()); {
		n = len(u.Messages())
		time.Sleep(300 * time.Millisecond)
	}
	msgs := u.Messages()
	for _, m := range msgs[before:] {
		t.print(m)
	}
	return nil
}

func (t *transcript) print(m telegramtest.Message) {
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	if m.Kind == "photo" || m.Kind == "document" {
		text = fmt.Sprintf("[%s %s] %s", m.Kind, m.FileName, text)
	}
	for i, line := range strings.Split(stripTags(text), "\n") {
		prefix := "   "
		if i == 0 {
			prefix = "🤖 "
		}
		fmt.Fprintln(t.out, prefix+line)
	}
	for _, row := range m.InlineKeyboard {
		var labels []string
		for _, b := range row {
			labels = append(labels, "["+b.Text+"]")
		}
		fmt.Fprintln(t.out, "   "+strings.Join(labels, " "))
	}
	for _, row := range m.ReplyKeyboard {
		var labels []string
		for _, b := range row {
			labels = append(labels, "⟦"+b.Text+"⟧")
		}
		fmt.Fprintln(t.out, "   "+strings.Join(labels, " "))
	}
}

// stripTags turns the bot's HTML into plain terminal text.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&amp;", "&").Replace(b.String())
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
