package bottest_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows/region"
	"dinsosbot/flows/xlsform"
	"dinsosbot/flows/xlsform/xlsformtest"
	"dinsosbot/store"
)

// TestFormCorpusRuns: forms written the way people write them (the XLSForm
// template, KoBoToolbox exports, pyxform's older spellings, typed Excel
// cells, conditional required, groups, cascades; testdata/realforms) each
// load, and a worker who knows nothing of them fills each to the end
// through the fake Telegram, answering every question by its type and
// trying another answer when a constraint refuses one. The submission is
// stored with the form's version.
func TestFormCorpusRuns(t *testing.T) {
	files, err := filepath.Glob("testdata/realforms/*.xlsx")
	must(t, err)
	if len(files) < 20 {
		t.Fatalf("only %d forms in testdata/realforms", len(files))
	}
	forms := trickyForms(t)
	for _, file := range files {
		xlsx, err := os.ReadFile(file)
		must(t, err)
		forms[strings.TrimSuffix(filepath.Base(file), ".xlsx")] = xlsx
	}
	for name, xlsx := range forms {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			form, err := xlsform.Load(bytes.NewReader(xlsx), xlsform.Options{Regions: region.KotaJambi()})
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			h := bottest.Start(t, bottest.Options{Admins: []int64{scopeAdminID}})
			u := h.NewUser("Sri")
			seedWorker(t, h, u, "")
			publishForm(t, h, form.ID, "1", xlsx)
			w := &walker{t: t, h: h, u: u, form: form}
			w.fill()
			subs := submissions(t, h, u.ID())
			if len(subs) != 1 {
				t.Fatalf("%d submissions stored", len(subs))
			}
			answers := decoded(t, subs[0])
			for _, q := range form.Questions {
				asked := q.Type.Asked() && !q.ReadOnly && q.Type != xlsform.Note && q.Type != xlsform.Acknowledge
				if asked && q.Required && q.Relevant == nil && (answers[q.Name].Skipped || answers[q.Name].Text == "" &&
					len(answers[q.Name].List) == 0 && len(answers[q.Name].Files) == 0 && answers[q.Name].Lat == 0) {
					t.Errorf("required %s [%s] stored as %+v", q.Name, q.Type, answers[q.Name])
				}
			}
			w.exportHas(startAdmin(t, h, scopeAdminID))
			h.NoViolations()
		})
	}
}

// trickyForms are forms whose logic a chat could get wrong: a cascade left
// with no choices, a relevant reading a later question, an exclusive
// "none", a default choice, a whole group not applicable, an age worked out
// from a date, a constraint reading a calculation.
func trickyForms(t *testing.T) map[string][]byte {
	yn := [][]string{{"list_name", "name", "label", "district"}, {"yn", "yes", "Yes"}, {"yn", "no", "No"},
		{"district", "d1", "Empty district"}, {"district", "d2", "District 2"}, {"village", "v1", "Village 1", "d2"},
		{"aid", "food", "Food"}, {"aid", "cash", "Cash"}, {"aid", "none", "None"}}
	header := []string{"type", "name", "label", "required", "relevant", "constraint", "calculation", "default", "choice_filter"}
	form := func(id string, rows ...[]string) []byte {
		return xlsformtest.Form(t, append([][]string{header}, rows...), yn, xlsformtest.Settings(id))
	}
	return map[string][]byte{
		"tricky_empty_cascade": form("empty_cascade",
			[]string{"select_one district", "district", "District", "yes"},
			[]string{"select_one village", "village", "Village", "yes", "", "", "", "", "district = ${district}"},
			[]string{"text", "after", "After", "yes"}),
		"tricky_later_relevant": form("later_relevant",
			[]string{"text", "early", "Early", "yes", "${late} = 'x'"},
			[]string{"text", "late", "Late", "yes"}),
		"tricky_none_exclusive": form("none_exclusive",
			[]string{"select_multiple aid", "aid", "Aid", "yes", "", "not(selected(., 'none') and count-selected(.) > 1)"},
			[]string{"note", "shown", "Got ${aid}"}),
		"tricky_default_choice": form("default_choice",
			[]string{"select_one yn", "ok", "OK?", "yes", "", "", "", "no"},
			[]string{"integer", "n", "N", "yes", "", "", "", "3"}),
		"tricky_group_off": form("group_off",
			[]string{"begin group", "g", "G", "", "false()"},
			[]string{"text", "in", "Inside", "yes"},
			[]string{"end group"},
			[]string{"text", "out", "Outside", "yes"}),
		"tricky_age": form("age",
			[]string{"date", "dob", "Date of birth", "yes", "", ". <= today()"},
			[]string{"calculate", "age", "", "", "", "", "int((today() - ${dob}) div 365.25)"},
			[]string{"note", "says", "Age ${age}"},
			[]string{"integer", "kids", "Children", "yes", "${age} >= 18"}),
		"tricky_calc_constraint": form("calc_constraint",
			[]string{"integer", "a", "A", "yes"},
			[]string{"calculate", "twice", "", "", "", "", "${a} * 2"},
			[]string{"integer", "b", "B", "yes", "", ". <= ${twice} and . >= ${a}"}),
	}
}

// walker fills a form it was not written for, question by question, from
// what the bot's stored conversation says is being asked.
type walker struct {
	t    *testing.T
	h    *bottest.Harness
	u    *telegramtest.User
	form *xlsform.Form
}

func (w *walker) fill() {
	t := w.t
	w.act(func() { w.u.SendText("/formulir") })
	var title string
	for _, o := range w.options() {
		if strings.HasPrefix(o, "📝 ") {
			title = o
		}
	}
	if title == "" {
		t.Fatalf("no form in the menu: %v", w.options())
	}
	w.act(func() { must(t, w.u.Press(title)) })
	tries := map[string]int{}
	for range 4*len(w.form.Questions) + 20 {
		c, ok := w.conversation()
		if !ok {
			t.Fatalf("the conversation closed before the form was sent; last message %q", w.lastText())
		}
		if c.Step == "_summary" {
			w.act(func() { must(t, w.u.Press("✅ Simpan")) })
			if _, err := w.u.WaitForText(wait, "terkirim"); err != nil {
				t.Fatal(err)
			}
			return
		}
		q := w.question(c.Step)
		if q == nil {
			t.Fatalf("step %q is no question of the form", c.Step)
		}
		n := tries[c.Step]
		tries[c.Step]++
		switch {
		case n >= 6:
			t.Fatalf("stuck at %s [%s]: %q", q.Name, q.Type, w.lastText())
		case n >= 4: // no answer of ours meets its constraint
			w.act(func() { w.u.SendText("/lewati") })
		default:
			w.answer(c.Step, q, n)
		}
	}
	t.Fatalf("the form did not end; last message %q", w.lastText())
}

// answer gives the n-th answer of ours to question q (step key): each a
// plausible one of its type, so that some constraint of the form's lets one
// through.
func (w *walker) answer(key string, q *xlsform.Question, n int) {
	t, u := w.t, w.u
	today := w.h.Clock.Now().In(time.FixedZone("WIB", 7*3600)).Format("02-01-2006")
	send := func(answers ...string) { w.act(func() { u.SendText(answers[n%len(answers)]) }) }
	press := func(label string) { w.act(func() { must(t, u.Press(label)) }) }
	switch q.Type {
	case xlsform.Text:
		send("Jawaban uji", "Budi Santoso", "12345", "abc")
	case xlsform.Integer:
		send("5", "30", "1", "0")
	case xlsform.Decimal:
		send("1,5", "50", "5", "0,5")
	case xlsform.Date:
		send("01-01-1990", today, "01-06-2026")
	case xlsform.Time:
		send("09.00", "14.30")
	case xlsform.DateTime:
		send(today+" 09.00", "01-11-2026 09.00")
	case xlsform.NIK:
		send("1571015205900003")
	case xlsform.SelectOne, xlsform.Kecamatan, xlsform.Kelurahan, xlsform.SelectMultiple:
		opts := w.options()
		if len(opts) == 0 {
			// Nothing fits an earlier answer: change it, the bot says.
			if !strings.Contains(w.lastText(), "Tidak ada pilihan yang cocok") {
				t.Fatalf("%s shows no choices and does not say why: %q", q.Name, w.lastText())
			}
			send("/kembali")
			return
		}
		press(opts[n%len(opts)])
		if q.Type == xlsform.SelectMultiple {
			press("✔️ Selesai")
		}
	case xlsform.Geopoint:
		w.act(func() { u.SendLocation(-1.6101, 103.6131) })
	case xlsform.Image:
		w.act(func() { u.SendPhoto(smallJPEG(t), "") })
		if c, _ := w.conversation(); c.Step == key {
			press("✔️ Selesai")
		}
	case xlsform.Audio:
		w.act(func() { u.SendVoice([]byte("OggS\x00\x02 voice"), 5) })
	case xlsform.Note:
		press("Lanjut ➡️")
	case xlsform.Acknowledge:
		press("✅ Saya mengerti")
	default:
		t.Fatalf("question %s of type %s is asked", q.Name, q.Type)
	}
}

func (w *walker) lastText() string {
	m, _ := w.u.Last()
	return m.Text
}

// exportHas checks the admin's /ekspor of the form: one row, with a column
// for every question asked (KoBoToolbox's group paths allowed).
func (w *walker) exportHas(admin actor) {
	t := w.t
	admin.send("/ekspor", "bentuk apa")
	m, _ := admin.Last()
	var title string
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if strings.HasPrefix(b.Text, "📋 ") {
				title = strings.TrimPrefix(b.Text, "📋 ")
			}
		}
	}
	if title == "" {
		t.Fatalf("the form is not offered for export: %v", m.InlineKeyboard)
	}
	rows := exportForm(t, admin, title, 1)
	if len(rows) != 2 {
		t.Fatalf("export rows %d, want the header and one", len(rows))
	}
	for _, q := range w.form.Questions {
		if !q.Type.Asked() || q.Type == xlsform.Note {
			continue
		}
		if !slices.ContainsFunc(rows[0], func(col string) bool { return col == q.Name || strings.HasSuffix(col, "/"+q.Name) }) {
			t.Errorf("no column for %s in %v", q.Name, rows[0])
		}
	}
}

// conversation is the user's open conversation, ok false when none.
func (w *walker) conversation() (store.Conversation, bool) {
	c, ok, err := conversationOf(w.h, w.u.ID())
	must(w.t, err)
	return c, ok
}

// act does one thing and waits until the bot has answered it (a new prompt,
// the conversation closed, or the newest message changed) and sent all it
// had to.
func (w *walker) act(do func()) {
	before, open := w.conversation()
	last, _ := w.u.Last()
	do()
	w.h.WaitUntil(wait, "the bot answers", func() bool {
		if now, ok := w.conversation(); open && (!ok || now.Nonce != before.Nonce) {
			return true
		}
		m, _ := w.u.Last()
		return m.ID != last.ID || m.Text != last.Text || !sameKeyboard(m.InlineKeyboard, last.InlineKeyboard)
	})
	// The conversation is stored with the messages it sends: wait for
	// them to arrive too.
	settle(w.t, w.h)
}

func sameKeyboard(a, b [][]telegramtest.Button) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

// question is the form's question behind step key, nil for a step of the
// bot's own (the summary, a case link).
func (w *walker) question(key string) *xlsform.Question {
	if q := w.form.Question(key); q != nil {
		return q
	}
	if i, err := strconv.Atoi(strings.TrimPrefix(key, "q")); err == nil && strings.HasPrefix(key, "q") && i < len(w.form.Questions) {
		return &w.form.Questions[i]
	}
	return nil
}

// options are the labels of the choice buttons of the newest message, the
// prompt: none when it has no keyboard.
func (w *walker) options() []string {
	m, _ := w.u.Last()
	var out []string
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if strings.HasPrefix(b.Text, "◀") || strings.HasSuffix(b.Text, "▶") || strings.HasPrefix(b.Text, "⏭") ||
				strings.HasPrefix(b.Text, "✔️") || strings.HasPrefix(b.Text, "✅ ") {
				continue
			}
			out = append(out, b.Text)
		}
	}
	return out
}
