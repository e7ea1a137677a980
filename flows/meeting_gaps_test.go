package flows_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// After "cannot come" the worker may give a reason or skip it; the organiser's
// report shows it. Changing the answer to "will come" closes the question.
func TestMeetingDeclineReason(t *testing.T) {
	r := newMtRig(t)
	siti := r.worker("Siti Aminah", store.RolePSM, 0)
	budi := r.worker("Budi Santoso", store.RoleTKSK, 1)
	eko := r.worker("Eko Prasetyo", store.RolePSM, 2)
	dodi := r.worker("Dodi Saputra", store.RoleTKSK, 3)
	r.createMeeting("Rakor Bulanan", "03-11-2026", "09.00", "12.00", "Semua PSM dan TKSK")
	for _, u := range []*telegramtest.User{siti, budi, eko, dodi} {
		if _, err := u.WaitForText(mtWait, "Undangan rapat"); err != nil {
			t.Fatal(err)
		}
	}

	r.press(siti, "✖️ Tidak bisa hadir", "alasan tidak bisa hadir")
	r.say(siti, "Tugas lapangan <di> Pasir Putih", "alasan Anda dicatat")
	r.press(budi, "✖️ Tidak bisa hadir", "alasan tidak bisa hadir")
	r.say(budi, "/lewati", "tanpa alasan")
	r.press(eko, "✖️ Tidak bisa hadir", "alasan tidak bisa hadir")
	inv, err := eko.WaitForText(mtWait, "Undangan rapat")
	if err != nil {
		t.Fatal(err)
	}
	must2(t, eko.PressOn(inv.ID, "✅ Hadir"))
	r.waitEdited(eko, inv.ID, "Jawaban Anda: Hadir")
	r.h.WaitUntil(mtWait, "eko's reason question to close", func() bool {
		var n int
		if err := r.h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM conversations WHERE user_id = ?`, eko.ID()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 0
	})
	r.say(eko, "/rapat", "Jawaban Anda: Hadir")

	// Dodi never answers the question: it is closed quietly, without the
	// reminder and the "expired" message other drafts get.
	r.press(dodi, "✖️ Tidak bisa hadir", "alasan tidak bisa hadir")
	rows := func() int {
		var n int
		if err := r.h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE chat_id = ?`, dodi.ID()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := rows()
	r.set(mtStart.Add(23 * time.Hour))
	r.h.Sweep()
	var open int
	if err := r.h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM conversations WHERE user_id = ?`, dodi.ID()).Scan(&open); err != nil {
		t.Fatal(err)
	}
	if open != 0 || rows() != before {
		t.Errorf("idle reason question: %d open, %d new messages", open, rows()-before)
	}

	report := r.say(r.admin, "/rapat 1", "Rapat #1")
	for _, want := range []string{
		"Jawaban: hadir 1 · tidak bisa 3",
		"Siti Aminah (PSM) — Tidak bisa hadir: Tugas lapangan <di> Pasir Putih\n",
		"Budi Santoso (TKSK) — Tidak bisa hadir\n",
	} {
		if !strings.Contains(report.Text+"\n", want) {
			t.Errorf("report lacks %q:\n%s", want, report.Text)
		}
	}
	var reason string
	if err := r.h.DB().SQL().QueryRow(`SELECT reason FROM meeting_invitations WHERE user_id = ?`, siti.ID()).Scan(&reason); err != nil {
		t.Fatal(err)
	}
	if reason != "Tugas lapangan <di> Pasir Putih" {
		t.Errorf("stored reason %q", reason)
	}
	r.h.NoViolations()
}

// register drives u through registration in the fake Telegram, from the
// consent prompt to "sent to the admin".
func (r *mtRig) register(u *telegramtest.User, name string) {
	r.t.Helper()
	k := r.kec[0]
	r.press(u, "✅ Setuju, lanjut", "nama lengkap")
	r.say(u, name, "peran")
	r.press(u, "PSM", "kecamatan")
	r.press(u, k.Name, "kelurahan")
	r.press(u, k.Kelurahan[0].Name, "nomor HP")
	r.after(u, "Periksa data", func() { u.SendContact("+6281234567890", u.ID(), strings.Fields(name)[0]) })
	r.press(u, "✅ Simpan", "dikirim ke admin")
}

// approve presses Approve on the admin's notice of name's registration, once
// it has arrived: the worker's "sent to the admin" can come first.
func (r *mtRig) approve(name string) {
	r.t.Helper()
	notice := 0
	if _, err := r.admin.WaitFor(mtWait, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			if strings.Contains(m.Text, name) && m.InlineKeyboard != nil {
				notice = m.ID
				return true
			}
		}
		return false
	}); err != nil {
		r.t.Fatal(err)
	}
	must2(r.t, r.admin.PressOn(notice, "✅ Setujui"))
}

// Someone not registered scans the check-in QR: asked to register, and the
// check-in completes when an admin approves them, if check-in is still open
// (at the time of the scan); approved after it closed, they are told why not.
func TestMeetingCheckinAfterApproval(t *testing.T) {
	r := newMtRig(t)
	start := time.Date(2026, 11, 2, 11, 0, 0, 0, wib)
	id, payload := r.meetingAt(start, start.Add(time.Hour), 0, 0, 0)

	r.set(time.Date(2026, 11, 2, 10, 15, 0, 0, wib))
	eka := r.h.NewUser("Eka")
	r.say(eka, "/start "+payload, "Data yang disimpan")
	if _, err := eka.WaitForText(mtWait, "akan dicatat otomatis begitu pendaftaran disetujui"); err != nil {
		t.Fatal(err)
	}
	r.register(eka, "Eka Putri")
	r.set(time.Date(2026, 11, 2, 10, 40, 0, 0, wib))
	done := r.after(eka, "Presensi tercatat: Rakor PSM, pukul 10.15 WIB", func() { r.approve("Eka Putri") })
	if !strings.Contains(done.Text, "peserta tambahan") {
		t.Errorf("walk-in not told: %q", done.Text)
	}
	if a, ok := r.attendance(id, eka); !ok || a.Method != store.CheckinQR || !a.WalkIn ||
		!a.At.Equal(time.Date(2026, 11, 2, 10, 15, 0, 0, wib)) {
		t.Errorf("eka's check-in %+v (%v)", a, ok)
	}

	// Dewi registers first, scans while pending, and is approved too late.
	dewi := r.h.NewUser("Dewi")
	r.say(dewi, "/start", "Data yang disimpan")
	r.register(dewi, "Dewi Lestari")
	r.say(dewi, "/start "+payload, "akan dicatat otomatis begitu disetujui")
	r.set(time.Date(2026, 11, 2, 12, 30, 0, 0, wib))
	r.after(dewi, "tidak dapat dicatat: sudah ditutup pada 02-11-2026 12.00 WIB", func() { r.approve("Dewi Lestari") })
	if _, ok := r.attendance(id, dewi); ok {
		t.Error("a check-in approved after the window was recorded")
	}
	var n int
	if err := r.h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM pending_checkins`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d pending check-ins left (%v)", n, err)
	}
	r.h.NoViolations()
}

// Invitations to 500 workers go out within Telegram's limits, enforced by the
// fake: every one delivered, no 429, and the organiser told how many were sent
// and how many could not be reached.
func TestMeetingInvitesFiveHundredWithinLimits(t *testing.T) {
	limits := telegramtest.RateLimits{Global: 300, PerChat: 20, PerChatBurst: 3, PerGroupPerMinute: 1200}
	r := newMtRigWith(t, bottest.Options{
		Fake: telegramtest.Options{EnforceRateLimits: true, Limits: limits},
		Bot: func(c *bot.Config) {
			c.Limits = bot.Limits{Global: 300, PerChat: 20, PerChatBurst: 1, GroupPerMinute: 1200}
			c.SendWorkers = 16
		},
	})
	workers := make([]*telegramtest.User, 502)
	tx, err := r.h.DB().SQL().Begin()
	if err != nil {
		t.Fatal(err)
	}
	now := mtStart.Format(store.TimeFormat)
	for i := range workers {
		u := r.h.NewUser(fmt.Sprintf("W%03d", i))
		workers[i] = u
		k := r.kec[i%len(r.kec)]
		role := store.RolePSM
		if i%5 == 0 {
			role = store.RoleTKSK
		}
		if _, err := tx.Exec(`INSERT INTO users (id, first_name, username, created_at, updated_at, role, status,
			full_name, phone, kecamatan, kelurahan, unreachable) VALUES (?, ?, '', ?, ?, ?, 'active', ?, '+6281200000000', ?, ?, ?)`,
			u.ID(), fmt.Sprintf("W%03d", i), now, now, role, fmt.Sprintf("Petugas %03d", i), k.Code, k.Kelurahan[0].Code,
			i >= 500); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	r.createMeeting("Rapat Koordinasi Besar", "03-11-2026", "09.00", "12.00", "Semua PSM dan TKSK")
	if _, err := r.admin.WaitForText(mtWait, "Undangan dikirim ke 500 orang; 2 tidak dapat dihubungi."); err != nil {
		t.Fatal(err)
	}
	r.h.WaitUntil(60*time.Second, "500 invitations delivered", func() bool {
		for _, u := range workers[:500] {
			if len(u.Messages()) == 0 {
				return false
			}
		}
		return true
	})
	for _, u := range workers[:500] {
		if m := u.Messages(); len(m) != 1 || !strings.Contains(m[0].Text, "Rapat Koordinasi Besar") {
			t.Fatalf("worker %d got %v", u.ID(), m)
		}
	}
	for _, u := range workers[500:] {
		if n := len(u.Messages()); n != 0 {
			t.Errorf("unreachable worker %d got %d messages", u.ID(), n)
		}
	}
	for _, method := range []string{"sendMessage", "sendPhoto", "answerCallbackQuery", "editMessageText",
		"editMessageReplyMarkup"} {
		if n := r.h.Server.CallsByResult(method)[429]; n != 0 {
			t.Errorf("%s: %d × 429", method, n)
		}
	}
	if got := r.h.Server.CallsByResult("sendMessage")[200]; got < 500 {
		t.Errorf("%d messages sent, want at least 500", got)
	}
	r.h.NoViolations()
}
