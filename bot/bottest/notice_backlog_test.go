package bottest_test

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"
)

// A backed-up reviewer's chat (issue 13): past three notices waiting, the
// next cases are one merged message with a button to the queue, not a
// message each.

// holdTransport holds the Bot API calls to some chats until released: a
// reviewer's chat that Telegram is not taking messages for (a slow link, a
// flood wait), while every other chat goes on.
type holdTransport struct {
	base http.RoundTripper
	mu   sync.Mutex
	held map[int64]chan struct{}
}

func newHoldTransport() *holdTransport {
	return &holdTransport{base: http.DefaultTransport, held: map[int64]chan struct{}{}}
}

// hold holds chat's calls until release.
func (h *holdTransport) hold(chat int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held[chat] == nil {
		h.held[chat] = make(chan struct{})
	}
}

// release lets chat's held calls, and every later one, through.
func (h *holdTransport) release(chat int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ch := h.held[chat]; ch != nil {
		close(ch)
		delete(h.held, chat)
	}
}

func (h *holdTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || strings.HasSuffix(r.URL.Path, "/getUpdates") {
		return h.base.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.mu.Lock()
	ch := h.held[chatOf(r.Header.Get("Content-Type"), body)]
	h.mu.Unlock()
	if ch != nil {
		select {
		case <-ch:
		case <-r.Context().Done():
			return nil, r.Context().Err()
		}
	}
	return h.base.RoundTrip(r)
}

// chatOf is the chat_id of a Bot API call's form body, 0 when none.
func chatOf(contentType string, body []byte) int64 {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return 0
	}
	var v string
	switch mt {
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return 0
		}
		v = q.Get("chat_id")
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return 0
			}
			if p.FormName() == "chat_id" {
				b, _ := io.ReadAll(p)
				v = string(b)
				break
			}
		}
	}
	id, _ := strconv.ParseInt(v, 10, 64)
	return id
}

// reportNamed files a case in Telanaipura as worker for the person named,
// without photos, and returns its code.
func reportNamed(t *testing.T, u actor, name string) string {
	t.Helper()
	u.send("/lapor", "kelompok")
	u.press("👶 Anak", "kategori")
	u.press("Anak Telantar", "nama lengkap")
	u.send(name, "NIK")
	u.press("Tidak ada NIK", "Mengapa")
	u.press("Tidak tahu / tidak ingat", "jenis kelamin")
	u.press("Perempuan", "tanggal lahir")
	u.send("12 tahun", "tempat lahir")
	u.send("/lewati", "alamat")
	u.addressAndArea("Jl. Kenanga No. 7", "📍 Buluran Kenali, Telanaipura")
	u.do(func() { u.SendLocation(-1.6101, 103.6131) }, "foto")
	u.press("✔️ Selesai", "keadaannya")
	u.send("Tinggal sendiri sejak orang tuanya meninggal.", "kebutuhan")
	must(t, u.Press("Pangan"))
	u.waitButton("✅ Pangan")
	u.press("✔️ Selesai", "mendesak")
	u.press("Biasa", "Periksa data")
	saved := u.press("✅ Simpan", "Laporan tersimpan")
	return regexpFind(t, `<b>([A-Z]+-\d+-\d+)</b>`, saved.RawText)
}

// childNames are 21 people to report, one case each (a name takes no digits).
var childNames = strings.Fields("Ayu Bagus Citra Dimas Eka Fajar Gita Hadi Indah Joko Kartika Lestari Mega Nanda " +
	"Oki Putri Rahmat Sinta Tono Umi Wulan")

var caseCode = regexp.MustCompile(`[A-Z]+-\d+-\d{5}`)

// A reviewer whose chat is held while 20 cases come in gets 3 notices and
// one merged "kasus baru menunggu verifikasi" message, not 20; the sweep
// sets its count; its button lists all 20; a merged case can be verified
// from there with nothing failing; and once the chat has caught up, the
// next case has a notice of its own again.
func TestBackedUpReviewerGetsMergedNotice(t *testing.T) {
	hold := newHoldTransport()
	h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) {
		c.HTTPClient = &http.Client{Timeout: 60 * time.Second, Transport: hold}
	}})
	coord := seedPerson(t, h, "Kurnia Dewi", store.RoleCoordinator, "15.71.01", "15.71.01.1002", "15.71.01")
	worker := actor{t, h.NewUser("Sri"), wait}
	seedWorker(t, h, worker.User, "")

	const cases = 20
	hold.hold(coord.ID())
	var codes []string
	for i := range cases {
		codes = append(codes, reportNamed(t, worker, childNames[i]+" Lubis"))
	}
	hold.release(coord.ID())
	merged := waitText(t, coord.User, "kasus baru menunggu verifikasi")
	settle(t, h)

	msgs := coord.Messages()
	t.Logf("a backed-up reviewer received %d messages for %d new cases", len(msgs), cases)
	if len(msgs) != 4 {
		t.Fatalf("the reviewer got %d messages for %d cases, want 3 notices and 1 merged: %v", len(msgs), cases,
			texts(msgs))
	}
	for _, m := range msgs[:3] {
		if !strings.Contains(m.Text, "Kasus baru") || !hasButton(m, "✅ Verifikasi") {
			t.Errorf("message %d is not a case notice: %q %v", m.ID, m.Text, labels(m))
		}
	}
	if merged.ID != msgs[3].ID || !hasButton(merged, "📋 Buka antrean (/verifikasi)") {
		t.Fatalf("the merged notice is %+v, want the last message with the queue button", merged)
	}
	// Only the individual notices are the reviewer's notices of record: a
	// decision edits those, and has nothing to edit for a merged case.
	var notices int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM case_notices WHERE chat_id = ?`, coord.ID()).Scan(&notices))
	if notices != 3 {
		t.Errorf("%d case notices stored for the reviewer, want 3", notices)
	}

	// The sweep shows the count the chat missed while it was held.
	h.Clock.Advance(time.Minute)
	h.Sweep()
	if _, err := coord.WaitForEdit(wait, merged.ID, "20 kasus baru menunggu verifikasi"); err != nil {
		t.Fatal(err)
	}
	settle(t, h)
	if n := len(coord.Messages()); n != 4 {
		t.Errorf("fixing the count added messages: %d", n)
	}

	// The button lists every case, all 20, page by page.
	before := len(coord.Messages())
	must(t, coord.PressOn(merged.ID, "📋 Buka antrean (/verifikasi)"))
	list := waitText(t, coord.User, "dari 20")
	if len(coord.Messages()) != before+1 {
		t.Errorf("the queue replaced the merged notice instead of coming as a message")
	}
	listed := map[string]bool{}
	for page := 1; ; page++ {
		for _, c := range caseCode.FindAllString(list.Text, -1) {
			listed[c] = true
		}
		if !hasButton(list, "Berikutnya ➡️") {
			break
		}
		must(t, coord.PressOn(list.ID, "Berikutnya ➡️"))
		var err error
		list, err = coord.WaitForEdit(wait, list.ID, fmt.Sprintf("%d–", page*5+1))
		must(t, err)
	}
	for _, c := range codes {
		if !listed[c] {
			t.Errorf("case %s is not in the queue the merged notice opens", c)
		}
	}

	// A merged case, verified from the queue: no notice of it in this chat
	// to edit, and nothing fails.
	last := codes[cases-1]
	coord.send("/verifikasi", "dari 20")
	coord.press("🔎 "+last+" · "+childNames[cases-1]+" Lubis", "Riwayat")
	must(t, coord.Press("✅ Verifikasi"))
	waitText(t, worker.User, "status sekarang 🟢 Diverifikasi")
	settle(t, h)
	var failed int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'failed'`).Scan(&failed))
	if failed != 0 {
		t.Errorf("%d outbox rows failed", failed)
	}

	// Caught up: the next case is a notice of its own, and a quiet hour
	// later the merged notice is closed.
	next := reportNamed(t, worker, childNames[cases]+" Lubis")
	notice := waitText(t, coord.User, next)
	if !strings.Contains(notice.Text, "Kasus baru") || !hasButton(notice, "✅ Verifikasi") {
		t.Errorf("the case after the backlog: %q %v", notice.Text, labels(notice))
	}
	settle(t, h)
	h.Clock.Advance(2 * time.Hour)
	h.Sweep()
	var open int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM merged_notices`).Scan(&open))
	if open != 0 {
		t.Errorf("%d merged notices still open", open)
	}
	h.NoViolations()
}

// A digest short enough for a caption is one message: the chart with the
// digest as its caption.
func TestShortDigestIsOnePhoto(t *testing.T) {
	const adminID = 9001
	h := bottest.Start(t, bottest.Options{Admins: []int64{adminID},
		Flows: func(c *flows.Config) { c.Schedules.DigestDefault = "daily" }})
	admin := startAdmin(t, h, adminID)
	reporter := seedPerson(t, h, "Sri Wahyuni", store.RolePSM, "15.71.01", "15.71.01.1002")
	storeCase(t, h, store.Case{ReporterID: reporter.ID(), Category: "PPKS01", FullName: "Siti Aminah", Gender: "P",
		Age: 45, NoNIKReason: "unknown", Address: "Jl. Kenanga 7", Kecamatan: "15.71.01", Kelurahan: "15.71.01.1002",
		Description: "Tinggal sendiri.", Needs: []string{"pangan"}, Urgency: "biasa"}, store.CaseNew, 0)
	settle(t, h)

	before := len(admin.Messages())
	admin.SendText("/ringkasan sekarang")
	digest := waitText(t, admin.User, "Kasus baru: 1")
	settle(t, h)
	msgs := admin.Messages()[before:]
	if len(msgs) != 1 {
		t.Fatalf("the digest took %d messages, want 1: %v", len(msgs), texts(msgs))
	}
	if digest.Kind != "photo" || len(digest.File) == 0 {
		t.Fatalf("the digest is a %s, want the chart", digest.Kind)
	}
	for _, want := range []string{"Ringkasan harian", "Kasus baru: 1", "Menunggu verifikasi: 1",
		"Petugas tanpa laporan 30 hari"} {
		if !strings.Contains(digest.Caption, want) {
			t.Errorf("the caption lacks %q: %q", want, digest.Caption)
		}
	}
	if n := captionUnits(digest.Caption); n > 1024 {
		t.Errorf("caption of %d units", n)
	}
	h.NoViolations()
}

// texts are msgs as a test failure shows them.
func texts(msgs []telegramtest.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Kind+": "+m.Text+m.Caption)
	}
	return out
}
