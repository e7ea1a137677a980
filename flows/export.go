package flows

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/parse"
	"dinsosbot/flows/pmks"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// /ekspor: cases as XLSX and CSV for the office's DTKS/SIKS-NG entry, or as a
// map (GeoJSON and KML, export_map.go), filtered by period, status, category
// and kecamatan, and optionally a ZIP of their photos (export_zip.go).
// Coordinators export their own area only, whatever the format.
// The full NIK and No. KK appear here and nowhere else the bot shows; every
// export is audited.

func (a *App) exportFlow() *Flow {
	isRange := func(c *Ctx) bool { return c.Answers.Text("period") == "range" }
	return &Flow{Name: "export", Title: "exp.title", Save: a.saveExport, Steps: []Step{
		// Cases as a table or a map, or a form's submissions (form_export.go).
		{Key: "format", Prompt: "exp.format", Input: InputChoice, OptionsFrom: a.exportFormatOptions},
		{Key: "period", Prompt: "exp.period", Input: InputChoice, DependsOn: []string{"format"},
			If: func(c *Ctx) bool { return !exportsForm(c) }, Options: []Option{
				{Value: "month", Key: "exp.period.month"}, {Value: "lastmonth", Key: "exp.period.lastmonth"},
				{Value: "year", Key: "exp.period.year"}, {Value: "all", Key: "exp.period.all"},
				{Value: "range", Key: "exp.period.range"}}},
		{Key: "from", Prompt: "exp.from", Input: InputDate, If: isRange, DependsOn: []string{"period"}},
		{Key: "to", Prompt: "exp.to", Input: InputDate, If: isRange, DependsOn: []string{"from"},
			Check: func(c *Ctx, v Value) error {
				if v.Text < c.Answers.Text("from") {
					return refuse("exp.err.to_before")
				}
				return nil
			}},
		{Key: "status", Prompt: "exp.status", Input: InputChoice, Options: exportStatusOptions(),
			If: func(c *Ctx) bool { return !exportsForm(c) }},
		{Key: "category", Prompt: "exp.category", Input: InputChoice, OptionsFrom: exportCategoryOptions,
			If: func(c *Ctx) bool { return !exportsForm(c) }},
		{Key: "kecamatan", Prompt: "exp.kecamatan", Input: InputChoice, OptionsFrom: a.exportKecamatanOptions},
		// Asked only where photos are downloaded (MediaDir set), and not with
		// the map: it names no one, and photos would.
		{Key: "photos", Prompt: "exp.photos", Input: InputYesNo, DependsOn: []string{"format"},
			If: func(c *Ctx) bool {
				return a.cfg.MediaDir != "" && c.Answers.Text("format") != exportMap && !exportsForm(c)
			}},
	}}
}

func exportStatusOptions() []Option {
	opts := []Option{{Value: "all", Key: "exp.all"}}
	for _, s := range []string{store.CaseNew, store.CaseVerified, store.CaseNeedsFix, store.CaseFollowUp,
		store.CaseClosed, store.CaseRejected} {
		opts = append(opts, Option{Value: s, Key: "case.status." + s})
	}
	return opts
}

func exportCategoryOptions(*Ctx) ([]Option, error) {
	opts := []Option{{Value: "all", Key: "exp.all"}}
	for _, cat := range pmks.All() {
		opts = append(opts, Option{Value: cat.Code, Text: clip(cat.Name, 28)})
	}
	return opts, nil
}

func (a *App) exportKecamatanOptions(c *Ctx) ([]Option, error) {
	allowed := area(c.User)
	opts := []Option{{Value: "all", Key: "exp.all_area"}}
	for _, k := range a.cfg.Regions.Kecamatan {
		if slices.Contains(allowed, "*") || slices.Contains(allowed, k.Code) {
			opts = append(opts, Option{Value: k.Code, Text: k.Name})
		}
	}
	return opts, nil
}

func (a *App) cmdExport(c *Ctx, _ *session) error {
	return a.startFlow(c, a.flows["export"], nil, nil, false)
}

// exportFilter turns the answers into a filter within the person's area; ok is
// false when the answers reach outside it.
func (a *App) exportFilter(c *Ctx) (store.ExportFilter, bool, error) {
	ans := c.Answers
	loc := a.cfg.Location
	now := c.Tx.Now().In(loc)
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
	var f store.ExportFilter
	switch ans.Text("period") {
	case "month":
		f.From = month
	case "lastmonth":
		f.From, f.To = month.AddDate(0, -1, 0), month
	case "year":
		f.From = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, loc)
	case "range":
		from, err := parse.Date(ans.Text("from"))
		if err != nil {
			return f, false, err
		}
		to, err := parse.Date(ans.Text("to"))
		if err != nil {
			return f, false, err
		}
		f.From = time.Date(from.Time().Year(), from.Time().Month(), from.Time().Day(), 0, 0, 0, 0, loc)
		f.To = time.Date(to.Time().Year(), to.Time().Month(), to.Time().Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	}
	if s := ans.Text("status"); s != "all" {
		f.Status = s
	}
	if s := ans.Text("category"); s != "all" {
		f.Category = s
	}
	allowed := area(c.User)
	switch k := ans.Text("kecamatan"); {
	case k == "all":
		f.Kecamatan = allowed
	case slices.Contains(allowed, "*") || slices.Contains(allowed, k):
		f.Kecamatan = []string{k}
	default:
		return f, false, nil
	}
	return f, true, nil
}

func (a *App) saveExport(c *Ctx) error {
	if exportsForm(c) {
		return a.saveFormExport(c)
	}
	f, ok, err := a.exportFilter(c)
	if err != nil {
		return err
	}
	if !ok {
		return a.deny(c, "export "+c.Answers.Text("kecamatan"))
	}
	rows, err := c.Tx.ExportCases(f)
	if err != nil {
		return err
	}
	name := c.T("exp.file") + "-" + c.Tx.Now().In(a.cfg.Location).Format("20060102-1504")
	detail := fmt.Sprintf("n=%d period=%s from=%s to=%s status=%s category=%s kecamatan=%s", len(rows),
		c.Answers.Text("period"), dayOrEmpty(f.From, a.cfg.Location), dayOrEmpty(f.To, a.cfg.Location),
		c.Answers.Text("status"), c.Answers.Text("category"), strings.Join(f.Kecamatan, ","))
	if c.Answers.Text("format") == exportMap {
		return a.sendExportMap(c, name, detail, rows)
	}
	if err := c.Tx.Audit(c.User.ID, "export", detail); err != nil {
		return err
	}
	table := a.exportRows(c.Lang, rows)
	xlsx, err := exportXLSX(c.T("exp.sheet"), c.T("exp.note", "date", a.formatTime(c.Tx.Now())), table)
	if err != nil {
		return err
	}
	csvData, err := exportCSV(table)
	if err != nil {
		return err
	}
	caption := c.T("exp.caption", "n", itoa(len(rows)))
	if _, err := c.Send(store.Message{Kind: store.KindDocument, FileName: name + ".xlsx", File: xlsx, Text: caption}); err != nil {
		return err
	}
	if _, err := c.Send(store.Message{Kind: store.KindDocument, FileName: name + ".csv", File: csvData,
		Text: c.T("exp.caption.csv")}); err != nil {
		return err
	}
	if c.Answers.Text("photos") == "yes" {
		return a.sendPhotoZip(c, name, rows, f.Kecamatan)
	}
	return nil
}

func dayOrEmpty(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.DateOnly)
}

// Values of the export's format step.
const (
	exportTable = "table" // XLSX and CSV
	exportMap   = "map"   // GeoJSON and KML (export_map.go)
)

// exportColumns are the export's columns, on purpose not from the catalogue:
// they stay Indonesian whatever the admin's language, as the office's
// DTKS/SIKS-NG entry names the fields. No import template is checked here, so
// the file claims no SIKS-NG compatibility; it is for copying the fields
// over. The sheet, file names and the note row are only for people, so they
// come from the catalogue.
var exportColumns = []string{"No", "Kode Kasus", "NIK", "No. KK", "Nama Lengkap", "Tempat Lahir", "Tanggal Lahir",
	"Umur", "Jenis Kelamin", "Alamat", "RT", "RW", "Kode Kecamatan", "Kecamatan", "Kode Kelurahan", "Kelurahan",
	"Kode Kategori", "Kategori PMKS", "Status", "Urgensi", "Kebutuhan", "Keterangan", "Tanggal Lapor",
	"Tanggal Diperbarui", "Pelapor", "Peran Pelapor", "Lintang", "Bujur", "Jumlah Foto", "Alasan Tanpa NIK"}

// A cell of the export's table is a string, an int, a float64 (a
// coordinate), an exportDay, an exportStamp, or nil (no value).
type (
	// exportDay is a calendar date (a birth date).
	exportDay parse.Day
	// exportStamp is a moment, already in the configured zone.
	exportStamp time.Time
)

// exportRows lays rows out as exportColumns, texts in lang where they are
// words (status, urgency, need, role), codes where the office keys codes.
func (a *App) exportRows(lang i18n.Lang, rows []store.ExportRow) [][]any {
	out := [][]any{}
	for i, r := range rows {
		var birth, age any
		if r.BirthDate != "" {
			if d, err := parse.Date(r.BirthDate); err == nil {
				birth = exportDay(d)
				age = ageAt(d, parse.DayOf(r.CreatedAt.In(a.cfg.Location)))
			}
		} else if r.NoNIKReason != "erased" || r.Age > 0 {
			age = r.Age
		}
		kec, kel := "", ""
		if k, ok := a.cfg.Regions.KecamatanByCode(r.Kecamatan); ok {
			kec = k.Name
		}
		if p, ok := a.cfg.Regions.KelurahanByCode(r.Kelurahan); ok {
			kel = p.Kelurahan.Name
		}
		var needs []string
		for _, n := range r.Needs {
			needs = append(needs, i18n.T(lang, "case.need."+n))
		}
		var lat, lon any
		if r.HasLocation {
			lat, lon = r.Latitude, r.Longitude
		}
		role := ""
		if r.ReporterRole != "" && r.ReporterRole != store.RoleNone {
			role = i18n.T(lang, "role."+r.ReporterRole)
		}
		noNIK := ""
		if r.NIK == "" && r.NoNIKReason != "" {
			noNIK = i18n.T(lang, "case.no_nik."+r.NoNIKReason)
		}
		out = append(out, []any{i + 1, r.Code, r.NIK, r.NoKK, r.FullName, r.BirthPlace, birth, age, r.Gender,
			r.Address, r.RT, r.RW, r.Kecamatan, kec, r.Kelurahan, kel, r.Category, categoryName(r.Category),
			stripEmoji(i18n.T(lang, "case.status."+r.Status)), stripEmoji(i18n.T(lang, "case.urgency."+r.Urgency)),
			strings.Join(needs, ", "), r.Description, exportStamp(r.CreatedAt.In(a.cfg.Location)),
			exportStamp(r.UpdatedAt.In(a.cfg.Location)), r.ReporterName, role, lat, lon, len(r.Photos), noNIK})
	}
	return out
}

// ageAt is the age in whole years on day of someone born on birth.
func ageAt(birth, day parse.Day) int {
	age := day.Year - birth.Year
	if day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day) {
		age--
	}
	return max(age, 0)
}

// stripEmoji drops a label's leading symbols ("🟢 Diverifikasi" ->
// "Diverifikasi", "⚠️ Mendesak" -> "Mendesak"): a file keeps the words.
func stripEmoji(s string) string {
	return strings.TrimLeftFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// exportText is a cell as the CSV writes it: dates as DD-MM-YYYY, numbers
// as digits.
func exportText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', 6, 64)
	case exportDay:
		return formatDay(parse.Day(v))
	case exportStamp:
		return time.Time(v).Format("02-01-2006 15:04")
	}
	return fmt.Sprint(v)
}

func exportCSV(rows [][]any) ([]byte, error) {
	table := [][]string{exportColumns}
	for _, r := range rows {
		line := make([]string, len(r))
		for i, v := range r {
			line[i] = exportText(v)
		}
		table = append(table, line)
	}
	data, err := writeCSV(table)
	if err != nil {
		return nil, fmt.Errorf("export csv: %w", err)
	}
	return data, nil
}

// Rows of the XLSX sheet: a note, then the header, then the cases.
const (
	xlsxNoteRow = 1
	xlsxHeadRow = 2
)

// exportXLSX writes rows on sheet under a note row and a bold header row,
// frozen, with an autofilter. Numbers are number cells, dates are Excel
// dates shown DD-MM-YYYY; everything else is text: a NIK or No. KK must stay
// 16 digits (a number cell would round it), codes keep their dots and RT/RW
// their leading zeros.
func exportXLSX(sheet, note string, rows [][]any) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	wrap := func(err error) error { return fmt.Errorf("export xlsx: %w", err) }
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, wrap(err)
	}
	day, stamp, coord := "dd-mm-yyyy", "dd-mm-yyyy hh:mm", "0.000000"
	styles := map[string]*excelize.Style{
		"text":  {NumFmt: 49}, // "@"
		"head":  {Font: &excelize.Font{Bold: true}, NumFmt: 49, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}},
		"note":  {Font: &excelize.Font{Italic: true}},
		"int":   {NumFmt: 1}, // "0"
		"coord": {CustomNumFmt: &coord},
		"day":   {CustomNumFmt: &day},
		"stamp": {CustomNumFmt: &stamp},
	}
	ids := map[string]int{}
	for name, st := range styles {
		id, err := f.NewStyle(st)
		if err != nil {
			return nil, wrap(err)
		}
		ids[name] = id
	}
	last := cellName(len(exportColumns), xlsxHeadRow)
	if err := f.SetCellStr(sheet, cellName(1, xlsxNoteRow), note); err != nil {
		return nil, wrap(err)
	}
	if err := f.SetCellStyle(sheet, cellName(1, xlsxNoteRow), cellName(1, xlsxNoteRow), ids["note"]); err != nil {
		return nil, wrap(err)
	}
	if err := f.SetSheetRow(sheet, cellName(1, xlsxHeadRow), &exportColumns); err != nil {
		return nil, wrap(err)
	}
	if err := f.SetCellStyle(sheet, cellName(1, xlsxHeadRow), last, ids["head"]); err != nil {
		return nil, wrap(err)
	}
	widths := map[string]float64{"NIK": 20, "No. KK": 20, "Nama Lengkap": 28, "Alamat": 32, "Keterangan": 40,
		"Kategori PMKS": 30, "Tanggal Lapor": 17, "Tanggal Diperbarui": 17, "Tanggal Lahir": 12, "No": 6, "RT": 6,
		"RW": 6, "Umur": 6}
	for i, name := range exportColumns {
		w, ok := widths[name]
		if !ok {
			w = 14
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return nil, wrap(err)
		}
	}
	for r, row := range rows {
		n := xlsxHeadRow + 1 + r
		for i, v := range row {
			cell, style := cellName(i+1, n), "text"
			var err error
			switch v := v.(type) {
			case nil:
				continue
			case string:
				err = f.SetCellStr(sheet, cell, v)
			case int:
				style, err = "int", f.SetCellInt(sheet, cell, int64(v))
			case float64:
				style, err = "coord", f.SetCellFloat(sheet, cell, v, -1, 64)
			case exportDay:
				d := parse.Day(v)
				style, err = "day", f.SetCellValue(sheet, cell, time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC))
			case exportStamp:
				// Excel has no zones: the wall clock of the configured zone.
				t := time.Time(v)
				style, err = "stamp", f.SetCellValue(sheet, cell, time.Date(t.Year(), t.Month(), t.Day(), t.Hour(),
					t.Minute(), 0, 0, time.UTC))
			default:
				err = fmt.Errorf("cell %s: unexpected %T", cell, v)
			}
			if err != nil {
				return nil, wrap(err)
			}
			if err := f.SetCellStyle(sheet, cell, cell, ids[style]); err != nil {
				return nil, wrap(err)
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: xlsxHeadRow,
		TopLeftCell: cellName(1, xlsxHeadRow+1), ActivePane: "bottomLeft"}); err != nil {
		return nil, wrap(err)
	}
	end := cellName(len(exportColumns), xlsxHeadRow+max(len(rows), 1))
	if err := f.AutoFilter(sheet, cellName(1, xlsxHeadRow)+":"+end, nil); err != nil {
		return nil, wrap(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, wrap(err)
	}
	return buf.Bytes(), nil
}
