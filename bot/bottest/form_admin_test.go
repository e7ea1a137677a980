package bottest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/flows/region"
	"dinsosbot/flows/xlsform"
	"dinsosbot/flows/xlsform/xlsformtest"
	"dinsosbot/store"
)

// Publishing, reviewing and exporting XLSForm forms from the people's side:
// an admin uploads a workbook as a document, the bot fetches it, checks it
// and previews it, and the admin publishes it to an audience; a coordinator
// reviews submissions of their area; /ekspor returns them in KoBoToolbox's
// layout.

// loadForm loads a workbook as the bot does.
func loadForm(t *testing.T, xlsx []byte) *xlsform.Form {
	t.Helper()
	f, err := xlsform.Load(bytes.NewReader(xlsx), xlsform.Options{Regions: region.KotaJambi()})
	if err != nil {
		t.Fatalf("load form: %v", err)
	}
	return f
}

// publishedForms lists the forms published, as stored.
func publishedForms(t *testing.T, h *bottest.Harness) []store.PublishedForm {
	t.Helper()
	var out []store.PublishedForm
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.PublishedForms()
		return err
	}))
	return out
}

// versionStatuses lists the statuses of formID's versions, oldest first.
func versionStatuses(t *testing.T, h *bottest.Harness, formID string) []string {
	t.Helper()
	rows, err := h.DB().SQL().Query(`SELECT status FROM form_versions WHERE form_id = ? ORDER BY id`, formID)
	must(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		must(t, rows.Scan(&s))
		out = append(out, s)
	}
	return out
}

func countSQL(t *testing.T, h *bottest.Harness, q string, args ...any) int {
	t.Helper()
	var n int
	must(t, h.DB().SQL().QueryRow(q, args...).Scan(&n))
	return n
}

// TestFormUploadPreviewPublish: an admin sends the shipped visit form; the
// bot answers with a preview (title, form_id, questions) and the audience
// buttons; published to PSM it is stored so. The same form sent again says
// it replaces the published version; published to one kecamatan (from the
// paged list) the old version is kept as replaced. /formulir_kelola lists it
// and withdraws it.
func TestFormUploadPreviewPublish(t *testing.T) {
	r := newScopeRig(t)
	form := loadForm(t, xlsform.VisitForm)

	r.admin.do(func() { r.admin.SendDocument("kunjungan_pendampingan.xlsx", xlsform.VisitForm, "") }, "diterima")
	preview := waitText(t, r.admin.User, "Terbitkan untuk siapa?")
	for _, want := range []string{form.Title, form.ID, "Jumlah pertanyaan", "1."} {
		if !strings.Contains(preview.Text, want) {
			t.Errorf("preview lacks %q:\n%s", want, preview.Text)
		}
	}
	if strings.Contains(preview.Text, "Menggantikan") {
		t.Errorf("a first upload replaces nothing:\n%s", preview.Text)
	}
	if got := versionStatuses(t, r.h, form.ID); !slices.Equal(got, []string{store.FormPreview}) {
		t.Fatalf("versions after upload = %v", got)
	}
	r.admin.press("PSM", "Untuk: PSM")
	r.admin.press("✅ Terbitkan", "terbit untuk PSM")
	pub := publishedForms(t, r.h)
	if len(pub) != 1 || pub[0].FormID != form.ID || pub[0].AudienceRole != store.RolePSM || pub[0].AudienceKecamatan != "" {
		t.Fatalf("published = %+v", pub)
	}
	if n := auditCount(t, r.h, "form_publish", scopeAdminID, ""); n != 1 {
		t.Errorf("form_publish audited %d times", n)
	}

	// Again, for one kecamatan: the kecamatan list is paged.
	r.admin.do(func() { r.admin.SendDocument("kunjungan_v2.xlsx", xlsform.VisitForm, "") }, "diterima")
	again := waitText(t, r.admin.User, "Menggantikan versi")
	must(t, r.admin.PressOn(again.ID, "📍 Per kecamatan…"))
	r.admin.WaitForEdit(wait, again.ID, "Pilih kecamatan")
	must(t, r.admin.PressOn(again.ID, "Telanaipura"))
	r.admin.WaitForEdit(wait, again.ID, "Kecamatan Telanaipura")
	must(t, r.admin.PressOn(again.ID, "✅ Terbitkan"))
	if _, err := r.admin.WaitForEdit(wait, again.ID, "menggantikan versi sebelumnya"); err != nil {
		t.Fatal(err)
	}
	pub = publishedForms(t, r.h)
	if len(pub) != 1 || pub[0].AudienceRole != "" || pub[0].AudienceKecamatan != kecA {
		t.Fatalf("published = %+v", pub)
	}
	if got := versionStatuses(t, r.h, form.ID); !slices.Equal(got, []string{store.FormReplaced, store.FormPublished}) {
		t.Errorf("versions = %v, want the first kept as replaced", got)
	}

	// A preview's buttons pressed again after publishing do nothing.
	before := len(publishedForms(t, r.h))
	r.admin.PressData(again.ID, buttonData(t, again, "✖️ Batal"))
	settle(t, r.h)
	if got := versionStatuses(t, r.h, form.ID); got[1] != store.FormPublished || len(publishedForms(t, r.h)) != before {
		t.Errorf("a stale cancel changed the versions: %v", got)
	}

	list := r.admin.send("/formulir_kelola", "Formulir")
	if !strings.Contains(list.Text, form.Title) || !strings.Contains(list.Text, "terbit untuk Kecamatan Telanaipura") {
		t.Errorf("list:\n%s", list.Text)
	}
	must(t, r.admin.PressOn(list.ID, "⛔ Tarik: "+clipTitle(form.Title)))
	if _, err := r.admin.WaitForEdit(wait, list.ID, "ditarik"); err != nil {
		t.Fatal(err)
	}
	if pub := publishedForms(t, r.h); len(pub) != 0 {
		t.Errorf("still published after withdrawal: %+v", pub)
	}
	if n := auditCount(t, r.h, "form_unpublish", scopeAdminID, ""); n != 1 {
		t.Errorf("form_unpublish audited %d times", n)
	}
}

func clipTitle(s string) string {
	if r := []rune(s); len(r) > 30 {
		return string(r[:29]) + "…"
	}
	return s
}

// TestFormUploadPreviewIgnored: phone metadata rows (deviceid, phonenumber)
// that a chat cannot fill are named in the preview, so the admin knows
// before publishing that those columns will stay out.
func TestFormUploadPreviewIgnored(t *testing.T) {
	r := newScopeRig(t)
	wb := xlsformtest.Form(t, [][]string{
		{"type", "name", "label"},
		{"deviceid", "perangkat", ""},
		{"phonenumber", "hp", ""},
		{"text", "nama", "Nama"},
	}, nil, xlsformtest.Settings("meta"))
	r.admin.do(func() { r.admin.SendDocument("meta.xlsx", wb, "") }, "diterima")
	preview := waitText(t, r.admin.User, "Terbitkan untuk siapa?")
	for _, want := range []string{"Dilewati", "perangkat [deviceid]", "hp [phonenumber]", "Jumlah pertanyaan: 1"} {
		if !strings.Contains(preview.Text, want) {
			t.Errorf("preview lacks %q:\n%s", want, preview.Text)
		}
	}
}

// TestFormUploadRefused: a workbook outside the subset is refused with each
// problem's sheet and row, nothing stored but the audit; a file that is not
// .xlsx is not fetched; a worker's document does what any stray message
// does; a forged publish button from a worker is denied.
func TestFormUploadRefused(t *testing.T) {
	r := newScopeRig(t)
	broken := xlsformtest.Form(t, [][]string{
		{"type", "name", "label"},
		{"text", "nama", "Nama"},
		{"begin repeat", "anak", "Anak"},
		{"text", "nama_anak", "Nama anak"},
		{"end repeat"},
		{"range", "skala", "Skala"},
	}, nil, xlsformtest.Settings("rusak"))
	r.admin.do(func() { r.admin.SendDocument("rusak.xlsx", broken, "") }, "diterima")
	refusal := waitText(t, r.admin.User, "ditolak")
	for _, want := range []string{"sheet survey, baris 3", "sheet survey, baris 6"} {
		if !strings.Contains(refusal.Text, want) {
			t.Errorf("refusal lacks %q:\n%s", want, refusal.Text)
		}
	}
	if n := countSQL(t, r.h, `SELECT COUNT(*) FROM form_versions`); n != 0 {
		t.Errorf("%d versions stored for a refused form", n)
	}
	if n := auditCount(t, r.h, "form_refused", scopeAdminID, ""); n != 1 {
		t.Errorf("form_refused audited %d times", n)
	}

	r.admin.do(func() { r.admin.SendDocument("surat.pdf", []byte("%PDF-1.4"), "") }, ".xlsx")
	garbage := []byte("PK\x03\x04 not a workbook")
	r.admin.do(func() { r.admin.SendDocument("palsu.xlsx", garbage, "") }, "diterima")
	if _, err := r.admin.WaitFor(wait, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			if strings.Contains(m.Text, "palsu.xlsx") && (strings.Contains(m.Text, "ditolak") || strings.Contains(m.Text, "dibaca")) {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("a broken workbook got no answer: %v", err)
	}

	sri := actor{t, r.sri, wait}
	sri.do(func() { sri.SendDocument("kunjungan.xlsx", xlsform.VisitForm, "") }, "belum mengerti")
	if n := countSQL(t, r.h, `SELECT COUNT(*) FROM form_uploads WHERE user_id = ?`, r.sri.ID()); n != 0 {
		t.Errorf("a worker's document was taken as a form upload (%d rows)", n)
	}
	// A forged publish press from a worker.
	msg := sri.send("/bantuan", "")
	sri.PressData(msg.ID, "fp:1:p:all")
	settle(t, r.h)
	if n := auditCount(t, r.h, "denied", r.sri.ID(), "form_publish p"); n != 1 {
		t.Errorf("forged publish audited %d times", n)
	}
	if n := countSQL(t, r.h, `SELECT COUNT(*) FROM forms`); n != 0 {
		t.Errorf("a forged press published %d forms", n)
	}
}

// formRig is the scope rig with the all-types form published and
// submissions inserted as the filling stores them.
type formRig struct {
	*scopeRig
	form *xlsform.Form
	vid  int64
}

func newFormRig(t *testing.T) *formRig {
	t.Helper()
	r := &formRig{scopeRig: newScopeRig(t)}
	xlsx := xlsformtest.AllTypes(t)
	r.form = loadForm(t, xlsx)
	must(t, r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		if r.vid, err = tx.AddFormVersion(store.FormVersion{FormID: r.form.ID, Version: r.form.Version, Title: r.form.Title,
			XLSX: xlsx, UploadedBy: scopeAdminID}); err != nil {
			return err
		}
		_, err = tx.PublishForm(r.vid, "", "")
		return err
	}))
	return r
}

const formNIK = "1571015205900003"

// submit stores a submission of the all-types form by user in kecamatan kec.
func (r *formRig) submit(user int64, kec, name string, caseID int64) int64 {
	r.t.Helper()
	var id int64
	must(r.t, r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		sealed, index := tx.SealFormNIK(formNIK)
		data, err := store.EncodeFormAnswers(map[string]store.FormAnswer{
			"mulai":    {Text: "2026-11-02T09:00", Computed: true},
			"nama":     {Text: name},
			"nik":      {Text: sealed},
			"umur":     {Text: "45"},
			"berat":    {Text: "50.5"},
			"kec":      {Text: kec},
			"setuju":   {Text: "ya"},
			"bantuan":  {List: []string{"pkh", "lain"}},
			"lokasi":   {Lat: -1.6101, Lon: 103.6131, Located: true},
			"foto":     {Files: []string{"form-1/AgADfoto.jpg"}},
			"komentar": {Text: `=HYPERLINK("http://x","klik")`},
			"jam":      {Skipped: true},
		})
		if err != nil {
			return err
		}
		id, err = tx.InsertSubmission(store.Submission{VersionID: r.vid, FormID: r.form.ID, UserID: user, CaseID: caseID,
			Kecamatan: kec, Data: data, NIKIndex: index})
		return err
	}))
	return id
}

func (r *formRig) submission(id int64) store.Submission {
	r.t.Helper()
	var s store.Submission
	must(r.t, r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		s, _, err = tx.GetSubmission(id)
		return err
	}))
	return s
}

// TestSubmissionReview: the coordinator of area A lists the submissions
// waiting in A (not B's), opens one (labels, masked NIK, files counted),
// verifies it (the card changes, the worker is told), sends another back with
// the questions to fix and a note (the worker gets the fields and the
// "Perbaiki" button H3 handles); a forged press on B's submission and a press
// on their own are refused and audited, changing nothing.
func TestSubmissionReview(t *testing.T) {
	r := newFormRig(t)
	first := r.submit(r.sri.ID(), kecA, "Siti Rahmawati", 0)
	second := r.submit(r.eko.ID(), kecA, "Wati Lestari", 0)
	ofB := r.submit(r.bambang.ID(), kecB, "Joko Susilo", 0)
	own := r.submit(r.coord.ID(), kecA, "Dewi Sartika", 0)

	list := r.coord.send("/kiriman", "menunggu diperiksa")
	for _, want := range []string{"#" + strconv.FormatInt(first, 10), "#" + strconv.FormatInt(second, 10)} {
		if !strings.Contains(list.Text, want) {
			t.Errorf("list lacks %s:\n%s", want, list.Text)
		}
	}
	if strings.Contains(list.Text, "#"+strconv.FormatInt(ofB, 10)) || strings.Contains(list.Text, "Bambang") {
		t.Errorf("list shows area B:\n%s", list.Text)
	}
	card := r.coord.do(func() {
		r.coord.PressData(list.ID, buttonData(t, list, "#"+strconv.FormatInt(first, 10)+" "+r.form.Title))
	},
		"Siti Rahmawati")
	for _, want := range []string{"Nama: <b>Siti Rahmawati</b>", "1571********0003", "PKH, Lainnya", "📎 1 berkas",
		"Telanaipura", "Sri Wahyuni"} {
		if !strings.Contains(card.RawText, want) {
			t.Errorf("card lacks %q:\n%s", want, card.RawText)
		}
	}
	if strings.Contains(card.RawText, formNIK) {
		t.Errorf("card shows the whole NIK:\n%s", card.RawText)
	}
	must(t, r.coord.PressOn(card.ID, "✅ Verifikasi"))
	if _, err := r.coord.WaitForEdit(wait, card.ID, "Terverifikasi oleh Kurnia"); err != nil {
		t.Fatal(err)
	}
	waitText(t, r.sri, "Kiriman #"+strconv.FormatInt(first, 10))
	if s := r.submission(first); s.Status != store.SubmissionVerified || s.ReviewedBy != r.coord.ID() {
		t.Errorf("stored %s by %d", s.Status, s.ReviewedBy)
	}
	if n := auditCount(t, r.h, "submission_terverifikasi", r.coord.ID(), ""); n != 1 {
		t.Errorf("verification audited %d times", n)
	}

	// Sent back with the questions to fix.
	list = r.coord.send("/kiriman", "menunggu diperiksa")
	card = r.coord.do(func() {
		r.coord.PressData(list.ID, buttonData(t, list, "#"+strconv.FormatInt(second, 10)+" "+r.form.Title))
	},
		"Wati Lestari")
	r.coord.do(func() { must(t, r.coord.PressOn(card.ID, "✏️ Perlu perbaikan")) }, "perlu diperbaiki")
	r.coord.toggle("Nama")
	r.coord.toggle("Umur")
	r.coord.press("✔️ Selesai", "catatan")
	r.coord.send("Nama dan umur tidak sesuai KTP", "Simpan")
	r.coord.press("✅ Simpan", "Perlu perbaikan")
	told := waitText(t, r.eko, "Nama dan umur tidak sesuai KTP")
	if !strings.Contains(told.Text, "Nama, Umur") || buttonData(t, told, "✏️ Perbaiki") != "xfix:"+strconv.FormatInt(second, 10) {
		t.Errorf("worker told:\n%s\n%v", told.Text, told.InlineKeyboard)
	}
	s := r.submission(second)
	var fields []string
	must(t, json.Unmarshal([]byte(s.FixFields), &fields))
	if s.Status != store.SubmissionFix || !slices.Equal(fields, []string{"nama", "umur"}) || s.ReviewNote != "Nama dan umur tidak sesuai KTP" {
		t.Errorf("stored %s %v %q", s.Status, fields, s.ReviewNote)
	}
	if _, err := r.coord.WaitForEdit(wait, card.ID, "Perlu perbaikan oleh Kurnia"); err != nil {
		t.Error(err)
	}

	// Forged: area B's submission, and their own.
	r.coord.PressData(list.ID, "fr:"+strconv.FormatInt(ofB, 10)+":v:")
	r.coord.PressData(list.ID, "fr:"+strconv.FormatInt(ofB, 10)+":o:")
	settle(t, r.h)
	if n := auditCount(t, r.h, "denied", r.coord.ID(), "submission_review #"+strconv.FormatInt(ofB, 10)); n != 1 {
		t.Errorf("forged review audited %d times", n)
	}
	if n := auditCount(t, r.h, "denied", r.coord.ID(), "submission_view #"+strconv.FormatInt(ofB, 10)); n != 1 {
		t.Errorf("forged view audited %d times", n)
	}
	r.coord.PressData(list.ID, "fr:"+strconv.FormatInt(own, 10)+":v:")
	settle(t, r.h)
	if got := answers(t, r.h, r.coord.User, 1); !strings.Contains(got[len(got)-1].Text, "kiriman Anda sendiri") {
		t.Errorf("own submission answered %q", got[len(got)-1].Text)
	}
	for _, id := range []int64{ofB, own} {
		if s := r.submission(id); s.Status != store.SubmissionNew {
			t.Errorf("submission %d is %s after forged presses", id, s.Status)
		}
	}
	r.noLeak("review", r.coord.User, 0, "Joko Susilo")
}

// TestSubmissionExportKobo: /ekspor offers the form; the file is one row per
// submission and one column per question by group path, select_multiple split
// into 0/1 columns, the geopoint into Kobo's four, media as file names, the
// NIK whole (as the case export shows it to staff), the meta columns, a
// formula-looking answer neutralised; the coordinator's file holds area A only.
func TestSubmissionExportKobo(t *testing.T) {
	r := newFormRig(t)
	first := r.submit(r.sri.ID(), kecA, "Siti Rahmawati", r.caseA.ID)
	r.submit(r.bambang.ID(), kecB, "Joko Susilo", 0)

	rows := exportForm(t, r.admin, r.form.Title, 2)
	head := rows[0]
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("no column %q in %v", name, head)
		}
		return i
	}
	for _, name := range []string{"nama", "alamat/kec", "bantuan", "bantuan/pkh", "bantuan/bpnt", "bantuan/pbi", "bantuan/lain",
		"lokasi", "_lokasi_latitude", "_lokasi_longitude", "_lokasi_altitude", "_lokasi_precision", "foto",
		"_id", "_submission_time", "_submitted_by", "_version", "_status", "_case"} {
		col(name)
	}
	if col("nama") > col("nik") || col("nik") > col("alamat/kec") || col("alamat/kec") > col("bantuan") {
		t.Errorf("columns out of form order: %v", head)
	}
	var row []string
	for _, r := range rows[1:] {
		if len(r) > col("_id") && r[col("_id")] == strconv.FormatInt(first, 10) {
			row = r
		}
	}
	if row == nil {
		t.Fatalf("no row of submission %d in %v", first, rows)
	}
	cell := func(name string) string {
		if i := col(name); i < len(row) {
			return row[i]
		}
		return ""
	}
	want := map[string]string{"nama": "Siti Rahmawati", "nik": formNIK, "bantuan": "pkh lain", "bantuan/pkh": "1",
		"bantuan/bpnt": "0", "bantuan/lain": "1", "_lokasi_latitude": "-1.6101", "_lokasi_longitude": "103.6131",
		"foto": "AgADfoto.jpg", "_submitted_by": "Sri Wahyuni", "_version": "1", "_status": "baru",
		"_case": r.caseA.Code, "alamat/kec": kecA, "umur": "45", "jam": "",
		"komentar": `'=HYPERLINK("http://x","klik")`}
	for name, v := range want {
		if got := cell(name); got != v {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
	if n := auditCount(t, r.h, "export_form", scopeAdminID, ""); n != 1 {
		t.Errorf("export audited %d times", n)
	}

	// The coordinator of A: B's row is not there.
	rows = exportForm(t, r.coord, r.form.Title, 1)
	if len(rows) != 2 {
		t.Errorf("coordinator's export has %d rows, want the header and A's one", len(rows))
	}
	for _, rw := range rows {
		if strings.Contains(strings.Join(rw, "\t"), "Joko Susilo") {
			t.Errorf("coordinator's export holds area B: %v", rw)
		}
	}
}

// exportForm drives /ekspor for the form titled title with every kecamatan
// and returns the file's rows read back.
func exportForm(t *testing.T, a actor, title string, want int) [][]string {
	t.Helper()
	from := lastMsgID(a.User)
	a.send("/ekspor", "bentuk apa")
	a.press("📋 "+title, "Kecamatan?")
	a.press("Semua (wilayah saya)", "Simpan")
	must(t, a.Press("✅ Simpan"))
	var doc telegramtest.Message
	if _, err := a.WaitFor(wait, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			if m.ID > from && m.Kind == "document" {
				doc = m
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(doc.FileName, ".xlsx") || !strings.Contains(doc.Caption, strconv.Itoa(want)+" kiriman") {
		t.Errorf("document %s: %q", doc.FileName, doc.Caption)
	}
	f, err := excelize.OpenReader(bytes.NewReader(doc.File))
	must(t, err)
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	must(t, err)
	return rows
}

// TestFormUploadFetchFails: when Telegram will not give the file, the admin
// is told to send it again and nothing is stored; sent again once Telegram
// answers, it is previewed. A file larger than a form can be is refused
// before any download.
func TestFormUploadFetchFails(t *testing.T) {
	h := bottest.Start(t, bottest.Options{Admins: []int64{scopeAdminID}, Bot: func(c *bot.Config) {
		c.FormUploads = bot.FormUploadConfig{MaxAttempts: 1}
	}})
	admin := startAdmin(t, h, scopeAdminID)
	h.Server.FailAlways("getFile", telegramtest.Fault{Kind: telegramtest.Fault500})
	admin.do(func() { admin.SendDocument("kunjungan.xlsx", xlsform.VisitForm, "") }, "diterima")
	waitText(t, admin.User, "tidak dapat diunduh")
	if n := countSQL(t, h, `SELECT COUNT(*) FROM form_versions`); n != 0 {
		t.Errorf("%d versions stored without the file", n)
	}
	if n := countSQL(t, h, `SELECT COUNT(*) FROM form_uploads WHERE status = 'failed'`); n != 1 {
		t.Errorf("%d uploads marked failed", n)
	}
	h.Server.Heal("getFile")
	admin.do(func() { admin.SendDocument("kunjungan.xlsx", xlsform.VisitForm, "") }, "diterima")
	waitText(t, admin.User, "Terbitkan untuk siapa?")

	big := make([]byte, 3<<20)
	admin.do(func() { admin.SendDocument("besar.xlsx", big, "") }, "terlalu besar")
	settle(t, h)
	if n := countSQL(t, h, `SELECT COUNT(*) FROM form_uploads WHERE file_name = 'besar.xlsx'`); n != 0 {
		t.Errorf("an oversized file was recorded for download")
	}
}

// panickyForms is the flows with a form check that panics on the bytes.
type panickyForms struct{ *flows.App }

func (p panickyForms) FormFileFetched(tx *store.Tx, id int64, file []byte, failure string) error {
	if file != nil {
		panic("a bug in the check")
	}
	return p.App.FormFileFetched(tx, id, file, failure)
}

// TestFormUploadCheckPanics: a check that panics does not stop the bot: the
// upload is given up and the admin told to send it again.
func TestFormUploadCheckPanics(t *testing.T) {
	h := bottest.Start(t, bottest.Options{Admins: []int64{scopeAdminID},
		Bot:     func(c *bot.Config) { c.FormUploads = bot.FormUploadConfig{MaxAttempts: 1} },
		Handler: func(app *flows.App) bot.Handler { return panickyForms{app} }})
	admin := startAdmin(t, h, scopeAdminID)
	admin.do(func() { admin.SendDocument("kunjungan.xlsx", xlsform.VisitForm, "") }, "diterima")
	waitText(t, admin.User, "tidak dapat diunduh")
	admin.send("/bantuan", "/formulir_kelola")
	if n := countSQL(t, h, `SELECT COUNT(*) FROM form_uploads WHERE status = 'failed'`); n != 1 {
		t.Errorf("%d uploads given up", n)
	}
}
