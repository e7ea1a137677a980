package flows_test

import (
	"strconv"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/store"
)

func TestEraseMyData(t *testing.T) {
	h, admin := adminRig(t, bottest.Options{})
	worker := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	other := seed(t, h, "Budi Santoso", store.RoleTKSK, kecJambiSelatan, "", "")
	cs := insertCases(t, h, worker.ID(), kecTelanaipura, kelBuluranKenali, 2)
	id := worker.ID()

	worker.send("/data_saya", "Data Anda di bot ini")
	// Someone else's erase button does nothing but an audited refusal.
	m := other.send("/hapus_data_saya", "Hapus data saya")
	other.PressData(m.ID, "ad:"+strconv.FormatInt(id, 10)+":ex:")
	other.waitCallback(1, "tidak berhak")
	if u := userRow(t, h, id); u.FullName != "Tono Wibowo" {
		t.Fatalf("forged erase changed %+v", u)
	}
	if err := other.Press("Tidak jadi"); err != nil {
		t.Fatal(err)
	}
	other.waitEditedTo(m.ID, "tidak dihapus")

	worker.send("/hapus_data_saya", "tidak bisa dibatalkan")
	if err := worker.Press("🗑 Ya, hapus data saya"); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.WaitForText(caseWait, "sudah dihapus"); err != nil {
		t.Fatal(err)
	}
	// Gone from every table that held it...
	for _, q := range []string{
		`SELECT COUNT(*) FROM users WHERE id = ?`,
		`SELECT COUNT(*) FROM users WHERE full_name = 'Tono Wibowo' OR phone != '' AND id = ?`,
		`SELECT COUNT(*) FROM cases WHERE reporter_id = ?`,
		`SELECT COUNT(*) FROM case_events WHERE user_id = ?`,
		`SELECT COUNT(*) FROM approvals WHERE user_id = ?`,
		`SELECT COUNT(*) FROM conversations WHERE user_id = ?`,
		`SELECT COUNT(*) FROM audit_log WHERE user_id = ? AND action = 'erase_user'`,
	} {
		if n := countRows(t, h, q, id); n != 0 {
			t.Errorf("%s: %d rows left", q, n)
		}
	}
	if n := countRows(t, h, `SELECT COUNT(*) FROM outbox WHERE payload LIKE '%Tono Wibowo%' OR payload LIKE '%6281234567890%'`); n != 0 {
		t.Errorf("%d outbox rows still hold the name or phone", n)
	}
	// ...the cases stay, attributed to a removed worker with the same role and area...
	var standIn int64
	var name, phone, role, kec, status string
	if err := h.DB().SQL().QueryRow(`SELECT u.id, u.full_name, u.phone, u.role, u.kecamatan, u.status FROM cases c
		JOIN users u ON u.id = c.reporter_id WHERE c.code = ?`, cs[0].Code).Scan(&standIn, &name, &phone, &role, &kec, &status); err != nil {
		t.Fatal(err)
	}
	if standIn >= 0 || name != "Pekerja yang dihapus" || phone != "" || role != store.RolePSM || kec != kecTelanaipura ||
		status != store.UserErased {
		t.Fatalf("stand-in %d %q %q %s %s %s", standIn, name, phone, role, kec, status)
	}
	if n := countRows(t, h, `SELECT COUNT(*) FROM cases`); n != 2 {
		t.Fatalf("%d cases left, want 2", n)
	}
	// ...and the audit has it, under the stand-in.
	if !auditHas(t, h, standIn, "erase_user", "self") {
		t.Fatal("erasure not audited")
	}
	m = admin.send("/kasus", "Kasus di wilayah Anda")
	if strings.Contains(m.Text, "Tono") {
		t.Fatalf("the erased name is still shown: %s", m.Text)
	}

	// An admin erases a case's personal data; the case stays.
	m = admin.send("/hapus_kasus "+cs[1].Code, "tidak bisa dibatalkan")
	if err := admin.Press("🗑 Hapus data pribadi"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(m.ID, "sudah dihapus")
	var nik, fullName, address string
	if err := h.DB().SQL().QueryRow(`SELECT nik, full_name, address FROM cases WHERE code = ?`, cs[1].Code).
		Scan(&nik, &fullName, &address); err != nil {
		t.Fatal(err)
	}
	if nik != "" || strings.Contains(fullName, "Warga") || address != "" {
		t.Fatalf("case still holds %q %q %q", nik, fullName, address)
	}
	if !auditHas(t, h, adminID, "erase_case", cs[1].Code) {
		t.Fatal("case erasure not audited")
	}
	h.NoViolations()
}
