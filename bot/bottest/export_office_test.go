package bottest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// Issue 14, from the office's side: the case export opens right in a
// spreadsheet, the map opens in QGIS and Google Earth for the people allowed
// to export and only for their area, and the case form takes the No. KK and
// RT/RW a DTKS entry needs, the No. KK kept as carefully as the NIK.

const (
	officeKK  = "1571011234560007"
	officeNIK = "1571015205900003"
)

// exportAs drives /ekspor with every filter at "all" in format (the button's
// label) and returns the documents it sent.
func exportAs(t *testing.T, a actor, format string, docs int) []telegramtest.Message {
	t.Helper()
	from := lastMsgID(a.User)
	a.send("/ekspor", "bentuk apa")
	a.press(format, "dilaporkan kapan")
	a.press("Semua", "Status kasus")
	a.press("Semua", "Kategori PMKS")
	a.press("Semua", "Kecamatan?")
	a.press("Semua (wilayah saya)", "Simpan")
	must(t, a.Press("✅ Simpan"))
	var out []telegramtest.Message
	if _, err := a.WaitFor(wait, func(msgs []telegramtest.Message) bool {
		out = nil
		for _, m := range msgs {
			if m.ID > from && m.Kind == "document" {
				out = append(out, m)
			}
		}
		return len(out) >= docs
	}); err != nil {
		t.Fatalf("waiting for %d documents: %v", docs, err)
	}
	return out
}

func docNamed(t *testing.T, docs []telegramtest.Message, suffix string) telegramtest.Message {
	t.Helper()
	for _, d := range docs {
		if strings.HasSuffix(d.FileName, suffix) {
			return d
		}
	}
	t.Fatalf("no %s among %d documents", suffix, len(docs))
	return telegramtest.Message{}
}

// officeCase adds a case with everything an office fills in, at status.
func (r *scopeRig) officeCase(k store.Case, status string) store.Case {
	r.t.Helper()
	k = r.addCase(k)
	if status != store.CaseNew {
		must(r.t, r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
			_, err := tx.SetCaseStatus(k.ID, store.CaseNew, status, scopeAdminID, "")
			return err
		}))
	}
	return k
}

// An admin's XLSX: numbers are number cells, dates are Excel dates shown
// DD-MM-YYYY, the header row is frozen under a note naming PPKS once, the
// table has an autofilter, status and urgency are words, and No. KK and
// RT/RW have their own columns (the No. KK as 16-digit text).
func TestOfficeExportXLSXCells(t *testing.T) {
	r := newScopeRig(t)
	k := r.officeCase(store.Case{ReporterID: r.sri.ID(), Category: "PPKS08", FullName: "Ahmad Yani", NIK: officeNIK,
		NoKK: officeKK, RT: "005", RW: "002", BirthDate: "1990-05-12", Kecamatan: kecA, Kelurahan: kelA,
		HasLocation: true, Latitude: -1.6101, Longitude: 103.6131}, store.CaseVerified)
	must(t, r.h.DB().Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(`UPDATE cases SET urgency = 'mendesak' WHERE id = ?`, k.ID)
		return err
	}))

	docs := exportAs(t, r.admin, "📊 Tabel (XLSX + CSV)", 2)
	x := docNamed(t, docs, ".xlsx")
	if strings.Contains(x.Caption, "SIKS") || !strings.Contains(x.Caption, "No. KK") {
		t.Errorf("caption %q: no SIKS-NG claim, and a warning naming the No. KK", x.Caption)
	}
	f, err := excelize.OpenReader(bytes.NewReader(x.File))
	must(t, err)
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet)
	must(t, err)
	if len(rows) != 5 {
		t.Fatalf("%d rows, want note, header and 3 cases: %q", len(rows), rows)
	}
	note, head := rows[0], rows[1]
	if len(note) != 1 || strings.Count(note[0], "PPKS") != 1 || !strings.Contains(note[0], "Permensos 5/2019") ||
		!strings.Contains(note[0], "PMKS") {
		t.Errorf("note row %q: names PPKS once, with its regulation", note)
	}
	if slices.ContainsFunc(head, func(h string) bool { return strings.Contains(h, "PPKS") }) {
		t.Errorf("header %q says PPKS; the interface says PMKS", head)
	}
	col := func(name string) string {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("no column %q in %q", name, head)
		}
		c, _ := excelize.ColumnNumberToName(i + 1)
		return c
	}
	row := ""
	for i, rw := range rows[2:] {
		if slices.Contains(rw, k.Code) {
			row = strconv.Itoa(i + 3)
		}
	}
	if row == "" {
		t.Fatalf("case %s not exported: %q", k.Code, rows)
	}
	cellOf := func(name string) string { return col(name) + row }
	numFmt := func(cell string) string {
		id, err := f.GetCellStyle(sheet, cell)
		must(t, err)
		st, err := f.GetStyle(id)
		must(t, err)
		if st.CustomNumFmt != nil {
			return *st.CustomNumFmt
		}
		return strconv.Itoa(st.NumFmt)
	}
	raw := func(cell string) string {
		v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
		must(t, err)
		return v
	}
	shown := func(cell string) string {
		v, err := f.GetCellValue(sheet, cell)
		must(t, err)
		return v
	}
	isNumber := func(cell string) bool {
		typ, err := f.GetCellType(sheet, cell)
		must(t, err)
		_, perr := strconv.ParseFloat(raw(cell), 64)
		return (typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset) && perr == nil
	}
	for _, tc := range []struct {
		column, raw, shown, format string
	}{
		{"Umur", "36", "36", "1"},
		{"Lintang", "-1.6101", "-1.610100", "0.000000"},
		{"Bujur", "103.6131", "103.613100", "0.000000"},
		{"Jumlah Foto", "0", "0", "1"},
		{"Tanggal Lahir", "", "12-05-1990", "dd-mm-yyyy"},
		{"Tanggal Lapor", "", "02-11-2026 09:00", "dd-mm-yyyy hh:mm"},
	} {
		c := cellOf(tc.column)
		if !isNumber(c) {
			t.Errorf("%s (%s) is not a number cell: %q", tc.column, c, raw(c))
		}
		if tc.raw != "" && raw(c) != tc.raw {
			t.Errorf("%s = %q, want %s", tc.column, raw(c), tc.raw)
		}
		if got := shown(c); got != tc.shown {
			t.Errorf("%s shows %q, want %q", tc.column, got, tc.shown)
		}
		if got := numFmt(c); got != tc.format {
			t.Errorf("%s number format %q, want %q", tc.column, got, tc.format)
		}
	}
	if !isNumber(col("No")+"3") || raw(col("No")+"3") != "1" {
		t.Errorf("No of the first case: %q", raw(col("No")+"3"))
	}
	// A real date: the serial is 12 May 1990.
	serial, err := strconv.ParseFloat(raw(cellOf("Tanggal Lahir")), 64)
	must(t, err)
	if d, err := excelize.ExcelDateToTime(serial, false); err != nil || !d.Equal(time.Date(1990, 5, 12, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("birth date serial %v reads %v, %v", serial, d, err)
	}
	for name, want := range map[string]string{"Status": "Diverifikasi", "Urgensi": "Mendesak", "No. KK": officeKK,
		"NIK": officeNIK, "RT": "005", "RW": "002", "Kategori PMKS": "Lanjut Usia Telantar"} {
		c := cellOf(name)
		if got := shown(c); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
		if typ, _ := f.GetCellType(sheet, c); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
			t.Errorf("%s is not text (type %v)", name, typ)
		}
	}
	panes, err := f.GetPanes(sheet)
	must(t, err)
	if !panes.Freeze || panes.YSplit != 2 || panes.TopLeftCell != "A3" {
		t.Errorf("panes %+v, want the note and header rows frozen", panes)
	}
	filtered := false
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm._FilterDatabase" && strings.Contains(d.RefersTo, "$A$2:") && strings.HasSuffix(d.RefersTo, "$5") {
			filtered = true
		}
	}
	if !filtered {
		t.Errorf("no autofilter over the header and the cases: %+v", f.GetDefinedName())
	}
	// The CSV keeps the No. KK's digits as text for Excel.
	if csv := string(docNamed(t, docs, ".csv").File); !strings.Contains(csv, "'"+officeKK) {
		t.Errorf("csv lacks the quoted No. KK:\n%s", csv)
	}
	r.h.NoViolations()
}

// The map: a coordinator gets GeoJSON and KML of their own area's cases with
// a location, without who they are; cases without a location are counted;
// an admin's map has every area; a worker cannot export at all.
func TestOfficeExportMap(t *testing.T) {
	r := newScopeRig(t)
	inA := r.officeCase(store.Case{ReporterID: r.sri.ID(), Category: "PPKS02", FullName: "Rina Marlina", NIK: officeNIK,
		NoKK: officeKK, RT: "005", RW: "002", Kecamatan: kecA, Kelurahan: kelA, HasLocation: true,
		Latitude: -1.6101, Longitude: 103.6131}, store.CaseVerified)
	inB := r.officeCase(store.Case{ReporterID: r.bambang.ID(), Category: "PPKS16", FullName: "Joko Susilo",
		Kecamatan: kecB, Kelurahan: kelB, HasLocation: true, Latitude: -1.6502, Longitude: 103.6201}, store.CaseNew)

	worker := actor{t, r.sri, wait}
	worker.send("/ekspor", "tidak berhak")

	from := lastMsgID(r.coord.User)
	docs := exportAs(t, r.coord, "🗺 Peta (GeoJSON + KML)", 2)
	geo, kml := docNamed(t, docs, ".geojson"), docNamed(t, docs, ".kml")
	if !strings.Contains(geo.Caption, "1 kasus di peta") || !strings.Contains(geo.Caption, "1 kasus tanpa lokasi") {
		t.Errorf("caption %q: one case mapped, one without a location", geo.Caption)
	}
	for _, d := range docs {
		for _, secret := range []string{officeNIK, officeKK, "Rina Marlina", "Jl. Kenanga", "Siti Aminah", "Sri Wahyuni"} {
			if strings.Contains(string(d.File), secret) {
				t.Errorf("%s holds %q", d.FileName, secret)
			}
		}
	}
	r.noLeak("coordinator's map", r.coord.User, from, inB.Code)

	// GeoJSON (RFC 7946), parsed back: a FeatureCollection of Points at
	// [longitude, latitude] with the fields a coordinator filters on.
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string `json:"type"`
			Geometry struct {
				Type        string    `json:"type"`
				Coordinates []float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]string `json:"properties"`
		} `json:"features"`
	}
	must(t, json.Unmarshal(geo.File, &fc))
	if fc.Type != "FeatureCollection" || len(fc.Features) != 1 {
		t.Fatalf("geojson: %s", geo.File)
	}
	ft := fc.Features[0]
	if ft.Type != "Feature" || ft.Geometry.Type != "Point" || !slices.Equal(ft.Geometry.Coordinates, []float64{103.6131, -1.6101}) {
		t.Errorf("feature %+v: a Point at [lon, lat]", ft)
	}
	wantProps := map[string]string{"kode": inA.Code, "kode_kategori": "PPKS02", "kategori": "Anak Telantar",
		"kelompok": "Anak", "status": "Diverifikasi", "urgensi": "Biasa", "kebutuhan": "", "kode_kecamatan": kecA,
		"kecamatan": "Telanaipura", "kode_kelurahan": kelA, "kelurahan": "Buluran Kenali",
		"tanggal_lapor": "2026-11-02"}
	for key, want := range wantProps {
		if got, ok := ft.Properties[key]; !ok || got != want {
			t.Errorf("property %s = %q (%v), want %q", key, got, ok, want)
		}
	}
	if len(ft.Properties) != len(wantProps) {
		t.Errorf("properties %v, want exactly %v", ft.Properties, wantProps)
	}

	// KML 2.2, parsed back: a placemark per case, named by code, the same
	// fields as ExtendedData, coordinates "lon,lat".
	var doc struct {
		XMLName  xml.Name
		Document struct {
			Placemarks []struct {
				Name string `xml:"name"`
				Data []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:"value"`
				} `xml:"ExtendedData>Data"`
				Coordinates string `xml:"Point>coordinates"`
			} `xml:"Placemark"`
		} `xml:"Document"`
	}
	must(t, xml.Unmarshal(kml.File, &doc))
	if doc.XMLName.Space != "http://www.opengis.net/kml/2.2" || doc.XMLName.Local != "kml" ||
		len(doc.Document.Placemarks) != 1 {
		t.Fatalf("kml: %s", kml.File)
	}
	pm := doc.Document.Placemarks[0]
	if pm.Name != inA.Code || strings.TrimSpace(pm.Coordinates) != "103.6131,-1.6101" {
		t.Errorf("placemark %q at %q", pm.Name, pm.Coordinates)
	}
	got := map[string]string{}
	for _, d := range pm.Data {
		got[d.Name] = d.Value
	}
	for key, want := range wantProps {
		if got[key] != want {
			t.Errorf("kml %s = %q, want %q", key, got[key], want)
		}
	}
	if auditCount(t, r.h, "export", r.coord.ID(),
		"n=2 period=all from= to= status=all category=all kecamatan="+kecA+" format=map mapped=1") != 1 {
		t.Error("the coordinator's map export is not audited")
	}

	// The admin's map covers both areas.
	docs = exportAs(t, r.admin, "🗺 Peta (GeoJSON + KML)", 2)
	must(t, json.Unmarshal(docNamed(t, docs, ".geojson").File, &fc))
	var codes []string
	for _, f := range fc.Features {
		codes = append(codes, f.Properties["kode"])
	}
	if !slices.Equal(codes, []string{inA.Code, inB.Code}) {
		t.Errorf("admin's map has %v, want %s and %s", codes, inA.Code, inB.Code)
	}
	r.h.NoViolations()
}

// The case form takes RT/RW (offered from the address) and the No. KK,
// refuses a 15-digit No. KK with a clear message, deletes the messages that
// typed it, shows it masked everywhere, and stores it sealed.
func TestOfficeCaseFormKKAndRTRW(t *testing.T) {
	r := newScopeRig(t)
	h := r.h
	u := actor{t, r.sri, wait}
	u.send("/lapor", "kelompok")
	u.press("🧓 Lansia & disabilitas", "kategori")
	u.press("Lanjut Usia Telantar", "nama lengkap")
	u.send("Ahmad Yani", "NIK")
	u.send(officeNIK[:4]+" "+officeNIK[4:8]+" "+officeNIK[8:12]+" "+officeNIK[12:], "jenis kelamin")
	u.press("Perempuan (sesuai NIK)", "tanggal lahir")
	u.press("12-05-1990 (sesuai NIK)", "tempat lahir")
	u.send("/lewati", "alamat")
	p := u.send("Jl. Kenanga No. 7 RT 05 RW 02", "RT/RW")
	if !hasLabel(p, "005/002 (dari alamat)") {
		t.Errorf("RT/RW prompt offers %v, want the address's RT/RW", labels(p))
	}
	u.send("lima", "RT/RW ditulis dua angka")
	u.press("005/002 (dari alamat)", "No. KK")

	var typed int
	refusal := u.do(func() { typed = u.SendText("1571 0112 3456 000") }, "No. KK harus 16 angka; yang dikirim 15 angka")
	must(t, u.WaitDeleted(wait, typed))
	if !strings.Contains(refusal.Text, "Kartu Keluarga") {
		t.Errorf("refusal %q does not say where to find the No. KK", refusal.Text)
	}
	u.send(officeNIK, "bukan NIK")
	ok := u.do(func() { typed = u.SendText("1571-0112-3456-0007") }, "No. KK diterima")
	must(t, u.WaitDeleted(wait, typed))
	if !strings.Contains(ok.Text, "1571********0007") {
		t.Errorf("receipt %q: the masked No. KK", ok.Text)
	}
	if _, err := u.WaitForText(wait, "wilayah"); err != nil {
		t.Fatal(err)
	}
	settle(t, h)
	noNIKOnDisk(t, h, officeKK, "form open")

	u.press("📍 Buluran Kenali, Telanaipura", "lokasi")
	u.send("/lewati", "foto")
	u.press("✔️ Selesai", "keadaannya")
	u.send("Tinggal sendiri, tidak ada yang merawat.", "kebutuhan")
	u.pressWhenShown("Pangan")
	u.waitButton("✅ Pangan")
	u.press("✔️ Selesai", "mendesak")
	sum := u.press("Biasa", "Periksa data")
	for _, want := range []string{"RT/RW: 005/002", "No. KK: 1571********0007"} {
		if !strings.Contains(sum.Text, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum.Text)
		}
	}
	u.press("✅ Simpan", "JMB-26-00003")
	notice, err := r.coord.WaitForText(wait, "JMB-26-00003")
	must(t, err)
	if !strings.Contains(notice.Text, "No. KK: 1571********0007") || !strings.Contains(notice.Text, "RT/RW: 005/002") {
		t.Errorf("coordinator's card:\n%s", notice.Text)
	}
	settle(t, h)
	for _, who := range []*telegramtest.User{r.sri, r.coord.User} {
		for _, m := range who.Messages() {
			if strings.Contains(m.Text+m.Caption, officeKK) {
				t.Errorf("message %d shows the full No. KK: %s", m.ID, m.Text)
			}
		}
	}
	if strings.Contains(h.Log.String(), officeKK) {
		t.Error("the log holds the full No. KK")
	}

	var sealed string
	must(t, h.DB().SQL().QueryRow(`SELECT no_kk FROM cases WHERE code = 'JMB-26-00003'`).Scan(&sealed))
	if !strings.HasPrefix(sealed, "~nk1~") {
		t.Errorf("no_kk column holds %q, not ciphertext", sealed)
	}
	var k store.Case
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		id, err := tx.CaseIDByCode("JMB-26-00003")
		if err != nil {
			return err
		}
		k, _, err = tx.GetCase(id)
		return err
	}))
	if k.NoKK != officeKK || k.RT != "005" || k.RW != "002" || k.NIK != officeNIK {
		t.Errorf("stored case: KK %q RT %q RW %q NIK %q", k.NoKK, k.RT, k.RW, k.NIK)
	}

	// Erasure clears the No. KK and RT/RW with the rest of the personal data.
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		if _, _, err := tx.EraseCasePersonalData(k.ID, scopeAdminID, "(dihapus)"); err != nil {
			return err
		}
		k, _, err = tx.GetCase(k.ID)
		return err
	}))
	if k.NoKK != "" || k.RT != "" || k.RW != "" {
		t.Errorf("after erasure: KK %q RT %q RW %q", k.NoKK, k.RT, k.RW)
	}
	must(t, h.Stop())
	noNIKOnDisk(t, h, officeKK, "bot stopped")
	h.NoViolations()
}
