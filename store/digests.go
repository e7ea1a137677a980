package store

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// DigestSetting is which digests a coordinator or admin receives.
type DigestSetting struct {
	Daily, Weekly bool
}

// DigestSettingOf returns user's chosen digests, ok=false when they never chose
// (the deployment's default applies).
func (tx *Tx) DigestSettingOf(user int64) (DigestSetting, bool, error) {
	var s DigestSetting
	err := tx.QueryRow(`SELECT daily, weekly FROM digest_settings WHERE user_id = ?`, user).Scan(&s.Daily, &s.Weekly)
	if errors.Is(err, sql.ErrNoRows) {
		return DigestSetting{}, false, nil
	}
	if err != nil {
		return DigestSetting{}, false, fmt.Errorf("digest setting of %d: %w", user, err)
	}
	return s, true, nil
}

// SetDigestSetting records user's choice of digests.
func (tx *Tx) SetDigestSetting(user int64, s DigestSetting) error {
	if _, err := tx.Exec(`INSERT INTO digest_settings (user_id, daily, weekly, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET daily = excluded.daily, weekly = excluded.weekly,
			updated_at = excluded.updated_at`, user, s.Daily, s.Weekly, formatTime(tx.now)); err != nil {
		return fmt.Errorf("set digest setting of %d: %w", user, err)
	}
	return nil
}

// DigestCount is a number of cases under a key (a category, a kecamatan, a
// status).
type DigestCount struct {
	Key string
	N   int
}

// DigestStats are the case numbers of one digest: a period and an area.
type DigestStats struct {
	// NewTotal is the number of cases reported in the period; NewByCategory and
	// NewByKecamatan split it, largest first.
	NewTotal       int
	NewByCategory  []DigestCount
	NewByKecamatan []DigestCount
	// StatusChanges counts the period's status changes by new status.
	StatusChanges []DigestCount
	// Backlog is the number of cases waiting for verification now; Oldest is
	// the one waiting longest (when Backlog > 0).
	Backlog int
	Oldest  Case
}

// DigestStats computes the case numbers of cases in kecamatan (nil or "*":
// everywhere) for the period (from, to]. It reads no names and no NIK.
func (tx *Tx) DigestStats(kecamatan []string, from, to time.Time) (DigestStats, error) {
	var st DigestStats
	area, areaArgs := areaCond("kecamatan", kecamatan)
	period := []any{formatTime(from), formatTime(to)}
	// "+kecamatan": search by the period (the covering cases_created), not by
	// kecamatan, which would read every case of the area ever reported.
	rows, err := tx.Query(`SELECT category, kecamatan, COUNT(*) FROM cases
		WHERE created_at > ? AND created_at <= ? AND +`+area+` GROUP BY category, kecamatan`,
		append(period, areaArgs...)...)
	if err != nil {
		return st, fmt.Errorf("digest: new cases: %w", err)
	}
	byCat, byKec := map[string]int{}, map[string]int{}
	for rows.Next() {
		var cat, kec string
		var n int
		if err := rows.Scan(&cat, &kec, &n); err != nil {
			rows.Close()
			return st, fmt.Errorf("digest: new cases: %w", err)
		}
		byCat[cat] += n
		byKec[kec] += n
		st.NewTotal += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("digest: new cases: %w", err)
	}
	st.NewByCategory, st.NewByKecamatan = sortedCounts(byCat), sortedCounts(byKec)

	changesQuery := `SELECT to_status, COUNT(*) FROM case_events
		WHERE action = 'status' AND at > ? AND at <= ? GROUP BY to_status`
	if len(areaArgs) > 0 {
		area2, _ := areaCond("c.kecamatan", kecamatan)
		// CROSS JOIN: SQLite then reads the period's events first, not every
		// case of the area.
		changesQuery = `SELECT e.to_status, COUNT(*) FROM case_events e CROSS JOIN cases c ON c.id = e.case_id
			WHERE e.action = 'status' AND e.at > ? AND e.at <= ? AND ` + area2 + ` GROUP BY e.to_status`
	}
	rows, err = tx.Query(changesQuery, append(period, areaArgs...)...)
	if err != nil {
		return st, fmt.Errorf("digest: status changes: %w", err)
	}
	changes := map[string]int{}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			rows.Close()
			return st, fmt.Errorf("digest: status changes: %w", err)
		}
		changes[status] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("digest: status changes: %w", err)
	}
	st.StatusChanges = sortedCounts(changes)

	if err := tx.QueryRow(`SELECT COUNT(*) FROM cases WHERE status = 'baru' AND `+area, areaArgs...).
		Scan(&st.Backlog); err != nil {
		return st, fmt.Errorf("digest: backlog: %w", err)
	}
	if st.Backlog > 0 {
		oldest, err := tx.listCases("digest: oldest waiting case", `status = 'baru' AND `+area+
			` ORDER BY updated_at, id LIMIT 1`, areaArgs...)
		if err != nil {
			return st, err
		}
		if len(oldest) == 1 {
			st.Oldest = oldest[0]
		}
	}
	return st, nil
}

// sortedCounts is m as counts, largest first, then by key.
func sortedCounts(m map[string]int) []DigestCount {
	out := make([]DigestCount, 0, len(m))
	for k, n := range m {
		out = append(out, DigestCount{Key: k, N: n})
	}
	slices.SortFunc(out, func(a, b DigestCount) int {
		if a.N != b.N {
			return cmp.Compare(b.N, a.N)
		}
		return cmp.Compare(a.Key, b.Key)
	})
	return out
}
