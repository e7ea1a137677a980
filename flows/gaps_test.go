package flows_test

import (
	"strings"
	"testing"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// An invite's preset role is not asked but shown in the registration summary,
// without an edit button, and a forged edit of it changes nothing.
func TestInvitePresetRoleInSummary(t *testing.T) {
	w := newWorld(t, flows.Config{})
	admin := w.person(adminID, "Admin")
	admin.send("/start")
	code := makeInvite(t, admin, "TKSK", "7 hari", "1")

	p := w.person(1, "Tono")
	p.send("/start " + code).press("Setuju")
	p.send("Tono Wibowo").reject("peran").press("Jelutung")
	p.press("Jelutung").contact("081234567890", 1)
	p.expect("Peran: <b>TKSK</b>").expect("Kelurahan: <b>Jelutung</b>")
	if _, _, ok := p.find("✏️ Peran"); ok {
		t.Fatal("the preset role has an edit button")
	}
	d, id, ok := p.find("✏️ Nama")
	if !ok {
		t.Fatal("no edit button for the name")
	}
	p.pressData(strings.Replace(d, ":name", ":role", 1), id)
	if got := p.callbackAnswer(); !strings.Contains(got, "tidak berlaku") {
		t.Fatalf("forged edit of the preset role answered %q", got)
	}
	p.press("Simpan").expect("Selamat bergabung").expect("TKSK")
	if u := w.user(1); u.Role != store.RoleTKSK || u.Status != store.UserActive {
		t.Fatalf("user = %+v", u)
	}
}

// Leaving a location step without answering (/lewati, /kembali) takes the
// "send my location" reply keyboard away.
func TestSkipLocationRemovesKeyboard(t *testing.T) {
	w := newWorld(t, flows.Config{})
	admin := w.person(adminID, "Admin")
	admin.send("/start")
	admin.send("/rapat_baru").send("Rapat Evaluasi").send("03-11-2026").send("09.00").send("12.00")
	admin.send("Aula Dinsos")
	hasLocationKeyboard := func() bool {
		for _, r := range w.got {
			if m := r.Message; m.ChatID == adminID && m.Reply != nil && m.Reply.Buttons[0][0].RequestLocation {
				return true
			}
		}
		return false
	}
	removed := func() bool {
		for _, r := range w.got {
			if r.Message.ChatID == adminID && r.Message.RemoveReply {
				return true
			}
		}
		return false
	}
	if !hasLocationKeyboard() {
		t.Fatal("the location step shows no location button")
	}
	admin.send("/kembali").expect("Kembali satu langkah").expect("Di mana")
	if !removed() {
		t.Fatal("/kembali left the location keyboard up")
	}
	admin.send("Aula Dinsos Kota Jambi")
	if !hasLocationKeyboard() {
		t.Fatal("the location step shows no location button")
	}
	admin.send("/lewati").expect("Lokasi presensi dilewati").expect("Siapa yang diundang")
	if !removed() {
		t.Fatal("/lewati left the location keyboard up")
	}
	// The next prompt keeps its inline buttons.
	if _, _, ok := admin.find("Semua PSM dan TKSK"); !ok {
		t.Fatal("the audience buttons are missing")
	}
}
