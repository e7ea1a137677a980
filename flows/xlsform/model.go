// Package xlsform reads an XLSForm workbook (the spreadsheet form standard of
// ODK, KoBoToolbox and SurveyCTO) into a Form the bot can run as a chat. It
// supports the subset the issue lists and refuses everything else at load,
// naming the sheet, row and feature, so no worker meets a form half
// understood. It is pure: no database, no Telegram.
package xlsform

import (
	"dinsosbot/flows/region"
	"dinsosbot/flows/xlsform/expr"
)

// Type is a question type of the survey sheet.
type Type string

// The supported types. Start, End, Today and Username are metadata the bot
// fills without asking; Calculate is computed; Note shows text only.
const (
	Text           Type = "text"
	Integer        Type = "integer"
	Decimal        Type = "decimal"
	Date           Type = "date"
	Time           Type = "time"
	DateTime       Type = "dateTime"
	SelectOne      Type = "select_one"
	SelectMultiple Type = "select_multiple"
	Geopoint       Type = "geopoint"
	Image          Type = "image"
	Audio          Type = "audio"
	Note           Type = "note"
	Acknowledge    Type = "acknowledge"
	Calculate      Type = "calculate"
	Start          Type = "start"
	End            Type = "end"
	Today          Type = "today"
	Username       Type = "username"

	// The project's extensions. NIK is a 16-digit NIK checked, masked and
	// erased like the case form's; Kecamatan and Kelurahan are the office's
	// configured regions (a Kelurahan after a Kecamatan question lists only
	// that kecamatan's kelurahan).
	NIK       Type = "nik"
	Kecamatan Type = "kecamatan"
	Kelurahan Type = "kelurahan"
)

// Asked reports whether the bot asks a person for this type (metadata and
// calculations are filled by the bot).
func (t Type) Asked() bool {
	switch t {
	case Calculate, Start, End, Today, Username:
		return false
	}
	return true
}

// Options tune Load.
type Options struct {
	// Regions is the office's catalogue, for the kecamatan and kelurahan
	// types; nil refuses forms using them.
	Regions *region.Catalog
	// MaxBytes bounds the workbook read (DefaultMaxBytes when 0).
	MaxBytes int64
}

// Form is a loaded, checked XLSForm.
type Form struct {
	ID          string // settings form_id
	Title       string // settings form_title (form_id when empty)
	Version     string // settings version
	DefaultLang string // language code of default_language, "" when none
	// Langs are the language codes of the label::Language (code) columns,
	// in column order; "" stands for plain label columns.
	Langs []string
	// Titles holds the title per language; form_title is one text, so every
	// language maps to Title (kept as a map for symmetry with labels).
	Titles map[string]string
	// Questions are in survey order with groups flattened: a group's
	// relevant is AND-ed into each of its questions' Relevant.
	Questions []Question
	// Choices maps a list_name to its choices, in sheet order.
	Choices map[string][]Choice
	// Ignored are the metadata rows left out (deviceid, phonenumber, ...):
	// there is no phone to read them from behind a chat.
	Ignored []Ignored
	// LinkCase is the settings extension link_case (yes/true/1): each
	// submission is linked to one of the worker's cases.
	LinkCase bool
}

// Question is one row of the survey sheet (begin/end group rows excluded).
type Question struct {
	Row      int // 1-based row in the survey sheet, for messages
	Type     Type
	Name     string
	ListName string // select_one/select_multiple only
	// Texts by language code; the "" key holds a column without a language
	// suffix (label, hint, ...).
	Label, Hint, RequiredMessage, ConstraintMessage map[string]string
	Required                                        bool
	ReadOnly                                        bool
	// Expressions, nil when the column is empty. RequiredIf is a required
	// column holding an expression (ODK's conditional required): the
	// question may be skipped while it is false.
	Relevant, Constraint, ChoiceFilter, Calculation, Default, RequiredIf *expr.Expr
	// Group lists the names of the enclosing groups, outermost first.
	Group []string
}

// Choice is one row of the choices sheet.
type Choice struct {
	Name  string
	Label map[string]string // language code -> text, as Question.Label
	// Extra holds the other columns (e.g. "kecamatan" for a cascade), read
	// by a choice_filter expression as ${...}-free names.
	Extra map[string]string
	Row   int
}

// Ignored is a survey row the bot leaves out without asking or storing it.
type Ignored struct {
	Row  int
	Type string // as normalised: deviceid, phonenumber, ...
	Name string
}
