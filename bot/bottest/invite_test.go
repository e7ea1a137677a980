package bottest_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/store"
)

// Invite links from the admins' side and the invitee's: short limits, every
// use announced to every admin, the open links listed and revoked, and a
// revoked, expired or used-up link refused with its reason.

const inviteAdminID = 777400

// makeLink creates a link through /undang and returns its code and number.
func makeLink(t *testing.T, a actor, role, days, uses string) (code, id string) {
	t.Helper()
	a.send("/undang", "Undangan untuk peran apa")
	a.press(role, "Berapa lama")
	a.press(days, "Untuk berapa orang")
	a.send(uses, "Periksa data")
	m := a.press("✅ Simpan", "t.me/")
	return regexpFind(t, `start=([a-z0-9]+)`, m.Text), regexpFind(t, `/undang cabut (\d+)`, m.Text)
}

// joinByLink registers a newcomer through an invite with a preset role up to
// the summary (Jelutung).
func joinByLink(t *testing.T, h *bottest.Harness, code, name string) actor {
	t.Helper()
	u := actor{t, h.NewUser(strings.Fields(name)[0]), wait}
	u.do(func() { u.OpenDeepLink(code) }, "Data yang disimpan")
	u.press("✅ Setuju, lanjut", "nama lengkap")
	u.send(name, "kecamatan")
	u.press("Jelutung", "kelurahan")
	u.press("Jelutung", "nomor HP")
	u.do(func() { u.SendContact("081234567890", u.ID(), name) }, "Periksa data")
	return u
}

func inviteUses(t *testing.T, h *bottest.Harness, id string) int {
	t.Helper()
	var n int
	must(t, h.DB().SQL().QueryRow(`SELECT uses FROM invites WHERE id = ?`, id).Scan(&n))
	return n
}

func TestInviteAnnouncedListedRevoked(t *testing.T) {
	h := bottest.Start(t, bottest.Options{Admins: []int64{inviteAdminID}})
	a := startAdmin(t, h, inviteAdminID)
	second := actor{t, h.NewUser("Wati"), wait}
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.TouchUser(second.ID(), "Wati", ""); err != nil {
			return err
		}
		return tx.SetRole(second.ID(), store.RoleAdmin, []string{"*"})
	}))

	// Short limits: a week at most, 25 people at most.
	a.send("/undang", "Undangan untuk peran apa")
	days := a.press("PSM", "Berapa lama")
	if got := labels(days); !slices.Contains(got, "7 hari") || slices.Contains(got, "30 hari") {
		t.Errorf("validity choices %v, want a week at most", got)
	}
	a.press("7 hari", "Untuk berapa orang")
	a.send("100", "25")
	a.send("/batal", "")

	code, id := makeLink(t, a, "PSM", "7 hari", "3")

	// A use is announced to both admins: who, role, area, which link.
	a.do(func() {
		tono := joinByLink(t, h, code, "Tono Wibowo")
		tono.press("✅ Simpan", "Selamat bergabung")
	}, "bergabung sebagai")
	for _, admin := range []actor{a, second} {
		m, err := admin.WaitForText(wait, "Tono Wibowo")
		must(t, err)
		for _, want := range []string{"Tono Wibowo bergabung sebagai PSM (Jelutung, Jelutung)",
			"tautan undangan #" + id + " dari Admin", "Terpakai 1 dari 3"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("admin %d's notice lacks %q:\n%s", admin.ID(), want, m.Text)
			}
		}
		if !hasLabel(m, "🚫 Cabut tautan #"+id) {
			t.Errorf("notice buttons %v", labels(m))
		}
	}

	// A worker may neither list nor revoke, not even by a forged button.
	w := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, w.User, "")
	w.send("/undang daftar", "tidak berhak")
	prompt := w.send("/undang cabut "+id, "tidak berhak")
	n := len(w.CallbackAnswers())
	w.PressData(prompt.ID, "ad:"+id+":ir:l")
	if got := answers(t, h, w.User, n+1)[n]; !strings.Contains(got.Text, "tidak berhak") {
		t.Errorf("forged revoke answered %q", got.Text)
	}

	// The admin lists the open links and revokes one from the list.
	list := a.send("/undang daftar", "Tautan undangan yang masih berlaku (1)")
	if !strings.Contains(list.Text, "#"+id+" · PSM · terpakai 1 dari 3") {
		t.Errorf("list:\n%s", list.Text)
	}
	must(t, a.PressOn(list.ID, "🚫 Cabut tautan #"+id))
	edited, err := a.WaitForEdit(wait, list.ID, "dicabut")
	must(t, err)
	if !strings.Contains(edited.Text, "Tidak ada tautan undangan yang masih berlaku") {
		t.Errorf("list after revoking:\n%s", edited.Text)
	}
	if got := auditCount(t, h, "invite_revoke", inviteAdminID, ""); got != 1 {
		t.Errorf("%d audited revocations, want 1", got)
	}
	a.send("/undang cabut "+id, "sudah dicabut sejak")
	a.send("/undang cabut 99", "Tidak ada tautan undangan #99")
	a.send("/undang hapus", "/undang daftar")

	// The revoked link: told why, then an ordinary registration.
	ani := actor{t, h.NewUser("Ani"), wait}
	ani.do(func() { ani.OpenDeepLink(code) }, "sudah dicabut oleh admin")
	waitText(t, ani.User, "Data yang disimpan")
	if got := inviteUses(t, h, id); got != 1 {
		t.Errorf("revoked link counts %d uses", got)
	}

	// Revoked while the form is open: the save goes to approval.
	code2, id2 := makeLink(t, a, "TKSK", "3 hari", "5")
	budi := joinByLink(t, h, code2, "Budi Santoso")
	a.send("/undang cabut "+id2, "dicabut")
	budi.press("✅ Simpan", "dicabut admin selagi Anda mengisi")
	if u, _ := storedUser(t, h, budi.ID()); u.Status != store.UserPending {
		t.Errorf("Budi stored %s after the link was revoked, want pending", u.Status)
	}

	// The last use is announced as such, without a revoke button; the next
	// person is told it is used up. An expired link says when it expired.
	code3, _ := makeLink(t, a, "PSM", "1 hari", "1")
	last := a.do(func() {
		cici := joinByLink(t, h, code3, "Cici Paramita")
		cici.press("✅ Simpan", "Selamat bergabung")
	}, "Cici Paramita")
	if !strings.Contains(last.Text, "pemakaian terakhirnya") || slices.ContainsFunc(labels(last), func(l string) bool {
		return strings.HasPrefix(l, "🚫")
	}) {
		t.Errorf("last use notice:\n%s %v", last.Text, labels(last))
	}
	dodi := actor{t, h.NewUser("Dodi"), wait}
	dodi.do(func() { dodi.OpenDeepLink(code3) }, "sudah dipakai 1 orang")
	code4, _ := makeLink(t, a, "PSM", "1 hari", "5")
	h.Clock.Advance(25 * time.Hour)
	eka := actor{t, h.NewUser("Eka"), wait}
	eka.do(func() { eka.OpenDeepLink(code4) }, "masa berlakunya habis pada 03-11-2026")
	h.NoViolations()
}
