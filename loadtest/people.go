package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"regexp"
	"strings"
	"sync"
	"time"

	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows/region"
	"dinsosbot/store"
)

// The simulated people of a load test: workers who register through an
// invite link, report cases (with a location and a photo), answer the
// meeting invitation and check in, then report more cases until the run ends;
// and an admin who creates the meeting once everyone has registered. Each
// action waits for the bot's answer, as a person would, and records how long
// it took. The steps follow flows/*_test.go.

// people is the crowd of one run.
type people struct {
	srv     *telegramtest.Server
	o       loadOptions
	workers []*worker
	admin   *person

	// Filled by the admin; closed when the meeting exists (or failed).
	meetingReady chan struct{}
	checkinCode  string // the QR link's /start payload
	invited      int    // "Undangan dikirim ke N orang"
	adminErr     error
}

// person is one simulated Telegram user and what they did.
type person struct {
	u     *telegramtest.User
	o     loadOptions
	rng   *rand.Rand
	photo []byte

	mu        sync.Mutex
	latencies []time.Duration
	actions   int
}

// worker is a PSM and the effects the bot should have stored for them.
type worker struct {
	*person
	i          int
	name       string
	role       string // store.RolePSM or store.RoleTKSK: the invite they register with
	kec        region.Kecamatan
	kel        region.Kelurahan
	registered bool
	cases      []string // case codes the bot confirmed
	forms      []span   // each confirmed case form, from the worker's first step to the confirmation
	rsvp       string   // "yes" or "no" once the bot confirmed the answer
	checkedIn  bool
	err        error // the step that got no answer: a stuck conversation
}

func newPeople(srv *telegramtest.Server, o loadOptions, rng *rand.Rand) *people {
	p := &people{srv: srv, o: o, meetingReady: make(chan struct{})}
	kecs := region.KotaJambi().Kecamatan
	photo := loadJPEG()
	newPerson := func(opts telegramtest.UserOptions) *person {
		return &person{u: srv.NewUser(opts), o: o, rng: rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())), photo: photo}
	}
	p.admin = newPerson(telegramtest.UserOptions{ID: loadAdminID, FirstName: "Admin", LanguageCode: "id"})
	for i := range o.Users {
		// The PSM first, then the TKSK, each spread over the kecamatan.
		n, role := i, store.RolePSM
		if psm := o.Users - o.TKSK; i >= psm {
			n, role = i-psm, store.RoleTKSK
		}
		k := kecs[n%len(kecs)]
		name := personName(i)
		w := &worker{person: newPerson(telegramtest.UserOptions{FirstName: strings.Fields(name)[0], LanguageCode: "id"}),
			i: i, name: name, role: role, kec: k, kel: k.Kelurahan[(n/len(kecs))%len(k.Kelurahan)]}
		p.workers = append(p.workers, w)
	}
	return p
}

// run plays the crowd until every worker is done: the mandatory part
// (register, one case, the invitation, check-in) whatever the deadline, then
// more cases until the deadline.
func (p *people) run(ctx context.Context, deadline time.Time, invites map[string]string) {
	var registered sync.WaitGroup
	registered.Add(len(p.workers))
	var wg sync.WaitGroup
	for _, w := range p.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.err = w.play(ctx, p, invites[w.role], deadline, registered.Done)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(p.meetingReady)
		registered.Wait()
		p.checkinCode, p.invited, p.adminErr = p.admin.createMeeting(ctx)
	}()
	wg.Wait()
}

func (p *people) all() []*person {
	out := []*person{p.admin}
	for _, w := range p.workers {
		out = append(out, w.person)
	}
	return out
}

func (p *people) actions() int {
	n := 0
	for _, x := range p.all() {
		x.mu.Lock()
		n += x.actions
		x.mu.Unlock()
	}
	return n
}

func (p *people) latencies() []time.Duration {
	var out []time.Duration
	for _, x := range p.all() {
		x.mu.Lock()
		out = append(out, x.latencies...)
		x.mu.Unlock()
	}
	return out
}

// play is one worker's day. registered is called once, whether registration
// worked or not, so the admin does not wait for ever.
func (w *worker) play(ctx context.Context, p *people, invite string, deadline time.Time, registered func()) error {
	err := w.register(invite)
	registered()
	if err != nil {
		return fmt.Errorf("registration: %w", err)
	}
	w.registered = true
	if err := w.timedCase(0); err != nil {
		return fmt.Errorf("case 1: %w", err)
	}
	select {
	case <-p.meetingReady:
	case <-ctx.Done():
		return ctx.Err()
	}
	if p.adminErr != nil {
		return fmt.Errorf("no meeting: the admin could not create it: %w", p.adminErr)
	}
	if err := w.answerInvitation(p.checkinCode); err != nil {
		return fmt.Errorf("invitation: %w", err)
	}
	for round := 1; time.Now().Before(deadline) && ctx.Err() == nil; round++ {
		if err := w.timedCase(round); err != nil {
			return fmt.Errorf("case %d: %w", round+1, err)
		}
	}
	return nil
}

func (w *worker) register(invite string) error {
	m, err := w.do("the consent", "Data yang disimpan", func() { w.u.OpenDeepLink(invite) })
	if err != nil {
		return err
	}
	steps := []struct{ label, want string }{
		{"✅ Setuju, lanjut", "nama lengkap"},
	}
	for _, s := range steps {
		if m, err = w.press(m, s.label, s.want); err != nil {
			return err
		}
	}
	if m, err = w.send(w.name, "Pilih <b>kecamatan</b>"); err != nil {
		return err
	}
	if m, err = w.press(m, w.kec.Name, "Pilih <b>kelurahan</b>"); err != nil {
		return err
	}
	if _, err = w.press(m, w.kel.Name, "nomor HP"); err != nil {
		return err
	}
	if m, err = w.do("the summary", "Periksa data", func() {
		w.u.SendContact(fmt.Sprintf("+62812%07d", w.i), w.u.ID(), strings.Fields(w.name)[0])
	}); err != nil {
		return err
	}
	_, err = w.press(m, "✅ Simpan", "Selamat bergabung")
	return err
}

// span is a stretch of time.
type span struct{ from, to time.Time }

// timedCase is reportCase, remembering when the form ran when it completed.
func (w *worker) timedCase(round int) error {
	from := time.Now()
	if err := w.reportCase(round); err != nil {
		return err
	}
	w.forms = append(w.forms, span{from, time.Now()})
	return nil
}

var caseCodeRE = regexp.MustCompile(`JMB-\d\d-\d{5}`)

// reportCase files one case without a NIK, with a location and a photo.
func (w *worker) reportCase(round int) error {
	m, err := w.send("/lapor", "kelompok")
	if err != nil {
		return err
	}
	for _, s := range []struct{ label, want string }{{"👶 Anak", "kategori"}, {"Anak Telantar", "nama lengkap"}} {
		if m, err = w.press(m, s.label, s.want); err != nil {
			return err
		}
	}
	if m, err = w.send(caseName(w.i, round), "NIK"); err != nil {
		return err
	}
	for _, s := range []struct{ label, want string }{{"Tidak ada NIK", "Mengapa"},
		{"Tidak tahu / tidak ingat", "jenis kelamin"}, {"Laki-laki", "tanggal lahir"}} {
		if m, err = w.press(m, s.label, s.want); err != nil {
			return err
		}
	}
	if m, err = w.send(fmt.Sprintf("%d tahun", 5+w.rng.IntN(12)), "tempat lahir|alamat"); err != nil {
		return err
	}
	if strings.Contains(m.RawText+m.Text, "tempat lahir") { // the optional birth place (KTP/KK)
		if _, err = w.send("Muara Bulian", "alamat"); err != nil {
			return err
		}
	}
	if _, err = w.send(fmt.Sprintf("Jl. Sultan Thaha RT %02d No. %d", 1+w.rng.IntN(20), round+1), "RT/RW"); err != nil {
		return err
	}
	if _, err = w.send(fmt.Sprintf("%03d/%03d", 1+w.rng.IntN(20), 1+w.rng.IntN(9)), "No. KK"); err != nil {
		return err
	}
	if m, err = w.send("/lewati", "wilayah"); err != nil {
		return err
	}
	if _, err = w.press(m, "📍 "+w.kel.Name+", "+w.kec.Name, "lokasi"); err != nil {
		return err
	}
	if _, err = w.do("the photo prompt", "foto", func() {
		w.u.SendLocation(-1.61+w.rng.Float64()/100, 103.61+w.rng.Float64()/100)
	}); err != nil {
		return err
	}
	if m, err = w.do("the photo receipt", "Foto ke-1", func() { w.u.SendPhoto(w.photo, "") }); err != nil {
		return err
	}
	if _, err = w.press(m, "✔️ Selesai", "keadaannya"); err != nil {
		return err
	}
	if m, err = w.send("Anak tinggal sendiri sejak orang tuanya meninggal, belum sekolah.", "kebutuhan"); err != nil {
		return err
	}
	if err = w.toggle(m, "Pangan"); err != nil {
		return err
	}
	for _, s := range []struct{ label, want string }{{"✔️ Selesai", "mendesak"}, {"Biasa", "Periksa data"}} {
		if m, err = w.press(m, s.label, s.want); err != nil {
			return err
		}
	}
	if m, err = w.press(m, "✅ Simpan", "Laporan tersimpan"); err != nil {
		return err
	}
	code := caseCodeRE.FindString(m.Text)
	if code == "" {
		return fmt.Errorf("no case code in %q", m.Text)
	}
	w.cases = append(w.cases, code)
	return nil
}

// answerInvitation waits for the invitation, answers it (four in five come)
// and, when coming, checks in with the QR link.
func (w *worker) answerInvitation(code string) error {
	inv, err := w.u.WaitForText(w.o.Step, "Undangan rapat")
	if err != nil {
		return err
	}
	yes := w.rng.IntN(5) > 0
	label, rsvp := "✖️ Tidak bisa hadir", "no"
	if yes {
		label, rsvp = "✅ Hadir", "yes"
	}
	w.pause()
	start := time.Now()
	if err := w.u.PressOn(inv.ID, label); err != nil {
		return err
	}
	w.count(0)
	if _, err := w.u.WaitFor(w.o.Step, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			if m.ID == inv.ID && strings.Contains(m.Text, "Jawaban Anda") {
				return true
			}
		}
		return false
	}); err != nil {
		return fmt.Errorf("the answer %s: %w", rsvp, err)
	}
	w.count(time.Since(start))
	w.rsvp = rsvp
	if !yes {
		// "Cannot come" opens an optional question for the reason: a
		// person answers it (left open, it would stay open for a day).
		if _, err := w.u.WaitForText(w.o.Step, "Boleh tulis"); err != nil {
			return fmt.Errorf("the decline reason prompt: %w", err)
		}
		if _, err := w.send("Tugas lapangan di kelurahan", "alasan Anda dicatat"); err != nil {
			return fmt.Errorf("the decline reason: %w", err)
		}
		return nil
	}
	if _, err := w.do("the check-in", "Presensi tercatat", func() { w.u.OpenDeepLink(code) }); err != nil {
		return err
	}
	w.checkedIn = true
	return nil
}

var checkinRE = regexp.MustCompile(`start=(hadir_[a-z0-9]+)`)
var invitedRE = regexp.MustCompile(`Undangan dikirim ke (\d+) orang`)

// createMeeting is the admin's /rapat_baru for every PSM and TKSK, starting
// 20 minutes from now (check-in opens an hour before the start, answers close
// at the start). It returns the check-in payload and how many were invited.
func (a *person) createMeeting(ctx context.Context) (string, int, error) {
	wib := time.FixedZone("WIB", 7*3600)
	start := time.Now().In(wib).Add(20 * time.Minute).Truncate(time.Minute)
	end := start.Add(30 * time.Minute)
	if end.Day() != start.Day() {
		// Near midnight: the next day's first half hour; check-in is open
		// already (it opens an hour before).
		start = time.Date(start.Year(), start.Month(), start.Day(), 0, 5, 0, 0, wib).AddDate(0, 0, 1)
		end = start.Add(30 * time.Minute)
	}
	steps := []struct{ text, want string }{
		{"/rapat_baru", "judul rapat"},
		{"Rapat Koordinasi PSM dan TKSK", "Tanggal rapat"},
		{start.Format("02-01-2006"), "Jam mulai"},
		{start.Format("15.04"), "Jam selesai"},
		{end.Format("15.04"), "Di mana"},
		{"Aula Dinsos Kota Jambi", "titik lokasi"},
		{"/lewati", "Siapa yang diundang"},
	}
	var m telegramtest.Message
	var err error
	for _, s := range steps {
		if m, err = a.send(s.text, s.want); err != nil {
			return "", 0, err
		}
	}
	if _, err = a.press(m, "Semua PSM dan TKSK", "Catatan untuk peserta"); err != nil {
		return "", 0, err
	}
	if m, err = a.send("Membawa laporan bulanan", "Periksa data"); err != nil {
		return "", 0, err
	}
	if m, err = a.press(m, "✅ Simpan", "Kode QR presensi"); err != nil {
		return "", 0, err
	}
	link := checkinRE.FindStringSubmatch(m.Caption)
	if link == nil {
		return "", 0, fmt.Errorf("no check-in link in the QR caption %q", m.Caption)
	}
	created, err := a.u.WaitForText(a.o.Step, "Undangan dikirim")
	if err != nil {
		return "", 0, err
	}
	n := 0
	if sub := invitedRE.FindStringSubmatch(created.Text + "\n" + created.Caption); sub != nil {
		fmt.Sscan(sub[1], &n)
	}
	return link[1], n, ctx.Err()
}

// pause is a person's thinking time: uniform in [0.5, 1.5] × Think.
func (x *person) pause() {
	if x.o.Think > 0 {
		time.Sleep(time.Duration(float64(x.o.Think) * (0.5 + x.rng.Float64())))
	}
}

func (x *person) count(latency time.Duration) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if latency == 0 {
		x.actions++
		return
	}
	x.latencies = append(x.latencies, latency)
}

// do pauses, acts (one update) and waits for a new or edited bot message
// (a pressed prompt becomes the next question) whose text or caption
// contains want (or one of want's "|"-separated alternatives, for a step the
// form may or may not ask); it records the wait as a reply latency.
func (x *person) do(what, want string, act func()) (telegramtest.Message, error) {
	x.pause()
	before := x.u.Messages()
	start := time.Now()
	act()
	x.count(0)
	var found telegramtest.Message
	_, err := x.u.WaitFor(x.o.Step, func(msgs []telegramtest.Message) bool {
		for _, m := range telegramtest.Fresh(before, msgs) {
			if m.Deleted {
				continue
			}
			for alt := range strings.SplitSeq(want, "|") {
				if strings.Contains(m.RawText, alt) || strings.Contains(m.Text, alt) || strings.Contains(m.Caption, alt) {
					found = m
					return true
				}
			}
		}
		return false
	})
	if err != nil {
		return found, fmt.Errorf("%s (%q): %w", what, want, err)
	}
	x.count(time.Since(start))
	return found, nil
}

func (x *person) send(text, want string) (telegramtest.Message, error) {
	return x.do(fmt.Sprintf("after %q", text), want, func() { x.u.SendText(text) })
}

// press presses label on the prompt m (the message the last step waited
// for), or on the newest message with that button when m has none.
func (x *person) press(m telegramtest.Message, label, want string) (telegramtest.Message, error) {
	var perr error
	got, err := x.do(fmt.Sprintf("after pressing %q", label), want, func() {
		if perr = x.u.PressOn(m.ID, label); perr == nil {
			return
		}
		if perr = x.u.Press(label); perr == nil {
			return
		}
		// Right after a kill the prompt carrying the button may still be in
		// the outbox (sent again on restart): look at the screen until it
		// arrives, as a person would. A prompt that never comes still fails.
		if _, werr := x.u.WaitFor(x.o.Step, func(msgs []telegramtest.Message) bool {
			return hasButton(msgs, label)
		}); werr == nil {
			perr = x.u.Press(label)
		}
	})
	if perr != nil {
		return got, perr
	}
	return got, err
}

// hasButton reports whether a message still shown carries an inline button
// labelled label.
func hasButton(msgs []telegramtest.Message, label string) bool {
	for _, m := range msgs {
		if m.Deleted {
			continue
		}
		for _, row := range m.InlineKeyboard {
			for _, b := range row {
				if b.Text == label {
					return true
				}
			}
		}
	}
	return false
}

// toggle presses a several-choice button on m, which the bot redraws in place.
func (x *person) toggle(m telegramtest.Message, label string) error {
	x.pause()
	start := time.Now()
	if err := x.u.PressOn(m.ID, label); err != nil {
		return err
	}
	x.count(0)
	_, err := x.u.WaitFor(x.o.Step, func(msgs []telegramtest.Message) bool {
		for _, mm := range msgs {
			if mm.ID != m.ID {
				continue
			}
			for _, row := range mm.InlineKeyboard {
				for _, b := range row {
					if b.Text == "✅ "+label {
						return true
					}
				}
			}
		}
		return false
	})
	if err != nil {
		return fmt.Errorf("toggling %q: %w", label, err)
	}
	x.count(time.Since(start))
	return nil
}

// personName and caseName are unique names made of letters only (the bot
// refuses digits in names): a worker's, and a case's per worker and round.
func personName(i int) string {
	return "Pekerja " + letters(i) + " Jambi"
}

func caseName(worker, round int) string {
	return "Anak " + letters(worker) + " " + letters(round) + " Lapor"
}

// letters spells n in base 20 with consonant-vowel pairs: 0 "Ba", 1 "Ca", ...
func letters(n int) string {
	const cons, vows = "bcdfghjklmnprstwyz", "aiueo"
	var parts []string
	for {
		d := n % (len(cons) * len(vows))
		parts = append(parts, string(cons[d/len(vows)])+string(vows[d%len(vows)]))
		n /= len(cons) * len(vows)
		if n == 0 {
			break
		}
	}
	s := strings.Join(parts, "")
	return strings.ToUpper(s[:1]) + s[1:]
}

// loadJPEG is a small real photo for the case reports.
func loadJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		panic(err)
	}
	return b.Bytes()
}
