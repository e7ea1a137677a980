package flows_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/flows/xlsform"
	"dinsosbot/store"
)

// insertVisitSubmission publishes the shipped visit form and stores a
// submission of it by worker, linked to caseID, whose answers hold text and
// a photo file at photo (relative to the media folder).
func insertVisitSubmission(t *testing.T, db *store.DB, worker, caseID int64, kec, text, photo string) int64 {
	t.Helper()
	var id int64
	if err := db.Update(context.Background(), func(tx *store.Tx) error {
		vid, err := tx.AddFormVersion(store.FormVersion{FormID: "kunjungan_pendampingan", Version: "1",
			Title: "Kunjungan pendampingan", XLSX: xlsform.VisitForm, UploadedBy: adminID})
		if err != nil {
			return err
		}
		if _, err := tx.PublishForm(vid, "", ""); err != nil {
			return err
		}
		data, err := store.EncodeFormAnswers(map[string]store.FormAnswer{
			"kegiatan": {Text: text}, "catatan": {Text: text}, "foto": {Files: []string{photo}},
		})
		if err != nil {
			return err
		}
		id, err = tx.InsertSubmission(store.Submission{VersionID: vid, FormID: "kunjungan_pendampingan", UserID: worker,
			CaseID: caseID, Kecamatan: kec, Data: data})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestEraseCaseErasesItsSubmissions: a visit is logged on a case and its
// review card delivered to the coordinator; erasing the case (the case row
// stays, so no ON DELETE CASCADE runs) deletes the submission, its photo
// file and its card in the coordinator's chat, and no byte of its answers
// stays in the database file or its write-ahead log.
func TestEraseCaseErasesItsSubmissions(t *testing.T) {
	const visit = "Kunjungan ke rumah Ibu Zainab Wiryokusumo di Lorong Melati"
	media := t.TempDir()
	h, admin := adminRig(t, mediaOpts(media))
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	k := insertCase(t, h, store.Case{ReporterID: worker.ID(), Category: "PPKS02", FullName: "Zainab Wiryokusumo",
		Gender: "P", Age: 70, NoNIKReason: "tidak_tahu", Address: "Lorong Melati", Kecamatan: kecTelanaipura,
		Kelurahan: kelBuluranKenali, Description: "Lansia tinggal sendiri.", Needs: []string{"pangan"}, Urgency: "biasa"})
	photo := "form-visit/AgADvisit.jpg"
	if err := os.MkdirAll(filepath.Join(media, "form-visit"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(media, photo), []byte("JPEG "+visit), 0o600); err != nil {
		t.Fatal(err)
	}
	other := insertVisitSubmission(t, h.DB(), worker.ID(), 0, kecTelanaipura, "Kunjungan lain tanpa kasus", "")
	id := insertVisitSubmission(t, h.DB(), worker.ID(), k.ID, kecTelanaipura, visit, photo)

	list := coord.send("/kiriman", "menunggu diperiksa")
	card := coord.do(func() {
		if err := coord.PressOn(list.ID, "#"+strconv.FormatInt(id, 10)+" Kunjungan pendampingan"); err != nil {
			t.Fatal(err)
		}
	}, k.Code)
	settled(t, h)
	if found := bytesHolding(t, h, media, visit); len(found) == 0 {
		t.Fatal("the scan finds nothing before the erasure: it checks nothing")
	}

	m := admin.send("/hapus_kasus "+k.Code, "tidak bisa dibatalkan")
	if err := admin.Press("🗑 Hapus data pribadi"); err != nil {
		t.Fatal(err)
	}
	admin.waitEditedTo(m.ID, "sudah dihapus")
	if err := coord.WaitDeleted(caseWait, card.ID); err != nil {
		t.Error(err)
	}
	settled(t, h)
	if n := countRows(t, h, `SELECT COUNT(*) FROM form_submissions WHERE id = ?`, id); n != 0 {
		t.Errorf("the case's submission is still stored")
	}
	if n := countRows(t, h, `SELECT COUNT(*) FROM form_submissions WHERE id = ?`, other); n != 1 {
		t.Errorf("a submission on no case was erased too")
	}
	for _, f := range bytesHolding(t, h, media, visit) {
		t.Error(f)
	}
	for _, cm := range coord.Messages() {
		if !cm.Deleted && strings.Contains(cm.Text, "Zainab") {
			t.Errorf("a message still shows the visit: %q", cm.Text)
		}
	}
}

// TestEraseMeKeepsSubmissionsWithoutAccount: a worker erasing themself
// leaves what they submitted to the office under their stand-in, and the
// answers the bot filled from their account (username) go.
func TestEraseMeKeepsSubmissionsWithoutAccount(t *testing.T) {
	h, _ := adminRig(t, bottest.Options{})
	worker := seed(t, h, "Wiraguna Setiabudhi", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	var id int64
	if err := h.DB().Update(context.Background(), func(tx *store.Tx) error {
		vid, err := tx.AddFormVersion(store.FormVersion{FormID: "kunjungan_pendampingan", Version: "1",
			Title: "Kunjungan pendampingan", XLSX: xlsform.VisitForm, UploadedBy: adminID})
		if err != nil {
			return err
		}
		data, err := store.EncodeFormAnswers(map[string]store.FormAnswer{
			"pengguna": {Text: "Wiraguna Setiabudhi", Computed: true}, "kegiatan": {Text: "Mengantar ke puskesmas"}})
		if err != nil {
			return err
		}
		id, err = tx.InsertSubmission(store.Submission{VersionID: vid, FormID: "kunjungan_pendampingan",
			UserID: worker.ID(), Kecamatan: kecTelanaipura, Data: data})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	worker.send("/hapus_data_saya", "tidak bisa dibatalkan")
	if err := worker.Press("🗑 Ya, hapus data saya"); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.WaitForText(caseWait, "Data pribadi Anda sudah dihapus"); err != nil {
		t.Fatal(err)
	}
	settled(t, h)
	var user int64
	var data string
	if err := h.DB().SQL().QueryRow(`SELECT user_id, data FROM form_submissions WHERE id = ?`, id).Scan(&user, &data); err != nil {
		t.Fatal(err)
	}
	if user >= 0 || strings.Contains(data, "Wiraguna") || !strings.Contains(data, "Mengantar ke puskesmas") {
		t.Errorf("after erasure: user %d, data %s", user, data)
	}
	for _, f := range bytesHolding(t, h, "", "Wiraguna Setiabudhi") {
		t.Error(f)
	}
}
