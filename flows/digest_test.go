package flows_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"unicode/utf8"

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
		"Perubahan status: 1", "Diverifikasi: 1", "Menunggu verifikasi: 2", "Pekerja tanpa laporan 30 hari: 0"} {
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
	if n := len(texts(coord, "Ringkasan harian")); n != 2 { // the chart's caption and the text
		t.Errorf("coordinator has %d digest messages after a second pass and a restart, want 2", n)
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

// A digest longer than Telegram's limit is split at line boundaries, each part
// below 4096 characters, no line lost or cut.
func TestDigestSplitsLongText(t *testing.T) {
	r := newSchedRig(t, nil)
	var names []string
	for i := range 150 {
		name := fmt.Sprintf("Pekerja Sosial Masyarakat Nomor %03d Binti Abdullah", i)
		names = append(names, name)
		r.user(name, store.RolePSM, i%len(r.kec))
	}
	reporter := r.user("Sri Wahyuni", store.RolePSM, 0)
	r.addCase(reporter, 0, "PPKS01", "")
	r.tick(nov(3, 7, 0))
	parts := []string{}
	for _, m := range r.admin.Messages() {
		if m.Kind == "text" && (strings.Contains(m.Text, "Ringkasan harian") || strings.Contains(m.Text, "Binti")) {
			parts = append(parts, m.Text)
		}
	}
	if len(parts) < 2 {
		t.Fatalf("the long digest came in %d message(s)", len(parts))
	}
	all := strings.Join(parts, "\n")
	for i, p := range parts {
		if n := utf8.RuneCountInString(p); n >= 4096 {
			t.Errorf("part %d has %d characters", i, n)
		}
	}
	for _, name := range names {
		if !strings.Contains(all, "• "+name+" (PSM, ") {
			t.Fatalf("%q missing or cut", name)
		}
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
	coord.send("/ringkasan sekarang", "Kasus baru: 1")
	if len(photos(coord)) != 1 {
		t.Fatalf("/ringkasan sekarang sent %d charts", len(photos(coord)))
	}
	worker.send("/ringkasan sekarang", "tidak berhak")

	coord.send("/ringkasan", "Ringkasan mana")
	coord.press("Mingguan", "Tersimpan")
	// The daily slot: no longer chosen; only the chart and text of /ringkasan sekarang.
	r.tick(nov(3, 7, 0))
	if n := len(texts(coord, "Ringkasan harian")); n != 2 {
		t.Fatalf("%d daily digest messages, want only the 2 asked for", n)
	}
	// Monday: the weekly one, chart and text.
	r.tick(nov(9, 7, 0))
	if n := len(texts(coord, "Ringkasan mingguan")); n != 2 {
		t.Fatalf("%d weekly digest messages, want 2", n)
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
