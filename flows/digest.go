package flows

import (
	"fmt"
	"html"
	"strings"
	"time"

	"dinsosbot/flows/i18n"
	"dinsosbot/store"

	"github.com/xuri/excelize/v2"
)

// Digest periods.
const (
	digestDaily  = "daily"
	digestWeekly = "weekly"
	digestBoth   = "both"
	digestNone   = "none"
)

// idleDays: the digest lists workers without any report in this many days.
const idleDays = 30

// upcomingDays: the digest lists the meetings starting in this many days.
const upcomingDays = 7

// DigestChoices are the values of Schedules.DigestDefault and of /ringkasan.
var DigestChoices = []string{digestDaily, digestWeekly, digestBoth, digestNone}

func digestSetting(choice string) store.DigestSetting {
	return store.DigestSetting{Daily: choice == digestDaily || choice == digestBoth,
		Weekly: choice == digestWeekly || choice == digestBoth}
}

func digestChoice(s store.DigestSetting) string {
	switch {
	case s.Daily && s.Weekly:
		return digestBoth
	case s.Daily:
		return digestDaily
	case s.Weekly:
		return digestWeekly
	}
	return digestNone
}

// settingOf is u's choice of digests, or the deployment's default.
func (a *App) settingOf(tx *store.Tx, u store.User) (store.DigestSetting, error) {
	s, ok, err := tx.DigestSettingOf(u.ID)
	if err != nil || ok {
		return s, err
	}
	return digestSetting(a.cfg.Schedules.DigestDefault), nil
}

// digestJob sends the period's digest, ending at the slot, to every
// coordinator and admin who receives it.
func (a *App) digestJob(period string) func(tx *store.Tx, slot time.Time) error {
	job := JobDigestDaily
	if period == digestWeekly {
		job = JobDigestWeekly
	}
	return func(tx *store.Tx, slot time.Time) error {
		staff, err := tx.Staff()
		if err != nil {
			return jobError(job, err)
		}
		for _, u := range staff {
			s, err := a.settingOf(tx, u)
			if err != nil {
				return jobError(job, err)
			}
			if (period == digestDaily && !s.Daily) || (period == digestWeekly && !s.Weekly) {
				continue
			}
			if err := a.sendDigest(tx, u, period, slot); err != nil {
				return jobError(job, err)
			}
		}
		return nil
	}
}

// scopeOf is the kecamatan u's digest covers: all for admins, their covered
// kecamatan for coordinators (nil: none).
func scopeOf(u store.User) []string {
	if u.Role == store.RoleAdmin {
		return []string{"*"}
	}
	return u.Covers
}

// sendDigest enqueues u's digest of the period ending at end: the chart of the
// period's new cases (when there are any) with the text as its caption when
// it fits one (1024), else the chart, then the text, split below Telegram's
// limit at line boundaries; the idle workers beyond the first few
// come as an XLSX sheet. It names no reported person and shows no NIK: cases appear by
// code only.
func (a *App) sendDigest(tx *store.Tx, u store.User, period string, end time.Time) error {
	scope := scopeOf(u)
	if len(scope) == 0 {
		return nil
	}
	lang := a.lang(u)
	start := end.Add(-24 * time.Hour)
	if period == digestWeekly {
		start = end.Add(-7 * 24 * time.Hour)
	}
	st, err := tx.DigestStats(scope, start, end)
	if err != nil {
		return err
	}
	title := i18n.T(lang, "dig.title."+period, "from", a.formatTime(start), "to", a.formatTime(end))
	area := a.areaNames(lang, scope)
	msg := store.Message{ChatID: u.ID, Priority: store.PriorityNotice}
	if st.NewTotal == 0 && len(st.StatusChanges) == 0 {
		msg.Text = i18n.T(lang, "dig.empty", "title", title, "area", area)
		_, err := tx.Enqueue(msg)
		return err
	}
	png, err := a.digestChart(lang, st, title)
	if err != nil {
		return err
	}
	idle, err := tx.IdleWorkers(scope, end.Add(-idleDays*24*time.Hour))
	if err != nil {
		return err
	}
	lines, err := a.digestLines(tx, lang, st, scope, title, area, end, idle)
	if err != nil {
		return err
	}
	text := strings.Trim(strings.Join(lines, "\n"), "\n")
	if png != nil { // no new cases: nothing to draw
		chart := store.Message{Kind: store.KindPhoto, ChatID: u.ID, Priority: store.PriorityNotice,
			File: png, FileName: i18n.T(lang, "dig.chart.file", "date", end.In(a.cfg.Location).Format(time.DateOnly)),
			Text: "📊 " + title}
		short := captionLen(text) <= maxCaption
		if short {
			// One message: the chart with the digest as its caption.
			chart.Text = text
		}
		if _, err := tx.Enqueue(chart); err != nil {
			return err
		}
		if short {
			lines = nil
		}
	}
	if err := a.enqueueLong(tx, msg, lines); err != nil {
		return err
	}
	if len(idle) <= maxIdleShown {
		return nil
	}
	// The whole list, however long, as one sheet: the text names the first
	// few only, so 10,000 workers cost one message, not a hundred.
	sheet, err := a.idleSheet(lang, idle)
	if err != nil {
		return err
	}
	_, err = tx.Enqueue(store.Message{Kind: store.KindDocument, ChatID: u.ID, Priority: store.PriorityNotice,
		File: sheet, FileName: i18n.T(lang, "dig.idle.file", "date", end.In(a.cfg.Location).Format(time.DateOnly)),
		Text: i18n.T(lang, "dig.idle.caption", "n", itoa(len(idle)), "days", itoa(idleDays))})
	return err
}

// maxIdleShown is how many idle workers a digest's text names; the rest are
// in the attached sheet.
const maxIdleShown = 10

// idleSheet is the XLSX list of idle workers: name, role, kecamatan,
// kelurahan, last report (or none).
func (a *App) idleSheet(lang i18n.Lang, idle []store.User) ([]byte, error) {
	T := func(key string, args ...string) string { return i18n.T(lang, key, args...) }
	table := [][]string{{T("dig.idle.col.name"), T("dig.idle.col.role"), T("dig.idle.col.kecamatan"),
		T("dig.idle.col.kelurahan")}}
	for _, u := range idle {
		kec, kel := u.Kecamatan, u.Kelurahan
		if k, ok := a.cfg.Regions.KecamatanByCode(kec); ok {
			kec = k.Name
		}
		if p, ok := a.cfg.Regions.KelurahanByCode(kel); ok {
			kel = p.Kelurahan.Name
		}
		table = append(table, []string{csvCell(displayName(u)), T("role." + u.Role), csvCell(kec), csvCell(kel)})
	}
	data, err := textTableXLSX(T("dig.idle.sheet"), table)
	if err != nil {
		return nil, fmt.Errorf("idle workers sheet: %w", err)
	}
	return data, nil
}

// digestLines is the digest's text, one self-contained line of HTML each.
func (a *App) digestLines(tx *store.Tx, lang i18n.Lang, st store.DigestStats, scope []string, title, area string,
	end time.Time, idle []store.User) ([]string, error) {
	T := func(key string, args ...string) string { return i18n.T(lang, key, args...) }
	lines := []string{"📊 <b>" + title + "</b>", T("dig.area", "area", area), "",
		T("dig.new", "n", itoa(st.NewTotal))}
	if st.NewTotal > 0 {
		lines = append(lines, T("dig.by_category"))
		for _, c := range st.NewByCategory {
			lines = append(lines, "• "+html.EscapeString(categoryName(c.Key))+": "+itoa(c.N))
		}
		lines = append(lines, T("dig.by_kecamatan"))
		for _, c := range st.NewByKecamatan {
			lines = append(lines, "• "+a.kecamatanName(c.Key)+": "+itoa(c.N))
		}
	}
	changes := 0
	for _, c := range st.StatusChanges {
		changes += c.N
	}
	lines = append(lines, "", T("dig.changes", "n", itoa(changes)))
	for _, c := range st.StatusChanges {
		lines = append(lines, "• "+T("case.status."+c.Key)+": "+itoa(c.N))
	}
	lines = append(lines, "", T("dig.backlog", "n", itoa(st.Backlog)))
	if st.Backlog > 0 {
		k := st.Oldest
		lines = append(lines, T("dig.oldest", "code", k.Code, "kecamatan", a.kecamatanName(k.Kecamatan),
			"since", a.formatDate(k.UpdatedAt), "days", itoa(daysBetween(k.UpdatedAt, end))))
	}
	meetings, err := a.digestMeetings(tx, lang, scope, end)
	if err != nil {
		return nil, err
	}
	lines = append(lines, meetings...)
	lines = append(lines, "", T("dig.idle", "n", itoa(len(idle)), "days", itoa(idleDays)))
	for _, u := range idle[:min(len(idle), maxIdleShown)] {
		lines = append(lines, "• "+html.EscapeString(displayName(u))+" ("+T("role."+u.Role)+", "+
			a.kecamatanName(u.Kecamatan)+")")
	}
	if len(idle) > maxIdleShown {
		lines = append(lines, T("dig.idle.more", "n", itoa(len(idle)-maxIdleShown)))
	}
	return lines, nil
}

// digestMeetings are the lines on the coming week's meetings with their
// answers so far, and on the last meeting's attendance by role; for a
// coordinator, only meetings inviting (or seen by) people of their scope, and
// only those people counted.
func (a *App) digestMeetings(tx *store.Tx, lang i18n.Lang, scope []string, end time.Time) ([]string, error) {
	T := func(key string, args ...string) string { return i18n.T(lang, key, args...) }
	upcoming, err := tx.UpcomingAnswers(scope, end, end.Add(upcomingDays*24*time.Hour))
	if err != nil {
		return nil, err
	}
	lines := []string{"", T("dig.upcoming", "n", itoa(len(upcoming)))}
	for _, m := range upcoming {
		lines = append(lines, T("dig.upcoming.item", "title", html.EscapeString(m.Title), "when", a.when(m.Meeting),
			"yes", itoa(m.Yes), "no", itoa(m.No), "none", itoa(m.None)))
	}
	last, ok, err := tx.LastTurnout(scope, end)
	if err != nil || !ok {
		return lines, err
	}
	present := 0
	for _, n := range last.Present {
		present += n
	}
	var roles []string
	for _, r := range []string{store.RolePSM, store.RoleTKSK, store.RoleCoordinator, store.RoleAdmin, store.RoleNone} {
		if n := last.Present[r]; n > 0 {
			roles = append(roles, T("role."+r)+" "+itoa(n))
		}
	}
	lines = append(lines, T("dig.last", "title", html.EscapeString(last.Title), "date", a.formatDate(last.StartsAt),
		"present", itoa(present), "invited", itoa(last.Invited)))
	if len(roles) > 0 {
		lines = append(lines, "• "+strings.Join(roles, " · "))
	}
	return lines, nil
}

// areaNames names the kecamatan of scope, or says "all".
func (a *App) areaNames(lang i18n.Lang, scope []string) string {
	var names []string
	for _, k := range scope {
		if k == "*" {
			return i18n.T(lang, "dig.area.all")
		}
		names = append(names, a.kecamatanName(k))
	}
	return strings.Join(names, ", ")
}

// cmdDigest is /ringkasan: "sekarang" sends the digest at once; a choice word
// (harian, mingguan, keduanya, mati) sets which digests come; with nothing it
// shows the setting and asks with buttons.
func (a *App) cmdDigest(c *Ctx, s *session) error {
	arg := strings.ToLower(strings.TrimSpace(c.Ev.Args))
	current, err := a.settingOf(c.Tx, c.User)
	if err != nil {
		return err
	}
	switch arg {
	case "sekarang", "now":
		period := digestDaily
		if !current.Daily && current.Weekly {
			period = digestWeekly
		}
		if len(scopeOf(c.User)) == 0 {
			return c.Reply(c.T("dig.no_area"))
		}
		if err := a.sendDigest(c.Tx, c.User, period, c.Tx.Now()); err != nil {
			return err
		}
		if s != nil {
			return a.reprompt(c, s, c.T("flow.resume"))
		}
		return nil
	case "":
	default:
		choice, ok := digestWords[arg]
		if !ok {
			return c.Reply(c.T("dig.usage"))
		}
		return a.setDigest(c, choice)
	}
	if s != nil {
		return a.reprompt(c, s, c.T("flow.busy"))
	}
	if err := c.Reply(c.T("dig.current", "choice", c.T("dig.choice."+digestChoice(current)))); err != nil {
		return err
	}
	return a.startFlow(c, a.flows[digestFlowName], nil, nil, false)
}

// digestWords are the words /ringkasan takes for a choice, in both languages.
var digestWords = map[string]string{
	"harian": digestDaily, "daily": digestDaily, "mingguan": digestWeekly, "weekly": digestWeekly,
	"keduanya": digestBoth, "both": digestBoth, "mati": digestNone, "off": digestNone, "none": digestNone,
}

const digestFlowName = "digest"

// digestFlow asks which digests to receive: one tap, saved at once.
func (a *App) digestFlow() *Flow {
	var opts []Option
	for _, v := range DigestChoices {
		opts = append(opts, Option{Value: v, Key: "dig.choice." + v})
	}
	return &Flow{Name: digestFlowName, Title: "dig.flow.title", NoSummary: true, Steps: []Step{
		{Key: "choice", Prompt: "dig.ask", Input: InputChoice, Options: opts},
	}, Save: func(c *Ctx) error { return a.setDigest(c, c.Answers.Text("choice")) }}
}

func (a *App) setDigest(c *Ctx, choice string) error {
	if err := c.Tx.SetDigestSetting(c.User.ID, digestSetting(choice)); err != nil {
		return err
	}
	return c.Reply(c.T("dig.saved", "choice", c.T("dig.choice."+choice)))
}

// textTableXLSX is a one-sheet workbook of text cells, the first row a bold
// header kept in view while scrolling: lists for reading, not for sums.
func textTableXLSX(sheet string, table [][]string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	wrap := func(err error) error { return fmt.Errorf("text table xlsx: %w", err) }
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, wrap(err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return nil, wrap(err)
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return nil, wrap(err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, wrap(err)
	}
	if len(table) > 0 {
		if err := sw.SetColWidth(1, len(table[0]), 24); err != nil {
			return nil, wrap(err)
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, wrap(err)
		}
	}
	for r, row := range table {
		style := text
		if r == 0 {
			style = head
		}
		cells := make([]any, len(row))
		for i, v := range row {
			cells[i] = excelize.Cell{StyleID: style, Value: v}
		}
		if err := sw.SetRow(cellName(1, r+1), cells); err != nil {
			return nil, wrap(err)
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, wrap(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, wrap(err)
	}
	return buf.Bytes(), nil
}
