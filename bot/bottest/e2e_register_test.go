package bottest_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// Registration (issue 4) through the fake Telegram server: what a worker and
// an admin see in their chats, and what that leaves in users, conversations,
// approvals and audit_log. e2e_test.go covers the happy path, a forged
// Approve press, a used-up invite and a restart in the middle of the form.

const (
	staleText  = "Tombol ini sudah tidak berlaku."
	deniedText = "Maaf, Anda tidak berhak melakukan itu."
	// Buluran Kenali, Telanaipura.
	telanaipura   = "15.71.01"
	buluranKenali = "15.71.01.1002"
)

func TestE2ERegistrationRejected(t *testing.T) {
	const adminID = 777101
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}})
	a := startAdmin(t, h, adminID)
	w := actor{t, h.NewUser("Budi"), wait}

	toSummary(w, "Budi Santoso")
	notice := a.do(func() { w.press("✅ Simpan", "dikirim ke admin") }, "Pendaftaran baru")
	if !strings.Contains(notice.Text, "Budi Santoso") || !strings.Contains(notice.Text, "Buluran Kenali") {
		t.Errorf("the admin's notice does not show the registration: %q", notice.Text)
	}
	approve := buttonData(t, notice, "✅ Setujui")

	must(t, a.PressOn(notice.ID, "✖️ Tolak"))
	told := waitText(t, w.User, "belum disetujui")
	if !strings.Contains(told.Text, "/start") {
		t.Errorf("the rejected worker is not told how to try again: %q", told.Text)
	}
	// Every admin's copy shows the decision and loses its buttons, so it
	// cannot be decided twice by accident.
	closed, err := a.WaitForEdit(wait, notice.ID, "Ditolak oleh Admin")
	must(t, err)
	if closed.InlineKeyboard != nil {
		t.Errorf("the decided notice still has buttons: %v", closed)
	}
	if got := answers(t, h, a.User, 1); got[0].Text != "Ditolak." {
		t.Errorf("the admin's press answered %q, want Ditolak.", got[0].Text)
	}

	// Stored: the worker is rejected (not blocked, not deleted), the request
	// decided by this admin, the decision audited.
	if u, _ := storedUser(t, h, w.ID()); u.Status != store.UserRejected || u.FullName != "Budi Santoso" {
		t.Errorf("stored worker %+v, want status rejected", u)
	}
	var decidedBy int64
	must(t, h.DB().SQL().QueryRow(`SELECT decided_by FROM approvals WHERE user_id = ?`, w.ID()).Scan(&decidedBy))
	if got := approvalStatuses(t, h, w.ID()); !slices.Equal(got, []string{store.ApprovalRejected}) || decidedBy != adminID {
		t.Errorf("approvals %v decided by %d, want [rejected] by the admin", got, decidedBy)
	}
	if n := auditCount(t, h, "approval_rejected", adminID, itoa(w.ID())); n != 1 {
		t.Errorf("%d approval_rejected audit rows, want 1", n)
	}
	if _, open := storedDraft(t, h, w.ID()); open {
		t.Error("a conversation is left open after saving")
	}

	// The old Approve button, pressed after the rejection (a stale copy on
	// another phone): answered, and the rejection stands.
	a.PressData(notice.ID, approve)
	if got := answers(t, h, a.User, 2); got[1].Text != "Permintaan ini sudah diputuskan." {
		t.Errorf("approve after reject answered %q", got[1].Text)
	}
	settle(t, h)
	if u, _ := storedUser(t, h, w.ID()); u.Status != store.UserRejected {
		t.Errorf("status %s after a late Approve, want rejected", u.Status)
	}
	if n := countText(w.User, "Pendaftaran Anda disetujui"); n != 0 || auditCount(t, h, "approval_approved", 0, "") != 0 {
		t.Errorf("a late Approve took effect: %d approval messages", n)
	}

	// A rejected worker may register again.
	w.send("/start", "Data yang disimpan")
	if d, open := storedDraft(t, h, w.ID()); !open || d.Flow != "register" {
		t.Errorf("no registration opened again: %+v", d)
	}
	h.NoViolations()
}

// An invite that expired: a link opened after its expiry, and one opened in
// time whose form is saved after it (the used-up case is in e2e_test.go).
// Both registrations still go through, to an admin's approval.
func TestE2EInviteExpired(t *testing.T) {
	const adminID = 777102
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}})
	a := startAdmin(t, h, adminID)
	a.send("/undang", "Undangan untuk peran apa")
	a.press("PSM", "Berapa lama")
	a.press("1 hari", "Untuk berapa orang")
	a.send("5", "Periksa data")
	link := a.press("✅ Simpan", "t.me/")
	code := regexpFind(t, `start=([a-z0-9]+)`, link.Text)

	// Ten minutes before expiry: the link works (no role question, the
	// invite sets it) and the form is filled.
	h.Clock.Advance(23*time.Hour + 50*time.Minute)
	late := actor{t, h.NewUser("Rina"), wait}
	late.do(func() { late.OpenDeepLink(code) }, "Data yang disimpan")
	late.press("✅ Setuju, lanjut", "nama lengkap")
	late.send("Rina Marlina", "kecamatan")
	late.press("Telanaipura", "kelurahan")
	late.press("Buluran Kenali", "nomor HP")
	sum := late.do(func() { late.SendContact("081234567890", late.ID(), "Rina") }, "Periksa data")
	if !strings.Contains(sum.Text, "Peran: PSM") {
		t.Errorf("the summary does not show the invite's role: %q", sum.Text)
	}
	if countText(late.User, "tidak berlaku") != 0 {
		t.Error("a valid invite was called invalid")
	}

	// Saved twenty minutes later, after the expiry: told, and sent to the admin.
	h.Clock.Advance(20 * time.Minute)
	notice := a.do(func() { late.press("✅ Simpan", "diperiksa admin dulu") }, "Pendaftaran baru")
	waitText(t, late.User, "dikirim ke admin")
	if !strings.Contains(notice.Text, "Rina Marlina") {
		t.Errorf("notice %q is not Rina's", notice.Text)
	}

	// Opened after the expiry: told, then an ordinary registration (the role
	// is asked, the invite's preset is gone).
	x := actor{t, h.NewUser("Yudi"), wait}
	x.do(func() { x.OpenDeepLink(code) }, "tidak berlaku lagi")
	waitText(t, x.User, "Data yang disimpan")
	x.press("✅ Setuju, lanjut", "nama lengkap")
	x.send("Yudi Pratama", "peran")
	x.press("TKSK", "kecamatan")
	x.press("Jelutung", "kelurahan")
	x.press("Jelutung", "nomor HP")
	x.do(func() { x.SendContact("+6281298765432", x.ID(), "Yudi") }, "Periksa data")
	a.do(func() { x.press("✅ Simpan", "dikirim ke admin") }, "Yudi Pratama")

	var uses int
	must(t, h.DB().SQL().QueryRow(`SELECT uses FROM invites`).Scan(&uses))
	if uses != 0 {
		t.Errorf("the expired invite counts %d uses, want 0", uses)
	}
	for _, c := range []struct {
		u    *telegramtest.User
		role string
	}{{late.User, store.RolePSM}, {x.User, store.RoleTKSK}} {
		u, _ := storedUser(t, h, c.u.ID())
		if u.Status != store.UserPending || u.Role != c.role {
			t.Errorf("user %d stored %s/%s, want pending %s", c.u.ID(), u.Status, u.Role, c.role)
		}
		if got := approvalStatuses(t, h, c.u.ID()); !slices.Equal(got, []string{store.ApprovalPending}) {
			t.Errorf("user %d approvals %v, want one pending", c.u.ID(), got)
		}
	}
	if n := auditCount(t, h, "register_invite", 0, ""); n != 0 {
		t.Errorf("%d registrations through the expired invite", n)
	}
	h.NoViolations()
}

// The universal moves during registration: /lewati on a required step,
// /kembali (also from the contact step), editing fields from the summary
// (a changed kecamatan drops its kelurahan), /batal, and the cancelled
// summary's button afterwards.
func TestE2ERegistrationMoves(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}

	u.send("/batal", "Tidak ada isian yang sedang berjalan")
	u.send("/start", "Data yang disimpan")
	u.press("✅ Setuju, lanjut", "nama lengkap")
	u.send("Sri Wahyuni", "peran")

	m := u.send("/lewati", "tidak bisa dilewati")
	if !strings.Contains(m.Text, "Peran") || !strings.Contains(m.Text, "Apa peran") || buttonData(t, m, "PSM") == "" {
		t.Errorf("/lewati on the role: %v, want the reason and the question again with its buttons", m)
	}
	if d, _ := storedDraft(t, h, u.ID()); d.Step != "role" || d.Answers.Has("role") {
		t.Errorf("after /lewati the draft is at %q with %v", d.Step, d.Answers)
	}

	u.press("PSM", "kecamatan")
	u.press("Telanaipura", "kelurahan")
	m = u.send("/kembali", "Pilih kecamatan")
	for _, want := range []string{"Kembali satu langkah", "Jawaban sebelumnya: Telanaipura"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("/kembali: %q lacks %q", m.Text, want)
		}
	}
	if d, _ := storedDraft(t, h, u.ID()); d.Step != "kecamatan" || !slices.Equal(d.History, []string{"consent", "name", "role"}) {
		t.Errorf("after /kembali: step %q history %v", d.Step, d.History)
	}
	// Another kecamatan: its own kelurahan only.
	m = u.press("Jelutung", "Pilih kelurahan")
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == "Buluran Kenali" {
				t.Errorf("Jelutung's kelurahan buttons offer Buluran Kenali (Telanaipura): %v", m)
			}
		}
	}
	u.press("Jelutung", "nomor HP")
	// /kembali from the contact step: its "send my number" keyboard goes away
	// with a short note, then the kelurahan is asked again.
	u.send("/kembali", "Pilih kelurahan")
	removed := false
	for _, msg := range u.Messages() {
		removed = removed || (msg.RemoveKeyboard && strings.Contains(msg.Text, "Kembali satu langkah"))
	}
	if !removed {
		t.Error("/kembali from the contact step did not take its keyboard away")
	}
	u.press("Jelutung", "nomor HP")
	u.do(func() { u.SendContact("+6281234567890", u.ID(), "Sri") }, "Periksa data")

	// Edit the name from the summary: asked, then straight back to the summary.
	u.press("✏️ Nama", "nama lengkap")
	sum := u.send("Sri Rahayu", "Periksa data")
	if !strings.Contains(sum.Text, "Nama: Sri Rahayu") || strings.Contains(sum.Text, "Wahyuni") {
		t.Errorf("summary after editing the name: %q", sum.Text)
	}
	// Edit the kecamatan: the kelurahan of the old one no longer fits and is
	// asked before the summary comes back; the phone is kept.
	u.press("✏️ Kecamatan", "Pilih kecamatan")
	u.press("Telanaipura", "Pilih kelurahan")
	sum = u.press("Buluran Kenali", "Periksa data")
	for _, want := range []string{"Nama: Sri Rahayu", "Peran: PSM", "Kecamatan: Telanaipura", "Kelurahan: Buluran Kenali", "+6281234567890"} {
		if !strings.Contains(sum.Text, want) {
			t.Errorf("summary %q lacks %q", sum.Text, want)
		}
	}
	d, _ := storedDraft(t, h, u.ID())
	if d.Step != "_summary" || d.Answers.Text("name") != "Sri Rahayu" || d.Answers.Text("kecamatan") != telanaipura ||
		d.Answers.Text("kelurahan") != buluranKenali || d.Answers.Text("phone") != "+6281234567890" {
		t.Errorf("draft at the summary: step %q answers %v", d.Step, d.Answers)
	}
	// Nothing is stored as the profile before Simpan.
	if s, _ := storedUser(t, h, u.ID()); s.FullName != "" || s.Status != store.UserNew {
		t.Errorf("profile stored before saving: %+v", s)
	}

	save := buttonData(t, sum, "✅ Simpan")
	u.send("/batal", "Isian dibatalkan. Tidak ada yang disimpan.")
	keyboardGone(t, u.User, sum.ID)
	if _, open := storedDraft(t, h, u.ID()); open {
		t.Error("the draft survived /batal")
	}

	// Simpan of the cancelled summary: answered as stale, nothing saved.
	before := len(u.CallbackAnswers())
	u.PressData(sum.ID, save)
	if got := answers(t, h, u.User, before+1); got[before].Text != staleText {
		t.Errorf("Simpan after /batal answered %q", got[before].Text)
	}
	settle(t, h)
	if s, _ := storedUser(t, h, u.ID()); s.FullName != "" || s.Status != store.UserNew {
		t.Errorf("stored after cancel: %+v", s)
	}
	if got := approvalStatuses(t, h, u.ID()); len(got) != 0 || countText(u.User, "dikirim ke admin") != 0 {
		t.Errorf("a cancelled registration reached the admins: %v", got)
	}
	if _, open := storedDraft(t, h, u.ID()); open {
		t.Error("a stale Simpan reopened the draft")
	}
	h.NoViolations()
}

// A draft left alone gets one reminder 2 h before its 24 h expiry; answering
// postpones both; at the expiry it is deleted, its keyboard taken away and
// its buttons go stale. The clock moves, the sweep runs by hand.
func TestE2EDraftReminderAndExpiry(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Ani"), wait}
	u.send("/start", "Data yang disimpan")
	u.press("✅ Setuju, lanjut", "nama lengkap")
	u.send("Ani Susanti", "peran")

	sweepAt := func(d time.Duration) {
		t.Helper()
		h.Clock.Advance(d)
		h.Sweep()
		settle(t, h)
	}
	const reminder = "belum selesai dan akan dihapus pada"

	sweepAt(21*time.Hour + 59*time.Minute)
	if d, _ := storedDraft(t, h, u.ID()); countText(u.User, reminder) != 0 || d.Reminded {
		t.Fatal("reminded before 22 h idle")
	}
	// The sweep runs each minute; idle counts from the last touch, so the
	// first sweep after 22 h idle (2 h before the expiry) reminds.
	sweepAt(2 * time.Minute)
	// 02:00 UTC + 24 h is 09.00 WIB the next day.
	waitText(t, u.User, reminder+" 03-11-2026 09.00 WIB")
	if d, open := storedDraft(t, h, u.ID()); !open || !d.Reminded || d.Answers.Text("name") != "Ani Susanti" {
		t.Fatalf("after the reminder the draft is %+v", d)
	}
	sweepAt(time.Minute)
	if n := countText(u.User, reminder); n != 1 {
		t.Errorf("%d reminders, want exactly 1", n)
	}

	// Answering touches the draft: the reminder is armed again, the expiry
	// moves to 24 h after this answer.
	kec := u.press("PSM", "kecamatan")
	if d, _ := storedDraft(t, h, u.ID()); d.Reminded || d.Step != "kecamatan" {
		t.Errorf("after answering: reminded %v step %q", d.Reminded, d.Step)
	}
	sweepAt(time.Hour + 59*time.Minute) // 24 h 1 min after the start, 2 h after the answer
	if d, open := storedDraft(t, h, u.ID()); !open || d.Step != "kecamatan" {
		t.Fatal("the draft expired 24 h after it began, not 24 h after its last answer")
	}
	if n := countText(u.User, reminder); n != 1 {
		t.Errorf("%d reminders 2 h after an answer, want still 1", n)
	}
	sweepAt(20*time.Hour + 2*time.Minute) // 22 h 1 min after the answer (at 22 h 2 min)
	waitText(t, u.User, reminder+" 04-11-2026 07.02 WIB")

	telanaipuraBtn := buttonData(t, kec, "Telanaipura")
	sweepAt(2 * time.Hour) // 24 h 1 min after the answer
	waitText(t, u.User, "sudah kedaluwarsa dan dihapus")
	keyboardGone(t, u.User, kec.ID)
	if _, open := storedDraft(t, h, u.ID()); open {
		t.Fatal("the expired draft is still stored")
	}
	if s, _ := storedUser(t, h, u.ID()); s.FullName != "" || s.Status != store.UserNew {
		t.Errorf("an expired draft left a profile: %+v", s)
	}

	// Its buttons are stale now and reopen nothing.
	before := len(u.CallbackAnswers())
	u.PressData(kec.ID, telanaipuraBtn)
	if got := answers(t, h, u.User, before+1); got[before].Text != staleText {
		t.Errorf("a button of the expired draft answered %q", got[before].Text)
	}
	settle(t, h)
	if _, open := storedDraft(t, h, u.ID()); open {
		t.Error("a stale button reopened the draft")
	}
	if n := countText(u.User, "sudah kedaluwarsa"); n != 1 {
		t.Errorf("told %d times of the expiry", n)
	}
	h.NoViolations()
}

// A double press (the same button twice before the bot answers) and stale
// buttons (pressed after the flow moved on): each press answered exactly
// once, the second changing nothing. For a choice, for Simpan and for the
// admin's Approve.
func TestE2EDoublePressAndStaleButtons(t *testing.T) {
	const adminID = 777103
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}})
	a := startAdmin(t, h, adminID)
	u := actor{t, h.NewUser("Dewi"), wait}
	u.send("/start", "Data yang disimpan")
	u.press("✅ Setuju, lanjut", "nama lengkap")
	rolePrompt := u.send("Dewi Lestari", "peran")
	psm, tksk := buttonData(t, rolePrompt, "PSM"), buttonData(t, rolePrompt, "TKSK")

	// twice presses data on message id twice, as fast as the fake takes it,
	// and checks that one press acted (answered acted) and the other was
	// answered second; exactly two answers: the fake refuses a second
	// answerCallbackQuery for one query, so NoViolations covers "once".
	twice := func(who actor, id int, data, acted, second string) {
		t.Helper()
		n := len(who.CallbackAnswers()) + 2
		who.PressData(id, data)
		who.PressData(id, data)
		answers(t, h, who.User, n)
		settle(t, h)
		got := who.CallbackAnswers()
		if len(got) != n {
			t.Fatalf("%d callback answers, want %d", len(got), n)
		}
		texts := []string{got[n-2].Text, got[n-1].Text}
		slices.Sort(texts)
		want := []string{acted, second}
		slices.Sort(want)
		if !slices.Equal(texts, want) {
			t.Errorf("the double press was answered %q, want %q", texts, want)
		}
	}

	twice(u, rolePrompt.ID, psm, "", staleText)
	if n := countText(u.User, "Pilih kecamatan"); n != 1 {
		t.Errorf("the double press asked the kecamatan %d times", n)
	}
	// The pressed prompt became the next question, its answer on top.
	chosen, err := u.WaitForEdit(wait, rolePrompt.ID, "Pilih kecamatan")
	must(t, err)
	if !strings.HasPrefix(chosen.Text, "✅ Peran: PSM\n\n") || len(chosen.InlineKeyboard) == 0 {
		t.Errorf("the pressed prompt: %v, want the answer and the kecamatan buttons", chosen)
	}
	d, _ := storedDraft(t, h, u.ID())
	if d.Step != "kecamatan" || d.Answers.Text("role") != store.RolePSM || !slices.Equal(d.History, []string{"consent", "name", "role"}) {
		t.Errorf("after the double press: step %q answers %v history %v", d.Step, d.Answers, d.History)
	}

	// Stale: the old prompt's other button, after the flow moved on.
	n := len(u.CallbackAnswers())
	u.PressData(rolePrompt.ID, tksk)
	if got := answers(t, h, u.User, n+1); got[n].Text != staleText {
		t.Errorf("a stale button answered %q", got[n].Text)
	}
	settle(t, h)
	if d2, _ := storedDraft(t, h, u.ID()); d2.Answers.Text("role") != store.RolePSM || d2.Step != "kecamatan" || d2.Nonce != d.Nonce {
		t.Errorf("a stale button changed the draft: %+v", d2)
	}

	u.press("Telanaipura", "kelurahan")
	u.press("Buluran Kenali", "nomor HP")
	sum := u.do(func() { u.SendContact("+6281234567890", u.ID(), "Dewi") }, "Periksa data")
	save := buttonData(t, sum, "✅ Simpan")
	twice(u, sum.ID, save, "", staleText)
	waitText(t, u.User, "dikirim ke admin")
	notice := waitText(t, a.User, "Pendaftaran baru")
	if got := countText(u.User, "dikirim ke admin"); got != 1 {
		t.Errorf("Simpan pressed twice: told %d times", got)
	}
	if got := countText(a.User, "Pendaftaran baru"); got != 1 {
		t.Errorf("Simpan pressed twice: the admin got %d notices", got)
	}
	if got := approvalStatuses(t, h, u.ID()); !slices.Equal(got, []string{store.ApprovalPending}) {
		t.Errorf("Simpan pressed twice: approvals %v", got)
	}

	// The admin's Approve, twice: approved once, told once.
	approve, reject := buttonData(t, notice, "✅ Setujui"), buttonData(t, notice, "✖️ Tolak")
	twice(a, notice.ID, approve, "Disetujui.", "Permintaan ini sudah diputuskan.")
	waitText(t, u.User, "Pendaftaran Anda disetujui")
	// And a stale Reject on the decided notice.
	n = len(a.CallbackAnswers())
	a.PressData(notice.ID, reject)
	if got := answers(t, h, a.User, n+1); got[n].Text != "Permintaan ini sudah diputuskan." {
		t.Errorf("Reject after Approve answered %q", got[n].Text)
	}
	settle(t, h)
	if got := countText(u.User, "Pendaftaran Anda disetujui"); got != 1 || countText(u.User, "belum disetujui") != 0 {
		t.Errorf("the worker was told %d approvals (and maybe a rejection)", got)
	}
	if s, _ := storedUser(t, h, u.ID()); s.Status != store.UserActive || s.Role != store.RolePSM {
		t.Errorf("stored worker %s/%s, want active psm", s.Status, s.Role)
	}
	if got := approvalStatuses(t, h, u.ID()); !slices.Equal(got, []string{store.ApprovalApproved}) {
		t.Errorf("approvals %v, want [approved]", got)
	}
	if n1, n2 := auditCount(t, h, "approval_approved", adminID, ""), auditCount(t, h, "approval_rejected", 0, ""); n1 != 1 || n2 != 0 {
		t.Errorf("audit: %d approvals, %d rejections; want 1 and 0", n1, n2)
	}
	h.NoViolations()
}

// Bad input at every registration step: a clear Indonesian reason (with an
// example where one helps), the step asked again, the draft kept and nothing
// stored as the profile.
func TestE2ERegistrationBadInput(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	other := h.NewUser("Tetangga")

	// check runs bad inputs at the current step and checks each reply and
	// the draft after it; ask is a phrase of the step's question.
	type bad struct {
		what string
		act  func()
		want string
	}
	text := func(s string) func() { return func() { u.SendText(s) } }
	check := func(step, ask string, kept []string, cases []bad) {
		t.Helper()
		for _, c := range cases {
			got := u.do(c.act, "")
			for _, w := range []string{"⚠️", c.want, ask} {
				if !strings.Contains(got.Text, w) {
					t.Errorf("%s at %s: reply %q lacks %q", c.what, step, got.Text, w)
				}
			}
			d, open := storedDraft(t, h, u.ID())
			if !open || d.Step != step || d.Answers.Has(step) {
				t.Fatalf("%s at %s: draft open=%v step %q answers %v", c.what, step, open, d.Step, d.Answers)
			}
			for _, k := range kept {
				if !d.Answers.Has(k) {
					t.Errorf("%s at %s: the answer %q was lost", c.what, step, k)
				}
			}
		}
	}

	u.send("/start", "Data yang disimpan")
	u.press("✅ Setuju, lanjut", "nama lengkap")
	check("name", "nama lengkap", nil, []bad{
		// Telegram delivers no empty text message: a photo without caption,
		// a location, or only spaces are the empty answers a person can send.
		{"a photo", func() { u.SendPhoto([]byte("not really a jpeg"), "") }, "Mohon jawab dengan teks."},
		{"a location", func() { u.SendLocation(-1.61, 103.61) }, "Mohon jawab dengan teks."},
		{"only spaces", text("   "), "Nama masih kosong."},
		{"too short", text("Sr"), "Nama terlalu pendek: 2 karakter, minimal 3."},
		{"too long", text(strings.Repeat("Sri ", 25)), "Nama terlalu panjang: 99 karakter, maksimal 80."},
		// 4096 is the most a Telegram message can hold.
		{"a full message", text(strings.Repeat("a", 4096)), "Nama terlalu panjang: 4096 karakter, maksimal 80."},
		{"emoji only", text("😀😀😀"), "Nama tidak boleh berisi \"😀\" (posisi 1)."},
		{"a digit", text("Sri W4hyuni"), "Nama tidak boleh berisi angka (\"4\" di posisi 6)."},
	})
	// The name's refusals carry an example of a right answer.
	if m, _ := u.Last(); !strings.Contains(m.Text, "Contoh: Siti Nur Aini") {
		t.Errorf("no example in the name refusal: %q", m.Text)
	}
	u.send("Sri Wahyuni", "peran")

	check("role", "Apa peran", []string{"name"}, []bad{
		{"free text", text("Ketua RT"), "\"Ketua RT\" bukan salah satu pilihan."},
	})
	u.press("PSM", "kecamatan")

	check("kecamatan", "Pilih kecamatan", []string{"name", "role"}, []bad{
		{"an unknown kecamatan", text("Antah Berantah"), "Kecamatan \"Antah Berantah\" tidak ada dalam daftar."},
	})
	u.send("telanaipura", "Pilih kelurahan") // typed instead of pressed: accepted

	check("kelurahan", "Pilih kelurahan", []string{"name", "role", "kecamatan"}, []bad{
		{"a kelurahan of another kecamatan", text("Jelutung"), "Kelurahan Jelutung ada di Kecamatan Jelutung, bukan Telanaipura."},
		{"an unknown kelurahan", text("Kampung Antah"), "Kelurahan \"Kampung Antah\" tidak ada dalam daftar."},
	})
	u.press("Buluran Kenali", "nomor HP")

	contact := func(phone string, id int64) func() { return func() { u.SendContact(phone, id, "Sri") } }
	check("phone", "nomor HP", []string{"name", "role", "kecamatan", "kelurahan"}, []bad{
		{"a typed number", text("081234567890"), "Tekan tombol \"📱 Kirim nomor HP saya\""},
		{"a location", func() { u.SendLocation(-1.61, 103.61) }, "Tekan tombol \"📱 Kirim nomor HP saya\""},
		{"someone else's contact", contact("+6281311112222", other.ID()), "Itu kontak orang lain."},
		{"an address-book contact", contact("+6281311112222", 0), "Itu kontak orang lain."},
		{"a foreign number", contact("+12025550123", u.ID()), "Nomor HP harus nomor Indonesia"},
		{"a landline", contact("0741123456", u.ID()), "Itu bukan nomor HP"},
		{"/lewati", text("/lewati"), "Nomor HP wajib diisi, tidak bisa dilewati."},
	})
	// The contact step is asked again with its button.
	if m, _ := u.Last(); len(m.ReplyKeyboard) == 0 || m.ReplyKeyboard[0][0].Text != "📱 Kirim nomor HP saya" {
		t.Errorf("the phone step asked again without its contact button: %v", m)
	}
	if s, _ := storedUser(t, h, u.ID()); s.FullName != "" || s.Phone != "" || s.Status != store.UserNew {
		t.Errorf("refused answers stored a profile: %+v", s)
	}

	u.do(func() { u.SendContact("+62 812-3456-7890", u.ID(), "Sri") }, "Periksa data")
	if m := u.send("simpan", "Periksa data"); !strings.Contains(m.Text, "Silakan pakai tombol di bawah ringkasan.") {
		t.Errorf("text at the summary: %q", m.Text)
	}
	u.press("✅ Simpan", "dikirim ke admin")
	s, _ := storedUser(t, h, u.ID())
	want := store.Profile{FullName: "Sri Wahyuni", Phone: "+6281234567890", Role: store.RolePSM, Kecamatan: telanaipura, Kelurahan: buluranKenali}
	if s.Profile != want || s.Status != store.UserPending {
		t.Errorf("stored %+v %s, want %+v pending", s.Profile, s.Status, want)
	}
	var failed int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM failed_updates`).Scan(&failed))
	if failed != 0 {
		t.Errorf("%d updates failed", failed)
	}
	h.NoViolations()
}

// Forged callbacks: a pending worker sends the callback data of the admin's
// Approve / Block for another worker's request, garbage data, and another
// worker's form button. Each is answered, refused actions are audited, and
// nothing changes.
func TestE2EForgedCallbacks(t *testing.T) {
	const adminID = 777104
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}})
	a := startAdmin(t, h, adminID)
	ani := actor{t, h.NewUser("Ani"), wait}
	budi := actor{t, h.NewUser("Budi"), wait}

	// Budi presses Ani's live kecamatan button (data copied from her chat).
	ani.send("/start", "Data yang disimpan")
	ani.press("✅ Setuju, lanjut", "nama lengkap")
	ani.send("Ani Susanti", "peran")
	kec := ani.press("PSM", "kecamatan")
	budi.send("/start", "Data yang disimpan")
	budiMsg, _ := budi.Last()
	budi.PressData(budiMsg.ID, buttonData(t, kec, "Telanaipura"))
	if got := answers(t, h, budi.User, 1); got[0].Text != staleText {
		t.Errorf("another person's form button answered %q", got[0].Text)
	}
	settle(t, h)
	if d, _ := storedDraft(t, h, ani.ID()); d.Step != "kecamatan" || d.Answers.Has("kecamatan") {
		t.Errorf("Budi's press moved Ani's form: %+v", d)
	}
	if d, _ := storedDraft(t, h, budi.ID()); d.Step != "consent" {
		t.Errorf("Budi's form moved to %q", d.Step)
	}

	ani.press("Telanaipura", "kelurahan")
	ani.press("Buluran Kenali", "nomor HP")
	ani.do(func() { ani.SendContact("+6281234567890", ani.ID(), "Ani") }, "Periksa data")
	notice := a.do(func() { ani.press("✅ Simpan", "dikirim ke admin") }, "Ani Susanti")
	budi.press("✅ Setuju, lanjut", "nama lengkap")
	budi.send("Budi Santoso", "peran")
	budi.press("PSM", "kecamatan")
	budi.press("Jelutung", "kelurahan")
	budi.press("Jelutung", "nomor HP")
	budi.do(func() { budi.SendContact("+6281299990000", budi.ID(), "Budi") }, "Periksa data")
	a.do(func() { budi.press("✅ Simpan", "dikirim ke admin") }, "Budi Santoso")

	approve, block := buttonData(t, notice, "✅ Setujui"), buttonData(t, notice, "⛔ Blokir")
	budiMsg, _ = budi.Last()
	forged := []struct{ who, data, want string }{
		{"Budi approves Ani", approve, deniedText},
		{"Budi blocks Ani", block, deniedText},
		{"garbage", "xyz", staleText},
		{"over-long garbage", strings.Repeat("ap:", 20), staleText},
	}
	for _, f := range forged {
		before := len(budi.CallbackAnswers())
		budi.PressData(budiMsg.ID, f.data)
		if got := answers(t, h, budi.User, before+1); got[before].Text != f.want {
			t.Errorf("%s: answered %q, want %q", f.who, got[before].Text, f.want)
		}
	}
	// Ani forging the approval of her own request.
	before := len(ani.CallbackAnswers())
	ani.PressData(notice.ID, approve)
	if got := answers(t, h, ani.User, before+1); got[before].Text != deniedText {
		t.Errorf("Ani approving herself: answered %q", got[before].Text)
	}
	settle(t, h)

	for _, w := range []actor{ani, budi} {
		if s, _ := storedUser(t, h, w.ID()); s.Status != store.UserPending {
			t.Errorf("user %d is %s after forged presses, want pending", w.ID(), s.Status)
		}
		if got := approvalStatuses(t, h, w.ID()); !slices.Equal(got, []string{store.ApprovalPending}) {
			t.Errorf("user %d approvals %v", w.ID(), got)
		}
		if countText(w.User, "Pendaftaran Anda disetujui") != 0 || countText(w.User, "Akun Anda diblokir") != 0 {
			t.Errorf("user %d was told of a decision nobody made", w.ID())
		}
	}
	if n := auditCount(t, h, "denied", budi.ID(), "approve"); n != 2 {
		t.Errorf("%d denied approvals by Budi audited, want 2", n)
	}
	if n := auditCount(t, h, "denied", ani.ID(), "approve"); n != 1 {
		t.Errorf("%d denied approvals by Ani audited, want 1", n)
	}
	if n := auditCount(t, h, "bad_callback", budi.ID(), "xyz"); n != 1 {
		t.Errorf("%d bad callbacks audited, want 1", n)
	}
	for _, action := range []string{"approval_approved", "approval_blocked", "approval_rejected"} {
		if n := auditCount(t, h, action, 0, ""); n != 0 {
			t.Errorf("%d %s rows after forged presses", n, action)
		}
	}
	// The admin's notice is untouched and still decides.
	if m := a.Messages(); !slices.ContainsFunc(m, func(m telegramtest.Message) bool { return m.ID == notice.ID && !m.Edited }) {
		t.Error("a forged press edited the admin's notice")
	}
	h.NoViolations()
}

// Blocked users: one blocked by an admin gets one short message and is
// otherwise ignored; one who blocks the bot is marked unreachable, keeps their
// draft and continues when they come back; a decision sent to a worker who
// blocked the bot fails once (403) without retrying forever.
func TestE2EBlockedUsers(t *testing.T) {
	const adminID = 777105
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}})
	a := startAdmin(t, h, adminID)

	// Blocked by the admin.
	w := actor{t, h.NewUser("Joko"), wait}
	sum := toSummary(w, "Joko Susilo")
	notice := a.do(func() { w.press("✅ Simpan", "dikirim ke admin") }, "Joko Susilo")
	must(t, a.PressOn(notice.ID, "⛔ Blokir"))
	waitText(t, w.User, "Akun Anda diblokir")
	if _, err := a.WaitForEdit(wait, notice.ID, "Diblokir oleh Admin"); err != nil {
		t.Error(err)
	}
	if s, _ := storedUser(t, h, w.ID()); s.Status != store.UserBlocked {
		t.Errorf("status %s, want blocked", s.Status)
	}
	if got := approvalStatuses(t, h, w.ID()); !slices.Equal(got, []string{store.ApprovalBlocked}) {
		t.Errorf("approvals %v, want [blocked]", got)
	}
	if n := auditCount(t, h, "approval_blocked", adminID, itoa(w.ID())); n != 1 {
		t.Errorf("%d approval_blocked rows", n)
	}
	settle(t, h)
	seen := len(w.Messages())
	w.SendText("/start")
	w.SendText("halo")
	before := len(w.CallbackAnswers())
	w.PressData(sum.ID, buttonData(t, sum, "✏️ Nama"))
	// The press is still answered (Telegram shows a spinner otherwise), without text.
	if got := answers(t, h, w.User, before+1); got[before].Text != "" {
		t.Errorf("the blocked user's press answered %q", got[before].Text)
	}
	settle(t, h)
	if got := len(w.Messages()); got != seen {
		t.Errorf("the blocked user got %d more messages: %v", got-seen, w.Messages()[seen:])
	}
	if _, open := storedDraft(t, h, w.ID()); open {
		t.Error("a blocked user opened a form")
	}

	// Blocks the bot in the middle of the form, comes back later.
	q := actor{t, h.NewUser("Lina"), wait}
	q.send("/start", "Data yang disimpan")
	q.press("✅ Setuju, lanjut", "nama lengkap")
	q.send("Lina Marlina", "peran")
	q.press("TKSK", "kecamatan")
	q.Block()
	h.WaitUntil(wait, "Lina marked unreachable", func() bool {
		s, _ := storedUser(t, h, q.ID())
		return s.Unreachable
	})
	if d, open := storedDraft(t, h, q.ID()); !open || d.Step != "kecamatan" || d.Answers.Text("name") != "Lina Marlina" {
		t.Errorf("blocking the bot lost the draft: %+v", d)
	}
	q.send("Kota Baru", "Pilih kelurahan") // writing again unblocks, as the app's Restart does
	if s, _ := storedUser(t, h, q.ID()); s.Unreachable {
		t.Error("still unreachable after writing again")
	}

	// A decision for a worker who has blocked the bot.
	r := actor{t, h.NewUser("Rudi"), wait}
	toSummary(r, "Rudi Hartono")
	notice = a.do(func() { r.press("✅ Simpan", "dikirim ke admin") }, "Rudi Hartono")
	settle(t, h)
	seen = len(r.Messages())
	r.Block()
	h.WaitUntil(wait, "Rudi marked unreachable", func() bool {
		s, _ := storedUser(t, h, r.ID())
		return s.Unreachable
	})
	must(t, a.PressOn(notice.ID, "✅ Setujui"))
	if _, err := a.WaitForEdit(wait, notice.ID, "Disetujui oleh Admin"); err != nil {
		t.Fatal(err)
	}
	settle(t, h)
	if s, _ := storedUser(t, h, r.ID()); s.Status != store.UserActive || !s.Unreachable {
		t.Errorf("Rudi stored %s unreachable=%v, want active and unreachable", s.Status, s.Unreachable)
	}
	if got := len(r.Messages()); got != seen {
		t.Errorf("a user who blocked the bot got %d messages", got-seen)
	}
	var failed, pending int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND status = 'failed'`, r.ID()).Scan(&failed))
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND status = 'pending'`, r.ID()).Scan(&pending))
	if failed == 0 || pending != 0 {
		t.Errorf("outbox for the blocked chat: %d failed, %d pending; want failed, none pending", failed, pending)
	}
	h.NoViolations()
}
