package flows

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"dinsosbot/flows/xlsform"
	"dinsosbot/store"
)

// /ekspor offers, besides the cases, each XLSForm form with submissions in
// the person's area, exported in the column layout of KoBoToolbox (what
// offices that used Kobo know): one row per submission, one column per
// question named by its group path and name in form order, a select_multiple
// as the space-separated choice names plus one 0/1 column per choice, a
// geopoint split into _q_latitude, _q_longitude, _q_altitude, _q_precision,
// media as file names, and the meta columns _id, _submission_time,
// _submitted_by, _version, _status, _case. Staff may export (as cases), and
// see the full NIK there as the case export shows it.

// formExportPrefix marks a form in the export's format step: "xf.<version id>".
const formExportPrefix = "xf."

// koboMeta are the meta columns after the questions, as Kobo names them.
var koboMeta = []string{"_id", "_submission_time", "_submitted_by", "_version", "_status", "_case"}

// exportFormatOptions are the export's formats: cases as a table or a map,
// then each form with submissions in the person's area.
func (a *App) exportFormatOptions(c *Ctx) ([]Option, error) {
	opts := []Option{{Value: exportTable, Key: "exp.format.table"}, {Value: exportMap, Key: "exp.format.map"}}
	forms, err := c.Tx.SubmissionForms(area(c.User))
	if err != nil {
		return nil, err
	}
	for _, f := range forms {
		opts = append(opts, Option{Value: formExportPrefix + strconv.FormatInt(f.ID, 10), Text: "📋 " + clip(f.Title, 28)})
	}
	return opts, nil
}

// exportsForm: the export's answers chose a form, not cases.
func exportsForm(c *Ctx) bool { return strings.HasPrefix(c.Answers.Text("format"), formExportPrefix) }

// saveFormExport sends the submissions of the chosen form in the chosen
// kecamatan (within the person's area) as a Kobo-layout XLSX.
func (a *App) saveFormExport(c *Ctx) error {
	vid, err := strconv.ParseInt(strings.TrimPrefix(c.Answers.Text("format"), formExportPrefix), 10, 64)
	if err != nil {
		return fmt.Errorf("form export: %q", c.Answers.Text("format"))
	}
	v, ok, err := c.Tx.GetFormVersion(vid)
	if err != nil {
		return err
	}
	if !ok {
		return c.Reply(c.T("flow.stale"))
	}
	allowed := area(c.User)
	kecs := allowed
	if k := c.Answers.Text("kecamatan"); k != "all" {
		if !slices.Contains(allowed, "*") && !slices.Contains(allowed, k) {
			return a.deny(c, "export_form "+v.FormID+" "+k)
		}
		kecs = []string{k}
	}
	subs, err := c.Tx.SubmissionsIn(v.FormID, kecs, "")
	if err != nil {
		return err
	}
	if err := c.Tx.Audit(c.User.ID, "export_form", fmt.Sprintf("%s n=%d kecamatan=%s", v.FormID, len(subs),
		strings.Join(kecs, ","))); err != nil {
		return err
	}
	table, err := a.koboTable(c.Tx, subs)
	if err != nil {
		return err
	}
	file, err := koboXLSX(clip(v.FormID, 31), table)
	if err != nil {
		return err
	}
	name := store.SafeFileName(v.FormID, "formulir") + "-" + c.Tx.Now().In(a.cfg.Location).Format("20060102-1504") + ".xlsx"
	_, err = c.Send(store.Message{Kind: store.KindDocument, FileName: name, File: file,
		Text: c.T("xfx.caption", "n", itoa(len(subs)))})
	return err
}

// koboColumn is one question's columns.
type koboColumn struct {
	q    xlsform.Question
	path string // group path and name: "grp/name"
	// choices of a select_multiple, for its 0/1 columns.
	choices []string
}

func (k koboColumn) heads() []string {
	switch {
	case k.q.Type == xlsform.SelectMultiple:
		out := []string{k.path}
		for _, ch := range k.choices {
			out = append(out, k.path+"/"+ch)
		}
		return out
	case k.q.Type == xlsform.Geopoint:
		return []string{k.path, "_" + k.path + "_latitude", "_" + k.path + "_longitude", "_" + k.path + "_altitude",
			"_" + k.path + "_precision"}
	}
	return []string{k.path}
}

// koboTable lays subs out: the header row, then one row per submission.
// The columns are the newest version's questions, then any question only an
// older version asked. A cell is a string, an int or a float64 (nil: empty).
func (a *App) koboTable(tx *store.Tx, subs []store.Submission) ([][]any, error) {
	forms := map[int64]*xlsform.Form{}
	versions := map[int64]store.FormVersion{}
	var ids []int64
	for _, s := range subs {
		if _, seen := versions[s.VersionID]; seen {
			continue
		}
		v, f, err := a.submissionForm(tx, s.VersionID)
		if err != nil {
			return nil, err
		}
		versions[s.VersionID], forms[s.VersionID] = v, f
		ids = append(ids, s.VersionID)
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	var cols []koboColumn
	seen := map[string]bool{}
	for _, id := range ids {
		f := forms[id]
		if f == nil {
			continue
		}
		for _, q := range f.Questions {
			if q.Type == xlsform.Note || seen[q.Name] {
				continue
			}
			seen[q.Name] = true
			col := koboColumn{q: q, path: strings.Join(append(slices.Clone(q.Group), q.Name), "/")}
			if q.Type == xlsform.SelectMultiple {
				for _, ch := range f.Choices[q.ListName] {
					col.choices = append(col.choices, ch.Name)
				}
			}
			cols = append(cols, col)
		}
	}
	var head []any
	for _, col := range cols {
		for _, h := range col.heads() {
			head = append(head, h)
		}
	}
	for _, m := range koboMeta {
		head = append(head, m)
	}
	table := [][]any{head}
	names := map[int64]string{}
	codes := map[int64]string{}
	for _, s := range subs {
		answers, err := store.DecodeFormAnswers(s.Data)
		if err != nil {
			return nil, err
		}
		var row []any
		for _, col := range cols {
			cells, err := a.koboCells(tx, col, answers[col.q.Name])
			if err != nil {
				return nil, err
			}
			row = append(row, cells...)
		}
		by, ok := names[s.UserID]
		if !ok {
			u, _, err := tx.GetUser(s.UserID)
			if err != nil {
				return nil, err
			}
			by, names[s.UserID] = displayName(u), displayName(u)
		}
		code := ""
		if s.CaseID != 0 {
			if code, ok = codes[s.CaseID]; !ok {
				k, _, err := tx.GetCase(s.CaseID)
				if err != nil {
					return nil, err
				}
				code, codes[s.CaseID] = k.Code, k.Code
			}
		}
		row = append(row, int(s.ID), s.SubmittedAt.UTC().Format("2006-01-02T15:04:05"), by,
			versions[s.VersionID].Version, s.Status, code)
		table = append(table, row)
	}
	return table, nil
}

// koboCells are the cells of one answer under col's columns.
func (a *App) koboCells(tx *store.Tx, col koboColumn, ans store.FormAnswer) ([]any, error) {
	n := len(col.heads())
	if ans.Skipped {
		return make([]any, n), nil
	}
	switch col.q.Type {
	case xlsform.SelectMultiple:
		out := []any{strings.Join(ans.List, " ")}
		for _, ch := range col.choices {
			if slices.Contains(ans.List, ch) {
				out = append(out, 1)
			} else {
				out = append(out, 0)
			}
		}
		return out, nil
	case xlsform.Geopoint:
		if !ans.Located {
			return make([]any, n), nil
		}
		// Telegram shares no altitude nor accuracy: those stay empty.
		return []any{strconv.FormatFloat(ans.Lat, 'f', -1, 64) + " " + strconv.FormatFloat(ans.Lon, 'f', -1, 64),
			ans.Lat, ans.Lon, nil, nil}, nil
	case xlsform.Image, xlsform.Audio:
		names := make([]string, len(ans.Files))
		for i, f := range ans.Files {
			names[i] = path.Base(f)
		}
		return []any{strings.Join(names, " ")}, nil
	case xlsform.NIK:
		// The full NIK, as the case export shows it to the staff who may export.
		if ans.Text == "" {
			return []any{nil}, nil
		}
		nik, err := tx.OpenFormNIK(ans.Text)
		if err != nil {
			return nil, err
		}
		return []any{nik}, nil
	case xlsform.Integer:
		if i, err := strconv.Atoi(ans.Text); err == nil {
			return []any{i}, nil
		}
	case xlsform.Decimal:
		if f, err := strconv.ParseFloat(ans.Text, 64); err == nil {
			return []any{f}, nil
		}
	}
	if ans.Text == "" {
		return []any{nil}, nil
	}
	return []any{ans.Text}, nil
}

// xlsxCell is a text cell's value: a formula-looking text (= + - @) gets the
// CSV neutraliser's quote, as a file copied on as CSV would run it; a run of
// digits (a NIK) stays as it is, a text cell keeps all 16.
func xlsxCell(s string) string {
	if csvDigits(strings.TrimLeft(s, "+-")) {
		return s
	}
	return csvCell(s)
}

// koboXLSX writes table on one sheet, the header row bold and frozen.
func koboXLSX(sheet string, table [][]any) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	wrap := func(err error) error { return fmt.Errorf("form export xlsx: %w", err) }
	if sheet == "" {
		sheet = "data"
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, wrap(err)
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return nil, wrap(err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return nil, wrap(err)
	}
	for r, row := range table {
		for i, v := range row {
			cell := cellName(i+1, r+1)
			var err error
			switch v := v.(type) {
			case nil:
				continue
			case string:
				if err = f.SetCellStr(sheet, cell, xlsxCell(v)); err == nil {
					style := text
					if r == 0 {
						style = head
					}
					err = f.SetCellStyle(sheet, cell, cell, style)
				}
			case int:
				err = f.SetCellInt(sheet, cell, int64(v))
			case float64:
				err = f.SetCellFloat(sheet, cell, v, -1, 64)
			default:
				err = fmt.Errorf("cell %s: unexpected %T", cell, v)
			}
			if err != nil {
				return nil, wrap(err)
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, wrap(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, wrap(err)
	}
	return buf.Bytes(), nil
}
