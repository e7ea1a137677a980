package flows

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dinsosbot/store"
)

// mergeRig is a store with a coordinator of Telanaipura and a worker, for
// the merged notice's rules, with the sender played by hand.
type mergeRig struct {
	t     *testing.T
	db    *store.DB
	app   *App
	now   time.Time
	coord store.User
	cases int
}

const (
	rigCoord  = 101
	rigWorker = 102
)

func newMergeRig(t *testing.T) *mergeRig {
	t.Helper()
	r := &mergeRig{t: t, app: New(Config{BotUsername: "dinsos_test_bot"}),
		now: time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)}
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "bot.db"),
		store.Options{Now: func() time.Time { return r.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r.db = db
	r.update(func(tx *store.Tx) error {
		for _, p := range []struct {
			id   int64
			role string
		}{{rigCoord, store.RoleCoordinator}, {rigWorker, store.RolePSM}} {
			if _, err := tx.TouchUser(p.id, "X", ""); err != nil {
				return err
			}
			if err := tx.SetProfile(p.id, store.Profile{FullName: "Orang " + p.role, Phone: "+6281234567890",
				Role: p.role, Kecamatan: "15.71.01", Kelurahan: "15.71.01.1002"}, store.UserActive); err != nil {
				return err
			}
		}
		if err := tx.SetRole(rigCoord, store.RoleCoordinator, []string{"15.71.01"}); err != nil {
			return err
		}
		var err error
		r.coord, _, err = tx.GetUser(rigCoord)
		return err
	})
	return r
}

func (r *mergeRig) update(fn func(tx *store.Tx) error) {
	r.t.Helper()
	if err := r.db.Update(context.Background(), fn); err != nil {
		r.t.Fatal(err)
	}
}

// notice files a new case and asks for its notice to the coordinator, as
// saving a case does; it reports whether the case was merged.
func (r *mergeRig) notice() bool {
	r.t.Helper()
	var merged bool
	r.update(func(tx *store.Tx) error {
		r.cases++
		if _, err := tx.InsertCase(store.Case{Code: fmt.Sprintf("JMB-26-%05d", r.cases), ReporterID: rigWorker,
			Category: "PPKS01", FullName: "Siti Aminah", Gender: "P", Age: 9, NoNIKReason: "unknown",
			Address: "Jl. Kenanga 7", Kecamatan: "15.71.01", Kelurahan: "15.71.01.1002", Description: "Sendiri.",
			Needs: []string{"pangan"}, Urgency: "biasa"}); err != nil {
			return err
		}
		var err error
		merged, err = r.app.mergeNotice(tx, r.coord)
		if err == nil && !merged {
			_, err = tx.Enqueue(store.Message{ChatID: rigCoord, Priority: store.PriorityNotice, Text: "Kasus baru"})
		}
		return err
	})
	return merged
}

// pending is the coordinator's waiting rows.
func (r *mergeRig) pending() []store.OutboxRow {
	r.t.Helper()
	rows, err := r.db.PendingOutbox(1000)
	if err != nil {
		r.t.Fatal(err)
	}
	return rows
}

// send records every waiting row as sender would: sent, or failed.
func (r *mergeRig) send(status string) []store.OutboxRow {
	r.t.Helper()
	rows := r.pending()
	var out []store.SendOutcome
	for _, row := range rows {
		out = append(out, store.SendOutcome{ID: row.ID, Status: status, MessageID: int(row.ID)})
	}
	if err := r.db.RecordSends(context.Background(), out); err != nil {
		r.t.Fatal(err)
	}
	return rows
}

func (r *mergeRig) merged() (store.MergedNotice, bool) {
	r.t.Helper()
	var m store.MergedNotice
	var ok bool
	r.update(func(tx *store.Tx) error {
		var err error
		m, ok, err = tx.MergedNotice(rigCoord)
		return err
	})
	return m, ok
}

func (r *mergeRig) sweep() {
	r.t.Helper()
	r.update(func(tx *store.Tx) error { return r.app.fixMergedNotices(tx) })
}

// The rules of the merged notice, step by step: three notices wait, the
// fourth case opens one merged message; while it (or an edit of it) waits,
// more cases add no row; once it went out and the chat is still behind, one
// edit; caught up, the next case has its own notice and the merged one its
// final count; the sweep fixes a count and closes a quiet one.
func TestMergeNoticeRules(t *testing.T) {
	r := newMergeRig(t)
	for i := range 3 {
		if r.notice() {
			t.Fatalf("case %d merged with %d notices waiting", i+1, i)
		}
	}
	if !r.notice() {
		t.Fatal("the 4th case, with 3 notices waiting, was not merged")
	}
	rows := r.pending()
	if len(rows) != 4 || !strings.Contains(rows[3].Message.Text, "4 kasus baru menunggu verifikasi") ||
		rows[3].Message.Buttons[0][0].Data != "cs:0:q:" {
		t.Fatalf("after 4 cases: %d rows, the last %+v", len(rows), rows[3].Message)
	}
	mergedRow := rows[3].ID
	for range 5 {
		if !r.notice() {
			t.Fatal("a case was not merged while the merged message waits")
		}
	}
	if n := len(r.pending()); n != 4 {
		t.Fatalf("%d rows wait after 5 more cases, want still 4: the waiting merged message is never rewritten", n)
	}
	if m, _ := r.merged(); m.Merged != 6 || m.LastRow != mergedRow {
		t.Fatalf("stored %+v, want 6 merged, shown by the merged message", m)
	}

	// The chat is sent up to the merged message; three other notices wait
	// (sent before the merge was opened, say by a resubmission): still
	// behind, so the next case is one edit of the merged message.
	r.send(store.StatusSent)
	r.update(func(tx *store.Tx) error {
		for range 3 {
			if _, err := tx.Enqueue(store.Message{ChatID: rigCoord, Priority: store.PriorityNotice, Text: "lain"}); err != nil {
				return err
			}
		}
		return nil
	})
	for range 2 {
		if !r.notice() {
			t.Fatal("a case was not merged in a chat still behind")
		}
	}
	var edits []store.OutboxRow
	for _, row := range r.pending() {
		if row.Message.Kind == store.KindEditText {
			edits = append(edits, row)
		}
	}
	if len(edits) != 1 || edits[0].Message.EditOf != mergedRow ||
		!strings.Contains(edits[0].Message.Text, "10 kasus baru menunggu verifikasi") ||
		!strings.Contains(edits[0].Message.Text, "pemberitahuan 7 kasus terakhir") {
		t.Fatalf("edits %+v, want one edit of the merged message to 10 cases, 7 merged", edits)
	}

	// Caught up: its own notice, and the merged message its final count.
	r.send(store.StatusSent)
	if r.notice() {
		t.Fatal("a case was merged in a chat that caught up")
	}
	rows = r.pending()
	if len(rows) != 2 || rows[0].Message.EditOf != mergedRow || !strings.Contains(rows[0].Message.Text, "8 kasus terakhir") ||
		rows[1].Message.Text != "Kasus baru" {
		t.Fatalf("after catching up: %+v", rows)
	}
	r.send(store.StatusSent)
	if m, ok := r.merged(); ok {
		t.Fatalf("the merged notice is still open: %+v", m)
	}
}

// The sweep sets the count a waiting edit could not show, then closes the
// merged notice once it is right and quiet; a merged message that failed
// (a blocked chat) is forgotten, and the chat's next backlog opens a new one.
func TestMergeNoticeSweep(t *testing.T) {
	r := newMergeRig(t)
	for range 3 {
		r.notice()
	}
	r.notice()
	r.notice() // merged while the message waits: shows 4, should show 5
	r.send(store.StatusSent)
	r.sweep()
	rows := r.pending()
	if len(rows) != 1 || !strings.Contains(rows[0].Message.Text, "5 kasus baru menunggu verifikasi") {
		t.Fatalf("the sweep enqueued %+v, want one edit to 5", rows)
	}
	r.sweep()
	if n := len(r.pending()); n != 1 {
		t.Fatalf("a second sweep with the edit waiting enqueued %d rows, want none more", n-1)
	}
	r.send(store.StatusSent)
	r.sweep()
	if _, ok := r.merged(); !ok {
		t.Fatal("closed before it was quiet")
	}
	r.now = r.now.Add(mergedQuiet)
	r.sweep()
	if _, ok := r.merged(); ok || len(r.pending()) != 0 {
		t.Fatal("a right, quiet merged notice is still open, or the sweep sent something")
	}

	// A merged message that failed is forgotten.
	for range 3 {
		r.notice()
	}
	r.notice()
	r.send(store.StatusFailed)
	r.sweep()
	if _, ok := r.merged(); ok {
		t.Fatal("a failed merged message is still open")
	}
	for range 3 {
		r.notice()
	}
	if !r.notice() {
		t.Fatal("the next backlog was not merged")
	}
	if m, ok := r.merged(); !ok || m.Merged != 1 {
		t.Fatalf("new merged notice %+v", m)
	}
}
