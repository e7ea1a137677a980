package flows_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// formPaths lead a person to one step of a form, where the fuzzer's text is
// typed: every step that reads what people type (names, NIK, dates, times,
// numbers, places, categories, phone numbers, free text) goes through its
// parser and validator inside the real engine. "#Label" presses a button,
// anything else is sent as text. The first word says who walks: a newcomer,
// an active PSM or the admin.
var formPaths = [][]string{
	{"new", "/start", "#Setuju"},                                                           // registration: name
	{"new", "/start", "#Setuju", "Sri Wahyuni"},                                            // role, typed
	{"new", "/start", "#Setuju", "Sri Wahyuni", "#PSM"},                                    // kecamatan, typed
	{"new", "/start", "#Setuju", "Sri Wahyuni", "#PSM", "#Telanaipura"},                    // kelurahan, typed
	{"new", "/start", "#Setuju", "Sri Wahyuni", "#PSM", "#Telanaipura", "#Buluran Kenali"}, // phone, typed
	{"psm", "/lapor"},                                                                                                 // case: group, typed
	{"psm", "/lapor", "#Anak"},                                                                                        // category, typed
	{"psm", "/lapor", "#Anak", "#Anak Telantar"},                                                                      // name
	{"psm", "/lapor", "#Anak", "#Anak Telantar", "Siti Aminah"},                                                       // NIK
	{"psm", "/lapor", "#Anak", "#Anak Telantar", "Siti Aminah", "#Tidak ada NIK"},                                     // reason, typed
	{"psm", "/lapor", "#Anak", "#Anak Telantar", "Siti Aminah", "#Tidak ada NIK", "#Tidak tahu"},                      // gender, typed
	{"psm", "/lapor", "#Anak", "#Anak Telantar", "Siti Aminah", "#Tidak ada NIK", "#Tidak tahu", "#Laki"},             // birth date or age
	{"psm", "/lapor", "#Anak", "#Anak Telantar", "Siti Aminah", "#Tidak ada NIK", "#Tidak tahu", "#Laki", "45 tahun"}, // birth place
	{"psm", "/lapor", "#Anak", "#Anak Telantar", "Siti Aminah", "#Tidak ada NIK", "#Tidak tahu", "#Laki", "45 tahun",
		"/lewati"}, // address
	{"psm", "/lapor", "#Anak", "#Anak Telantar", "Siti Aminah", "#Tidak ada NIK", "#Tidak tahu", "#Laki", "45 tahun",
		"/lewati", "Jl. Kapt. Pattimura RT 05"}, // RT/RW, typed
	{"psm", "/lapor", "#Anak", "#Anak Telantar", "Siti Aminah", "#Tidak ada NIK", "#Tidak tahu", "#Laki", "45 tahun",
		"/lewati", "Jl. Kapt. Pattimura RT 05", "/lewati"}, // No. KK, typed
	{"psm", "/lapor", "#Anak", "#Anak Telantar", "Siti Aminah", "#Tidak ada NIK", "#Tidak tahu", "#Laki", "45 tahun",
		"/lewati", "Jl. Kapt. Pattimura RT 05", "/lewati", "/lewati", "#Wilayah lain"}, // case kecamatan, typed
	{"psm", "/lapor", "#Anak", "#Anak Telantar", "Siti Aminah", "#Tidak ada NIK", "#Tidak tahu", "#Laki", "45 tahun",
		"/lewati", "Jl. Kapt. Pattimura RT 05", "/lewati", "/lewati", "#Buluran Kenali", "/lewati", "#Selesai"}, // description
	{"admin", "/rapat_baru"},                                            // meeting: title
	{"admin", "/rapat_baru", "Rapat Koordinasi"},                        // date
	{"admin", "/rapat_baru", "Rapat Koordinasi", "03-11-2026"},          // start time
	{"admin", "/rapat_baru", "Rapat Koordinasi", "03-11-2026", "09.00"}, // end time
	{"admin", "/rapat_baru", "Rapat Koordinasi", "03-11-2026", "09.00", "12.00", "Aula Dinsos", "/lewati", "#Pilih orang"}, // people
	{"admin", "/undang", "#PSM", "#3 hari"}, // invite: how many
	{"psm"},                                 // no form open: anything typed, commands too
}

// FuzzFormStep types arbitrary text at a step of a form. Whatever it is, the
// flows must answer (a prompt again, a refusal with its reason, or the next
// step), never fail the update, and never send what Telegram would refuse.
func FuzzFormStep(f *testing.F) {
	for i := range formPaths {
		for _, s := range []string{"", "Sri Wahyuni", "1571015205900003", "12-05-1990", "45 tahun", "09.30", "abc",
			"<b>x</b> & </i>", "'; DROP TABLE cases;--", "\u200b\u202eabc", "\xff\xfe", "/batal", "/kembali", "/lewati",
			strings.Repeat("panjang ", 600)} {
			f.Add(uint8(i), s)
		}
	}
	// One database for the whole run: opening one per input would spend the
	// time on migrations. Each input walks a new person (the admin cancels
	// what the last input left open).
	dir := f.TempDir()
	var (
		mu   sync.Mutex
		w    *world
		next int64 = 100000
	)
	f.Cleanup(func() {
		if w != nil {
			w.db.Close()
		}
	})
	f.Fuzz(func(t *testing.T, path uint8, text string) {
		mu.Lock()
		defer mu.Unlock()
		if w == nil {
			w = &world{t: t, cfg: flows.Config{BotUsername: "dinsos_jambi_bot", Admins: []int64{adminID}},
				path: filepath.Join(dir, "bot.db"), now: time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)}
			w.open()
		}
		w.t, w.rows = t, nil
		steps := formPaths[int(path)%len(formPaths)]
		var p *person
		switch steps[0] {
		case "admin":
			p = w.person(adminID, "Admin")
			p.send("/batal") // whatever the last input left open
		case "psm":
			next++
			p = w.person(next, "Sri")
			if err := w.db.Update(context.Background(), func(tx *store.Tx) error {
				if _, err := tx.TouchUser(p.id, "Sri", ""); err != nil {
					return err
				}
				return tx.SetProfile(p.id, store.Profile{FullName: "Sri Wahyuni", Phone: "+6281234567890",
					Role: store.RolePSM, Kecamatan: "15.71.01", Kelurahan: "15.71.01.1002"}, store.UserActive)
			}); err != nil {
				t.Fatal(err)
			}
		default:
			next++
			p = w.person(next, "Baru")
		}
		for _, s := range steps[1:] {
			if label, ok := strings.CutPrefix(s, "#"); ok {
				p.press(label)
			} else {
				p.send(s)
			}
		}
		before := p.step()
		p.send(text) // fails the test if Handle returns an error
		if strings.Contains(p.texts(), "Maaf, terjadi gangguan") {
			t.Fatalf("at step %q, %q got the apology:\n%s", before, text, p.texts())
		}
		if p.texts() == "" && before != "" {
			t.Fatalf("at step %q, %q got no answer", before, text)
		}
	})
}
