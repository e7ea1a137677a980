package flows_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// adminRig is the whole bot with a configured admin who has said /start.
func adminRig(t *testing.T, opts bottest.Options) (*bottest.Harness, *tgUser) {
	t.Helper()
	opts.Admins = []int64{adminID}
	h := bottest.Start(t, opts)
	a := &tgUser{t: t, h: h, User: h.Server.NewUser(telegramtest.UserOptions{ID: adminID, FirstName: "Admin", LanguageCode: "id"})}
	a.send("/start", "Halo")
	return h, a
}

// auditHas reports whether the audit log holds action by user with detail
// containing substr.
func auditHas(t *testing.T, h *bottest.Harness, user int64, action, substr string) bool {
	t.Helper()
	rows, err := h.DB().SQL().Query(`SELECT user_id, action, detail FROM audit_log`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var u int64
		var a, d string
		if err := rows.Scan(&u, &a, &d); err != nil {
			t.Fatal(err)
		}
		if u == user && a == action && strings.Contains(d, substr) {
			return true
		}
	}
	return false
}

func userRow(t *testing.T, h *bottest.Harness, id int64) store.User {
	t.Helper()
	var u store.User
	if err := h.DB().Update(context.Background(), func(tx *store.Tx) (err error) {
		u, _, err = tx.GetUser(id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return u
}

// pendingUser adds a user waiting for approval as a PSM in Telanaipura.
func pendingUser(t *testing.T, h *bottest.Harness, name string) *tgUser {
	t.Helper()
	u := h.NewUser(strings.Fields(name)[0])
	if err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.TouchUser(u.ID(), strings.Fields(name)[0], ""); err != nil {
			return err
		}
		if err := tx.SetStatus(u.ID(), store.UserPending); err != nil {
			return err
		}
		_, err := tx.AddApproval(u.ID(), store.ApprovalRegister, store.Profile{FullName: name, Phone: "+6281234567890",
			Role: store.RolePSM, Kecamatan: kecTelanaipura, Kelurahan: kelBuluranKenali})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return &tgUser{t: t, h: h, User: u}
}

func TestAdminUsers(t *testing.T) {
	h, admin := adminRig(t, bottest.Options{})
	worker := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	ani := pendingUser(t, h, "Ani Lestari")

	// Pending users are listed first; a card shows the approval buttons.
	list := admin.send("/pengguna", "Pengguna")
	if i, j := strings.Index(list.Text, "Ani · ⏳"), strings.Index(list.Text, "Tono Wibowo"); i < 0 || j < 0 || i > j {
		t.Fatalf("pending user not listed first:\n%s", list.Text)
	}
	if err := admin.Press("Ani · ⏳ menunggu"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(list.ID, "Ani Lestari") // the card shows the requested profile
	if err := admin.Press("✅ Setujui"); err != nil {
		t.Fatal(err)
	}
	if _, err := ani.WaitForText(caseWait, "PSM"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(list.ID, "Status: aktif")
	if u := userRow(t, h, ani.ID()); u.Status != store.UserActive || u.FullName != "Ani Lestari" {
		t.Fatalf("approved user = %+v", u)
	}
	if !auditHas(t, h, adminID, "approval_approved", strconv.FormatInt(ani.ID(), 10)) {
		t.Fatal("approval not audited")
	}

	// Block, then unblock: each audited, the user told.
	admin.send("/pengguna psm", "Pengguna")
	last := admin.Messages()[len(admin.Messages())-1]
	if err := admin.Press("Tono Wibowo · aktif"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(last.ID, "Kartu pengguna")
	if err := admin.Press("⛔ Blokir"); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.WaitForText(caseWait, "diblokir"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(last.ID, "Pengguna diblokir")
	if u := userRow(t, h, worker.ID()); u.Status != store.UserBlocked {
		t.Fatalf("blocked user status %s", u.Status)
	}
	worker.send("/lapor", "diblokir") // a blocked user gets nothing done
	if err := admin.Press("✅ Buka blokir"); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.WaitForText(caseWait, "dibuka kembali"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(last.ID, "Blokir dibuka")
	for _, a := range []string{"user_block", "user_unblock"} {
		if !auditHas(t, h, adminID, a, "user="+strconv.FormatInt(worker.ID(), 10)) {
			t.Fatalf("%s not audited", a)
		}
	}

	// Make Tono a coordinator of Telanaipura and Jambi Selatan.
	if err := admin.Press("👤 Ubah peran"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(last.ID, "Pilih peran baru")
	if err := admin.Press("Koordinator"); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.WaitForText(caseWait, "Peran Anda sekarang Koordinator"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(last.ID, "Wilayah tugas: Telanaipura")
	if err := admin.Press("🗺 Wilayah tugas"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(last.ID, "Tekan kecamatan")
	if err := admin.Press("Jambi Selatan"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(last.ID, "Telanaipura, Jambi Selatan")
	u := userRow(t, h, worker.ID())
	if u.Role != store.RoleCoordinator || strings.Join(u.Covers, ",") != kecTelanaipura+","+kecJambiSelatan {
		t.Fatalf("coordinator = role %s covers %v", u.Role, u.Covers)
	}
	if !auditHas(t, h, adminID, "user_role", "psm->coordinator") || !auditHas(t, h, adminID, "user_covers", kecJambiSelatan) {
		t.Fatal("role or covers change not audited")
	}
	h.NoViolations()
}

func TestAdminRefusals(t *testing.T) {
	h, admin := adminRig(t, bottest.Options{})
	worker := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Rina Koordinator", store.RoleCoordinator, kecTelanaipura, kelBuluranKenali, kecTelanaipura)
	victim := seed(t, h, "Budi Santoso", store.RoleTKSK, kecJambiSelatan, "", "")
	admin.send("/pengguna", "Pengguna")

	for _, u := range []*tgUser{worker, coord} {
		for _, cmd := range []string{"/pengguna", "/cadangan", "/audit", "/hapus_kasus JMB-26-00001"} {
			u.send(cmd, "tidak berhak")
		}
	}
	worker.send("/siaran", "tidak berhak")
	worker.send("/ekspor", "tidak berhak")
	worker.send("/statistik", "tidak berhak")

	// Forged console buttons: block, make admin, erase someone else's data.
	id := strconv.FormatInt(victim.ID(), 10)
	forged := []string{"ad:" + id + ":bl:", "ad:" + id + ":rs:admin", "ad:" + id + ":ex:", "ad:0:l:--", "ad:0:au:",
		"ad:1:ec:", "ad:1:bs:"}
	for _, u := range []*tgUser{worker, coord} {
		m := u.send("/bantuan", "Perintah")
		for i, d := range forged {
			n := len(u.CallbackAnswers())
			u.PressData(m.ID, d)
			u.waitCallback(n+1, "tidak berhak")
			_ = i
		}
	}
	if v := userRow(t, h, victim.ID()); v.Status != store.UserActive || v.Role != store.RoleTKSK || v.FullName != "Budi Santoso" {
		t.Fatalf("victim changed: %+v", v)
	}
	for _, u := range []*tgUser{worker, coord} {
		if !auditHas(t, h, u.ID(), "denied", "admin bl") || !auditHas(t, h, u.ID(), "denied", "erase "+id) {
			t.Fatalf("forgeries of %d not audited", u.ID())
		}
	}
	h.NoViolations()
}

func TestAuditAndStats(t *testing.T) {
	h, admin := adminRig(t, bottest.Options{})
	coord := seed(t, h, "Rina Koordinator", store.RoleCoordinator, kecTelanaipura, kelBuluranKenali, kecTelanaipura)
	worker := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	insertCases(t, h, worker.ID(), kecTelanaipura, kelBuluranKenali, 3)
	insertCases(t, h, worker.ID(), kecJambiSelatan, "15.71.02.1001", 2)
	worker.send("/pengguna", "tidak berhak")

	m := admin.send("/audit", "Catatan audit")
	if !strings.Contains(m.Text, "denied /pengguna") || !strings.Contains(m.Text, "seed_admin") {
		t.Fatalf("audit:\n%s", m.Text)
	}
	m = admin.send("/statistik", "Statistik")
	if !strings.Contains(m.Text, "Kasus: 5") {
		t.Fatalf("admin stats:\n%s", m.Text)
	}
	m = coord.send("/statistik", "Statistik")
	if !strings.Contains(m.Text, "Kasus: 3") || !strings.Contains(m.Text, "Telanaipura") {
		t.Fatalf("coordinator stats (own area only):\n%s", m.Text)
	}
	h.NoViolations()
}

// insertCases stores n cases reported by reporter in kec/kel, with NIKs
// 1571010101900001, ...
func insertCases(t *testing.T, h *bottest.Harness, reporter int64, kec, kel string, n int) []store.Case {
	t.Helper()
	var out []store.Case
	if err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
		for range n {
			code, err := tx.NextCaseCode("JMB", 2026)
			if err != nil {
				return err
			}
			seq, _ := strconv.Atoi(code[len(code)-5:])
			c := store.Case{Code: code, ReporterID: reporter, Category: "PPKS09", FullName: "Warga " + code,
				NIK:    "157101010190" + strings.Repeat("0", 4-len(strconv.Itoa(seq))) + strconv.Itoa(seq),
				Gender: "L", BirthDate: "1990-01-01", Address: "Jl. Sumantri " + code, Kecamatan: kec, Kelurahan: kel,
				HasLocation: true, Latitude: -1.6, Longitude: 103.6, Description: "Lansia sendirian", Needs: []string{"sembako"},
				Urgency: "biasa"}
			if c.ID, err = tx.InsertCase(c); err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitEditedTo waits until message id reads want.
func (u *tgUser) waitEditedTo(id int, want string) telegramtest.Message {
	u.t.Helper()
	got, err := u.WaitForEdit(caseWait, id, want)
	if err != nil {
		u.t.Fatal(err)
	}
	return got
}

// sweepNow runs the periodic sweep as its next minutely slot would: the
// scheduler runs a slot once, so the clock moves to the next one first.
func sweepNow(h *bottest.Harness) {
	h.T.Helper()
	h.Clock.Advance(time.Minute)
	h.Sweep()
}

// TestAdminUserListFilters: /pengguna pages past the first page and back,
// each filter (typed or pressed) lists exactly the users it selects, and an
// admin rejects a pending registration from the user's card.
func TestAdminUserListFilters(t *testing.T) {
	h, admin := adminRig(t, bottest.Options{})
	workers := massWorkers(t, h, 12) // PSM "Pekerja 0000".., even ones in Telanaipura, odd in Jambi Selatan
	seed(t, h, "Budi Santoso", store.RoleTKSK, kecJambiSelatan, "", "")
	ani := pendingUser(t, h, "Ani Lestari")
	if err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.SetStatus(workers[2].ID(), store.UserBlocked); err != nil {
			return err
		}
		return tx.SetUnreachable(workers[3].ID(), true)
	}); err != nil {
		t.Fatal(err)
	}
	// The admin, 12 PSM, Budi and Ani.
	const all = 15

	// Paging: the second page holds the rest, and goes back.
	list := admin.send("/pengguna", "Pengguna")
	if !strings.Contains(list.Text, fmt.Sprintf("1–8 dari %d", all)) || !strings.Contains(list.Text, "1. Ani") {
		t.Fatalf("first page:\n%s", list.Text)
	}
	if err := admin.Press("Berikutnya ➡️"); err != nil {
		t.Fatal(err)
	}
	page2 := admin.waitEditedTo(list.ID, fmt.Sprintf("9–%d dari %d", all, all))
	for _, want := range []string{"9. ", fmt.Sprintf("%d. ", all), "Pekerja 0011"} {
		if !strings.Contains(page2.Text, want) {
			t.Errorf("second page lacks %q:\n%s", want, page2.Text)
		}
	}
	if hasButton(page2, "Berikutnya ➡️") {
		t.Error("a next button on the last page")
	}
	if err := admin.Press("⬅️ Sebelumnya"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(list.ID, fmt.Sprintf("1–8 dari %d", all))

	for _, tc := range []struct {
		args       string
		where      string // the same selection in SQL
		want, deny []string
	}{
		{"menunggu", `status = 'pending'`, []string{"Ani"}, []string{"Pekerja", "Budi"}},
		{"diblokir", `status = 'blocked'`, []string{"Pekerja 0002"}, []string{"Pekerja 0003", "Ani"}},
		{"terputus", `unreachable = 1`, []string{"Pekerja 0003"}, []string{"Pekerja 0002", "Ani"}},
		{"tksk", `role = 'tksk'`, []string{"Budi Santoso"}, []string{"Pekerja", "Ani"}},
		{"psm jambi selatan", `role = 'psm' AND kecamatan = '` + kecJambiSelatan + `' AND status != 'pending'`,
			[]string{"Pekerja 0001", "Pekerja 0011"}, []string{"Pekerja 0000", "Budi", "Ani"}},
	} {
		t.Run(tc.args, func(t *testing.T) {
			m := admin.send("/pengguna "+tc.args, "Pengguna")
			n := countRows(t, h, `SELECT COUNT(*) FROM users WHERE id > 0 AND `+tc.where)
			if !strings.Contains(m.Text, fmt.Sprintf("1–%d dari %d", n, n)) {
				t.Errorf("want %d users:\n%s", n, m.Text)
			}
			for _, w := range tc.want {
				if !strings.Contains(m.Text, w) {
					t.Errorf("lacks %q:\n%s", w, m.Text)
				}
			}
			for _, d := range tc.deny {
				if strings.Contains(m.Text, d) {
					t.Errorf("lists %q:\n%s", d, m.Text)
				}
			}
		})
	}

	// A status button keeps the typed role: blocked PSM only.
	m := admin.send("/pengguna psm", "Pengguna")
	if err := admin.PressOn(m.ID, "Diblokir"); err != nil {
		t.Fatal(err)
	}
	got := admin.waitEditedTo(m.ID, "1–1 dari 1")
	if !strings.Contains(got.Text, "Pekerja 0002") || !strings.Contains(got.Text, "PSM") {
		t.Fatalf("blocked PSM:\n%s", got.Text)
	}

	// Rejecting from Ani's card: she is told, her request and status say so,
	// and the audit has it.
	m = admin.send("/pengguna menunggu", "Pengguna")
	if err := admin.PressOn(m.ID, "Ani · ⏳ menunggu"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(m.ID, "Kartu pengguna")
	if err := admin.PressOn(m.ID, "✖️ Tolak"); err != nil {
		t.Fatal(err)
	}
	if _, err := ani.WaitForText(caseWait, "belum disetujui"); err != nil {
		t.Fatal(err)
	}
	card := admin.waitEditedTo(m.ID, "Status: ditolak")
	if hasButton(card, "✖️ Tolak") || hasButton(card, "✅ Setujui") {
		t.Fatalf("the decided card still offers a decision: %+v", card.InlineKeyboard)
	}
	if u := userRow(t, h, ani.ID()); u.Status != store.UserRejected {
		t.Fatalf("rejected user status %s", u.Status)
	}
	if n := countRows(t, h, `SELECT COUNT(*) FROM approvals WHERE user_id = ? AND status = 'rejected' AND decided_by = ?`,
		ani.ID(), adminID); n != 1 {
		t.Fatalf("%d rejected approvals", n)
	}
	if !auditHas(t, h, adminID, "approval_rejected", strconv.FormatInt(ani.ID(), 10)) {
		t.Fatal("rejection not audited")
	}
	h.NoViolations()
}
