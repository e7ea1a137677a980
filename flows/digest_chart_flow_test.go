package flows_test

import (
	"strings"
	"testing"

	"dinsosbot/store"
)

// A period with status changes but no new cases gets its digest text without
// a chart (a chart of nothing tells nothing); a period with new cases gets
// the chart, captioned with the period.
func TestDigestChartOnlyForNewCases(t *testing.T) {
	r := newSchedRig(t, nil)
	worker := r.user("Sri Wahyuni", store.RolePSM, 0)
	coord := r.user("Budi Santoso", store.RoleCoordinator, 0, r.kec[0].Code)
	c := r.addCase(worker, 0, "PPKS02", "")

	r.tick(nov(3, 7, 0))
	if ph := photos(coord); len(ph) != 1 || !strings.Contains(ph[0].Caption, "Ringkasan harian 02-11-2026 07.00 WIB") {
		t.Fatalf("with a new case: %d charts %v, want 1 captioned with the period", len(ph), ph)
	}

	r.set(nov(3, 10, 0))
	r.setStatus(c, store.CaseNew, store.CaseVerified, coord)
	r.tick(nov(4, 7, 0))
	got := texts(coord, "Ringkasan harian 03-11-2026")
	if len(got) != 1 || !strings.Contains(got[0], "Kasus baru: 0") || !strings.Contains(got[0], "Diverifikasi: 1") {
		t.Fatalf("digest of a period with a status change only = %q", got)
	}
	if n := len(photos(coord)); n != 1 {
		t.Errorf("%d charts after a period without new cases, want still 1", n)
	}
	r.h.NoViolations()
}
