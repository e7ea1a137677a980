package bottest_test

import (
	"testing"
	"time"

	"dinsosbot/bot"
	"dinsosbot/bot/bottest"
)

// An edit queued behind the message it edits goes out as soon as that
// message is sent, before the send's outcome is recorded (outcomes are
// recorded in groups): it must use the message id just received, not find
// the row "never sent". Here a worker types two answers at once, so the
// prompt with the role buttons and the edit taking those buttons away are
// queued together behind Telegram's 1 message/s per chat, and the recording
// is held back long enough for the edit to overtake it.
func TestEditOfMessageSentButNotYetRecorded(t *testing.T) {
	h := bottest.Start(t, bottest.Options{Bot: func(c *bot.Config) {
		c.Limits.PerChat, c.Limits.PerChatBurst = 1, 1
		c.RecordDelay = 5 * time.Second
	}})
	u := h.NewUser("Siti")
	u.SendText("/start")
	waitText(t, u, "Data yang disimpan")
	must(t, u.Press("✅ Setuju, lanjut"))
	waitText(t, u, "Tulis nama lengkap")
	u.SendText("Siti Aminah")
	u.SendText("PSM") // the role, typed before its buttons arrive
	waitText(t, u, "Pilih kecamatan")
	role := waitText(t, u, "Apa peran")
	h.WaitUntil(wait, "the role prompt's buttons taken away", func() bool {
		for _, m := range u.Messages() {
			if m.ID == role.ID {
				return m.InlineKeyboard == nil
			}
		}
		return false
	})
	var failed int
	must(t, h.DB().SQL().QueryRow(`SELECT COUNT(*) FROM outbox WHERE status = 'failed'`).Scan(&failed))
	if failed != 0 {
		t.Errorf("%d outbox rows failed", failed)
	}
	h.NoViolations()
}
