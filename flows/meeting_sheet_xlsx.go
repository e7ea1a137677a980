package flows

import (
	"bytes"
	"fmt"
	"image"
	"strings"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// The daftar hadir's fixed rows, 1-based: the kop surat (government, office,
// address, ruled off below), the heading and the meeting's name, when and
// where, then the table's header. Fixed so that the print titles and the
// tests can name them.
const (
	sheetRowGov     = 1
	sheetRowOffice  = 2
	sheetRowAddress = 3
	sheetRowHeading = 5
	sheetRowTitle   = 6
	sheetRowDate    = 8
	sheetRowTime    = 9
	sheetRowPlace   = 10
	sheetRowHeader  = 12
)

// sheetCols are the printed table's columns, A to H; the signature takes
// the last two, numbers alternating left and right so that neighbours'
// signatures do not collide.
var sheetCols = []struct {
	key   string // sheet.col.<key>
	width float64
}{
	{"no", 5}, {"name", 30}, {"role", 8}, {"area", 28}, {"time", 9}, {"note", 12}, {"signature", 13}, {"", 13},
}

// sheetLastCol is the sheet's last column, H.
const sheetLastCol = "H"

// sheetLogoHeight is the logo's height in pixels, about the kop's three rows.
const sheetLogoHeight = 76.0

// sheetXLSX lays the daftar hadir out as an office prints and signs it: the
// kop surat, "DAFTAR HADIR", the meeting's name, day and date, time and
// place; every invitee with a line to sign; "Mengetahui," and the
// signatory. A4 portrait, fit to the page's width, the table's header
// repeated on every page.
func (a *App) sheetXLSX(lang i18n.Lang, m store.Meeting, rows []SheetRow) ([]byte, error) {
	b, err := newSheetBuilder(i18n.T(lang, "sheet.name"))
	if err != nil {
		return nil, fmt.Errorf("daftar hadir xlsx: %w", err)
	}
	defer b.f.Close()
	T := func(key string, args ...string) string { return i18n.T(lang, key, args...) }

	// The kop surat.
	b.line(sheetRowGov, "A", sheetLastCol, T("sheet.kop.gov", "city", strings.ToUpper(a.cfg.Regions.City)), b.st.gov, 20)
	b.line(sheetRowOffice, "A", sheetLastCol, strings.ToUpper(a.cfg.Office), b.st.office, 24)
	b.line(sheetRowAddress, "A", sheetLastCol, a.cfg.OfficeAddress, b.st.address, 30)
	b.height(sheetRowAddress+1, 8)
	if len(a.cfg.OfficeLogo) > 0 {
		b.logo(a.cfg.OfficeLogo)
	}
	// What, when, where.
	b.line(sheetRowHeading, "A", sheetLastCol, T("sheet.heading"), b.st.heading, 22)
	b.line(sheetRowTitle, "A", sheetLastCol, m.Title, b.st.title, 30)
	when := a.clock(m.StartsAt) + "–" + a.clock(m.EndsAt) + " " + a.zone(m.StartsAt)
	for _, info := range []struct {
		row          int
		label, value string
	}{
		{sheetRowDate, T("sheet.day_date"), a.longDate(lang, m.StartsAt)},
		{sheetRowTime, T("sheet.when"), when},
		{sheetRowPlace, T("sheet.place"), m.Place},
	} {
		b.set("B", info.row, info.label, b.st.text)
		b.line(info.row, "C", sheetLastCol, ": "+info.value, b.st.text, 0)
	}
	// The table.
	for i, c := range sheetCols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		b.err(b.f.SetColWidth(b.sheet, col, col, c.width))
		if c.key != "" {
			b.set(col, sheetRowHeader, T("sheet.col."+c.key), b.st.head)
		} else {
			b.set(col, sheetRowHeader, "", b.st.head)
		}
	}
	b.merge("G", sheetRowHeader, sheetLastCol, sheetRowHeader)
	b.height(sheetRowHeader, 30)
	row := sheetRowHeader
	for _, r := range rows {
		row++
		area := r.Kecamatan
		if r.Kelurahan != "" {
			area += " / " + r.Kelurahan
		}
		b.set("A", row, r.No, b.st.center)
		b.set("B", row, r.Name, b.st.cell)
		b.set("C", row, r.Role, b.st.center)
		b.set("D", row, area, b.st.cell)
		b.set("E", row, r.Time, b.st.center)
		b.set("F", row, r.Method, b.st.cell)
		// Odd numbers sign on the left, even on the right.
		left, right := fmt.Sprintf("%d.", r.No), ""
		if r.No%2 == 0 {
			left, right = "", fmt.Sprintf("%d.", r.No)
		}
		b.set("G", row, left, b.st.signLeft)
		b.set("H", row, right, b.st.signRight)
		b.height(row, 30)
	}
	// The count and the signature block, on the right.
	row += 2
	b.line(row, "A", "D", T("sheet.total", "present", itoa(presentCount(rows)), "total", itoa(len(rows))), b.st.text, 0)
	sig := a.cfg.Signatory
	title := sig.Title
	if title == "" {
		title = T("sheet.sign.title", "office", a.cfg.Office)
	}
	name := sig.Name
	if name == "" {
		name = "(" + strings.Repeat(".", 40) + ")"
	}
	nip := sig.NIP
	if nip == "" {
		nip = strings.Repeat(".", 30)
	}
	b.line(row, "E", sheetLastCol, T("sheet.sign.ack"), b.st.sign, 0)
	b.line(row+1, "E", sheetLastCol, title, b.st.signWrap, 30)
	b.line(row+5, "E", sheetLastCol, name, b.st.signName, 0)
	b.line(row+6, "E", sheetLastCol, T("sheet.sign.nip", "nip", nip), b.st.sign, 0)
	last := row + 6

	b.pageSetup(last, T("sheet.footer", "title", strings.ReplaceAll(m.Title, "&", "&&"), "page", "&P", "pages", "&N"))
	if b.firstErr != nil {
		return nil, fmt.Errorf("daftar hadir xlsx: %w", b.firstErr)
	}
	var buf bytes.Buffer
	if err := b.f.Write(&buf); err != nil {
		return nil, fmt.Errorf("daftar hadir xlsx: %w", err)
	}
	return buf.Bytes(), nil
}

// sheetBuilder writes one sheet, keeping the first error so that the layout
// above reads as a list of what goes where.
type sheetBuilder struct {
	f        *excelize.File
	sheet    string
	st       sheetStyles
	firstErr error
}

// sheetStyles are the daftar hadir's cell styles.
type sheetStyles struct {
	gov, office, address, heading, title, text int
	head, cell, center, signLeft, signRight    int
	sign, signWrap, signName                   int
}

func newSheetBuilder(sheet string) (*sheetBuilder, error) {
	f := excelize.NewFile()
	b := &sheetBuilder{f: f, sheet: sheet}
	b.err(f.SetSheetName("Sheet1", sheet))
	// Arial is what offices print in; LibreOffice maps it to a metric twin.
	b.err(f.SetDefaultFont("Arial"))
	font := func(size float64, bold bool) *excelize.Font {
		return &excelize.Font{Family: "Arial", Size: size, Bold: bold}
	}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	left := &excelize.Alignment{Horizontal: "left", Vertical: "center", WrapText: true, Indent: 1}
	edge := func(sides ...string) []excelize.Border {
		var out []excelize.Border
		for _, s := range sides {
			out = append(out, excelize.Border{Type: s, Style: 1, Color: "000000"})
		}
		return out
	}
	box := edge("left", "right", "top", "bottom")
	// The kop surat is ruled off with a thick line, as on the office's letters.
	rule := []excelize.Border{{Type: "bottom", Style: 6, Color: "000000"}}
	for _, s := range []struct {
		to    *int
		style excelize.Style
	}{
		{&b.st.gov, excelize.Style{Font: font(12, true), Alignment: center}},
		{&b.st.office, excelize.Style{Font: font(15, true), Alignment: center}},
		{&b.st.address, excelize.Style{Font: font(9, false), Alignment: center, Border: rule}},
		{&b.st.heading, excelize.Style{Font: &excelize.Font{Family: "Arial", Size: 14, Bold: true, Underline: "single"},
			Alignment: center}},
		{&b.st.title, excelize.Style{Font: font(12, true), Alignment: center}},
		{&b.st.text, excelize.Style{Font: font(10, false), Alignment: left}},
		{&b.st.head, excelize.Style{Font: font(10, true), Alignment: center, Border: box,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9D9D9"}}}},
		{&b.st.cell, excelize.Style{Font: font(10, false), Alignment: left, Border: box}},
		{&b.st.center, excelize.Style{Font: font(10, false), Alignment: center, Border: box}},
		{&b.st.signLeft, excelize.Style{Font: font(8, false), Alignment: &excelize.Alignment{Horizontal: "left",
			Vertical: "top"}, Border: edge("left", "top", "bottom")}},
		{&b.st.signRight, excelize.Style{Font: font(8, false), Alignment: &excelize.Alignment{Horizontal: "left",
			Vertical: "top"}, Border: edge("right", "top", "bottom")}},
		{&b.st.sign, excelize.Style{Font: font(10, false), Alignment: center}},
		{&b.st.signWrap, excelize.Style{Font: font(10, false), Alignment: &excelize.Alignment{Horizontal: "center",
			Vertical: "top", WrapText: true}}},
		{&b.st.signName, excelize.Style{Font: &excelize.Font{Family: "Arial", Size: 10, Bold: true, Underline: "single"},
			Alignment: center}},
	} {
		id, err := f.NewStyle(&s.style)
		if err != nil {
			f.Close()
			return nil, err
		}
		*s.to = id
	}
	if b.firstErr != nil {
		f.Close()
		return nil, b.firstErr
	}
	return b, nil
}

func (b *sheetBuilder) err(err error) {
	if err != nil && b.firstErr == nil {
		b.firstErr = err
	}
}

// set writes v in col, row with style.
func (b *sheetBuilder) set(col string, row int, v any, style int) {
	cell := fmt.Sprintf("%s%d", col, row)
	b.err(b.f.SetCellValue(b.sheet, cell, v))
	b.err(b.f.SetCellStyle(b.sheet, cell, cell, style))
}

// line writes text across from..to of row, merged, with style; height 0
// keeps the default row height.
func (b *sheetBuilder) line(row int, from, to, text string, style int, height float64) {
	b.set(from, row, text, style)
	b.err(b.f.SetCellStyle(b.sheet, fmt.Sprintf("%s%d", from, row), fmt.Sprintf("%s%d", to, row), style))
	b.merge(from, row, to, row)
	if height > 0 {
		b.height(row, height)
	}
}

func (b *sheetBuilder) merge(fromCol string, fromRow int, toCol string, toRow int) {
	b.err(b.f.MergeCell(b.sheet, fmt.Sprintf("%s%d", fromCol, fromRow), fmt.Sprintf("%s%d", toCol, toRow)))
}

func (b *sheetBuilder) height(row int, h float64) { b.err(b.f.SetRowHeight(b.sheet, row, h)) }

// logo places data (PNG or JPEG, checked at start) at the kop's left,
// scaled to the kop's height.
func (b *sheetBuilder) logo(data []byte) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		b.err(fmt.Errorf("office logo: %w", err))
		return
	}
	if cfg.Height == 0 {
		return
	}
	scale := sheetLogoHeight / float64(cfg.Height)
	b.err(b.f.AddPictureFromBytes(b.sheet, "A1", &excelize.Picture{Extension: "." + format, File: data,
		Format: &excelize.GraphicOptions{AltText: "logo", ScaleX: scale, ScaleY: scale, OffsetX: 6, OffsetY: 4,
			Positioning: "oneCell", PrintObject: new(true), LockAspectRatio: true}}))
}

// pageSetup makes the sheet print on A4 portrait, rows 1..last, as wide as
// the page, the table's header on every page, footer on every page.
func (b *sheetBuilder) pageSetup(last int, footer string) {
	a4, portrait, one, free := 9, "portrait", 1, 0
	b.err(b.f.SetPageLayout(b.sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &portrait,
		FitToWidth: &one, FitToHeight: &free}))
	b.err(b.f.SetSheetProps(b.sheet, &excelize.SheetPropsOptions{FitToPage: new(true)}))
	b.err(b.f.SetPageMargins(b.sheet, &excelize.PageLayoutMarginsOptions{Top: new(0.6), Bottom: new(0.7),
		Left: new(0.6), Right: new(0.5), Header: new(0.3), Footer: new(0.3), Horizontally: new(true)}))
	b.err(b.f.SetHeaderFooter(b.sheet, &excelize.HeaderFooterOptions{OddFooter: "&L&8" + footer}))
	ref := "'" + strings.ReplaceAll(b.sheet, "'", "''") + "'!"
	b.err(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: b.sheet,
		RefersTo: fmt.Sprintf("%s$%d:$%d", ref, sheetRowHeader, sheetRowHeader)}))
	b.err(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", Scope: b.sheet,
		RefersTo: fmt.Sprintf("%s$A$1:$%s$%d", ref, sheetLastCol, last)}))
}
