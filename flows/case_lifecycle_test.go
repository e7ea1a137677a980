package flows_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// What the statuses and the review buttons read in Indonesian.
var (
	caseStatusLabel = map[string]string{
		store.CaseNew: "🟡 Baru", store.CaseVerified: "🟢 Diverifikasi", store.CaseNeedsFix: "🟠 Perlu perbaikan",
		store.CaseFollowUp: "🔵 Ditindaklanjuti", store.CaseClosed: "✅ Selesai", store.CaseRejected: "⛔ Ditolak",
	}
	caseStatusButton = map[string]string{
		store.CaseVerified: "✅ Verifikasi", store.CaseNeedsFix: "✏️ Perlu perbaikan", store.CaseFollowUp: "🔵 Tindak lanjut",
		store.CaseClosed: "🏁 Selesai", store.CaseRejected: "⛔ Tolak",
	}
	// caseStatusData is the callback data's short code of each target status.
	caseStatusData = map[string]string{
		store.CaseVerified: "v", store.CaseNeedsFix: "f", store.CaseFollowUp: "t", store.CaseClosed: "c",
		store.CaseRejected: "r",
	}
	caseTargets = []string{store.CaseVerified, store.CaseNeedsFix, store.CaseFollowUp, store.CaseClosed, store.CaseRejected}
)

func setCaseStatus(t *testing.T, h *bottest.Harness, id int64, status string) {
	t.Helper()
	if _, err := h.DB().SQL().Exec(`UPDATE cases SET status = ? WHERE id = ?`, status, id); err != nil {
		t.Fatal(err)
	}
}

// caseButtons are the labels of m's inline buttons, row after row.
func caseButtons(m telegramtest.Message) []string {
	var out []string
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			out = append(out, b.Text)
		}
	}
	return out
}

// The lifecycle of issue 5 through the bot, every status against every
// target: the detail view offers exactly the allowed transitions; each allowed
// one, pressed, asks for its note (verifying asks none), is stored with who,
// from, to and note, and is told to the reporter; each refused one, pressed
// anyway (a stale or forged button), answers "not possible" and changes
// nothing. A case waiting for a fix can be followed up, closed or rejected
// without the worker, and the worker's fix button is then stale.
func TestCaseLifecycle(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	coord := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	k := insertCase(t, h, store.Case{ReporterID: worker.ID(), Category: "PPKS02", FullName: "Siti Aminah", NIK: nikSiti,
		Gender: "P", BirthDate: "1990-05-12", Address: "Jl. Kapt. Pattimura RT 05", Kecamatan: kecTelanaipura,
		Kelurahan: kelBuluranKenali, Description: "Tinggal sendiri sejak orang tuanya meninggal.",
		Needs: []string{"pangan"}, Urgency: "biasa"})
	home := coord.send("/start", "Halo") // a message of the bot's to press forged buttons on
	itemLabel := "🔎 " + k.Code + " · Siti Aminah"
	var fixMsg int // the reporter's "fix it" message, from baru -> perlu_perbaikan

	for _, tc := range []struct {
		from    string
		allowed []string
	}{
		{store.CaseNew, []string{store.CaseVerified, store.CaseNeedsFix, store.CaseRejected}},
		{store.CaseNeedsFix, []string{store.CaseFollowUp, store.CaseClosed, store.CaseRejected}},
		{store.CaseVerified, []string{store.CaseFollowUp, store.CaseClosed, store.CaseRejected}},
		{store.CaseFollowUp, []string{store.CaseFollowUp, store.CaseClosed, store.CaseRejected}},
		{store.CaseClosed, nil},
		{store.CaseRejected, nil},
	} {
		setCaseStatus(t, h, k.ID, tc.from)
		coord.send("/kasus", "Kasus yang dapat Anda tinjau")
		detail := coord.press(itemLabel, "Riwayat")
		var want []string
		for _, to := range tc.allowed {
			want = append(want, caseStatusButton[to])
		}
		if got := caseButtons(detail); !slices.Equal(got, want) {
			t.Errorf("from %s: buttons %q, want %q", tc.from, got, want)
		}

		for _, to := range caseTargets {
			d := "cs:" + strconv.FormatInt(k.ID, 10) + ":b:" + caseStatusData[to]
			events := len(caseEvents(t, h, k.ID))
			if !slices.Contains(tc.allowed, to) {
				n := len(coord.CallbackAnswers())
				coord.PressData(home.ID, d)
				coord.waitCallback(n+1, "Tidak bisa: status kasus sekarang "+caseStatusLabel[tc.from])
				if got := caseStatus(t, h); got != tc.from {
					t.Errorf("%s -> %s refused, yet the status is %s", tc.from, to, got)
				}
				if got := len(caseEvents(t, h, k.ID)); got != events {
					t.Errorf("%s -> %s refused, yet the history grew to %d", tc.from, to, got)
				}
				continue
			}
			note := "Catatan " + tc.from + " ke " + to + "."
			told := worker.do(func() {
				switch to {
				case store.CaseVerified:
					note = ""
					n := len(coord.CallbackAnswers())
					coord.PressData(detail.ID, buttonData(t, detail, caseStatusButton[to]))
					coord.waitCallback(n+1, "Status diubah: "+caseStatusLabel[to])
				case store.CaseClosed:
					coord.do(func() { coord.PressData(detail.ID, buttonData(t, detail, caseStatusButton[to])) },
						"catatan penutupan")
					coord.send(note, "Periksa data")
					coord.press("✅ Simpan", "Status diubah: "+caseStatusLabel[to])
				case store.CaseNeedsFix:
					coord.do(func() { coord.PressData(detail.ID, buttonData(t, detail, caseStatusButton[to])) },
						"catatan/alasan")
					coord.send(note, "bagian yang perlu diperbaiki")
					coord.press("⏭ Lewati", "Periksa data")
					coord.press("✅ Simpan", "Status diubah: "+caseStatusLabel[to])
				default:
					coord.do(func() { coord.PressData(detail.ID, buttonData(t, detail, caseStatusButton[to])) },
						"catatan/alasan")
					coord.send(note, "Periksa data")
					coord.press("✅ Simpan", "Status diubah: "+caseStatusLabel[to])
				}
			}, "status sekarang "+caseStatusLabel[to])
			if note != "" && !strings.Contains(told.Text, note) {
				t.Errorf("%s -> %s: the reporter was not given the note: %q", tc.from, to, told.Text)
			}
			if to == store.CaseNeedsFix {
				if !hasButton(told, "✏️ Perbaiki laporan") {
					t.Errorf("needs fixing without the fix button: %+v", told)
				}
				fixMsg = told.ID
			}
			ev := caseEvents(t, h, k.ID)
			last := ev[len(ev)-1]
			if got := caseStatus(t, h); got != to || len(ev) != events+1 || last.Action != store.CaseActionStatus ||
				last.From != tc.from || last.To != to || last.Note != note || last.UserID != coord.ID() {
				t.Errorf("%s -> %s: status %s, last event %+v (of %d, was %d)", tc.from, to, got, last, len(ev), events)
			}
			if !auditHas(t, h, coord.ID(), "case_"+to, k.Code) {
				t.Errorf("%s -> %s not audited", tc.from, to)
			}
			setCaseStatus(t, h, k.ID, tc.from)
		}
	}

	// The case, closed while waiting for a fix: the worker's fix button is stale.
	setCaseStatus(t, h, k.ID, store.CaseClosed)
	n := len(worker.CallbackAnswers())
	if err := worker.PressOn(fixMsg, "✏️ Perbaiki laporan"); err != nil {
		t.Fatal(err)
	}
	worker.waitCallback(n+1, "tidak lagi menunggu perbaikan")
	if got := caseStatus(t, h); got != store.CaseClosed {
		t.Fatalf("status %s after a stale fix button", got)
	}
	h.NoViolations()
}

// Two coordinators of one kecamatan: the first opens "reject" and types the
// reason while the second verifies the case. The first one's save then
// answers that the case has moved on, and the rejection is not stored.
func TestCaseReviewRace(t *testing.T) {
	h := caseHarness(t, "", bottest.Options{})
	worker := seed(t, h, "Sri Wahyuni", store.RolePSM, kecTelanaipura, kelBuluranKenali, "")
	first := seed(t, h, "Kurnia Dewi", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	second := seed(t, h, "Hendra Gunawan", store.RoleCoordinator, kecTelanaipura, "", kecTelanaipura)
	k := insertCase(t, h, store.Case{ReporterID: worker.ID(), Category: "PPKS02", FullName: "Siti Aminah",
		Gender: "P", BirthDate: "1990-05-12", Address: "Jl. Kapt. Pattimura RT 05", Kecamatan: kecTelanaipura,
		Kelurahan: kelBuluranKenali, Description: "Tinggal sendiri.", Needs: []string{"pangan"}, Urgency: "biasa"})

	first.send("/verifikasi", "Kasus menunggu verifikasi")
	detail := first.press("🔎 "+k.Code+" · Siti Aminah", "Riwayat")
	first.do(func() {
		if err := first.PressOn(detail.ID, "⛔ Tolak"); err != nil {
			t.Fatal(err)
		}
	}, "catatan/alasan")
	first.send("Bukan warga Kota Jambi.", "Periksa data")

	second.send("/verifikasi", "Kasus menunggu verifikasi")
	other := second.press("🔎 "+k.Code+" · Siti Aminah", "Riwayat")
	n := len(second.CallbackAnswers())
	if err := second.PressOn(other.ID, "✅ Verifikasi"); err != nil {
		t.Fatal(err)
	}
	second.waitCallback(n+1, "Status diubah: 🟢 Diverifikasi")

	first.press("✅ Simpan", "Tidak bisa: status kasus sekarang 🟢 Diverifikasi")
	if got := caseStatus(t, h); got != store.CaseVerified {
		t.Fatalf("status %s, want the second coordinator's verification", got)
	}
	for _, e := range caseEvents(t, h, k.ID) {
		if e.To == store.CaseRejected {
			t.Fatalf("a rejection was stored: %+v", e)
		}
	}
	h.NoViolations()
}
