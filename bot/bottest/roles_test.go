package bottest_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"slices"
	"strconv"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// Role changes take effect everywhere at once (issue 12): a coordinator an
// admin blocks, demotes or moves to another area loses their case notices
// of cases they no longer cover (edited to a stub, photos deleted), gets no
// later update of those cases, and the request they had waiting is closed,
// so its old Approve button cannot give the role back.
func TestRoleChangeTakesEffectEverywhere(t *testing.T) {
	const adminID = 9001
	tests := []struct {
		name       string
		change     func(admin actor)
		wantRole   string
		wantStatus string
		wantAppr   string
		wantNotice string // on the admin's copy of the request
	}{
		{"demoted", func(admin actor) {
			must(t, admin.Press("👤 Ubah peran"))
			admin.pressWhenShown("PSM")
		}, store.RolePSM, store.UserActive, store.ApprovalClosed, "Ditutup tanpa keputusan"},
		{"area taken away", func(admin actor) {
			must(t, admin.Press("🗺 Wilayah tugas"))
			admin.pressWhenShown("✅ Telanaipura")
		}, store.RoleCoordinator, store.UserActive, store.ApprovalClosed, "Ditutup tanpa keputusan"},
		{"blocked", func(admin actor) {
			must(t, admin.Press("⛔ Blokir"))
		}, store.RoleCoordinator, store.UserBlocked, store.ApprovalClosed, "Ditutup tanpa keputusan"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := bottest.Start(t, bottest.Options{Admins: []int64{adminID}})
			admin := startAdmin(t, h, adminID)
			coord := actor{t, h.NewUser("Kurnia"), wait}
			must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
				if _, err := tx.TouchUser(coord.ID(), "Kurnia", ""); err != nil {
					return err
				}
				if err := tx.SetProfile(coord.ID(), store.Profile{FullName: "Kurnia Dewi", Phone: "+6281311112222",
					Role: store.RoleCoordinator, Kecamatan: "15.71.01", Kelurahan: "15.71.01.1002"}, store.UserActive); err != nil {
					return err
				}
				return tx.SetRole(coord.ID(), store.RoleCoordinator, []string{"15.71.01"})
			}))
			worker := actor{t, h.NewUser("Sri"), wait}
			seedWorker(t, h, worker.User, "")

			// The coordinator is told of a new case, with its photo.
			reportWithPhoto(t, worker)
			notice, err := coord.WaitForText(wait, "Kasus baru")
			must(t, err)
			if _, err := coord.WaitFor(wait, func(msgs []telegramtest.Message) bool {
				return slices.ContainsFunc(msgs, func(m telegramtest.Message) bool { return m.Kind == "photo" })
			}); err != nil {
				t.Fatal(err)
			}
			// ... and asks for another kelurahan: a request to the admins.
			coord.send("/ubah", "Periksa data")
			coord.press("✏️ Kelurahan", "kelurahan")
			coord.press("Teluk Kenali", "Periksa data")
			coord.press("✅ Simpan", "menunggu persetujuan admin")
			request, err := admin.WaitForText(wait, "Perubahan peran/wilayah")
			must(t, err)
			approve := buttonData(t, request, "✅ Setujui")

			// The admin changes the coordinator from their card.
			list := admin.send("/pengguna", "Pengguna")
			admin.PressData(list.ID, "ad:"+itoa(coord.ID())+":u:--")
			admin.waitButton("👤 Ubah peran")
			tc.change(admin)
			h.WaitUntil(wait, "the change stored", func() bool {
				u, _ := storedUser(t, h, coord.ID())
				return u.Role == tc.wantRole && u.Status == tc.wantStatus && (tc.name != "area taken away" || len(u.Covers) == 0)
			})

			// The notice, the case's photo with the card as its caption, is
			// gone (its caption became a stub first, for a chat where it is
			// too old to delete).
			if notice.Kind != "photo" {
				t.Errorf("the notice is a %s, want the photo", notice.Kind)
			}
			must(t, coord.WaitDeleted(wait, notice.ID))
			if _, err := coord.WaitFor(wait, func(msgs []telegramtest.Message) bool {
				for _, m := range msgs {
					if m.Kind == "photo" && !m.Deleted {
						return false
					}
				}
				return true
			}); err != nil {
				t.Errorf("the case photo stayed: %v", err)
			}
			// The admin's copy of the request is closed; its old button no
			// longer acts.
			closed, err := admin.WaitForEdit(wait, request.ID, tc.wantNotice)
			must(t, err)
			if closed.InlineKeyboard != nil {
				t.Errorf("the closed request kept its buttons %v", closed.InlineKeyboard)
			}
			settle(t, h) // every earlier press answered
			n := len(admin.CallbackAnswers())
			admin.PressData(request.ID, approve)
			if got := answers(t, h, admin.User, n+1); got[n].Text != "Tombol ini sudah tidak berlaku." {
				t.Errorf("the old Approve answered %q", got[n].Text)
			}
			settle(t, h)
			if u, _ := storedUser(t, h, coord.ID()); u.Role != tc.wantRole || u.Status != tc.wantStatus ||
				u.Kelurahan != "15.71.01.1002" {
				t.Errorf("after the old Approve: role %s, status %s, kelurahan %s", u.Role, u.Status, u.Kelurahan)
			}
			if got := approvalStatuses(t, h, coord.ID()); !slices.Equal(got, []string{tc.wantAppr}) {
				t.Errorf("requests %v, want [%s]", got, tc.wantAppr)
			}
			// Told their request was closed, unless blocked (the block notice
			// is their one message).
			told := countText(coord.User, "ditutup karena admin")
			if want := map[bool]int{true: 0, false: 1}[tc.wantStatus == store.UserBlocked]; told != want {
				t.Errorf("told of the closed request %d times, want %d", told, want)
			}

			// A later decision on the case reaches them no more.
			before := coord.Messages()
			var caseID int64
			must(t, h.DB().SQL().QueryRow(`SELECT id FROM cases`).Scan(&caseID))
			admin.PressData(list.ID, "cs:"+strconv.FormatInt(caseID, 10)+":d:")
			admin.waitButton("✅ Verifikasi")
			must(t, admin.Press("✅ Verifikasi"))
			h.WaitUntil(wait, "the case verified", func() bool {
				var status string
				return h.DB().SQL().QueryRow(`SELECT status FROM cases`).Scan(&status) == nil && status == store.CaseVerified
			})
			settle(t, h)
			after := coord.Messages()
			if len(after) != len(before) {
				t.Errorf("%d new messages to the former reviewer", len(after)-len(before))
			}
			for i := range min(len(after), len(before)) {
				if after[i].Text != before[i].Text {
					t.Errorf("message %d changed to %q", after[i].ID, after[i].Text)
				}
			}
			h.NoViolations()
		})
	}
}

// pressWhenShown presses label once a message shows it.
func (a actor) pressWhenShown(label string) {
	a.t.Helper()
	a.waitButton(label)
	must(a.t, a.Press(label))
}

// waitButton waits until one of the bot's messages has a button label.
func (a actor) waitButton(label string) {
	a.t.Helper()
	if _, err := a.WaitFor(a.timeout, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			for _, row := range m.InlineKeyboard {
				for _, b := range row {
					if b.Text == label {
						return true
					}
				}
			}
		}
		return false
	}); err != nil {
		a.t.Fatalf("no button %q: %v", label, err)
	}
}

// reportWithPhoto files a case in Telanaipura with one photo, as worker.
func reportWithPhoto(t *testing.T, u actor) {
	t.Helper()
	var jpg bytes.Buffer
	must(t, jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 40, 30)), nil))
	u.send("/lapor", "kelompok")
	u.press("👶 Anak", "kategori")
	u.press("Anak Telantar", "nama lengkap")
	u.send("Siti Aminah", "NIK")
	u.press("Tidak ada NIK", "Mengapa")
	u.press("Tidak tahu / tidak ingat", "jenis kelamin")
	u.press("Perempuan", "tanggal lahir")
	u.send("45 tahun", "tempat lahir")
	u.send("/lewati", "alamat")
	u.addressAndArea("Jl. Kenanga No. 7", "📍 Buluran Kenali, Telanaipura")
	u.send("/lewati", "foto")
	u.do(func() { u.SendPhoto(jpg.Bytes(), "") }, "Foto ke-1")
	u.press("✔️ Selesai", "keadaannya")
	u.send("Tinggal sendiri sejak orang tuanya meninggal.", "kebutuhan")
	must(t, u.Press("Pangan"))
	u.waitButton("✅ Pangan")
	u.press("✔️ Selesai", "mendesak")
	u.press("Biasa", "Periksa data")
	u.press("✅ Simpan", "Laporan tersimpan")
}
