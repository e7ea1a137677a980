package xlsform_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/xlsform"
	"dinsosbot/flows/xlsform/xlsformtest"
)

// typedBook builds a workbook whose cells keep their Go type (numbers,
// booleans, dates as real date cells), as Excel, LibreOffice and KoBoToolbox
// write them.
func typedBook(t *testing.T, sheets map[string][][]any, order ...string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			for c, v := range row {
				if v == nil {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellValue(name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Forms as people write them in the wild (the XLSForm template, pyxform's
// older spellings, KoBoToolbox exports, ODK Collect's metadata): those
// within the subset load, each read as it means.
func TestLoadRealForms(t *testing.T) {
	ok := q("text", "ok", "OK")
	yn := [][]string{{"list_name", "name", "label"}, {"yn", "yes", "Yes"}, {"yn", "no", "No"}}
	tests := []struct {
		name    string
		survey  [][]string
		choices [][]string
		extra   []xlsform.Sheet
		check   func(t *testing.T, f *xlsform.Form)
	}{
		{name: "pyxform type spellings", survey: [][]string{{"type", "name", "label"},
			q("string", "a", "A"), q("select all that apply yn", "b", "B"), q("select one yn", "c", "C"),
			q("Select Multiple yn", "d", "D"), q("add note prompt", "e", "E"), q("add text prompt", "f", "F"),
			q("add integer prompt", "g", "G"), q("q decimal", "h", "H"), q("date time", "i", "I"),
			q("add image prompt", "j", "J"), q("add select one prompt using yn", "k", "K"), q("get today", "l")},
			choices: yn,
			check: func(t *testing.T, f *xlsform.Form) {
				want := map[string]xlsform.Type{"a": xlsform.Text, "b": xlsform.SelectMultiple, "c": xlsform.SelectOne,
					"d": xlsform.SelectMultiple, "e": xlsform.Note, "f": xlsform.Text, "g": xlsform.Integer,
					"h": xlsform.Decimal, "i": xlsform.DateTime, "j": xlsform.Image, "k": xlsform.SelectOne, "l": xlsform.Today}
				for name, typ := range want {
					if q := f.Question(name); q == nil || q.Type != typ {
						t.Errorf("%s = %+v, want type %s", name, q, typ)
					}
				}
				if q := f.Question("b"); q.ListName != "yn" {
					t.Errorf("select all that apply: list %q", q.ListName)
				}
			}},
		{name: "bind:: columns as the plain ones", survey: [][]string{
			{"type", "name", "label", "bind::relevant", "bind::required", "bind::jr:constraintMsg", "bind::constraint", "bind::calculate"},
			q("integer", "a", "A", "", "yes", "Positive", ". > 0"), q("text", "b", "B", "${a} > 3"),
			q("calculate", "c", "", "", "", "", "", "${a} * 2")},
			check: func(t *testing.T, f *xlsform.Form) {
				if a := f.Question("a"); !a.Required || a.Constraint == nil || a.ConstraintMessage[""] != "Positive" {
					t.Errorf("a = %+v", a)
				}
				if b := f.Question("b"); b.Relevant == nil || b.Relevant.String() != "${a} > 3" {
					t.Errorf("b relevant = %v", b.Relevant)
				}
				if c := f.Question("c"); c.Calculation == nil {
					t.Errorf("c has no calculation")
				}
			}},
		{name: "pyxform's older column names", survey: [][]string{
			{"type", "name", "caption", "relevance", "constraint", "constraining message", "calculate"},
			q("integer", "a", "A"), q("text", "b", "B", "${a} > 3", "string-length(.) > 2", "Too short"),
			q("calculate", "c", "", "", "", "", "${a} + 1")},
			check: func(t *testing.T, f *xlsform.Form) {
				b := f.Question("b")
				if b.Label[""] != "B" || b.Relevant == nil || b.ConstraintMessage[""] != "Too short" || f.Question("c").Calculation == nil {
					t.Errorf("b = %+v, c = %+v", b, f.Question("c"))
				}
			}},
		{name: "harmless columns ignored", survey: [][]string{
			{"type", "name", "label", "appearance", "media::image", "image", "audio", "video", "guidance_hint",
				"instance::odk:tag", "body::accuracyThreshold", "parameters", "note", "$given_name"},
			q("geopoint", "g", "Where", "maps", "g.png", "g.png", "g.mp3", "g.mp4", "Outside", "tag", "10", "capture-accuracy=10", "x", "g")}},
		{name: "empty leftover sheets", survey: [][]string{{"type", "name", "label"}, ok},
			extra: []xlsform.Sheet{{Name: "external_choices", Rows: [][]string{{"list_name", "name", "label"}}},
				{Name: "entities", Rows: [][]string{{"list_name", "label"}}}, {Name: "notes", Rows: [][]string{{"free text"}}}}},
		{name: "phone metadata left out", survey: [][]string{{"type", "name", "label"},
			q("start", "start"), q("deviceid", "deviceid"), q("imei", "imei"), q("phonenumber", "phonenumber"),
			q("subscriberid", "subscriberid"), q("simserial", "simserial"), q("email", "email"), ok},
			check: func(t *testing.T, f *xlsform.Form) {
				if len(f.Questions) != 2 || len(f.Ignored) != 6 || f.Ignored[0] != (xlsform.Ignored{Row: 3, Type: "deviceid", Name: "deviceid"}) {
					t.Errorf("questions %d, ignored %+v", len(f.Questions), f.Ignored)
				}
				if d := f.Describe("en"); !strings.Contains(d, "Left out, no phone to read them from behind a chat: deviceid [deviceid], imei [imei]") {
					t.Errorf("Describe:\n%s", d)
				}
			}},
		{name: "pasted no-break spaces", survey: [][]string{{"type", "name", "label", "relevant"},
			q("integer", "age", "Age"), q("text", "b", "B", "${age}\u00a0>=\u00a018\u00a0and ${age} < 60")},
			check: func(t *testing.T, f *xlsform.Form) {
				if f.Question("b").Relevant == nil {
					t.Error("no relevant")
				}
			}},
		{name: "hidden holds its default", survey: [][]string{{"type", "name", "label", "default", "required"},
			q("hidden", "sumber", "", "bot"), q("hidden", "kosong"), q("text", "a", "A", "", "${sumber} = 'bot'")},
			check: func(t *testing.T, f *xlsform.Form) {
				h, e := f.Question("sumber"), f.Question("kosong")
				if h.Type != xlsform.Calculate || h.Calculation == nil || h.Calculation.String() != "'bot'" || h.Default != nil {
					t.Errorf("sumber = %+v", h)
				}
				if e.Type != xlsform.Calculate || e.Calculation == nil || e.Calculation.String() != "''" {
					t.Errorf("kosong = %+v", e)
				}
				if a := f.Question("a"); a.Required || a.RequiredIf == nil || a.RequiredIf.String() != "${sumber} = 'bot'" {
					t.Errorf("a conditional required: %+v", a)
				}
			}},
		{name: "kobo autoname", survey: [][]string{{"type", "name", "label", "$autoname"},
			q("begin_group", "", "G", "grp"), q("note", "", "Hello", "note_hello"), q("end_group"), ok},
			check: func(t *testing.T, f *xlsform.Form) {
				if q := f.Question("note_hello"); q == nil || len(q.Group) != 1 || q.Group[0] != "grp" {
					t.Errorf("note_hello = %+v", q)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sheets := []xlsform.Sheet{{Name: "survey", Rows: tc.survey}}
			if tc.choices != nil {
				sheets = append(sheets, xlsform.Sheet{Name: "choices", Rows: tc.choices})
			}
			sheets = append(sheets, xlsform.Sheet{Name: "settings", Rows: xlsformtest.Settings("nyata")})
			sheets = append(sheets, tc.extra...)
			f, err := load(t, xlsformtest.Workbook(t, sheets...))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if tc.check != nil {
				tc.check(t, f)
			}
		})
	}
}

// A default typed as a date cell reads as Excel's day number; the loader
// gives the date back as the author saw it.
func TestLoadDateCellDefault(t *testing.T) {
	data := typedBook(t, map[string][][]any{
		"survey": {{"type", "name", "label", "default"},
			{"date", "d", "Date", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)},
			{"integer", "n", "N", 46037}},
		"settings": {{"form_id", "version"}, {"tanggal", 3}},
	}, "survey", "settings")
	f, err := load(t, data)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if d := f.Question("d").Default; d == nil || d.String() != "'2026-01-15'" {
		t.Errorf("date default = %v", d)
	}
	if d := f.Question("n").Default; d == nil || d.String() != "'46037'" {
		t.Errorf("a number default is left alone: %v", d)
	}
	if f.Version != "3" {
		t.Errorf("version = %q", f.Version)
	}
}

// What real forms hold that the bot cannot honour is refused on its row.
func TestLoadRealRefusals(t *testing.T) {
	ok := q("text", "ok", "OK")
	tests := []refusalCase{
		{name: "a label too long for one message", survey: [][]string{{"type", "name", "label", "hint"}, ok,
			q("note", "izin", strings.Repeat("Persetujuan. ", 270), strings.Repeat("x", 100))},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "izin", Key: "xf.err.label.long", Args: []string{"n", "3609", "max", "3500"}}},
		{name: "bind preload", survey: [][]string{{"type", "name", "label", "bind::jr:preload"}, ok, q("text", "c", "C", "property")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "bind::jr:preload", Key: "xf.err.column.unsupported"}},
		{name: "trigger column", survey: [][]string{{"type", "name", "label", "trigger", "calculation"}, ok,
			q("calculate", "c", "", "${ok}", "now()")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "trigger", Key: "xf.err.column.unsupported"}},
		{name: "SurveyCTO disabled", survey: [][]string{{"type", "name", "label", "disabled"}, q("text", "a", "A", "no"),
			q("text", "b", "B", "yes")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "disabled", Key: "xf.err.column.unsupported"}, only: true},
		{name: "SurveyCTO text audit", survey: [][]string{{"type", "name", "label"}, ok, q("text audit", "audit")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "text audit", Key: "xf.err.type.unknown"}, only: true},
		{name: "curly quotes", survey: [][]string{{"type", "name", "label", "relevant"}, q("integer", "age", "Age"),
			q("text", "b", "B", "${age} = \u201818\u2019")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "${age} = \u201818\u2019", Key: "xf.expr.quote"}},
		{name: "public_key", survey: [][]string{{"type", "name", "label"}, ok},
			settings: [][]string{{"form_id", "public_key"}, {"rahasia", "MIIBIjANBgkq"}},
			want:     xlsform.Problem{Sheet: "settings", Row: 2, Feature: "public_key", Key: "xf.err.encrypted"}},
		{name: "reads left-out metadata", survey: [][]string{{"type", "name", "label", "calculation"}, q("deviceid", "dev"),
			q("calculate", "c", "", "concat('id-', ${dev})")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "${dev}", Key: "xf.err.ref.ignored", Args: []string{"column", "calculation"}}},
		{name: "begin loop", survey: [][]string{{"type", "name", "label"}, ok, q("begin loop over yn", "l", "L"), q("end loop")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "begin loop over yn", Key: "xf.err.repeat"}, only: true},
		{name: "add video prompt", survey: [][]string{{"type", "name", "label"}, ok, q("add video prompt", "v", "V")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "add video prompt", Key: "xf.err.type.unsupported"}},
		{name: "division with a slash", survey: [][]string{{"type", "name", "label", "calculation"},
			q("integer", "a", "A"), q("calculate", "half", "", "${a} / 2")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "${a} / 2", Key: "xf.expr.slash", Args: []string{"column", "calculation", "near", "/ 2"}}},
		{name: "external_choices used", survey: [][]string{{"type", "name", "label"}, ok},
			extra: []xlsform.Sheet{{Name: "external_choices", Rows: [][]string{{"list_name", "name", "label"}, {"desa", "d1", "D1"}}}},
			want:  xlsform.Problem{Sheet: "external_choices", Feature: "external_choices", Key: "xf.err.external"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			settings := tc.settings
			if settings == nil {
				settings = xlsformtest.Settings("nyata")
			}
			sheets := append([]xlsform.Sheet{{Name: "survey", Rows: tc.survey}, {Name: "settings", Rows: settings}}, tc.extra...)
			_, err := load(t, xlsformtest.Workbook(t, sheets...))
			var ref *xlsform.Refusal
			if !errors.As(err, &ref) {
				t.Fatalf("Load = %v; want a refusal", err)
			}
			if tc.only && len(ref.Problems) != 1 {
				t.Errorf("%d problems, want one: %+v", len(ref.Problems), ref.Problems)
			}
			for _, p := range ref.Problems {
				if p.Sheet == tc.want.Sheet && p.Row == tc.want.Row && p.Feature == tc.want.Feature && p.Key == tc.want.Key &&
					(tc.want.Args == nil || strings.Join(p.Args, "|") == strings.Join(tc.want.Args, "|")) {
					for _, lang := range []i18n.Lang{i18n.ID, i18n.EN} {
						if text := p.Text(lang); strings.Contains(text, "xf.") || strings.Contains(strings.ReplaceAll(text, "${", ""), "{") {
							t.Errorf("text unfilled: %q", text)
						}
					}
					return
				}
			}
			t.Errorf("problems %+v\nwant %+v", ref.Problems, tc.want)
		})
	}
}

// Problems come in the order of the sheet's rows, whichever check found
// them (references are checked after the whole sheet is read).
func TestRefusalRowOrder(t *testing.T) {
	_, err := load(t, xlsformtest.Form(t, [][]string{{"type", "name", "label", "relevant"},
		q("text", "a", "Hello ${nama}"), q("select_one nolist", "b", "B"), q("texte", "c", "C")}, nil, xlsformtest.Settings("urut")))
	var ref *xlsform.Refusal
	if !errors.As(err, &ref) {
		t.Fatalf("Load = %v", err)
	}
	var rows []int
	for _, p := range ref.Problems {
		rows = append(rows, p.Row)
	}
	if len(rows) != 3 || rows[0] != 2 || rows[1] != 3 || rows[2] != 4 {
		t.Errorf("rows %v, want 2 3 4: %+v", rows, ref.Problems)
	}
}

// Only calculations inside a circle are named, not those reading from it;
// a form of many calculations each reading hundreds of others is checked
// in linear time (it took minutes when each calculation walked the graph).
func TestCyclesDense(t *testing.T) {
	_, err := load(t, xlsformtest.Form(t, [][]string{{"type", "name", "label", "calculation"},
		q("calculate", "a", "", "${b} + 1"), q("calculate", "b", "", "${c} + ${a}"), q("calculate", "c", "", "${b}"),
		q("calculate", "reader", "", "${a} + ${d}"), q("calculate", "d", "", "1"), q("calculate", "self", "", "${self}")},
		nil, xlsformtest.Settings("lingkar")))
	var ref *xlsform.Refusal
	if !errors.As(err, &ref) {
		t.Fatalf("Load = %v", err)
	}
	var named []string
	for _, p := range ref.Problems {
		if p.Key == "xf.err.cycle" {
			named = append(named, p.Feature)
		}
	}
	if strings.Join(named, " ") != "a b c self" {
		t.Errorf("cycles named %v, want a b c self", named)
	}

	rows := [][]string{{"type", "name", "label", "calculation"}}
	for i := range 1000 {
		var refs []string
		for j := i - 1; j >= 0 && len(refs) < 200; j-- {
			refs = append(refs, "${c"+strconv.Itoa(j)+"}")
		}
		calc := "1"
		if len(refs) > 0 {
			calc = strings.Join(refs, "+")
		}
		rows = append(rows, q("calculate", "c"+strconv.Itoa(i), "", calc))
	}
	data := xlsformtest.Form(t, rows, nil, xlsformtest.Settings("padat"))
	start := time.Now()
	if _, err := load(t, data); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Load took %v", d)
	}
}

// Nested groups' relevants all hold for their questions; deep nesting (a
// form of 890 groups one in another, each with a relevant) is joined once
// per group, not once per level for every question (19 s before).
func TestDeepGroups(t *testing.T) {
	rows := [][]string{{"type", "name", "label", "relevant"}}
	const groups, qs = 890, 210
	for i := range groups {
		rows = append(rows, q("begin group", "g"+strconv.Itoa(i), "G", "${q"+strconv.Itoa(i%qs)+"} > "+strconv.Itoa(i)))
	}
	for i := range qs {
		rel := ""
		if i == 0 {
			rel = "${q1} = 7"
		}
		rows = append(rows, q("integer", "q"+strconv.Itoa(i), "Q", rel))
	}
	for range groups {
		rows = append(rows, q("end group"))
	}
	data := xlsformtest.Form(t, rows, nil, xlsformtest.Settings("dalam"))
	start := time.Now()
	f, err := load(t, data)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Load took %v", d)
	}
	rel := f.Question("q0").Relevant
	if rel == nil || !strings.HasPrefix(rel.String(), "(((") || !strings.HasSuffix(rel.String(), ") and (${q1} = 7)") ||
		strings.Count(rel.String(), " and ") != groups {
		t.Errorf("q0 relevant = %.200s", rel)
	}
	if got := len(rel.Refs()); got != qs {
		t.Errorf("q0 relevant reads %d names, want %d", got, qs)
	}
	if g := f.Question("q5").Group; len(g) != groups || g[0] != "g0" || g[groups-1] != "g889" {
		t.Errorf("q5 groups %d", len(g))
	}
}

// Files that are not an .xlsx say what they are and what to do.
func TestLoadNotXLSX(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		key  string
	}{
		{"old xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...), "xf.err.xls"},
		{"csv", []byte("type,name,label\ntext,a,A\n"), "xf.err.not_xlsx"},
		{"empty file", nil, "xf.err.not_xlsx"},
		{"zip but no workbook", xlsformtestZip(t), "xf.err.read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.data)
			assertKey(t, err, tc.key)
		})
	}
	// A workbook without a survey sheet is told so, and only so.
	_, err := load(t, typedBook(t, map[string][][]any{"Sheet1": nil}, "Sheet1"))
	var ref *xlsform.Refusal
	if !errors.As(err, &ref) || len(ref.Problems) != 1 || ref.Problems[0].Key != "xf.err.no_survey" {
		t.Errorf("empty workbook: %v", err)
	}
}

func xlsformtestZip(t *testing.T) []byte {
	t.Helper()
	return rewriteZip(t, xlsformtest.AllTypes(t), "xl/workbook.xml", func(string) string { return "<broken" })
}
