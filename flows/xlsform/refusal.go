package xlsform

import (
	"strconv"
	"strings"

	"dinsosbot/flows/i18n"
)

// Problem is one reason a workbook is refused, located in it.
type Problem struct {
	Sheet   string   // "survey", "choices", "settings" or "" for the workbook
	Row     int      // 1-based sheet row; 0 when the problem has no row
	Feature string   // the feature or value refused, as written in the form
	Key     string   // i18n catalogue key (section P) of the explanation
	Args    []string // placeholder name, value pairs for Key
}

// Text renders the problem for lang: "sheet survey, baris 12: ...". It is
// plain text holding what the form's author wrote: escape it for HTML.
func (p Problem) Text(lang i18n.Lang) string {
	var b strings.Builder
	switch {
	case p.Sheet != "" && p.Row > 0:
		b.WriteString(i18n.T(lang, "xf.where.row", "sheet", p.Sheet, "row", strconv.Itoa(p.Row)))
	case p.Sheet != "":
		b.WriteString(i18n.T(lang, "xf.where.sheet", "sheet", p.Sheet))
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	args := append([]string{"feature", p.Feature}, p.Args...)
	b.WriteString(i18n.T(lang, p.Key, args...))
	return b.String()
}

// Refusal is Load's error for a workbook outside the supported subset; it
// lists every problem found, not just the first.
type Refusal struct {
	Problems []Problem
}

// Error joins the problems in Indonesian, the bot's default language.
func (r *Refusal) Error() string {
	return r.Text(i18n.ID)
}

// Text joins the problems in lang, one a line.
func (r *Refusal) Text(lang i18n.Lang) string {
	lines := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		lines[i] = p.Text(lang)
	}
	return strings.Join(lines, "\n")
}
