package xlsform_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/region"
	"dinsosbot/flows/xlsform"
	"dinsosbot/flows/xlsform/expr"
	"dinsosbot/flows/xlsform/xlsformtest"
)

func load(t *testing.T, data []byte) (*xlsform.Form, error) {
	t.Helper()
	return xlsform.Load(bytes.NewReader(data), xlsform.Options{Regions: region.KotaJambi()})
}

func TestLoadAllTypes(t *testing.T) {
	f, err := load(t, xlsformtest.AllTypes(t))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	types := map[xlsform.Type]bool{}
	byName := map[string]xlsform.Question{}
	funcs := map[string]bool{}
	for _, q := range f.Questions {
		types[q.Type] = true
		byName[q.Name] = q
		for _, e := range []*expr.Expr{q.Relevant, q.Constraint, q.ChoiceFilter, q.Calculation, q.Default} {
			if e != nil {
				for _, fn := range e.Functions() {
					funcs[fn] = true
				}
			}
		}
	}
	for _, typ := range []xlsform.Type{xlsform.Text, xlsform.Integer, xlsform.Decimal, xlsform.Date, xlsform.Time,
		xlsform.DateTime, xlsform.SelectOne, xlsform.SelectMultiple, xlsform.Geopoint, xlsform.Image, xlsform.Audio,
		xlsform.Note, xlsform.Acknowledge, xlsform.Calculate, xlsform.Start, xlsform.End, xlsform.Today,
		xlsform.Username, xlsform.NIK, xlsform.Kecamatan, xlsform.Kelurahan} {
		if !types[typ] {
			t.Errorf("type %s missing from the all-types form", typ)
		}
	}
	for _, fn := range []string{"not", "selected", "count-selected", "string-length", "regex", "today", "now",
		"if", "coalesce", "concat", "int", "number", "round", "jr:choice-name"} {
		if !funcs[fn] {
			t.Errorf("function %s() missing from the all-types form", fn)
		}
	}
	if f.ID != "semua_jenis" || f.DefaultLang != "id" || f.LinkCase || !slices.Equal(f.Langs, []string{"id", "en"}) {
		t.Errorf("settings: %q %q %v %v", f.ID, f.DefaultLang, f.LinkCase, f.Langs)
	}
	// A group's relevant joins each of its questions', outermost first.
	if q := byName["kel"]; q.Relevant == nil || q.Relevant.String() != "${umur} >= 17" || !slices.Equal(q.Group, []string{"alamat"}) {
		t.Errorf("kel: relevant %v group %v", q.Relevant, q.Group)
	}
	if q := byName["wil"]; q.ChoiceFilter == nil || !slices.Equal(q.ChoiceFilter.Columns(), []string{"kota"}) || q.ListName != "wilayah" {
		t.Errorf("wil: %+v", q)
	}
	if c := f.Choices["wilayah"][0]; c.Extra["kota"] != "jambi" || c.Label["en"] != "Telanaipura" || c.Row != 6 {
		t.Errorf("wilayah[0] = %+v", c)
	}
	q := byName["nama"]
	if q.Row != 7 || q.Hint["en"] != "Full name" || q.RequiredMessage["id"] != "Nama wajib diisi" ||
		q.ConstraintMessage["en"] != "At least 3 characters, letters only" || !q.Required {
		t.Errorf("nama = %+v", q)
	}
	if !byName["komentar"].ReadOnly || byName["setuju"].Default == nil || byName["setuju"].Default.String() != "'ya'" {
		t.Errorf("komentar read_only %v, setuju default %v", byName["komentar"].ReadOnly, byName["setuju"].Default)
	}
	if d := byName["komentar"].Default; d == nil || d.String() != "'Tidak ada (kosong)'" {
		t.Errorf("a plain default with parentheses: %v", d)
	}
	if q := f.Question("kel"); q == nil || q.Type != xlsform.Kelurahan || f.Question("alamat") != nil {
		t.Errorf("Question(kel) = %+v, Question(alamat) = %+v", q, f.Question("alamat"))
	}
	if l, ok := f.ChoiceLabel("ya_tidak", "tidak", "en"); !ok || l != "No" {
		t.Errorf("ChoiceLabel = %q, %v", l, ok)
	}
	if f.Titles["en"] != "Uji semua_jenis" {
		t.Errorf("Titles = %v", f.Titles)
	}
	if _, ok := byName["alamat"]; ok {
		t.Error("a group became a question")
	}
	if got := f.Text(byName["penutup"].Label, "en"); got != "Thank you, ${nama}" {
		t.Errorf("Text(en) = %q", got)
	}
	if got := f.Text(byName["penutup"].Label, "fr"); got != "Terima kasih, ${nama}" {
		t.Errorf("Text(fr) falls back to %q, want the default language", got)
	}
	d := f.Describe("en")
	for _, want := range []string{"Form Uji semua_jenis (form_id semua_jenis, version 1)", "Languages: id, en; default: id",
		"kel [kelurahan] Village (required)", "   shown when: ${umur} >= 17", "   choices filtered by: kota = ${kota}",
		"umur_bulan [calculate] (filled by the bot)", "   group: alamat"} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe lacks %q:\n%s", want, d)
		}
	}
}

// Loaded expressions evaluate: the cascade's filter against a choice's
// column, a calculation over answers.
func TestLoadedExpressionsEvaluate(t *testing.T) {
	f, err := load(t, xlsformtest.AllTypes(t))
	if err != nil {
		t.Fatal(err)
	}
	var wil, calc xlsform.Question
	for _, q := range f.Questions {
		switch q.Name {
		case "wil":
			wil = q
		case "umur_bulan":
			calc = q
		}
	}
	env := mapEnv{"kota": expr.Str("jambi"), "umur": expr.Num(3), "berat": expr.Str("12.5")}
	var kept []string
	for _, c := range f.Choices[wil.ListName] {
		ok, err := expr.Truth(wil.ChoiceFilter, choiceEnv{mapEnv: env, c: c})
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			kept = append(kept, c.Name)
		}
	}
	if !slices.Equal(kept, []string{"telanai"}) {
		t.Errorf("filter kept %v", kept)
	}
	v, err := expr.Eval(calc.Calculation, env)
	if err != nil || v.AsString() != "36" {
		t.Errorf("umur_bulan = %v, %v", v.AsString(), err)
	}
}

type mapEnv map[string]expr.Val

func (m mapEnv) Value(name string) expr.Val                { return m[name] }
func (m mapEnv) Current() expr.Val                         { return expr.Nothing() }
func (m mapEnv) Column(string) expr.Val                    { return expr.Nothing() }
func (m mapEnv) ChoiceLabel(string, string) (string, bool) { return "", false }
func (m mapEnv) Now() time.Time                            { return time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC) }

type choiceEnv struct {
	mapEnv
	c xlsform.Choice
}

func (e choiceEnv) Column(name string) expr.Val {
	if name == "name" {
		return expr.Str(e.c.Name)
	}
	return expr.Str(e.c.Extra[name])
}

// refusalCase is one workbook that must be refused with the problem named.
type refusalCase struct {
	name     string
	survey   [][]string // header defaults to surveyHeader when the first row is nil
	choices  [][]string
	settings [][]string
	extra    []xlsform.Sheet
	want     xlsform.Problem // Sheet, Row, Feature, Key compared
	only     bool            // the one problem: no other reported
}

var surveyHeader = []string{"type", "name", "label", "relevant", "constraint", "calculation", "choice_filter",
	"required", "appearance", "default"}

var baseChoices = [][]string{
	{"list_name", "name", "label", "grp"},
	{"yn", "yes", "Yes", "a"},
	{"yn", "no", "No", "b"},
	{"spaced", "a b", "A B"},
}

func q(cells ...string) []string { return cells }

func TestLoadRefusals(t *testing.T) {
	ok := q("text", "ok", "OK")
	tests := []refusalCase{
		{name: "repeat", survey: [][]string{ok, q("begin repeat", "r", "R"), q("text", "x", "X"), q("end repeat")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "begin repeat", Key: "xf.err.repeat"}},
		{name: "repeat named once", only: true, survey: [][]string{ok, q("begin repeat", "r", "R"), q("text", "x", "X"), q("end repeat")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "begin repeat", Key: "xf.err.repeat"}},
		{name: "end repeat alone", survey: [][]string{ok, q("end repeat")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "end repeat", Key: "xf.err.repeat"}},
		{name: "repeat underscore", survey: [][]string{q("begin_repeat", "r", "R"), ok, q("end_repeat")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "begin_repeat", Key: "xf.err.repeat"}},
		{name: "select_one_from_file", survey: [][]string{ok, q("select_one_from_file desa.csv", "d", "D")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "select_one_from_file desa.csv", Key: "xf.err.from_file"}},
		{name: "select one from file, spaced", survey: [][]string{q("select one from file desa.csv", "d", "D")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "select one from file desa.csv", Key: "xf.err.from_file"}},
		{name: "select_multiple_from_file", survey: [][]string{q("select_multiple_from_file d.xml", "d", "D")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "select_multiple_from_file d.xml", Key: "xf.err.from_file"}},
		{name: "select_one_external", survey: [][]string{q("select_one_external yn", "d", "D")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "select_one_external yn", Key: "xf.err.external"}},
		{name: "external_choices sheet", survey: [][]string{ok},
			extra: []xlsform.Sheet{{Name: "external_choices", Rows: [][]string{{"list_name", "name"}, {"desa", "d1"}}}},
			want:  xlsform.Problem{Sheet: "external_choices", Feature: "external_choices", Key: "xf.err.external"}},
		{name: "entities sheet", survey: [][]string{ok},
			extra: []xlsform.Sheet{{Name: "entities", Rows: [][]string{{"list_name", "label"}, {"trees", "x"}}}},
			want:  xlsform.Problem{Sheet: "entities", Feature: "entities", Key: "xf.err.entities"}},
		{name: "save_to", survey: [][]string{{"type", "name", "label", "save_to"}, ok, q("text", "t", "T", "tree")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "save_to", Key: "xf.err.entities"}},
		{name: "range", survey: [][]string{q("range", "r", "R")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "range", Key: "xf.err.type.unsupported"}},
		{name: "rank", survey: [][]string{q("rank yn", "r", "R")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "rank yn", Key: "xf.err.type.unsupported"}},
		{name: "barcode", survey: [][]string{q("barcode", "b", "B")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "barcode", Key: "xf.err.type.unsupported"}},
		{name: "video", survey: [][]string{q("video", "v", "V")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "video", Key: "xf.err.type.unsupported"}},
		{name: "file", survey: [][]string{q("file", "f", "F")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "file", Key: "xf.err.type.unsupported"}},
		{name: "geotrace", survey: [][]string{q("geotrace", "g", "G")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "geotrace", Key: "xf.err.type.unsupported"}},
		{name: "geoshape", survey: [][]string{q("geoshape", "g", "G")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "geoshape", Key: "xf.err.type.unsupported"}},
		{name: "background-audio", survey: [][]string{ok, q("background-audio", "g")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "background-audio", Key: "xf.err.type.unsupported"}},
		{name: "audit", survey: [][]string{q("audit", "d"), ok},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "audit", Key: "xf.err.type.meta"}},
		{name: "unknown type", survey: [][]string{q("texte", "x", "X")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "texte", Key: "xf.err.type.unknown"}},
		{name: "type missing", survey: [][]string{ok, q("", "x", "X")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "x", Key: "xf.err.type.missing"}},
		{name: "pulldata", survey: [][]string{ok, q("calculate", "c", "", "", "", "pulldata('hh', 'name', 'id', ${ok})")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "pulldata()", Key: "xf.expr.function"}},
		{name: "instance", survey: [][]string{ok, q("calculate", "c", "", "", "", "instance('yn')/root/item[name = ${ok}]/label")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "instance()", Key: "xf.expr.function"}},
		{name: "unlisted function", survey: [][]string{ok, q("text", "x", "X", "", "sum(${ok}) > 1")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "sum()", Key: "xf.expr.function"}},
		{name: "path", survey: [][]string{ok, q("text", "x", "X", "/data/ok = 'a'")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "/data/ok = 'a'", Key: "xf.expr.path"}},
		{name: "syntax", survey: [][]string{ok, q("text", "x", "X", "${ok} = ")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "${ok} =", Key: "xf.expr.syntax"}},
		{name: "search appearance", survey: [][]string{q("select_one yn", "s", "S", "", "", "", "", "", "search('desa')")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "search()", Key: "xf.err.search"}},
		{name: "duplicate name", survey: [][]string{ok, q("integer", "n", "N"), q("text", "ok", "Again")},
			want: xlsform.Problem{Sheet: "survey", Row: 4, Feature: "ok", Key: "xf.err.name.duplicate", Args: []string{"first", "2"}}},
		{name: "duplicate in group", survey: [][]string{q("begin group", "ok", "G"), ok, q("end group")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "ok", Key: "xf.err.name.duplicate", Args: []string{"first", "2"}}},
		{name: "missing list name", survey: [][]string{q("select_one", "s", "S")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "select_one", Key: "xf.err.list.missing"}},
		{name: "unknown list", survey: [][]string{q("select_multiple nolist", "s", "S")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "nolist", Key: "xf.err.list.unknown"}},
		{name: "no choices sheet", survey: [][]string{q("select_one yn", "s", "S")}, choices: [][]string{},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "yn", Key: "xf.err.list.unknown"}},
		{name: "or_other", survey: [][]string{q("select_one yn or_other", "s", "S")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "or_other", Key: "xf.err.or_other"}},
		{name: "space in a select_multiple choice", survey: [][]string{q("select_multiple spaced", "s", "S")},
			want: xlsform.Problem{Sheet: "choices", Row: 4, Feature: "a b", Key: "xf.err.choice.space"}},
		{name: "duplicate choice", survey: [][]string{ok},
			choices: [][]string{{"list_name", "name", "label"}, {"yn", "yes", "Y"}, {"yn", "yes", "Y again"}},
			want:    xlsform.Problem{Sheet: "choices", Row: 3, Feature: "yes", Key: "xf.err.choice.duplicate", Args: []string{"first", "2", "list", "yn"}}},
		{name: "choice without label", survey: [][]string{ok},
			choices: [][]string{{"list_name", "name", "label"}, {"yn", "yes"}},
			want:    xlsform.Problem{Sheet: "choices", Row: 2, Feature: "yes", Key: "xf.err.choice.label"}},
		{name: "unclosed group", survey: [][]string{ok, q("begin group", "g", "G"), q("text", "x", "X")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "g", Key: "xf.err.group.unclosed"}},
		{name: "end without begin", survey: [][]string{ok, q("end group")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "end group", Key: "xf.err.group.unopened"}},
		{name: "ref to nothing", survey: [][]string{ok, q("text", "x", "X", "${nothing} = 'a'")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "${nothing}", Key: "xf.err.ref", Args: []string{"column", "relevant"}}},
		{name: "ref in label kept out, in choice-name checked", survey: [][]string{ok, q("calculate", "c", "", "", "", "jr:choice-name(${ok}, '${gone}')")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "${gone}", Key: "xf.err.ref", Args: []string{"column", "calculation"}}},
		{name: "ref in a group's relevant, named once on the group's row", only: true,
			survey: [][]string{q("begin group", "g", "G", "${gone} = 1"), ok, q("integer", "n", "N"), q("end group")},
			want:   xlsform.Problem{Sheet: "survey", Row: 2, Feature: "${gone}", Key: "xf.err.ref", Args: []string{"column", "relevant"}}},
		{name: "ref in a label", only: true,
			survey: [][]string{{"type", "name", "label::Indonesian (id)", "label::English (en)"}, ok, q("note", "n", "Halo ${gone}", "Hello ${gone}")},
			want:   xlsform.Problem{Sheet: "survey", Row: 3, Feature: "${gone}", Key: "xf.err.ref", Args: []string{"column", "label"}}},
		{name: "bare name outside choice_filter", survey: [][]string{ok, q("text", "x", "X", "ok = 'a'")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "ok", Key: "xf.err.column", Args: []string{"column", "relevant"}}},
		{name: "filter on a missing column", survey: [][]string{ok, q("select_one yn", "s", "S", "", "", "", "kota = ${ok}")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "kota", Key: "xf.err.column", Args: []string{"column", "choice_filter"}}},
		{name: "calculation cycle", survey: [][]string{ok, q("calculate", "a", "", "", "", "${b} + 1"), q("calculate", "b", "", "", "", "${a} + 1")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "a", Key: "xf.err.cycle"}},
		{name: "calculation on itself", survey: [][]string{ok, q("calculate", "a", "", "", "", "${a} + 1")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "a", Key: "xf.err.cycle"}},
		{name: "calculate without calculation", survey: [][]string{ok, q("calculate", "a")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "a", Key: "xf.err.calculation.missing"}},
		{name: "no survey sheet", survey: nil,
			want: xlsform.Problem{Feature: "survey", Key: "xf.err.no_survey"}},
		{name: "no type column", survey: [][]string{{"name", "label"}, {"x", "X"}},
			want: xlsform.Problem{Sheet: "survey", Row: 1, Feature: "type", Key: "xf.err.no_type_column"}},
		{name: "no questions", survey: [][]string{q("begin group", "g", "G"), q("end group")},
			want: xlsform.Problem{Sheet: "survey", Feature: "survey", Key: "xf.err.no_questions"}},
		{name: "invalid name", survey: [][]string{q("text", "nama lengkap", "Nama")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "nama lengkap", Key: "xf.err.name.invalid"}},
		{name: "name starting with a digit", survey: [][]string{ok, q("text", "1a", "Nama")},
			want: xlsform.Problem{Sheet: "survey", Row: 3, Feature: "1a", Key: "xf.err.name.invalid"}},
		{name: "missing name", survey: [][]string{q("text", "", "Nama")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "name", Key: "xf.err.name.missing"}},
		{name: "missing label", survey: [][]string{q("text", "x")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "x", Key: "xf.err.label.missing"}},
		{name: "required neither yes/no nor an expression", survey: [][]string{q("text", "x", "X", "", "", "", "", "kadang")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "kadang", Key: "xf.err.column", Args: []string{"column", "required"}}},
		{name: "required naming no question", survey: [][]string{q("text", "x", "X", "", "", "", "", "${y} = 'a'")},
			want: xlsform.Problem{Sheet: "survey", Row: 2, Feature: "${y}", Key: "xf.err.ref", Args: []string{"column", "required"}}},
		{name: "no form_id", survey: [][]string{ok}, settings: [][]string{{"form_title"}, {"Judul"}},
			want: xlsform.Problem{Sheet: "settings", Row: 2, Feature: "form_id", Key: "xf.err.form_id"}},
		{name: "no settings sheet", survey: [][]string{ok}, settings: [][]string{},
			want: xlsform.Problem{Sheet: "settings", Feature: "form_id", Key: "xf.err.form_id"}},
		{name: "link_case not yes/no", survey: [][]string{ok}, settings: [][]string{{"form_id", "link_case"}, {"f", "kadang"}},
			want: xlsform.Problem{Sheet: "settings", Row: 2, Feature: "kadang", Key: "xf.err.bool", Args: []string{"column", "link_case"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sheets []xlsform.Sheet
			if tc.survey != nil {
				rows := tc.survey
				if len(rows) == 0 || rows[0][0] != "type" && rows[0][0] != "name" {
					rows = append([][]string{surveyHeader}, rows...)
				}
				sheets = append(sheets, xlsform.Sheet{Name: "survey", Rows: rows})
			}
			choices := tc.choices
			if choices == nil {
				choices = baseChoices
			}
			if len(choices) > 0 {
				sheets = append(sheets, xlsform.Sheet{Name: "choices", Rows: choices})
			}
			settings := tc.settings
			if settings == nil {
				settings = xlsformtest.Settings("uji")
			}
			if len(settings) > 0 {
				sheets = append(sheets, xlsform.Sheet{Name: "settings", Rows: settings})
			}
			if len(sheets) == 0 {
				sheets = append(sheets, xlsform.Sheet{Name: "lain", Rows: [][]string{{"x"}}})
			}
			sheets = append(sheets, tc.extra...)
			f, err := load(t, xlsformtest.Workbook(t, sheets...))
			var ref *xlsform.Refusal
			if !errors.As(err, &ref) {
				t.Fatalf("Load = %v, %v; want a refusal", f, err)
			}
			if tc.only && len(ref.Problems) != 1 {
				t.Errorf("%d problems, want only one: %+v", len(ref.Problems), ref.Problems)
			}
			for _, p := range ref.Problems {
				if p.Sheet == tc.want.Sheet && p.Row == tc.want.Row && p.Feature == tc.want.Feature && p.Key == tc.want.Key &&
					(tc.want.Args == nil || slices.Equal(p.Args, tc.want.Args)) {
					text := p.Text(i18n.ID)
					if strings.Contains(text, "xf.") || strings.Contains(text, "{") && !strings.Contains(text, "${") {
						t.Errorf("text unfilled: %q", text)
					}
					return
				}
			}
			t.Errorf("problems %+v\nwant %+v", ref.Problems, tc.want)
		})
	}
}

// A refusal reads in Indonesian by default, with the sheet and row, and in
// English on request; every problem is listed, not just the first.
func TestRefusalText(t *testing.T) {
	data := xlsformtest.Form(t, [][]string{surveyHeader, q("begin repeat", "r", "R"), q("text", "x", "X", "pulldata('a','b','c','d')"),
		q("end repeat")}, nil, xlsformtest.Settings("uji"))
	_, err := load(t, data)
	var ref *xlsform.Refusal
	if !errors.As(err, &ref) {
		t.Fatalf("Load = %v", err)
	}
	id := ref.Text(i18n.ID)
	en := ref.Text(i18n.EN)
	for _, want := range []string{
		"sheet survey, baris 2: begin repeat: pengulangan (repeat) tidak didukung",
		"sheet survey, baris 3: kolom relevant: fungsi pulldata() tidak didukung",
	} {
		if !strings.Contains(id, want) {
			t.Errorf("Indonesian lacks %q:\n%s", want, id)
		}
	}
	if !strings.Contains(en, "sheet survey, row 2: begin repeat: repeats are not supported") {
		t.Errorf("English:\n%s", en)
	}
	if err.Error() != id {
		t.Errorf("Error() = %q, want the Indonesian text", err.Error())
	}
}

func TestLoadBounds(t *testing.T) {
	t.Run("not a workbook", func(t *testing.T) {
		_, err := load(t, []byte("type,name,label\ntext,x,X\n"))
		assertKey(t, err, "xf.err.not_xlsx")
	})
	t.Run("too big", func(t *testing.T) {
		_, err := xlsform.Load(bytes.NewReader(xlsformtest.AllTypes(t)), xlsform.Options{MaxBytes: 1000})
		assertKey(t, err, "xf.err.too_big")
	})
	t.Run("too many rows", func(t *testing.T) {
		rows := [][]string{surveyHeader}
		for i := 0; i < xlsform.MaxSurveyRows+5; i++ {
			rows = append(rows, q("note", "n"+strings.Repeat("x", i%7)+string(rune('a'+i%26)), "N"))
		}
		_, err := load(t, xlsformtest.Form(t, rows, nil, xlsformtest.Settings("uji")))
		assertKey(t, err, "xf.err.too_many_rows")
	})
	t.Run("a row far below", func(t *testing.T) {
		// A question at row 1,000,000: the empty rows between are walked
		// cheaply and do not count against the bound; the row is named as is.
		data := xlsformtest.Form(t, [][]string{surveyHeader, q("text", "x", "X"), q("text", "y", "Y")}, nil, xlsformtest.Settings("uji"))
		data = rewriteZip(t, data, "xl/worksheets/sheet1.xml", func(s string) string {
			s = strings.Replace(s, `<row r="3"`, `<row r="1000000"`, 1)
			return strings.ReplaceAll(s, `r="A3"`, `r="A1000000"`)
		})
		data = rewriteZip(t, data, "xl/worksheets/sheet1.xml", func(s string) string {
			s = strings.Replace(s, `r="B3"`, `r="B1000000"`, 1)
			return strings.Replace(s, `r="C3"`, `r="C1000000"`, 1)
		})
		f, err := load(t, data)
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if len(f.Questions) != 2 || f.Questions[1].Row != 1000000 {
			t.Errorf("questions %+v", f.Questions)
		}
	})
	t.Run("zip bomb", func(t *testing.T) {
		// A part that says it unzips to 1 GB is refused before it is read.
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
			CompressedSize64: 1, UncompressedSize64: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte{0}); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		_, err = load(t, buf.Bytes())
		assertKey(t, err, "xf.err.read")
	})
	t.Run("too wide", func(t *testing.T) {
		wide := make([]string, xlsform.MaxColumns+10)
		copy(wide, surveyHeader)
		wide[len(wide)-1] = "x"
		_, err := load(t, xlsformtest.Form(t, [][]string{wide, q("text", "x", "X")}, nil, xlsformtest.Settings("uji")))
		assertKey(t, err, "xf.err.too_wide")
	})
	t.Run("regions needed", func(t *testing.T) {
		data := xlsformtest.Form(t, [][]string{surveyHeader, q("kecamatan", "k", "K")}, nil, xlsformtest.Settings("uji"))
		_, err := xlsform.Load(bytes.NewReader(data), xlsform.Options{})
		assertKey(t, err, "xf.err.regions")
	})
}

// rewriteZip changes one part of a workbook, for shapes excelize would not
// write itself.
func rewriteZip(t *testing.T, data []byte, name string, edit func(string) string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	found := false
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if f.Name == name {
			found = true
			edited := edit(string(body))
			if edited == string(body) {
				t.Fatalf("%s unchanged:\n%s", name, body)
			}
			body = []byte(edited)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("no %s in the workbook", name)
	}
	return out.Bytes()
}

func assertKey(t *testing.T, err error, key string) {
	t.Helper()
	var ref *xlsform.Refusal
	if !errors.As(err, &ref) {
		t.Fatalf("err = %v, want a refusal with %s", err, key)
	}
	for _, p := range ref.Problems {
		if p.Key == key {
			return
		}
	}
	t.Errorf("problems %+v, want %s", ref.Problems, key)
}

// Column spellings pyxform accepts load alike: a single colon, dashes,
// capitals, a language without a code, old aliases.
func TestLoadColumnSpellings(t *testing.T) {
	data := xlsformtest.Form(t, [][]string{
		{"Type", "Name", "Label:English", "label::Bahasa Indonesia", "Constraint-Message::English (en)", "constraint", "ReadOnly"},
		{"select one yn", "s", "Pick", "Pilih", "Bad", ". != 'no'", "TRUE"},
		{"select_one fromage", "f", "Cheese", "Keju"},
		{"int", "n", "Number", "Angka"},
		{"trigger", "ok", "OK", "OK"},
	}, [][]string{{"list name", "name", "label"}, {"yn", "yes", "Yes"}, {"yn", "no", "No"}, {"fromage", "brie", "Brie"}},
		[][]string{{"id_string", "default_language"}, {"old_style", "English"}})
	f, err := load(t, data)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	s := f.Questions[0]
	if s.Type != xlsform.SelectOne || s.ListName != "yn" || s.Label["en"] != "Pick" || s.Label["id"] != "Pilih" ||
		s.ConstraintMessage["en"] != "Bad" || !s.ReadOnly || f.Questions[1].ListName != "fromage" || f.Questions[2].Type != xlsform.Integer || f.Questions[3].Type != xlsform.Acknowledge ||
		f.ID != "old_style" || f.DefaultLang != "en" {
		t.Errorf("form %+v\nquestion %+v", f, s)
	}
}

// FuzzLoadCells fills a small form's cells with fuzzed text, so the fuzzer
// reaches the loader's checks instead of stopping at a broken zip.
func FuzzLoadCells(f *testing.F) {
	f.Add("select_one yn", "s", "${ok} = 'a'", ". > 0", "grp = ${ok}", "if(${ok}, 1, 2)", "yes", "begin group")
	f.Add("calculate", "c", "", "", "", "${c} + 1", "", "end group")
	f.Add("begin repeat", "r", "pulldata('a')", "", "", "", "maybe", "end repeat")
	f.Fuzz(func(t *testing.T, typ, name, relevant, constraint, filter, calc, required, typ2 string) {
		data, err := xlsform.Build(
			xlsform.Sheet{Name: "survey", Rows: [][]string{
				{"type", "name", "label", "relevant", "constraint", "choice_filter", "calculation", "required"},
				{"text", "ok", "OK"},
				{typ, name, "Q ${" + name + "}", relevant, constraint, filter, calc, required},
				{typ2, name + "2", "Q2", relevant},
			}},
			xlsform.Sheet{Name: "choices", Rows: baseChoices},
			xlsform.Sheet{Name: "settings", Rows: xlsformtest.Settings("fuzz")})
		if err != nil {
			return // excelize refuses some text (e.g. over its cell limit)
		}
		form, err := xlsform.Load(bytes.NewReader(data), xlsform.Options{Regions: region.KotaJambi()})
		if err != nil {
			var ref *xlsform.Refusal
			if !errors.As(err, &ref) || len(ref.Problems) == 0 {
				t.Fatalf("Load error %T %v is not a refusal with problems", err, err)
			}
			return
		}
		_ = form.Describe("en")
	})
}

// FuzzLoad feeds random and mutated workbooks to Load. Mutations of a zip
// need long to minimise: run with -fuzzminimizetime 20x (FuzzLoadCells too).
func FuzzLoad(f *testing.F) {
	f.Add(xlsform.VisitForm)
	f.Add(xlsformtest.AllTypes(f))
	f.Add(xlsformtest.Form(f, [][]string{surveyHeader, q("begin repeat", "r"), q("text", "x", "X", "${x")}, baseChoices, nil))
	f.Add([]byte("PK\x03\x04 not really a zip"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		form, err := xlsform.Load(bytes.NewReader(data), xlsform.Options{Regions: region.KotaJambi(), MaxBytes: 1 << 20})
		if err != nil {
			var ref *xlsform.Refusal
			if !errors.As(err, &ref) || len(ref.Problems) == 0 {
				t.Fatalf("Load error %T %v is not a refusal with problems", err, err)
			}
			_ = ref.Text(i18n.EN)
			return
		}
		_ = form.Describe("id")
	})
}
