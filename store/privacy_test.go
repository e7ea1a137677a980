package store_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"dinsosbot/store"
)

func update(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// The audit log refuses changes at the database level, whatever the code
// does; inserting still works, and a backup copy keeps the rule.
func TestAuditAppendOnly(t *testing.T) {
	db := openCases(t)
	update(t, db, func(tx *store.Tx) error { return tx.Audit(900, "user_block", "user=42") })
	for _, tc := range []struct{ name, q string }{
		{"update detail", `UPDATE audit_log SET detail = 'user=43'`},
		{"update actor", `UPDATE audit_log SET user_id = -1 WHERE user_id = 900`},
		{"delete one", `DELETE FROM audit_log WHERE action = 'user_block'`},
		{"delete all", `DELETE FROM audit_log`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := db.Update(context.Background(), func(tx *store.Tx) error {
				_, err := tx.Exec(tc.q)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("%s: err = %v, want the append-only refusal", tc.q, err)
			}
		})
	}
	update(t, db, func(tx *store.Tx) error { return tx.Audit(900, "backup", "size=1") })
	var n int
	var detail string
	if err := db.SQL().QueryRow(`SELECT COUNT(*), MIN(detail) FROM audit_log`).Scan(&n, &detail); err != nil {
		t.Fatal(err)
	}
	if n != 2 || detail != "size=1" && detail != "user=42" {
		t.Fatalf("audit log: %d rows, %q", n, detail)
	}
	path, err := db.Backup(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var triggers int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'`).
		Scan(&triggers); err != nil || triggers != 2 {
		t.Fatalf("%d triggers (%v)", triggers, err)
	}
	copyDB, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if _, err := copyDB.SQL().Exec(`DELETE FROM audit_log`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("the backup copy let the audit log be deleted: %v", err)
	}
}

// A failed update keeps its raw JSON for debugging, but a NIK typed at the
// NIK step (however grouped) is masked; shorter numbers stay.
func TestFailedUpdateMasksNIK(t *testing.T) {
	db := openCases(t)
	for i, tc := range []struct{ text, want, cause, wantCause string }{
		{"1571015205900003", "1571********0003", "parse 1571015205900003", "parse 1571********0003"},
		{"NIK 1571 0152 0590 0003 ya", "NIK 1571 **** **** 0003 ya", "boom", "boom"},
		{"1571.0152.0590.0003", "1571.****.****.0003", "", ""},
		{"KK 15710152059000031", "KK 1571*********0031", "", ""},
		{"HP 081234567890, umur 35", "HP 081234567890, umur 35", "", ""},
		{"tanpa angka", "tanpa angka", "", ""},
	} {
		payload, err := json.Marshal(map[string]any{"update_id": 800000000 + i,
			"message": map[string]any{"message_id": 1234567, "date": 1762048800, "chat": map[string]any{"id": 5000001},
				"text": tc.text}})
		if err != nil {
			t.Fatal(err)
		}
		update(t, db, func(tx *store.Tx) error { return tx.RecordFailedUpdate(800000000+i, payload, tc.cause) })
		var stored, cause string
		if err := db.SQL().QueryRow(`SELECT payload, error FROM failed_updates WHERE update_id = ?`, 800000000+i).
			Scan(&stored, &cause); err != nil {
			t.Fatal(err)
		}
		var got struct {
			UpdateID int `json:"update_id"`
			Message  struct {
				MessageID int    `json:"message_id"`
				Date      int64  `json:"date"`
				Text      string `json:"text"`
			} `json:"message"`
		}
		if err := json.Unmarshal([]byte(stored), &got); err != nil {
			t.Fatalf("%q: stored payload is no longer JSON: %v", tc.text, err)
		}
		if got.Message.Text != tc.want || cause != tc.wantCause {
			t.Errorf("%q: stored %q / %q, want %q / %q", tc.text, got.Message.Text, cause, tc.want, tc.wantCause)
		}
		if got.UpdateID != 800000000+i || got.Message.MessageID != 1234567 || got.Message.Date != 1762048800 {
			t.Errorf("%q: the update's numbers changed: %s", tc.text, stored)
		}
	}
}

// Erasing a user scrubs what was sent about them to others down to what
// later edits need (chat and message id), replaces their name in what is
// still to be sent, and leaves messages about others alone.
func TestEraseUserScrubsOutbox(t *testing.T) {
	db := openCases(t)
	const worker, admin, other = 7001, 900, 7002
	var sent, pending, unrelated, own int64
	update(t, db, func(tx *store.Tx) error {
		for _, u := range []struct {
			id   int64
			name string
			p    store.Profile
		}{
			{worker, "Tono", store.Profile{FullName: "Tono Wibowo", Phone: "+6285266001122", Role: store.RolePSM}},
			{admin, "Admin", store.Profile{FullName: "Admin Dinsos", Phone: "+6281100000000", Role: store.RoleAdmin}},
			{other, "Budi", store.Profile{FullName: "Budi Santoso", Phone: "+6281200000000", Role: store.RolePSM}},
		} {
			if _, err := tx.TouchUser(u.id, u.name, ""); err != nil {
				return err
			}
			if err := tx.SetProfile(u.id, u.p, store.UserActive); err != nil {
				return err
			}
		}
		var err error
		if sent, err = tx.Enqueue(store.Message{ChatID: admin, Text: "Pendaftaran: <b>Tono Wibowo</b>, HP +6285266001122",
			Buttons: [][]store.Button{{{Text: "Setujui", Data: "ap:1:y:"}}}}); err != nil {
			return err
		}
		if pending, err = tx.Enqueue(store.Message{ChatID: admin, Text: "Tidak terjangkau: TONO WIBOWO, Budi Santoso"}); err != nil {
			return err
		}
		if unrelated, err = tx.Enqueue(store.Message{ChatID: admin, Text: "Budi Santoso, 081200000000"}); err != nil {
			return err
		}
		own, err = tx.Enqueue(store.Message{ChatID: worker, Text: "Halo Tono"})
		return err
	})
	if err := db.RecordSends(context.Background(), []store.SendOutcome{{ID: sent, Status: store.StatusSent, MessageID: 55}}); err != nil {
		t.Fatal(err)
	}
	update(t, db, func(tx *store.Tx) error {
		_, _, ok, err := tx.EraseUser(worker, "Petugas yang dihapus")
		if err == nil && !ok {
			t.Error("worker not found")
		}
		return err
	})
	read := func(id int64) (store.Message, string, int, bool) {
		var payload, status string
		var mid int
		err := db.SQL().QueryRow(`SELECT payload, status, tg_message_id FROM outbox WHERE id = ?`, id).Scan(&payload, &status, &mid)
		if err != nil {
			return store.Message{}, "", 0, false
		}
		var m store.Message
		if err := json.Unmarshal([]byte(payload), &m); err != nil {
			t.Fatal(err)
		}
		return m, status, mid, true
	}
	for _, tc := range []struct {
		name    string
		id      int64
		exists  bool
		text    string
		status  string
		buttons bool
		chat    int64
		tgMsgID int
	}{
		{"sent to the admin: kept for its ids only", sent, true, "", store.StatusSent, false, admin, 55},
		{"still to send: the name replaced", pending, true, "Tidak terjangkau: Petugas yang dihapus, Budi Santoso",
			store.StatusPending, false, admin, 0},
		{"about someone else", unrelated, true, "Budi Santoso, 081200000000", store.StatusPending, false, admin, 0},
		{"in their own chat", own, false, "", "", false, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, status, mid, ok := read(tc.id)
			if ok != tc.exists {
				t.Fatalf("row exists = %v", ok)
			}
			if !ok {
				return
			}
			if m.Text != tc.text || status != tc.status || (len(m.Buttons) > 0) != tc.buttons || m.ChatID != tc.chat ||
				mid != tc.tgMsgID {
				t.Fatalf("row = %+v status %s message id %d", m, status, mid)
			}
		})
	}
	var n int
	if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE payload LIKE '%Tono%' OR payload LIKE '%85266001122%'`).
		Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d outbox rows still name the worker (%v)", n, err)
	}
}
