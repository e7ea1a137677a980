package store

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"dinsosbot/store/nikcrypt"
)

// Case statuses (issue 5): a case starts baru (new); a coordinator verifies it
// (diverifikasi), sends it back for fixing (perlu_perbaikan, with a comment),
// or rejects it (ditolak, with a reason); a verified case is followed up
// (ditindaklanjuti, with a note) and ends selesai (closed) or ditolak.
const (
	CaseNew       = "baru"
	CaseVerified  = "diverifikasi"
	CaseNeedsFix  = "perlu_perbaikan"
	CaseFollowUp  = "ditindaklanjuti"
	CaseClosed    = "selesai"
	CaseRejected  = "ditolak"
	caseCodeWidth = 5
)

// CaseTransitions lists, for each status, the statuses a coordinator may move a
// case to; the review buttons are drawn from it, in this order. A worker's fix
// moves perlu_perbaikan back to baru (Resubmit). As the issue draws it, a
// case waiting for a fix goes on to ditindaklanjuti (help cannot always wait
// for the paperwork), selesai or ditolak: a worker who never fixes it must not
// leave it open forever. It is not verified without the fix, since verifying
// vouches for data the coordinator cannot edit. ditindaklanjuti ->
// ditindaklanjuti records one more follow-up note; selesai and ditolak are
// final.
var CaseTransitions = map[string][]string{
	CaseNew:      {CaseVerified, CaseNeedsFix, CaseRejected},
	CaseNeedsFix: {CaseFollowUp, CaseClosed, CaseRejected},
	CaseVerified: {CaseFollowUp, CaseClosed, CaseRejected},
	CaseFollowUp: {CaseFollowUp, CaseClosed, CaseRejected},
}

// CanTransition reports whether a coordinator may move a case from to.
func CanTransition(from, to string) bool { return slices.Contains(CaseTransitions[from], to) }

// Case actions recorded in the history.
const (
	CaseActionCreate   = "create"
	CaseActionStatus   = "status"
	CaseActionNote     = "note"
	CaseActionResubmit = "resubmit"
)

// Case is one PMKS case report. NIK is the full number: show nik.Mask(NIK)
// everywhere but the case record itself. The database holds it encrypted
// (nikstore.go); the Tx methods here seal and open it.
type Case struct {
	ID          int64
	Code        string
	ReporterID  int64
	Category    string // PPKS01..PPKS26
	FullName    string
	NIK         string // 16 digits, "" when the person has none
	NoNIKReason string
	Gender      string // "L" or "P"
	BirthDate   string // YYYY-MM-DD, "" when only the age is known
	BirthPlace  string // city or regency as typed, "" when not given
	// NoKK is the family card number, 16 digits, "" when not given; like the
	// NIK it is sealed at rest and shown masked (nik.Mask).
	NoKK string
	// RT and RW are three digits each (005, 002), "" when not given.
	RT, RW    string
	Age       int // years at report time when BirthDate is ""
	Address   string
	Kecamatan string
	Kelurahan string
	// HasLocation says whether Latitude and Longitude were shared.
	HasLocation         bool
	Latitude, Longitude float64
	Description         string
	Needs               []string
	Urgency             string
	Status              string
	ReviewerID          int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// NextCaseCode allocates the next code of year in the transaction:
// PREFIX-YY-NNNNN (JMB-26-00042), readable aloud, never reused. The sequence
// restarts each year; past 99999 it simply grows a digit.
func (tx *Tx) NextCaseCode(prefix string, year int) (string, error) {
	var n int
	if err := tx.QueryRow(`INSERT INTO case_seq (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last`, year).Scan(&n); err != nil {
		return "", fmt.Errorf("allocate case code for %d: %w", year, err)
	}
	return fmt.Sprintf("%s-%02d-%0*d", prefix, year%100, caseCodeWidth, n), nil
}

// InsertCase stores c (Code already allocated) with status baru, records the
// creation in the history, and returns the case id.
func (tx *Tx) InsertCase(c Case) (int64, error) {
	now := formatTime(tx.now)
	lat, lon := location(c)
	res, err := tx.Exec(`INSERT INTO cases (code, reporter_id, category, full_name, nik, nik_index, no_nik_reason, gender,
		birth_date, birth_place, age, address, kecamatan, kelurahan, latitude, longitude, description, needs, urgency,
		status, created_at, updated_at, no_kk, rt, rw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Code, c.ReporterID, c.Category, c.FullName, tx.keys.SealNIK(c.NIK), tx.keys.Index(c.NIK), c.NoNIKReason, c.Gender, c.BirthDate, c.BirthPlace, c.Age,
		c.Address, c.Kecamatan, c.Kelurahan, lat, lon, c.Description, strings.Join(c.Needs, ","), c.Urgency,
		CaseNew, now, now, tx.keys.SealNIK(c.NoKK), c.RT, c.RW)
	if err != nil {
		return 0, fmt.Errorf("insert case %s: %w", c.Code, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("insert case %s: %w", c.Code, err)
	}
	if err := tx.AddCaseEvent(id, c.ReporterID, CaseActionCreate, "", CaseNew, ""); err != nil {
		return 0, err
	}
	return id, nil
}

func location(c Case) (lat, lon any) {
	if !c.HasLocation {
		return nil, nil
	}
	return c.Latitude, c.Longitude
}

// ResubmitCase replaces the reported fields of case c.ID with c's (after a fix
// the coordinator asked for) and moves it from perlu_perbaikan back to baru;
// changed names the form's fields the worker changed, for the history. It
// reports false, changing nothing, when the case no longer waits for a fix.
func (tx *Tx) ResubmitCase(c Case, by int64, note string, changed []string) (bool, error) {
	lat, lon := location(c)
	res, err := tx.Exec(`UPDATE cases SET category = ?, full_name = ?, nik = ?, nik_index = ?, no_nik_reason = ?, gender = ?,
		birth_date = ?, birth_place = ?, age = ?, address = ?, kecamatan = ?, kelurahan = ?, latitude = ?,
		longitude = ?, description = ?, needs = ?, urgency = ?, status = ?, updated_at = ?, no_kk = ?, rt = ?, rw = ?
		WHERE id = ? AND status = ?`,
		c.Category, c.FullName, tx.keys.SealNIK(c.NIK), tx.keys.Index(c.NIK), c.NoNIKReason, c.Gender, c.BirthDate, c.BirthPlace, c.Age, c.Address, c.Kecamatan,
		c.Kelurahan, lat, lon, c.Description, strings.Join(c.Needs, ","), c.Urgency, CaseNew,
		formatTime(tx.now), tx.keys.SealNIK(c.NoKK), c.RT, c.RW, c.ID, CaseNeedsFix)
	if err != nil {
		return false, fmt.Errorf("resubmit case %d: %w", c.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return false, err
	}
	return true, tx.addCaseEvent(c.ID, by, CaseActionResubmit, CaseNeedsFix, CaseNew, note, changed)
}

// SetCaseStatus moves case id from status from to status to, by user by with
// note, and records it; by becomes the case's reviewer. It reports false, changing nothing, when the case is no
// longer in from (someone else acted first, or a double press).
func (tx *Tx) SetCaseStatus(id int64, from, to string, by int64, note string) (bool, error) {
	return tx.SetCaseStatusFields(id, from, to, by, note, nil)
}

// SetCaseStatusFields is SetCaseStatus recording, with the event, the fields
// of the case form it is about: the ones a coordinator marked to fix when to
// is perlu_perbaikan (CaseFixFields reads them back).
func (tx *Tx) SetCaseStatusFields(id int64, from, to string, by int64, note string, fields []string) (bool, error) {
	res, err := tx.Exec(`UPDATE cases SET status = ?, reviewer_id = ?, updated_at = ? WHERE id = ? AND status = ?`,
		to, by, formatTime(tx.now), id, from)
	if err != nil {
		return false, fmt.Errorf("set status of case %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("set status of case %d: %w", id, err)
	}
	if n != 1 {
		return false, nil
	}
	return true, tx.addCaseEvent(id, by, CaseActionStatus, from, to, note, fields)
}

// CaseFixFields returns the fields of the case form the coordinator marked to
// fix when case id was last sent back for fixing, in the form's order; none
// when nothing was marked (or the case never was).
func (tx *Tx) CaseFixFields(id int64) ([]string, error) {
	var fields string
	err := tx.QueryRow(`SELECT fields FROM case_events WHERE case_id = ? AND action = ? AND to_status = ?
		ORDER BY id DESC LIMIT 1`, id, CaseActionStatus, CaseNeedsFix).Scan(&fields)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the fields to fix of case %d: %w", id, err)
	}
	return splitList(fields), nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// AddCaseNote records a follow-up note on case id without changing its status.
func (tx *Tx) AddCaseNote(id, by int64, note string) error {
	c, ok, err := tx.GetCase(id)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("add note: no case %d", id)
	}
	if _, err := tx.Exec(`UPDATE cases SET updated_at = ? WHERE id = ?`, formatTime(tx.now), id); err != nil {
		return fmt.Errorf("add note to case %d: %w", id, err)
	}
	return tx.AddCaseEvent(id, by, CaseActionNote, c.Status, c.Status, note)
}

// AddCaseEvent appends one entry to the history of case id.
func (tx *Tx) AddCaseEvent(id, by int64, action, from, to, note string) error {
	return tx.addCaseEvent(id, by, action, from, to, note, nil)
}

func (tx *Tx) addCaseEvent(id, by int64, action, from, to, note string, fields []string) error {
	if _, err := tx.Exec(`INSERT INTO case_events (case_id, at, user_id, action, from_status, to_status, note, fields)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, formatTime(tx.now), by, action, from, to, note,
		strings.Join(fields, ",")); err != nil {
		return fmt.Errorf("record event of case %d: %w", id, err)
	}
	return nil
}

// CaseEvent is one entry of a case's history.
type CaseEvent struct {
	At     time.Time
	UserID int64
	// UserName is the user's registered name, or first name.
	UserName string
	Action   string
	From, To string
	Note     string
	// Fields are the case form's fields the event is about: marked to fix
	// (status to perlu_perbaikan) or changed (resubmit).
	Fields []string
}

// CaseEvents returns the history of case id, oldest first.
func (tx *Tx) CaseEvents(id int64) ([]CaseEvent, error) {
	rows, err := tx.Query(`SELECT e.at, e.user_id, COALESCE(NULLIF(u.full_name, ''), u.first_name, ''), e.action,
		e.from_status, e.to_status, e.note, e.fields FROM case_events e LEFT JOIN users u ON u.id = e.user_id
		WHERE e.case_id = ? ORDER BY e.id`, id)
	if err != nil {
		return nil, fmt.Errorf("read history of case %d: %w", id, err)
	}
	defer rows.Close()
	var out []CaseEvent
	for rows.Next() {
		var e CaseEvent
		var at, fields string
		if err := rows.Scan(&at, &e.UserID, &e.UserName, &e.Action, &e.From, &e.To, &e.Note, &fields); err != nil {
			return nil, fmt.Errorf("read history of case %d: %w", id, err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		e.Fields = splitList(fields)
		out = append(out, e)
	}
	return out, rows.Err()
}

const caseSelect = `SELECT id, code, reporter_id, category, full_name, nik, no_nik_reason, gender, birth_date,
	birth_place, age, address, kecamatan, kelurahan, latitude, longitude, description, needs, urgency, status, reviewer_id,
	created_at, updated_at, no_kk, rt, rw FROM cases`

func scanCase(row scanner) (Case, error) {
	var c Case
	var lat, lon sql.NullFloat64
	var needs, created, updated string
	if err := row.Scan(&c.ID, &c.Code, &c.ReporterID, &c.Category, &c.FullName, &c.NIK, &c.NoNIKReason, &c.Gender,
		&c.BirthDate, &c.BirthPlace, &c.Age, &c.Address, &c.Kecamatan, &c.Kelurahan, &lat, &lon, &c.Description, &needs,
		&c.Urgency, &c.Status, &c.ReviewerID, &created, &updated, &c.NoKK, &c.RT, &c.RW); err != nil {
		return Case{}, err
	}
	c.HasLocation, c.Latitude, c.Longitude = lat.Valid && lon.Valid, lat.Float64, lon.Float64
	if needs != "" {
		c.Needs = strings.Split(needs, ",")
	}
	var err error
	if c.CreatedAt, err = parseTime(created); err != nil {
		return Case{}, err
	}
	if c.UpdatedAt, err = parseTime(updated); err != nil {
		return Case{}, err
	}
	return c, nil
}

// openCase decrypts the identity numbers of a case just read: the NIK and
// the family card number, both sealed with the NIK keyring. A plaintext value
// (written by SQL by hand) is returned as it is; the next Open seals it.
func (tx *Tx) openCase(c *Case) error {
	if err := tx.openNIK(c); err != nil {
		return err
	}
	if _, sealed := nikcrypt.SealedKeyID(c.NoKK); !sealed {
		return nil
	}
	kk, err := tx.keys.OpenNIK(c.NoKK)
	if err != nil {
		return fmt.Errorf("decrypt the family card number of case %d: %w", c.ID, err)
	}
	c.NoKK = kk
	return nil
}

// sealCaseKKs seals the family card number of every case not sealed with the
// current key (with rekey: of every case), as sealCaseNIKs does the NIK, so
// a rekey leaves none under a key about to be dropped.
func (tx *Tx) sealCaseKKs(rekey bool) (int, error) {
	type row struct {
		id int64
		kk string
	}
	var todo []row
	rows, err := tx.Query(`SELECT id, no_kk FROM cases WHERE no_kk != ''`)
	if err != nil {
		return 0, fmt.Errorf("read family card numbers to encrypt: %w", err)
	}
	cur := tx.keys.Current().ID()
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.kk); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read family card numbers to encrypt: %w", err)
		}
		if id, sealed := nikcrypt.SealedKeyID(r.kk); !rekey && sealed && id == cur {
			continue
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read family card numbers to encrypt: %w", err)
	}
	for _, r := range todo {
		plain := r.kk
		if _, sealed := nikcrypt.SealedKeyID(r.kk); sealed {
			if plain, err = tx.keys.OpenNIK(r.kk); err != nil {
				return 0, nikKeyError(fmt.Sprintf("the family card number of case %d", r.id), err)
			}
		}
		if _, err := tx.Exec(`UPDATE cases SET no_kk = ? WHERE id = ?`, tx.keys.SealNIK(plain), r.id); err != nil {
			return 0, fmt.Errorf("encrypt the family card number of case %d: %w", r.id, err)
		}
	}
	return len(todo), nil
}

// GetCase returns case id, ok=false when there is none.
func (tx *Tx) GetCase(id int64) (Case, bool, error) {
	c, err := scanCase(tx.QueryRow(caseSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Case{}, false, nil
	}
	if err != nil {
		return Case{}, false, fmt.Errorf("get case %d: %w", id, err)
	}
	if err := tx.openCase(&c); err != nil {
		return Case{}, false, err
	}
	return c, true, nil
}

func (tx *Tx) listCases(what, where string, args ...any) ([]Case, error) {
	rows, err := tx.Query(caseSelect+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if err := tx.openCase(&c); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// CasesByNIK lists the cases recorded with nik, newest first. It looks nik up
// by its blind index: the stored NIKs are encrypted.
func (tx *Tx) CasesByNIK(nik string) ([]Case, error) {
	if nik == "" {
		return nil, nil
	}
	return tx.listCases("find cases by NIK", `nik_index = ? ORDER BY id DESC`, tx.keys.Index(nik))
}

// SimilarCases lists cases with the same name (ignoring case and spacing),
// kelurahan and birth date, newest first, leaving out case except.
func (tx *Tx) SimilarCases(name, kelurahan, birthDate string, except int64) ([]Case, error) {
	if birthDate == "" {
		return nil, nil
	}
	cands, err := tx.listCases("find similar cases", `kelurahan = ? AND birth_date = ? AND id != ? ORDER BY id DESC`,
		kelurahan, birthDate, except)
	if err != nil {
		return nil, err
	}
	key := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	var out []Case
	for _, c := range cands {
		if key(c.FullName) == key(name) {
			out = append(out, c)
		}
	}
	return out, nil
}

// CaseFilter selects cases for a list. The zero value selects every case.
type CaseFilter struct {
	// ReporterID, when not 0, keeps the cases this user reported.
	ReporterID int64
	// NotReporterID, when not 0, leaves out the cases this user reported: a
	// verification queue never offers anyone their own reports.
	NotReporterID int64
	// Kecamatan, when not nil, keeps the cases in these kecamatan; "*" is all.
	Kecamatan []string
	// Statuses, when not empty, keeps cases in these statuses.
	Statuses []string
}

func (f CaseFilter) where() (string, []any) {
	conds, args := []string{"1=1"}, []any{}
	if f.ReporterID != 0 {
		conds, args = append(conds, "reporter_id = ?"), append(args, f.ReporterID)
	}
	if f.NotReporterID != 0 {
		conds, args = append(conds, "reporter_id != ?"), append(args, f.NotReporterID)
	}
	if f.Kecamatan != nil && !slices.Contains(f.Kecamatan, "*") {
		conds = append(conds, "kecamatan IN ("+placeholders(len(f.Kecamatan))+")")
		for _, k := range f.Kecamatan {
			args = append(args, k)
		}
	}
	if len(f.Statuses) > 0 {
		conds = append(conds, "status IN ("+placeholders(len(f.Statuses))+")")
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	return strings.Join(conds, " AND "), args
}

func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// ListCases returns up to limit cases matching f, newest first, after skipping
// offset, and how many match in all.
func (tx *Tx) ListCases(f CaseFilter, offset, limit int) ([]Case, int, error) {
	where, args := f.where()
	var total int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM cases WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count cases: %w", err)
	}
	out, err := tx.listCases("list cases", where+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	return out, total, err
}

// CaseCoordinators lists the active, reachable coordinators who cover
// kecamatan (or all kecamatan), by id.
func (tx *Tx) CaseCoordinators(kecamatan string) ([]User, error) {
	all, err := tx.UsersWithRole(RoleCoordinator)
	if err != nil {
		return nil, err
	}
	var out []User
	for _, u := range all {
		if slices.Contains(u.Covers, kecamatan) || slices.Contains(u.Covers, "*") {
			out = append(out, u)
		}
	}
	return out, nil
}

// AddCaseNotice remembers the outbox row that showed case id in chat.
func (tx *Tx) AddCaseNotice(id, chatID, outboxID int64) error {
	if _, err := tx.Exec(`INSERT OR REPLACE INTO case_notices (case_id, chat_id, outbox_id) VALUES (?, ?, ?)`,
		id, chatID, outboxID); err != nil {
		return fmt.Errorf("add case notice: %w", err)
	}
	return nil
}

// CaseNotice is one coordinator's copy of a case notification.
type CaseNotice struct {
	ChatID   int64
	OutboxID int64
}

// CaseNotices lists the notices of case id.
func (tx *Tx) CaseNotices(id int64) ([]CaseNotice, error) {
	rows, err := tx.Query(`SELECT chat_id, outbox_id FROM case_notices WHERE case_id = ? ORDER BY chat_id`, id)
	if err != nil {
		return nil, fmt.Errorf("list case notices: %w", err)
	}
	defer rows.Close()
	var out []CaseNotice
	for rows.Next() {
		var n CaseNotice
		if err := rows.Scan(&n.ChatID, &n.OutboxID); err != nil {
			return nil, fmt.Errorf("list case notices: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
