package flows_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows/region"
	"dinsosbot/store"
)

const mtWait = 20 * time.Second

// mtStart is the harness's first clock reading: Monday 2 November 2026, 09.00 WIB.
var mtStart = time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)

var wib = time.FixedZone("WIB", 7*3600)

// mtRig is the whole bot with the fake Telegram's clock tied to the bot's, so
// message dates and the bot's "now" agree.
type mtRig struct {
	t     *testing.T
	h     *bottest.Harness
	clk   *bottest.Clock
	admin *telegramtest.User
	kec   []region.Kecamatan
}

func newMtRig(t *testing.T) *mtRig {
	t.Helper()
	return newMtRigWith(t, bottest.Options{})
}

// newMtRigWith is newMtRig with more options (rate limits, for example); the
// admin, the start and the fake's clock are set here.
func newMtRigWith(t *testing.T, opts bottest.Options) *mtRig {
	t.Helper()
	clk := bottest.NewClock(mtStart)
	opts.Admins, opts.Start, opts.Fake.Now = []int64{adminID}, mtStart, clk.Now
	h := bottest.Start(t, opts)
	r := &mtRig{t: t, h: h, clk: clk, kec: region.KotaJambi().Kecamatan}
	r.admin = h.Server.NewUser(telegramtest.UserOptions{ID: adminID, FirstName: "Admin", LanguageCode: "id"})
	r.say(r.admin, "/start", "Halo")
	return r
}

// set moves both clocks to tm.
func (r *mtRig) set(tm time.Time) {
	r.clk.Set(tm)
	r.h.Clock.Set(tm)
}

// worker adds a registered, active worker with role in kecamatan r.kec[kec].
func (r *mtRig) worker(name, role string, kec int) *telegramtest.User {
	r.t.Helper()
	u := r.h.NewUser(strings.Fields(name)[0])
	k := r.kec[kec%len(r.kec)]
	now := mtStart.Format(store.TimeFormat)
	if _, err := r.h.DB().SQL().Exec(`INSERT INTO users (id, first_name, username, created_at, updated_at, role,
		status, full_name, phone, kecamatan, kelurahan) VALUES (?, ?, '', ?, ?, ?, 'active', ?, '+6281200000000', ?, ?)`,
		u.ID(), strings.Fields(name)[0], now, now, role, name, k.Code, k.Kelurahan[0].Code); err != nil {
		r.t.Fatal(err)
	}
	return u
}

// after runs act and waits for a new or edited message (or caption) in u's
// chat that contains want; it returns that message.
func (r *mtRig) after(u *telegramtest.User, want string, act func()) telegramtest.Message {
	r.t.Helper()
	before := u.Messages()
	act()
	var got telegramtest.Message
	if _, err := u.WaitFor(mtWait, func(msgs []telegramtest.Message) bool {
		for _, m := range telegramtest.Fresh(before, msgs) {
			if strings.Contains(m.Text, want) || strings.Contains(m.Caption, want) {
				got = m
				return true
			}
		}
		return false
	}); err != nil {
		r.t.Fatalf("waiting for %q: %v", want, err)
	}
	return got
}

// say sends text and waits for a new reply containing want.
func (r *mtRig) say(u *telegramtest.User, text, want string) telegramtest.Message {
	r.t.Helper()
	return r.after(u, want, func() { u.SendText(text) })
}

// press presses label and waits for a new or edited message containing want.
func (r *mtRig) press(u *telegramtest.User, label, want string) telegramtest.Message {
	r.t.Helper()
	return r.after(u, want, func() {
		if err := u.Press(label); err != nil {
			r.t.Fatal(err)
		}
	})
}

// waitEdited waits until message id in u's chat reads want.
func (r *mtRig) waitEdited(u *telegramtest.User, id int, want string) telegramtest.Message {
	r.t.Helper()
	got, err := u.WaitForEdit(mtWait, id, want)
	if err != nil {
		r.t.Fatal(err)
	}
	return got
}

// callbackAnswer waits for the answer to u's newest press.
func (r *mtRig) callbackAnswer(u *telegramtest.User, presses int) string {
	r.t.Helper()
	r.h.WaitUntil(mtWait, "the callback answer", func() bool { return len(u.CallbackAnswers()) >= presses })
	a := u.CallbackAnswers()
	return a[len(a)-1].Text
}

var checkinLinkRE = regexp.MustCompile(`https://t\.me/dinsos_test_bot\?start=(hadir_[a-z0-9]+)`)

// createMeeting drives /rapat_baru for the admin and returns the QR message and
// the deep-link payload. steps answer the flow after the title and date.
func (r *mtRig) createMeeting(title, date, start, end string, audience string) (telegramtest.Message, string) {
	r.t.Helper()
	r.meetingDraft(title, date, start, end, audience)
	qr := r.press(r.admin, "✅ Simpan", "Kode QR presensi")
	return qr, r.checkinPayload(qr)
}

// meetingDraft drives /rapat_baru for the admin up to the summary, before
// "Simpan".
func (r *mtRig) meetingDraft(title, date, start, end string, audience string) {
	r.t.Helper()
	a := r.admin
	r.say(a, "/rapat_baru", "judul rapat")
	r.say(a, title, "Tanggal rapat")
	r.say(a, date, "Jam mulai")
	r.say(a, start, "Jam selesai")
	r.say(a, end, "Di mana")
	r.say(a, "Aula Dinsos Kota Jambi", "titik lokasi")
	r.say(a, "/lewati", "Siapa yang diundang")
	r.press(a, audience, "Catatan untuk peserta")
	r.say(a, "Membawa laporan bulanan", "Simpan")
}

// checkinPayload is the deep-link payload in the caption of the QR message.
func (r *mtRig) checkinPayload(qr telegramtest.Message) string {
	r.t.Helper()
	m := checkinLinkRE.FindStringSubmatch(qr.Caption)
	if m == nil {
		r.t.Fatalf("QR caption without a check-in link: %q", qr.Caption)
	}
	return m[1]
}

// meetingAt inserts a meeting directly, for check-in tests, inviting invitees.
func (r *mtRig) meetingAt(start, end time.Time, radius int, lat, lon float64, invitees ...*telegramtest.User) (int64, string) {
	r.t.Helper()
	code := "kode" + strings.ToLower(strings.ReplaceAll(r.t.Name(), "/", ""))
	code = regexp.MustCompile(`[^a-z0-9]`).ReplaceAllString(code, "")
	id := storeMeeting(r.t, r.h, store.Meeting{Title: "Rakor PSM", StartsAt: start, EndsAt: end, Place: "Aula",
		Lat: lat, Lon: lon, RadiusM: radius, Code: code}, invitees...)
	return id, "hadir_" + code
}

// addMeeting stores m directly and invites invitees; it returns its id.
func (r *mtRig) addMeeting(m store.Meeting, invitees ...*telegramtest.User) int64 {
	r.t.Helper()
	if m.Place == "" {
		m.Place = "Aula"
	}
	return storeMeeting(r.t, r.h, m, invitees...)
}

// storeMeeting stores m as created by the admin for the people invited, and
// invites invitees, in one transaction; it returns its id.
func storeMeeting(t testing.TB, h *bottest.Harness, m store.Meeting, invitees ...*telegramtest.User) int64 {
	t.Helper()
	m.CreatedBy, m.Audience = adminID, store.AudiencePeople
	var id int64
	if err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		if id, err = tx.AddMeeting(m); err != nil {
			return err
		}
		for _, u := range invitees {
			if err := tx.Invite(id, u.ID()); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// attendance reads u's check-in at meeting.
func (r *mtRig) attendance(meeting int64, u *telegramtest.User) (store.Attendance, bool) {
	r.t.Helper()
	var a store.Attendance
	var ok bool
	if err := r.h.DB().Update(r.t.Context(), func(tx *store.Tx) error {
		var err error
		a, ok, err = tx.GetAttendance(meeting, u.ID())
		return err
	}); err != nil {
		r.t.Fatal(err)
	}
	return a, ok
}
