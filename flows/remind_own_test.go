package flows_test

import (
	"strings"
	"testing"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// A coordinator does not decide a case they reported (separation of duties),
// so the backlog reminder never counts it for them; when no other coordinator
// covers its kecamatan, the admins are reminded of it instead.
func TestBacklogLeavesOutOwnReports(t *testing.T) {
	r := newSchedRig(t, func(c *flows.Config) {
		c.Schedules = flows.Schedules{Coordinators: "0 8 * * 1-5", BacklogDays: 3}
	})
	k := r.kec
	budi := r.user("Budi Santoso", store.RoleCoordinator, 0, k[0].Code, k[1].Code)
	rina := r.user("Rina Marlina", store.RoleCoordinator, 2, k[2].Code)
	sri := r.user("Sri Wahyuni", store.RolePSM, 0)
	r.set(nov(2, 10, 0))
	own := r.addCase(rina, 2, "PPKS18", "")    // only Rina covers k[2]
	theirs := r.addCase(budi, 0, "PPKS18", "") // Budi covers k[0]; the admins decide it
	other := r.addCase(sri, 0, "PPKS18", "")   // Budi's to decide
	r.tick(nov(6, 8, 0))

	backlog := func(u *tgUser) string {
		var b strings.Builder
		for _, m := range u.Messages() {
			if strings.Contains(m.Text, "menunggu verifikasi lebih dari") {
				b.WriteString(m.Text + "\n")
			}
		}
		return b.String()
	}
	if got := backlog(rina); got != "" {
		t.Errorf("Rina was reminded of her own report %s:\n%s", own.Code, got)
	}
	if got := backlog(budi); !strings.Contains(got, "1 kasus") || !strings.Contains(got, other.Code) {
		t.Errorf("Budi's reminder should count only %s, not his own %s:\n%s", other.Code, theirs.Code, got)
	}
	got := backlog(r.admin)
	if !strings.Contains(got, "2 kasus") {
		t.Errorf("the admin should be reminded of the 2 cases only their reporters cover (%s, %s):\n%s",
			own.Code, theirs.Code, got)
	}
}
