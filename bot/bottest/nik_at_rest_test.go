package bottest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/store"
)

// noNIKOnDisk fails when the database file or its WAL holds nik, whole or
// grouped as people type it.
func noNIKOnDisk(t *testing.T, h *bottest.Harness, nik, when string) {
	t.Helper()
	grouped := nik[:4] + " " + nik[4:8] + " " + nik[8:12] + " " + nik[12:]
	for _, p := range []string{h.DBPath, h.DBPath + "-wal"} {
		b, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		must(t, err)
		for _, form := range []string{nik, grouped} {
			if bytes.Contains(b, []byte(form)) {
				t.Errorf("%s: %s holds the NIK %q", when, p, form)
			}
		}
	}
}

// A worker reports a case with a NIK: neither the open form nor the saved
// case leaves the NIK readable in the database's bytes, while the bot still
// reads it back (the draft resumes, the case record has it).
func TestE2ENIKNotStoredInPlaintext(t *testing.T) {
	const nik = "1571015205900003" // female, born 12-05-1990
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")

	u.send("/lapor", "kelompok")
	u.press("👶 Anak", "kategori")
	u.press("Anak Telantar", "nama lengkap")
	u.send("Siti Aminah", "NIK")
	if m := u.send("1571 0152 0590 0003", "jenis kelamin"); strings.Contains(m.Text, nik) {
		t.Errorf("the prompt shows the full NIK: %s", m.Text)
	}
	// The form is open with the NIK answered: the bot reads it from the draft...
	d, ok := storedDraft(t, h, u.ID())
	if !ok || !strings.Contains(d.Data, nik) {
		t.Fatalf("the open form does not hold the NIK: %v %s", ok, d.Data)
	}
	// ...and the disk does not show it.
	noNIKOnDisk(t, h, nik, "form open")

	// The form resumes after a restart with the NIK.
	h.Restart()
	u.press("Perempuan (sesuai NIK)", "tanggal lahir")
	u.press("12-05-1990 (sesuai NIK)", "tempat lahir")
	u.send("/lewati", "alamat")
	u.addressAndArea("Jl. Kapt. Pattimura RT 05", "📍 Buluran Kenali, Telanaipura")
	u.send("/lewati", "foto")
	u.press("✔️ Selesai", "keadaannya")
	u.send("Tinggal sendiri sejak orang tuanya meninggal.", "kebutuhan")
	u.toggle("Pangan")
	u.press("✔️ Selesai", "mendesak")
	if sum := u.press("Biasa", "Periksa data"); !strings.Contains(sum.Text, "1571********0003") {
		t.Errorf("the summary does not show the masked NIK: %s", sum.Text)
	}
	u.press("✅ Simpan", "JMB-26-00001")
	settle(t, h)
	noNIKOnDisk(t, h, nik, "case saved")

	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		cs, err := tx.CasesByNIK(nik)
		if err != nil {
			return err
		}
		if len(cs) != 1 || cs[0].NIK != nik || cs[0].Code != "JMB-26-00001" {
			t.Errorf("the case by its NIK: %+v", cs)
		}
		return nil
	}))
	var stored string
	must(t, h.DB().SQL().QueryRow(`SELECT nik FROM cases WHERE code = 'JMB-26-00001'`).Scan(&stored))
	if !strings.HasPrefix(stored, "~nk1~") {
		t.Errorf("the nik column holds %q, not ciphertext", stored)
	}
	must(t, h.Stop())
	noNIKOnDisk(t, h, nik, "bot stopped")
}
