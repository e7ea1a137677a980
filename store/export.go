package store

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ExportFilter selects cases for an export. The zero value selects every case.
type ExportFilter struct {
	// From and To bound the report time (created_at): From <= t < To; a zero
	// bound is open.
	From, To time.Time
	// Kecamatan, when not nil, keeps the cases in these kecamatan; "*" is all.
	// An empty non-nil list selects nothing.
	Kecamatan []string
	// Status and Category, when not "", keep one status or PPKS code.
	Status, Category string
}

// ExportRow is one case with its reporter, as an export lists it.
type ExportRow struct {
	Case
	ReporterName string
	ReporterRole string
	Photos       []CasePhoto
}

// ExportCases returns the cases f selects, oldest first, with their reporters
// and photos.
func (tx *Tx) ExportCases(f ExportFilter) ([]ExportRow, error) {
	conds, args := []string{"1=1"}, []any{}
	if !f.From.IsZero() {
		conds, args = append(conds, "created_at >= ?"), append(args, formatTime(f.From))
	}
	if !f.To.IsZero() {
		conds, args = append(conds, "created_at < ?"), append(args, formatTime(f.To))
	}
	if f.Kecamatan != nil && !slices.Contains(f.Kecamatan, "*") {
		conds = append(conds, "kecamatan IN ("+placeholders(len(f.Kecamatan))+")")
		for _, k := range f.Kecamatan {
			args = append(args, k)
		}
	}
	if f.Status != "" {
		conds, args = append(conds, "status = ?"), append(args, f.Status)
	}
	if f.Category != "" {
		conds, args = append(conds, "category = ?"), append(args, f.Category)
	}
	cases, err := tx.listCases("export cases", strings.Join(conds, " AND ")+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	out := make([]ExportRow, 0, len(cases))
	reporters := map[int64]User{}
	for _, c := range cases {
		r := ExportRow{Case: c}
		u, seen := reporters[c.ReporterID]
		if !seen {
			if u, _, err = tx.GetUser(c.ReporterID); err != nil {
				return nil, fmt.Errorf("export cases: %w", err)
			}
			reporters[c.ReporterID] = u
		}
		r.ReporterName, r.ReporterRole = u.FullName, u.Role
		if r.ReporterName == "" {
			r.ReporterName = u.FirstName
		}
		if r.Photos, err = tx.CasePhotos(c.ID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Stats are the figures of /statistik.
type Stats struct {
	CasesByStatus    map[string]int
	CasesTotal       int
	CasesThisPeriod  int // reported since the Since given to Stats
	TopCategories    []CategoryCount
	UsersByRole      map[string]int // active users
	UsersPending     int
	UsersBlocked     int
	Unreachable      int
	MeetingsUpcoming int
}

// CategoryCount is how many cases one PPKS category has.
type CategoryCount struct {
	Category string
	N        int
}

// Stats counts cases in kecamatan (nil or ["*"]: everywhere) and, since, the
// cases reported from then on. Within an area, the worker counts (by role,
// pending, blocked, unreachable) are of people living there and the upcoming
// meetings those inviting someone living there; the office's staff
// (coordinators, admins) are counted city-wide, as they belong to no area.
func (tx *Tx) Stats(kecamatan []string, since time.Time) (Stats, error) {
	s := Stats{CasesByStatus: map[string]int{}, UsersByRole: map[string]int{}}
	where, args := "1=1", []any{}
	if kecamatan != nil && !slices.Contains(kecamatan, "*") {
		where = "kecamatan IN (" + placeholders(len(kecamatan)) + ")"
		for _, k := range kecamatan {
			args = append(args, k)
		}
	}
	rows, err := tx.Query(`SELECT status, COUNT(*) FROM cases WHERE `+where+` GROUP BY status`, args...)
	if err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			rows.Close()
			return s, fmt.Errorf("stats: %w", err)
		}
		s.CasesByStatus[st] = n
		s.CasesTotal += n
	}
	rows.Close()
	if err := tx.QueryRow(`SELECT COUNT(*) FROM cases WHERE `+where+` AND created_at >= ?`,
		append(append([]any{}, args...), formatTime(since))...).Scan(&s.CasesThisPeriod); err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	rows, err = tx.Query(`SELECT category, COUNT(*) n FROM cases WHERE `+where+`
		GROUP BY category ORDER BY n DESC, category LIMIT 5`, args...)
	if err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	for rows.Next() {
		var c CategoryCount
		if err := rows.Scan(&c.Category, &c.N); err != nil {
			rows.Close()
			return s, fmt.Errorf("stats: %w", err)
		}
		s.TopCategories = append(s.TopCategories, c)
	}
	rows.Close()
	everywhere := kecamatan == nil || slices.Contains(kecamatan, "*")
	people, peopleArgs := areaCond("kecamatan", kecamatan)
	if !everywhere {
		people = "(role IN ('coordinator', 'admin') OR " + people + ")"
	}
	rows, err = tx.Query(`SELECT role, COUNT(*) FROM users WHERE status = 'active' AND id > 0 AND `+people+`
		GROUP BY role`, peopleArgs...)
	if err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	for rows.Next() {
		var r string
		var n int
		if err := rows.Scan(&r, &n); err != nil {
			rows.Close()
			return s, fmt.Errorf("stats: %w", err)
		}
		s.UsersByRole[r] = n
	}
	rows.Close()
	if err := tx.QueryRow(`SELECT COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status = 'blocked'), 0),
		COALESCE(SUM(status = 'active' AND unreachable = 1), 0) FROM users WHERE id > 0 AND `+people,
		peopleArgs...).Scan(&s.UsersPending, &s.UsersBlocked, &s.Unreachable); err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	invitees, _ := areaCond("u.kecamatan", kecamatan)
	if err := tx.QueryRow(`SELECT COUNT(*) FROM meetings m WHERE m.status = 'scheduled' AND m.starts_at >= ?
		AND (? OR EXISTS (SELECT 1 FROM meeting_invitations i JOIN users u ON u.id = i.user_id
			WHERE i.meeting_id = m.id AND `+invitees+`))`,
		append([]any{formatTime(tx.now), everywhere}, peopleArgs...)...).Scan(&s.MeetingsUpcoming); err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	return s, nil
}
