package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Form version statuses.
const (
	FormPreview   = "preview"
	FormPublished = "published"
	FormReplaced  = "replaced"
	FormDiscarded = "discarded"
)

// Form submission statuses, named as the case statuses are.
const (
	SubmissionNew      = "baru"
	SubmissionVerified = "terverifikasi"
	SubmissionFix      = "perlu_perbaikan"
)

// FormVersion is one checked upload of an XLSForm workbook.
type FormVersion struct {
	ID         int64
	FormID     string
	Version    string
	Title      string
	XLSX       []byte
	UploadedBy int64
	UploadedAt time.Time
	Status     string
}

// PublishedForm is a form new drafts can start: its published version and audience.
type PublishedForm struct {
	FormVersion
	AudienceRole      string // "" every worker, else a role
	AudienceKecamatan string // "" every kecamatan
}

// Submission is one filled-in form.
type Submission struct {
	ID          int64
	VersionID   int64
	FormID      string
	UserID      int64
	CaseID      int64 // 0 when not linked
	Kecamatan   string
	Data        string // JSON answers by question name; NIKs sealed
	NIKIndex    string
	Status      string
	FixFields   string // JSON list of question names to fix
	ReviewNote  string
	ReviewedBy  int64
	ReviewedAt  time.Time
	SubmittedAt time.Time
	UpdatedAt   time.Time
}

// AddFormVersion stores a checked upload with status preview and returns its id.
func (tx *Tx) AddFormVersion(v FormVersion) (int64, error) {
	res, err := tx.Exec(`INSERT INTO form_versions (form_id, version, title, xlsx, uploaded_by, uploaded_at, status)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, v.FormID, v.Version, v.Title, v.XLSX, v.UploadedBy, formatTime(tx.now), FormPreview)
	if err != nil {
		return 0, fmt.Errorf("add form version %s: %w", v.FormID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("add form version %s: %w", v.FormID, err)
	}
	return id, nil
}

// GetFormVersion returns the version with id.
func (tx *Tx) GetFormVersion(id int64) (FormVersion, bool, error) {
	v, err := scanFormVersion(tx.QueryRow(formVersionSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return FormVersion{}, false, nil
	}
	if err != nil {
		return FormVersion{}, false, fmt.Errorf("get form version %d: %w", id, err)
	}
	return v, true, nil
}

// PublishForm makes version id the one new drafts of its form use, for the
// audience given; the previously published version becomes replaced (kept: open
// drafts finish on it). It reports false when id is not a preview or published
// version.
func (tx *Tx) PublishForm(id int64, role, kecamatan string) (bool, error) {
	v, ok, err := tx.GetFormVersion(id)
	if err != nil || !ok || (v.Status != FormPreview && v.Status != FormPublished) {
		return false, err
	}
	if _, err := tx.Exec(`UPDATE form_versions SET status = ? WHERE form_id = ? AND status = ? AND id != ?`,
		FormReplaced, v.FormID, FormPublished, id); err != nil {
		return false, fmt.Errorf("publish form %s: %w", v.FormID, err)
	}
	if _, err := tx.Exec(`UPDATE form_versions SET status = ? WHERE id = ?`, FormPublished, id); err != nil {
		return false, fmt.Errorf("publish form %s: %w", v.FormID, err)
	}
	if _, err := tx.Exec(`INSERT INTO forms (form_id, published_version, audience_role, audience_kecamatan, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT(form_id) DO UPDATE SET published_version = excluded.published_version,
		audience_role = excluded.audience_role, audience_kecamatan = excluded.audience_kecamatan, updated_at = excluded.updated_at`,
		v.FormID, id, role, kecamatan, formatTime(tx.now)); err != nil {
		return false, fmt.Errorf("publish form %s: %w", v.FormID, err)
	}
	return true, nil
}

// DiscardFormVersion marks a preview not confirmed; it reports false when id
// is no longer a preview.
func (tx *Tx) DiscardFormVersion(id int64) (bool, error) {
	res, err := tx.Exec(`UPDATE form_versions SET status = ? WHERE id = ? AND status = ?`, FormDiscarded, id, FormPreview)
	if err != nil {
		return false, fmt.Errorf("discard form version %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UnpublishForm withdraws formID from new drafts (open drafts finish).
func (tx *Tx) UnpublishForm(formID string) error {
	if _, err := tx.Exec(`UPDATE form_versions SET status = ? WHERE form_id = ? AND status = ?`, FormReplaced, formID, FormPublished); err != nil {
		return fmt.Errorf("unpublish form %s: %w", formID, err)
	}
	if _, err := tx.Exec(`UPDATE forms SET published_version = NULL, updated_at = ? WHERE form_id = ?`, formatTime(tx.now), formID); err != nil {
		return fmt.Errorf("unpublish form %s: %w", formID, err)
	}
	return nil
}

// PublishedForms lists every published form, by title.
func (tx *Tx) PublishedForms() ([]PublishedForm, error) {
	rows, err := tx.Query(`SELECT v.id, v.form_id, v.version, v.title, v.xlsx, v.uploaded_by, v.uploaded_at, v.status,
		f.audience_role, f.audience_kecamatan FROM forms f JOIN form_versions v ON v.id = f.published_version ORDER BY v.title, v.form_id`)
	if err != nil {
		return nil, fmt.Errorf("published forms: %w", err)
	}
	defer rows.Close()
	var out []PublishedForm
	for rows.Next() {
		var p PublishedForm
		var at string
		if err := rows.Scan(&p.ID, &p.FormID, &p.Version, &p.Title, &p.XLSX, &p.UploadedBy, &at, &p.Status,
			&p.AudienceRole, &p.AudienceKecamatan); err != nil {
			return nil, fmt.Errorf("published forms: %w", err)
		}
		if p.UploadedAt, err = parseTime(at); err != nil {
			return nil, fmt.Errorf("published forms: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("published forms: %w", err)
	}
	return out, nil
}

// InsertSubmission stores a submission with status baru and returns its id.
func (tx *Tx) InsertSubmission(s Submission) (int64, error) {
	now := formatTime(tx.now)
	var caseID any
	if s.CaseID != 0 {
		caseID = s.CaseID
	}
	res, err := tx.Exec(`INSERT INTO form_submissions (version_id, form_id, user_id, case_id, kecamatan, data, nik_index,
		status, submitted_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.VersionID, s.FormID, s.UserID, caseID, s.Kecamatan, s.Data, s.NIKIndex, SubmissionNew, now, now)
	if err != nil {
		return 0, fmt.Errorf("insert submission of %s: %w", s.FormID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("insert submission of %s: %w", s.FormID, err)
	}
	return id, nil
}

// GetSubmission returns the submission with id.
func (tx *Tx) GetSubmission(id int64) (Submission, bool, error) {
	s, err := scanSubmission(tx.QueryRow(submissionSelect+` WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Submission{}, false, nil
	}
	if err != nil {
		return Submission{}, false, fmt.Errorf("get submission %d: %w", id, err)
	}
	return s, true, nil
}

// SubmissionFilter selects submissions; zero fields select all.
type SubmissionFilter struct {
	FormID    string
	UserID    int64
	CaseID    int64
	Kecamatan string // "" every kecamatan
	Status    string
}

// ListSubmissions lists the submissions f selects, oldest first.
func (tx *Tx) ListSubmissions(f SubmissionFilter) ([]Submission, error) {
	where, args := "1=1", []any{}
	add := func(cond string, v any) { where += " AND " + cond; args = append(args, v) }
	if f.FormID != "" {
		add("form_id = ?", f.FormID)
	}
	if f.UserID != 0 {
		add("user_id = ?", f.UserID)
	}
	if f.CaseID != 0 {
		add("case_id = ?", f.CaseID)
	}
	if f.Kecamatan != "" {
		add("kecamatan = ?", f.Kecamatan)
	}
	if f.Status != "" {
		add("status = ?", f.Status)
	}
	rows, err := tx.Query(submissionSelect+` WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list submissions: %w", err)
	}
	defer rows.Close()
	var out []Submission
	for rows.Next() {
		s, err := scanSubmission(rows)
		if err != nil {
			return nil, fmt.Errorf("list submissions: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list submissions: %w", err)
	}
	return out, nil
}

// SetSubmissionStatus moves submission id from status from to to, by reviewer
// by with note and, for perlu_perbaikan, fixFields (JSON list). It reports
// false, changing nothing, when the submission is no longer in from.
func (tx *Tx) SetSubmissionStatus(id int64, from, to string, by int64, note, fixFields string) (bool, error) {
	now := formatTime(tx.now)
	res, err := tx.Exec(`UPDATE form_submissions SET status = ?, reviewed_by = ?, reviewed_at = ?, review_note = ?,
		fix_fields = ?, updated_at = ? WHERE id = ? AND status = ?`, to, by, now, note, fixFields, now, id, from)
	if err != nil {
		return false, fmt.Errorf("set submission %d %s: %w", id, to, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("set submission %d %s: %w", id, to, err)
	}
	return n == 1, nil
}

// ResubmitSubmission replaces the answers of a submission that waits for a
// fix and moves it back to baru; false when it no longer waits for one.
func (tx *Tx) ResubmitSubmission(id int64, data, nikIndex string) (bool, error) {
	res, err := tx.Exec(`UPDATE form_submissions SET data = ?, nik_index = ?, status = ?, fix_fields = '', updated_at = ?
		WHERE id = ? AND status = ?`, data, nikIndex, SubmissionNew, formatTime(tx.now), id, SubmissionFix)
	if err != nil {
		return false, fmt.Errorf("resubmit submission %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("resubmit submission %d: %w", id, err)
	}
	return n == 1, nil
}

const formVersionSelect = `SELECT id, form_id, version, title, xlsx, uploaded_by, uploaded_at, status FROM form_versions`

func scanFormVersion(r scanner) (FormVersion, error) {
	var v FormVersion
	var at string
	if err := r.Scan(&v.ID, &v.FormID, &v.Version, &v.Title, &v.XLSX, &v.UploadedBy, &at, &v.Status); err != nil {
		return FormVersion{}, err
	}
	t, err := parseTime(at)
	if err != nil {
		return FormVersion{}, err
	}
	v.UploadedAt = t
	return v, nil
}

const submissionSelect = `SELECT id, version_id, form_id, user_id, COALESCE(case_id, 0), kecamatan, data, nik_index, status,
	fix_fields, review_note, COALESCE(reviewed_by, 0), COALESCE(reviewed_at, ''), submitted_at, updated_at FROM form_submissions`

func scanSubmission(r scanner) (Submission, error) {
	var s Submission
	var reviewed, submitted, updated string
	if err := r.Scan(&s.ID, &s.VersionID, &s.FormID, &s.UserID, &s.CaseID, &s.Kecamatan, &s.Data, &s.NIKIndex, &s.Status,
		&s.FixFields, &s.ReviewNote, &s.ReviewedBy, &reviewed, &submitted, &updated); err != nil {
		return Submission{}, err
	}
	var err error
	if reviewed != "" {
		if s.ReviewedAt, err = parseTime(reviewed); err != nil {
			return Submission{}, err
		}
	}
	if s.SubmittedAt, err = parseTime(submitted); err != nil {
		return Submission{}, err
	}
	if s.UpdatedAt, err = parseTime(updated); err != nil {
		return Submission{}, err
	}
	return s, nil
}

// FormAnswer is one question's answer in a submission's Data (JSON by
// question name). Text holds text, a number, a date (YYYY-MM-DD), a time
// (HH:MM), a dateTime (YYYY-MM-DDTHH:MM), a select_one choice name or a
// kecamatan/kelurahan name; for a NIK it holds the sealed ciphertext, never
// the digits. List holds select_multiple choice names in the order chosen.
// Files hold media paths relative to the media folder (image, audio).
type FormAnswer struct {
	Text     string   `json:"t,omitempty"`
	List     []string `json:"l,omitempty"`
	Lat      float64  `json:"la,omitempty"`
	Lon      float64  `json:"lo,omitempty"`
	Located  bool     `json:"g,omitempty"` // Lat/Lon hold a geopoint
	Files    []string `json:"f,omitempty"`
	Skipped  bool     `json:"s,omitempty"` // an optional question left out, or not relevant
	Computed bool     `json:"c,omitempty"` // calculate and metadata (start, end, today, username)
}

// EncodeFormAnswers is the Data of a submission with answers.
func EncodeFormAnswers(answers map[string]FormAnswer) (string, error) {
	b, err := json.Marshal(answers)
	if err != nil {
		return "", fmt.Errorf("encode form answers: %w", err)
	}
	return string(b), nil
}

// DecodeFormAnswers reads a submission's Data.
func DecodeFormAnswers(data string) (map[string]FormAnswer, error) {
	out := map[string]FormAnswer{}
	if err := json.Unmarshal([]byte(data), &out); err != nil {
		return nil, fmt.Errorf("decode form answers: %w", err)
	}
	return out, nil
}
