package bottest_test

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// Need-to-know by area, from the person's side: a coordinator of Telanaipura
// (area A) sees and reaches nothing of Jambi Selatan (area B) on any path
// that names workers or cases (case list, queue, forged case ids, digest,
// statistics, export, meeting invitees and reports, /hadir, broadcast); an
// admin sees both areas.

const (
	scopeAdminID = 777300
	kecA         = "15.71.01" // Telanaipura
	kelA         = "15.71.01.1002"
	kecB         = "15.71.02" // Jambi Selatan
	kelB         = "15.71.02.1002"
	// What area B's data looks like in any message or file: names of its
	// workers and of the person of its case, the case's NIK and category.
	scopeNIKB = "1571020101800001"
)

var leaksOfB = []string{"Bambang", "Dedi Kurniawan", "Joko Susilo", scopeNIKB, "HIV", "Jambi Selatan"}

type scopeRig struct {
	t                       *testing.T
	h                       *bottest.Harness
	admin, coord            actor
	sri, eko, bambang, dedi *telegramtest.User
	caseA, caseB            store.Case
}

// newScopeRig seeds coordinator Kurnia Dewi of area A; PSM Sri Wahyuni and
// TKSK Eko Prasetyo in A, PSM Bambang Hartono and TKSK Dedi Kurniawan in B;
// Sri's case of Siti Aminah in A and Bambang's case of Joko Susilo (HIV) in B.
func newScopeRig(t *testing.T) *scopeRig {
	t.Helper()
	h := bottest.Start(t, bottest.Options{Admins: []int64{scopeAdminID}})
	r := &scopeRig{t: t, h: h, admin: startAdmin(t, h, scopeAdminID)}
	r.coord = actor{t, r.person("Kurnia Dewi", store.RoleCoordinator, "", "", []string{kecA}), wait}
	r.sri = r.person("Sri Wahyuni", store.RolePSM, kecA, kelA, nil)
	r.eko = r.person("Eko Prasetyo", store.RoleTKSK, kecA, kelA, nil)
	r.bambang = r.person("Bambang Hartono", store.RolePSM, kecB, kelB, nil)
	r.dedi = r.person("Dedi Kurniawan", store.RoleTKSK, kecB, kelB, nil)
	r.caseA = r.addCase(store.Case{ReporterID: r.sri.ID(), Category: "PPKS02", FullName: "Siti Aminah",
		NIK: "1571010101800002", Kecamatan: kecA, Kelurahan: kelA})
	r.caseB = r.addCase(store.Case{ReporterID: r.bambang.ID(), Category: "PPKS16", FullName: "Joko Susilo",
		NIK: scopeNIKB, Kecamatan: kecB, Kelurahan: kelB})
	return r
}

// person adds an active user; covers makes them a coordinator of those
// kecamatan.
func (r *scopeRig) person(name, role, kec, kel string, covers []string) *telegramtest.User {
	r.t.Helper()
	u := r.h.NewUser(strings.Fields(name)[0])
	must(r.t, r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.TouchUser(u.ID(), strings.Fields(name)[0], ""); err != nil {
			return err
		}
		if err := tx.SetProfile(u.ID(), store.Profile{FullName: name, Phone: "+6281234567890", Role: role,
			Kecamatan: kec, Kelurahan: kel}, store.UserActive); err != nil {
			return err
		}
		if covers != nil {
			return tx.SetRole(u.ID(), role, covers)
		}
		return nil
	}))
	return u
}

func (r *scopeRig) addCase(k store.Case) store.Case {
	r.t.Helper()
	k.Gender, k.Age, k.Address, k.Description, k.Urgency = "P", 40, "Jl. Kenanga 1", "Perlu bantuan", "biasa"
	must(r.t, r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		if k.Code, err = tx.NextCaseCode("JMB", 2026); err != nil {
			return err
		}
		k.ID, err = tx.InsertCase(k)
		return err
	}))
	return k
}

// noLeak fails when any of u's messages or files since message after names
// area B.
func (r *scopeRig) noLeak(what string, u *telegramtest.User, after int, extra ...string) {
	r.t.Helper()
	for _, m := range u.Messages() {
		if m.ID <= after {
			continue
		}
		if strings.Contains(m.Text, "Tidak ada pengguna terdaftar bernama") {
			continue // the refusal repeats what the person typed, nothing more
		}
		seen := m.Text + m.Caption + fileText(r.t, m)
		for _, s := range append(append([]string{}, leaksOfB...), extra...) {
			if strings.Contains(seen, s) {
				r.t.Errorf("%s: message %d shows %q:\n%s", what, m.ID, s, seen)
			}
		}
	}
}

// fileText is a document's readable content: an XLSX's cells, or the bytes.
func fileText(t *testing.T, m telegramtest.Message) string {
	t.Helper()
	if m.Kind != "document" {
		return ""
	}
	if !strings.HasSuffix(m.FileName, ".xlsx") {
		return string(m.File)
	}
	f, err := excelize.OpenReader(bytes.NewReader(m.File))
	must(t, err)
	defer f.Close()
	var b strings.Builder
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		must(t, err)
		for _, row := range rows {
			b.WriteString(strings.Join(row, "\t") + "\n")
		}
	}
	return b.String()
}

func lastMsgID(u *telegramtest.User) int {
	id := 0
	for _, m := range u.Messages() {
		id = max(id, m.ID)
	}
	return id
}

// labels are the texts of m's inline buttons.
func labels(m telegramtest.Message) []string {
	var out []string
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

func hasLabel(m telegramtest.Message, label string) bool {
	for _, l := range labels(m) {
		if l == label {
			return true
		}
	}
	return false
}

// Case list, verification queue and a case detail forged by id (regression
// tests: these paths were already scoped).
func TestScopeCaseListsAndForgedCaseID(t *testing.T) {
	r := newScopeRig(t)
	from := lastMsgID(r.coord.User)
	list := r.coord.send("/kasus", "Kasus yang dapat Anda tinjau")
	if !strings.Contains(list.Text, r.caseA.Code) || strings.Contains(list.Text, r.caseB.Code) {
		t.Errorf("coordinator's /kasus:\n%s", list.Text)
	}
	queue := r.coord.send("/verifikasi", "menunggu verifikasi")
	if !strings.Contains(queue.Text, r.caseA.Code) || strings.Contains(queue.Text, r.caseB.Code) {
		t.Errorf("coordinator's /verifikasi:\n%s", queue.Text)
	}

	// A forged detail button with area B's case id, and a forged list page
	// of another scope: refused and audited, nothing shown.
	n := len(r.coord.CallbackAnswers())
	r.coord.PressData(list.ID, "cs:"+strconv.FormatInt(r.caseB.ID, 10)+":d:")
	if got := answers(t, r.h, r.coord.User, n+1)[n]; !strings.Contains(got.Text, "tidak berhak") {
		t.Errorf("forged case id answered %q", got.Text)
	}
	if got := auditCount(t, r.h, "denied", r.coord.ID(), "case_view "+r.caseB.Code); got != 1 {
		t.Errorf("%d audited refusals of the forged case id, want 1", got)
	}
	settle(t, r.h)
	r.noLeak("coordinator's case paths", r.coord.User, from, r.caseB.Code)

	// The admin sees both areas.
	all := r.admin.send("/kasus", "Kasus yang dapat Anda tinjau")
	if !strings.Contains(all.Text, r.caseA.Code) || !strings.Contains(all.Text, r.caseB.Code) {
		t.Errorf("admin's /kasus:\n%s", all.Text)
	}
	r.h.NoViolations()
}

// The digest on demand is the area's (regression: it was scoped); the
// statistics count only the area's workers (new: they counted the city's).
func TestScopeDigestAndStatistics(t *testing.T) {
	r := newScopeRig(t)
	from := lastMsgID(r.coord.User)
	// A short digest is the chart's caption.
	dig := r.coord.send("/ringkasan sekarang", "Petugas tanpa laporan")
	if !strings.Contains(dig.Text+dig.Caption, "Eko Prasetyo") {
		t.Errorf("coordinator's digest does not list area A's idle worker:\n%s", dig.Text+dig.Caption)
	}
	stats := r.coord.send("/statistik", "Pengguna aktif")
	if !strings.Contains(stats.Text, "PSM 1 · TKSK 1") || !strings.Contains(stats.Text, "Kasus") {
		t.Errorf("coordinator's statistics count outside the area:\n%s", stats.Text)
	}
	settle(t, r.h)
	r.noLeak("coordinator's digest and statistics", r.coord.User, from, r.caseB.Code)

	dig = r.admin.send("/ringkasan sekarang", "Petugas tanpa laporan")
	for _, want := range []string{"Eko Prasetyo", "Dedi Kurniawan"} {
		if !strings.Contains(dig.Text+dig.Caption, want) {
			t.Errorf("admin's digest lacks %s:\n%s", want, dig.Text+dig.Caption)
		}
	}
	if stats := r.admin.send("/statistik", "Pengguna aktif"); !strings.Contains(stats.Text, "PSM 2 · TKSK 2") {
		t.Errorf("admin's statistics:\n%s", stats.Text)
	}
	r.h.NoViolations()
}

// The export's files hold the area's cases only, and its kecamatan choice
// offers only the area (regression: it was scoped); the admin's hold both.
func TestScopeExport(t *testing.T) {
	r := newScopeRig(t)
	export := func(a actor) (xlsx, csv string) {
		t.Helper()
		from := lastMsgID(a.User)
		a.send("/ekspor", "bentuk apa")
		a.press("📊 Tabel (XLSX + CSV)", "dilaporkan kapan")
		a.press("Bulan ini", "Status kasus")
		a.press("Semua", "Kategori")
		kec := a.press("Semua", "Kecamatan?")
		if a.ID() == r.coord.ID() && (hasLabel(kec, "Jambi Selatan") || !hasLabel(kec, "Telanaipura")) {
			t.Errorf("coordinator offered kecamatan %v", labels(kec))
		}
		a.press("Semua (wilayah saya)", "Simpan")
		a.press("✅ Simpan", "kasus (XLSX")
		if _, err := a.WaitFor(wait, func(msgs []telegramtest.Message) bool {
			return slices.ContainsFunc(msgs, func(m telegramtest.Message) bool {
				return m.ID > from && strings.Contains(m.Caption, "CSV")
			})
		}); err != nil {
			t.Fatal(err)
		}
		for _, m := range a.Messages() {
			if m.ID > from && m.Kind == "document" {
				if strings.HasSuffix(m.FileName, ".xlsx") {
					xlsx = fileText(t, m)
				} else {
					csv = fileText(t, m)
				}
			}
		}
		return xlsx, csv
	}
	from := lastMsgID(r.coord.User)
	xlsx, csv := export(r.coord)
	for _, file := range []string{xlsx, csv} {
		if !strings.Contains(file, r.caseA.Code) || !strings.Contains(file, "Siti Aminah") {
			t.Errorf("coordinator's export lacks area A's case:\n%s", file)
		}
	}
	settle(t, r.h)
	r.noLeak("coordinator's export", r.coord.User, from, r.caseB.Code)

	xlsx, csv = export(r.admin)
	for _, file := range []string{xlsx, csv} {
		if !strings.Contains(file, "Siti Aminah") || !strings.Contains(file, "Joko Susilo") {
			t.Errorf("admin's export lacks a case:\n%s", file)
		}
	}
	r.h.NoViolations()
}

// meetingTo fills /rapat_baru up to the audience question and returns it.
func meetingTo(a actor, title string) telegramtest.Message {
	a.t.Helper()
	a.send("/rapat_baru", "judul rapat")
	a.send(title, "Tanggal rapat")
	a.send("03-11-2026", "Jam mulai")
	a.send("09.00", "Jam selesai")
	a.send("11.00", "Di mana")
	a.send("Aula Kantor Camat", "titik lokasi")
	return a.send("/lewati", "Siapa yang diundang")
}

// chooseKecamatan toggles each kecamatan of the open multiple choice and
// finishes it.
func chooseKecamatan(t *testing.T, h *bottest.Harness, a actor, names ...string) {
	t.Helper()
	for _, name := range names {
		must(t, a.Press(name))
		h.WaitUntil(wait, name+" toggled", func() bool {
			m, ok := a.Last()
			return ok && hasLabel(m, "✅ "+name)
		})
	}
	a.press("✔️ Selesai", "Catatan")
}

// saveMeeting skips the note, saves, and returns the meeting's id.
func saveMeeting(a actor) string {
	a.t.Helper()
	a.send("/lewati", "Simpan")
	done := a.press("✅ Simpan", "Undangan dikirim")
	return regexpFind(a.t, `Rapat #(\d+)`, done.Text+done.Caption)
}

// A coordinator invites only within the area: no city-wide audiences, only
// their kecamatan, no names from elsewhere (as if unknown), no /hadir of
// someone elsewhere. New: before, a coordinator could invite the whole city
// and find anyone by name.
func TestScopeMeetingInvitees(t *testing.T) {
	r := newScopeRig(t)
	from := lastMsgID(r.coord.User)
	aud := meetingTo(r.coord, "Rapat PSM Telanaipura")
	for _, l := range []string{"Semua PSM dan TKSK", "PSM saja", "TKSK saja"} {
		if hasLabel(aud, l) {
			t.Errorf("coordinator offered audience %q: %v", l, labels(aud))
		}
	}
	kec := r.coord.press("Kecamatan tertentu", "Pilih kecamatan")
	if hasLabel(kec, "Jambi Selatan") || !hasLabel(kec, "Telanaipura") {
		t.Errorf("coordinator offered kecamatan %v", labels(kec))
	}
	chooseKecamatan(t, r.h, r.coord, "Telanaipura")
	id := saveMeeting(r.coord)
	waitText(t, r.sri, "Rapat PSM Telanaipura")
	waitText(t, r.eko, "Rapat PSM Telanaipura")

	// By name: area B's worker is unknown, by name or by Telegram id.
	meetingTo(r.coord, "Rapat Khusus")
	r.coord.press("Pilih orang", "Tulis nama")
	for _, who := range []string{"Bambang Hartono", "Bambang", strconv.FormatInt(r.bambang.ID(), 10)} {
		r.coord.send(who, "Tidak ada pengguna terdaftar bernama")
	}
	r.coord.send("Sri Wahyuni, Kurnia", "Catatan")
	r.coord.send("/batal", "")

	// /hadir cannot find or mark them either.
	r.coord.send("/hadir "+id+" Bambang Hartono", "Tidak ada pengguna terdaftar bernama")
	r.coord.send("/hadir "+id+" "+strconv.FormatInt(r.dedi.ID(), 10), "Tidak ada pengguna terdaftar")
	r.coord.send("/hadir "+id+" Sri", "dicatat hadir")
	settle(t, r.h)
	for name, u := range map[string]*telegramtest.User{"Bambang": r.bambang, "Dedi": r.dedi} {
		if n := countText(u, "Rapat"); n != 0 {
			t.Errorf("area B's %s got %d meeting messages", name, n)
		}
	}
	var marked int
	must(t, r.h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM meeting_attendance WHERE user_id IN (?, ?)`,
		r.bambang.ID(), r.dedi.ID()).Scan(&marked))
	if marked != 0 {
		t.Errorf("%d attendances of area B's workers", marked)
	}
	r.noLeak("coordinator's meetings", r.coord.User, from)

	// The admin may invite the whole city and name anyone.
	aud = meetingTo(r.admin, "Rakor Kota")
	if !hasLabel(aud, "Semua PSM dan TKSK") {
		t.Errorf("admin's audiences %v", labels(aud))
	}
	r.admin.press("Pilih orang", "Tulis nama")
	r.admin.send("Bambang Hartono, Sri", "Catatan")
	r.h.NoViolations()
}

// A coordinator's report of a meeting names only the invitees they reach
// (new: an area that shrank after the invitations showed the other area's
// names, answers and reasons), a forged manual mark of someone outside is
// refused and audited, and an admin's city-wide meeting stays the admin's
// (regression: denied before too).
func TestScopeMeetingReport(t *testing.T) {
	r := newScopeRig(t)
	rina := actor{t, r.person("Rina Marlina", store.RoleCoordinator, "", "", []string{kecA, kecB}), wait}
	meetingTo(rina, "Rapat Dua Kecamatan")
	rina.press("Kecamatan tertentu", "Pilih kecamatan")
	chooseKecamatan(t, r.h, rina, "Telanaipura", "Jambi Selatan")
	id := saveMeeting(rina)
	waitText(t, r.bambang, "Rapat Dua Kecamatan")

	// Rina now covers area A only.
	must(t, r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		return tx.SetCovers(rina.ID(), []string{kecA})
	}))
	from := lastMsgID(rina.User)
	report := rina.send("/rapat "+id, "Rapat #"+id)
	for _, want := range []string{"Sri Wahyuni", "Eko Prasetyo", "2 undangan di luar wilayah Anda tidak ditampilkan"} {
		if !strings.Contains(report.Text, want) {
			t.Errorf("report lacks %q:\n%s", want, report.Text)
		}
	}
	picker := rina.press("✍️ Tandai hadir manual", "Tandai hadir manual")
	if hasLabel(picker, "Bambang Hartono (PSM)") || !hasLabel(picker, "Sri Wahyuni (PSM)") {
		t.Errorf("picker offers %v", labels(picker))
	}
	n := len(rina.CallbackAnswers())
	rina.PressData(picker.ID, "mt:"+id+":m:"+strconv.FormatInt(r.bambang.ID(), 10)+".0")
	if got := answers(t, r.h, rina.User, n+1)[n]; !strings.Contains(got.Text, "tidak berhak") {
		t.Errorf("forged mark answered %q", got.Text)
	}
	if got := auditCount(t, r.h, "denied", rina.ID(), "meeting_mark "+id+":"+strconv.FormatInt(r.bambang.ID(), 10)); got != 1 {
		t.Errorf("%d audited refusals of the forged mark, want 1", got)
	}
	settle(t, r.h)
	r.noLeak("shrunk coordinator's report", rina.User, from)

	// The admin's report names everyone.
	all := r.admin.send("/rapat "+id, "Rapat #"+id)
	if !strings.Contains(all.Text, "Bambang Hartono") || strings.Contains(all.Text, "tidak ditampilkan") {
		t.Errorf("admin's report:\n%s", all.Text)
	}

	// An admin's meeting of the whole city: a coordinator gets neither its
	// report nor its daftar hadir.
	meetingTo(r.admin, "Rakor Kota")
	r.admin.press("Semua PSM dan TKSK", "Catatan")
	city := saveMeeting(r.admin)
	from = lastMsgID(r.coord.User)
	r.coord.send("/rapat "+city, "tidak berhak")
	n = len(r.coord.CallbackAnswers())
	r.coord.PressData(lastMsgID(r.coord.User), "mt:"+city+":x:")
	if got := answers(t, r.h, r.coord.User, n+1)[n]; !strings.Contains(got.Text, "tidak berhak") {
		t.Errorf("forged sheet button answered %q", got.Text)
	}
	settle(t, r.h)
	r.noLeak("admin's meeting seen by a coordinator", r.coord.User, from, "Sri Wahyuni", "Eko")
	r.h.NoViolations()
}

// /siaran of a coordinator reaches only the area (regression: it was scoped).
func TestScopeBroadcast(t *testing.T) {
	r := newScopeRig(t)
	aud := r.coord.send("/siaran", "Siaran untuk siapa")
	if got := labels(aud); len(got) != 1 || got[0] != "Kecamatan tertentu" {
		t.Errorf("coordinator offered %v", got)
	}
	kec := r.coord.press("Kecamatan tertentu", "Pilih kecamatan")
	if hasLabel(kec, "Jambi Selatan") {
		t.Errorf("coordinator offered kecamatan %v", labels(kec))
	}
	must(t, r.coord.Press("Telanaipura"))
	r.h.WaitUntil(wait, "Telanaipura toggled", func() bool {
		m, ok := r.coord.Last()
		return ok && hasLabel(m, "✅ Telanaipura")
	})
	r.coord.press("✔️ Selesai", "isi siaran")
	r.coord.send("Besok pagi kumpul di kantor camat", "Simpan")
	r.coord.press("✅ Simpan", "ke 2 orang")
	r.coord.press("📣 Kirim", "Siaran #")
	waitText(t, r.sri, "Besok pagi kumpul")
	waitText(t, r.eko, "Besok pagi kumpul")
	settle(t, r.h)
	for name, u := range map[string]*telegramtest.User{"Bambang": r.bambang, "Dedi": r.dedi} {
		if n := countText(u, "Besok pagi"); n != 0 {
			t.Errorf("area B's %s got the broadcast", name)
		}
	}
	r.h.NoViolations()
}
