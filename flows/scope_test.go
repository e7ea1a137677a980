package flows_test

import (
	"testing"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// A meeting draft begun while the coordinator covered two kecamatan, saved
// after their area shrank to one, invites no one outside it: by kecamatan the
// save is refused and audited; by name, someone now outside is unknown and
// the summary opens again. Nothing is stored either way.
func TestMeetingDraftOutlivesArea(t *testing.T) {
	const coordID, sriID, bambangID = 60, 61, 62
	w := newWorld(t, flows.Config{})
	coord := authzStaff(w, coordID, "Kurnia Dewi", store.RoleCoordinator, []string{"15.71.01", "15.71.02"})
	w.authzUpdate(func(tx *store.Tx) error {
		for _, p := range []struct {
			id             int64
			name, kec, kel string
		}{{sriID, "Sri Wahyuni", "15.71.01", "15.71.01.1002"}, {bambangID, "Bambang Hartono", "15.71.02", "15.71.02.1002"}} {
			if _, err := tx.TouchUser(p.id, p.name, ""); err != nil {
				return err
			}
			if err := tx.SetProfile(p.id, store.Profile{FullName: p.name, Phone: "+6281200000002", Role: store.RolePSM,
				Kecamatan: p.kec, Kelurahan: p.kel}, store.UserActive); err != nil {
				return err
			}
		}
		return nil
	})
	shrink := func() {
		w.authzUpdate(func(tx *store.Tx) error { return tx.SetCovers(coordID, []string{"15.71.01"}) })
	}
	draft := func(title string) {
		coord.send("/rapat_baru").send(title).send("03-11-2026").send("09.00").send("11.00").send("Aula Kantor Camat")
		coord.send("/lewati").expect("Siapa yang diundang")
	}

	tests := []struct {
		name     string
		audience func()
		see      string
		denied   string
	}{
		{"by kecamatan", func() {
			coord.press("Kecamatan tertentu").press("Telanaipura").press("Jambi Selatan").press("Selesai")
		}, "tidak berhak", "meeting kecamatan:15.71.01,15.71.02"},
		{"by name", func() {
			coord.press("Pilih orang").send("Bambang Hartono, Sri Wahyuni").expect("Catatan")
		}, "Tidak ada pengguna terdaftar bernama \"Bambang Hartono\"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w.authzUpdate(func(tx *store.Tx) error {
				return tx.SetCovers(coordID, []string{"15.71.01", "15.71.02"})
			})
			coord.send("/batal")
			draft("Rapat " + tc.name)
			tc.audience()
			coord.send("/lewati").expect("Simpan")
			shrink()
			coord.press("Simpan").expect(tc.see)
			if n := w.authzCount(`SELECT COUNT(*) FROM meetings`); n != 0 {
				t.Errorf("%d meetings stored", n)
			}
			if n := w.authzCount(`SELECT COUNT(*) FROM meeting_invitations`); n != 0 {
				t.Errorf("%d invitations stored", n)
			}
			if tc.denied != "" {
				if n := w.authzCount(`SELECT COUNT(*) FROM audit_log WHERE user_id = ? AND action = 'denied' AND detail = ?`,
					coordID, tc.denied); n != 1 {
					t.Errorf("%d audited refusals %q", n, tc.denied)
				}
			}
		})
	}
}
