package bottest_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"dinsosbot/bot/bottest"
	"dinsosbot/bot/telegramtest"
	"dinsosbot/flows"
	"dinsosbot/store"
)

// Helpers for the end-to-end tests of registration (e2e_register_test.go):
// reading what the bot stored, and waiting until it has finished reacting, so
// that "nothing more was sent" can be asserted without sleeping.

// storedUser reads the users row of id (ok=false when the bot never saw them).
func storedUser(t *testing.T, h *bottest.Harness, id int64) (u store.User, ok bool) {
	t.Helper()
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		u, ok, err = tx.GetUser(id)
		return err
	}))
	return u, ok
}

// draft is an open conversation as stored: its row and the answers so far.
type draft struct {
	store.Conversation
	Answers flows.Answers
	History []string
}

// storedDraft reads the conversation of user id in their private chat.
func storedDraft(t *testing.T, h *bottest.Harness, id int64) (d draft, ok bool) {
	t.Helper()
	must(t, h.DB().Update(context.Background(), func(tx *store.Tx) error {
		var err error
		d.Conversation, ok, err = tx.Conversation(id, id)
		return err
	}))
	if !ok {
		return draft{}, false
	}
	var st struct {
		A flows.Answers `json:"a"`
		H []string      `json:"h"`
	}
	must(t, json.Unmarshal([]byte(d.Data), &st))
	d.Answers, d.History = st.A, st.H
	return d, true
}

// approvalStatuses lists the statuses of user id's approval requests, oldest
// first.
func approvalStatuses(t *testing.T, h *bottest.Harness, id int64) []string {
	t.Helper()
	rows, err := h.DB().SQL().Query(`SELECT status FROM approvals WHERE user_id = ? ORDER BY id`, id)
	must(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		must(t, rows.Scan(&s))
		out = append(out, s)
	}
	must(t, rows.Err())
	return out
}

// auditCount counts audit_log rows with action, by user (0 = anyone) and with
// detail ("" = any).
func auditCount(t *testing.T, h *bottest.Harness, action string, user int64, detail string) int {
	t.Helper()
	var n int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = ?
		AND (? = 0 OR user_id = ?) AND (? = '' OR detail = ?)`, action, user, user, detail, detail).Scan(&n))
	return n
}

// settle waits until the bot has taken every update the fake holds and sent
// (or given up on) everything it enqueued. After it, a reply that has not
// arrived is a reply the bot decided not to send.
func settle(t *testing.T, h *bottest.Harness) {
	t.Helper()
	h.WaitUntil(wait, "the bot to settle", func() bool {
		if h.Server.PendingUpdates() > 0 {
			return false
		}
		var n int
		err := h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE status NOT IN ('sent', 'failed')`).Scan(&n)
		return err == nil && n == 0
	})
}

// answers waits for u's n-th callback answer and returns all of them.
func answers(t *testing.T, h *bottest.Harness, u *telegramtest.User, n int) []telegramtest.CallbackAnswer {
	t.Helper()
	h.WaitUntil(wait, "callback answers", func() bool { return len(u.CallbackAnswers()) >= n })
	return u.CallbackAnswers()
}

// buttonData is the callback_data of the button labelled label on m.
func buttonData(t *testing.T, m telegramtest.Message, label string) string {
	t.Helper()
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == label {
				return b.CallbackData
			}
		}
	}
	t.Fatalf("no button %q on %v", label, m)
	return ""
}

// countText counts u's bot messages containing substr.
func countText(u *telegramtest.User, substr string) int {
	n := 0
	for _, m := range u.Messages() {
		if strings.Contains(m.Text+m.Caption, substr) {
			n++
		}
	}
	return n
}

// keyboardGone waits until message id in u's chat has no inline keyboard.
func keyboardGone(t *testing.T, u *telegramtest.User, id int) {
	t.Helper()
	_, err := u.WaitFor(wait, func(msgs []telegramtest.Message) bool {
		for _, m := range msgs {
			if m.ID == id {
				return m.InlineKeyboard == nil
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("message %d kept its keyboard: %v", id, err)
	}
}

// startAdmin adds the configured admin and waits for the greeting that makes
// them an admin in the database.
func startAdmin(t *testing.T, h *bottest.Harness, id int64) actor {
	t.Helper()
	a := actor{t, h.Server.NewUser(telegramtest.UserOptions{ID: id, FirstName: "Admin"}), wait}
	a.send("/start", "terdaftar sebagai Admin")
	return a
}

// toSummary takes a fresh user from /start to the registration summary
// (PSM, Buluran Kenali, Telanaipura, their own phone).
func toSummary(u actor, name string) telegramtest.Message {
	u.t.Helper()
	u.send("/start", "Data yang disimpan")
	u.press("✅ Setuju, lanjut", "nama lengkap")
	u.send(name, "peran")
	u.press("PSM", "kecamatan")
	u.press("Telanaipura", "kelurahan")
	u.press("Buluran Kenali", "nomor HP")
	return u.do(func() { u.SendContact("+6281234567890", u.ID(), name) }, "Periksa data")
}

// itoa formats a Telegram id as the audit log's detail column holds it.
func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// regexpFind returns the first group of pattern in s.
func regexpFind(t *testing.T, pattern, s string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in %q", pattern, s)
	}
	return m[1]
}
