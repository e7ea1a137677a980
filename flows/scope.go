package flows

import (
	"slices"

	"dinsosbot/store"
)

// Need-to-know by area: a coordinator reaches the workers and cases of the
// kecamatan they cover, an admin (or a coordinator of the whole city) all of
// them. Every path that names a worker or a case to staff asks here, so the
// rule is one rule: meetings (invitees, reports, sheets, manual marks),
// broadcasts, case lists, digests, statistics and exports.

// citywide reports whether u reaches the whole city.
func citywide(u store.User) bool { return slices.Contains(area(u), "*") }

// inArea reports whether kecamatan is one u may see: any for the city-wide,
// the covered ones for a coordinator, none for anyone else. A case or worker
// without a kecamatan belongs to no coordinator's area.
func inArea(u store.User, kecamatan string) bool {
	allowed := area(u)
	return slices.Contains(allowed, "*") || (kecamatan != "" && slices.Contains(allowed, kecamatan))
}

// reaches reports whether viewer may see person p's name and details, invite
// them or mark them present: the workers (PSM, TKSK) of viewer's area, and the
// office's staff (coordinators and admins), whom every coordinator works with.
// Only staff reach anyone.
func reaches(viewer, p store.User) bool {
	if !isStaff(viewer) {
		return false
	}
	if p.Role == store.RoleCoordinator || p.Role == store.RoleAdmin {
		return true
	}
	return inArea(viewer, p.Kecamatan)
}

// reachable keeps the people of users viewer reaches, in order.
func reachable(viewer store.User, users []store.User) []store.User {
	if citywide(viewer) {
		return users
	}
	return slices.DeleteFunc(slices.Clone(users), func(u store.User) bool { return !reaches(viewer, u) })
}
