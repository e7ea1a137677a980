// Package demo is "dinsosbot demo": the real bot against the built-in fake
// Telegram, with a scripted conversation in the configured city's own
// kecamatan and kelurahan, then, at a terminal, a person chatting with it. It
// is a tool, not the bot: the command (the root package) calls Run and starts
// the bot for it (Options.Serve).
package demo

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"dinsosbot/bot"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows/region"
	"dinsosbot/flows/xlsform"
)

// Setup is how the command starts the bot for the demo.
type Setup struct {
	Token, APIURL string // the fake Telegram's
	DBPath        string // the database to use instead of the configured one
	MediaDir      string // the media folder to use; "" = the configured one
	AdminID       int64  // an admin besides the configured ones: the demo's
	// GlobalPerSecond, ChatPerSecond and ChatBurst replace the send limits:
	// the fake does not enforce Telegram's, and the demo's transcript should
	// not wait 1 s per message.
	GlobalPerSecond, ChatPerSecond float64
	ChatBurst                      int
	// FloodPerMinute and FloodBurst replace the per-user flood control:
	// the script's Siti types far faster than a person.
	FloodPerMinute float64
	FloodBurst     int
	Log            *slog.Logger
}

// Options are the demo's settings, from the command's configuration.
type Options struct {
	DBPath   string // keep the database in this file; "" = a temp dir, removed at the end
	Location *time.Location
	Regions  *region.Catalog // the configured city's kecamatan and kelurahan
	Stdin    io.Reader       // read only when it is a terminal
	Stdout   io.Writer
	// Serve runs the real bot as s says until ctx is cancelled, calling
	// ready once it is connected.
	Serve func(ctx context.Context, s Setup, ready func(*bot.Bot)) error
}

// Run runs the real bot against the built-in fake Telegram server with a
// scripted conversation, then lets a person at a terminal chat with it. It needs
// no token and no network.
func Run(ctx context.Context, o Options) error {
	if o.Serve == nil || o.Regions == nil || len(o.Regions.Kecamatan) == 0 || o.Location == nil {
		return errors.New("demo: Serve, Regions and Location are required")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dbPath, mediaDir := o.DBPath, ""
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "dinsosbot-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		defer os.RemoveAll(dir)
		// A throwaway database: its photos go with it, not into the
		// configured media folder.
		dbPath, mediaDir = filepath.Join(dir, "dinsosbot.db"), filepath.Join(dir, "media")
	}
	// The demo admin is a simulated user with a fixed id.
	const adminID = 5000001

	srv := telegramtest.NewServer(telegramtest.Options{BotUsername: "dinsos_jambi_bot"})
	defer srv.Close()
	admin := srv.NewUser(telegramtest.UserOptions{ID: adminID, FirstName: "Admin Dinsos", LanguageCode: "id"})
	siti := srv.NewUser(telegramtest.UserOptions{FirstName: "Siti", LastName: "Aminah", LanguageCode: "id"})

	ready := make(chan *bot.Bot, 1)
	errc := make(chan error, 1)
	// The bot's log goes to stderr at warn level so the transcript stays
	// readable.
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	setup := Setup{Token: srv.Token(), APIURL: srv.URL(), DBPath: dbPath, MediaDir: mediaDir, AdminID: adminID,
		GlobalPerSecond: 100, ChatPerSecond: 50, ChatBurst: 10, FloodPerMinute: 600, FloodBurst: 100, Log: quiet}
	go func() { errc <- o.Serve(ctx, setup, func(b *bot.Bot) { ready <- b }) }()
	select {
	case <-ready:
	case err := <-errc:
		return err
	}
	stdout := o.Stdout
	fmt.Fprintf(stdout, "dinsosbot demo: the real bot against a fake Telegram at %s\ndatabase: %s\n", srv.URL(), dbPath)

	t := newTranscript(stdout, map[*telegramtest.User]string{admin: "Admin", siti: "Siti"})
	for _, step := range demoScript(o.Location, o.Regions) {
		if step.title != "" {
			fmt.Fprintf(stdout, "\n── %s ──\n", step.title)
			continue
		}
		who := siti
		if step.admin {
			who = admin
		}
		if err := t.say(who, step.line); err != nil {
			return fmt.Errorf("demo script, %q: %w", step.line, err)
		}
	}

	if isTerminal(o.Stdin) {
		fmt.Fprintln(stdout, "\nNow you are Siti. Type a message; #Label presses a button; @lokasi LAT,LON shares a location; @kontak shares your phone; @foto sends a photo; Ctrl-D ends.")
		in := bufio.NewScanner(o.Stdin)
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

// demoStep is one line of the scripted conversation: Siti's, or the admin's,
// or a heading.
type demoStep struct {
	admin bool
	line  string
	title string
}

// demoScript is the product in a few minutes: Siti registers, the admin
// approves her, she reports a case, the admin verifies it, creates a meeting
// for tomorrow, and Siti answers the invitation. She lives in the city's first
// kecamatan, in its second kelurahan (Buluran Kenali, Telanaipura in Kota
// Jambi), so the story is told in whichever city is configured.
func demoScript(loc *time.Location, regions *region.Catalog) []demoStep {
	s := func(line string) demoStep { return demoStep{line: line} }
	a := func(line string) demoStep { return demoStep{admin: true, line: line} }
	h := func(title string) demoStep { return demoStep{title: title} }
	tomorrow := time.Now().In(loc).AddDate(0, 0, 1).Format("02-01-2006")
	kec := regions.Kecamatan[0]
	kel := kec.Kelurahan[min(1, len(kec.Kelurahan)-1)]
	return []demoStep{
		h("Siti, a PSM, registers"),
		a("/start"),
		s("/start"), s("#✅ Setuju, lanjut"), s("Siti Aminah"), s("#PSM"), s("#" + kec.Name), s("#" + kel.Name),
		s("@kontak"), s("#✅ Simpan"),
		h("the admin approves her"),
		a("#✅ Setujui"),
		h("Siti reports a PMKS case"),
		s("/lapor"), s("#🏚 Kemiskinan & lainnya"), s("#Perempuan Rawan Sosial Ekonomi"), s("Dewi Anggraini"),
		s("1571015708900003"), s("#Perempuan (sesuai NIK)"), s("#17-08-1990 (sesuai NIK)"), s("/lewati"),
		s("Jl. Kapt. Pattimura RT 05, " + kel.Name), s("005/002"), s("/lewati"),
		s("#📍 " + kel.Name + ", " + kec.Name),
		s("@lokasi -1.6101,103.6131"), s("@foto"), s("#✔️ Selesai"),
		s("Ibu tunggal dengan tiga anak, tanpa penghasilan tetap sejak suaminya meninggal."),
		s("#Pangan"), s("#Bantuan sosial"), s("#✔️ Selesai"), s("#⚠️ Mendesak"), s("#✅ Simpan"),
		h("the admin verifies the case"),
		a("#✅ Verifikasi"),
		h("the admin calls a meeting; Siti answers"),
		a("/rapat_baru"), a("Rapat Koordinasi PSM dan TKSK"), a(tomorrow), a("09.00"), a("12.00"),
		a("Aula Dinsos " + regions.City), a("/lewati"), a("#Semua PSM dan TKSK"), a("Membawa laporan bulanan"),
		a("#✅ Simpan"),
		s("#✅ Hadir"), s("/rapat"),
		h("the admin publishes the office's visit form: an XLSForm workbook sent to the bot"),
		a("@xlsform"), a("#PSM"), a("#✅ Terbitkan"),
		h("Siti logs her visit to the case on the office's own form (an XLSForm)"),
		s("/formulir"), s("#📝 Kunjungan pendampingan"), s("#… · D*** A***"),
		s("#✔️ Pakai jawaban sebelumnya"), // the form's default: today
		s("#Kunjungan rumah"), s("#Bantuan sosial"), s("#✔️ Selesai"), s("#Membaik"),
		s("Bantuan pangan sudah diterima; anak-anak kembali sekolah."), s("#Tidak"), s("@foto"),
		s("@lokasi -1.6101,103.6131"), s("#✅ Simpan"),
	}
}

// transcript prints a conversation between people and the bot as they would
// read it: each person's action, then every new message the bot sent anyone.
type transcript struct {
	out   io.Writer
	names map[*telegramtest.User]string
	users []*telegramtest.User
	seen  map[*telegramtest.User]int // messages printed
	toast map[*telegramtest.User]int // callback answers printed
}

func newTranscript(out io.Writer, names map[*telegramtest.User]string) *transcript {
	t := &transcript{out: out, names: names, seen: map[*telegramtest.User]int{}, toast: map[*telegramtest.User]int{}}
	for u := range names {
		t.users = append(t.users, u)
	}
	slices.SortFunc(t.users, func(a, b *telegramtest.User) int { return cmp.Compare(a.ID(), b.ID()) })
	return t
}

// state is a fingerprint of everything the people see, edits included.
func (t *transcript) state() string {
	var b strings.Builder
	for _, u := range t.users {
		for _, m := range u.Messages() {
			fmt.Fprintf(&b, "%d|%s|%s|%v\n", m.ID, m.Text, m.Caption, m.InlineKeyboard)
		}
		fmt.Fprintf(&b, "answers %d\n", len(u.CallbackAnswers()))
	}
	return b.String()
}

// visitFormFile is the name the demo's admin gives the shipped visit form.
const visitFormFile = "kunjungan_pendampingan.xlsx"

// say acts for u (text, #button, @lokasi, @kontak, @foto, @xlsform), waits for the bot
// to answer and fall quiet, and prints the exchange.
func (t *transcript) say(u *telegramtest.User, line string) error {
	fmt.Fprintf(t.out, "👤 %s: %s\n", t.names[u], line)
	before := t.state()
	switch {
	case strings.HasPrefix(line, "#"):
		label := strings.TrimSpace(line[1:])
		if part, ok := strings.CutPrefix(label, "…"); ok {
			// "#…text": the button whose label contains text (a case's
			// code is not known to the script).
			label = findButton(u, strings.TrimSpace(part))
		}
		// The button may still be on its way; wait for it briefly.
		var err error
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if err = u.Press(label); err == nil || time.Now().After(deadline) {
				break
			}
		}
		if err != nil {
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
		u.SendContact("+6281234567890", u.ID(), t.names[u])
	case line == "@foto":
		u.SendPhoto(demoPhoto(), "")
	case line == "@xlsform":
		// The shipped visit form, sent as an admin sends any XLSForm: a
		// .xlsx document the bot fetches, checks and previews.
		u.SendDocument(visitFormFile, xlsform.VisitForm, "")
	default:
		u.SendText(line)
	}
	// Wait for the bot to answer, then for it to fall quiet: a step may
	// answer with several messages, to several people.
	for deadline := time.Now().Add(10 * time.Second); t.state() == before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("the bot did not answer")
		}
	}
	for last, still := t.state(), 0; still < 10; time.Sleep(12 * time.Millisecond) {
		if now := t.state(); now != last {
			last, still = now, 0
		} else {
			still++
		}
	}
	for _, v := range t.users {
		answers := v.CallbackAnswers()
		for _, a := range answers[t.toast[v]:] {
			if a.Text != "" {
				fmt.Fprintf(t.out, "🤖 → %s (pop-up): %s\n", t.names[v], a.Text)
			}
		}
		t.toast[v] = len(answers)
		msgs := v.Messages()
		for _, m := range msgs[t.seen[v]:] {
			t.print(t.names[v], m)
		}
		t.seen[v] = len(msgs)
	}
	return nil
}

// findButton is the label of the newest button of u's chat that contains
// part; part itself when there is none (the press then fails with a reason).
func findButton(u *telegramtest.User, part string) string {
	msgs := u.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range msgs[i].InlineKeyboard {
			for _, b := range row {
				if strings.Contains(b.Text, part) {
					return b.Text
				}
			}
		}
	}
	return part
}

func (t *transcript) print(to string, m telegramtest.Message) {
	text := m.Text
	if text == "" {
		text = m.Caption
	}
	switch m.Kind {
	case "photo", "document":
		text = fmt.Sprintf("[%s] %s", strings.TrimSpace(m.Kind+" "+m.FileName), text)
	case "location":
		text = "[lokasi]"
	}
	for i, line := range strings.Split(stripTags(text), "\n") {
		prefix := "   "
		if i == 0 {
			prefix = "🤖 → " + to + ": "
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

// demoPhoto is a small JPEG standing in for a photo taken in the field.
func demoPhoto() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := range 240 {
		for x := range 320 {
			img.Set(x, y, color.RGBA{uint8(x * 255 / 320), uint8(y * 255 / 240), 120, 255})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, nil) // encoding to memory does not fail
	return b.Bytes()
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

// isTerminal reports whether r is a terminal: a file the terminal ioctl
// answers for. Being a character device is not enough: /dev/null is one, and
// "dinsosbot demo </dev/null" (a service, a CI job) must not wait at a prompt.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, f.Fd(), syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}
