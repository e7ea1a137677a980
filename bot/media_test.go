package bot_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"
)

// photoCases stores every photo it is sent as the photo of a new case, so the
// downloader has something real (a file_id the fake knows) to fetch.
type photoCases struct{ *flows.App }

func (p photoCases) Handle(tx *store.Tx, ev flows.Event) error {
	if ev.Photo == nil {
		return p.App.Handle(tx, ev)
	}
	if _, err := tx.TouchUser(ev.UserID, ev.FirstName, ev.Username); err != nil {
		return err
	}
	code, err := tx.NextCaseCode("JMB", 2026)
	if err != nil {
		return err
	}
	id, err := tx.InsertCase(store.Case{Code: code, ReporterID: ev.UserID, Category: "PPKS02", FullName: "X",
		Gender: "L", Address: "-", Kecamatan: "15.71.01", Kelurahan: "15.71.01.1002", Description: "-", Urgency: "biasa"})
	if err != nil {
		return err
	}
	return tx.AddCasePhoto(id, store.CasePhoto{FileID: ev.Photo.FileID, FileUniqueID: ev.Photo.FileUniqueID})
}

func mediaHarness(t *testing.T, dir string) *bottest.Harness {
	return bottest.Start(t, bottest.Options{
		Bot: func(c *bot.Config) {
			c.Media = bot.MediaConfig{Dir: dir, Interval: 10 * time.Millisecond, MaxAttempts: 4,
				MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}
		},
		Handler: func(app *flows.App) bot.Handler { return photoCases{app} },
	})
}

func testJPEG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 200, 100)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type photoRow struct {
	status, path, errText string
	attempts              int
}

func photoState(t *testing.T, h *bottest.Harness) (photoRow, bool) {
	t.Helper()
	var r photoRow
	err := h.DB().SQL().QueryRow(`SELECT status, local_path, attempts, error FROM case_photos ORDER BY id LIMIT 1`).
		Scan(&r.status, &r.path, &r.attempts, &r.errText)
	return r, err == nil
}

// A photo is fetched through getFile and the file URL into the media folder;
// getFile failing with 5xx is retried.
func TestPhotoDownloadRetried(t *testing.T) {
	dir := t.TempDir()
	h := mediaHarness(t, dir)
	h.Server.FailNext("getFile", 1, telegramtest.Fault{Kind: telegramtest.Fault500})
	h.Server.FailNext("getFile", 1, telegramtest.Fault{Kind: telegramtest.Fault502})
	u := h.NewUser("Siti")
	pic := testJPEG(t)
	u.SendPhoto(pic, "")
	var r photoRow
	h.WaitUntil(wait, "photo downloaded", func() bool {
		var ok bool
		r, ok = photoState(t, h)
		return ok && r.status == store.PhotoDone
	})
	got, err := os.ReadFile(filepath.Join(dir, r.path))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, pic) {
		t.Errorf("saved %d bytes, want the %d sent (largest size)", len(got), len(pic))
	}
	if r.attempts != 3 {
		t.Errorf("attempts = %d, want 3 (two failures, then success)", r.attempts)
	}
	if res := h.Server.CallsByResult("getFile"); res[500] != 1 || res[502] != 1 || res[200] != 1 {
		t.Errorf("getFile results = %v", res)
	}
	fi, err := os.Stat(filepath.Join(dir, r.path))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("photo file mode %v, want 0600", fi.Mode().Perm())
	}
	if bytes.Contains([]byte(h.Log.String()), []byte(h.Server.Token())) {
		t.Error("the token appears in the log")
	}
	h.NoViolations()
}

// A file_id Telegram does not know is given up at once, not retried forever.
func TestPhotoDownloadGivesUp(t *testing.T) {
	dir := t.TempDir()
	h := mediaHarness(t, dir)
	u := h.NewUser("Siti")
	u.SendText("/start")
	if _, err := u.WaitForText(wait, "Halo"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.DB().SQL().Exec(`INSERT INTO cases (code, reporter_id, category, full_name, gender, address,
		kecamatan, kelurahan, description, urgency, created_at, updated_at)
		VALUES ('JMB-26-00009', ?, 'PPKS02', 'X', 'L', '-', '15.71.01', '15.71.01.1002', '-', 'biasa', '2026-11-02T02:00:00.000Z', '2026-11-02T02:00:00.000Z')`,
		u.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := h.DB().SQL().Exec(`INSERT INTO case_photos (case_id, file_id, file_unique_id, created_at)
		SELECT id, 'no-such-file', 'U1', '2026-11-02T02:00:00.000Z' FROM cases`); err != nil {
		t.Fatal(err)
	}
	var r photoRow
	h.WaitUntil(wait, "photo given up", func() bool {
		var ok bool
		r, ok = photoState(t, h)
		return ok && r.status == store.PhotoFailed
	})
	if r.attempts != 1 || r.errText == "" {
		t.Errorf("photo = %+v, want one attempt with the reason", r)
	}
}
