package flows_test

import (
	"testing"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// register walks p through registration up to the summary.
func register(t *testing.T, p *person, name string) {
	t.Helper()
	p.send("/start").expect("Data yang disimpan")
	p.press("Setuju").expect("nama lengkap")
	p.send(name).expect("peran")
	p.press("PSM").expect("kecamatan")
	p.press("Telanaipura").expect("kelurahan")
	p.press("Buluran Kenali").expect("nomor HP")
	p.contact("+6281234567890", p.id).expect("Nomor HP: <b>+6281234567890</b>").expect("Pendaftaran")
	if got, want := p.step(), "_summary"; got != want {
		t.Fatalf("step = %q, want %q", got, want)
	}
}

func TestRegistrationApproved(t *testing.T) {
	w := newWorld(t, flows.Config{})
	admin := w.person(adminID, "Admin")
	admin.send("/start").expect("terdaftar sebagai <b>Admin</b>")
	p := w.person(1, "Sri")
	register(t, p, "Sri Wahyuni")
	p.press("Simpan").expect("dikirim ke admin")
	if u := w.user(1); u.Status != store.UserPending || u.FullName != "Sri Wahyuni" || u.Phone != "+6281234567890" {
		t.Fatalf("user = %+v", u)
	}
	p.send("/start").expect("menunggu persetujuan")
	p.send("/profil").expect("menunggu persetujuan admin. Setelah disetujui, /profil bisa dipakai")

	admin.press("Setujui").expect("Disetujui oleh Admin")
	if got := admin.callbackAnswer(); got != "Disetujui." {
		t.Fatalf("admin callback answer = %q", got)
	}
	var told bool
	for _, r := range w.got {
		if r.Message.ChatID == 1 && r.Message.Kind == store.KindSend {
			told = true
		}
	}
	if !told {
		t.Fatal("the worker was not told")
	}
	if u := w.user(1); u.Status != store.UserActive || u.Role != store.RolePSM {
		t.Fatalf("user = %+v", u)
	}
	p.send("/start").expect("terdaftar sebagai <b>PSM</b> di Buluran Kenali, Telanaipura")

	// A second press of Approve: answered, nothing changes.
	admin.press("Setujui")
	if got := admin.callbackAnswer(); got != "Permintaan ini sudah diputuskan." {
		t.Fatalf("double press answer = %q", got)
	}
}

func TestRegistrationRejected(t *testing.T) {
	w := newWorld(t, flows.Config{})
	admin := w.person(adminID, "Admin")
	admin.send("/start")
	p := w.person(1, "Budi")
	register(t, p, "Budi Santoso")
	p.press("Simpan")
	admin.press("Tolak").expect("Ditolak oleh Admin")
	if u := w.user(1); u.Status != store.UserRejected {
		t.Fatalf("status = %s", u.Status)
	}
	p.send("/start").expect("Data yang disimpan") // may register again
}

func TestConsentStop(t *testing.T) {
	w := newWorld(t, flows.Config{})
	p := w.person(1, "Ani")
	p.send("/start").press("Tidak").expect("tidak ada data yang disimpan")
	if got := p.step(); got != "" {
		t.Fatalf("conversation left at %q", got)
	}
	if u := w.user(1); u.FullName != "" || u.Status != store.UserNew {
		t.Fatalf("user = %+v", u)
	}
}

func TestWorkerCannotApprove(t *testing.T) {
	w := newWorld(t, flows.Config{})
	admin := w.person(adminID, "Admin")
	admin.send("/start")
	p := w.person(1, "Sri")
	register(t, p, "Sri Wahyuni")
	p.press("Simpan")
	data, id, ok := admin.find("Setujui")
	if !ok {
		t.Fatal("no approve button")
	}
	// The worker forges the admin's button.
	p.pressData(data, id)
	if got := p.callbackAnswer(); got != "Maaf, Anda tidak berhak melakukan itu." {
		t.Fatalf("answer = %q", got)
	}
	if u := w.user(1); u.Status != store.UserPending {
		t.Fatalf("status = %s, want pending", u.Status)
	}
	// Garbage callback data.
	p.pressData("ap:1:y:../../etc", id)
	p.pressData("xyz", id)
	if u := w.user(1); u.Status != store.UserPending {
		t.Fatalf("status = %s, want pending", u.Status)
	}
}

func TestSecondTKSKFlagged(t *testing.T) {
	w := newWorld(t, flows.Config{})
	admin := w.person(adminID, "Admin")
	admin.send("/start")
	for i, name := range []string{"Tono Wibowo", "Rudi Hartono"} {
		p := w.person(int64(10+i), name)
		p.send("/start").press("Setuju")
		p.send(name).press("TKSK").press("Telanaipura").press("Telanaipura")
		p.contact("081234567890", p.id).press("Simpan")
		if i == 0 {
			admin.reject("Sudah ada")
			admin.press("Setujui")
		} else {
			admin.expect("Sudah ada 1 TKSK aktif")
		}
	}
}
