package flows_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image/png"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// The rakor as the Dinas held it: the seed's 68 PSM and 14 TKSK, spread over
// Kota Jambi's 11 kecamatan, are invited (one PSM blocked the bot); some
// answer; 58 PSM and 12 TKSK check in by the QR link, two PSM without a phone
// are marked by hand (one by /hadir, one from the report's picker). The
// report says exactly that, and the daftar hadir lists all 82, the 72 present
// with their time, the 10 others blank to sign on paper, for the Kepala
// Dinas to sign; printed, every page repeats the table's header. With
// -artefacts DIR the XLSX, the PDF and a PNG a page stay in DIR.
func TestMeetingRakor(t *testing.T) {
	r := newMtRigWith(t, bottest.Options{Flows: officeConfig})
	var psm, tksk []*telegramtest.User
	for i := range 68 {
		psm = append(psm, r.worker(fmt.Sprintf("PSM %02d Jambi", i), store.RolePSM, i))
	}
	for j := range 14 {
		tksk = append(tksk, r.worker(fmt.Sprintf("TKSK %02d Jambi", j), store.RoleTKSK, j))
	}
	kecOf := map[string]bool{}
	for i := range 68 {
		kecOf[r.kec[i%11].Name] = true
	}
	for j := range 14 {
		kecOf[r.kec[j%11].Name] = true
	}
	if len(kecOf) != 11 || len(r.kec) != 11 {
		t.Fatalf("invitees in %d of %d kecamatan, want all 11", len(kecOf), len(r.kec))
	}
	// PSM 67 blocked the bot earlier.
	if _, err := r.h.DB().SQL().Exec(`UPDATE users SET unreachable = 1 WHERE id = ?`, psm[67].ID()); err != nil {
		t.Fatal(err)
	}

	qr, payload := r.createMeeting("Rapat Koordinasi PSM dan TKSK", "03-11-2026", "09.00", "12.00", "Semua PSM dan TKSK")
	created, err := r.admin.WaitForText(mtWait, "Undangan dikirim")
	if err != nil {
		t.Fatal(err)
	}
	// What was saved and the QR are one message: the QR with both as its
	// caption.
	if want := "Undangan dikirim ke 81 orang; 1 tidak dapat dihubungi."; !strings.Contains(created.Caption, want) ||
		created.Kind != "photo" || created.ID != qr.ID {
		t.Errorf("created = %s %d %q, want the QR %d with %q", created.Kind, created.ID, created.Caption, qr.ID, want)
	}
	link := "https://t.me/dinsos_test_bot?start=" + payload
	t.Run("qr", func(t *testing.T) {
		if _, err := png.Decode(bytes.NewReader(qr.File)); err != nil {
			t.Fatalf("QR is not a PNG: %v", err)
		}
		want, err := flows.QRCode(link)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(qr.File, want) {
			t.Error("the QR image is not the QR code of the check-in link")
		}
		if !strings.Contains(qr.Caption, link) {
			t.Errorf("caption %q lacks the link", qr.Caption)
		}
	})

	everyone := append(slices.Clone(psm[:67]), tksk...)
	parallel(everyone, func(u *telegramtest.User) {
		if _, err := u.WaitForText(mtWait, "Undangan rapat"); err != nil {
			t.Error(err)
		}
	})
	if n := len(psm[67].Messages()); n != 0 {
		t.Errorf("unreachable worker got %d messages", n)
	}
	// Answers: PSM 0..9 will come, PSM 66 and TKSK 13 cannot.
	for _, u := range psm[:10] {
		must2(t, u.Press("✅ Hadir"))
	}
	for _, u := range []*telegramtest.User{psm[66], tksk[13]} {
		must2(t, u.Press("✖️ Tidak bisa hadir"))
	}
	for _, u := range append(slices.Clone(psm[:10]), psm[66], tksk[13]) {
		if _, err := u.WaitForText(mtWait, "Jawaban Anda"); err != nil {
			t.Fatal(err)
		}
	}

	// The day: check-in opens 08.00 WIB; people arrive from 08.30.
	r.set(time.Date(2026, 11, 3, 8, 30, 0, 0, wib))
	scanners := append(slices.Clone(psm[:58]), tksk[:12]...)
	parallel(scanners, func(u *telegramtest.User) {
		u.OpenDeepLink(payload)
		if _, err := u.WaitForText(mtWait, "Presensi tercatat"); err != nil {
			t.Error(err)
		}
	})
	r.say(r.admin, "/hadir 1 PSM 58 Jambi", "dicatat hadir (manual)")

	// PSM 59 has no phone either: the organiser picks her from the report.
	// Eleven invitees are missing: two pages of eight.
	first := r.say(r.admin, "/rapat 1", "Rapat #1")
	if !strings.Contains(first.Text, "Hadir 71: PSM 59, TKSK 12") {
		t.Errorf("report before the picker:\n%s", first.Text)
	}
	picker := r.press(r.admin, "✍️ Tandai hadir manual", "Tandai hadir manual")
	if !strings.Contains(picker.Text, "Belum hadir: 11 orang") || !strings.Contains(picker.Text, "Halaman 1 dari 2") {
		t.Errorf("picker %q", picker.Text)
	}
	if got := mtButtons(picker); len(got) != 9 || got[0] != "PSM 59 Jambi (PSM)" || got[8] != "Berikutnya ➡️" {
		t.Errorf("picker page 1 buttons %q", got)
	}
	must2(t, r.admin.PressOn(picker.ID, "Berikutnya ➡️"))
	page2 := r.waitEdited(r.admin, picker.ID, "Halaman 2 dari 2")
	if got := mtButtons(page2); !slices.Equal(got, []string{"PSM 67 Jambi (PSM)", "TKSK 12 Jambi (TKSK)",
		"TKSK 13 Jambi (TKSK)", "⬅️ Sebelumnya"}) {
		t.Errorf("picker page 2 buttons %q", got)
	}
	must2(t, r.admin.PressOn(picker.ID, "⬅️ Sebelumnya"))
	r.waitEdited(r.admin, picker.ID, "Halaman 1 dari 2")
	must2(t, r.admin.PressOn(picker.ID, "PSM 59 Jambi (PSM)"))
	marked := r.waitEdited(r.admin, picker.ID, "PSM 59 Jambi dicatat hadir (manual)")
	if !strings.Contains(marked.Text, "Belum hadir: 10 orang") || slices.Contains(mtButtons(marked), "PSM 59 Jambi (PSM)") {
		t.Errorf("picker after the mark %q, buttons %q", marked.Text, mtButtons(marked))
	}
	for _, u := range psm[58:60] {
		if a, ok := r.attendance(1, u); !ok || a.Method != store.CheckinManual || a.WalkIn || a.MarkedBy != adminID {
			t.Errorf("manual mark of %d stored as %+v (%v)", u.ID(), a, ok)
		}
	}
	var marks int
	if err := r.h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'meeting_mark'`).Scan(&marks); err != nil || marks != 2 {
		t.Errorf("%d meeting_mark audit rows (%v), want 2", marks, err)
	}

	report := r.say(r.admin, "/rapat 1", "Rapat #1")
	for _, want := range []string{
		"Diundang: 82 (tidak dapat dihubungi: 1)",
		"Jawaban: hadir 10 · tidak bisa 2 · belum menjawab 70",
		"Hadir 72: PSM 60, TKSK 12",
		"QR 70 · lokasi 0 · manual 2 · tidak diundang (tambahan) 0",
		"Belum hadir (10)",
	} {
		if !strings.Contains(report.Text, want) {
			t.Errorf("report lacks %q:\n%s", want, report.Text)
		}
	}
	byKec := map[string]int{}
	for i := range 60 {
		byKec[r.kec[i%11].Name]++
	}
	for j := range 12 {
		byKec[r.kec[j%11].Name]++
	}
	for name, n := range byKec {
		if want := "• " + name + ": " + strconv.Itoa(n) + "\n"; !strings.Contains(report.Text+"\n", want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, who := range []string{"PSM 66 Jambi (PSM) — Tidak bisa hadir", "PSM 67 Jambi (PSM) — tidak dapat dihubungi",
		"TKSK 13 Jambi (TKSK) — Tidak bisa hadir", "TKSK 12 Jambi"} {
		if !strings.Contains(report.Text, who) {
			t.Errorf("missing list lacks %q", who)
		}
	}

	var present, absent []string
	for i, u := range psm {
		if i < 60 {
			present = append(present, displayNameOf(t, r, u))
		} else {
			absent = append(absent, displayNameOf(t, r, u))
		}
	}
	for j, u := range tksk {
		if j < 12 {
			present = append(present, displayNameOf(t, r, u))
		} else {
			absent = append(absent, displayNameOf(t, r, u))
		}
	}

	doc := r.after(r.admin, "Daftar hadir", func() { must2(t, r.admin.PressOn(report.ID, "📄 Daftar hadir (XLSX)")) })
	if doc.FileName != "daftar-hadir-rapat-1.xlsx" || !strings.Contains(doc.Caption, "hadir 72 dari 82 orang") {
		t.Fatalf("document %q (%q), want daftar-hadir-rapat-1.xlsx, 72 of 82", doc.FileName, doc.Caption)
	}
	xlsx := doc.File
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Daftar Hadir")
	if err != nil {
		t.Fatal(err)
	}
	if rows[4][0] != "DAFTAR HADIR" || rows[5][0] != "Rapat Koordinasi PSM dan TKSK" ||
		rows[7][2] != ": Selasa, 3 November 2026" || rows[8][2] != ": 09.00–12.00 WIB" || rows[9][2] != ": Aula Dinsos Kota Jambi" {
		t.Errorf("title block %q", rows[:10])
	}
	header := []string{"No", "Nama", "Peran", "Kecamatan / Kelurahan", "Jam hadir", "Keterangan", "Tanda tangan"}
	if !slices.Equal(rows[11], header) {
		t.Fatalf("header %q, want %q", rows[11], header)
	}
	table := rows[12 : 12+82]
	checkSheet(t, "xlsx", table, sheetCols{name: 1, role: 2, area: 3, time: 4, method: 5}, present, absent)
	areas := map[string]bool{}
	for _, row := range table {
		kec, _, _ := strings.Cut(row[3], " / ")
		areas[kec] = true
	}
	if len(areas) != 11 {
		t.Errorf("the sheet lists %d kecamatan, want 11: %v", len(areas), areas)
	}
	sign := rows[12+82+1:]
	if len(sign) < 6 || sign[0][0] != "Hadir 72 dari 82 orang." || sign[0][4] != "Mengetahui," ||
		sign[1][4] != "Kepala Dinas Sosial Kota Jambi" || sign[5][4] != "Drs. H. Contoh Nama, M.Si" ||
		sign[6][4] != "NIP. 19700101 199503 1 001" {
		t.Errorf("signature block %q", sign)
	}

	doc = r.after(r.admin, "Daftar hadir", func() { must2(t, r.admin.PressOn(report.ID, "📄 CSV")) })
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(doc.File, []byte("\ufeff"))))
	cr.FieldsPerRecord = -1 // the title block has two columns
	records, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	csvHeader := []string{"No", "Nama", "Peran", "Kecamatan", "Kelurahan", "Jam hadir", "Cara hadir", "Tanda tangan"}
	h := slices.IndexFunc(records, func(rec []string) bool { return slices.Equal(rec, csvHeader) })
	if h < 0 {
		t.Fatalf("csv without the header: %q", records)
	}
	checkSheet(t, "csv", records[h+1:], sheetCols{name: 1, role: 2, area: 3, time: 5, method: 6}, present, absent)

	// Printed: several A4 pages, each with the table's header and its page
	// number; the kop and heading on the first, the signatory on the last;
	// everyone on one of them.
	p := printSheet(t, xlsx, artefacts(t), "daftar-hadir-rakor")
	if len(p.pages) < 2 || !strings.Contains(p.size, "A4") {
		t.Fatalf("%d pages of %s, want several A4 pages", len(p.pages), p.size)
	}
	for i, page := range p.pages {
		for _, want := range []string{"Nama", "Kecamatan / Kelurahan", "Tanda tangan",
			fmt.Sprintf("halaman %d dari %d", i+1, len(p.pages))} {
			if !strings.Contains(page, want) {
				t.Errorf("page %d lacks %q:\n%s", i+1, want, page)
			}
		}
	}
	for _, want := range []string{"PEMERINTAH KOTA JAMBI", "DINAS SOSIAL KOTA JAMBI", "DAFTAR HADIR", "Selasa, 3 November 2026"} {
		if !strings.Contains(p.pages[0], want) {
			t.Errorf("first page lacks %q", want)
		}
	}
	for _, want := range []string{"Mengetahui,", "Kepala Dinas Sosial Kota Jambi", "Drs. H. Contoh Nama, M.Si", "NIP. 19700101 199503 1 001"} {
		if !strings.Contains(p.pages[len(p.pages)-1], want) {
			t.Errorf("last page lacks %q", want)
		}
	}
	all := strings.Join(p.pages, "\n")
	for _, name := range append(slices.Clone(present), absent...) {
		if !strings.Contains(all, name) {
			t.Errorf("the printed sheet lacks %s", name)
		}
	}
	if len(p.pngs) != len(p.pages) {
		t.Errorf("%d page PNGs for %d pages", len(p.pngs), len(p.pages))
	}
	r.h.NoViolations()
}

// sheetCols are the columns checkSheet reads.
type sheetCols struct{ name, role, area, time, method int }

// checkSheet checks a daftar hadir's table: numbered from 1, PSM before
// TKSK, everyone present with a time and an area, everyone absent without a
// time; 70 by QR and 2 by hand.
func checkSheet(t *testing.T, kind string, rows [][]string, c sheetCols, present, absent []string) {
	t.Helper()
	cell := func(row []string, i int) string {
		if i < len(row) {
			return row[i]
		}
		return ""
	}
	var gotPresent, gotAbsent []string
	methods := map[string]int{}
	lastRole := ""
	for i, row := range rows {
		if row[0] != strconv.Itoa(i+1) {
			t.Errorf("%s row %d numbered %q", kind, i+1, row[0])
		}
		if role := cell(row, c.role); role != lastRole {
			if lastRole == "TKSK" || (lastRole == "" && role != "PSM") {
				t.Errorf("%s row %d: %s after %s; want PSM, then TKSK", kind, i+1, role, lastRole)
			}
			lastRole = role
		}
		if cell(row, c.area) == "" {
			t.Errorf("%s row %q lacks the area", kind, row)
		}
		if cell(row, c.time) == "" {
			gotAbsent = append(gotAbsent, cell(row, c.name))
			if cell(row, c.method) != "" {
				t.Errorf("%s row %q: a method without a time", kind, row)
			}
			continue
		}
		gotPresent = append(gotPresent, cell(row, c.name))
		methods[cell(row, c.method)]++
	}
	for _, l := range []struct {
		what      string
		got, want []string
	}{{"present", gotPresent, present}, {"absent", gotAbsent, absent}} {
		got, want := slices.Sorted(slices.Values(l.got)), slices.Sorted(slices.Values(l.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s lists %d %s, want %d:\n%q\nwant\n%q", kind, len(got), l.what, len(want), got, want)
		}
	}
	if methods["QR"] != 70 || methods["manual"] != 2 {
		t.Errorf("%s methods %v, want QR 70, manual 2", kind, methods)
	}
}

// mtButtons are the labels of m's inline buttons, row by row.
func mtButtons(m telegramtest.Message) []string {
	var out []string
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

func displayNameOf(t *testing.T, r *mtRig, u *telegramtest.User) string {
	t.Helper()
	var name string
	if err := r.h.DB().SQL().QueryRow(`SELECT full_name FROM users WHERE id = ?`, u.ID()).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

// parallel runs fn for every user at once and waits for all.
func parallel(users []*telegramtest.User, fn func(u *telegramtest.User)) {
	var wg sync.WaitGroup
	for _, u := range users {
		wg.Go(func() { fn(u) })
	}
	wg.Wait()
}

func must2(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A meeting in the past, or ending before it starts, is refused with the
// reason, at the step and again at save when time moved on.
func TestMeetingRefusesPastAndBackwards(t *testing.T) {
	r := newMtRig(t)
	a := r.admin
	r.say(a, "/rapat_baru", "judul rapat")
	r.say(a, "Rapat Evaluasi", "Tanggal rapat")
	r.say(a, "01-11-2026", "Tanggal itu sudah lewat (hari ini 02-11-2026)")
	r.say(a, "02-11-2026", "Jam mulai")
	r.say(a, "08.00", "Jam itu sudah lewat (sekarang 09.00 WIB)")
	r.say(a, "10.00", "Jam selesai")
	r.say(a, "09.30", "Jam selesai (09.30) harus sesudah jam mulai (10.00)")
	r.say(a, "11.00", "Di mana")
	r.say(a, "Aula", "titik lokasi")
	r.say(a, "/lewati", "Siapa yang diundang")
	r.press(a, "TKSK saja", "Catatan")
	r.say(a, "/lewati", "Simpan")
	// The organiser went for coffee; it is 10.30 when they press save.
	r.set(time.Date(2026, 11, 2, 10, 30, 0, 0, wib))
	r.press(a, "✅ Simpan", "Jam itu sudah lewat (sekarang 10.30 WIB)")
	summary, err := a.WaitForText(mtWait, "Periksa data")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(summary.Text, "Rapat Evaluasi") {
		t.Errorf("the draft was lost: %q", summary.Text)
	}
	var n int
	if err := r.h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM meetings`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d meetings saved (%v), want 0", n, err)
	}
	r.h.NoViolations()
}

// Answers change until the start, each change edits the invitation; after the
// start they are refused; a forged callback changes nothing.
func TestMeetingRSVP(t *testing.T) {
	r := newMtRig(t)
	siti := r.worker("Siti Aminah", store.RolePSM, 0)
	budi := r.worker("Budi Santoso", store.RoleTKSK, 1)
	r.createMeeting("Rakor Bulanan", "03-11-2026", "09.00", "12.00", "Semua PSM dan TKSK")
	inv, err := siti.WaitForText(mtWait, "Undangan rapat")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(inv.Text, "03-11-2026, 09.00–12.00 WIB") || !strings.Contains(inv.Text, "Membawa laporan bulanan") {
		t.Errorf("invitation %q", inv.Text)
	}
	must2(t, siti.Press("✅ Hadir"))
	r.waitEdited(siti, inv.ID, "Jawaban Anda: Hadir")
	must2(t, siti.Press("✖️ Tidak bisa hadir"))
	edited := r.waitEdited(siti, inv.ID, "Jawaban Anda: Tidak bisa hadir")
	if len(edited.InlineKeyboard) == 0 {
		t.Error("the answer buttons are gone before the start")
	}
	if got := rsvpOf(t, r, 1, siti); got != store.RSVPNo {
		t.Fatalf("rsvp %q, want no", got)
	}
	list := r.say(budi, "/rapat", "Rapat mendatang")
	if !strings.Contains(list.Text, "Rakor Bulanan") || !strings.Contains(list.Text, "Jawaban Anda: belum dijawab") {
		t.Errorf("/rapat = %q", list.Text)
	}

	// Eko registered later and was not invited; he forges siti's button.
	eko := r.worker("Eko Prasetyo", store.RolePSM, 2)
	r.say(eko, "/rapat", "Tidak ada rapat")
	last, _ := eko.Last()
	eko.PressData(last.ID, "mt:1:h:")
	if got := r.callbackAnswer(eko, 1); !strings.Contains(got, "tidak berlaku") {
		t.Errorf("forged callback answered %q", got)
	}
	if got := rsvpOf(t, r, 1, siti); got != store.RSVPNo {
		t.Errorf("forged callback changed siti's answer to %q", got)
	}

	r.set(time.Date(2026, 11, 3, 9, 30, 0, 0, wib))
	must2(t, siti.PressOn(inv.ID, "✅ Hadir"))
	if got := r.callbackAnswer(siti, 3); !strings.Contains(got, "sudah dimulai") {
		t.Errorf("answer after the start: %q", got)
	}
	if got := rsvpOf(t, r, 1, siti); got != store.RSVPNo {
		t.Errorf("answer changed after the start to %q", got)
	}
	r.h.WaitUntil(mtWait, "the buttons to go", func() bool {
		for _, m := range siti.Messages() {
			if m.ID == inv.ID {
				return m.InlineKeyboard == nil
			}
		}
		return false
	})
	r.h.NoViolations()
}

func rsvpOf(t *testing.T, r *mtRig, meeting int64, u *telegramtest.User) string {
	t.Helper()
	var rsvp string
	if err := r.h.DB().SQL().QueryRow(`SELECT rsvp FROM meeting_invitations WHERE meeting_id = ? AND user_id = ?`,
		meeting, u.ID()).Scan(&rsvp); err != nil {
		t.Fatal(err)
	}
	return rsvp
}

// Check-in by the message's own date: early, in time, twice, a walk-in, a late
// delivery dated inside the window, one dated after it, a wrong code and an
// unregistered person.
func TestMeetingCheckin(t *testing.T) {
	r := newMtRig(t)
	siti := r.worker("Siti Aminah", store.RolePSM, 0)
	ani := r.worker("Ani Lestari", store.RolePSM, 1)
	dodi := r.worker("Dodi Saputra", store.RoleTKSK, 2)
	budi := r.worker("Budi Santoso", store.RoleTKSK, 3) // not invited
	start := time.Date(2026, 11, 2, 11, 0, 0, 0, wib)
	id, payload := r.meetingAt(start, start.Add(time.Hour), 0, 0, 0, siti, ani, dodi)

	r.say(siti, "/start "+payload, "belum dibuka. Dibuka mulai 02-11-2026 10.00 WIB")
	r.set(time.Date(2026, 11, 2, 10, 12, 0, 0, wib))
	r.say(siti, "/start "+payload, "Presensi tercatat: Rakor PSM, pukul 10.12 WIB")
	r.set(time.Date(2026, 11, 2, 10, 40, 0, 0, wib))
	r.say(siti, "/start "+payload, "Anda sudah presensi di Rakor PSM pukul 10.12 WIB")

	r.say(siti, "/start hadir_salah", "Kode presensi ini tidak dikenal")
	walk := r.say(budi, "/start "+payload, "Presensi tercatat")
	if !strings.Contains(walk.Text, "peserta tambahan") {
		t.Errorf("walk-in told %q", walk.Text)
	}
	if a, ok := r.attendance(id, budi); !ok || !a.WalkIn {
		t.Errorf("walk-in recorded as %+v (%v)", a, ok)
	}

	// 12.30: the window closed at 12.00. Ani scanned at 11.50 on a bad network;
	// Dodi scanned at 12.10.
	r.set(time.Date(2026, 11, 2, 12, 30, 0, 0, wib))
	r.after(ani, "Presensi tercatat: Rakor PSM, pukul 11.50 WIB", func() {
		ani.SendTextAt("/start "+payload, time.Date(2026, 11, 2, 11, 50, 0, 0, wib))
	})
	r.after(dodi, "sudah ditutup pada 02-11-2026 12.00 WIB", func() {
		dodi.SendTextAt("/start "+payload, time.Date(2026, 11, 2, 12, 10, 0, 0, wib))
	})
	if _, ok := r.attendance(id, dodi); ok {
		t.Error("a scan after the window was recorded")
	}
	if a, _ := r.attendance(id, siti); !a.At.Equal(time.Date(2026, 11, 2, 10, 12, 0, 0, wib)) || a.Method != store.CheckinQR {
		t.Errorf("siti's check-in %+v", a)
	}

	eka := r.h.NewUser("Eka")
	r.say(eka, "/start "+payload, "perlu mendaftar dulu")
	if _, err := eka.WaitForText(mtWait, "Halo, Eka"); err != nil {
		t.Fatal(err)
	}
	r.h.NoViolations()
}

// With a location and radius, the bot asks where the worker is and refuses
// a point outside the radius with the distance.
func TestMeetingCheckinLocation(t *testing.T) {
	r := newMtRig(t)
	siti := r.worker("Siti Aminah", store.RolePSM, 0)
	start := time.Date(2026, 11, 2, 9, 30, 0, 0, wib)
	id, payload := r.meetingAt(start, start.Add(2*time.Hour), 100, -1.6101, 103.6131, siti)

	r.say(siti, "/start "+payload, "Kirim lokasi Anda")
	r.after(siti, "berjarak 1,1 km dari tempat rapat; presensi hanya dalam 100 m", func() { siti.SendLocation(-1.6200, 103.6131) })
	r.after(siti, "Lokasi Anda", func() { siti.SendLocation(-1.6102, 103.6131) })
	r.press(siti, "✅ Simpan", "Presensi tercatat: Rakor PSM, pukul 09.00 WIB")
	a, ok := r.attendance(id, siti)
	if !ok || a.Method != store.CheckinLocation || a.DistanceM < 5 || a.DistanceM > 20 {
		t.Errorf("check-in %+v (%v)", a, ok)
	}
	r.h.NoViolations()
}

// Chosen kecamatan invite only the workers there; hand-picked people are
// named, and a name nobody has is refused.
func TestMeetingAudiences(t *testing.T) {
	r := newMtRig(t)
	siti := r.worker("Siti Aminah", store.RolePSM, 0)
	budi := r.worker("Budi Santoso", store.RoleTKSK, 1)
	r.worker("Sri Wahyuni", store.RolePSM, 2)
	a := r.admin
	start := func(title string) {
		r.say(a, "/rapat_baru", "judul rapat")
		r.say(a, title, "Tanggal rapat")
		r.say(a, "04-11-2026", "Jam mulai")
		r.say(a, "13.00", "Jam selesai")
		r.say(a, "15.00", "Di mana")
		r.say(a, "Kantor Camat", "titik lokasi")
		r.say(a, "/lewati", "Siapa yang diundang")
	}
	start("Rapat Wilayah")
	r.press(a, "Kecamatan tertentu", "Pilih kecamatan")
	must2(t, a.Press(r.kec[0].Name))
	r.h.WaitUntil(mtWait, "the pick to show", func() bool {
		last, _ := a.Last()
		return slices.ContainsFunc(last.InlineKeyboard, func(row []telegramtest.Button) bool {
			return slices.ContainsFunc(row, func(b telegramtest.Button) bool { return b.Text == "✅ "+r.kec[0].Name })
		})
	})
	r.press(a, "✔️ Selesai", "Catatan")
	r.say(a, "/lewati", "Simpan")
	r.press(a, "✅ Simpan", "Undangan dikirim ke 1 orang; 0 tidak dapat dihubungi.")
	if _, err := siti.WaitForText(mtWait, "Rapat Wilayah"); err != nil {
		t.Fatal(err)
	}

	start("Rapat Kecil")
	r.press(a, "Pilih orang", "Tulis nama")
	r.say(a, "Siti, Joko", "Tidak ada pengguna terdaftar bernama \"Joko\"")
	r.say(a, "S", "cocok dengan 3 orang")
	r.say(a, "siti aminah, "+strconv.FormatInt(budi.ID(), 10), "Catatan")
	r.say(a, "/lewati", "Simpan")
	r.press(a, "✅ Simpan", "Undangan dikirim ke 2 orang")
	if _, err := budi.WaitForText(mtWait, "Rapat Kecil"); err != nil {
		t.Fatal(err)
	}

	// /hadir: usage, unknown meeting, a worker's attempt, and twice.
	r.say(a, "/hadir", "Tulis /hadir <nomor rapat> <nama")
	r.say(a, "/hadir 9 Siti", "Rapat #9 tidak ditemukan")
	r.say(siti, "/hadir 2 Siti", "tidak berhak")
	r.say(a, "/hadir 2 Siti Aminah", "Siti Aminah dicatat hadir (manual)")
	r.say(a, "/hadir 2 Siti Aminah", "Siti Aminah sudah presensi pukul 09.00 WIB")
	r.say(siti, "/rapat 2", "tidak berhak")
	r.say(a, "/rapat dua", "Tulis /rapat untuk daftar rapat Anda, atau /rapat <nomor>")
	r.say(a, "/bantuan", "/rapat_baru — Buat rapat")

	// Cancelling tells every invitee and closes their buttons and the check-in.
	inv, err := budi.WaitForText(mtWait, "Rapat Kecil")
	if err != nil {
		t.Fatal(err)
	}
	r.say(a, "/rapat 2 batal", "dibatalkan; 2 orang diberi tahu")
	if _, err := budi.WaitForText(mtWait, "Rapat Kecil (04-11-2026, 13.00–15.00 WIB) dibatalkan"); err != nil {
		t.Fatal(err)
	}
	if m := r.waitEdited(budi, inv.ID, "Rapat ini dibatalkan"); m.InlineKeyboard != nil {
		t.Error("a cancelled invitation keeps its buttons")
	}
	qr := a.Messages()
	var payload string
	for _, m := range qr {
		if strings.Contains(m.Caption, "Rapat Kecil") {
			payload = checkinLinkRE.FindStringSubmatch(m.Caption)[1]
		}
	}
	r.say(budi, "/start "+payload, "Rapat Rapat Kecil dibatalkan; presensi tidak dibuka")
	r.h.NoViolations()
}
