package bottest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// Need-to-know for the duplicate-NIK check and separation of duties (issue
// 12), from the person's side: what a worker may learn of a case that has the
// NIK they type depends on their role and area, every match is audited, the
// reviewer sees the duplicate on the card, and no one decides a case they
// reported.

// Kota Jambi areas of these tests.
const (
	kecTelanaipura = "15.71.01"
	kelBuluran     = "15.71.01.1002" // Buluran Kenali
	kecJambiSel    = "15.71.02"
	kelThehok      = "15.71.02.1004"
	kelPasirPutih  = "15.71.02.1002"

	// nikB is the NIK of the case in Jambi Selatan: a man born 01-01-1980.
	nikB     = "1571020101800005"
	nikBMask = "1571********0005"
	// nikFresh is on no case: the same birth date and sex as nikB, so the
	// form's answers to it read the same.
	nikFresh     = "1571010101800009"
	nikFreshMask = "1571********0009"

	btnFollowUp = "📝 Tambah catatan ke kasus itu"
)

// seedPerson adds an active user with role in kec/kel; covers, when given,
// are a coordinator's kecamatan.
func seedPerson(t *testing.T, h *bottest.Harness, name, role, kec, kel string, covers ...string) actor {
	t.Helper()
	u := h.NewUser(strings.Fields(name)[0])
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.TouchUser(u.ID(), strings.Fields(name)[0], ""); err != nil {
			return err
		}
		if err := tx.SetProfile(u.ID(), store.Profile{FullName: name, Phone: "+6281234567890", Role: role,
			Kecamatan: kec, Kelurahan: kel}, store.UserActive); err != nil {
			return err
		}
		if len(covers) > 0 {
			return tx.SetRole(u.ID(), role, covers)
		}
		return nil
	}))
	return actor{t, u, wait}
}

// storeCase records k with a fresh code and moves it to status (through the
// reviewer by) when that is not baru.
func storeCase(t *testing.T, h *bottest.Harness, k store.Case, status string, by int64) store.Case {
	t.Helper()
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		code, err := tx.NextCaseCode("JMB", 2026)
		if err != nil {
			return err
		}
		k.Code = code
		if k.ID, err = tx.InsertCase(k); err != nil {
			return err
		}
		if status != store.CaseNew {
			if _, err := tx.SetCaseStatus(k.ID, store.CaseNew, status, by, ""); err != nil {
				return err
			}
		}
		return nil
	}))
	return k
}

// hivCase is the case the tests probe: a man living with HIV in Jambi
// Selatan, reported by a PSM of that kecamatan and verified by its
// coordinator.
func hivCase(t *testing.T, h *bottest.Harness, reporter, coord int64) store.Case {
	t.Helper()
	return storeCase(t, h, store.Case{ReporterID: reporter, Category: "PPKS16", FullName: "Rahmat Hidayat", NIK: nikB,
		Gender: "L", BirthDate: "1980-01-01", Address: "Jl. Sisingamangaraja 12", Kecamatan: kecJambiSel,
		Kelurahan: kelThehok, Description: "Butuh pendampingan berobat.", Needs: []string{"kesehatan"},
		Urgency: "mendesak"}, store.CaseVerified, coord)
}

// laporToNIK opens /lapor and answers category and name, up to the NIK.
func laporToNIK(u actor, name string) {
	u.t.Helper()
	u.send("/lapor", "kelompok")
	u.press("👶 Anak", "kategori")
	u.press("Anak Telantar", "nama lengkap")
	u.send(name, "NIK")
}

// afterNIK types nik and returns the bot's messages up to the next question
// (the sex, or what to do with a duplicate).
func afterNIK(u actor, nik string) []telegramtest.Message {
	u.t.Helper()
	last := 0
	for _, m := range u.Messages() {
		last = max(last, m.ID)
	}
	u.SendText(nik)
	msgs, err := u.WaitFor(wait, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			if m.ID > last && (strings.Contains(m.Text, "jenis kelamin") || strings.Contains(m.Text, "Apa yang ingin")) {
				return true
			}
		}
		return false
	})
	must(u.t, err)
	var out []telegramtest.Message
	for _, m := range msgs {
		if m.ID > last {
			out = append(out, m)
		}
	}
	return out
}

// finishReport answers the rest of the form after the NIK (the sex and birth
// date from the NIK, the reporter's own kelurahan) and saves; it returns the
// new case's code.
func finishReport(u actor, areaLabel string) string {
	u.t.Helper()
	u.press("Laki-laki (sesuai NIK)", "tanggal lahir")
	u.press("01-01-1980 (sesuai NIK)", "tempat lahir")
	u.send("/lewati", "alamat")
	u.addressAndArea("Jl. Kapt. Pattimura RT 05", areaLabel)
	u.send("/lewati", "foto")
	u.press("✔️ Selesai", "keadaannya")
	u.send("Tinggal sendiri, tidak bekerja.", "kebutuhan")
	u.toggle("Pangan")
	u.press("✔️ Selesai", "mendesak")
	u.press("Biasa", "Periksa data")
	saved := u.press("✅ Simpan", "Laporan tersimpan")
	return regexpFind(u.t, `kode (\S+-\d+-\d+)`, saved.Text)
}

func hasButton(m telegramtest.Message, label string) bool {
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == label {
				return true
			}
		}
	}
	return false
}

// leaks lists the secrets found in what u was shown: messages (as read and
// as sent), buttons and callback answers.
func leaks(u *telegramtest.User, secrets ...string) []string {
	var seen []string
	for _, m := range u.Messages() {
		seen = append(seen, m.Text, m.Caption, m.RawText)
		for _, row := range m.InlineKeyboard {
			for _, b := range row {
				seen = append(seen, b.Text, b.CallbackData)
			}
		}
	}
	for _, a := range u.CallbackAnswers() {
		seen = append(seen, a.Text)
	}
	var found []string
	for _, s := range secrets {
		for _, text := range seen {
			if strings.Contains(text, s) {
				found = append(found, fmt.Sprintf("%q in %q", s, text))
				break
			}
		}
	}
	return found
}

// auditDetails lists the details of the audit rows with action by user.
func auditDetails(t *testing.T, h *bottest.Harness, action string, user int64) []string {
	t.Helper()
	rows, err := h.DB().SQL().Query(`SELECT detail FROM audit_log WHERE action = ? AND user_id = ? ORDER BY id`,
		action, user)
	must(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		must(t, rows.Scan(&d))
		out = append(out, d)
	}
	must(t, rows.Err())
	return out
}

// noNIKInAudit fails when any audit row holds nik.
func noNIKInAudit(t *testing.T, h *bottest.Harness, nik string) {
	t.Helper()
	var n int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE detail LIKE ?`, "%"+nik+"%").Scan(&n))
	if n != 0 {
		t.Errorf("%d audit rows hold the NIK", n)
	}
}

func getCase(t *testing.T, h *bottest.Harness, id int64) store.Case {
	t.Helper()
	var k store.Case
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var ok bool
		var err error
		if k, ok, err = tx.GetCase(id); err == nil && !ok {
			err = fmt.Errorf("no case %d", id)
		}
		return err
	}))
	return k
}

func caseHistory(t *testing.T, h *bottest.Harness, id int64) []store.CaseEvent {
	t.Helper()
	var out []store.CaseEvent
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.CaseEvents(id)
		return err
	}))
	return out
}

func caseCount(t *testing.T, h *bottest.Harness) int {
	t.Helper()
	var n int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM cases`).Scan(&n))
	return n
}

// What each person learns on typing the NIK of the HIV case in Jambi
// Selatan: nothing outside their area (the form reads exactly as for a NIK on
// no case), its code and status but not its category in their kecamatan,
// everything for its reporter and its reviewers. Every match is audited,
// without the NIK.
func TestPrivacyDupNIKByRoleAndArea(t *testing.T) {
	const adminID = 880001
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}})
	admin := startAdmin(t, h, adminID)
	coordB := seedPerson(t, h, "Wulan Sari", store.RoleCoordinator, kecJambiSel, "", kecJambiSel)
	reporterB := seedPerson(t, h, "Yanti Lestari", store.RolePSM, kecJambiSel, kelThehok)
	k := hivCase(t, h, reporterB.ID(), coordB.ID())
	secrets := []string{"HIV", "Rahmat", "R*** H***", k.Code, "Diverifikasi", "Jambi Selatan", "sudah ada di kasus",
		"sudah tercatat", btnFollowUp}

	type view int
	const (
		hidden view = iota
		area
		full
	)
	for _, tc := range []struct {
		name string
		who  func(t *testing.T) actor
		view view
	}{
		{"PSM of another kecamatan", func(t *testing.T) actor {
			return seedPerson(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluran)
		}, hidden},
		{"TKSK of another kecamatan", func(t *testing.T) actor {
			return seedPerson(t, h, "Tono Prasetyo", store.RoleTKSK, kecTelanaipura, kelBuluran)
		}, hidden},
		{"coordinator of another kecamatan", func(t *testing.T) actor {
			return seedPerson(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, kelBuluran, kecTelanaipura)
		}, hidden},
		{"PSM of the same kecamatan", func(t *testing.T) actor {
			return seedPerson(t, h, "Dewi Anggraini", store.RolePSM, kecJambiSel, kelPasirPutih)
		}, area},
		{"coordinator of the kecamatan", func(t *testing.T) actor { return actor{t, coordB.User, wait} }, full},
		{"admin", func(t *testing.T) actor { return actor{t, admin.User, wait} }, full},
		{"its reporter", func(t *testing.T) actor { return actor{t, reporterB.User, wait} }, full},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := tc.who(t)
			laporToNIK(u, "Dodi Saputra")
			got := afterNIK(u, nikB)
			var text strings.Builder
			for _, m := range got {
				text.WriteString(m.Text + "\n")
			}
			switch tc.view {
			case hidden:
				if l := leaks(u.User, secrets...); len(l) > 0 {
					t.Errorf("a case outside the area leaked: %v", l)
				}
				// Not even that a case exists: the same answer as to a NIK
				// on no case.
				u.send("/batal", "dibatalkan")
				laporToNIK(u, "Dodi Saputra")
				fresh := afterNIK(u, nikFresh)
				if a, b := shown(got, nikBMask), shown(fresh, nikFreshMask); a != b {
					t.Errorf("the answer to a NIK on record differs from a fresh one:\n%s\n---\n%s", a, b)
				}
			case area:
				for _, want := range []string{k.Code, "Diverifikasi", "kecamatan Anda"} {
					if !strings.Contains(text.String(), want) {
						t.Errorf("no %q in %q", want, text.String())
					}
				}
				if !hasButton(got[len(got)-1], btnFollowUp) {
					t.Errorf("no follow-up offered: %v", got[len(got)-1])
				}
				if l := leaks(u.User, "HIV", "Rahmat", "R*** H***"); len(l) > 0 {
					t.Errorf("a colleague's case leaked: %v", l)
				}
			case full:
				for _, want := range []string{k.Code, "Diverifikasi", "Orang dengan HIV/AIDS", "R*** H***"} {
					if !strings.Contains(text.String(), want) {
						t.Errorf("no %q in %q", want, text.String())
					}
				}
			}
			u.send("/batal", "dibatalkan")
			want := fmt.Sprintf("case %d %s in_scope=%t", k.ID, k.Code, tc.view != hidden)
			if d := auditDetails(t, h, "nik_match", u.ID()); len(d) != 1 || d[0] != want {
				t.Errorf("nik_match audit = %q, want [%q]", d, want)
			}
		})
	}
	noNIKInAudit(t, h, nikB)
	if ev := caseHistory(t, h, k.ID); len(ev) != 2 {
		t.Errorf("the probed case's history grew: %+v", ev)
	}
	h.NoViolations()
}

// shown is the text and buttons of msgs, with the masked NIK blanked.
func shown(msgs []telegramtest.Message, mask string) string {
	var b strings.Builder
	for _, m := range msgs {
		if m.Deleted {
			continue
		}
		b.WriteString(strings.ReplaceAll(m.RawText, mask, "NIK") + "\n")
		for _, row := range m.InlineKeyboard {
			for _, btn := range row {
				b.WriteString("[" + btn.Text + "]")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// A hostile worker of Telanaipura types the NIK of the HIV case in Jambi
// Selatan and reports on: they learn nothing of it (not during the form, not
// on saving, not on their own case's card), nothing is added to it, the
// lookup is audited, and the Telanaipura reviewer's card names the
// duplicate, as does the Jambi Selatan reviewer's view of the first case.
func TestPrivacyDupNIKHostileWorker(t *testing.T) {
	const adminID = 880002
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}})
	startAdmin(t, h, adminID)
	coordA := seedPerson(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	coordB := seedPerson(t, h, "Wulan Sari", store.RoleCoordinator, kecJambiSel, "", kecJambiSel)
	reporterB := seedPerson(t, h, "Yanti Lestari", store.RolePSM, kecJambiSel, kelThehok)
	k := hivCase(t, h, reporterB.ID(), coordB.ID())
	hostile := seedPerson(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluran)
	before := getCase(t, h, k.ID)

	laporToNIK(hostile, "Dodi Saputra")
	afterNIK(hostile, nikB)
	if l := leaks(hostile.User, "HIV", "R*** H***", k.Code, "sudah ada di kasus", btnFollowUp); len(l) > 0 {
		t.Fatalf("the NIK step told the hostile worker of the case: %v", l)
	}
	code := finishReport(hostile, "📍 Buluran Kenali, Telanaipura")
	if code == k.Code {
		t.Fatalf("the new report got the old code %s", code)
	}
	// Their own case's card shows no duplicate either.
	hostile.send("/kasus", "Kasus yang Anda laporkan")
	hostile.press("🔎 "+code+" · Dodi Saputra", "Riwayat")
	settle(t, h)
	if l := leaks(hostile.User, "HIV", "Rahmat", "R*** H***", k.Code, "Diverifikasi", "Jambi Selatan",
		"sudah ada di kasus", "sudah tercatat", "NIK sama", btnFollowUp); len(l) > 0 {
		t.Errorf("the hostile worker learned of the case: %v", l)
	}

	if n := caseCount(t, h); n != 2 {
		t.Errorf("%d cases, want the old one and the new report", n)
	}
	if ev := caseHistory(t, h, k.ID); len(ev) != 2 || ev[len(ev)-1].To != store.CaseVerified {
		t.Errorf("the HIV case's history changed: %+v", ev)
	}
	if got := getCase(t, h, k.ID); got.Status != store.CaseVerified || !got.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("the HIV case changed: %+v", got)
	}
	want := fmt.Sprintf("case %d %s in_scope=false", k.ID, k.Code)
	if d := auditDetails(t, h, "nik_match", hostile.ID()); len(d) != 1 || d[0] != want {
		t.Errorf("nik_match audit = %q, want [%q]", d, want)
	}
	noNIKInAudit(t, h, nikB)

	card := waitText(t, coordA.User, "Kasus baru")
	if !strings.Contains(card.Text, "NIK sama dengan kasus "+k.Code+" (Kec. Jambi Selatan)") {
		t.Errorf("the reviewer's card does not name the duplicate: %q", card.Text)
	}
	if strings.Contains(card.Text, "HIV") {
		t.Errorf("the reviewer of the new case sees the other case's category: %q", card.Text)
	}
	coordB.send("/kasus", "Kasus yang dapat Anda tinjau")
	detail := coordB.press("🔎 "+k.Code+" · Rahmat Hidayat", "Riwayat")
	if !strings.Contains(detail.Text, "NIK sama dengan kasus "+code+" (Kec. Telanaipura)") {
		t.Errorf("the first case's reviewer does not see the duplicate: %q", detail.Text)
	}
	h.NoViolations()
}

// A PSM of the case's own kecamatan is offered the follow-up note, which is
// added to the case, without learning its category.
func TestPrivacyDupNIKFollowUpInArea(t *testing.T) {
	const adminID = 880003
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}})
	startAdmin(t, h, adminID)
	coordB := seedPerson(t, h, "Wulan Sari", store.RoleCoordinator, kecJambiSel, "", kecJambiSel)
	reporterB := seedPerson(t, h, "Yanti Lestari", store.RolePSM, kecJambiSel, kelThehok)
	k := hivCase(t, h, reporterB.ID(), coordB.ID())
	colleague := seedPerson(t, h, "Dewi Anggraini", store.RolePSM, kecJambiSel, kelPasirPutih)

	laporToNIK(colleague, "Rahmat Hidayat")
	afterNIK(colleague, nikB)
	colleague.press(btnFollowUp, "catatan lanjutan")
	colleague.send("Sudah mulai berobat di puskesmas.", "Periksa data")
	colleague.press("✅ Simpan", "Catatan ditambahkan ke kasus "+k.Code)
	waitText(t, coordB.User, "Sudah mulai berobat di puskesmas.")
	ev := caseHistory(t, h, k.ID)
	if last := ev[len(ev)-1]; last.Action != store.CaseActionNote || last.UserID != colleague.ID() {
		t.Errorf("history = %+v", ev)
	}
	if l := leaks(colleague.User, "HIV", "R*** H***"); len(l) > 0 {
		t.Errorf("the colleague learned the category: %v", l)
	}
	want := fmt.Sprintf("case %d %s in_scope=true", k.ID, k.Code)
	if d := auditDetails(t, h, "nik_match", colleague.ID()); len(d) != 1 || d[0] != want {
		t.Errorf("nik_match audit = %q, want [%q]", d, want)
	}
	h.NoViolations()
}

// A coordinator who reports a case does not decide it: it goes to the other
// coordinator of the area, their queue leaves it out, their view of it has no
// decision buttons, and a forged press is refused and audited; the other
// coordinator verifies it.
func TestSeparationOfDutiesCoordinator(t *testing.T) {
	const adminID = 880004
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}})
	admin := startAdmin(t, h, adminID)
	self := seedPerson(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, kelBuluran, kecTelanaipura)
	other := seedPerson(t, h, "Bambang Irawan", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)

	laporToNIK(self, "Dodi Saputra")
	afterNIK(self, nikFresh)
	code := finishReport(self, "📍 Buluran Kenali, Telanaipura")
	notice := waitText(t, other.User, "Kasus baru")
	if !hasButton(notice, "✅ Verifikasi") {
		t.Fatalf("the other coordinator's notice has no decision: %v", notice)
	}
	if q := self.send("/verifikasi", "menunggu verifikasi"); !strings.Contains(q.Text, "Tidak ada") {
		t.Errorf("the reporter's queue offers their own case: %q", q.Text)
	}
	other.send("/verifikasi", code)
	self.send("/kasus", "Kasus yang dapat Anda tinjau")
	detail := self.press("🔎 "+code+" · Dodi Saputra", "Riwayat")
	if len(detail.InlineKeyboard) != 0 {
		t.Errorf("the reporter's view of their own case offers %v", detail.InlineKeyboard)
	}
	settle(t, h)
	if n := countText(self.User, "Kasus baru"); n != 0 {
		t.Errorf("the reporter got %d notices of their own case", n)
	}
	if n := countText(admin.User, "Kasus baru"); n != 0 {
		t.Errorf("the admin got %d notices of a case the area's coordinator decides", n)
	}

	id := getCaseByCode(t, h, code).ID
	presses := []struct{ op, to string }{{"a", "v"}, {"a", "f"}, {"a", "r"}, {"b", "v"}, {"b", "r"}}
	base := len(self.CallbackAnswers())
	for i, p := range presses {
		self.PressData(detail.ID, fmt.Sprintf("cs:%d:%s:%s", id, p.op, p.to))
		if a := answers(t, h, self.User, base+i+1)[base+i]; !strings.Contains(a.Text, "laporkan sendiri") {
			t.Errorf("press %v: answer %q", p, a.Text)
		}
	}
	settle(t, h)
	if got := getCaseByCode(t, h, code); got.Status != store.CaseNew {
		t.Fatalf("the reporter's press moved their case to %s", got.Status)
	}
	if n := auditCount(t, h, "denied", self.ID(), "case_diverifikasi "+code+" own_report"); n != 2 {
		t.Errorf("%d audited refusals to verify, want 2", n)
	}
	if n := auditCount(t, h, "denied", self.ID(), ""); n != len(presses) {
		t.Errorf("%d audited refusals, want %d", n, len(presses))
	}
	if n := countText(self.User, "catatan/alasan"); n != 0 {
		t.Errorf("a refused press opened the review note (%d messages)", n)
	}

	must(t, other.PressOn(notice.ID, "✅ Verifikasi"))
	h.WaitUntil(wait, "the case verified", func() bool { return getCaseByCode(t, h, code).Status == store.CaseVerified })
	waitText(t, self.User, "status sekarang")
	h.NoViolations()
}

// An admin's own report goes to another admin when there is one, who
// decides it while the reporter may not; an office's only admin decides
// their own report where no coordinator could (it would wait for ever).
func TestSeparationOfDutiesAdmin(t *testing.T) {
	for _, tc := range []struct {
		name   string
		admins int
	}{{"only admin", 1}, {"two admins", 2}} {
		t.Run(tc.name, func(t *testing.T) {
			h := bottest.Start(t, bottest.Options{})
			self := seedPerson(t, h, "Ahmad Fauzi", store.RoleAdmin, kecTelanaipura, kelBuluran)
			var other actor
			if tc.admins == 2 {
				other = seedPerson(t, h, "Rina Marlina", store.RoleAdmin, kecJambiSel, kelThehok)
			}
			laporToNIK(self, "Dodi Saputra")
			afterNIK(self, nikFresh)
			code := finishReport(self, "📍 Buluran Kenali, Telanaipura")
			id := getCaseByCode(t, h, code).ID
			if tc.admins == 1 {
				notice := waitText(t, self.User, "Kasus baru")
				self.send("/verifikasi", code)
				must(t, self.PressOn(notice.ID, "✅ Verifikasi"))
				h.WaitUntil(wait, "the case verified", func() bool {
					return getCaseByCode(t, h, code).Status == store.CaseVerified
				})
				h.NoViolations()
				return
			}
			notice := waitText(t, other.User, "Kasus baru")
			if q := self.send("/verifikasi", "menunggu verifikasi"); !strings.Contains(q.Text, "Tidak ada") {
				t.Errorf("the reporting admin's queue offers their own case: %q", q.Text)
			}
			settle(t, h)
			if n := countText(self.User, "Kasus baru"); n != 0 {
				t.Errorf("the reporting admin got %d notices of their own case", n)
			}
			base := len(self.CallbackAnswers())
			self.PressData(notice.ID, fmt.Sprintf("cs:%d:a:v", id))
			if a := answers(t, h, self.User, base+1)[base]; !strings.Contains(a.Text, "laporkan sendiri") {
				t.Errorf("answer %q", a.Text)
			}
			if n := auditCount(t, h, "denied", self.ID(), "case_diverifikasi "+code+" own_report"); n != 1 {
				t.Errorf("%d audited refusals, want 1", n)
			}
			settle(t, h)
			if got := getCaseByCode(t, h, code); got.Status != store.CaseNew {
				t.Fatalf("the reporting admin moved their case to %s", got.Status)
			}
			must(t, other.PressOn(notice.ID, "✅ Verifikasi"))
			h.WaitUntil(wait, "the case verified", func() bool {
				return getCaseByCode(t, h, code).Status == store.CaseVerified
			})
			h.NoViolations()
		})
	}
}

func getCaseByCode(t *testing.T, h *bottest.Harness, code string) store.Case {
	t.Helper()
	var id int64
	must(t, h.DB().SQL().QueryRow(`SELECT id FROM cases WHERE code = ?`, code).Scan(&id))
	return getCase(t, h, id)
}
