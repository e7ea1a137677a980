package flows_test

import (
	"context"
	"regexp"
	"slices"
	"testing"
	"time"

	"dinsosbot/flows"
	"dinsosbot/store"
)

var linkRE = regexp.MustCompile(`https://t\.me/dinsos_jambi_bot\?start=([a-z0-9]+)`)

func makeInvite(t *testing.T, admin *person, role, days, uses string) string {
	t.Helper()
	admin.send("/undang").press(role).press(days)
	admin.send(uses).press("Simpan")
	m := linkRE.FindStringSubmatch(admin.texts())
	if m == nil {
		t.Fatalf("no link in %s", admin.texts())
	}
	return m[1]
}

func TestInviteLink(t *testing.T) {
	w := newWorld(t, flows.Config{})
	admin := w.person(adminID, "Admin")
	admin.send("/start")
	code := makeInvite(t, admin, "TKSK", "7 hari", "2")
	admin.expect("untuk 2 orang").expect("09-11-2026 09.00 WIB")

	// The code is stored hashed only.
	var n int
	if err := w.db.SQL().QueryRow(`SELECT COUNT(*) FROM invites WHERE code_hash = ?`, code).Scan(&n); err != nil || n != 0 {
		t.Fatalf("plain code stored (n=%d, err=%v)", n, err)
	}
	for _, id := range []int64{1, 2} {
		p := w.person(id, "Tono")
		p.send("/start " + code).press("Setuju")
		p.send("Tono Wibowo").reject("peran").press("Jelutung") // the role step is skipped
		p.press("Jelutung").contact("081234567890", id).expect("Kelurahan: <b>Jelutung</b>")
		p.press("Simpan").expect("Selamat bergabung").expect("TKSK")
		if u := w.user(id); u.Status != store.UserActive || u.Role != store.RoleTKSK {
			t.Fatalf("user %d = %+v", id, u)
		}
	}
	// Used up: a third person registers, but through approval.
	p := w.person(3, "Ani")
	p.send("/start " + code).expect("tidak berlaku lagi").press("Setuju")
	p.send("Ani Lestari").press("PSM")

	// Expired after its days.
	code = makeInvite(t, admin, "Dipilih sendiri", "1 hari", "10")
	w.now = w.now.Add(25 * time.Hour)
	p = w.person(4, "Budi")
	p.send("/start " + code).expect("tidak berlaku lagi")
	p.send("/start forged-code").expect("Melanjutkan")

	// Workers may not make invites; the refusal is audited.
	worker := w.person(1, "Tono")
	worker.send("/undang").expect("tidak berhak")
	var log []store.AuditEntry
	if err := w.db.Update(context.Background(), func(tx *store.Tx) (err error) {
		log, err = tx.AuditLog(10)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(log, store.AuditEntry{UserID: 1, Action: "denied", Detail: "/undang"}) {
		t.Fatalf("audit log %+v", log)
	}
}

func approvedWorker(t *testing.T, w *world, id int64, name string) *person {
	t.Helper()
	admin := w.person(adminID, "Admin")
	admin.send("/start")
	p := w.person(id, name)
	register(t, p, name)
	p.press("Simpan")
	admin.press("Setujui")
	return p
}

func TestProfileEdit(t *testing.T) {
	w := newWorld(t, flows.Config{})
	p := approvedWorker(t, w, 1, "Sri Wahyuni")
	p.send("/profil").expect("Nama: <b>Sri Wahyuni</b>").expect("Kelurahan: <b>Buluran Kenali</b>")

	// Name only: applied at once.
	p.send("/ubah").expect("Nama: <b>Sri Wahyuni</b>").press("✏️ Nama")
	p.send("Sri Wahyuningsih").press("Simpan").expect("Profil disimpan")
	if u := w.user(1); u.FullName != "Sri Wahyuningsih" {
		t.Fatalf("name = %q", u.FullName)
	}

	// Area: goes to the admin; the old area stays until approved.
	p.send("/ubah").press("✏️ Kelurahan").press("Teluk Kenali").press("Simpan").expect("menunggu persetujuan admin")
	admin := w.person(adminID, "Admin")
	admin.expect("Perubahan peran/wilayah").expect("Teluk Kenali")
	if u := w.user(1); u.Kelurahan == "" || u.Status != store.UserActive {
		t.Fatalf("user = %+v", u)
	}
	old := w.user(1).Kelurahan
	admin.press("Setujui")
	p.expect("Perubahan profil Anda disetujui")
	if u := w.user(1); u.Kelurahan == old {
		t.Fatalf("kelurahan not changed: %+v", u)
	}
}

func TestLanguage(t *testing.T) {
	w := newWorld(t, flows.Config{})
	p := approvedWorker(t, w, 1, "Sri Wahyuni")
	p.send("/bahasa").press("English").expect("Language changed to English.")
	if got := w.got; !slices.ContainsFunc(got, func(r store.OutboxRow) bool {
		return r.Message.Kind == store.KindSetCommands && r.Message.ChatID == 1 &&
			slices.Contains(r.Message.Commands, store.Command{Command: "profil", Description: "Show my profile"})
	}) {
		t.Fatal("no English menu for the user's chat")
	}
	p.send("/start").expect("You are registered as <b>PSM</b>")
	p.send("/bahasa").press("Indonesia").expect("Bahasa diganti")
}

func TestMenus(t *testing.T) {
	w := newWorld(t, flows.Config{})
	menus := w.app.Menus()
	names := func(m store.Message) (out []string) {
		for _, c := range m.Commands {
			out = append(out, c.Command)
		}
		return out
	}
	if got, want := names(menus[0]), []string{"start", "profil", "ubah", "rapat", "lapor", "kasus", "formulir", "bahasa", "bantuan", "batal", "data_saya"}; !slices.Equal(got, want) || menus[0].Scope != "" {
		t.Fatalf("default menu %v (scope %q), want %v", got, menus[0].Scope, want)
	}
	if len(menus) != 2 || menus[1].ChatID != adminID || !slices.Contains(names(menus[1]), "undang") {
		t.Fatalf("admin menu %+v", menus)
	}
	// The approved worker gets their chat's menu.
	approvedWorker(t, w, 1, "Sri Wahyuni")
	if !slices.ContainsFunc(w.rows, func(r store.OutboxRow) bool {
		return r.Message.Kind == store.KindSetCommands && r.Message.ChatID == 1 && !slices.Contains(names(r.Message), "undang")
	}) {
		t.Fatal("no chat menu for the approved worker")
	}
}

func TestGroupBlockedUnreachable(t *testing.T) {
	w := newWorld(t, flows.Config{})
	p := w.person(5, "Sri")
	p.do(flows.Event{Kind: flows.EventMessage, ChatID: -100, ChatType: "supergroup", Text: "/start", Command: "start"})
	if got := w.got; len(got) != 1 || got[0].Message.ChatID != -100 ||
		!regexp.MustCompile(`chat pribadi: https://t\.me/dinsos_jambi_bot`).MatchString(got[0].Message.Text) {
		t.Fatalf("group reply %+v", got)
	}
	p.do(flows.Event{Kind: flows.EventMessage, ChatID: -100, ChatType: "supergroup", Text: "halo semua"})
	if len(w.got) != 0 {
		t.Fatalf("answered plain group chatter: %+v", w.got)
	}

	admin := w.person(adminID, "Admin")
	admin.send("/start")
	register(t, p, "Sri Wahyuni")
	p.press("Simpan")
	admin.press("Blokir")
	p.expect("diblokir")
	// That was their one notice: later messages and presses are ignored
	// (a press is still answered, without text).
	p.send("/start")
	if len(w.got) != 0 {
		t.Fatalf("blocked user got %d more messages: %+v", len(w.got), w.got)
	}
	p.send("halo")
	p.pressData("lg:-:o:en", 1)
	if got := p.callbackAnswer(); got != "" {
		t.Fatalf("blocked user's press answered %q", got)
	}

	// Blocked by another way (no decision message): told once, then ignored.
	q := w.person(6, "Dedi")
	q.send("/start")
	if err := w.db.Update(context.Background(), func(tx *store.Tx) error {
		return tx.SetStatus(6, store.UserBlocked)
	}); err != nil {
		t.Fatal(err)
	}
	q.send("/start").expect("diblokir")
	q.send("/start")
	if len(w.got) != 0 {
		t.Fatalf("blocked user told again: %+v", w.got)
	}
	// Unblocked and blocked again: told once more.
	if err := w.db.Update(context.Background(), func(tx *store.Tx) error {
		if err := tx.SetStatus(6, store.UserNew); err != nil {
			return err
		}
		return tx.SetStatus(6, store.UserBlocked)
	}); err != nil {
		t.Fatal(err)
	}
	q.send("halo").expect("diblokir")

	p.do(flows.Event{Kind: flows.EventMember, MemberStatus: "kicked"})
	if u := w.user(5); !u.Unreachable {
		t.Fatal("not marked unreachable")
	}
}

func TestEscapesUserText(t *testing.T) {
	w := newWorld(t, flows.Config{})
	p := w.person(1, "<b>Bad</b> & co")
	p.send("/start").expect("Halo, &lt;b&gt;Bad&lt;/b&gt; &amp; co!")
	p.press("Setuju")
	p.send("/laporan <x>").expect("Perintah /laporan tidak dikenal")
}

func FuzzCallbackData(f *testing.F) {
	for _, s := range []string{"f:abc234:o:psm", "ap:12:y:", "lg:-:o:en", "f:abc:e:kelurahan", "", ":::", "f:a:o:15.71.01.1001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cb, err := flows.ParseCallback(s)
		if err != nil {
			return
		}
		out, err := cb.Encode()
		if err != nil {
			t.Fatalf("parsed %q but cannot encode: %v", s, err)
		}
		if out != s || len(out) > flows.MaxCallbackData {
			t.Fatalf("round trip %q -> %q", s, out)
		}
	})
}
