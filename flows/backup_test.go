package flows_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// tableCounts counts the rows of every table of the database at db.
func tableCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	counts := map[string]int{}
	for _, table := range tables {
		var n int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM "` + table + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[table] = n
	}
	return counts
}

// TestBackupRestoresEveryTable: the copy /cadangan sends, restored as the
// README says (the file put in place and opened by the bot), is a valid
// database holding every table with the rows it had when the command came.
func TestBackupRestoresEveryTable(t *testing.T) {
	h, admin := adminRig(t, bottest.Options{})
	worker := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	seed(t, h, "Rina Koordinator", store.RoleCoordinator, kecTelanaipura, kelBuluranKenali, kecTelanaipura)
	pendingUser(t, h, "Ani Lestari")
	insertCases(t, h, worker.ID(), kecTelanaipura, kelBuluranKenali, 3)
	worker.send("/pengguna", "tidak berhak") // an audit row
	admin.send("/siaran", "Siaran untuk siapa")
	admin.press("Semua PSM dan TKSK", "isi siaran")
	admin.send("Rapat Senin.", "Simpan")
	admin.press("✅ Simpan", "Kirim siaran di atas ke")
	admin.press("📣 Kirim", "Siaran #1:")
	if _, err := worker.WaitForText(caseWait, "Rapat Senin."); err != nil {
		t.Fatal(err)
	}
	h.WaitUntil(caseWait, "the outbox drained", func() bool {
		return countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE status = 'pending'`) == 0
	})
	want := tableCounts(t, h.DB())
	nonEmpty := 0
	for _, n := range want {
		if n > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < 12 {
		t.Fatalf("only %d tables hold rows: the comparison would prove little (%v)", nonEmpty, want)
	}

	admin.SendText("/cadangan")
	doc, err := admin.WaitFor(caseWait, func(msgs []telegramtest.Message) bool {
		return len(msgs) > 0 && msgs[len(msgs)-1].Kind == "document"
	})
	if err != nil {
		t.Fatal(err)
	}
	file := doc[len(doc)-1]
	if len(file.File) == 0 {
		t.Fatalf("no file in %+v", file)
	}
	path := filepath.Join(t.TempDir(), "dinsosbot.db")
	if err := os.WriteFile(path, file.File, 0o600); err != nil {
		t.Fatal(err)
	}
	restored, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	var ok string
	if err := restored.SQL().QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
	got := tableCounts(t, restored)
	for table, n := range want {
		if got[table] != n {
			t.Errorf("%s: %d rows in the copy, %d in the database", table, got[table], n)
		}
	}
	for table := range got {
		if _, ok := want[table]; !ok {
			t.Errorf("the copy has a table %s the database lacks", table)
		}
	}
	if !auditHas(t, h, adminID, "backup", "size=") {
		t.Fatal("backup not audited")
	}
	h.NoViolations()
}
