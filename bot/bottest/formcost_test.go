package bottest_test

import (
	"bytes"
	"image"
	"image/jpeg"
	"maps"
	"slices"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
)

// What a form costs in Bot API calls, counted by the fake for the worker's
// chat: a case report from /lapor to the saved case along a typical path
// (buttons for choices, typed text, a NIK, a location and a photo). Each step
// answered by a button edits the pressed question into the next one, so the
// common step is one call; the callback answers Telegram requires are counted
// apart. Run with -v to see the calls by method:
//
//	go test -count=1 -v -run TestCaseFormCalls ./bot/bottest/
func TestCaseFormCalls(t *testing.T) {
	h := bottest.Start(t, bottest.Options{})
	u := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, u.User, "")
	var jpg bytes.Buffer
	must(t, jpeg.Encode(&jpg, image.NewGray(image.Rect(0, 0, 40, 30)), nil))

	steps := []struct {
		name string
		act  func()
	}{
		{"/lapor", func() { u.send("/lapor", "kelompok") }},
		// An adult category, so the path carries no category warning.
		{"group", func() { u.press("🏚 Kemiskinan & lainnya", "kategori") }},
		{"category", func() { u.press("Fakir Miskin", "nama lengkap") }},
		{"name", func() { u.send("Siti Aminah", "NIK") }},
		{"NIK", func() { u.send("1571 0152 0590 0003", "jenis kelamin") }},
		{"gender", func() { u.press("Perempuan (sesuai NIK)", "tanggal lahir") }},
		{"birth", func() { u.press("12-05-1990 (sesuai NIK)", "tempat lahir") }},
		{"birth place", func() { u.send("Muara Bulian", "alamat") }},
		{"address", func() { u.send("Jl. Kapt. Pattimura RT 05", "RT/RW") }},
		{"RT/RW", func() { u.send("005/002", "No. KK") }},
		{"No. KK", func() { u.send("/lewati", "wilayah") }},
		{"area", func() { u.press("📍 Buluran Kenali, Telanaipura", "lokasi") }},
		{"location", func() { u.do(func() { u.SendLocation(-1.6101, 103.6131) }, "foto") }},
		{"photo", func() { u.do(func() { u.SendPhoto(jpg.Bytes(), "") }, "Foto ke-1") }},
		{"photos done", func() { u.press("✔️ Selesai", "keadaannya") }},
		{"description", func() { u.send("Anak tinggal sendiri sejak orang tuanya meninggal.", "kebutuhan") }},
		{"need", func() { u.press("Pangan", "") }}, // the keyboard redrawn in place
		{"needs done", func() { u.press("✔️ Selesai", "mendesak") }},
		{"urgency", func() { u.press("Biasa", "Periksa data") }},
		{"save", func() { u.press("✅ Simpan", "JMB-26-00001") }},
	}
	total := map[string]int{}
	for _, st := range steps {
		before := h.Server.ChatCalls(u.ID())
		st.act()
		settle(t, h)
		after := h.Server.ChatCalls(u.ID())
		var got []string
		for _, m := range slices.Sorted(maps.Keys(after)) {
			if n := after[m] - before[m]; n > 0 {
				total[m] += n
				got = append(got, m+"×"+itoa(int64(n)))
			}
		}
		t.Logf("%-12s %s", st.name, strings.Join(got, " "))
	}
	answers := total["answercallbackquery"]
	calls := 0
	for m, n := range total {
		if m != "answercallbackquery" {
			calls += n
		}
	}
	t.Logf("%d steps: %d calls in the chat (%v), plus %d callback answers", len(steps), calls,
		callsLine(total), answers)
	// One call per step and a few more: the NIK message deleted, a photo, a
	// location keyboard, a warning kept in the chat and the saved case need
	// a message (or an edit) of their own. The same path cost 32 calls (19
	// of them new messages) before prompts were edited in place, before the
	// form gained its two optional steps (RT/RW, No. KK: one call each).
	if maxCalls := 26; calls > maxCalls {
		t.Errorf("a case form cost %d calls in the worker's chat, want at most %d", calls, maxCalls)
	}
	if presses := 10; answers != presses {
		t.Errorf("%d callback answers for %d presses", answers, presses)
	}
	h.NoViolations()
}

func callsLine(calls map[string]int) string {
	var parts []string
	for _, m := range slices.Sorted(maps.Keys(calls)) {
		if m != "answercallbackquery" {
			parts = append(parts, m+" "+itoa(int64(calls[m])))
		}
	}
	return strings.Join(parts, ", ")
}
