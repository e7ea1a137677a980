package flows_test

import (
	"context"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/store"
)

// The same name, kelurahan and birth date is a duplicate check too: a worker
// can pick any kelurahan of the city, so it follows the duplicate-NIK rules
// (nothing of a case outside their area, no category of a colleague's case),
// each match is audited, and the reviewer's card names it.

const (
	kelThehok     = "15.71.02.1004"
	kelPasirPutih = "15.71.02.1002"
)

// reportSimilar reports Siti Aminah, no NIK, born 12-05-1990, in Thehok
// (Jambi Selatan), and returns what the bot said on the kelurahan.
func reportSimilar(u *tgUser) string {
	u.t.Helper()
	reportUpToNIK(u, "Siti Aminah")
	u.press("Tidak ada NIK", "Mengapa")
	u.press("Tidak tahu / tidak ingat", "jenis kelamin")
	u.press("Perempuan", "tanggal lahir")
	u.send("12-05-1990", "tempat lahir")
	u.send("/lewati", "alamat")
	u.send("Jl. Sisingamangaraja 12", "RT/RW")
	u.send("/lewati", "No. KK")
	u.send("/lewati", "wilayah")
	u.press("Wilayah lain", "kecamatan")
	u.press("Jambi Selatan", "kelurahan")
	last := lastMessageID(u.Messages())
	u.press("Thehok", "lokasi")
	var said []string
	for _, m := range u.Messages() {
		if m.ID > last {
			said = append(said, m.Text)
		}
	}
	return strings.Join(said, "\n")
}

func auditRows(t *testing.T, h *bottest.Harness, action string, user int64) []string {
	t.Helper()
	rows, err := h.DB().SQL().Query(`SELECT detail FROM audit_log WHERE action = ? AND user_id = ? ORDER BY id`,
		action, user)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func TestCaseSimilarByArea(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	coordB := seed(t, h, "Wulan Sari", store.RoleCoordinator, kecJambiSelatan, "", kecJambiSelatan)
	first := insertCase(t, h, store.Case{ReporterID: coordB.ID(), Category: "PPKS16", FullName: "Siti Aminah",
		NoNIKReason: "tidak_tahu", Gender: "P", BirthDate: "1990-05-12", Address: "Jl. A", Kecamatan: kecJambiSelatan,
		Kelurahan: kelThehok, Description: "Laporan pertama.", Needs: []string{"kesehatan"}, Urgency: "biasa"})

	for _, tc := range []struct {
		name, kec, kel string
		want, never    []string
		inScope        string
	}{
		{"a worker of another kecamatan", kecTelanaipura, kelBuluranKenali, nil,
			[]string{"Mungkin sudah dilaporkan", first.Code, "HIV"}, "false"},
		{"a worker of the kecamatan", kecJambiSelatan, kelPasirPutih,
			[]string{"Mungkin sudah dilaporkan: kasus " + first.Code, "kecamatan Anda"}, []string{"HIV"}, "true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := seed(t, h, "Sri Wahyuni", store.RolePSM, tc.kec, tc.kel, "")
			said := reportSimilar(u)
			for _, w := range tc.want {
				if !strings.Contains(said, w) {
					t.Errorf("no %q in %q", w, said)
				}
			}
			for _, n := range tc.never {
				if strings.Contains(said, n) {
					t.Errorf("%q told: %q", n, said)
				}
			}
			if d := auditRows(t, h, "similar_match", u.ID()); len(d) != 1 || !strings.HasSuffix(d[0], "in_scope="+tc.inScope) {
				t.Errorf("similar_match audit = %q", d)
			}
			u.send("/batal", "dibatalkan")
		})
	}
}

// The follow-up note is checked again on saving: a worker moved to another
// kecamatan while typing adds nothing to the case.
func TestCaseFollowUpRecheckedOnSave(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	coordB := seed(t, h, "Wulan Sari", store.RoleCoordinator, kecJambiSelatan, "", kecJambiSelatan)
	first := insertCase(t, h, store.Case{ReporterID: coordB.ID(), Category: "PPKS16", FullName: "Siti Aminah",
		NIK: nikSiti, Gender: "P", BirthDate: "1990-05-12", Address: "Jl. A", Kecamatan: kecJambiSelatan,
		Kelurahan: kelThehok, Description: "Laporan pertama.", Needs: []string{"kesehatan"}, Urgency: "biasa"})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecJambiSelatan, kelPasirPutih, "")
	reportUpToNIK(worker, "Siti Aminah")
	worker.send(nikSiti, "Apa yang ingin dilakukan")
	worker.press("📝 Tambah catatan ke kasus itu", "catatan lanjutan")
	worker.send("Sudah pindah rumah.", "Periksa data")
	if err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
		return tx.SetProfile(worker.ID(), store.Profile{FullName: "Sri Wahyuni", Phone: "+6281234567890",
			Role: store.RolePSM, Kecamatan: kecTelanaipura, Kelurahan: kelBuluranKenali}, store.UserActive)
	}); err != nil {
		t.Fatal(err)
	}
	worker.press("✅ Simpan", "tidak berhak")
	if ev := caseEvents(t, h, first.ID); len(ev) != 1 {
		t.Errorf("history = %+v", ev)
	}
	if d := auditRows(t, h, "denied", worker.ID()); len(d) != 1 || d[0] != "case_note "+first.Code {
		t.Errorf("denied audit = %q", d)
	}
}
