package flows_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"
)

const (
	nikA = "1571014512900001"
	nikB = "1571025505850002"
	nikC = "1571036006700003"
)

// A coordinator of two kecamatan gets, at 07.00, a chart and a digest of
// those two only; the admin gets all of them. No NIK anywhere; nothing twice,
// not on a second pass, not after a restart.
func TestDigestScopeChartNoNIK(t *testing.T) {
	r := newSchedRig(t, nil)
	worker := r.user("Sri Wahyuni", store.RolePSM, 0)
	coord := r.user("Budi Santoso", store.RoleCoordinator, 0, r.kec[0].Code, r.kec[1].Code)
	r.set(nov(2, 10, 0))
	a1 := r.addCase(worker, 0, "PPKS01", nikA)
	r.addCase(worker, 0, "PPKS01", "")
	r.addCase(worker, 1, "PPKS09", nikB)
	r.addCase(worker, 2, "PPKS09", nikC) // outside the coordinator's area
	r.setStatus(a1, store.CaseNew, store.CaseVerified, coord)

	r.tick(nov(3, 6, 59))
	if n := len(texts(coord, "Ringkasan harian")); n != 0 {
		t.Fatalf("%d digests before 07.00", n)
	}
	r.tick(nov(3, 7, 0))
	got := strings.Join(texts(coord, ""), "\n---\n")
	for _, want := range []string{"Ringkasan harian", "Kasus baru: 3", r.kec[0].Name + ": 2", r.kec[1].Name + ": 1",
		"Perubahan status: 1", "Diverifikasi: 1", "Menunggu verifikasi: 2", "Petugas tanpa laporan 30 hari: 0"} {
		if !strings.Contains(got, want) {
			t.Errorf("coordinator's digest lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, r.kec[2].Name) {
		t.Errorf("coordinator's digest shows %s, outside their area:\n%s", r.kec[2].Name, got)
	}
	ph := photos(coord)
	if len(ph) != 1 {
		t.Fatalf("coordinator got %d charts, want 1", len(ph))
	}
	img, err := png.Decode(bytes.NewReader(ph[0].File))
	if err != nil || img.Bounds().Dx() < 600 {
		t.Fatalf("chart is not a PNG of a sensible size: %v", err)
	}
	if all := strings.Join(texts(r.admin, "Kasus baru"), "\n"); !strings.Contains(all, "Kasus baru: 4") {
		t.Errorf("admin's digest:\n%s", all)
	}
	for _, u := range []*tgUser{coord, r.admin, worker} {
		for _, m := range u.Messages() {
			for _, nik := range []string{nikA, nikB, nikC, nikA[:12]} {
				if strings.Contains(m.Text+m.Caption+m.RawText, nik) {
					t.Fatalf("a NIK reached user %d: %q", u.ID(), m.Text+m.Caption)
				}
			}
		}
	}
	if n := len(texts(worker, "Ringkasan")); n != 0 {
		t.Errorf("a worker got %d digests", n)
	}
	r.tick(nov(3, 7, 30))
	r.restart(nov(3, 8, 0))
	if n := len(texts(coord, "Ringkasan harian")); n != 1 { // the chart, the text its caption
		t.Errorf("coordinator has %d digest messages after a second pass and a restart, want 1", n)
	}
	r.h.NoViolations()
}

// An empty period is one line, without a chart.
func TestDigestEmptyPeriodOneLine(t *testing.T) {
	r := newSchedRig(t, nil)
	coord := r.user("Budi Santoso", store.RoleCoordinator, 0, r.kec[0].Code)
	r.tick(nov(3, 7, 0))
	got := texts(coord, "Ringkasan harian")
	if len(got) != 1 || strings.Contains(got[0], "\n") || !strings.Contains(got[0], "tidak ada kasus baru") {
		t.Fatalf("digests = %q, want one line saying nothing happened", got)
	}
	if len(photos(coord)) != 0 {
		t.Error("an empty digest came with a chart")
	}
}

// A digest names the first few idle workers only, with how many more; the
// whole list comes as an XLSX sheet, so its text stays one message.
func TestDigestCapsIdleList(t *testing.T) {
	r := newSchedRig(t, nil)
	var names []string
	for i := range 150 {
		name := fmt.Sprintf("Pekerja Sosial Masyarakat Nomor %03d Binti Abdullah", i)
		names = append(names, name)
		r.user(name, store.RolePSM, i%len(r.kec))
	}
	r.user("=HYPERLINK(\"x\") Formula", store.RolePSM, 0)
	reporter := r.user("Sri Wahyuni", store.RolePSM, 0)
	r.addCase(reporter, 0, "PPKS01", "")
	r.tick(nov(3, 7, 0))
	var parts []string
	var sheet telegramtest.Message
	for _, m := range r.admin.Messages() {
		if m.Kind == "text" && (strings.Contains(m.Text, "Ringkasan harian") || strings.Contains(m.Text, "Binti")) {
			parts = append(parts, m.Text)
		}
		if m.Kind == "document" {
			sheet = m
		}
	}
	if len(parts) != 1 {
		t.Fatalf("the digest text came in %d message(s), want 1", len(parts))
	}
	_, idle, _ := strings.Cut(parts[0], "Petugas tanpa laporan")
	if shown := strings.Count(idle, "\n• "); shown != 10 || !strings.Contains(parts[0], "… dan 141 lainnya") ||
		!strings.Contains(parts[0], "Petugas tanpa laporan 30 hari: 151") {
		t.Errorf("the digest names %d idle workers:\n%s", shown, parts[0])
	}
	if !strings.HasSuffix(sheet.FileName, ".xlsx") || !strings.Contains(sheet.Caption, "151") {
		t.Fatalf("attachment %q with caption %q", sheet.FileName, sheet.Caption)
	}
	f, err := excelize.OpenReader(bytes.NewReader(sheet.File))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 152 || rows[0][0] != "Nama" {
		t.Fatalf("sheet has %d rows, head %v", len(rows), rows[0])
	}
	var listed []string
	for _, row := range rows[1:] {
		listed = append(listed, row[0])
	}
	for _, name := range names {
		if !slices.Contains(listed, name) {
			t.Fatalf("%q missing from the sheet", name)
		}
	}
	if !slices.Contains(listed, "'=HYPERLINK(\"x\") Formula") {
		t.Errorf("a name starting with = is not neutralised: %q", listed)
	}
	r.h.NoViolations()
}

// /ringkasan sekarang sends the digest at once; /ringkasan chooses which come
// on schedule.
func TestDigestCommand(t *testing.T) {
	r := newSchedRig(t, nil)
	worker := r.user("Sri Wahyuni", store.RolePSM, 0)
	coord := r.user("Budi Santoso", store.RoleCoordinator, 0, r.kec[0].Code)
	r.set(nov(2, 10, 0))
	r.addCase(worker, 0, "PPKS01", nikA)
	r.set(nov(2, 11, 0))
	coord.SendText("/ringkasan sekarang")
	if _, err := coord.WaitForText(caseWait, "Kasus baru: 1"); err != nil {
		t.Fatal(err)
	}
	if ph := photos(coord); len(ph) != 1 || !strings.Contains(ph[0].Caption, "Kasus baru: 1") {
		t.Fatalf("/ringkasan sekarang sent %d charts, want 1 with the digest as its caption", len(ph))
	}
	worker.send("/ringkasan sekarang", "tidak berhak")

	coord.send("/ringkasan", "Ringkasan mana")
	coord.press("Mingguan", "Tersimpan")
	// The daily slot: no longer chosen; only the chart of /ringkasan
	// sekarang, the text its caption.
	r.tick(nov(3, 7, 0))
	if n := len(texts(coord, "Ringkasan harian")); n != 1 {
		t.Fatalf("%d daily digest messages, want only the 1 asked for", n)
	}
	// Monday: the weekly one, a chart with its caption.
	r.tick(nov(9, 7, 0))
	if n := len(texts(coord, "Ringkasan mingguan")); n != 1 {
		t.Fatalf("%d weekly digest messages, want 1", n)
	}
	coord.send("/ringkasan mati", "Tidak ada")
	r.h.NoViolations()
}

// Stopped over the digest's slot: restarted within the catch-up window the
// digest goes once; restarted after it, it does not go and the slot is
// recorded as missed.
func TestDigestAcrossDowntime(t *testing.T) {
	r := newSchedRig(t, nil)
	coord := r.user("Budi Santoso", store.RoleCoordinator, 0, r.kec[0].Code)
	r.restart(nov(3, 8, 30)) // down over 07.00; 1.5 h late, within 6 h
	if n := len(texts(coord, "Ringkasan harian")); n != 1 {
		t.Fatalf("%d digests after a restart within the window, want 1", n)
	}
	r.tick(nov(3, 9, 0))
	r.restart(nov(3, 10, 0))
	r.restart(nov(4, 14, 0)) // 7 h after 07.00: too late
	if n := len(texts(coord, "Ringkasan harian")); n != 1 {
		t.Fatalf("%d digests, want still 1", n)
	}
	runs, err := r.h.DB().JobRuns(context.Background(), flows.JobDigestDaily)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]string{}
	for _, run := range runs {
		status[run.Slot.In(wib).Format("02 15:04")] = run.Status
	}
	if status["03 07:00"] != store.RunDone || status["04 07:00"] != store.RunMissed {
		t.Fatalf("digest runs = %v", status)
	}
}

// The digest's meeting lines follow its scope: a coordinator of two kecamatan
// sees the coming week's meetings inviting people of those two, with the
// answers of those people only, and the last meeting that involved them with
// their attendance by role (walk-ins too); the admin sees every meeting and
// everyone's numbers.
func TestDigestMeetingsScope(t *testing.T) {
	r := newSchedRig(t, nil)
	sri := r.user("Sri Wahyuni", store.RolePSM, 0)
	ahmad := r.user("Ahmad Fauzi", store.RoleTKSK, 1)
	dewi := r.user("Dewi Lestari", store.RolePSM, 2)
	eka := r.user("Eka Putri", store.RolePSM, 2)
	rudi := r.user("Rudi Hartono", store.RoleTKSK, 1) // comes uninvited
	coord := r.user("Budi Santoso", store.RoleCoordinator, 0, r.kec[0].Code, r.kec[1].Code)

	r.set(nov(2, 10, 0))
	r.addCase(sri, 0, "PPKS01", "")
	r.addCase(dewi, 2, "PPKS02", "")
	senin := r.meeting("Rakor Senin", nov(2, 13, 0), nov(2, 15, 0), sri, ahmad, dewi, eka)
	kotaBaru := r.meeting("Rapat Kota Baru", nov(2, 16, 0), nov(2, 17, 0), dewi, eka)
	rakor := r.meeting("Rakor PSM TKSK", nov(4, 9, 0), nov(4, 12, 0), sri, ahmad, dewi, eka)
	r.meeting("Pelatihan Kota Baru", nov(5, 9, 0), nov(5, 11, 0), dewi, eka)
	r.meeting("Rakor Desember", nov(10, 9, 0), nov(10, 11, 0), sri, ahmad) // beyond the 7 days
	r.rsvp(rakor, sri, store.RSVPYes)
	r.rsvp(rakor, ahmad, store.RSVPNo)
	r.rsvp(rakor, dewi, store.RSVPYes)
	r.set(nov(2, 13, 5))
	r.attend(senin, sri, false)
	r.attend(senin, dewi, false)
	r.attend(senin, eka, false)
	r.attend(senin, rudi, true)
	r.set(nov(2, 16, 5))
	r.attend(kotaBaru, dewi, false)

	r.tick(nov(3, 7, 0))
	got := digestText(coord, "harian")
	for _, want := range []string{
		"Rapat 7 hari ke depan: 1",
		"• Rakor PSM TKSK, 04-11-2026, 09.00–12.00 WIB: hadir 1 · tidak bisa 1 · belum menjawab 0",
		"Rapat terakhir: Rakor Senin (02-11-2026): hadir 2 dari 2 yang diundang",
		"• PSM 1 · TKSK 1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("coordinator's digest lacks %q:\n%s", want, got)
		}
	}
	for _, never := range []string{"Pelatihan Kota Baru", "Rapat Kota Baru", "Rakor Desember"} {
		if strings.Contains(got, never) {
			t.Errorf("coordinator's digest shows %q, which invites no one of their area:\n%s", never, got)
		}
	}
	got = digestText(r.admin, "harian")
	for _, want := range []string{
		"Rapat 7 hari ke depan: 2",
		"• Rakor PSM TKSK, 04-11-2026, 09.00–12.00 WIB: hadir 2 · tidak bisa 1 · belum menjawab 1",
		"• Pelatihan Kota Baru, 05-11-2026, 09.00–11.00 WIB: hadir 0 · tidak bisa 0 · belum menjawab 2",
		"Rapat terakhir: Rapat Kota Baru (02-11-2026): hadir 1 dari 2 yang diundang",
		"• PSM 1",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("admin's digest lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Rakor Desember") {
		t.Errorf("admin's digest shows a meeting beyond 7 days:\n%s", got)
	}

	// What the lines were computed from, as stored, and the run recorded once.
	err := r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		two := []string{r.kec[0].Code, r.kec[1].Code}
		up, err := tx.UpcomingAnswers(two, nov(3, 7, 0), nov(10, 7, 0))
		if err != nil {
			return err
		}
		if len(up) != 1 || up[0].ID != rakor || up[0].Yes != 1 || up[0].No != 1 || up[0].None != 0 {
			t.Errorf("stored answers in the coordinator's area: %+v", up)
		}
		last, ok, err := tx.LastTurnout(two, nov(3, 7, 0))
		if err != nil {
			return err
		}
		if !ok || last.ID != senin || last.Invited != 2 || last.Present[store.RolePSM] != 1 ||
			last.Present[store.RoleTKSK] != 1 {
			t.Errorf("stored turnout in the coordinator's area: %+v, %v", last, ok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	runs, err := r.h.DB().JobRuns(context.Background(), flows.JobDigestDaily)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Status != store.RunDone {
		t.Errorf("daily digest runs = %+v, want one done", runs)
	}
	if n := len(photos(coord)); n != 1 {
		t.Errorf("coordinator got %d charts, want 1", n)
	}
	var file string
	if err := r.h.DB().SQL().QueryRow(`SELECT payload ->> 'file_name' FROM outbox WHERE chat_id = ? AND kind = 'photo'`,
		coord.ID()).Scan(&file); err != nil || file != "ringkasan-2026-11-03.png" {
		t.Errorf("the chart's stored file name = %q, %v", file, err)
	}
	r.h.NoViolations()
}
