package flows_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// Answering with a reminder's buttons edits the invitation to show the
// answer (keeping its buttons until the start) and turns the pressed reminder
// into a record of the answer without buttons. The same answer given on the
// invitation first leaves the invitation alone; a reminder pressed after the
// start only loses its buttons.
func TestMeetingAnswerOnReminder(t *testing.T) {
	r := newMtRig(t)
	siti := r.worker("Siti Aminah", store.RolePSM, 0)
	budi := r.worker("Budi Santoso", store.RoleTKSK, 1)
	eko := r.worker("Eko Prasetyo", store.RolePSM, 2)
	r.createMeeting("Rakor Bulanan", "03-11-2026", "09.00", "12.00", "Semua PSM dan TKSK")
	invs := map[*telegramtest.User]telegramtest.Message{}
	for _, u := range []*telegramtest.User{siti, budi, eko} {
		inv, err := u.WaitForText(mtWait, "Undangan rapat")
		if err != nil {
			t.Fatal(err)
		}
		invs[u] = inv
	}

	// 07.00 on the day: the "2 hours before" reminder, with the buttons, since
	// nobody has answered.
	r.set(time.Date(2026, 11, 3, 7, 0, 0, 0, wib))
	r.h.Sweep()
	rems := map[*telegramtest.User]telegramtest.Message{}
	for _, u := range []*telegramtest.User{siti, budi, eko} {
		rem, err := u.WaitForText(mtWait, "Pengingat rapat")
		if err != nil {
			t.Fatal(err)
		}
		if len(rem.InlineKeyboard) == 0 {
			t.Fatalf("reminder without the answer buttons: %q", rem.Text)
		}
		rems[u] = rem
	}

	must2(t, siti.PressOn(rems[siti].ID, "✅ Hadir"))
	if got := r.callbackAnswer(siti, 1); !strings.Contains(got, "Tercatat: Anda akan hadir") {
		t.Errorf("callback answered %q", got)
	}
	inv := r.waitEdited(siti, invs[siti].ID, "Jawaban Anda: Hadir")
	if len(inv.InlineKeyboard) == 0 {
		t.Error("the invitation lost its buttons before the start")
	}
	rem := r.waitEdited(siti, rems[siti].ID, "Anda menjawab: Hadir")
	if rem.InlineKeyboard != nil || strings.Contains(rem.Text, "belum menjawab") ||
		!strings.Contains(rem.Text, "Pengingat rapat") || !strings.Contains(rem.Text, "ada di undangan rapat") {
		t.Errorf("answered reminder %q, buttons %v", rem.Text, rem.InlineKeyboard)
	}
	if got := rsvpOf(t, r, 1, siti); got != store.RSVPYes {
		t.Fatalf("rsvp %q, want yes", got)
	}
	// She changes her mind on the invitation, which shows the change.
	must2(t, siti.PressOn(invs[siti].ID, "✖️ Tidak bisa hadir"))
	r.waitEdited(siti, invs[siti].ID, "Jawaban Anda: Tidak bisa hadir")
	if _, err := siti.WaitForText(mtWait, "alasan tidak bisa hadir"); err != nil {
		t.Fatal(err)
	}
	if got := rsvpOf(t, r, 1, siti); got != store.RSVPNo {
		t.Fatalf("rsvp %q, want no", got)
	}

	// Budi answered on the invitation after the reminder came, then presses
	// the same answer on the reminder: only the reminder changes.
	must2(t, budi.PressOn(invs[budi].ID, "✅ Hadir"))
	r.waitEdited(budi, invs[budi].ID, "Jawaban Anda: Hadir")
	// Counted in budi's outbox rows, not in the fake's calls: other chats'
	// edits may still be in flight. The press is one transaction, so once
	// the reminder's edit arrived every row it wrote exists.
	var before int64
	if err := r.h.DB().SQL().QueryRow(`SELECT COALESCE(MAX(id), 0) FROM outbox`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	must2(t, budi.PressOn(rems[budi].ID, "✅ Hadir"))
	if rem := r.waitEdited(budi, rems[budi].ID, "Anda menjawab: Hadir"); rem.InlineKeyboard != nil {
		t.Error("the answered reminder keeps its buttons")
	}
	var edits int
	if err := r.h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE id > ? AND chat_id = ?
		AND kind IN ('edit_text', 'edit_buttons')`, before, budi.ID()).Scan(&edits); err != nil {
		t.Fatal(err)
	}
	if edits != 1 {
		t.Errorf("%d edits for an unchanged answer, want 1 (the reminder)", edits)
	}

	// 09.30: the meeting has started; Eko's reminder button only loses its
	// buttons, his invitation and answer stay as they were.
	r.set(time.Date(2026, 11, 3, 9, 30, 0, 0, wib))
	must2(t, eko.PressOn(rems[eko].ID, "✅ Hadir"))
	if got := r.callbackAnswer(eko, 1); !strings.Contains(got, "sudah dimulai") {
		t.Errorf("answer after the start: %q", got)
	}
	r.h.WaitUntil(mtWait, "eko's reminder buttons to go", func() bool {
		for _, m := range eko.Messages() {
			if m.ID == rems[eko].ID {
				return m.InlineKeyboard == nil
			}
		}
		return false
	})
	if got := rsvpOf(t, r, 1, eko); got != store.RSVPNone {
		t.Errorf("answer after the start stored as %q", got)
	}
	for _, m := range eko.Messages() {
		if m.ID == invs[eko].ID && (m.Text != invs[eko].Text || len(m.InlineKeyboard) == 0) {
			t.Errorf("eko's invitation changed: %q", m.Text)
		}
	}
	r.h.NoViolations()
}

// The report's picker lists the invitees not yet present, eight a page; a
// name pressed is marked present by hand (as /hadir does), the picker shows
// it, and a second press of the same name changes nothing. A worker's forged
// press, and data naming someone not invited, change nothing.
func TestMeetingMarkPicker(t *testing.T) {
	r := newMtRig(t)
	siti := r.worker("Siti Aminah", store.RolePSM, 0)
	budi := r.worker("Budi Santoso", store.RoleTKSK, 1)
	eko := r.worker("Eko Prasetyo", store.RolePSM, 2)
	dodi := r.worker("Dodi Saputra", store.RoleTKSK, 3) // not invited
	start := time.Date(2026, 11, 2, 10, 0, 0, 0, wib)
	id := r.addMeeting(store.Meeting{Title: "Rakor PSM", StartsAt: start, EndsAt: start.Add(2 * time.Hour),
		Code: "kodepicker"}, siti, budi, eko)
	mid := fmt.Sprint(id)
	marks := func() int {
		var n int
		if err := r.h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'meeting_mark'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	report := r.say(r.admin, "/rapat "+mid, "Rapat #"+mid)
	picker := r.after(r.admin, "Tandai hadir manual", func() { must2(t, r.admin.PressOn(report.ID, "✍️ Tandai hadir manual")) })
	if !strings.Contains(picker.Text, "Belum hadir: 3 orang") || !strings.Contains(picker.Text, "Halaman 1 dari 1") {
		t.Errorf("picker %q", picker.Text)
	}
	if got, want := mtButtons(picker), []string{"Budi Santoso (TKSK)", "Eko Prasetyo (PSM)", "Siti Aminah (PSM)"}; !slices.Equal(got, want) {
		t.Errorf("picker buttons %q, want %q", got, want)
	}
	for _, row := range picker.InlineKeyboard {
		for _, b := range row {
			if len(b.CallbackData) > 64 {
				t.Errorf("callback data %q over 64 bytes", b.CallbackData)
			}
		}
	}

	must2(t, r.admin.PressOn(picker.ID, "Siti Aminah (PSM)"))
	got := r.waitEdited(r.admin, picker.ID, "Siti Aminah dicatat hadir (manual)")
	if !strings.Contains(got.Text, "Belum hadir: 2 orang") || slices.Contains(mtButtons(got), "Siti Aminah (PSM)") {
		t.Errorf("picker after the mark %q %q", got.Text, mtButtons(got))
	}
	if a, ok := r.attendance(id, siti); !ok || a.Method != store.CheckinManual || a.MarkedBy != adminID || a.WalkIn {
		t.Errorf("siti's mark stored as %+v (%v)", a, ok)
	}
	// A double tap arrives after the picker changed: nothing is marked twice.
	sitiData := "mt:" + mid + ":m:" + fmt.Sprint(siti.ID()) + ".0"
	r.admin.PressData(picker.ID, sitiData)
	r.waitEdited(r.admin, picker.ID, "Siti Aminah sudah presensi pukul 09.00 WIB")
	if n := marks(); n != 1 {
		t.Errorf("%d meeting_mark audit rows, want 1", n)
	}

	// Eko, a worker, forges the organiser's buttons for himself.
	last := r.say(eko, "/rapat", "Rapat mendatang")
	eko.PressData(last.ID, "mt:"+mid+":m:"+fmt.Sprint(eko.ID())+".0")
	if got := r.callbackAnswer(eko, 1); !strings.Contains(got, "tidak berhak") {
		t.Errorf("forged mark answered %q", got)
	}
	eko.PressData(last.ID, "mt:"+mid+":l:")
	if got := r.callbackAnswer(eko, 2); !strings.Contains(got, "tidak berhak") {
		t.Errorf("forged picker answered %q", got)
	}
	if _, ok := r.attendance(id, eko); ok {
		t.Error("a worker's forged press marked him present")
	}
	if slices.ContainsFunc(eko.Messages(), func(m telegramtest.Message) bool { return strings.Contains(m.Text, "Tandai hadir") }) {
		t.Error("a worker was shown the picker")
	}
	// Data naming someone who was not invited was not the bot's.
	presses := len(r.admin.CallbackAnswers())
	r.admin.PressData(picker.ID, "mt:"+mid+":m:"+fmt.Sprint(dodi.ID())+".0")
	if got := r.callbackAnswer(r.admin, presses+1); !strings.Contains(got, "tidak berlaku") {
		t.Errorf("mark of a non-invitee answered %q", got)
	}
	if _, ok := r.attendance(id, dodi); ok {
		t.Error("a non-invitee was marked from the picker")
	}

	must2(t, r.admin.PressOn(picker.ID, "Budi Santoso (TKSK)"))
	r.waitEdited(r.admin, picker.ID, "Budi Santoso dicatat hadir")
	must2(t, r.admin.PressOn(picker.ID, "Eko Prasetyo (PSM)"))
	if done := r.waitEdited(r.admin, picker.ID, "Semua yang diundang sudah hadir"); done.InlineKeyboard != nil {
		t.Errorf("an empty picker keeps buttons %q", mtButtons(done))
	}
	if n := marks(); n != 3 {
		t.Errorf("%d meeting_mark audit rows, want 3", n)
	}
	report = r.say(r.admin, "/rapat "+mid, "Rapat #"+mid)
	if !strings.Contains(report.Text, "QR 0 · lokasi 0 · manual 3") || slices.Contains(mtButtons(report), "✍️ Tandai hadir manual") {
		t.Errorf("report after marking everyone %q %q", report.Text, mtButtons(report))
	}

	// In English the sheet and its file are named in English.
	pick := r.say(r.admin, "/bahasa", "bahasa")
	must2(t, r.admin.PressOn(pick.ID, "🇬🇧 English"))
	r.waitEdited(r.admin, pick.ID, "Language changed")
	report = r.say(r.admin, "/rapat "+mid, "Meeting #"+mid)
	doc := r.after(r.admin, "Attendance sheet", func() { must2(t, r.admin.PressOn(report.ID, "📄 Attendance sheet (XLSX)")) })
	if doc.FileName != "attendance-meeting-"+mid+".xlsx" {
		t.Errorf("file name %q", doc.FileName)
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.File))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"Attendance"}) {
		t.Errorf("sheets %q", got)
	}
	rows, err := f.GetRows("Attendance")
	if err != nil || len(rows) != 23 || rows[4][0] != "ATTENDANCE SHEET" || rows[7][2] != ": Monday, 2 November 2026" ||
		rows[11][1] != "Name" || rows[14][1] != "Budi Santoso" || rows[16][4] != "Acknowledged by," {
		t.Errorf("english sheet rows %q (%v)", rows, err)
	}
	doc = r.after(r.admin, "Attendance sheet", func() { must2(t, r.admin.PressOn(report.ID, "📄 CSV")) })
	if doc.FileName != "attendance-meeting-"+mid+".csv" {
		t.Errorf("csv file name %q", doc.FileName)
	}
	r.h.NoViolations()
}

// An invitee who blocked the bot gets no invitation: one the bot already knew
// of is skipped, one it learns of only when the invitation is refused (403)
// is marked then; the organiser's report counts both as unreachable.
func TestMeetingInviteeBlockedBot(t *testing.T) {
	r := newMtRig(t)
	siti := r.worker("Siti Aminah", store.RolePSM, 0)
	ani := r.worker("Ani Lestari", store.RolePSM, 1)
	dodi := r.worker("Dodi Saputra", store.RoleTKSK, 2)
	unreachable := func(u *telegramtest.User) bool {
		var n bool
		if err := r.h.DB().SQL().QueryRow(`SELECT unreachable FROM users WHERE id = ?`, u.ID()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ani.Block()
	r.h.WaitUntil(mtWait, "the bot to learn ani blocked it", func() bool { return unreachable(ani) })

	r.meetingDraft("Rakor Bulanan", "03-11-2026", "09.00", "12.00", "Semua PSM dan TKSK")
	// Dodi blocks the bot as the organiser saves: the bot reads the save
	// first (the bot is held so both wait in Telegram's queue, in that order)
	// and learns of the block only after the invitations were queued.
	must2(t, r.h.Stop())
	must2(t, r.admin.Press("✅ Simpan"))
	dodi.Block()
	r.h.Launch()
	if _, err := r.admin.WaitForText(mtWait, "Undangan dikirim ke 2 orang; 1 tidak dapat dihubungi."); err != nil {
		t.Fatal(err)
	}
	if _, err := siti.WaitForText(mtWait, "Undangan rapat"); err != nil {
		t.Fatal(err)
	}
	r.h.WaitUntil(mtWait, "dodi's invitation to be refused", func() bool {
		return r.h.Server.CallsByResult("sendMessage")[403] == 1
	})
	r.h.WaitUntil(mtWait, "dodi's invitation to fail", func() bool {
		var status string
		err := r.h.DB().SQL().QueryRow(`SELECT o.status FROM meeting_invitations i JOIN outbox o ON o.id = i.outbox_id
			WHERE i.user_id = ?`, dodi.ID()).Scan(&status)
		return err == nil && status == store.StatusFailed
	})
	if !unreachable(dodi) {
		t.Error("dodi not marked unreachable")
	}
	for _, u := range []*telegramtest.User{ani, dodi} {
		if n := len(u.Messages()); n != 0 {
			t.Errorf("user %d, who blocked the bot, has %d messages", u.ID(), n)
		}
	}

	report := r.say(r.admin, "/rapat 1", "Rapat #1")
	for _, want := range []string{
		"Diundang: 3 (tidak dapat dihubungi: 2)",
		"Ani Lestari (PSM) — tidak dapat dihubungi",
		"Dodi Saputra (TKSK) — tidak dapat dihubungi",
	} {
		if !strings.Contains(report.Text, want) {
			t.Errorf("report lacks %q:\n%s", want, report.Text)
		}
	}
	if strings.Contains(report.Text, "Siti Aminah (PSM) — tidak dapat dihubungi") {
		t.Errorf("siti counted unreachable:\n%s", report.Text)
	}
	r.h.NoViolations()
}

// A check-in code checks in at its own meeting only: the code of another
// meeting whose window has closed is refused with when it closed (and does
// not check the worker in at the meeting going on); the code of a meeting the
// worker was not invited to marks a walk-in there, and only inside that
// meeting's own window.
func TestMeetingCheckinOtherMeetings(t *testing.T) {
	r := newMtRig(t)
	siti := r.worker("Siti Aminah", store.RolePSM, 0)
	budi := r.worker("Budi Santoso", store.RoleTKSK, 1) // invited nowhere
	day := func(hh, mm int) time.Time { return time.Date(2026, 11, 2, hh, mm, 0, 0, wib) }
	past := r.addMeeting(store.Meeting{Title: "Rapat Evaluasi", StartsAt: day(9, 30), EndsAt: day(10, 30),
		Code: "kodeevaluasi"}, siti)
	now := r.addMeeting(store.Meeting{Title: "Rakor PSM", StartsAt: day(12, 0), EndsAt: day(13, 0),
		Code: "koderakor"}, siti)
	later := r.addMeeting(store.Meeting{Title: "Rapat Kelurahan", StartsAt: day(15, 0), EndsAt: day(16, 0),
		Code: "kodekelurahan"})
	rows := func(u *telegramtest.User) int {
		var n int
		if err := r.h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM meeting_attendance WHERE user_id = ?`, u.ID()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	r.set(day(11, 15)) // the rakor's window is open; the evaluation's closed at 10.30
	r.say(siti, "/start hadir_kodeevaluasi", "Presensi Rapat Evaluasi sudah ditutup pada 02-11-2026 10.30 WIB")
	r.say(siti, "/start hadir_kodekelurahan", "Presensi Rapat Kelurahan belum dibuka. Dibuka mulai 02-11-2026 14.00 WIB")
	r.say(budi, "/start hadir_kodekelurahan", "belum dibuka")
	if n := rows(siti) + rows(budi); n != 0 {
		t.Fatalf("%d check-ins from codes outside their window", n)
	}
	done := r.say(siti, "/start hadir_koderakor", "Presensi tercatat: Rakor PSM, pukul 11.15 WIB")
	if strings.Contains(done.Text, "peserta tambahan") {
		t.Errorf("an invitee told she is a walk-in: %q", done.Text)
	}

	r.set(day(14, 20))
	walk := r.say(siti, "/start hadir_kodekelurahan", "Presensi tercatat: Rapat Kelurahan, pukul 14.20 WIB")
	if !strings.Contains(walk.Text, "peserta tambahan") {
		t.Errorf("walk-in not told: %q", walk.Text)
	}
	if a, ok := r.attendance(later, siti); !ok || !a.WalkIn || a.Method != store.CheckinQR {
		t.Errorf("walk-in stored as %+v (%v)", a, ok)
	}
	if a, ok := r.attendance(now, siti); !ok || a.WalkIn || !a.At.Equal(day(11, 15)) {
		t.Errorf("the rakor check-in became %+v (%v)", a, ok)
	}
	if _, ok := r.attendance(past, siti); ok {
		t.Error("a closed meeting's code checked her in")
	}

	r.set(day(16, 30))
	r.say(budi, "/start hadir_kodekelurahan", "Presensi Rapat Kelurahan sudah ditutup pada 02-11-2026 16.00 WIB")
	if n := rows(budi); n != 0 {
		t.Errorf("a walk-in after the window was recorded (%d rows)", n)
	}
	if n := rows(siti); n != 2 {
		t.Errorf("siti has %d check-ins, want 2", n)
	}
	r.h.NoViolations()
}
