package flows

import (
	"bytes"
	"fmt"
	"html"
	"strconv"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// SheetRow is one line of a daftar hadir.
type SheetRow struct {
	No                               int
	Name, Role, Kecamatan, Kelurahan string
	Time                             string // "09.12"
	Method                           string // QR, lokasi, manual (in the sheet's language)
	WalkIn                           bool
}

// sheetRows lists m's attendees visible to c's user in check-in order, in
// lang.
func (a *App) sheetRows(c *Ctx, lang i18n.Lang, m store.Meeting) ([]SheetRow, error) {
	roster, _, err := a.visibleRoster(c, m)
	if err != nil {
		return nil, err
	}
	var rows []SheetRow
	for _, e := range roster {
		if !e.Attended {
			continue
		}
		u := e.User
		r := SheetRow{No: len(rows) + 1, Name: displayName(u), Role: i18n.T(lang, "role."+u.Role),
			Time: a.clock(e.Attendance.At), Method: i18n.T(lang, "sheet.method."+e.Attendance.Method),
			WalkIn: e.Attendance.WalkIn}
		if k, ok := a.cfg.Regions.KecamatanByCode(u.Kecamatan); ok {
			r.Kecamatan = k.Name
		}
		if p, ok := a.cfg.Regions.KelurahanByCode(u.Kelurahan); ok {
			r.Kelurahan = p.Kelurahan.Name
		}
		if r.WalkIn {
			r.Method += " (" + i18n.T(lang, "sheet.walkin") + ")"
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func sheetHeader(lang i18n.Lang) []string {
	var h []string
	for _, k := range []string{"no", "name", "role", "kecamatan", "kelurahan", "time", "method", "signature"} {
		h = append(h, i18n.T(lang, "sheet.col."+k))
	}
	return h
}

func (r SheetRow) cells() []string {
	return []string{strconv.Itoa(r.No), r.Name, r.Role, r.Kecamatan, r.Kelurahan, r.Time, r.Method, ""}
}

// sendSheet sends the organiser m's daftar hadir as XLSX or CSV.
func (a *App) sendSheet(c *Ctx, m store.Meeting, xlsx bool) error {
	rows, err := a.sheetRows(c, c.Lang, m)
	if err != nil {
		return err
	}
	name := i18n.T(c.Lang, "sheet.file", "id", strconv.FormatInt(m.ID, 10))
	var file []byte
	if xlsx {
		name += ".xlsx"
		file, err = a.sheetXLSX(c.Lang, m, rows)
	} else {
		name += ".csv"
		file, err = a.sheetCSV(c.Lang, m, rows)
	}
	if err != nil {
		return err
	}
	_, err = c.Send(store.Message{Kind: store.KindDocument, FileName: name, File: file,
		Text: c.T("sheet.caption", "title", html.EscapeString(m.Title), "n", itoa(len(rows)))})
	return err
}

// sheetHead is the title block above the table: title, date and time, place.
func (a *App) sheetHead(lang i18n.Lang, m store.Meeting) [][]string {
	return [][]string{
		{i18n.T(lang, "sheet.title"), m.Title},
		{i18n.T(lang, "sheet.when"), a.when(m)},
		{i18n.T(lang, "sheet.place"), m.Place},
	}
}

func (a *App) sheetCSV(lang i18n.Lang, m store.Meeting, rows []SheetRow) ([]byte, error) {
	lines := append(a.sheetHead(lang, m), nil, sheetHeader(lang))
	for _, r := range rows {
		lines = append(lines, r.cells())
	}
	data, err := writeCSV(lines)
	if err != nil {
		return nil, fmt.Errorf("daftar hadir csv: %w", err)
	}
	return data, nil
}

// sheetXLSX lays the sheet out for printing: the title block, then the table
// with borders and an empty signature column wide enough to sign in.
func (a *App) sheetXLSX(lang i18n.Lang, m store.Meeting, rows []SheetRow) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := i18n.T(lang, "sheet.name")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, fmt.Errorf("daftar hadir xlsx: %w", err)
	}
	set := func(col, row int, v any) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		return f.SetCellValue(sheet, cell, v)
	}
	line := 1
	for _, head := range a.sheetHead(lang, m) {
		for i, v := range head {
			if err := set(i+1, line, v); err != nil {
				return nil, fmt.Errorf("daftar hadir xlsx: %w", err)
			}
		}
		line++
	}
	line++
	headerRow := line
	for i, v := range sheetHeader(lang) {
		if err := set(i+1, line, v); err != nil {
			return nil, fmt.Errorf("daftar hadir xlsx: %w", err)
		}
	}
	for _, r := range rows {
		line++
		for i, v := range r.cells() {
			var val any = v
			if i == 0 {
				val = r.No
			}
			if err := set(i+1, line, val); err != nil {
				return nil, fmt.Errorf("daftar hadir xlsx: %w", err)
			}
		}
	}
	border := []excelize.Border{{Type: "left", Style: 1, Color: "000000"}, {Type: "right", Style: 1, Color: "000000"},
		{Type: "top", Style: 1, Color: "000000"}, {Type: "bottom", Style: 1, Color: "000000"}}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Border: border})
	if err != nil {
		return nil, fmt.Errorf("daftar hadir xlsx: %w", err)
	}
	body, err := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "center"}})
	if err != nil {
		return nil, fmt.Errorf("daftar hadir xlsx: %w", err)
	}
	steps := []error{
		f.SetCellStyle(sheet, cellName(1, headerRow), cellName(8, headerRow), head),
		f.SetColWidth(sheet, "A", "A", 5),
		f.SetColWidth(sheet, "B", "B", 30),
		f.SetColWidth(sheet, "C", "E", 18),
		f.SetColWidth(sheet, "F", "G", 14),
		f.SetColWidth(sheet, "H", "H", 24),
	}
	if line > headerRow {
		steps = append(steps, f.SetCellStyle(sheet, cellName(1, headerRow+1), cellName(8, line), body))
		for r := headerRow + 1; r <= line; r++ {
			steps = append(steps, f.SetRowHeight(sheet, r, 28))
		}
	}
	for _, err := range steps {
		if err != nil {
			return nil, fmt.Errorf("daftar hadir xlsx: %w", err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("daftar hadir xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}
