package flows

import (
	"cmp"
	"fmt"
	"html"
	_ "image/jpeg" // office logos in JPEG
	_ "image/png"  // and in PNG
	"slices"
	"strconv"
	"strings"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// SheetRow is one line of a daftar hadir: an invitee, present or not, or a
// walk-in.
type SheetRow struct {
	No                               int
	Name, Role, Kecamatan, Kelurahan string
	Present                          bool
	Time                             string // "09.12"; "" when not checked in
	Method                           string // QR, lokasi, manual (in the sheet's language)
	WalkIn                           bool
}

// sheetRows lists m's invitees and walk-ins visible to c's user, in lang:
// by role, then kecamatan in the regions' order, then name, so that a
// person finds their line on paper. Who has not checked in is listed too,
// without a time, to sign on paper.
func (a *App) sheetRows(c *Ctx, lang i18n.Lang, m store.Meeting) ([]SheetRow, error) {
	roster, _, err := a.visibleRoster(c, m)
	if err != nil {
		return nil, err
	}
	kecIndex := map[string]int{}
	for i, k := range a.cfg.Regions.Kecamatan {
		kecIndex[k.Code] = i + 1 // 0: no kecamatan, listed first
	}
	roster = slices.Clone(roster)
	slices.SortStableFunc(roster, func(x, y store.RosterEntry) int {
		return cmp.Or(cmp.Compare(roleRank(x.User.Role), roleRank(y.User.Role)),
			cmp.Compare(kecIndex[x.User.Kecamatan], kecIndex[y.User.Kecamatan]),
			strings.Compare(strings.ToLower(displayName(x.User)), strings.ToLower(displayName(y.User))))
	})
	var rows []SheetRow
	for _, e := range roster {
		if !e.Invited && !e.Attended {
			continue
		}
		u := e.User
		r := SheetRow{No: len(rows) + 1, Name: displayName(u), Role: i18n.T(lang, "role."+u.Role), Present: e.Attended}
		if k, ok := a.cfg.Regions.KecamatanByCode(u.Kecamatan); ok {
			r.Kecamatan = k.Name
		}
		if p, ok := a.cfg.Regions.KelurahanByCode(u.Kelurahan); ok {
			r.Kelurahan = p.Kelurahan.Name
		}
		if e.Attended {
			r.Time, r.Method, r.WalkIn = a.clock(e.Attendance.At), i18n.T(lang, "sheet.method."+e.Attendance.Method), e.Attendance.WalkIn
			if r.WalkIn {
				r.Method += " (" + i18n.T(lang, "sheet.walkin") + ")"
			}
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// roleRank orders roles as reports list them; unknown roles last.
func roleRank(role string) int {
	if i := slices.Index(roleOrder, role); i >= 0 {
		return i
	}
	return len(roleOrder)
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
		Text: c.T("sheet.caption", "title", html.EscapeString(m.Title), "n", itoa(presentCount(rows)),
			"total", itoa(len(rows)))})
	return err
}

func presentCount(rows []SheetRow) int {
	n := 0
	for _, r := range rows {
		if r.Present {
			n++
		}
	}
	return n
}

// sheetHead is the title block above the CSV's table: title, date and time,
// place.
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

// longDate is t's day as an office writes it on a letter: "Selasa,
// 3 November 2026".
func (a *App) longDate(lang i18n.Lang, t time.Time) string {
	t = t.In(a.cfg.Location)
	return i18n.T(lang, "sheet.date", "day", i18n.T(lang, "sheet.day."+strconv.Itoa(int(t.Weekday()))),
		"d", strconv.Itoa(t.Day()), "month", i18n.T(lang, "sheet.month."+strconv.Itoa(int(t.Month()))),
		"year", strconv.Itoa(t.Year()))
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}
