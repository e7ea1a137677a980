package xlsform

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"dinsosbot/flows/xlsform/expr"
)

// Bounds of what Load reads, so a hostile or broken workbook costs little.
const (
	DefaultMaxBytes = 5 << 20  // the .xlsx file itself
	maxUnzipped     = 64 << 20 // all its parts once unzipped (a zip bomb stops here)
	MaxSurveyRows   = 2000     // rows of the survey sheet, header included
	MaxChoiceRows   = 20000    // rows of the choices sheet (a kelurahan list is hundreds)
	MaxColumns      = 200      // columns read per row
	maxCell         = 8 << 10  // bytes of one cell; longer text is refused
)

// The sheet names of the standard, as the problems name them.
const (
	SheetSurvey   = "survey"
	SheetChoices  = "choices"
	SheetSettings = "settings"

	sheetExternal = "external_choices"
	sheetEntities = "entities"
)

// Load reads an XLSForm workbook; on refusal it returns *Refusal listing
// every problem. Other errors mean the bytes are not a workbook at all (they
// come as a Refusal too, so a caller shows every failure the same way).
func Load(r io.Reader, opt Options) (*Form, error) {
	limit := opt.MaxBytes
	if limit <= 0 {
		limit = DefaultMaxBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read form: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, refuse(Problem{Feature: strconv.FormatInt(limit>>10, 10) + " KB", Key: "xf.err.too_big"})
	}
	if key := notXLSX(data); key != "" {
		return nil, refuse(Problem{Key: key})
	}
	book, err := readBook(data)
	if err != nil {
		return nil, refuse(Problem{Feature: err.Error(), Key: "xf.err.read"})
	}
	l := &loader{opt: opt, book: book, ignored: map[string]bool{}}
	f := l.load()
	if len(l.problems) > 0 {
		return nil, &Refusal{Problems: l.problems}
	}
	return f, nil
}

func refuse(p ...Problem) *Refusal { return &Refusal{Problems: p} }

// notXLSX tells the files people send instead of an .xlsx by their first
// bytes, for a message that says what to do: an old binary .xls (or a
// password-protected workbook, stored the same way), or anything that is no
// zip at all (a CSV, a text, an empty file). "" means it may be an .xlsx.
func notXLSX(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return "xf.err.xls"
	case !bytes.HasPrefix(data, []byte("PK")):
		return "xf.err.not_xlsx"
	}
	return ""
}

// sheet is one sheet read into memory: a header and rows of cells.
type sheet struct {
	name   string
	header []string // normalised column names
	rows   []row
	tooBig bool // over its row bound: refused
	wide   bool // a row over MaxColumns: refused
	long   int  // a row with a cell over maxCell (0: none)
}

type row struct {
	n     int // 1-based sheet row
	cells []string
}

// get returns the row's cell in the column named col ("" when absent).
func (s *sheet) get(r row, col string) string {
	i := slices.Index(s.header, col)
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

type book struct {
	sheets map[string]*sheet // by lower-case name
	names  []string          // lower-case sheet names in order
}

// readBook opens data with excelize and reads the sheets the loader needs.
// excelize is a large parser of untrusted bytes: a panic inside it becomes
// an error here, so one broken upload never takes the bot down.
func readBook(data []byte) (b *book, err error) {
	defer func() {
		if p := recover(); p != nil {
			b, err = nil, fmt.Errorf("not a readable workbook (%v)", p)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped})
	if err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	defer f.Close()
	b = &book{sheets: map[string]*sheet{}}
	for _, name := range f.GetSheetList() {
		key := strings.ToLower(strings.TrimSpace(name))
		if _, dup := b.sheets[key]; dup {
			continue
		}
		b.names = append(b.names, key)
		max := 0
		switch key {
		case SheetSurvey:
			max = MaxSurveyRows
		case SheetChoices:
			max = MaxChoiceRows
		case SheetSettings:
			max = 10
		case sheetExternal, sheetEntities:
			max = MaxChoiceRows // read to tell an empty leftover from a used one
		default:
			b.sheets[key] = &sheet{name: key} // only its presence matters
			continue
		}
		s, err := readSheet(f, name, key, max)
		if err != nil {
			return nil, err
		}
		b.sheets[key] = s
	}
	return b, nil
}

func readSheet(f *excelize.File, name, key string, max int) (*sheet, error) {
	rows, err := f.Rows(name)
	if err != nil {
		return nil, fmt.Errorf("sheet %s: %w", key, err)
	}
	defer rows.Close()
	s := &sheet{name: key}
	n, filled := 0, 0
	for rows.Next() {
		n++
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("sheet %s row %d: %w", key, n, err)
		}
		for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
			cells = cells[:len(cells)-1]
		}
		if len(cells) == 0 {
			// Empty rows (Excel writes formatted ones, and a gap before a far
			// row is walked one by one) cost little and do not count: the
			// bound is on rows that hold something.
			continue
		}
		if filled++; filled > max {
			s.tooBig = true
			break
		}
		if len(cells) > MaxColumns {
			s.wide = true
			cells = cells[:MaxColumns]
		}
		for _, c := range cells {
			if len(c) > maxCell && s.long == 0 {
				s.long = n
			}
		}
		if s.header == nil {
			s.header = make([]string, len(cells))
			for i, c := range cells {
				s.header[i] = normColumn(c)
			}
			continue
		}
		s.rows = append(s.rows, row{n: n, cells: cells})
	}
	if err := rows.Error(); err != nil {
		return nil, fmt.Errorf("sheet %s: %w", key, err)
	}
	return s, nil
}

// columnAliases maps older or looser spellings pyxform accepts to the one
// this loader reads.
var columnAliases = map[string]string{
	"jr:constraintmsg":     "constraint_message",
	"jr:requiredmsg":       "required_message",
	"requiredmsg":          "required_message",
	"constraining message": "constraint_message",
	"readonly":             "read_only",
	"list name":            "list_name",
	"id_string":            "form_id",
	"default_lang":         "default_language",
	// pyxform's older names: a relevance or calculate column is read by
	// ODK, so ignoring it would silently drop skip logic or a formula.
	"caption":   "label",
	"relevance": "relevant",
	"calculate": "calculation",
}

// bindColumns are the bind::x columns pyxform reads as the plain columns
// (bind::relevant is relevant); any other bind:: column sets something on
// the answer the bot would not honour, and is refused when it holds a value.
var bindColumns = map[string]string{
	"relevant": "relevant", "required": "required", "constraint": "constraint",
	"calculate": "calculation", "readonly": "read_only",
	"jr:constraintmsg": "constraint_message", "jr:requiredmsg": "required_message",
}

// normColumn lower-cases a header and its base name's spaces and dashes
// ("Constraint-Message::English (en)" -> "constraint_message::English (en)"),
// keeping the language part as written.
func normColumn(c string) string {
	c = strings.TrimSpace(c)
	if len(c) > 6 && strings.EqualFold(c[:6], "bind::") {
		attr, lang, hasLang := strings.Cut(c[6:], "::")
		attr = strings.ToLower(strings.TrimSpace(attr))
		col, ok := bindColumns[attr]
		if !ok {
			return "bind::" + attr
		}
		if hasLang {
			return col + "::" + strings.TrimSpace(lang)
		}
		return col
	}
	base, lang, hasLang := strings.Cut(c, "::")
	if !hasLang {
		// pyxform reads a single colon too ("label:English (en)").
		if i := strings.Index(c, ":"); i > 0 && !strings.HasPrefix(strings.ToLower(c), "jr:") {
			base, lang, hasLang = c[:i], c[i+1:], true
		}
	}
	base = strings.ToLower(strings.TrimSpace(base))
	if a, ok := columnAliases[base]; ok {
		base = a
	}
	base = strings.NewReplacer(" ", "_", "-", "_").Replace(base)
	if !hasLang {
		return base
	}
	return base + "::" + strings.TrimSpace(lang)
}

var langCode = regexp.MustCompile(`\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$`)

// langOf maps a column's language part ("Indonesian (id)", "English",
// "id") to a code: the code in parentheses, else a known language name,
// else the text itself in lower case.
func langOf(s string) string {
	s = strings.TrimSpace(s)
	if m := langCode.FindStringSubmatch(s); m != nil {
		return strings.ToLower(m[1])
	}
	switch k := strings.ToLower(s); k {
	case "indonesian", "bahasa indonesia", "bahasa", "indonesia":
		return "id"
	case "english", "inggris", "bahasa inggris":
		return "en"
	default:
		return k
	}
}

// texts reads the columns base, base::Lang (code), ... of a row into a map by
// language code ("" for the column without a language).
func (s *sheet) texts(r row, base string, seen func(string)) map[string]string {
	var out map[string]string
	for i, h := range s.header {
		lang, ok := "", h == base
		if !ok {
			rest, found := strings.CutPrefix(h, base+"::")
			if !found {
				continue
			}
			lang, ok = langOf(rest), true
		}
		if seen != nil {
			seen(lang)
		}
		if i >= len(r.cells) {
			continue
		}
		if v := strings.TrimSpace(r.cells[i]); v != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[lang] = v
		}
	}
	return out
}

// hasColumn reports whether a column base (with or without a language) exists.
func (s *sheet) hasColumn(base string) bool {
	for _, h := range s.header {
		if h == base || strings.HasPrefix(h, base+"::") {
			return true
		}
	}
	return false
}

type loader struct {
	opt      Options
	book     *book
	ignored  map[string]bool // names of the metadata rows left out
	problems []Problem
	langs    []string
	cells    []exprCell // every expression parsed, where it was written
}

// exprCell is an expression as written in one survey cell, so a wrong
// reference is named on its own row (a group's, not each question's).
type exprCell struct {
	row int
	col string
	e   *expr.Expr
}

func (l *loader) add(sheet string, row int, feature, key string, args ...string) {
	l.problems = append(l.problems, Problem{Sheet: sheet, Row: row, Feature: feature, Key: key, Args: args})
}

func (l *loader) seenLang(code string) {
	if !slices.Contains(l.langs, code) {
		l.langs = append(l.langs, code)
	}
}

func (l *loader) load() *Form {
	f := &Form{Choices: map[string][]Choice{}}
	// An external_choices or entities sheet left empty (a template's, a
	// header only) means nothing; one holding rows is a feature refused.
	for _, name := range l.book.names {
		s := l.book.sheets[name]
		if s == nil || len(s.rows) == 0 && !s.tooBig {
			continue
		}
		switch name {
		case sheetEntities:
			l.add(name, 0, name, "xf.err.entities")
		case sheetExternal:
			l.add(name, 0, name, "xf.err.external")
		}
	}
	for _, key := range []string{SheetSurvey, SheetChoices, SheetSettings} {
		s := l.book.sheets[key]
		if s == nil {
			continue
		}
		switch {
		case s.tooBig:
			max := map[string]int{SheetSurvey: MaxSurveyRows, SheetChoices: MaxChoiceRows, SheetSettings: 10}[key]
			l.add(key, 0, strconv.Itoa(max), "xf.err.too_many_rows")
		case s.wide:
			l.add(key, 0, strconv.Itoa(MaxColumns), "xf.err.too_wide")
		case s.long > 0:
			l.add(key, s.long, strconv.Itoa(maxCell), "xf.err.cell_too_long")
		}
	}
	if len(l.problems) > 0 {
		return nil
	}
	survey := l.book.sheets[SheetSurvey]
	if survey == nil {
		// Not an XLSForm at all (an empty or another workbook): saying so
		// is enough, without listing what its settings lack too.
		l.add("", 0, SheetSurvey, "xf.err.no_survey")
		return nil
	}
	l.settings(f)
	l.choices(f)
	l.survey(f, survey)
	l.sortProblems()
	f.Langs = l.langs
	f.Titles = map[string]string{}
	for _, lang := range f.Langs {
		f.Titles[lang] = f.Title
	}
	return f
}

// sortProblems orders the problems as a reader goes through the workbook:
// the file's own first, then the survey, choices and settings sheets, each
// by row (a reference checked after the whole sheet is read comes at its
// row, not at the end).
func (l *loader) sortProblems() {
	rank := func(sheet string) int {
		switch sheet {
		case "":
			return 0
		case SheetSurvey:
			return 1
		case SheetChoices:
			return 2
		case SheetSettings:
			return 3
		}
		return 4
	}
	slices.SortStableFunc(l.problems, func(a, b Problem) int {
		if d := rank(a.Sheet) - rank(b.Sheet); d != 0 {
			return d
		}
		return a.Row - b.Row
	})
}

func (l *loader) settings(f *Form) {
	s := l.book.sheets[SheetSettings]
	if s != nil && len(s.rows) > 0 {
		r := s.rows[0]
		f.ID = s.get(r, "form_id")
		f.Title = s.get(r, "form_title")
		f.Version = s.get(r, "version")
		if d := s.get(r, "default_language"); d != "" {
			f.DefaultLang = langOf(d)
		}
		// Encrypted submissions: the author expects answers no one but the
		// key's holder can read, which the bot (storing them itself) would
		// silently not honour.
		if k := s.get(r, "public_key"); k != "" {
			l.add(SheetSettings, r.n, "public_key", "xf.err.encrypted")
		}
		switch v := strings.ToLower(s.get(r, "link_case")); v {
		case "", "no", "false", "0", "false()":
		case "yes", "true", "1", "true()":
			f.LinkCase = true
		default:
			l.add(SheetSettings, r.n, v, "xf.err.bool", "column", "link_case")
		}
	}
	row := 0
	if s != nil {
		row = 2
	}
	if f.ID == "" {
		l.add(SheetSettings, row, "form_id", "xf.err.form_id")
	} else if !expr.ValidName(f.ID) {
		l.add(SheetSettings, row, f.ID, "xf.err.name.invalid")
	}
	if f.Title == "" {
		f.Title = f.ID
	}
}

func (l *loader) choices(f *Form) {
	s := l.book.sheets[SheetChoices]
	if s == nil {
		return
	}
	standard := map[string]bool{"list_name": true, "name": true}
	seen := map[string]map[string]int{}
	for _, r := range s.rows {
		list := s.get(r, "list_name")
		name := s.get(r, "name")
		if list == "" && name == "" {
			continue
		}
		if list == "" {
			l.add(SheetChoices, r.n, name, "xf.err.choice.list")
			continue
		}
		if name == "" {
			l.add(SheetChoices, r.n, list, "xf.err.choice.name")
			continue
		}
		if seen[list] == nil {
			seen[list] = map[string]int{}
		}
		if first, dup := seen[list][name]; dup {
			l.add(SheetChoices, r.n, name, "xf.err.choice.duplicate", "first", strconv.Itoa(first), "list", list)
			continue
		}
		seen[list][name] = r.n
		c := Choice{Name: name, Row: r.n, Label: s.texts(r, "label", l.seenLang)}
		if len(c.Label) == 0 {
			l.add(SheetChoices, r.n, name, "xf.err.choice.label")
		}
		for i, h := range s.header {
			if standard[h] || h == "" || strings.HasPrefix(h, "label") || strings.Contains(h, "::") ||
				h == "image" || h == "audio" || h == "video" || h == "media" || i >= len(r.cells) {
				continue
			}
			if v := strings.TrimSpace(r.cells[i]); v != "" {
				if c.Extra == nil {
					c.Extra = map[string]string{}
				}
				c.Extra[h] = v
			}
		}
		f.Choices[list] = append(f.Choices[list], c)
	}
}

// unsupportedTypes are XLSForm types outside the subset, refused by name.
var unsupportedTypes = map[string]string{
	"range": "xf.err.type.unsupported", "rank": "xf.err.type.unsupported",
	"barcode": "xf.err.type.unsupported", "video": "xf.err.type.unsupported",
	"file": "xf.err.type.unsupported", "geotrace": "xf.err.type.unsupported",
	"geoshape": "xf.err.type.unsupported", "background-audio": "xf.err.type.unsupported",
	"background-geopoint": "xf.err.type.unsupported", "start-geopoint": "xf.err.type.unsupported",
	"xml-external": "xf.err.type.unsupported",
	"csv-external": "xf.err.external", "select_one_external": "xf.err.external",
	"select_multiple_external": "xf.err.external",
	"select_one_from_file":     "xf.err.from_file", "select_multiple_from_file": "xf.err.from_file",
	"begin_repeat": "xf.err.repeat", "end_repeat": "xf.err.repeat",
	"audit": "xf.err.type.meta",
	"osm":   "xf.err.type.unsupported",
}

// ignoredMeta are the metadata of the phone ODK Collect runs on. Behind a
// Telegram chat there is no phone the bot can read them from, and Collect
// itself leaves most of them empty on today's Android (phone number, SIM
// serial, subscriber id) or fills them from its own settings (email,
// device id): the bot leaves these rows out, says so in the form's
// description, and records who sent each submission as it always does. A
// form that reads one of them (${deviceid}) is refused. audit,
// start-geopoint and the background recordings collect data the author
// counts on and stay refused.
var ignoredMeta = map[string]bool{
	"deviceid": true, "imei": true, "phonenumber": true, "subscriberid": true, "simserial": true, "email": true,
	"uri:deviceid": true, "uri:phonenumber": true, "uri:subscriberid": true, "uri:simserial": true, "uri:email": true,
}

// multiWordTypes are the spellings of several words pyxform accepts (its
// question type table), mapped to the one-word type this loader reads;
// longer ones first where one starts another.
var multiWordTypes = []struct{ from, to string }{
	{"add select one prompt using", "select_one"}, {"add select multiple prompt using", "select_multiple"},
	{"select all that apply", "select_multiple"}, {"select one using", "select_one"},
	{"select multiple using", "select_multiple"}, {"select one external", "select_one_external"},
	{"select multiple external", "select_multiple_external"},
	{"add note prompt", "note"}, {"add text prompt", "text"}, {"add integer prompt", "integer"},
	{"add decimal prompt", "decimal"}, {"add date prompt", "date"}, {"add time prompt", "time"},
	{"add datetime prompt", "datetime"}, {"add date time prompt", "datetime"}, {"add image prompt", "image"},
	{"add photo prompt", "image"}, {"add audio prompt", "audio"}, {"add location prompt", "geopoint"},
	{"add acknowledge prompt", "acknowledge"}, {"add calculate prompt", "calculate"},
	{"add video prompt", "video"}, {"add file prompt", "file"}, {"add barcode prompt", "barcode"},
	{"q string", "text"}, {"q int", "integer"}, {"q decimal", "decimal"}, {"q date time", "datetime"},
	{"q datetime", "datetime"}, {"q date", "date"}, {"q time", "time"}, {"q note", "note"},
	{"q picture", "image"}, {"q image", "image"}, {"q audio", "audio"}, {"q geopoint", "geopoint"},
	{"q location", "geopoint"}, {"q acknowledge", "acknowledge"}, {"q calculate", "calculate"},
	{"q select1", "select_one"}, {"q select", "select_multiple"}, {"q video", "video"}, {"q barcode", "barcode"},
	{"date time", "datetime"}, {"get start time", "start"}, {"start time", "start"}, {"get end time", "end"},
	{"end time", "end"}, {"get today", "today"}, {"get device id", "deviceid"}, {"device id", "deviceid"},
	{"get sim id", "simserial"}, {"sim id", "simserial"}, {"get subscriber id", "subscriberid"},
	{"subscriber id", "subscriberid"}, {"get phone number", "phonenumber"},
	{"begin looped group", "begin_repeat"}, {"end looped group", "end_repeat"},
	{"begin loop", "begin_repeat"}, {"end loop", "end_repeat"},
}

// typeWord splits a type cell (spaces already single) into its type word,
// lower case, and the rest as written (a list name keeps its case):
// "select all that apply Buah" is select_multiple and "Buah"; "begin
// group", "select one x" and "select_one x" read as their _ spelling.
func typeWord(typ string) (word, rest string) {
	for _, a := range multiWordTypes {
		n := len(a.from)
		if len(typ) >= n && strings.EqualFold(typ[:n], a.from) && (len(typ) == n || typ[n] == ' ') {
			return a.to, strings.TrimSpace(typ[n:])
		}
	}
	word, rest, _ = strings.Cut(typ, " ")
	word = strings.ToLower(word)
	if (word == "begin" || word == "end" || word == "select") && rest != "" {
		w2, r2, _ := strings.Cut(rest, " ")
		word, rest = word+"_"+strings.ToLower(w2), r2
	}
	return word, rest
}

// excelDate turns a date, time or dateTime default typed as a date cell
// (read as Excel's serial day number, 46037) into the text an author would
// have typed (2026-01-15); any other default is returned as it is.
func excelDate(t Type, src string) string {
	if t != Date && t != Time && t != DateTime || !serialNumber.MatchString(src) {
		return src
	}
	f, err := strconv.ParseFloat(src, 64)
	if err != nil {
		return src
	}
	tm, err := excelize.ExcelDateToTime(f, false)
	if err != nil {
		return src
	}
	switch t {
	case Date:
		return tm.Format(time.DateOnly)
	case Time:
		return tm.Format("15:04")
	}
	return tm.Format("2006-01-02T15:04:05")
}

var serialNumber = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// typeAliases are other spellings of supported types.
var typeAliases = map[string]Type{
	"int": Integer, "string": Text, "datetime": DateTime, "photo": Image, "gps": Geopoint, "location": Geopoint,
	"add_note_prompt": Note, "trigger": Acknowledge, "hidden": Calculate, "select1": SelectOne, "select_all_that_apply": SelectMultiple,
}

var supportedTypes = func() map[string]Type {
	m := map[string]Type{}
	for _, t := range []Type{Text, Integer, Decimal, Date, Time, DateTime, SelectOne, SelectMultiple,
		Geopoint, Image, Audio, Note, Acknowledge, Calculate, Start, End, Today, Username, NIK, Kecamatan, Kelurahan} {
		m[strings.ToLower(string(t))] = t
	}
	return m
}()

type group struct {
	name     string
	row      int
	relevant *expr.Expr
	// all is the relevant of this group and those enclosing it, outermost
	// first, joined once when the group opens: each question joins it to
	// its own, so deep nesting costs each question one join, not one per
	// level.
	all *expr.Expr
}

// dynamicDefault tells a default that is an expression (${name}, a function
// call, .) from a plain value such as "yes", "2026-01-01" or "Kota (Jambi)".
var dynamicDefault = regexp.MustCompile(`\$\{|^\s*[A-Za-z_][\w:.-]*\s*\(|^\s*\.\s*$`)

// exprColumns are the survey columns holding expressions.
var exprColumns = []string{"relevant", "constraint", "choice_filter", "calculation", "default"}

func (l *loader) survey(f *Form, s *sheet) {
	if !slices.Contains(s.header, "type") {
		l.add(SheetSurvey, 1, "type", "xf.err.no_type_column")
		return
	}
	if s.hasColumn("save_to") {
		for _, r := range s.rows {
			if v := s.get(r, "save_to"); v != "" {
				l.add(SheetSurvey, r.n, "save_to", "xf.err.entities")
			}
		}
	}
	// Columns that change what ODK does with an answer: a trigger (compute
	// only when another answer changes) and bind:: attributes other than
	// the plain columns' (a preload, a data type). Refused where they hold
	// a value; every other unknown column (appearance, media, notes,
	// instance::, body::, Kobo's $kuid) only shapes a screen and is ignored.
	// SurveyCTO's disabled (yes: the row is not part of the form) is
	// refused too rather than asked anyway.
	for _, h := range s.header {
		if h != "trigger" && h != "disabled" && !strings.HasPrefix(h, "bind::") {
			continue
		}
		for _, r := range s.rows {
			if v := strings.ToLower(s.get(r, h)); v != "" && !(h == "disabled" && (v == "no" || v == "false" || v == "0")) {
				l.add(SheetSurvey, r.n, h, "xf.err.column.unsupported")
			}
		}
	}
	names := map[string]int{}
	var stack []group
	repeats := 0
	for _, r := range s.rows {
		typ := strings.Join(strings.Fields(s.get(r, "type")), " ")
		name := s.get(r, "name")
		if name == "" {
			// KoBoToolbox exports leave name empty where the author gave
			// none and write the name it deploys under in $autoname.
			name = s.get(r, "$autoname")
		}
		if typ == "" {
			if name != "" || len(s.texts(r, "label", nil)) > 0 {
				l.add(SheetSurvey, r.n, name, "xf.err.type.missing")
			}
			continue
		}
		if a := s.get(r, "appearance"); strings.Contains(strings.ToLower(a), "search(") {
			l.add(SheetSurvey, r.n, "search()", "xf.err.search")
		}
		word, rest := typeWord(typ)
		first, _, _ := strings.Cut(strings.ToLower(rest), " ")
		if (word == "select_one" || word == "select_multiple") && (first == "from" || first == "from_file") {
			word = "select_one_from_file" // "select one from file x.csv", however spaced
		}
		switch word {
		case "begin_group":
			g := group{name: name, row: r.n}
			if l.checkName(r.n, name, names) {
				names[name] = r.n
			}
			if src := s.get(r, "relevant"); src != "" {
				g.relevant = l.parse(r.n, "relevant", src)
				if g.relevant != nil {
					l.cells = append(l.cells, exprCell{row: r.n, col: "relevant", e: g.relevant})
				}
			}
			g.all = g.relevant
			if len(stack) > 0 {
				g.all = expr.And(stack[len(stack)-1].all, g.relevant)
			}
			stack = append(stack, g)
			continue
		case "end_group":
			if len(stack) == 0 {
				l.add(SheetSurvey, r.n, typ, "xf.err.group.unopened")
				continue
			}
			stack = stack[:len(stack)-1]
			continue
		}
		if word == "end_repeat" && repeats > 0 {
			repeats-- // its begin repeat is named already
			continue
		}
		if word == "begin_repeat" {
			repeats++
		}
		if key, bad := unsupportedTypes[word]; bad {
			l.add(SheetSurvey, r.n, typ, key)
			continue
		}
		if ignoredMeta[word] {
			if name != "" && !expr.ValidName(name) {
				l.add(SheetSurvey, r.n, name, "xf.err.name.invalid")
			}
			f.Ignored = append(f.Ignored, Ignored{Row: r.n, Type: word, Name: name})
			if name != "" {
				l.ignored[name] = true
			}
			continue
		}
		t, ok := supportedTypes[word]
		if !ok {
			t, ok = typeAliases[word]
		}
		if !ok {
			l.add(SheetSurvey, r.n, typ, "xf.err.type.unknown")
			continue
		}
		q := Question{Row: r.n, Type: t, Name: name}
		refused := false
		for _, g := range stack {
			q.Group = append(q.Group, g.name)
		}
		switch t {
		case SelectOne, SelectMultiple:
			list, extra, _ := strings.Cut(rest, " ")
			if extra != "" {
				l.add(SheetSurvey, r.n, extra, "xf.err.or_other")
			}
			l.checkList(f, r.n, typ, list, t)
			q.ListName = list
		default:
			if rest != "" {
				l.add(SheetSurvey, r.n, typ, "xf.err.type.unknown")
				refused = true // named once: not also for a missing label
			}
		}
		if (t == Kecamatan || t == Kelurahan) && l.opt.Regions == nil {
			l.add(SheetSurvey, r.n, typ, "xf.err.regions")
		}
		if l.checkName(r.n, name, names) {
			names[name] = r.n
		}
		q.Label = s.texts(r, "label", l.seenLang)
		q.Hint = s.texts(r, "hint", l.seenLang)
		q.RequiredMessage = s.texts(r, "required_message", l.seenLang)
		q.ConstraintMessage = s.texts(r, "constraint_message", l.seenLang)
		if t.Asked() && !refused && len(q.Label) == 0 && len(q.Hint) == 0 {
			l.add(SheetSurvey, r.n, name, "xf.err.label.missing")
		}
		if n := longest(q.Label) + longest(q.Hint); n > MaxQuestionText {
			l.add(SheetSurvey, r.n, name, "xf.err.label.long", "n", strconv.Itoa(n), "max", strconv.Itoa(MaxQuestionText))
		}
		if src := s.get(r, "required"); isBoolean(src) {
			q.Required = l.boolean(r.n, "required", src)
		} else if q.RequiredIf = l.parse(r.n, "required", src); q.RequiredIf != nil {
			l.cells = append(l.cells, exprCell{row: r.n, col: "required", e: q.RequiredIf})
		}
		q.ReadOnly = l.boolean(r.n, "read_only", s.get(r, "read_only"))
		for _, col := range exprColumns {
			src := s.get(r, col)
			if src == "" {
				continue
			}
			var e *expr.Expr
			if col == "default" && !dynamicDefault.MatchString(src) {
				// A plain default ("yes", "2026-01-01") is a value, not XPath;
				// a date typed as a date cell reads as Excel's day number.
				e = expr.Literal(excelDate(t, src))
			} else {
				e = l.parse(r.n, col, src)
			}
			if e != nil {
				l.cells = append(l.cells, exprCell{row: r.n, col: col, e: e})
			}
			switch col {
			case "relevant":
				q.Relevant = e
			case "constraint":
				q.Constraint = e
			case "choice_filter":
				q.ChoiceFilter = e
			case "calculation":
				q.Calculation = e
			case "default":
				q.Default = e
			}
		}
		if t == Calculate && q.Calculation == nil && s.get(r, "calculation") == "" {
			if word == "hidden" {
				// pyxform's hidden is a calculate that needs no
				// calculation: it holds its default, or nothing.
				q.Calculation, q.Default = q.Default, nil
				if q.Calculation == nil {
					q.Calculation = expr.Literal("")
				}
			} else {
				l.add(SheetSurvey, r.n, name, "xf.err.calculation.missing")
			}
		}
		if len(stack) > 0 { // a group's relevant holds for all it encloses
			q.Relevant = expr.And(stack[len(stack)-1].all, q.Relevant)
		}
		f.Questions = append(f.Questions, q)
	}
	for _, g := range stack {
		l.add(SheetSurvey, g.row, g.name, "xf.err.group.unclosed")
	}
	if len(f.Questions) == 0 && len(l.problems) == 0 {
		l.add(SheetSurvey, 0, SheetSurvey, "xf.err.no_questions")
	}
	l.checkRefs(f, names)
	l.checkCycles(f)
}

func (l *loader) checkName(row int, name string, names map[string]int) bool {
	switch {
	case name == "":
		l.add(SheetSurvey, row, "name", "xf.err.name.missing")
	case !expr.ValidName(name):
		l.add(SheetSurvey, row, name, "xf.err.name.invalid")
	default:
		if first, dup := names[name]; dup {
			l.add(SheetSurvey, row, name, "xf.err.name.duplicate", "first", strconv.Itoa(first))
			return false
		}
		return true
	}
	return false
}

func (l *loader) checkList(f *Form, row int, typ, list string, t Type) {
	if list == "" {
		l.add(SheetSurvey, row, typ, "xf.err.list.missing")
		return
	}
	choices := f.Choices[list]
	if len(choices) == 0 {
		l.add(SheetSurvey, row, list, "xf.err.list.unknown")
		return
	}
	if t == SelectMultiple {
		// A select_multiple's answer is its names separated by spaces.
		for _, c := range choices {
			if strings.ContainsAny(c.Name, " \t") {
				l.add(SheetChoices, c.Row, c.Name, "xf.err.choice.space")
			}
		}
	}
}

// MaxQuestionText bounds a question's label and hint together, in
// characters: the prompt must fit in one Telegram message (4096) with the
// previous answer and the footer.
const MaxQuestionText = 3500

// longest is the length of the longest text of texts, in characters.
func longest(texts map[string]string) int {
	n := 0
	for _, s := range texts {
		n = max(n, utf8.RuneCountInString(s))
	}
	return n
}

// isBoolean tells a yes/no cell from an expression.
func isBoolean(v string) bool {
	_, ok := booleanOf(v)
	return ok
}

// booleanOf reads a yes/no cell; ok is false for anything else.
func booleanOf(v string) (val, ok bool) {
	switch strings.ToLower(v) {
	case "", "no", "false", "0", "false()":
		return false, true
	case "yes", "true", "1", "true()":
		return true, true
	}
	return false, false
}

func (l *loader) boolean(row int, col, v string) bool {
	val, ok := booleanOf(v)
	if !ok {
		l.add(SheetSurvey, row, v, "xf.err.bool", "column", col)
	}
	return val
}

// parse parses one expression cell, turning a refusal into a Problem.
func (l *loader) parse(row int, col, src string) *expr.Expr {
	e, err := expr.Parse(src)
	if err == nil {
		return e
	}
	var pe *expr.Error
	if !errors.As(err, &pe) {
		l.add(SheetSurvey, row, src, "xf.expr.syntax", "column", col, "near", "")
		return nil
	}
	feature := src
	switch pe.Code {
	case expr.ErrFunction, expr.ErrArity, expr.ErrRegex, expr.ErrChoice:
		feature = pe.Func + "()"
	case expr.ErrTooLong:
		feature = strconv.Itoa(expr.MaxSource)
	}
	l.add(SheetSurvey, row, feature, "xf.expr."+string(pe.Code), "column", col, "near", pe.Near)
	return nil
}

// checkRefs refuses a ${name} that names no question and a bare name outside
// a choice_filter or naming no column of the filtered list.
func (l *loader) checkRefs(f *Form, names map[string]int) {
	for _, c := range l.cells {
		for _, ref := range c.e.Refs() {
			if _, ok := names[ref]; !ok {
				l.add(SheetSurvey, c.row, "${"+ref+"}", l.refKey(ref), "column", c.col)
			}
		}
		for _, col := range c.e.Columns() {
			if c.col == "choice_filter" && l.choiceColumn(col) {
				continue
			}
			l.add(SheetSurvey, c.row, col, "xf.err.column", "column", c.col)
		}
	}
	// Labels and hints show answers as ${name} too; each missing name is
	// named once per row and column, whatever the languages.
	for _, q := range f.Questions {
		for _, c := range []struct {
			col   string
			texts map[string]string
		}{{"label", q.Label}, {"hint", q.Hint}, {"required_message", q.RequiredMessage}, {"constraint_message", q.ConstraintMessage}} {
			langs := make([]string, 0, len(c.texts))
			for lang := range c.texts {
				langs = append(langs, lang)
			}
			slices.Sort(langs)
			seen := map[string]bool{}
			for _, lang := range langs {
				for _, m := range textRef.FindAllStringSubmatch(c.texts[lang], 20) {
					if _, ok := names[m[1]]; !ok && !seen[m[0]] {
						seen[m[0]] = true
						l.add(SheetSurvey, q.Row, m[0], l.refKey(m[1]), "column", c.col)
					}
				}
			}
		}
	}
}

// refKey explains a ${name} naming no question: metadata left out has its
// own explanation.
func (l *loader) refKey(name string) string {
	if l.ignored[name] {
		return "xf.err.ref.ignored"
	}
	return "xf.err.ref"
}

// textRef is a ${name} inside a label or hint.
var textRef = regexp.MustCompile(`\$\{([^}]*)\}`)

// choiceColumn reports whether a choice_filter's bare name is a column of
// the choices sheet (name and label included).
func (l *loader) choiceColumn(col string) bool {
	s := l.book.sheets[SheetChoices]
	return s != nil && (s.hasColumn(col) || col == "name" || col == "label")
}

// checkCycles refuses calculations that read each other in a circle, which
// no order of evaluation can settle. Each calculation in a circle is named;
// one that only reads from a circle is not. The circles are the strongly
// connected components of the calculations' references (Tarjan's
// algorithm, without recursion), found in time linear in the references:
// a form of 2,000 calculations each reading hundreds of others is checked
// at once, not in minutes.
func (l *loader) checkCycles(f *Form) {
	idx := map[string]int{} // calculation name -> index in calcs
	var calcs []*Question
	for i := range f.Questions {
		if q := &f.Questions[i]; q.Calculation != nil {
			if _, dup := idx[q.Name]; !dup {
				idx[q.Name] = len(calcs)
				calcs = append(calcs, q)
			}
		}
	}
	edges := make([][]int, len(calcs))
	self := make([]bool, len(calcs))
	for v, q := range calcs {
		for _, ref := range q.Calculation.Refs() {
			if w, ok := idx[ref]; ok {
				edges[v] = append(edges[v], w)
				self[v] = self[v] || w == v
			}
		}
	}
	const unseen = -1
	index, low := make([]int, len(calcs)), make([]int, len(calcs))
	onStack := make([]bool, len(calcs))
	for i := range index {
		index[i] = unseen
	}
	var stack []int
	next := 0
	inCycle := make([]bool, len(calcs))
	type frame struct{ v, edge int }
	for root := range calcs {
		if index[root] != unseen {
			continue
		}
		work := []frame{{v: root}}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		onStack[root] = true
		for len(work) > 0 {
			fr := &work[len(work)-1]
			v := fr.v
			if fr.edge < len(edges[v]) {
				w := edges[v][fr.edge]
				fr.edge++
				switch {
				case index[w] == unseen:
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					onStack[w] = true
					work = append(work, frame{v: w})
				case onStack[w]:
					low[v] = min(low[v], index[w])
				}
				continue
			}
			work = work[:len(work)-1]
			if len(work) > 0 {
				u := work[len(work)-1].v
				low[u] = min(low[u], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			var comp []int
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				comp = append(comp, w)
				if w == v {
					break
				}
			}
			if len(comp) > 1 || self[v] {
				for _, w := range comp {
					inCycle[w] = true
				}
			}
		}
	}
	for v, q := range calcs {
		if inCycle[v] {
			l.add(SheetSurvey, q.Row, q.Name, "xf.err.cycle")
		}
	}
}
