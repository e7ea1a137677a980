package engine_test

import (
	"strconv"
	"testing"

	"dinsosbot/flows/engine"
	"dinsosbot/flows/i18n"
	"dinsosbot/store"
)

// visit is a form built at run time, as an XLSForm is: literal texts, a name
// with its version.
func visit(version string, sv *saver) *engine.Flow {
	return &engine.Flow{Name: "xf:visit:" + version, TitleText: lit("Kunjungan v"+version, "Visit v"+version),
		Steps: []engine.Step{
			{Key: "what", PromptText: lit("Apa yang dilakukan (v"+version+")?", "What was done?"), Input: engine.InputText, Min: 1, Max: 100},
			{Key: "more", PromptText: lit("Catatan lain (v"+version+")?", "Other notes?"), Input: engine.InputText, Min: 1, Max: 100},
		}, Save: sv.save}
}

// A draft of a flow that is not registered is found again through the host,
// by the name it was stored with: after a restart and a new version, it
// finishes on the version it started.
func TestDynamicFlowFinishesOnItsVersion(t *testing.T) {
	var sv1, sv2 saver
	built := map[string]*engine.Flow{}
	host := engine.Host{LookupFlow: func(_ *store.Tx, name string) (*engine.Flow, bool, error) {
		f, ok := built[name]
		return f, ok, nil
	}}
	b := newBench(t, host)
	for _, f := range []*engine.Flow{visit("1", &sv1), visit("2", &sv2)} {
		if err := b.eng.Validate(f); err != nil {
			t.Fatal(err)
		}
	}
	built["xf:visit:1"] = visit("1", &sv1)
	if err := b.eng.Validate(built["xf:visit:1"]); err != nil {
		t.Fatal(err)
	}
	b.startFlow(built["xf:visit:1"]).expect("Apa yang dilakukan (v1)?")
	b.send("Mengantar ke puskesmas").expect("Catatan lain (v1)?")

	// A new version is published and the bot restarts: the open draft stays on v1.
	built["xf:visit:2"] = visit("2", &sv2)
	if err := b.eng.Validate(built["xf:visit:2"]); err != nil {
		t.Fatal(err)
	}
	b.restart()
	b.send("Kondisi baik").expect("Kunjungan v1").reject("v2")
	b.press("Simpan").expect("SAVED")
	if sv1.got.Text("what") != "Mengantar ke puskesmas" || sv1.got.Text("more") != "Kondisi baik" || sv2.got != nil {
		t.Fatalf("saved v1 %v, v2 %v", sv1.got, sv2.got)
	}

	// A draft whose flow the host no longer knows is dropped, not failed on.
	b.startFlow(built["xf:visit:2"])
	delete(built, "xf:visit:2")
	b.send("x").expect("no flow")
	if b.step() != "" {
		t.Fatalf("draft kept at %q", b.step())
	}
}

// A flow that was not validated is not started.
func TestStartNeedsValidation(t *testing.T) {
	b := newBench(t, engine.Host{})
	var sv saver
	b.run(engine.Event{Kind: engine.EventMessage}, func(c *engine.Ctx) error {
		if err := b.eng.Start(c, visit("1", &sv), nil, nil, false); err == nil {
			t.Error("an unvalidated flow started")
		}
		return nil
	})
}

// Texts a form author wrote are shown as text, in the person's language: a
// question with its hint, the field's name, the form's title, the refusal
// of a skipped required question and a constraint's message.
func TestLiteralTexts(t *testing.T) {
	var sv saver
	f := &engine.Flow{Name: "lit", TitleText: lit("Form <Uji> & co", "Test <form>"), Save: sv.save, Steps: []engine.Step{
		{Key: "age", PromptText: lit("Umur <anak>?", "Child's <age>?"), HintText: lit("dalam tahun & bulan", "in years"),
			LabelText: lit("Umur & tahun", "Age"), Input: engine.InputNumber, Min: 0, Max: 200,
			RequiredText: lit("Umur <wajib> diisi", "Age is <required>"),
			Check: func(_ *engine.Ctx, v engine.Value) error {
				if n, _ := strconv.Atoi(v.Text); n > 17 {
					return engine.Refusal("Harus di bawah 18 &lt;anak&gt;")
				}
				return nil
			}},
	}}
	b := newBench(t, engine.Host{}, f)
	b.start("lit").expect("Umur &lt;anak&gt;?").expect("<i>dalam tahun &amp; bulan</i>")
	b.send("/lewati").expect("⚠️ Umur &lt;wajib&gt; diisi").reject("<wajib>")
	b.send("40").expect("⚠️ Harus di bawah 18 &lt;anak&gt;")
	if b.step() != "age" {
		t.Fatalf("step %q", b.step())
	}
	b.send("7").expect("<b>Form &lt;Uji&gt; &amp; co</b>").expect("Umur &amp; tahun: <b>7</b>")
	if got := b.buttons(); !contains(got, "✏️ Umur & tahun") {
		t.Fatalf("buttons %q: want the literal label unescaped", got)
	}

	b.lang = i18n.EN
	b.send("/batal")
	b.start("lit").expect("Child&#39;s &lt;age&gt;?").expect("<i>in years</i>")
	b.send("/lewati").expect("Age is &lt;required&gt;")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A computed step (Hidden with a Preset, an XLSForm calculate) follows the
// answers it is computed from, is never asked nor shown, costs no message,
// and has no answer while there is nothing to compute from.
func TestComputedStep(t *testing.T) {
	var sv saver
	double := func(c *engine.Ctx) (engine.Value, bool) {
		n, err := strconv.Atoi(c.Answers.Text("n"))
		if err != nil {
			return engine.Value{}, false
		}
		return engine.Value{Text: strconv.Itoa(2 * n)}, true
	}
	f := &engine.Flow{Name: "calc", Title: "profile.title", Save: sv.save, Steps: []engine.Step{
		{Key: "n", Prompt: "invite.uses", Label: "invite.uses.label", Input: engine.InputNumber, Min: 1, Max: 50, Optional: true},
		{Key: "double", Hidden: true, Preset: double, Input: engine.InputNumber},
		{Key: "name", Prompt: "reg.name", Label: "cmd.start", Input: engine.InputText, Min: 1, Max: 50},
	}}
	b := newBench(t, engine.Host{}, f)
	b.start("calc").send("4")
	if b.messages() != 1 || b.step() != "name" {
		t.Fatalf("after n: %d messages, step %q", b.messages(), b.step())
	}
	b.send("Sri").reject(">8<")
	b.press("✏️ " + i18n.T(i18n.ID, "invite.uses.label")).send("5")
	if b.step() != "_summary" {
		t.Fatalf("step %q, want the summary", b.step())
	}
	b.reject("10</b>")
	b.press("Simpan")
	if sv.got.Text("double") != "10" {
		t.Fatalf("double = %q, want 10 (recomputed)", sv.got.Text("double"))
	}

	// Skipped: nothing to compute from, and the hidden step is not asked.
	b.start("calc").send("/lewati")
	if b.step() != "name" {
		t.Fatalf("step %q after a skip, want name", b.step())
	}
	b.send("Sri").press("Simpan")
	if sv.got.Has("double") {
		t.Fatalf("double = %+v, want none", sv.got["double"])
	}
}
