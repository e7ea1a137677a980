package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// UserErased is the status of the stand-in row that keeps an erased user's
// cases attributed (see EraseUser). It never logs in: its id is negative.
const UserErased = "erased"

// UserFilter selects users for the admin's list. The zero value selects
// everyone who ever registered.
type UserFilter struct {
	// Status: "" any, a User status, or "unreachable" (active but unreachable).
	Status string
	// Role: "" any, or a Role.
	Role string
	// Kecamatan: "" any, or a kecamatan code.
	Kecamatan string
}

// UserFilterUnreachable is the UserFilter.Status of users the bot cannot reach.
const UserFilterUnreachable = "unreachable"

func (f UserFilter) where() (string, []any) {
	conds, args := []string{"id > 0", "status NOT IN ('new', 'erased')"}, []any{}
	switch f.Status {
	case "":
	case UserFilterUnreachable:
		conds = append(conds, "unreachable = 1")
	default:
		conds, args = append(conds, "status = ?"), append(args, f.Status)
	}
	if f.Role != "" {
		conds, args = append(conds, "role = ?"), append(args, f.Role)
	}
	if f.Kecamatan != "" {
		conds, args = append(conds, "kecamatan = ?"), append(args, f.Kecamatan)
	}
	return strings.Join(conds, " AND "), args
}

// ListUsers returns up to limit users matching f after skipping offset, pending
// users first, then by name, and how many match in all.
func (tx *Tx) ListUsers(f UserFilter, offset, limit int) ([]User, int, error) {
	where, args := f.where()
	var total int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM users WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	rows, err := tx.Query(userSelect+` WHERE `+where+` ORDER BY status != 'pending',
		lower(COALESCE(NULLIF(full_name, ''), first_name)), id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// PendingApproval returns the id of user's pending approval, 0 when none.
func (tx *Tx) PendingApproval(user int64) (int64, error) {
	var id int64
	err := tx.QueryRow(`SELECT id FROM approvals WHERE user_id = ? AND status = 'pending' ORDER BY id DESC LIMIT 1`,
		user).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("pending approval of user %d: %w", user, err)
	}
	return id, nil
}

// SetCovers sets the kecamatan a coordinator covers (["*"]: all).
func (tx *Tx) SetCovers(id int64, covers []string) error {
	if _, err := tx.Exec(`UPDATE users SET covers = ?, updated_at = ? WHERE id = ?`,
		strings.Join(covers, ","), formatTime(tx.now), id); err != nil {
		return fmt.Errorf("set covers of user %d: %w", id, err)
	}
	return nil
}

// AuditRecord is one audit log entry with its time and the actor's name.
type AuditRecord struct {
	ID     int64
	At     time.Time
	UserID int64
	Name   string // the actor's registered or first name, "" when unknown or erased
	Action string
	Detail string
}

// AuditRecent returns up to limit entries, newest first, after skipping
// offset, and the total count.
func (tx *Tx) AuditRecent(offset, limit int) ([]AuditRecord, int, error) {
	var total int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM audit_log`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit log: %w", err)
	}
	rows, err := tx.Query(`SELECT a.id, a.at, a.user_id, COALESCE(NULLIF(u.full_name, ''), u.first_name, ''),
		a.action, a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
		ORDER BY a.id DESC LIMIT ? OFFSET ?`, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		var r AuditRecord
		var at string
		if err := rows.Scan(&r.ID, &at, &r.UserID, &r.Name, &r.Action, &r.Detail); err != nil {
			return nil, 0, fmt.Errorf("read audit log: %w", err)
		}
		if r.At, err = parseTime(at); err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}

// EraseUser removes user id's personal data (UU 27/2022): the user row, their
// conversations, registration requests and their notices, their outbox
// messages and failed updates are deleted. What they did that the office must
// keep (cases reported, case history, meeting invitations and attendance,
// broadcasts) is moved to a new stand-in row with a negative id, the same
// role and kecamatan, no name, no phone and status erased, so counts by role
// and area still add up. It returns the stand-in's id; ok is false when the
// user does not exist. The Erasure lists the messages already delivered to
// other chats that named them, for the caller to edit or delete there.
func (tx *Tx) EraseUser(id int64, standInName string) (standIn int64, er Erasure, ok bool, err error) {
	u, found, err := tx.GetUser(id)
	if err != nil || !found {
		return 0, er, false, err
	}
	tx.MarkErased()
	// What identifies them in messages sent to others is gathered before
	// their approvals (every name and number they ever asked for) go.
	tr, err := tx.userTrace(u)
	if err != nil {
		return 0, er, false, err
	}
	if err := tx.QueryRow(`SELECT MIN(MIN(id), 0) - 1 FROM users`).Scan(&standIn); err != nil {
		return 0, er, false, fmt.Errorf("erase user: %w", err)
	}
	now := formatTime(tx.now)
	if _, err := tx.Exec(`INSERT INTO users (id, first_name, role, status, unreachable, full_name, kecamatan,
		created_at, updated_at) VALUES (?, '', ?, ?, 1, ?, ?, ?, ?)`,
		standIn, u.Role, UserErased, standInName, u.Kecamatan, now, now); err != nil {
		return 0, er, false, fmt.Errorf("erase user: stand-in: %w", err)
	}
	steps := []struct{ what, q string }{
		{"cases", `UPDATE cases SET reporter_id = ? WHERE reporter_id = ?`},
		{"reviews", `UPDATE cases SET reviewer_id = ? WHERE reviewer_id = ?`},
		{"case history", `UPDATE case_events SET user_id = ? WHERE user_id = ?`},
		{"meetings", `UPDATE meetings SET created_by = ? WHERE created_by = ?`},
		// The reason they gave for not coming is their own words (often health).
		{"invitations", `UPDATE meeting_invitations SET user_id = ?, outbox_id = 0, reason = '' WHERE user_id = ?`},
		{"attendance", `UPDATE meeting_attendance SET user_id = ? WHERE user_id = ?`},
		{"attendance marks", `UPDATE meeting_attendance SET marked_by = ? WHERE marked_by = ?`},
		{"invites", `UPDATE invites SET created_by = ? WHERE created_by = ?`},
		{"broadcasts", `UPDATE broadcasts SET created_by = ?, chat_id = 0 WHERE created_by = ?`},
		{"broadcast messages", `UPDATE broadcast_messages SET user_id = ?, outbox_id = 0 WHERE user_id = ?`},
		{"backups", `UPDATE backups SET created_by = ? WHERE created_by = ?`},
	}
	for _, s := range steps {
		if _, err := tx.Exec(s.q, standIn, id); err != nil {
			return 0, er, false, fmt.Errorf("erase user: %s: %w", s.what, err)
		}
	}
	if err := tx.handOverSubmissions(u, standIn); err != nil {
		return 0, er, false, err
	}
	deletes := []struct {
		what, q string
		args    []any
	}{
		{"case notices", `DELETE FROM case_notices WHERE chat_id = ?`, []any{id}},
		{"approval notices", `DELETE FROM approval_notices WHERE chat_id = ?
			OR approval_id IN (SELECT id FROM approvals WHERE user_id = ?)`, []any{id, id}},
		{"approvals", `DELETE FROM approvals WHERE user_id = ?`, []any{id}},
		{"pending check-ins", `DELETE FROM pending_checkins WHERE user_id = ?`, []any{id}},
		{"digest settings", `DELETE FROM digest_settings WHERE user_id = ?`, []any{id}},
		{"reminders sent", `DELETE FROM reminders_sent WHERE user_id = ?`, []any{id}},
		{"conversations", `DELETE FROM conversations WHERE user_id = ? OR chat_id = ?`, []any{id, id}},
		{"outbox", `DELETE FROM outbox WHERE chat_id = ?`, []any{id}},
		// The raw update JSON holds names and phone numbers; match the user's
		// id as a JSON number.
		{"failed updates", `DELETE FROM failed_updates WHERE payload LIKE ? OR payload LIKE ?`,
			[]any{fmt.Sprintf(`%%"id":%d,%%`, id), fmt.Sprintf(`%%"id":%d}%%`, id)}},
		{"user", `DELETE FROM users WHERE id = ?`, []any{id}},
	}
	for _, d := range deletes {
		if _, err := tx.Exec(d.q, d.args...); err != nil {
			return 0, er, false, fmt.Errorf("erase user: %s: %w", d.what, err)
		}
	}
	if u.Status == UserBlocked {
		// Erasure is a right a block cannot take away, but it must not
		// lift the block either: the Telegram id alone stays, blocked, with
		// nothing else about them, so erasing and registering again is not
		// a way back in.
		if _, err := tx.Exec(`INSERT INTO users (id, first_name, role, status, created_at, updated_at)
			VALUES (?, '', ?, ?, ?, ?)`, id, RoleNone, UserBlocked, now, now); err != nil {
			return 0, er, false, fmt.Errorf("erase user: keep the block: %w", err)
		}
	}
	// Messages about them in other people's chats: approval notices with
	// their profile, case notices naming the reporter, user cards, a
	// broadcast's list of who was not reached.
	if er.Delivered, err = tx.scrubOutbox(tr, standInName); err != nil {
		return 0, er, false, fmt.Errorf("erase user: %w", err)
	}
	if err := tx.deleteFailedUpdates(tr); err != nil {
		return 0, er, false, fmt.Errorf("erase user: %w", err)
	}
	return standIn, er, true, nil
}

// userTrace is what identifies u in stored texts: every full name and phone
// number u registered or asked for, the Telegram first name and username.
func (tx *Tx) userTrace(u User) (trace, error) {
	var tr trace
	names, phones := []string{u.FullName}, []string{u.Phone}
	rows, err := tx.Query(`SELECT data FROM approvals WHERE user_id = ?`, u.ID)
	if err != nil {
		return tr, fmt.Errorf("erase user %d: read approvals: %w", u.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return tr, fmt.Errorf("erase user %d: read approvals: %w", u.ID, err)
		}
		var p Profile
		if json.Unmarshal([]byte(data), &p) == nil {
			names, phones = append(names, p.FullName), append(phones, p.Phone)
		}
	}
	if err := rows.Err(); err != nil {
		return tr, fmt.Errorf("erase user %d: read approvals: %w", u.ID, err)
	}
	for _, n := range names {
		tr.add(n, true)
		// Lists clip long names ("Muhammad Abdurrahman Al…"): the clipped
		// head still names them.
		if r := []rune(n); len(r) > clipHead {
			tr.add(string(r[:clipHead]), false)
		}
	}
	for _, p := range phones {
		tr.add(p, true)
		// +6281234567890 is also written 081234567890 and 6281234567890.
		tr.add(strings.TrimPrefix(p, "+62"), false)
	}
	// The Telegram name is matched but never replaced: "Tono" may be part
	// of someone else's name in a message still to be sent.
	tr.add(u.FirstName, false)
	if u.Username != "" {
		tr.add("@"+u.Username, true)
		tr.add(u.Username, false)
	}
	return tr, nil
}

// clipHead is how much of a long name is matched: lists clip names at 30 or
// 40 characters.
const clipHead = 24

// minTrace is the shortest string matched: a shorter one ("Al") would match
// texts about anyone.
const minTrace = 3

// trace is what identifies a person or a case in stored texts.
type trace struct {
	// find: a row whose texts hold any of these (ignoring case, as typed or
	// HTML-escaped, never inside a longer word) is about the subject.
	find []string
	// replace: the forms replaced by the placeholder in a message not sent
	// yet (exact identifiers, never a fragment that may be part of another
	// name).
	replace []string
	// notice: the forms that make a message already delivered about the
	// subject, to be edited or deleted in its chat (exact identifiers and
	// the case code; not a first name that others may share).
	notice []string
	// fileIDs are Telegram file ids of the subject's photos; coords the
	// map points of their location.
	fileIDs []string
	coords  [][2]float64
}

// add adds s (and its HTML-escaped form, as texts hold it) to find, and to
// replace and notice when exact.
func (tr *trace) add(s string, exact bool) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) < minTrace {
		return
	}
	for _, f := range []string{s, html.EscapeString(s)} {
		if !slices.Contains(tr.find, f) {
			tr.find = append(tr.find, f)
		}
		if exact && !slices.Contains(tr.replace, f) {
			tr.replace = append(tr.replace, f)
			tr.notice = append(tr.notice, f)
		}
	}
}

// addNotice adds s to find and notice only: it says which messages are about
// the subject (a case code) but is not itself personal data to replace.
func (tr *trace) addNotice(s string) {
	tr.add(s, false)
	if s = strings.TrimSpace(s); s != "" && !slices.Contains(tr.notice, s) {
		tr.notice = append(tr.notice, s)
	}
}

// wordRE matches s ignoring case, but not inside a longer word: "Budi" is
// not found in "Budiman". An edge of s that is not a letter (a phone number,
// a NIK, a code) needs no boundary there. Group 1 and 2 are the boundaries,
// kept when replacing.
func wordRE(s string) *regexp.Regexp {
	pre, post := "()", "()"
	if r, _ := utf8.DecodeRuneInString(s); unicode.IsLetter(r) {
		pre = `(^|[^\p{L}\p{N}])`
	}
	if r, _ := utf8.DecodeLastRuneInString(s); unicode.IsLetter(r) {
		post = `($|[^\p{L}\p{N}])`
	}
	return regexp.MustCompile(`(?i)` + pre + regexp.QuoteMeta(s) + post)
}

func wordREs(forms []string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, 0, len(forms))
	for _, s := range forms {
		if s != "" {
			out = append(out, wordRE(s))
		}
	}
	// Longest first, so "Tono Wibowo" goes before a shorter form inside it.
	slices.SortFunc(out, func(a, b *regexp.Regexp) int { return len(b.String()) - len(a.String()) })
	return out
}

// texts are the strings of m a person reads.
func texts(m Message) []string {
	out := []string{m.Text, m.FileName}
	for _, row := range m.Buttons {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	if m.Reply != nil {
		for _, row := range m.Reply.Buttons {
			for _, b := range row {
				out = append(out, b.Text)
			}
		}
	}
	return out
}

// mentions reports whether m names what res match, or sends one of tr's
// photos or locations.
func (tr trace) mentions(m Message, res []*regexp.Regexp) bool {
	if m.FileID != "" && slices.Contains(tr.fileIDs, m.FileID) {
		return true
	}
	if m.Kind == KindLocation && slices.Contains(tr.coords, [2]float64{m.Latitude, m.Longitude}) {
		return true
	}
	for _, t := range texts(m) {
		for _, re := range res {
			if t != "" && re.MatchString(t) {
				return true
			}
		}
	}
	return false
}

// jsonNeedle is s as it appears inside a JSON string, lowercased as SQLite's
// lower() does (ASCII only), to find it in a stored payload.
func jsonNeedle(s string) string {
	b, _ := json.Marshal(s) // a string always encodes
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, string(b[1:len(b)-1]))
}

// where is the SQL condition selecting col values that may mention tr, with
// its arguments: a coarse filter (a substring), refined in Go by mentions.
func (tr trace) where(col string) (string, []any) {
	var conds []string
	var args []any
	for _, s := range append(slices.Clone(tr.find), tr.fileIDs...) {
		if s == "" {
			continue
		}
		conds, args = append(conds, `instr(lower(`+col+`), ?) > 0`), append(args, jsonNeedle(s))
	}
	for _, c := range tr.coords {
		conds = append(conds, `(json_valid(`+col+`) AND json_extract(`+col+`, '$.latitude') = ? AND json_extract(`+
			col+`, '$.longitude') = ?)`)
		args = append(args, c[0], c[1])
	}
	if len(conds) == 0 {
		return "0", nil
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// Erasure is what an erasure leaves for the caller to do outside the
// database's rows.
type Erasure struct {
	// Photos are the files to delete, relative to the media folder.
	Photos []string
	// Delivered are the messages already in people's chats that held the
	// erased data: to be edited to a neutral text and deleted where Telegram
	// allows.
	Delivered []Delivered
	// Drafts are the conversations dropped because they were about the
	// erased case, for their owners to be told.
	Drafts []Conversation
}

// Delivered is a message the bot put in a chat.
type Delivered struct {
	ChatID    int64
	MessageID int
	// Text: a text message, which can be edited; a photo, document or
	// location can only be deleted.
	Text bool
	// OutboxID is the row that sent (or last edited) it.
	OutboxID int64
}

// scrubOutbox removes what tr identifies from the outbox rows that mention
// it. A row already sent (or given up on) is kept only for its chat and
// Telegram message id, which later edits need; its texts, buttons, file,
// file id and coordinates go. A row still to be sent keeps its meaning with
// the subject's identifiers replaced by placeholder, unless it would send
// their photo or location: then it is given up on and scrubbed too. It
// returns the messages delivered that named the subject (tr.notice), once
// per chat and message.
func (tx *Tx) scrubOutbox(tr trace, placeholder string) ([]Delivered, error) {
	where, args := tr.where("payload")
	rows, err := tx.Query(`SELECT id, status, payload, tg_message_id FROM outbox WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("scrub outbox: %w", err)
	}
	type row struct {
		id              int64
		status, payload string
		tgID            int
	}
	var found []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.status, &r.payload, &r.tgID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scrub outbox: %w", err)
		}
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("scrub outbox: %w", err)
	}
	finds, notices, repl := wordREs(tr.find), wordREs(tr.notice), wordREs(tr.replace)
	var delivered []Delivered
	seen := map[[2]int64]int{}
	for _, r := range found {
		var m Message
		if err := json.Unmarshal([]byte(r.payload), &m); err != nil {
			return nil, fmt.Errorf("scrub outbox row %d: %w", r.id, err)
		}
		if !tr.mentions(m, finds) {
			continue // "Budi" found only inside "Budiman"
		}
		if r.status == StatusSent && tr.mentions(m, notices) {
			if d, ok := deliveredBy(r.id, m, r.tgID); ok {
				key := [2]int64{d.ChatID, int64(d.MessageID)}
				if i, dup := seen[key]; dup {
					delivered[i].Text = delivered[i].Text && d.Text
				} else {
					seen[key] = len(delivered)
					delivered = append(delivered, d)
				}
			}
		}
		status := r.status
		media := slices.Contains(tr.fileIDs, m.FileID) && m.FileID != "" ||
			m.Kind == KindLocation && slices.Contains(tr.coords, [2]float64{m.Latitude, m.Longitude})
		if status == StatusPending && media {
			status = StatusFailed
		}
		if status == StatusPending {
			m = replaceIn(m, repl, placeholder)
		} else {
			m = Message{Kind: m.Kind, ChatID: m.ChatID, Priority: m.Priority, MessageID: m.MessageID,
				EditOf: m.EditOf, CallbackID: m.CallbackID, Alert: m.Alert, RemoveReply: m.RemoveReply, Scope: m.Scope}
		}
		payload, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("scrub outbox row %d: %w", r.id, err)
		}
		q := `UPDATE outbox SET payload = ? WHERE id = ?`
		qargs := []any{string(payload), r.id}
		if status != StatusPending {
			q = `UPDATE outbox SET payload = ?, file = NULL, status = ?, scrubbed = 1,
				error = CASE WHEN status = 'pending' THEN 'erased' ELSE error END WHERE id = ?`
			qargs = []any{string(payload), status, r.id}
		}
		if _, err := tx.Exec(q, qargs...); err != nil {
			return nil, fmt.Errorf("scrub outbox row %d: %w", r.id, err)
		}
	}
	return delivered, nil
}

// deliveredBy is the message in a chat that sent outbox row id (m, with the
// Telegram id recorded for it) put there or changed.
func deliveredBy(id int64, m Message, tgID int) (Delivered, bool) {
	d := Delivered{ChatID: m.ChatID, MessageID: tgID, OutboxID: id}
	switch m.Kind {
	case KindSend:
		d.Text = true
	case KindEditText:
		d.Text = true
		if d.MessageID == 0 {
			d.MessageID = m.MessageID
		}
	case KindPhoto, KindDocument, KindLocation:
	case KindEditCaption:
		if d.MessageID == 0 {
			d.MessageID = m.MessageID
		}
	default:
		return Delivered{}, false
	}
	return d, d.MessageID != 0 && d.ChatID != 0
}

// replaceIn replaces every match of repl in m's texts by placeholder.
func replaceIn(m Message, repl []*regexp.Regexp, placeholder string) Message {
	ph := strings.ReplaceAll(html.EscapeString(placeholder), "$", "$$")
	r := func(s string) string {
		for _, re := range repl {
			s = re.ReplaceAllString(s, "${1}"+ph+"${2}")
		}
		return s
	}
	m.Text, m.FileName = r(m.Text), r(m.FileName)
	buttons := make([][]Button, len(m.Buttons))
	for i, row := range m.Buttons {
		buttons[i] = slices.Clone(row)
		for j := range buttons[i] {
			buttons[i][j].Text = r(buttons[i][j].Text)
		}
	}
	if m.Buttons != nil {
		m.Buttons = buttons
	}
	if m.Reply != nil {
		kb := *m.Reply
		kb.Buttons = make([][]ReplyButton, len(m.Reply.Buttons))
		for i, row := range m.Reply.Buttons {
			kb.Buttons[i] = slices.Clone(row)
			for j := range kb.Buttons[i] {
				kb.Buttons[i][j].Text = r(kb.Buttons[i][j].Text)
			}
		}
		m.Reply = &kb
	}
	return m
}

// deleteFailedUpdates deletes the failed updates whose raw JSON mentions tr
// (a name typed, a contact shared): they are kept for debugging only.
func (tx *Tx) deleteFailedUpdates(tr trace) error {
	where, args := tr.where("payload")
	if _, err := tx.Exec(`DELETE FROM failed_updates WHERE `+where, args...); err != nil {
		return fmt.Errorf("delete failed updates: %w", err)
	}
	return nil
}

// EraseCasePersonalData replaces the personal data of case id (name, NIK,
// birth date, address, location, description) on a lawful request, keeping
// category, area, status and dates for statistics, and deletes its photo
// records, the replaced ones too. It drops the drafts about the case (by id)
// and scrubs the outbox and failed updates. The Erasure lists the photo
// files to delete, the messages delivered about the case and the drafts
// dropped; ok=false when there is no such case.
func (tx *Tx) EraseCasePersonalData(id int64, by int64, placeholder string) (er Erasure, ok bool, err error) {
	c, found, err := tx.GetCase(id)
	if err != nil || !found {
		return er, false, err
	}
	tx.MarkErased()
	photos, fileIDs, err := tx.CaseMediaFiles(id)
	if err != nil {
		return er, false, err
	}
	er.Photos = photos
	if _, err := tx.Exec(`UPDATE cases SET full_name = ?, nik = '', no_nik_reason = 'erased', birth_date = '', birth_place = '',
		address = '', latitude = NULL, longitude = NULL, description = ?, updated_at = ?, no_kk = '', rt = '', rw = '' WHERE id = ?`,
		placeholder, placeholder, formatTime(tx.now), id); err != nil {
		return er, false, fmt.Errorf("erase case %d: %w", id, err)
	}
	if _, err := tx.Exec(`DELETE FROM case_photos WHERE case_id = ?`, id); err != nil {
		return er, false, fmt.Errorf("erase photos of case %d: %w", id, err)
	}
	if _, err := tx.Exec(`UPDATE case_events SET note = '' WHERE case_id = ?`, id); err != nil {
		return er, false, fmt.Errorf("erase history notes of case %d: %w", id, err)
	}
	// A form still open on the case (a fix, a decision) would write the data
	// back; a follow-up on it repeats its NIK.
	if er.Drafts, err = tx.DropCaseDrafts(id); err != nil {
		return er, false, err
	}
	// Before the traces: the submissions' cards are emptied here, by id,
	// so the scrub by text below does not count them twice.
	var subs Erasure
	if err := tx.eraseCaseSubmissions(id, &subs); err != nil {
		return er, false, err
	}
	if er.Delivered, err = tx.eraseCaseTraces(c, fileIDs, placeholder); err != nil {
		return er, false, fmt.Errorf("erase case %d: %w", id, err)
	}
	er.Photos, er.Delivered = append(er.Photos, subs.Photos...), append(er.Delivered, subs.Delivered...)
	return er, true, tx.AddCaseEvent(id, by, CaseActionNote, c.Status, c.Status, "erased")
}

// eraseCaseTraces removes case c's personal data from where copies of it
// went: the notices and detail views sent about it (found by its code too),
// its photos and location sent by file id and coordinates, and failed
// updates that typed it. It returns the messages delivered about it.
func (tx *Tx) eraseCaseTraces(c Case, fileIDs []string, placeholder string) ([]Delivered, error) {
	var tr trace
	tr.add(c.FullName, true)
	tr.add(c.Address, true)
	if len(c.NIK) == 16 {
		tr.add(c.NIK, true)
		tr.add(c.NIK[:4]+"********"+c.NIK[12:], true) // as flows/nik.Mask shows it
	}
	if len(c.NoKK) == 16 {
		tr.add(c.NoKK, true)
		tr.add(c.NoKK[:4]+"********"+c.NoKK[12:], true)
	}
	tr.addNotice(c.Code)
	tr.fileIDs = fileIDs
	if c.HasLocation {
		tr.coords = append(tr.coords, [2]float64{c.Latitude, c.Longitude})
		tr.add(fmt.Sprintf("%.6f,%.6f", c.Latitude, c.Longitude), false) // the map link
	}
	delivered, err := tx.scrubOutbox(tr, placeholder)
	if err != nil {
		return nil, err
	}
	personal := trace{find: slices.DeleteFunc(slices.Clone(tr.find), func(s string) bool { return s == c.Code })}
	return delivered, tx.deleteFailedUpdates(personal)
}

// CaseIDByCode returns the id of the case with code (JMB-26-00042), 0 when none.
func (tx *Tx) CaseIDByCode(code string) (int64, error) {
	var id int64
	err := tx.QueryRow(`SELECT id FROM cases WHERE code = ?`, strings.ToUpper(strings.TrimSpace(code))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find case %q: %w", code, err)
	}
	return id, nil
}
