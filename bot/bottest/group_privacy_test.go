package bottest_test

import (
	"bytes"
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"
)

// Group chats (issue 12): in a coordinators' group, no command puts personal
// data in front of the group. Each command either answers there (naming no
// one), runs in the sender's private chat (and the group is told so), or is
// refused with the reason.

const (
	groupAdminID = 4242
	// The case and the worker whose data must never reach the group.
	pmksName    = "Siti Aminah Rahayu"
	pmksNIK     = "1571014501900002"
	pmksAddress = "Jl. Kenanga Ujung No. 7"
	workerName  = "Sri Wahyuni Lestari"
	workerPhone = "+6281298765432"
)

// groupRig is a bot with a coordinators' group holding an admin, a
// coordinator of Telanaipura and a worker who reported one case there.
type groupRig struct {
	t      *testing.T
	h      *bottest.Harness
	app    *flows.App
	group  *telegramtest.Group
	admin  actor
	coord  actor
	worker actor
	caseID int64
}

func newGroupRig(t *testing.T) *groupRig {
	t.Helper()
	r := &groupRig{t: t}
	var groups []int64
	r.h = bottest.Start(t, bottest.Options{
		Admins: []int64{groupAdminID},
		Flows:  func(c *flows.Config) { c.CoordinatorGroups = groups },
		Handler: func(app *flows.App) bot.Handler {
			r.app = app
			return app
		},
	})
	h := r.h
	r.admin = startAdmin(t, h, groupAdminID)
	r.coord = actor{t, h.NewUser("Kurnia"), wait}
	r.worker = actor{t, h.NewUser("Sri"), wait}
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.TouchUser(r.coord.ID(), "Kurnia", ""); err != nil {
			return err
		}
		if err := tx.SetProfile(r.coord.ID(), store.Profile{FullName: "Kurnia Dewi", Phone: "+6281311112222",
			Role: store.RoleCoordinator, Kecamatan: "15.71.01"}, store.UserActive); err != nil {
			return err
		}
		if err := tx.SetRole(r.coord.ID(), store.RoleCoordinator, []string{"15.71.01"}); err != nil {
			return err
		}
		if _, err := tx.TouchUser(r.worker.ID(), "Sri", ""); err != nil {
			return err
		}
		if err := tx.SetProfile(r.worker.ID(), store.Profile{FullName: workerName, Phone: workerPhone,
			Role: store.RolePSM, Kecamatan: "15.71.01", Kelurahan: "15.71.01.1002"}, store.UserActive); err != nil {
			return err
		}
		code, err := tx.NextCaseCode("JMB", 2026)
		if err != nil {
			return err
		}
		r.caseID, err = tx.InsertCase(store.Case{Code: code, ReporterID: r.worker.ID(), Category: "PPKS01",
			FullName: pmksName, NIK: pmksNIK, Gender: "P", BirthDate: "1990-01-05", Address: pmksAddress,
			Kecamatan: "15.71.01", Kelurahan: "15.71.01.1002", Description: "Tinggal sendiri di rumah kontrakan.",
			Needs: []string{"pangan"}, Urgency: "biasa"})
		return err
	}))
	// The coordinator has a private chat with the bot.
	r.coord.send("/start", "")
	r.group = h.Server.NewGroup("Koordinator Dinsos", r.admin.User, r.coord.User, r.worker.User)
	groups = []int64{r.group.ID()}
	h.Restart()
	return r
}

// inGroup sends text in the group as from and returns the bot's next message
// in the group.
func (r *groupRig) inGroup(from *telegramtest.User, text string) telegramtest.Message {
	r.t.Helper()
	before := lastID(r.group.Messages())
	r.group.SendText(from, text)
	var got telegramtest.Message
	if _, err := r.group.WaitFor(wait, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			if m.ID > before {
				got = m
				return true
			}
		}
		return false
	}); err != nil {
		r.t.Fatalf("%s in the group: %v", text, err)
	}
	return got
}

// noPersonalData fails when any bot message in the group (text, caption or
// file) holds the case's or the worker's personal data.
func (r *groupRig) noPersonalData() {
	r.t.Helper()
	for _, m := range r.group.Messages() {
		for _, secret := range []string{pmksName, pmksNIK, pmksNIK[12:], pmksAddress, workerName, workerPhone,
			strings.TrimPrefix(workerPhone, "+62")} {
			if strings.Contains(m.Text+m.Caption, secret) || bytes.Contains(m.File, []byte(secret)) {
				r.t.Errorf("the group got %q in message %d: %q", secret, m.ID, m.Text+m.Caption)
			}
		}
	}
}

func lastID(msgs []telegramtest.Message) int {
	id := 0
	for _, m := range msgs {
		id = max(id, m.ID)
	}
	return id
}

// TestGroupCommandTable: every command, sent by an admin in the
// coordinators' group, does what its declared policy says, and nothing the
// group sees names the PMKS or the worker.
func TestGroupCommandTable(t *testing.T) {
	r := newGroupRig(t)
	code := "JMB-26-00001"
	tests := []struct {
		command, args string
		want          flows.GroupPolicy
	}{
		{"start", "", flows.GroupPrivate},
		{"profil", "", flows.GroupPrivate},
		{"data_saya", "", flows.GroupPrivate},
		{"kasus", "", flows.GroupPrivate},
		{"formulir", "", flows.GroupPrivate},
		{"verifikasi", "", flows.GroupPrivate},
		{"pengguna", "", flows.GroupPrivate},
		{"audit", "", flows.GroupPrivate},
		{"rapat", "", flows.GroupPrivate},
		{"hadir", "1 Sri", flows.GroupPrivate},
		{"cadangan", "", flows.GroupPrivate},
		{"statistik", "", flows.GroupAnswer},
		{"bantuan", "", flows.GroupAnswer},
		{"bahasa", "", flows.GroupAnswer},
		{"batal", "", flows.GroupAnswer},
		{"kembali", "", flows.GroupAnswer},
		{"lewati", "", flows.GroupAnswer},
		{"hapus_kasus", code, flows.GroupRefuse},
		{"hapus_data_saya", "", flows.GroupRefuse},
		{"formulir_kelola", "", flows.GroupPrivate},
		{"kiriman", "", flows.GroupPrivate},
		// Commands that open a form: the form opens in the private chat
		// (the next ones find it open there and say so, there).
		{"lapor", "", flows.GroupPrivate},
		{"ubah", "", flows.GroupPrivate},
		{"undang", "", flows.GroupPrivate},
		{"rapat_baru", "", flows.GroupPrivate},
		{"siaran", "", flows.GroupPrivate},
		{"ekspor", "", flows.GroupPrivate},
		{"ringkasan", "", flows.GroupPrivate},
	}
	// The table covers every command the bot has, with its declared policy.
	declared := r.app.CommandGroupPolicies()
	var names []string
	for _, tc := range tests {
		names = append(names, tc.command)
		if got, ok := declared[tc.command]; !ok || got != tc.want {
			t.Errorf("/%s is declared %v, want %v", tc.command, got, tc.want)
		}
	}
	slices.Sort(names)
	if all := slices.Sorted(maps.Keys(declared)); !slices.Equal(all, names) {
		t.Fatalf("commands %v, the table has %v", all, names)
	}
	for _, tc := range tests {
		t.Run(tc.command, func(t *testing.T) {
			text := "/" + tc.command
			if tc.args != "" {
				text += " " + tc.args
			}
			private := len(r.admin.Messages())
			got := r.inGroup(r.admin.User, text)
			switch tc.want {
			case flows.GroupPrivate:
				if !strings.Contains(got.Text, "saya kirim ke chat pribadi") {
					t.Errorf("group got %q, want a note that the answer went to the private chat", got.Text)
				}
				if _, err := r.admin.WaitFor(wait, func(msgs []telegramtest.Message) bool {
					return len(msgs) > private
				}); err != nil {
					t.Errorf("no answer in the private chat: %v", err)
				}
			case flows.GroupRefuse:
				if !strings.Contains(got.Text, "tidak dapat dipakai di grup") || !strings.Contains(got.Text, "t.me/") {
					t.Errorf("group got %q, want a refusal with the reason and a link", got.Text)
				}
			case flows.GroupAnswer:
				if strings.Contains(got.Text, "🔒") {
					t.Errorf("group got %q, want the answer itself", got.Text)
				}
			}
			if got.InlineKeyboard != nil && tc.command != "bahasa" {
				t.Errorf("group got buttons %v", got.InlineKeyboard)
			}
		})
	}
	settle(t, r.h)
	if n := countText(r.admin.User, "tidak dapat dipakai di grup"); n != 0 {
		t.Errorf("%d refusals in the private chat", n)
	}
	// Nothing ran for the refused commands: no erasure was offered.
	for _, m := range r.admin.Messages() {
		for _, row := range m.InlineKeyboard {
			for _, b := range row {
				if strings.Contains(b.Text, "🗑") {
					t.Errorf("an erasure was offered after a refused command: %q", m.Text)
				}
			}
		}
	}
	r.noPersonalData()
	r.h.NoViolations()
}

// TestGroupPrivateNeedsAnOpenChat: a coordinator who never started the bot
// in a private chat cannot be written to there (Telegram answers 403), so the
// group tells them to open it first; once they have, the answer goes there.
func TestGroupPrivateNeedsAnOpenChat(t *testing.T) {
	r := newGroupRig(t)
	h := r.h
	// A second coordinator, known to the bot only from the group.
	late := actor{t, h.NewUser("Lina"), wait}
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.TouchUser(late.ID(), "Lina", ""); err != nil {
			return err
		}
		if err := tx.SetProfile(late.ID(), store.Profile{FullName: "Lina Marlina", Phone: "+6281355556666",
			Role: store.RoleCoordinator, Kecamatan: "15.71.01"}, store.UserActive); err != nil {
			return err
		}
		return tx.SetRole(late.ID(), store.RoleCoordinator, []string{"15.71.01"})
	}))
	got := r.inGroup(late.User, "/kasus")
	if !strings.Contains(got.Text, "Buka dulu chat pribadi") || !strings.Contains(got.Text, "https://t.me/"+h.Server.BotUsername()) {
		t.Errorf("group got %q, want a link to open a private chat", got.Text)
	}
	settle(t, h)
	if n := len(late.Messages()); n != 0 {
		t.Errorf("%d messages sent to a chat the person never opened", n)
	}
	// After /start in private, the same command is answered there.
	late.send("/start", "")
	got = r.inGroup(late.User, "/kasus")
	if !strings.Contains(got.Text, "saya kirim ke chat pribadi") {
		t.Errorf("group got %q, want the note that the answer went to the private chat", got.Text)
	}
	if _, err := late.WaitForText(wait, "JMB-26-00001"); err != nil {
		t.Errorf("the case list did not reach the private chat: %v", err)
	}
	r.noPersonalData()
	h.NoViolations()
}

// TestGroupButtonsRevealNothing: a button that would show a case, a user
// card, the audit log or an erasure, pressed (or forged) in the group, is
// refused with a note only the presser sees; the group gets nothing.
func TestGroupButtonsRevealNothing(t *testing.T) {
	r := newGroupRig(t)
	h := r.h
	lang := r.inGroup(r.admin.User, "/bahasa") // a message with buttons in the group
	id := strconv.FormatInt(r.caseID, 10)
	worker := strconv.FormatInt(r.worker.ID(), 10)
	before := lastID(r.group.Messages())
	for _, data := range []string{
		"cs:" + id + ":d:",                  // the case's detail
		"cs:0:l:all",                        // a case list
		"ad:" + worker + ":u:--",            // a user card
		"ad:0:l:--",                         // the user list
		"ad:0:au:",                          // the audit log
		"ad:" + id + ":ec:",                 // erase the case
		"ad:" + itoa(groupAdminID) + ":ex:", // erase oneself
	} {
		n := len(r.admin.CallbackAnswers())
		r.group.PressData(r.admin.User, lang.ID, data)
		got := answers(t, h, r.admin.User, n+1)
		if !strings.Contains(got[n].Text, "hanya berlaku di chat pribadi") {
			t.Errorf("%s pressed in the group: answered %q", data, got[n].Text)
		}
	}
	settle(t, h)
	if last := lastID(r.group.Messages()); last != before {
		t.Errorf("the group got %d new messages from buttons", last-before)
	}
	for _, m := range r.group.Messages() {
		if m.Edited || m.Deleted {
			t.Errorf("group message %d was changed by a button: %q", m.ID, m.Text)
		}
	}
	var n int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM cases WHERE id = ? AND full_name = ?`, r.caseID, pmksName).Scan(&n))
	if n != 1 {
		t.Error("the case was erased from a button pressed in the group")
	}
	// The language picker, which names no one, still works in the group.
	n0 := len(r.admin.CallbackAnswers())
	must(t, r.group.Press(r.admin.User, "🇬🇧 English"))
	answers(t, h, r.admin.User, n0+1)
	r.noPersonalData()
	h.NoViolations()
}
