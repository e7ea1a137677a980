package bottest_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"strings"
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/store"
)

// Issue 13: no message blocks its chat indefinitely. A Bot API server that
// answers some methods with HTTP 500 and a body without Telegram's envelope
// (a proxy's HTML page, an old self-hosted server's own JSON) must not stop
// registration, case reports or meetings: menus fail apart from the chat's
// messages, photos and locations fall back to text after a bounded number of
// retries, and /healthz says which chat is stuck while it lasts.

// wedgeFaults are the two answers without Telegram's envelope, and what the
// outbox must keep of each.
var wedgeFaults = []struct {
	name    string
	fault   telegramtest.Fault
	excerpt string
}{
	{"html 500", telegramtest.Fault{Kind: telegramtest.FaultHTML, Status: 500}, "500 Internal Server Error"},
	{"foreign json 500", telegramtest.Fault{Kind: telegramtest.FaultForeignJSON, Status: 500}, `{"error":"internal"}`},
}

// wedgeRig is the whole bot with the fake's clock tied to the bot's, and
// small retry budgets.
type wedgeRig struct {
	t   *testing.T
	h   *bottest.Harness
	clk *bottest.Clock // the fake's
}

func newWedgeRig(t *testing.T, admins []int64, tune func(*bot.Config)) *wedgeRig {
	t.Helper()
	start := time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC)
	clk := bottest.NewClock(start)
	h := bottest.Start(t, bottest.Options{Admins: admins, Start: start, Fake: telegramtest.Options{Now: clk.Now},
		Bot: func(c *bot.Config) {
			c.HTTP.Listen = "127.0.0.1:0"
			c.Retry = bot.RetryConfig{
				Temporary: bot.RetryBudget{Attempts: 3, Age: 10 * time.Minute},
				Cosmetic:  bot.RetryBudget{Attempts: 2, Age: time.Minute},
			}
			c.Watch = bot.WatchConfig{StuckAfter: time.Minute, PendingStale: time.Minute,
				CheckEvery: 10 * time.Millisecond, AlertEvery: time.Hour}
			if tune != nil {
				tune(c)
			}
		}})
	return &wedgeRig{t: t, h: h, clk: clk}
}

// advance moves the bot's and the fake's clocks.
func (r *wedgeRig) advance(d time.Duration) {
	r.h.Clock.Advance(d)
	r.clk.Advance(d)
}

// outboxRow is an outbox row's delivery columns.
type outboxRow struct {
	ID                         int64
	Kind, Status, Error        string
	HTTPStatus                 int
	FallbackOf, FallbackReason string
}

// outboxRows reads the rows matching where (SQL on outbox's columns).
func outboxRows(t *testing.T, h *bottest.Harness, where string, args ...any) []outboxRow {
	t.Helper()
	rows, err := h.DB().SQL().Query(`SELECT id, kind, status, error, http_status, fallback_of, fallback_error
		FROM outbox WHERE `+where+` ORDER BY id`, args...)
	must(t, err)
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		must(t, rows.Scan(&r.ID, &r.Kind, &r.Status, &r.Error, &r.HTTPStatus, &r.FallbackOf, &r.FallbackReason))
		out = append(out, r)
	}
	must(t, rows.Err())
	return out
}

// smallJPEG is a real JPEG for the photo step.
func smallJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{200, 10, 10, 255})
		}
	}
	var b bytes.Buffer
	must(t, jpeg.Encode(&b, img, nil))
	return b.Bytes()
}

// TestWedgeFaultsEverythingCompletes: with setMyCommands, sendPhoto and
// sendLocation answering HTTP 500 without Telegram's envelope, always, a
// worker registers and is approved, reports a case with a photo and a
// location that the admin verifies, and answers a meeting invitation; the
// admin is answered throughout, the photo and the location reach the admin
// as text, in their place, and the given-up rows keep the status and the
// body excerpt.
func TestWedgeFaultsEverythingCompletes(t *testing.T) {
	for _, tt := range wedgeFaults {
		t.Run(tt.name, func(t *testing.T) {
			const adminID = 778001
			r := newWedgeRig(t, []int64{adminID}, nil)
			h := r.h
			for _, m := range []string{"setMyCommands", "sendPhoto", "sendLocation"} {
				h.Server.FailAlways(m, tt.fault)
			}

			// Registration with approval. The admin's /start queues their
			// menu before the greeting: the greeting must not wait for it.
			a := startAdmin(t, h, adminID)
			w := actor{t, h.NewUser("Sri"), wait}
			registerE2E(t, w.User, "Sri Wahyuni")
			notice := waitText(t, a.User, "Pendaftaran baru")
			must(t, a.PressOn(notice.ID, "✅ Setujui"))
			waitText(t, w.User, "Pendaftaran Anda disetujui")

			// A case report with a location and a photo, verified by the admin.
			w.send("/lapor", "kelompok")
			w.press("👶 Anak", "kategori")
			w.press("Anak Telantar", "nama lengkap")
			w.send("Siti Aminah", "NIK")
			w.press("Tidak ada NIK", "Mengapa")
			w.press("Tidak tahu / tidak ingat", "jenis kelamin")
			w.press("Perempuan", "tanggal lahir")
			w.send("45 tahun", "tempat lahir")
			w.send("/lewati", "alamat")
			w.send("Jl. Kapt. Pattimura RT 05", "RT/RW")
			w.send("/lewati", "No. KK")
			w.send("/lewati", "wilayah")
			w.press("📍 Buluran Kenali, Telanaipura", "lokasi")
			w.do(func() { w.SendLocation(-1.6101, 103.6131) }, "foto")
			w.do(func() { w.SendPhoto(smallJPEG(t), "") }, "Foto ke-1")
			w.press("✔️ Selesai", "keadaannya")
			w.send("Anak tinggal sendiri dan tidak sekolah.", "kebutuhan")
			must(t, w.Press("Pangan"))
			h.WaitUntil(wait, "Pangan toggled", func() bool {
				m, _ := w.Last()
				return keyboardHas(m, "✅ Pangan")
			})
			w.press("✔️ Selesai", "mendesak")
			w.press("⚠️ Mendesak", "Periksa data")
			saved := w.press("✅ Simpan", "Laporan tersimpan")
			code := regexpFind(t, `<b>([A-Z]+-\d+-\d+)</b>`, saved.RawText)

			// The notice is one message, the photo with the card as its
			// caption; sendPhoto failing, it comes as text in its place, with
			// the location as a map link and a note naming the case.
			caseNotice := waitText(t, a.User, "Foto ini tidak dapat dikirim")
			for _, want := range []string{"Kasus baru", code, `href="https://maps.google.com/?q=-1.610100,103.613100"`} {
				if !strings.Contains(caseNotice.RawText, want) {
					t.Errorf("the notice's fallback lacks %q: %q", want, caseNotice.RawText)
				}
			}
			must(t, a.PressOn(caseNotice.ID, "✅ Verifikasi"))
			waitText(t, w.User, "status sekarang")

			// A meeting with RSVP; its QR photo reaches the admin as text with
			// the check-in link.
			a.send("/rapat_baru", "judul rapat")
			a.send("Rakor Bulanan", "Tanggal rapat")
			a.send("03-11-2026", "Jam mulai")
			a.send("09.00", "Jam selesai")
			a.send("12.00", "Di mana")
			a.send("Aula Dinsos Kota Jambi", "titik lokasi")
			a.send("/lewati", "Siapa yang diundang")
			a.press("Semua PSM dan TKSK", "Catatan untuk peserta")
			a.send("Membawa laporan bulanan", "Simpan")
			a.press("✅ Simpan", "Undangan dikirim")
			qr := waitText(t, a.User, "Kode QR presensi")
			if qr.Kind != "text" || !strings.Contains(qr.Text, "start=hadir_") || !strings.Contains(qr.Text, "Foto ini tidak dapat dikirim") {
				t.Errorf("the QR's fallback lacks the check-in link: %q", qr.Text)
			}
			inv := waitText(t, w.User, "Undangan rapat")
			must(t, w.PressOn(inv.ID, "✅ Hadir"))
			if _, err := w.WaitForEdit(wait, inv.ID, "Jawaban Anda: Hadir"); err != nil {
				t.Fatal(err)
			}

			// The admin is still answered.
			a.send("/bantuan", "Perintah")
			settle(t, h)

			// Stored: menus failed for good with the status and the excerpt;
			// the photo, location and QR rows became texts, keeping why.
			menus := outboxRows(t, h, `kind = 'set_commands'`)
			if len(menus) < 2 {
				t.Fatalf("%d menu rows, want the admin's and the worker's", len(menus))
			}
			for _, m := range menus {
				if m.Status != store.StatusFailed || m.HTTPStatus != 500 || !strings.Contains(m.Error, tt.excerpt) ||
					!strings.Contains(m.Error, "given up after 2 attempts") {
					t.Errorf("menu row %+v, want failed with 500 and %q after 2 attempts", m, tt.excerpt)
				}
			}
			fallbacks := outboxRows(t, h, `fallback_of != ''`)
			kinds := map[string]int{}
			for _, f := range fallbacks {
				kinds[f.FallbackOf]++
				if f.Status != store.StatusSent || f.Kind != string(store.KindSend) ||
					!strings.Contains(f.FallbackReason, "HTTP 500") || !strings.Contains(f.FallbackReason, tt.excerpt) {
					t.Errorf("fallback row %+v, want a sent text keeping the 500 and %q", f, tt.excerpt)
				}
			}
			if kinds["photo"] != 2 || len(kinds) != 1 {
				t.Fatalf("fallbacks by kind %v, want 2 photos (case notice, QR) and no location (a link in the notice)", kinds)
			}
			// The first photo had its whole budget; once sendPhoto had used
			// one up, the QR got two attempts before its text went.
			photos := outboxRows(t, h, `fallback_of = 'photo'`)
			if !strings.Contains(photos[0].FallbackReason, "after 3 attempts") ||
				!strings.Contains(photos[1].FallbackReason, "after 2 attempts") {
				t.Errorf("photo fallbacks %q, %q: want 3 then 2 attempts", photos[0].FallbackReason, photos[1].FallbackReason)
			}
			if n := len(outboxRows(t, h, `status = 'pending'`)); n != 0 {
				t.Errorf("%d rows still pending", n)
			}
			code2, health := healthz(t, h)
			if code2 != http.StatusOK || len(health.StuckChats) != 0 {
				t.Errorf("/healthz after everything went = %d %+v", code2, health)
			}
			// The log names the status and the excerpt, never err="".
			if log := h.Log.String(); !strings.Contains(log, "status=500") || strings.Contains(log, `err=""`) {
				t.Errorf("log lacks status=500 or has an empty err:\n%s", log)
			}
			h.NoViolations()
		})
	}
}

// keyboardHas reports whether m has an inline button labelled label.
func keyboardHas(m telegramtest.Message, label string) bool {
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == label {
				return true
			}
		}
	}
	return false
}

// TestWedgeHealthReportsStuckChat: a photo to an admin keeps failing, with a
// large attempt budget. While it lasts the admin's chat is stuck: their
// reply waits behind it, /healthz answers 503 naming the chat, the method,
// the status and the excerpt, the metric counts it, and the other admin gets
// one alert (the stuck admin's own chat is skipped, and the log says so).
// When the row's age budget runs out it falls back to text, the reply
// follows, and /healthz is well again.
func TestWedgeHealthReportsStuckChat(t *testing.T) {
	for _, tt := range wedgeFaults {
		t.Run(tt.name, func(t *testing.T) {
			const stuckID, otherID = 778101, 778102
			r := newWedgeRig(t, []int64{stuckID, otherID}, func(c *bot.Config) {
				c.Retry.Temporary = bot.RetryBudget{Attempts: 1 << 20, Age: 10 * time.Minute}
			})
			h := r.h
			stuck := startAdmin(t, h, stuckID)
			other := startAdmin(t, h, otherID)
			h.Server.FailAlways("sendPhoto", tt.fault)
			must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
				// At reply priority: a reply to the admin queues behind it.
				_, err := tx.Enqueue(store.Message{Kind: store.KindPhoto, ChatID: stuckID, Priority: store.PriorityReply,
					File: smallJPEG(t), FileName: "grafik.jpg", Text: "📊 Ringkasan mingguan"})
				return err
			}))
			h.WaitUntil(wait, "the photo failing", func() bool {
				return h.Server.CallsByResult("sendPhoto")[500] >= 2
			})
			stuck.SendText("/bantuan") // held behind the photo
			h.WaitUntil(wait, "/bantuan handled", func() bool { return h.Server.PendingUpdates() == 0 })
			waiting := len(outboxRows(t, h, `status = 'pending' AND chat_id = ?`, stuckID))
			if waiting < 2 {
				t.Fatalf("%d rows pending in the stuck chat, want the photo and the reply", waiting)
			}

			code, got := healthz(t, h)
			if code != http.StatusOK {
				t.Fatalf("/healthz before the threshold = %d %+v, want 200", code, got)
			}
			r.advance(2 * time.Minute)
			h.WaitUntil(wait, "/healthz to report the stuck chat", func() bool {
				code, got = healthz(t, h)
				return code == http.StatusServiceUnavailable && len(got.StuckChats) == 1
			})
			sc := got.StuckChats[0]
			if sc.ChatID != stuckID || sc.Waiting != waiting || sc.Method != "sendPhoto" || sc.HTTPStatus != 500 ||
				!strings.Contains(sc.Error, tt.excerpt) || sc.FailingSeconds < 120 || sc.Attempts < 2 || got.OK {
				t.Errorf("stuck chat %+v (ok=%v), want the admin's, sendPhoto, 500, %q, >= 120 s", sc, got.OK, tt.excerpt)
			}
			if len(got.Problems) == 0 || !strings.Contains(strings.Join(got.Problems, "; "), "sendPhoto answered HTTP 500") {
				t.Errorf("problems %q do not name the cause", got.Problems)
			}
			_, metrics := getOps(t, h, "/metrics")
			if v := metric(metrics, "dinsosbot_outbox_stuck_chats"); v != 1 {
				t.Errorf("dinsosbot_outbox_stuck_chats = %v, want 1", v)
			}
			if v := metric(metrics, "dinsosbot_outbox_oldest_reply_pending_seconds"); v < 120 {
				t.Errorf("dinsosbot_outbox_oldest_reply_pending_seconds = %v, want >= 120", v)
			}

			alert := waitText(t, other.User, "Pengiriman pesan tersendat")
			for _, want := range []string{"sendPhoto", "HTTP 500", tt.excerpt, fmt.Sprintf("%d pesan menunggu di 1 obrolan", waiting)} {
				if !strings.Contains(alert.Text, want) {
					t.Errorf("alert %q lacks %q", alert.Text, want)
				}
			}
			h.WaitUntil(wait, "the skipped admin logged", func() bool {
				return strings.Contains(h.Log.String(), "their own chat is the stuck one")
			})
			if n := countText(stuck.User, "tersendat"); n != 0 {
				t.Errorf("the stuck admin got %d alerts through their stuck chat", n)
			}
			if n := countText(stuck.User, "Perintah"); n != 0 {
				t.Errorf("the reply went before the photo's fate was decided (%d)", n)
			}

			// Past the age budget the photo gives way to text, then the reply.
			r.advance(9 * time.Minute)
			fallback := waitText(t, stuck.User, "Foto ini tidak dapat dikirim")
			reply := waitText(t, stuck.User, "Perintah")
			if !strings.Contains(fallback.Text, "Ringkasan mingguan") || fallback.ID > reply.ID {
				t.Errorf("fallback %q (id %d) before the reply (id %d)?", fallback.Text, fallback.ID, reply.ID)
			}
			h.WaitUntil(wait, "/healthz well again", func() bool {
				code, got = healthz(t, h)
				return code == http.StatusOK && got.OK && len(got.StuckChats) == 0
			})
			rows := outboxRows(t, h, `fallback_of = 'photo'`)
			if len(rows) != 1 || !strings.Contains(rows[0].FallbackReason, "given up after") ||
				!strings.Contains(rows[0].FallbackReason, tt.excerpt) {
				t.Errorf("fallback rows %+v", rows)
			}
			if n := countText(other.User, "tersendat"); n != 1 {
				t.Errorf("the other admin got %d alerts, want exactly 1", n)
			}
			h.NoViolations()
		})
	}
}

// TestWedgeBudgetRecordsFailure: a plain message whose method keeps failing
// without Telegram's envelope fails for good after its attempts, with the
// status and the excerpt stored, each with its whole budget (a text has no
// fallback, so it is not cut short), and the chat's next message goes.
func TestWedgeBudgetRecordsFailure(t *testing.T) {
	for _, tt := range wedgeFaults {
		t.Run(tt.name, func(t *testing.T) {
			r := newWedgeRig(t, nil, nil)
			h := r.h
			u := h.NewUser("Sri")
			u.SendText("/start")
			waitText(t, u, "Halo")
			h.Server.FailAlways("sendMessage", tt.fault)
			u.SendText("/bantuan")
			u.SendText("/bantuan")
			settle(t, h)
			failed := outboxRows(t, h, `status = 'failed' AND kind = 'send'`)
			if len(failed) < 2 {
				t.Fatalf("%d replies failed, want both", len(failed))
			}
			for i, f := range failed {
				if f.HTTPStatus != 500 || !strings.Contains(f.Error, tt.excerpt) || !strings.Contains(f.Error, "given up after 3 attempts") {
					t.Errorf("failed row %d %+v, want 500, %q, 3 attempts", i, f, tt.excerpt)
				}
			}
			if got, want := h.Server.CallsByResult("sendMessage")[500], 3*len(failed); got != want {
				t.Errorf("%d attempts answered 500, want %d", got, want)
			}
			h.Server.Heal("sendMessage")
			u.SendText("/start")
			waitText(t, u, "Halo")
			h.NoViolations()
		})
	}
}
