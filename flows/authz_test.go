package flows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// authzUpdate runs fn in one transaction, as an admin's decision in another
// chat would, between two updates of the person under test.
func (w *world) authzUpdate(fn func(tx *store.Tx) error) {
	w.t.Helper()
	if err := w.db.Update(context.Background(), fn); err != nil {
		w.t.Fatal(err)
	}
}

// authzCount is a COUNT(*) query's answer.
func (w *world) authzCount(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.db.SQL().QueryRow(query, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// authzStaff is an active user with role and covers, as an approval and a
// role change would leave them. Not a configured admin: those are made admins
// again on every message, so they cannot be demoted.
func authzStaff(w *world, id int64, name, role string, covers []string) *person {
	w.t.Helper()
	w.authzUpdate(func(tx *store.Tx) error {
		if _, err := tx.TouchUser(id, name, ""); err != nil {
			return err
		}
		if err := tx.SetProfile(id, store.Profile{FullName: name, Phone: "+6281200000001", Role: role,
			Kecamatan: "15.71.01"}, store.UserActive); err != nil {
			return err
		}
		return tx.SetRole(id, role, covers)
	})
	return w.person(id, name)
}

func demoteTo(role string) func(w *world, id int64) {
	return func(w *world, id int64) {
		w.authzUpdate(func(tx *store.Tx) error { return tx.SetRole(id, role, nil) })
	}
}

func block(w *world, id int64) {
	w.authzUpdate(func(tx *store.Tx) error { return tx.SetStatus(id, store.UserBlocked) })
}

func fillInvite(p *person) {
	p.press("PSM").press("7 hari")
	p.send("5").expect("Simpan")
}

func fillExport(p *person) {
	p.press("📊 Tabel (XLSX + CSV)").press("Bulan ini").press("Semua").press("Semua").press("Semua (wilayah saya)").expect("Simpan")
}

// TestFlowReauthorized: a flow opened by a command stays under that command's
// rule. Someone who loses the right with the form open is refused at their
// next answer or press as the command would refuse them; the draft is closed
// with its keyboard taken away, nothing is stored and the refusal is audited.
// A blocked person is silenced before any flow runs (one notice).
func TestFlowReauthorized(t *testing.T) {
	const id = 50
	documents := `SELECT COUNT(*) FROM outbox WHERE kind = 'document'`
	for _, tc := range []struct {
		name         string
		role         string
		covers       []string
		open         string
		fill         func(p *person)
		lose         func(w *world, id int64)
		act          func(p *person)
		see          string // in the chat or the callback's answer
		denied       string // the audit detail's start; "" when none is expected
		keyboardGone bool   // the open prompt had buttons to take away
		stored       string // a count that must stay 0
	}{
		{name: "undang, admin demoted to psm, then Simpan", role: store.RoleAdmin, covers: []string{"*"},
			open: "/undang", fill: fillInvite, lose: demoteTo(store.RolePSM),
			act: func(p *person) { p.press("Simpan") }, see: "tidak berhak", denied: "/undang",
			keyboardGone: true, stored: `SELECT COUNT(*) FROM invites`},
		{name: "undang, admin demoted to psm, then a typed answer", role: store.RoleAdmin, covers: []string{"*"},
			open: "/undang", fill: func(p *person) { p.press("PSM").press("7 hari") }, lose: demoteTo(store.RolePSM),
			act: func(p *person) { p.send("5") }, see: "tidak berhak", denied: "/undang",
			stored: `SELECT COUNT(*) FROM invites`},
		{name: "undang, admin demoted to coordinator, then /kembali", role: store.RoleAdmin, covers: []string{"*"},
			open: "/undang", fill: fillInvite, lose: demoteTo(store.RoleCoordinator),
			act: func(p *person) { p.send("/kembali") }, see: "tidak berhak", denied: "/undang",
			keyboardGone: true, stored: `SELECT COUNT(*) FROM invites`},
		{name: "siaran, coordinator demoted to psm, then the text", role: store.RoleCoordinator, covers: []string{"*"},
			open: "/siaran", fill: func(p *person) { p.press("Semua PSM dan TKSK").expect("isi siaran") },
			lose: demoteTo(store.RolePSM), act: func(p *person) { p.send("Rapat besok di Aula") },
			see: "tidak berhak", denied: "/siaran", stored: `SELECT COUNT(*) FROM broadcasts`},
		{name: "siaran, admin blocked, then the text", role: store.RoleAdmin, covers: []string{"*"},
			open: "/siaran", fill: func(p *person) { p.press("Semua PSM dan TKSK") },
			lose: block, act: func(p *person) { p.send("Rapat besok di Aula") },
			see: "diblokir", stored: `SELECT COUNT(*) FROM broadcasts`},
		{name: "ekspor, coordinator demoted to psm, then Simpan", role: store.RoleCoordinator, covers: []string{"15.71.01"},
			open: "/ekspor", fill: fillExport, lose: demoteTo(store.RolePSM),
			act: func(p *person) { p.press("Simpan") }, see: "tidak berhak", denied: "/ekspor",
			keyboardGone: true, stored: documents},
		{name: "ekspor, admin blocked, then Simpan", role: store.RoleAdmin, covers: []string{"*"},
			open: "/ekspor", fill: fillExport, lose: block,
			act: func(p *person) { p.press("Simpan") }, see: "diblokir", stored: documents},
		{name: "ekspor, coordinator demoted, then a period button", role: store.RoleCoordinator, covers: []string{"*"},
			open: "/ekspor", fill: func(p *person) { p.press("📊 Tabel (XLSX + CSV)") }, lose: demoteTo(store.RoleTKSK),
			act: func(p *person) { p.press("Bulan ini") }, see: "tidak berhak", denied: "/ekspor",
			keyboardGone: true, stored: documents},
		{name: "rapat_baru, coordinator demoted to psm, then the date", role: store.RoleCoordinator, covers: []string{"*"},
			open: "/rapat_baru", fill: func(p *person) { p.send("Rapat Koordinasi PSM").expect("Tanggal rapat") },
			lose: demoteTo(store.RolePSM), act: func(p *person) { p.send("10-11-2026") },
			see: "tidak berhak", denied: "/rapat_baru", stored: `SELECT COUNT(*) FROM meetings`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, flows.Config{})
			p := authzStaff(w, id, "Staf", tc.role, tc.covers)
			p.send(tc.open)
			tc.fill(p)
			if p.step() == "" {
				t.Fatal("no form open before the right was lost")
			}
			tc.lose(w, id)
			tc.act(p)
			p.expect(tc.see).reject("Simpan")
			if n := w.authzCount(tc.stored); n != 0 {
				t.Fatalf("%s = %d after the refusal", tc.stored, n)
			}
			if tc.denied == "" {
				return
			}
			p.expect("ditutup")
			if p.step() != "" {
				t.Fatalf("draft kept at %q", p.step())
			}
			if n := w.authzCount(`SELECT COUNT(*) FROM audit_log WHERE user_id = ? AND action = 'denied' AND detail LIKE ?`,
				id, tc.denied+" %"); n != 1 {
				t.Fatalf("%d denials audited", n)
			}
			taken := false
			for _, r := range w.got {
				m := r.Message
				taken = taken || (m.ChatID == id && m.Kind == store.KindEditButtons && len(m.Buttons) == 0)
			}
			if taken != tc.keyboardGone {
				t.Fatalf("keyboard taken away = %v, want %v", taken, tc.keyboardGone)
			}
			// The form's old buttons are dead, and the person is back to the
			// command's own refusal.
			if data, msg, ok := p.find("Simpan"); ok {
				p.pressData(data, msg)
				if got := p.callbackAnswer(); got != "Tombol ini sudah tidak berlaku." {
					t.Fatalf("old Simpan answered %q", got)
				}
			}
			p.send(tc.open).expect("tidak berhak")
			if n := w.authzCount(tc.stored); n != 0 {
				t.Fatalf("%s = %d in the end", tc.stored, n)
			}
		})
	}
}

// TestFlowRuleIsTheCommands: the rule kept while a form is open is the
// command's own, not "the role it was opened with": an admin made coordinator
// may still finish /rapat_baru (open to staff), and everyone may finish the
// forms anyone may open.
func TestFlowRuleIsTheCommands(t *testing.T) {
	w := newWorld(t, flows.Config{})
	p := authzStaff(w, 50, "Staf", store.RoleAdmin, []string{"*"})
	p.send("/rapat_baru").send("Rapat Koordinasi PSM").expect("Tanggal rapat")
	demoteTo(store.RoleCoordinator)(w, 50)
	p.send("10-11-2026").reject("tidak berhak")
	if p.step() != "start" {
		t.Fatalf("step = %q, want start", p.step())
	}

	// Registration is gated by nothing: a new person's answers go through.
	q := w.person(1, "Sri")
	register(t, q, "Sri Wahyuni")
	q.press("Simpan").reject("tidak berhak")
	if u := w.user(1); u.Status != store.UserPending {
		t.Fatalf("registration not stored: %+v", u)
	}
}

// A draft whose opener lost the right is closed by the sweep with a word on
// why, instead of a reminder to finish what could no longer be saved.
func TestSweepClosesDraftOfLostRight(t *testing.T) {
	w := newWorld(t, flows.Config{})
	p := authzStaff(w, 901, "Rina Wulandari", store.RoleAdmin, []string{"*"})
	p.send("/undang")
	p.press("PSM")
	demoteTo(store.RolePSM)(w, 901)
	w.now = w.now.Add(23 * time.Hour) // past the reminder, before the expiry
	w.sweep()
	got := p.texts()
	if !strings.Contains(got, "tidak lagi berhak") || strings.Contains(got, "kedaluwarsa") {
		t.Fatalf("sweep said %q, want the draft closed for the lost right", got)
	}
	if _, open := w.conversation(901); open {
		t.Error("the draft is still open")
	}
	if n := w.authzCount(`SELECT COUNT(*) FROM invites`); n != 0 {
		t.Errorf("%d invites stored", n)
	}
	w.now = w.now.Add(2 * time.Hour)
	w.sweep()
	if got := p.texts(); got != "" {
		t.Errorf("a second sweep said %q", got)
	}
}
