package flows

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/parse"
	"dinsosbot/flows/pmks"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// /ekspor: cases as XLSX and CSV for SIKS-NG re-entry, filtered by period,
// status, category and kecamatan, and optionally a ZIP of their photos
// (export_zip.go). Coordinators export their own area only.
// The full NIK appears here and nowhere else the bot shows; every export is
// audited.

func (a *App) exportFlow() *Flow {
	isRange := func(c *Ctx) bool { return c.Answers.Text("period") == "range" }
	return &Flow{Name: "export", Title: "exp.title", Save: a.saveExport, Steps: []Step{
		{Key: "period", Prompt: "exp.period", Input: InputChoice, Options: []Option{
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
		{Key: "status", Prompt: "exp.status", Input: InputChoice, Options: exportStatusOptions()},
		{Key: "category", Prompt: "exp.category", Input: InputChoice, OptionsFrom: exportCategoryOptions},
		{Key: "kecamatan", Prompt: "exp.kecamatan", Input: InputChoice, OptionsFrom: a.exportKecamatanOptions},
		// Asked only where photos are downloaded (MediaDir set).
		{Key: "photos", Prompt: "exp.photos", Input: InputYesNo, If: func(*Ctx) bool { return a.cfg.MediaDir != "" }},
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
	table := a.exportTable(c.Lang, rows)
	xlsx, err := exportXLSX(c.T("exp.sheet"), table)
	if err != nil {
		return err
	}
	csvData, err := exportCSV(table)
	if err != nil {
		return err
	}
	name := c.T("exp.file") + "-" + c.Tx.Now().In(a.cfg.Location).Format("20060102-1504")
	detail := fmt.Sprintf("n=%d period=%s from=%s to=%s status=%s category=%s kecamatan=%s", len(rows),
		c.Answers.Text("period"), dayOrEmpty(f.From, a.cfg.Location), dayOrEmpty(f.To, a.cfg.Location),
		c.Answers.Text("status"), c.Answers.Text("category"), strings.Join(f.Kecamatan, ","))
	if err := c.Tx.Audit(c.User.ID, "export", detail); err != nil {
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

// exportColumns are the export's columns, named as SIKS-NG's import template
// names them, on purpose not from the catalogue: they stay Indonesian whatever
// the admin's language, because the file is for re-entry into SIKS-NG, whose
// import matches these headers, not for reading in chat. The sheet and file
// names are only for people, so they come from the catalogue.
var exportColumns = []string{"No", "Kode Kasus", "NIK", "Nama Lengkap", "Tempat Lahir", "Tanggal Lahir", "Umur",
	"Jenis Kelamin", "Alamat", "Kode Kecamatan", "Kecamatan", "Kode Kelurahan", "Kelurahan", "Kode PPKS",
	"Kategori PPKS", "Status", "Urgensi", "Kebutuhan", "Keterangan", "Tanggal Lapor", "Tanggal Diperbarui",
	"Pelapor", "Peran Pelapor", "Lintang", "Bujur", "Jumlah Foto", "Alasan Tanpa NIK"}

// exportTable lays rows out as exportColumns, texts in lang where they are
// words (status, need), codes where SIKS-NG wants codes.
func (a *App) exportTable(lang i18n.Lang, rows []store.ExportRow) [][]string {
	out := [][]string{exportColumns}
	stamp := func(t time.Time) string { return t.In(a.cfg.Location).Format("02-01-2006 15:04") }
	for i, r := range rows {
		birth := ""
		if r.BirthDate != "" {
			if d, err := parse.Date(r.BirthDate); err == nil {
				birth = formatDay(d)
			}
		}
		age := ""
		if r.Age > 0 {
			age = strconv.Itoa(r.Age)
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
		lat, lon := "", ""
		if r.HasLocation {
			lat, lon = strconv.FormatFloat(r.Latitude, 'f', 6, 64), strconv.FormatFloat(r.Longitude, 'f', 6, 64)
		}
		role := ""
		if r.ReporterRole != "" && r.ReporterRole != store.RoleNone {
			role = i18n.T(lang, "role."+r.ReporterRole)
		}
		noNIK := ""
		if r.NIK == "" && r.NoNIKReason != "" {
			noNIK = i18n.T(lang, "case.no_nik."+r.NoNIKReason)
		}
		out = append(out, []string{strconv.Itoa(i + 1), r.Code, r.NIK, r.FullName, r.BirthPlace, birth, age, r.Gender,
			r.Address, r.Kecamatan, kec, r.Kelurahan, kel, r.Category, categoryName(r.Category),
			stripEmoji(i18n.T(lang, "case.status."+r.Status)), r.Urgency, strings.Join(needs, ", "), r.Description,
			stamp(r.CreatedAt), stamp(r.UpdatedAt), r.ReporterName, role, lat, lon, strconv.Itoa(len(r.Photos)), noNIK})
	}
	return out
}

// stripEmoji drops the leading status emoji ("🟢 Diverifikasi" -> "Diverifikasi").
func stripEmoji(s string) string {
	if i := strings.IndexByte(s, ' '); i > 0 && i <= 4 {
		return s[i+1:]
	}
	return s
}

func exportCSV(table [][]string) ([]byte, error) {
	data, err := writeCSV(table)
	if err != nil {
		return nil, fmt.Errorf("export csv: %w", err)
	}
	return data, nil
}

// exportXLSX writes the table on sheet with every cell as text: a NIK must
// stay 16 digits (a number cell would round it), codes keep their dots.
func exportXLSX(sheet string, table [][]string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("export xlsx: %w", err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return nil, fmt.Errorf("export xlsx: %w", err)
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return nil, fmt.Errorf("export xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, fmt.Errorf("export xlsx: %w", err)
	}
	widths := map[string]float64{"NIK": 20, "Nama Lengkap": 28, "Alamat": 32, "Keterangan": 40, "Kategori PPKS": 30}
	for i, name := range exportColumns {
		w, ok := widths[name]
		if !ok {
			w = 14
		}
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, fmt.Errorf("export xlsx: %w", err)
		}
	}
	for r, row := range table {
		style := text
		if r == 0 {
			style = head
		}
		cells := make([]any, len(row))
		for i, v := range row {
			cells[i] = excelize.Cell{StyleID: style, Value: v}
		}
		if err := sw.SetRow(cellName(1, r+1), cells); err != nil {
			return nil, fmt.Errorf("export xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, fmt.Errorf("export xlsx: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("export xlsx: %w", err)
	}
	return buf.Bytes(), nil
}
