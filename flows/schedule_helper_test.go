package flows_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/flows/region"
	"dinsosbot/store"
)

const schedWait = 20 * time.Second

// schedRig is the whole bot with the scheduler's timer off: tests move the
// clock (the fake Telegram's too) and run what is due with tick, so every
// reminder and digest goes out at a known moment.
type schedRig struct {
	t     *testing.T
	h     *bottest.Harness
	clk   *bottest.Clock
	admin *tgUser
	kec   []region.Kecamatan
}

func newSchedRig(t *testing.T, flowsCfg func(*flows.Config)) *schedRig {
	t.Helper()
	clk := bottest.NewClock(mtStart)
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}, Start: mtStart,
		Fake: telegramtest.Options{Now: clk.Now}, Flows: flowsCfg,
		Bot: func(c *bot.Config) { c.Schedule.Manual = true }})
	r := &schedRig{t: t, h: h, clk: clk, kec: region.KotaJambi().Kecamatan}
	r.started()
	admin := h.Server.NewUser(telegramtest.UserOptions{ID: adminID, FirstName: "Admin", LanguageCode: "id"})
	r.admin = &tgUser{t: t, h: h, User: admin}
	r.admin.send("/start", "Halo")
	return r
}

// started waits for the scheduler's start-up pass at the current clock.
func (r *schedRig) started() {
	r.t.Helper()
	now := r.h.Clock.Now().UTC().Format(store.TimeFormat)
	r.h.WaitUntil(schedWait, "the scheduler's start-up pass", func() bool {
		db := r.h.DB()
		if db == nil {
			return false
		}
		var n, behind int
		if err := db.SQL().QueryRow(`SELECT COUNT(*), COALESCE(SUM(checked_until < ?), 0) FROM jobs`, now).
			Scan(&n, &behind); err != nil {
			return false
		}
		return n >= 5 && behind == 0
	})
}

// set moves both clocks to tm.
func (r *schedRig) set(tm time.Time) {
	r.clk.Set(tm)
	r.h.Clock.Set(tm)
}

// tick moves the clocks to tm, runs what is due and waits until it is sent.
func (r *schedRig) tick(tm time.Time) {
	r.t.Helper()
	r.set(tm)
	r.h.Sweep()
	r.drained()
}

// restart stops the bot, moves the clocks to tm (the bot was down meanwhile)
// and starts it again; it returns after the start-up pass was sent.
func (r *schedRig) restart(tm time.Time) {
	r.t.Helper()
	if err := r.h.Stop(); err != nil {
		r.t.Fatal(err)
	}
	r.set(tm)
	r.h.Launch()
	r.started()
	r.drained()
}

// drained waits until the outbox has nothing pending.
func (r *schedRig) drained() {
	r.t.Helper()
	r.h.WaitUntil(schedWait, "the outbox to drain", func() bool {
		c, err := r.h.DB().OutboxCounts()
		return err == nil && c[store.StatusPending] == 0
	})
}

// user seeds an active user (see seed) with role in kecamatan r.kec[kec].
func (r *schedRig) user(name, role string, kec int, covers ...string) *tgUser {
	r.t.Helper()
	k := r.kec[kec]
	return seed(r.t, r.h, name, role, k.Code, k.Kelurahan[0].Code, strings.Join(covers, ","))
}

// addCase stores a case by reporter in r.kec[kec] at the current clock.
func (r *schedRig) addCase(reporter *tgUser, kec int, category, nik string) store.Case {
	r.t.Helper()
	k := r.kec[kec]
	var c store.Case
	if err := r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		code, err := tx.NextCaseCode("JMB", 2026)
		if err != nil {
			return err
		}
		c = store.Case{Code: code, ReporterID: reporter.ID(), Category: category, FullName: "Warga " + code,
			NIK: nik, Gender: "L", Age: 40, Address: "Jl. Contoh RT 01", Kecamatan: k.Code,
			Kelurahan: k.Kelurahan[0].Code, Description: "keadaan", Urgency: "biasa"}
		c.ID, err = tx.InsertCase(c)
		return err
	}); err != nil {
		r.t.Fatal(err)
	}
	return c
}

// setStatus moves case c from from to to, by user by, at the current clock.
func (r *schedRig) setStatus(c store.Case, from, to string, by *tgUser) {
	r.t.Helper()
	if err := r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		ok, err := tx.SetCaseStatus(c.ID, from, to, by.ID(), "catatan")
		if err == nil && !ok {
			t := r.t
			t.Fatalf("case %s is not %s", c.Code, from)
		}
		return err
	}); err != nil {
		r.t.Fatal(err)
	}
}

// texts are the texts and captions u received containing substr.
func texts(u *tgUser, substr string) []string {
	var out []string
	for _, m := range u.Messages() {
		s := m.Text + m.Caption
		if strings.Contains(s, substr) {
			out = append(out, s)
		}
	}
	return out
}

// photos are the photos u received.
func photos(u *tgUser) []telegramtest.Message {
	var out []telegramtest.Message
	for _, m := range u.Messages() {
		if m.Kind == "photo" {
			out = append(out, m)
		}
	}
	return out
}

// wib returns day d of November 2026 at hh:mm WIB.
func nov(d, hh, mm int) time.Time { return time.Date(2026, 11, d, hh, mm, 0, 0, wib) }

// attend records u's check-in to meeting at the current clock, by QR, or as a
// walk-in when u was not invited.
func (r *schedRig) attend(meeting int64, u *tgUser, walkIn bool) {
	r.t.Helper()
	if err := r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		_, added, err := tx.CheckIn(store.Attendance{MeetingID: meeting, UserID: u.ID(), At: tx.Now(),
			Method: store.CheckinQR, WalkIn: walkIn})
		if err == nil && !added {
			err = fmt.Errorf("user %d already checked in to meeting %d", u.ID(), meeting)
		}
		return err
	}); err != nil {
		r.t.Fatal(err)
	}
}

// digestText is the text of u's last digest of period ("harian",
// "mingguan"), not the chart's caption; the digests of these tests fit in one
// message.
func digestText(u *tgUser, period string) string {
	last := ""
	for _, m := range u.Messages() {
		if m.Kind == "text" && strings.Contains(m.Text, "Ringkasan "+period) {
			last = m.Text
		}
		// A short digest is the chart's caption.
		if m.Kind == "photo" && strings.Contains(m.Caption, "Ringkasan "+period) && strings.Contains(m.Caption, "\n") {
			last = m.Caption
		}
	}
	return last
}
