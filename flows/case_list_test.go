package flows_test

import (
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// caseItems are the codes of the case buttons on a list message, in order.
func caseItems(m telegramtest.Message) []string {
	var out []string
	for _, label := range caseButtons(m) {
		if code, ok := strings.CutPrefix(label, "🔎 "); ok {
			out = append(out, strings.SplitN(code, " · ", 2)[0])
		}
	}
	return out
}

func codesOf(cs []store.Case, idx ...int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, cs[i].Code)
	}
	return out
}

// /kasus past the first page: newest first, five a page, the same message
// edited in place by the paging buttons, which appear only where there is
// somewhere to go.
func TestCaseListPaging(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	other := seed(t, h, "Tono Wibowo", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	mine := insertCases(t, h, worker.ID(), kecTelanaipura, kelBuluranKenali, 12)
	insertCases(t, h, other.ID(), kecTelanaipura, kelBuluranKenali, 2) // someone else's: never listed

	list := worker.send("/kasus", "Kasus yang Anda laporkan")
	for _, tc := range []struct {
		press   string // the paging button pressed, "" for the list as sent
		head    string
		items   []string
		buttons []string // the paging buttons shown
	}{
		{"", "(1–5 dari 12)", codesOf(mine, 11, 10, 9, 8, 7), []string{"Berikutnya ➡️"}},
		{"Berikutnya ➡️", "(6–10 dari 12)", codesOf(mine, 6, 5, 4, 3, 2), []string{"⬅️ Sebelumnya", "Berikutnya ➡️"}},
		{"Berikutnya ➡️", "(11–12 dari 12)", codesOf(mine, 1, 0), []string{"⬅️ Sebelumnya"}},
		{"⬅️ Sebelumnya", "(6–10 dari 12)", codesOf(mine, 6, 5, 4, 3, 2), []string{"⬅️ Sebelumnya", "Berikutnya ➡️"}},
	} {
		if tc.press != "" {
			if err := worker.PressOn(list.ID, tc.press); err != nil {
				t.Fatal(err)
			}
			list = worker.waitEditedTo(list.ID, tc.head)
		}
		if !strings.Contains(list.Text, tc.head) {
			t.Fatalf("after %q: list reads %q, want %q", tc.press, list.Text, tc.head)
		}
		if got := caseItems(list); strings.Join(got, " ") != strings.Join(tc.items, " ") {
			t.Errorf("after %q: cases %v, want %v", tc.press, got, tc.items)
		}
		var paging []string
		for _, l := range caseButtons(list) {
			if !strings.HasPrefix(l, "🔎 ") {
				paging = append(paging, l)
			}
		}
		if strings.Join(paging, "|") != strings.Join(tc.buttons, "|") {
			t.Errorf("after %q: paging buttons %q, want %q", tc.press, paging, tc.buttons)
		}
	}
	// A case on a later page opens like any other.
	detail := worker.press("🔎 "+mine[2].Code+" · Warga "+mine[2].Code, "Riwayat")
	if !strings.Contains(detail.Text, "Jl. Sumantri "+mine[2].Code) {
		t.Errorf("detail of a second-page case: %q", detail.Text)
	}
	h.NoViolations()
}

// /verifikasi with cases waiting: only new cases of the coordinator's area,
// paged; a case verified from the queue leaves it; a worker pressing the
// queue's paging button (forged) is refused.
func TestCaseQueue(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	waiting := insertCases(t, h, worker.ID(), kecTelanaipura, kelBuluranKenali, 6)
	done := insertCases(t, h, worker.ID(), kecTelanaipura, kelBuluranKenali, 1)
	setCaseStatus(t, h, done[0].ID, store.CaseVerified)
	insertCases(t, h, worker.ID(), kecJambiSelatan, "15.71.02.1001", 1) // another area

	queue := coord.send("/verifikasi", "Kasus menunggu verifikasi")
	if !strings.Contains(queue.Text, "(1–5 dari 6)") {
		t.Fatalf("queue reads %q", queue.Text)
	}
	if got, want := caseItems(queue), codesOf(waiting, 5, 4, 3, 2, 1); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("queue page 1: %v, want %v", got, want)
	}
	next := buttonData(t, queue, "Berikutnya ➡️")
	if err := coord.PressOn(queue.ID, "Berikutnya ➡️"); err != nil {
		t.Fatal(err)
	}
	queue = coord.waitEditedTo(queue.ID, "(6–6 dari 6)")
	if got := caseItems(queue); len(got) != 1 || got[0] != waiting[0].Code {
		t.Errorf("queue page 2: %v, want %s", got, waiting[0].Code)
	}

	// Verified from the queue: it leaves the queue.
	detail := coord.press("🔎 "+waiting[0].Code+" · Warga "+waiting[0].Code, "Riwayat")
	n := len(coord.CallbackAnswers())
	if err := coord.PressOn(detail.ID, "✅ Verifikasi"); err != nil {
		t.Fatal(err)
	}
	coord.waitCallback(n+1, "Status diubah: 🟢 Diverifikasi")
	queue = coord.send("/verifikasi", "Kasus menunggu verifikasi")
	if !strings.Contains(queue.Text, "(1–5 dari 5)") || strings.Contains(queue.Text, waiting[0].Code) {
		t.Errorf("queue after verifying %s: %q", waiting[0].Code, queue.Text)
	}

	// A worker has no queue, by command or by a forged paging button.
	worker.send("/verifikasi", "tidak berhak")
	home := worker.send("/start", "Halo")
	m := len(worker.CallbackAnswers())
	worker.PressData(home.ID, next)
	worker.waitCallback(m+1, "tidak berhak")
	h.NoViolations()
}
