package bottest_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// These tests run the whole bot (runtime, fake Telegram over HTTP, SQLite file)
// and check that everything the flows send passes the fake's Bot API checks.

const wait = 10 * time.Second

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func waitText(t *testing.T, u *telegramtest.User, substr string) telegramtest.Message {
	t.Helper()
	m, err := u.WaitForText(wait, substr)
	must(t, err)
	return m
}

// registerE2E takes u from /start to a saved registration.
func registerE2E(t *testing.T, u *telegramtest.User, name string) {
	t.Helper()
	u.SendText("/start")
	waitText(t, u, "Data yang disimpan")
	must(t, u.Press("✅ Setuju, lanjut"))
	waitText(t, u, "Tulis nama lengkap")
	u.SendText(name)
	waitText(t, u, "Apa peran")
	must(t, u.Press("PSM"))
	waitText(t, u, "Pilih kecamatan")
	must(t, u.Press("Telanaipura"))
	waitText(t, u, "Pilih kelurahan")
	must(t, u.Press("Buluran Kenali"))
	waitText(t, u, "Kirim nomor HP Anda")
	u.SendContact("+6281234567890", u.ID(), name)
	waitText(t, u, "Periksa data")
	must(t, u.Press("✅ Simpan"))
	waitText(t, u, "dikirim ke admin")
}

func TestE2ERegistrationApproval(t *testing.T) {
	const admin = 777001
	h := bottest.Start(t, bottest.Options{Admins: []int64{admin}})
	a := h.Server.NewUser(telegramtest.UserOptions{ID: admin, FirstName: "Admin"})
	a.SendText("/start")
	waitText(t, a, "terdaftar sebagai Admin")

	w := h.NewUser("Sri")
	registerE2E(t, w, "Sri Wahyuni")
	notice := waitText(t, a, "Pendaftaran baru")

	// The worker forges the admin's Approve button: refused, nothing changes.
	data := ""
	for _, row := range notice.InlineKeyboard {
		for _, b := range row {
			if strings.Contains(b.Text, "Setujui") {
				data = b.CallbackData
			}
		}
	}
	if data == "" {
		t.Fatalf("no Approve button in %+v", notice)
	}
	w.PressData(notice.ID, data)
	h.WaitUntil(wait, "the forged press is answered", func() bool {
		ans := w.CallbackAnswers()
		return len(ans) > 0 && strings.Contains(ans[len(ans)-1].Text, "tidak berhak")
	})

	must(t, a.Press("✅ Setujui"))
	waitText(t, w, "Pendaftaran Anda disetujui")
	waitText(t, a, "Disetujui oleh Admin")
	w.SendText("/start")
	waitText(t, w, "terdaftar sebagai PSM di Buluran Kenali, Telanaipura")
	h.NoViolations()
}

func TestE2EInviteAndRestart(t *testing.T) {
	const admin = 777002
	h := bottest.Start(t, bottest.Options{Admins: []int64{admin}})
	a := h.Server.NewUser(telegramtest.UserOptions{ID: admin, FirstName: "Admin"})
	a.SendText("/undang")
	waitText(t, a, "Undangan untuk peran apa")
	must(t, a.Press("PSM"))
	waitText(t, a, "Berapa lama")
	must(t, a.Press("3 hari"))
	waitText(t, a, "Untuk berapa orang")
	a.SendText("1")
	waitText(t, a, "Periksa data")
	must(t, a.Press("✅ Simpan"))
	m := waitText(t, a, "t.me/")
	code := regexp.MustCompile(`start=([a-z0-9]+)`).FindStringSubmatch(m.Text)
	if code == nil {
		t.Fatalf("no link in %q", m.Text)
	}

	w := h.NewUser("Tono")
	w.OpenDeepLink(code[1])
	waitText(t, w, "Data yang disimpan")
	must(t, w.Press("✅ Setuju, lanjut"))
	waitText(t, w, "Tulis nama lengkap")
	w.SendText("Tono Wibowo")
	waitText(t, w, "Pilih kecamatan")

	// A restart in the middle of the flow resumes it at the same step.
	h.Restart()
	must(t, w.Press("Jelutung"))
	waitText(t, w, "Pilih kelurahan")
	must(t, w.Press("Jelutung"))
	waitText(t, w, "Kirim nomor HP Anda")
	w.SendContact("081234567890", w.ID(), "Tono")
	waitText(t, w, "Periksa data")
	must(t, w.Press("✅ Simpan"))
	waitText(t, w, "Selamat bergabung")

	// The invite was for one person only.
	x := h.NewUser("Ani")
	x.OpenDeepLink(code[1])
	waitText(t, x, "tidak berlaku lagi")
	h.WaitUntil(wait, "Tono is an active PSM", func() bool {
		var role, status string
		err := h.DB().SQL().QueryRow(`SELECT role, status FROM users WHERE id = ?`, w.ID()).Scan(&role, &status)
		return err == nil && role == store.RolePSM && status == store.UserActive
	})
	h.NoViolations()
}
