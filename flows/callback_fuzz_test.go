package flows_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"dinsosbot/flows"
	"dinsosbot/store"
)

// Hostile button presses and command arguments through the real handlers. A
// client can send any callback_data for any message it holds, and type any
// arguments after a command; the flows must answer, never fail the update,
// never change another person's data and never send what Telegram refuses.
// Like FuzzFormStep, one database serves the whole run.

// The people of the fuzz world, besides the admin (adminID).
const (
	fzWorker int64 = 801 // a PSM in Telanaipura, who holds a case and an invitation
	fzCoord  int64 = 802 // a coordinator covering Telanaipura only
	fzOther  int64 = 803 // a PSM in Jambi Selatan: the other person whose data must not change
	fzNew    int64 = 804 // a newcomer waiting for approval
)

// fzWorld is the fuzz world.
type fzWorld struct{ *world }

// fzSetup creates the world once: the people, a case each for the worker
// and the other PSM (ids 1 and 2), a meeting inviting them and the
// coordinator (id 1), a pending approval of the newcomer (id 1).
func fzSetup(t *testing.T, dir string) *fzWorld {
	w := &world{t: t, cfg: flows.Config{BotUsername: "dinsos_jambi_bot", Admins: []int64{adminID}},
		path: filepath.Join(dir, "bot.db"), now: time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)}
	w.open()
	fw := &fzWorld{world: w}
	w.person(adminID, "Admin").send("/start")
	fw.resetPeople()
	err := w.db.Update(context.Background(), func(tx *store.Tx) error {
		start := w.now.Add(26 * time.Hour)
		for _, c := range []struct {
			reporter int64
			kec, kel string
		}{{fzWorker, kecTelanaipura, kelBuluranKenali}, {fzOther, kecJambiSelatan, ""}} {
			code, err := tx.NextCaseCode("JMB", 2026)
			if err != nil {
				return err
			}
			if _, err = tx.InsertCase(store.Case{Code: code, ReporterID: c.reporter, Category: "PPKS02",
				FullName: "Warga " + code, Gender: "L", Age: 40, Address: "Jl. Contoh RT 01", Kecamatan: c.kec,
				Kelurahan: c.kel, Description: "keadaan", Urgency: "biasa"}); err != nil {
				return err
			}
		}
		meeting, err := tx.AddMeeting(store.Meeting{Title: "Rakor PSM", StartsAt: start, EndsAt: start.Add(2 * time.Hour),
			Place: "Aula", Audience: store.AudiencePeople, Code: "kodefuzz", CreatedBy: adminID})
		if err != nil {
			return err
		}
		for _, id := range []int64{fzWorker, fzCoord, fzOther} {
			if err := tx.Invite(meeting, id); err != nil {
				return err
			}
		}
		if _, err := tx.TouchUser(fzNew, "Baru", ""); err != nil {
			return err
		}
		_, err = tx.AddApproval(fzNew, "register", store.Profile{FullName: "Ani Baru", Phone: "+6281200000804",
			Role: store.RolePSM, Kecamatan: kecTelanaipura, Kelurahan: kelBuluranKenali})
		return err
	})
	if err != nil {
		t.Fatalf("fuzz world: %v", err)
	}
	return fw
}

// resetPeople makes the worker, the coordinator and the other PSM active
// with their roles again, whatever the last input did (the admin may have
// blocked one, the worker erased their own data), so every input finds the
// same people.
func (fw *fzWorld) resetPeople() {
	fw.t.Helper()
	err := fw.db.Update(context.Background(), func(tx *store.Tx) error {
		for _, u := range []struct {
			id        int64
			name      string
			role, kec string
			kel       string
		}{
			{fzWorker, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali},
			{fzCoord, "Rina Koordinator", store.RoleCoordinator, kecTelanaipura, kelBuluranKenali},
			{fzOther, "Budi Santoso", store.RolePSM, kecJambiSelatan, ""},
		} {
			if _, err := tx.TouchUser(u.id, strings.Fields(u.name)[0], ""); err != nil {
				return err
			}
			if err := tx.SetProfile(u.id, store.Profile{FullName: u.name, Phone: "+628123456" + strconv.FormatInt(u.id, 10),
				Role: u.role, Kecamatan: u.kec, Kelurahan: u.kel}, store.UserActive); err != nil {
				return err
			}
		}
		if err := tx.SetRole(fzCoord, store.RoleCoordinator, []string{kecTelanaipura}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		fw.t.Fatalf("fuzz world: %v", err)
	}
}

// fzActor is who acts in an input: the worker, the coordinator or the admin.
func (fw *fzWorld) actor(who uint8) *person {
	switch who % 3 {
	case 0:
		return fw.person(fzWorker, "Sri")
	case 1:
		return fw.person(fzCoord, "Rina")
	}
	return fw.person(adminID, "Admin")
}

// others is what the actor must not change, as rows of text (rows of
// negative ids are left out: erasing one's own data, which anyone may, moves
// it to an anonymous placeholder person): for the worker
// everyone else's rows in every table that holds people's data; for the
// coordinator the users, the approvals and invites, and the cases outside
// the kecamatan covered; for the admin, who may change nearly anything by
// design, nothing.
func (fw *fzWorld) others(actor int64) string {
	fw.t.Helper()
	var queries []string
	switch actor {
	case fzWorker:
		queries = []string{
			`SELECT * FROM users WHERE id != ?1 AND id > 0 ORDER BY id`,
			`SELECT * FROM cases WHERE reporter_id != ?1 AND reporter_id > 0 ORDER BY id`,
			`SELECT * FROM case_events WHERE case_id IN (SELECT id FROM cases WHERE reporter_id != ?1 AND reporter_id > 0)
				AND user_id > 0 ORDER BY id`,
			`SELECT * FROM meetings ORDER BY id`,
			`SELECT * FROM meeting_invitations WHERE user_id != ?1 AND user_id > 0 ORDER BY meeting_id, user_id`,
			`SELECT * FROM meeting_attendance WHERE user_id != ?1 AND user_id > 0 ORDER BY meeting_id, user_id`,
			`SELECT * FROM approvals ORDER BY id`,
			`SELECT * FROM invites ORDER BY id`,
			`SELECT * FROM broadcasts ORDER BY id`,
			`SELECT * FROM conversations WHERE user_id != ?1 ORDER BY chat_id, user_id`,
		}
	case fzCoord:
		queries = []string{
			`SELECT * FROM users WHERE id != ?1 AND id > 0 ORDER BY id`,
			`SELECT * FROM cases WHERE reporter_id != ?1 AND reporter_id > 0 AND kecamatan != '` + kecTelanaipura + `' ORDER BY id`,
			`SELECT * FROM approvals ORDER BY id`,
			`SELECT * FROM invites ORDER BY id`,
			`SELECT * FROM conversations WHERE user_id != ?1 ORDER BY chat_id, user_id`,
		}
	default:
		return ""
	}
	var b strings.Builder
	err := fw.db.Update(context.Background(), func(tx *store.Tx) error {
		for _, q := range queries {
			if err := dumpRows(tx, &b, q, actor); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		fw.t.Fatal(err)
	}
	return b.String()
}

func dumpRows(tx *store.Tx, b *strings.Builder, query string, args ...any) error {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(b, "%s=%v ", cols[i], v)
		}
		b.WriteString("\n")
	}
	return rows.Err()
}

// wouldRefuse lists what in the last action's outbox rows Telegram would answer
// with 400 (beyond what world.drain checks: text length, callback data).
func wouldRefuse(rows []store.OutboxRow) []string {
	var out []string
	for _, r := range rows {
		m := r.Message
		switch m.Kind {
		case store.KindAnswerCallback:
			if utf8.RuneCountInString(m.Text) > 200 {
				out = append(out, fmt.Sprintf("row %d: callback answer of %d characters", r.ID, utf8.RuneCountInString(m.Text)))
			}
			if m.CallbackID == "" {
				out = append(out, fmt.Sprintf("row %d: callback answer without an id", r.ID))
			}
		case store.KindSend:
			if strings.TrimSpace(m.Text) == "" {
				out = append(out, fmt.Sprintf("row %d: empty message", r.ID))
			}
		case store.KindEditText, store.KindEditButtons, store.KindDelete:
			if m.MessageID == 0 && m.EditOf == 0 {
				out = append(out, fmt.Sprintf("row %d: %s of no message", r.ID, m.Kind))
			}
			if m.Kind == store.KindEditText && strings.TrimSpace(m.Text) == "" {
				out = append(out, fmt.Sprintf("row %d: edit to an empty text", r.ID))
			}
		case store.KindPhoto, store.KindDocument:
			if utf8.RuneCountInString(m.Text) > 1024 {
				out = append(out, fmt.Sprintf("row %d: caption of %d characters", r.ID, utf8.RuneCountInString(m.Text)))
			}
		}
		if m.ChatID == 0 && m.Kind != store.KindAnswerCallback && m.Kind != store.KindSetCommands {
			out = append(out, fmt.Sprintf("row %d: %s to no chat", r.ID, m.Kind))
		}
	}
	return out
}

// lastMessage is the id of the newest message the bot sent to p, as the
// callback's message: a client can only press buttons on a message it has.
func (p *person) lastMessage() int {
	for i := len(p.w.rows) - 1; i >= 0; i-- {
		if r := p.w.rows[i]; r.Message.ChatID == p.id && r.Message.Kind == store.KindSend {
			return int(r.ID)
		}
	}
	return 1
}

// cbKinds are the callback kinds with their ops, for well-formed data.
var cbKinds = []struct {
	kind string
	ops  []string
}{
	{"f", []string{"o", "t", "d", "e", "s", "x", "b", "k"}}, // a form's step
	{"ap", []string{"y", "n", "z"}},                         // approvals
	{"lg", []string{"o"}},                                   // language
	{"mt", []string{"h", "t", "x", "c"}},                    // meetings
	{"cs", []string{"a", "b", "d", "e", "l"}},               // cases
	{"ad", []string{"l", "u", "ap", "rj", "bl", "ub", "ro", "rs", "cv", "ct", "au", "bs", "bx", "ex", "en", "ec"}}, // admin
}

// FuzzCallback presses a button with arbitrary callback data (mode 0) or with
// well-formed data of every kind and op carrying an arbitrary id and
// argument, as the worker, a coordinator or the admin (who). For a form's
// buttons the nonce is the presser's open step's (a form is opened first
// when id is even), so the press reaches the step's handling. The flows must
// answer the callback exactly once (person.pressData), never fail the update
// or apologise, never change another person's data, and never send what
// Telegram would refuse.
func FuzzCallback(f *testing.F) {
	ids := []int64{1, 2, 3, 801, 802, 803, 804, adminID, 0, -1, 1 << 40}
	args := []string{"", "psm", "coordinator", kecTelanaipura, "all", "p", "v", "x", "id", "en", "anak", "l0"}
	// Two seeds per kind and op, ids and args in turn: every seed is an
	// engine step, and the fuzzer replays them all before it starts.
	n := 0
	for ki, k := range cbKinds {
		for oi := range k.ops {
			for range 2 {
				f.Add(uint8(n), uint8(1+ki), uint8(oi), ids[n%len(ids)], args[n%len(args)], "")
				n++
			}
		}
	}
	for _, raw := range []string{"", ":::", "f:abc234:o:psm", "ap:1:y:", "mt:1:h:", "cs:1:a:v", "ad:803:bl:",
		"ad:0:l:" + strings.Repeat("x", 40), "lg:-:o:xx", "\xff\xfe:1:y:", "mt:1:h:\u202e", strings.Repeat("a", 65)} {
		f.Add(uint8(0), uint8(0), uint8(0), int64(0), "", raw)
		f.Add(uint8(1), uint8(0), uint8(0), int64(0), "", raw)
		f.Add(uint8(2), uint8(0), uint8(0), int64(0), "", raw)
	}
	dir := f.TempDir()
	var (
		mu sync.Mutex
		fw *fzWorld
	)
	f.Cleanup(func() {
		if fw != nil {
			fw.db.Close()
		}
	})
	f.Fuzz(func(t *testing.T, who, mode, op uint8, id int64, arg, raw string) {
		mu.Lock()
		defer mu.Unlock()
		if fw == nil {
			fw = fzSetup(t, dir)
		}
		fw.t, fw.rows = t, nil
		fw.resetPeople()
		p := fw.actor(who)
		p.send("/batal") // whatever the last input left open
		data := raw
		if k := int(mode) % (len(cbKinds) + 1); k > 0 {
			kind := cbKinds[k-1]
			nonce := strconv.FormatInt(id, 10)
			if kind.kind == "f" && id%2 == 0 {
				if p.id == adminID {
					p.send("/rapat_baru")
				} else {
					p.send("/lapor")
				}
				if c, ok := fw.conversation(p.id); ok {
					nonce = c.Nonce
				}
			}
			data = kind.kind + ":" + nonce + ":" + kind.ops[int(op)%len(kind.ops)] + ":" + arg
		}
		before := fw.others(p.id)
		p.pressData(data, p.lastMessage()) // fails the test if Handle fails or the answer is not exactly one
		if strings.Contains(p.texts()+p.callbackAnswer(), "Maaf, terjadi gangguan") {
			t.Fatalf("%q pressed by %d got the apology:\n%s", data, p.id, p.texts()+p.callbackAnswer())
		}
		if bad := wouldRefuse(fw.got); len(bad) > 0 {
			t.Fatalf("%q pressed by %d: Telegram would refuse:\n%s", data, p.id, strings.Join(bad, "\n"))
		}
		if after := fw.others(p.id); after != before {
			t.Fatalf("%q pressed by %d changed another person's data:\nbefore:\n%s\nafter:\n%s", data, p.id, before, after)
		}
	})
}

// commandsWithArgs are the commands that read arguments.
var commandsWithArgs = []string{"pengguna", "hapus_kasus", "rapat", "hadir", "kasus", "ekspor", "verifikasi",
	"ringkasan", "statistik", "audit", "start"}

// FuzzCommandArgs types a command with arbitrary arguments, as the worker, a
// coordinator or the admin. The same rules as FuzzCallback, and the command
// is answered.
func FuzzCommandArgs(f *testing.F) {
	args := []string{"", "1", "2", "803", "JMB-26-00002", "Budi", "psm", "menunggu", "hapus", "pindah",
		"1 803", "1 Budi Santoso", "semua", "csv", "xlsx", "-1", "99999999999999999999", "<b>x</b>", "\xff\u202e",
		strings.Repeat("kata ", 900)}
	// Six seeds per command, the arguments in turn (each seed is an engine
	// step the fuzzer replays before it starts).
	n := 0
	for i := range commandsWithArgs {
		for range 6 {
			f.Add(uint8(n), uint8(i), args[n%len(args)])
			n++
		}
	}
	dir := f.TempDir()
	var (
		mu sync.Mutex
		fw *fzWorld
	)
	f.Cleanup(func() {
		if fw != nil {
			fw.db.Close()
		}
	})
	f.Fuzz(func(t *testing.T, who, cmd uint8, args string) {
		mu.Lock()
		defer mu.Unlock()
		if fw == nil {
			fw = fzSetup(t, dir)
		}
		fw.t, fw.rows = t, nil
		fw.resetPeople()
		p := fw.actor(who)
		p.send("/batal")
		// As bot.toEvent makes it: the command's first line's rest.
		text := "/" + commandsWithArgs[int(cmd)%len(commandsWithArgs)] + " " + args
		before := fw.others(p.id)
		p.send(text)
		if strings.Contains(p.texts(), "Maaf, terjadi gangguan") {
			t.Fatalf("%q by %d got the apology:\n%s", text, p.id, p.texts())
		}
		if p.texts() == "" {
			t.Fatalf("%q by %d got no answer", text, p.id)
		}
		if bad := wouldRefuse(fw.got); len(bad) > 0 {
			t.Fatalf("%q by %d: Telegram would refuse:\n%s", text, p.id, strings.Join(bad, "\n"))
		}
		if after := fw.others(p.id); after != before {
			t.Fatalf("%q by %d changed another person's data:\nbefore:\n%s\nafter:\n%s", text, p.id, before, after)
		}
	})
}
