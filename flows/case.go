package flows

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"

	"dinsosbot/flows/nik"
	"dinsosbot/flows/parse"
	"dinsosbot/flows/pmks"
	"dinsosbot/store"
)

// The PMKS case report, /lapor: category (by group), name, NIK or the reason
// there is none, gender, birth date or age, address, area, location, photos,
// description, needs and urgency. A NIK that is already on record in the
// worker's own area offers to add a follow-up note to that case instead; one
// elsewhere is not mentioned to the worker (the duplicate check must not
// tell anyone who is a PMKS case where), only to the reviewer.
//
// The full NIK never sits in an answer: the answer holds the masked form (what
// the summary shows) and the digits live in the flow's variables until Save
// writes them into the case record.

const (
	caseFlowName  = "case"
	maxCasePhotos = 5

	// Flow variables of the case form.
	varNIK = "nik" // the 16 digits of the answered NIK
	varDup = "dup" // id of a case with the same NIK
	varFix = "fix" // id of the case being fixed after a coordinator asked
)

// Values of the nik_dup step.
const (
	dupFollowUp = "followup"
	dupNew      = "new"
)

var caseNeeds = []string{"pangan", "kesehatan", "pendidikan", "tempat_tinggal", "adminduk", "rehabilitasi",
	"bansos", "lainnya"}

var caseUrgencies = []string{"biasa", "mendesak", "darurat"}

var noNIKReasons = []string{"tidak_punya", "hilang", "tidak_tahu", "menolak", "lainnya"}

func keyedOptions(prefix string, values []string) []Option {
	opts := make([]Option, 0, len(values))
	for _, v := range values {
		opts = append(opts, Option{Value: v, Key: prefix + v})
	}
	return opts
}

// notFollowUp: the report goes on as a new case (not a note on a duplicate).
func notFollowUp(c *Ctx) bool { return c.Answers.Text("nik_dup") != dupFollowUp }

func (a *App) caseFlow() *Flow {
	groups := make([]Option, 0, 5)
	for _, g := range pmks.Groups() {
		groups = append(groups, Option{Value: g.Key, Key: "case.group." + g.Key})
	}
	nf := notFollowUp
	return &Flow{Name: caseFlowName, Title: "case.title", Save: a.saveCase, Flagged: a.caseFlagged, Steps: []Step{
		{Key: "group", Prompt: "case.group", Input: InputChoice, Options: groups, Match: matchGroup},
		{Key: "category", Prompt: "case.category", Input: InputChoice, DependsOn: []string{"group"},
			OptionsFrom: categoryOptions, Match: matchCategory, Check: checkCategory},
		{Key: "name", Prompt: "case.name", Input: InputName, Min: 3, Max: 80},
		{Key: "nik", Prompt: "case.nik", Input: InputChoice, Options: []Option{{Value: "none", Key: "case.nik.none"}},
			Match: a.matchNIK, Check: checkNoNIK},
		{Key: "nik_dup", Prompt: "case.dup", Input: InputChoice, DependsOn: []string{"nik"},
			If:      func(c *Ctx) bool { return c.Vars[varDup] != "" },
			Options: []Option{{Value: dupFollowUp, Key: "case.dup.followup"}, {Value: dupNew, Key: "case.dup.new"}}},
		{Key: "followup", Prompt: "case.followup", Input: InputText, Min: 5, Max: 1000,
			If: func(c *Ctx) bool { return c.Answers.Text("nik_dup") == dupFollowUp }},
		{Key: "no_nik", Prompt: "case.no_nik", Input: InputChoice, Options: keyedOptions("case.no_nik.", noNIKReasons),
			If: func(c *Ctx) bool { return c.Answers.Text("nik") == "none" }},
		{Key: "gender", Prompt: "case.gender", Input: InputChoice, If: nf, DependsOn: []string{"nik"},
			OptionsFrom: genderOptions, Check: checkGender},
		{Key: "birth", Prompt: "case.birth", Input: InputChoice, If: nf, DependsOn: []string{"nik"},
			OptionsFrom: a.birthOptions, Match: a.matchBirth, Check: checkBirth},
		{Key: "birth_place", Prompt: "case.birth_place", Input: InputText, Min: 2, Max: 60, Optional: true, If: nf,
			Pattern: birthPlacePattern, PatternHint: "case.err.birth_place"},
		{Key: "address", Prompt: "case.address", Input: InputText, Min: 5, Max: 200, If: nf},
		// RT/RW and the family card number, optional: DTKS/SIKS-NG entries ask
		// for them as their own fields (case_kk.go).
		{Key: "rt_rw", Prompt: "case.rt_rw", Input: InputChoice, Optional: true, If: nf, OptionsFrom: rtRWOptions,
			Match: matchRTRW},
		{Key: "no_kk", Prompt: "case.no_kk", Input: InputChoice, Optional: true, If: nf, OptionsFrom: noOptions,
			Match: a.matchKK},
		{Key: "area", Prompt: "case.area", Input: InputChoice, OptionsFrom: a.areaOptions, Check: a.checkArea,
			If: func(c *Ctx) bool { return nf(c) && c.User.Kelurahan != "" }},
		a.caseKecamatanStep(),
		a.caseKelurahanStep(),
		{Key: "location", Prompt: "case.location", Input: InputLocation, Optional: true, If: nf},
		{Key: "photos", Prompt: "case.photos", Input: InputPhotos, Min: 0, Max: maxCasePhotos, If: nf},
		{Key: "description", Prompt: "case.description", Input: InputText, Min: 10, Max: 1000, If: nf},
		{Key: "needs", Prompt: "case.needs", Input: InputMulti, Min: 1, Max: len(caseNeeds), If: nf,
			Options: keyedOptions("case.need.", caseNeeds)},
		{Key: "urgency", Prompt: "case.urgency", Input: InputChoice, If: nf,
			Options: keyedOptions("case.urgency.", caseUrgencies), Match: matchUrgency},
	}}
}

// matchGroup reads a typed group: a category's name (its group), a word for
// the whole group ("anak", "lansia"), or the button's label without its emoji.
func matchGroup(c *Ctx, text string) (string, error) {
	if cat, ok := pmks.Find(text); ok {
		return cat.Group, nil
	}
	if g, ok := pmks.FindGroup(text); ok {
		return g, nil
	}
	for _, g := range pmks.Groups() {
		if pmks.SameName(text, c.T("case.group."+g.Key)) {
			return g.Key, nil
		}
	}
	return "", refuseCategory(text)
}

func categoryOptions(c *Ctx) ([]Option, error) {
	var opts []Option
	for _, cat := range pmks.InGroup(c.Answers.Text("group")) {
		opts = append(opts, Option{Value: cat.Code, Text: cat.Name})
	}
	return opts, nil
}

// matchCategory reads a typed category: its name, code or abbreviation, or a
// word that names exactly one category of the chosen group ("lansia" in the
// elderly group is Lanjut Usia Telantar).
func matchCategory(c *Ctx, text string) (string, error) {
	cat, ok := pmks.Find(text)
	if !ok {
		var inGroup []pmks.Category
		for _, k := range pmks.Search(text) {
			if k.Group == c.Answers.Text("group") {
				inGroup = append(inGroup, k)
			}
		}
		if len(inGroup) != 1 {
			return "", refuseCategory(text)
		}
		cat = inGroup[0]
	}
	if cat.Group != c.Answers.Text("group") {
		return "", refuse("case.err.category.group", "category", html.EscapeString(cat.Name),
			"group", c.T("case.group."+cat.Group))
	}
	return cat.Code, nil
}

// refuseCategory names close categories when there are some.
func refuseCategory(text string) error {
	var names []string
	for _, cat := range pmks.Search(text) {
		names = append(names, html.EscapeString(cat.Name))
	}
	if len(names) > 0 && len(names) <= 5 {
		return refuse("case.err.category.suggest", "text", html.EscapeString(clip(text, 40)),
			"names", strings.Join(names, ", "))
	}
	return refuse("case.err.category", "text", html.EscapeString(clip(text, 40)))
}

// hasDigits reports whether s holds at least n digits: a message that may
// carry a NIK, to delete from the chat.
func hasDigits(s string, n int) bool {
	k := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			k++
		}
	}
	return k >= n
}

// matchNIK reads a typed NIK. The message is deleted from the chat whether or
// not the number is valid (it is personal data either way), the NIK is shown
// back masked, and a case with the same NIK is announced as far as the person
// may know of it (dupViewOf).
func (a *App) matchNIK(c *Ctx, text string) (string, error) {
	n, err := a.takeNIK(c, text, varNIK)
	if err != nil {
		return "", err
	}
	delete(c.Vars, varDup)
	dups, err := c.Tx.CasesByNIK(n.String())
	if err != nil {
		return "", err
	}
	var shown *store.Case
	view := dupHidden
	for _, d := range dups {
		if strconv.FormatInt(d.ID, 10) == c.Vars[varFix] {
			continue
		}
		v := a.dupViewOf(c.User, d)
		if err := c.Tx.Audit(c.User.ID, "nik_match", fmt.Sprintf("case %d %s in_scope=%t", d.ID, d.Code,
			v != dupHidden)); err != nil {
			return "", err
		}
		if shown == nil && v != dupHidden {
			shown, view = &d, v
		}
	}
	if shown == nil {
		// Nothing is said of a case outside the person's area, not even that
		// one exists: the form goes on exactly as for a new NIK, and the
		// reviewer sees both cases side by side on the card (caseText).
		return n.Masked(), nil
	}
	d := *shown
	c.Vars[varDup] = strconv.FormatInt(d.ID, 10)
	msg := c.T("case.dup.found.area", "code", d.Code, "status", c.T("case.status."+d.Status),
		"date", a.formatTime(d.CreatedAt))
	if view == dupFull {
		msg = c.T("case.dup.found", "code", d.Code, "status", c.T("case.status."+d.Status),
			"category", html.EscapeString(categoryName(d.Category)), "name", html.EscapeString(maskName(d.FullName)),
			"date", a.formatTime(d.CreatedAt))
	}
	if err := c.Reply(msg); err != nil {
		return "", err
	}
	return n.Masked(), nil
}

// dupView is how much a person may learn of an existing case that matches
// what they are reporting (the same NIK, or the same name, kelurahan and
// birth date).
type dupView int

const (
	// dupHidden: outside the person's area; nothing at all.
	dupHidden dupView = iota
	// dupArea: a case of the worker's own kecamatan; its code, status and
	// date, enough to add a follow-up note and to name it to the
	// coordinator, but not its PMKS category (the special-category data a
	// colleague's report holds) nor the name.
	dupArea
	// dupFull: their own report, or a case they review and may open anyway;
	// category and masked name too.
	dupFull
)

// dupViewOf is what u may learn of case d: everything for their own report
// and for a case they review (an admin, a coordinator covering its
// kecamatan); its existence for a PSM or TKSK of the same kecamatan as
// their profile's; nothing otherwise.
func (a *App) dupViewOf(u store.User, d store.Case) dupView {
	switch {
	case d.ReporterID == u.ID || a.canReview(u, d):
		return dupFull
	case isRegistered(u) && (u.Role == store.RolePSM || u.Role == store.RoleTKSK) && u.Kecamatan != "" &&
		u.Kecamatan == d.Kecamatan:
		return dupArea
	}
	return dupHidden
}

// checkNoNIK forgets a NIK answered before when "no NIK" is chosen.
func checkNoNIK(c *Ctx, v Value) error {
	if v.Text == "none" {
		delete(c.Vars, varNIK)
		delete(c.Vars, varDup)
	}
	return nil
}

// answeredNIK is the NIK of the form, zero when none was given.
func (a *App) answeredNIK(c *Ctx) nik.NIK {
	if c.Vars[varNIK] == "" || c.Answers.Text("nik") == "none" {
		return nik.NIK{}
	}
	n, err := nik.Parse(c.Vars[varNIK], c.Tx.Now().In(a.cfg.Location))
	if err != nil {
		return nik.NIK{}
	}
	return n
}

func nikGender(n nik.NIK) string {
	switch {
	case n.IsZero():
		return ""
	case n.Female():
		return "P"
	}
	return "L"
}

func genderOptions(c *Ctx) ([]Option, error) {
	want := nikGender(appOf(c).answeredNIK(c))
	var opts []Option
	for _, g := range []string{"L", "P"} {
		label := c.T("case.gender." + g)
		if g == want {
			label += " " + c.T("case.from_nik")
		}
		opts = append(opts, Option{Value: g, Text: label})
	}
	return opts, nil
}

// checkGender warns (never refuses) when the gender differs from the NIK's,
// or does not fit the category.
func checkGender(c *Ctx, v Value) error {
	var ws []string
	if want := nikGender(appOf(c).answeredNIK(c)); want != "" && want != v.Text {
		ws = append(ws, c.T("case.warn.gender", "gender", c.T("case.gender."+want)))
	}
	return warn(c, append(ws, categoryGenderWarning(c.T, false, c.Answers.Text("category"), v.Text))...)
}

// warn tells the worker each warning ("" is none), one message each: the
// answer is kept, never refused.
func warn(c *Ctx, warnings ...string) error {
	for _, w := range warnings {
		if w == "" {
			continue
		}
		if err := c.Reply("⚠️ " + w); err != nil {
			return err
		}
	}
	return nil
}

// checkCategory warns (never refuses) when a category chosen again, from the
// summary, does not fit the gender or age already answered.
func checkCategory(c *Ctx, v Value) error {
	ws := []string{categoryGenderWarning(c.T, false, v.Text, c.Answers.Text("gender"))}
	if age, ok := appOf(c).answeredAge(c, c.Answers.Text("birth")); ok {
		ws = append(ws, categoryAgeWarning(c.T, false, v.Text, age))
	}
	return warn(c, ws...)
}

// categoryGenderWarning says why gender does not fit category code ("" when
// it fits or is not known yet); short is the verifier card's form.
func categoryGenderWarning(t func(string, ...string) string, short bool, code, gender string) string {
	cat, ok := pmks.ByCode(code)
	if !ok || !cat.WomenOnly() || gender != "L" {
		return ""
	}
	key := "case.warn.category.gender"
	if short {
		key += ".short"
	}
	return t(key, "category", html.EscapeString(cat.Name))
}

// categoryAgeWarning says why age does not fit category code's age limit
// ("" when it fits or the category has none); short is the card's form.
func categoryAgeWarning(t func(string, ...string) string, short bool, code string, age int) string {
	cat, ok := pmks.ByCode(code)
	if !ok {
		return ""
	}
	r, ok := cat.Ages()
	if !ok || r.Contains(age) {
		return ""
	}
	var ages string
	switch {
	case r.Max == pmks.NoMax:
		ages = t("case.ages.over", "min", strconv.Itoa(r.Min))
	case r.Min == 0:
		ages = t("case.ages.under", "max", strconv.Itoa(r.Max+1))
	default:
		ages = t("case.ages.between", "min", strconv.Itoa(r.Min), "max", strconv.Itoa(r.Max))
	}
	key := "case.warn.category.age"
	if short {
		key += ".short"
	}
	return t(key, "category", html.EscapeString(cat.Name), "ages", ages, "age", strconv.Itoa(age))
}

// ageOn is the age in whole years on day of someone born on birth.
func ageOn(birth, day parse.Day) int {
	age := day.Year - birth.Year
	if day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day) {
		age--
	}
	return age
}

// answeredAge is the age a birth answer gives today: the typed age, or the
// age on today's date of a birth date; ok is false for no answer.
func (a *App) answeredAge(c *Ctx, birth string) (int, bool) {
	if s, ok := strings.CutPrefix(birth, agePrefix); ok {
		n, err := strconv.Atoi(s)
		return n, err == nil
	}
	d, err := parse.Date(birth)
	if err != nil {
		return 0, false
	}
	return ageOn(d, parse.DayOf(c.Tx.Now().In(a.cfg.Location))), true
}

// ageDisagrees reports whether a typed age and the age a NIK's birth date
// gives differ by more than a year: a year's slack because people count age
// by the year of birth, and a NIK's day is sometimes not the real one.
func ageDisagrees(typed, fromNIK int) bool { return typed-fromNIK > 1 || fromNIK-typed > 1 }

// personWarnings are the verifier card's lines on a stored case k whose
// person does not fit what was answered: the category against the gender
// and the age on the report's day, a typed age against the NIK's birth date
// (n, zero without a NIK). The worker saw the same warnings in the form.
func (a *App) personWarnings(t func(string, ...string) string, k store.Case, n nik.NIK) []string {
	if k.NoNIKReason == "erased" {
		return nil
	}
	reported := parse.DayOf(k.CreatedAt.In(a.cfg.Location))
	age := k.Age
	if k.BirthDate != "" {
		d, err := parse.Date(k.BirthDate)
		if err != nil {
			return nil
		}
		age = ageOn(d, reported)
	}
	var out []string
	if k.BirthDate == "" && !n.IsZero() {
		if nikAge := ageOn(n.BirthDate(), reported); ageDisagrees(age, nikAge) {
			out = append(out, t("case.warn.age_nik.short", "age", strconv.Itoa(age), "nik_age", strconv.Itoa(nikAge),
				"date", formatDay(n.BirthDate())))
		}
	}
	for _, w := range []string{categoryAgeWarning(t, true, k.Category, age),
		categoryGenderWarning(t, true, k.Category, k.Gender)} {
		if w != "" {
			out = append(out, w)
		}
	}
	return out
}

// matchUrgency reads a typed urgency: a button's label without its emoji,
// or a word people use for it.
func matchUrgency(c *Ctx, text string) (string, error) {
	for _, u := range caseUrgencies {
		if pmks.SameName(text, c.T("case.urgency."+u)) || pmks.SameName(text, u) {
			return u, nil
		}
	}
	for u, words := range urgencyWords {
		for _, w := range words {
			if pmks.SameName(text, w) {
				return u, nil
			}
		}
	}
	return "", refuse("err.choice", "text", html.EscapeString(clip(text, 40)))
}

// urgencyWords are other words for each urgency, compared whole: "sangat
// penting" is none of them and is asked again rather than guessed.
var urgencyWords = map[string][]string{
	"biasa":    {"normal", "tidak mendesak", "tidak darurat", "tidak terlalu mendesak", "rendah"},
	"mendesak": {"segera", "penting", "perlu segera", "urgent", "urgen"},
	"darurat":  {"gawat", "gawat darurat", "sangat mendesak", "kritis", "emergency", "bahaya"},
}

const agePrefix = "age-"

// birthPlacePattern: a place name as the KTP writes it (letters, spaces, dots,
// hyphens, apostrophes, a comma or a slash), no digits: a date typed here is
// a slip meant for the birth date step, and SIKS-NG wants the name alone.
var birthPlacePattern = regexp.MustCompile(`^\p{L}[\p{L}\p{M} .,'’/-]*$`)

var ageWords = regexp.MustCompile(`(?i)^\s*(\d{1,3})\s*(tahun|thn|th|thn\.|years?|yrs?|y)?\s*$`)

func (a *App) birthOptions(c *Ctx) ([]Option, error) {
	var opts []Option
	if n := a.answeredNIK(c); !n.IsZero() {
		d := n.BirthDate()
		opts = append(opts, Option{Value: d.String(), Text: formatDay(d) + " " + c.T("case.from_nik")})
	}
	if cur := c.Answers.Text("birth"); cur != "" && (len(opts) == 0 || opts[0].Value != cur) {
		opts = append(opts, Option{Value: cur, Text: birthText(c, cur)})
	}
	return opts, nil
}

// birthText shows a birth answer: a date as 21-11-1980, an age as "45 tahun".
func birthText(c *Ctx, v string) string {
	if age, ok := strings.CutPrefix(v, agePrefix); ok {
		return c.T("case.age", "n", age)
	}
	if d, err := parse.Date(v); err == nil {
		return formatDay(d)
	}
	return v
}

func formatDay(d parse.Day) string { return d.Time().Format("02-01-2006") }

// matchBirth reads a birth date (not in the future) or an age in years.
func (a *App) matchBirth(c *Ctx, text string) (string, error) {
	if m := ageWords.FindStringSubmatch(text); m != nil {
		age, err := parse.Number(m[1], 0, parse.MaxAge)
		if err != nil {
			return "", refuse("case.err.age")
		}
		return agePrefix + strconv.Itoa(age), nil
	}
	d, err := parse.Date(text)
	if err == nil {
		err = parse.Birth(d, parse.DayOf(c.Tx.Now().In(a.cfg.Location)))
	}
	if err != nil {
		ie, ok := fromParse(err).(*InputError)
		if !ok {
			return "", err
		}
		return "", refuse("case.err.birth", "why", c.T(ie.Key, ie.Args...))
	}
	return d.String(), nil
}

// checkBirth refuses a birth out of range however it came (a button offers
// the NIK's date, or the answer a case had), and warns (never refuses) when
// the birth date differs from the NIK's, a typed age from the NIK's by more
// than a year, or the age does not fit the category.
func checkBirth(c *Ctx, v Value) error {
	if err := appOf(c).birthInRange(c, v.Text); err != nil {
		return err
	}
	var ws []string
	n := appOf(c).answeredNIK(c)
	age, hasAge := appOf(c).answeredAge(c, v.Text)
	switch {
	case n.IsZero():
	case strings.HasPrefix(v.Text, agePrefix):
		// An age typed instead of the date: checked against the NIK's
		// birth date too, or a NIK of a child passes as a man of 45.
		nikAge := ageOn(n.BirthDate(), parse.DayOf(c.Tx.Now().In(appOf(c).cfg.Location)))
		if hasAge && ageDisagrees(age, nikAge) {
			ws = append(ws, c.T("case.warn.age_nik", "age", strconv.Itoa(age), "nik_age", strconv.Itoa(nikAge),
				"date", formatDay(n.BirthDate())))
		}
	case v.Text != n.BirthDate().String():
		ws = append(ws, c.T("case.warn.birth", "date", formatDay(n.BirthDate())))
	}
	if hasAge {
		ws = append(ws, categoryAgeWarning(c.T, false, c.Answers.Text("category"), age))
	}
	return warn(c, ws...)
}

// birthInRange refuses an age over parse.MaxAge or a birth date out of
// parse.Birth's range, as matchBirth refuses them typed.
func (a *App) birthInRange(c *Ctx, v string) error {
	if age, ok := strings.CutPrefix(v, agePrefix); ok {
		if _, err := parse.Number(age, 0, parse.MaxAge); err != nil {
			return refuse("case.err.age")
		}
		return nil
	}
	d, err := parse.Date(v)
	if err == nil {
		err = parse.Birth(d, parse.DayOf(c.Tx.Now().In(a.cfg.Location)))
	}
	if ie, ok := fromParse(err).(*InputError); ok {
		return refuse("case.err.birth", "why", c.T(ie.Key, ie.Args...))
	}
	return err
}

const areaOwn, areaOther = "own", "other"

func (a *App) areaOptions(c *Ctx) ([]Option, error) {
	own := c.User.Kelurahan
	if pl, ok := a.cfg.Regions.KelurahanByCode(own); ok {
		own = pl.Kelurahan.Name + ", " + pl.Kecamatan.Name
	}
	return []Option{{Value: areaOwn, Text: "📍 " + own}, {Value: areaOther, Key: "case.area.other"}}, nil
}

func (a *App) checkArea(c *Ctx, v Value) error {
	if v.Text != areaOwn {
		return nil
	}
	return a.warnSimilar(c, c.User.Kelurahan)
}

// caseKelurahan is the case's kelurahan code as answered so far.
func caseArea(c *Ctx) (kec, kel string) {
	if c.Answers.Text("area") == areaOwn {
		return c.User.Kecamatan, c.User.Kelurahan
	}
	return c.Answers.Text("kecamatan"), c.Answers.Text("kelurahan")
}

// warnSimilar warns when a case with the same name, kelurahan and birth date
// is on record, as far as the person may know of it (dupViewOf); a match
// outside their area is audited and left to the reviewer's card.
func (a *App) warnSimilar(c *Ctx, kel string) error {
	birth := c.Answers.Text("birth")
	if strings.HasPrefix(birth, agePrefix) {
		return nil
	}
	fix, _ := strconv.ParseInt(c.Vars[varFix], 10, 64)
	similar, err := c.Tx.SimilarCases(c.Answers.Text("name"), kel, birth, fix)
	if err != nil || len(similar) == 0 {
		return err
	}
	var shown *store.Case
	view := dupHidden
	for _, s := range similar {
		v := a.dupViewOf(c.User, s)
		if err := c.Tx.Audit(c.User.ID, "similar_match", fmt.Sprintf("case %d %s in_scope=%t", s.ID, s.Code,
			v != dupHidden)); err != nil {
			return err
		}
		if shown == nil && v != dupHidden {
			shown, view = &s, v
		}
	}
	switch {
	case shown == nil:
		return nil
	case view == dupFull:
		return c.Reply("⚠️ " + c.T("case.warn.similar", "code", shown.Code,
			"status", c.T("case.status."+shown.Status), "category", html.EscapeString(categoryName(shown.Category))))
	}
	return c.Reply("⚠️ " + c.T("case.warn.similar.area", "code", shown.Code,
		"status", c.T("case.status."+shown.Status)))
}

func (a *App) caseKecamatanStep() Step {
	st := a.kecamatanStep()
	st.Prompt, st.Label = "case.kecamatan", "reg.kecamatan.label"
	st.If = func(c *Ctx) bool { return notFollowUp(c) && c.Answers.Text("area") != areaOwn }
	return st
}

func (a *App) caseKelurahanStep() Step {
	st := a.kelurahanStep()
	st.Prompt, st.Label = "case.kelurahan", "reg.kelurahan.label"
	st.If = func(c *Ctx) bool { return notFollowUp(c) && c.Answers.Text("area") != areaOwn }
	st.Check = func(c *Ctx, v Value) error { return a.warnSimilar(c, v.Text) }
	return st
}

func categoryName(code string) string {
	if cat, ok := pmks.ByCode(code); ok {
		return cat.Name
	}
	return code
}

// maskName keeps the first letter of each word: "Siti Wahyuni" -> "S*** W***".
func maskName(name string) string {
	words := strings.Fields(name)
	for i, w := range words {
		r := []rune(w)
		words[i] = string(r[:1]) + "***"
	}
	return strings.Join(words, " ")
}

// cmdReport is /lapor: it opens the case form.
func (a *App) cmdReport(c *Ctx, _ *session) error {
	return a.startFlow(c, a.flows[caseFlowName], map[string]string{"v": "1"}, nil, false)
}

// takeNIK reads a typed NIK for a form step: the message is deleted from the
// chat whether or not the number is valid (it is personal data either way),
// the digits go in the draft variable v (sealed at rest), and the NIK is shown
// back masked.
func (a *App) takeNIK(c *Ctx, text, v string) (nik.NIK, error) {
	if hasDigits(text, 6) && c.Ev.MessageID != 0 {
		if _, err := c.Send(store.Message{Kind: store.KindDelete, MessageID: c.Ev.MessageID}); err != nil {
			return nik.NIK{}, err
		}
	}
	n, err := nik.Parse(text, c.Tx.Now().In(a.cfg.Location))
	if err != nil {
		return nik.NIK{}, fromParse(err)
	}
	c.Vars[v] = n.String()
	if err := c.Reply(c.T("case.nik.received", "nik", n.Masked())); err != nil {
		return nik.NIK{}, err
	}
	return n, nil
}
