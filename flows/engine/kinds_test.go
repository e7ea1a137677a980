package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"dinsosbot/flows/engine"
	"dinsosbot/flows/i18n"
)

func ptr(f float64) *float64 { return &f }

// The input kinds forms need beyond the built-in flows': a decimal, a date
// with a time, a voice note, a note to read and an acknowledgement; each
// refuses what it cannot read, with why.
func TestNewInputKinds(t *testing.T) {
	var sv saver
	f := &engine.Flow{Name: "kinds", TitleText: lit("Jenis", "Kinds"), Save: sv.save, Steps: []engine.Step{
		{Key: "intro", PromptText: lit("Baca ini dulu.", "Read this first."), Input: engine.InputNote},
		{Key: "weight", PromptText: lit("Berat badan (kg)?", "Weight (kg)?"), Input: engine.InputDecimal,
			MinFloat: ptr(0.5), MaxFloat: ptr(300)},
		{Key: "when", PromptText: lit("Kapan?", "When?"), Input: engine.InputDateTime},
		{Key: "voice", PromptText: lit("Rekam pesan suara.", "Record a voice note."), Input: engine.InputAudio},
		{Key: "mid", PromptText: lit("Catatan tengah.", "A note."), Input: engine.InputNote},
		{Key: "ok", PromptText: lit("Data ini rahasia.", "This is confidential."), LabelText: lit("Rahasia", "Confidential"),
			Input: engine.InputAck},
	}}
	b := newBench(t, engine.Host{}, f)
	b.start("kinds").expect("Baca ini dulu.")
	if !contains(b.buttons(), i18n.T(i18n.ID, "flow.btn.next")) {
		t.Fatalf("note buttons %q", b.buttons())
	}
	b.press("Lanjut").expect("Berat badan (kg)?")

	for _, tc := range []struct{ in, want string }{
		{"berat", "Tulis angka"},
		{"1.234,5", "Tulis angka"},
		{"1e3", "Tulis angka"},
		{"NaN", "Tulis angka"},
		{"0,2", "Terlalu kecil: paling sedikit 0.5."},
		{"301", "Terlalu besar: paling banyak 300."},
	} {
		b.send(tc.in).expect("⚠️").expect(tc.want)
		if b.step() != "weight" {
			t.Fatalf("%q: step %q", tc.in, b.step())
		}
	}
	b.send("12,5").expect("Kapan?")
	for _, in := range []string{"21-11-2026", "besok sore", "31-02-2026 09.30", "21-11-2026 25.00"} {
		b.send(in).expect("⚠️")
		if b.step() != "when" {
			t.Fatalf("%q: step %q", in, b.step())
		}
	}
	b.send("21-11-2026 jam 09.30").expect("Rekam pesan suara.")
	b.send("halo").expect("⚠️ " + i18n.T(i18n.ID, "err.audio.need"))
	b.message(engine.Event{Kind: engine.EventMessage, Audio: &engine.Audio{FileID: "AwAD", FileUniqueID: "u1", Duration: 12, Voice: true}})
	b.expect("Catatan tengah.")
	b.send("apa saja").expect("Data ini rahasia.") // any message reads on past a note
	b.send("tidak").expect("⚠️").expect("Saya mengerti")
	b.press("Saya mengerti")
	b.expect("Berat").expect("12,5").expect("21-11-2026 09.30").expect("rekaman 12 detik").expect("Rahasia: <b>Sudah dibaca")
	b.reject("Baca ini dulu").reject("Catatan tengah")
	for _, btn := range b.buttons() {
		if strings.Contains(btn, "Baca") || strings.Contains(btn, "Catatan") {
			t.Fatalf("a note has an edit button: %q", b.buttons())
		}
	}
	b.press("Simpan").expect("SAVED")
	got := sv.got
	if got.Text("weight") != "12.5" || got.Text("when") != "2026-11-21T09:30" || got["voice"].Audio == nil ||
		got["voice"].Audio.FileID != "AwAD" || got.Text("ok") != "OK" {
		t.Fatalf("saved %+v", got)
	}

	// The acknowledgement may also be typed; /lewati at a note reads on.
	b.start("kinds").send("/lewati").expect("Berat badan")
	b.send("0.5").send("1 Desember 2026 14:00").message(engine.Event{Kind: engine.EventMessage,
		Audio: &engine.Audio{FileID: "x", FileUniqueID: "u2", Duration: 3}}).press("Lanjut").send("saya mengerti")
	if b.step() != "_summary" {
		t.Fatalf("step %q, want the summary", b.step())
	}
}

// A long choice is paged with ◀ ▶ in place, for one choice and several; a
// typed label still matches an option on another page; a several-choice's
// Check runs at done.
func TestLongChoicePaged(t *testing.T) {
	var opts []engine.Option
	for i := 1; i <= 23; i++ {
		opts = append(opts, engine.Option{Value: fmt.Sprintf("k%d", i), Text: fmt.Sprintf("Desa %02d", i)})
	}
	var sv saver
	f := &engine.Flow{Name: "paged", TitleText: lit("Desa", "Village"), Save: sv.save, Steps: []engine.Step{
		{Key: "one", PromptText: lit("Desa mana?", "Which?"), Input: engine.InputChoice, Options: opts, PageSize: 9},
		{Key: "many", PromptText: lit("Desa mana saja?", "Which ones?"), Input: engine.InputMulti, Options: opts,
			PageSize: 9, Min: 1, Max: 23, Check: func(_ *engine.Ctx, v engine.Value) error {
				if len(v.List) > 2 {
					return engine.Refusal("Paling banyak dua desa.")
				}
				return nil
			}},
		{Key: "typed", PromptText: lit("Ketik desa.", "Type one."), Input: engine.InputChoice, Options: opts, PageSize: 9},
	}}
	b := newBench(t, engine.Host{}, f)
	b.start("paged")
	btns := strings.Join(b.buttons(), "|")
	if !strings.Contains(btns, "Desa 09") || strings.Contains(btns, "Desa 10") || !strings.Contains(btns, "2/3 ▶") ||
		strings.Contains(btns, "◀") {
		t.Fatalf("first page: %s", btns)
	}
	b.press("▶")
	if b.messages() != 0 {
		t.Fatalf("turning a page sent %d messages", b.messages())
	}
	btns = strings.Join(b.buttons(), "|")
	if !strings.Contains(btns, "Desa 10") || strings.Contains(btns, "Desa 09") || !strings.Contains(btns, "◀ 1/3") ||
		!strings.Contains(btns, "3/3 ▶") {
		t.Fatalf("second page: %s", btns)
	}
	b.press("3/3 ▶")
	b.press("Desa 23").expect("Desa mana saja?")
	if sv.got != nil || b.step() != "many" {
		t.Fatalf("step %q", b.step())
	}
	b.press("Desa 01").press("2/3 ▶").press("Desa 12").press("Desa 13").press("Selesai")
	b.expect("⚠️ Paling banyak dua desa.")
	if b.step() != "many" {
		t.Fatalf("step %q after a refused done", b.step())
	}
	b.press("Desa 13").press("Selesai").expect("Ketik desa.")
	b.send("desa 17").press("Simpan")
	if sv.got.Text("one") != "k23" || strings.Join(sv.got["many"].List, ",") != "k1,k12" || sv.got.Text("typed") != "k17" {
		t.Fatalf("saved %+v", sv.got)
	}
}
