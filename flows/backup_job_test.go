package flows_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dinsosbot/flows"
	"dinsosbot/store"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestScheduledBackup: at each 02.00 WIB slot a consistent copy lands in the
// folder, only the newest Keep stay, each is audited, and a slot runs once.
func TestScheduledBackup(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "backups")
	r := newSchedRig(t, func(c *flows.Config) {
		c.Backups = flows.Backups{Dir: dir, Keep: 2, Spec: "0 2 * * *"}
	})
	r.user("Siti", "psm", 0)

	files := func() []string {
		entries, err := os.ReadDir(dir)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		slices.Sort(names)
		return names
	}
	if got := files(); len(got) != 0 {
		t.Fatalf("backups before the first slot: %v", got)
	}

	r.tick(nov(3, 2, 0))
	got := files()
	if len(got) != 1 || got[0] != "dinsosbot-20261102-190000.db" {
		t.Fatalf("after the first slot: %v, want dinsosbot-20261102-190000.db (UTC)", got)
	}
	// The copy is a valid database holding what was committed.
	var users int
	must(t, r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&users)
	}))
	cp, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, got[0])+"?mode=ro")
	must(t, err)
	defer cp.Close()
	var check string
	var copied int
	must(t, cp.QueryRow(`PRAGMA integrity_check`).Scan(&check))
	must(t, cp.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&copied))
	if check != "ok" || copied != users || users < 2 {
		t.Errorf("copy: integrity %q, %d users, want ok and %d (>= 2)", check, copied, users)
	}

	// Later the same day: no slot, no copy.
	r.tick(nov(3, 14, 0))
	if got := files(); len(got) != 1 {
		t.Fatalf("a copy outside the slot: %v", got)
	}
	r.tick(nov(4, 2, 0))
	r.tick(nov(5, 2, 0))
	if got, want := files(), []string{"dinsosbot-20261103-190000.db", "dinsosbot-20261104-190000.db"}; !slices.Equal(got, want) {
		t.Fatalf("after three slots with keep 2: %v, want %v", got, want)
	}
	// Sweeping again at the same time runs nothing twice.
	r.h.Sweep()
	if got := files(); len(got) != 2 {
		t.Fatalf("a slot ran twice: %v", got)
	}

	var audits []string
	must(t, r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		log, err := tx.AuditLog(100)
		for _, e := range log {
			if e.Action == "backup" {
				if e.UserID != flows.SystemUser {
					t.Errorf("scheduled backup audited as user %d, want %d", e.UserID, flows.SystemUser)
				}
				audits = append(audits, e.Detail)
			}
		}
		return err
	}))
	if len(audits) != 3 || !strings.Contains(audits[0], "scheduled file=dinsosbot-20261102-190000.db") ||
		!strings.Contains(audits[2], "pruned=1") || !strings.Contains(audits[0], "pruned=0") {
		t.Errorf("audit of backups = %q, want 3, the last pruning 1", audits)
	}
	// /audit names the bot itself as who did it.
	if m := r.admin.send("/audit", "otomatis, terjadwal"); !strings.Contains(m.Text, "backup") {
		t.Errorf("/audit: %s", m.Text)
	}
	st, err := os.Stat(dir)
	must(t, err)
	if st.Mode().Perm() != 0o700 {
		t.Errorf("backup folder mode %v, want 0700", st.Mode().Perm())
	}
}

// TestScheduledBackupOff: without a folder there is no backup job.
func TestScheduledBackupOff(t *testing.T) {
	for _, b := range []flows.Backups{{}, {Dir: t.TempDir(), Spec: flows.Off}} {
		for _, j := range flows.New(flows.Config{Backups: b}).Jobs() {
			if j.Name == flows.JobBackup {
				t.Errorf("Backups %+v declares the backup job", b)
			}
		}
	}
}
